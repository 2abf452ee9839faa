"""The handout's notebooks, one per exercise (``nndl-ch5/ex5_2.ipynb``), made from the stubs,
the answer sheets, the manifest and the worked examples; never edited by hand.

A notebook holds, in order: how to open it (Jupyter, Colab); a first code cell that finds
the handout folder and imports the student's ``.py`` file with autoreload (the student edits
the file, not the notebook); the problem statement (the stub's module docstring, in Chinese
and English); what to write (the stub's functions and classes); the worked examples of
``assignments/<chapter>/notebooks/<id>.py`` (jupytext's percent format), which use the
student's own functions and report a stub instead of raising; a cell that runs the
exercise's public checks; the written part (the manifest's prompt, the answer sheet's text
and, for each section to answer, a cell that saves the answer into the sheet); a cell that
writes ``submission.zip``. The cells call ``autograder.notebook``, which ships in the
handout.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Optional

from ..course import Chapter, Exercise
from .base import BuildError

EXAMPLES = "notebooks"
"""The folder of ``assignments/<chapter>/`` holding each exercise's worked examples."""

_SPECIAL = re.compile(r"([\\*_<>\[\]$|~])")
_CJK = re.compile(r"[\u3000-\u30ff\u3400-\u9fff\uff00-\uffef]")


def _escape(text: str) -> str:
    """Markdown of plain text: ``code`` (RST's or Markdown's) kept as code, the rest
    escaped."""
    out = []
    for i, part in enumerate(re.split(r"``?([^`]+)``?", text)):
        out.append(f"`{part}`" if i % 2 else _SPECIAL.sub(r"\\\1", part))
    return "".join(out)


def _is_zh(line: str) -> bool:
    """Whether a line is written in Chinese: Chinese characters outside code and outside
    parentheses (an English line may quote a Chinese term in parentheses, "(互相关, ...)")."""
    bare = re.sub(r"``?[^`]*``?", "", line)
    bare = re.sub(r"\([^()]*\)", "", bare)
    return bool(_CJK.search(bare))


def _join(text: str, previous: str, line: str) -> str:
    """``line`` added to a paragraph whose last line was ``previous``: a line break where
    Chinese gives way to English or back, nothing between two Chinese lines, else a space."""
    if not text:
        return line
    if _is_zh(previous) != _is_zh(line):
        return text.rstrip() + "<br>" + line.lstrip()
    if _CJK.match(text.rstrip()[-1:] or " ") and _CJK.match(line.lstrip()[:1] or " "):
        return text.rstrip() + line.lstrip()
    return text.rstrip() + " " + line.lstrip()


_ITEM = re.compile(r"^(-|\d+\.)\s+")


def docstring_markdown(doc: str, level: int = 1) -> str:
    """A module docstring as Markdown: its first line a title (of ``level``), unindented lines
    ending in ":" headings, "- " and "1." lines list items, lines indented deeper than their
    paragraph that hold a formula (an "=" or "⊗") code, everything else text."""
    lines = doc.expandtabs().strip("\n").splitlines()
    out = [f"{'#' * level} {_escape(lines[0].strip())}", ""]
    para: list[str] = []          # the paragraph or list item being read: [prefix, text, last]
    code: list[str] = []
    state = {"indent": 0, "item": False}

    def flush_para() -> None:
        if para:
            out.append(para[0] + para[1])
            para.clear()

    def flush_code() -> None:
        if code:
            base = min(len(c) - len(c.lstrip()) for c in code)
            out.extend(["", "```text"] + [c[base:] for c in code] + ["```", ""])
            code.clear()

    section = 0
    for raw in lines[1:]:
        if not raw.strip():
            flush_para()
            flush_code()
            out.append("")
            continue
        indent = len(raw) - len(raw.lstrip())
        text = raw.strip()
        if indent == 0 and text.endswith(":"):
            flush_para()
            flush_code()
            out += ["", f"{'#' * (level + 2)} {_escape(text[:-1])}", ""]
            section = 4
            continue
        rel = max(indent - section, 0)
        item = _ITEM.match(text)
        formula = "=" in text or "⊗" in text
        if formula and rel >= (state["indent"] + 4 if para else 4):
            flush_para()
            code.append(" " * rel + text)
            continue
        flush_code()
        if item:
            flush_para()
            marker = item.group(1)
            prefix = "  " * (rel // 2) + ("- " if marker == "-" else f"{marker} ")
            para[:] = [prefix, _escape(text[item.end():]), text]
            state.update(indent=rel + item.end(), item=True)
        elif para and not (state["item"] and rel < state["indent"]):
            para[1] = _join(para[1], para[2], _escape(text))
            para[2] = text
        else:
            if para:  # a paragraph after a list: a blank line ends the list
                flush_para()
                out.append("")
            para[:] = ["", _escape(text), text]
            state.update(indent=rel, item=False)
    flush_para()
    flush_code()
    return re.sub(r"\n{3,}", "\n\n", "\n".join(out)).strip() + "\n"


def _first_paragraph(node: ast.AST) -> str:
    doc = ast.get_docstring(node) or ""
    return " ".join(doc.split("\n\n")[0].split())


def api_markdown(stub: str, exercise: Exercise) -> str:
    """What the student writes: each public function and class of the stub, its signature and
    the first paragraph of its docstring."""
    items = []
    for node in ast.parse(stub).body:
        if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
            items.append(f"- `{node.name}({ast.unparse(node.args)})`: "
                         f"{_escape(_first_paragraph(node))}")
        elif isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
            init = next((n for n in node.body if isinstance(n, ast.FunctionDef)
                         and n.name == "__init__"), None)
            args = ast.unparse(init.args).replace("self, ", "").replace("self", "") if init else ""
            methods = [f"`{n.name}`" for n in node.body if isinstance(n, ast.FunctionDef)
                       and not n.name.startswith("_")]
            items.append(f"- `{node.name}({args})`: {_escape(_first_paragraph(node))}"
                         + (f" Methods / 方法: {', '.join(methods)}." if methods else ""))
        elif isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id.isupper()
                                                  for t in node.targets):
            items.append(f"- `{ast.unparse(node.targets[0])}`")
    return (f"## 要写什么 / What you write\n\n在 `{exercise.code}` 中(不是在本笔记本里)填写每个 "
            f"TODO 块;函数名、参数和返回值的约定不要改。/ Fill in every TODO block in "
            f"`{exercise.code}` (not in this notebook); keep the names, arguments and return "
            f"conventions.\n\n" + "\n".join(items) + "\n")


def intro_markdown(chapter: Chapter, exercise: Exercise, folder: str) -> str:
    opt = "(选做 / optional)" if exercise.optional else ""
    return f"""# {exercise.id}: {exercise.title_zh} / {exercise.title_en} {opt}

**怎么用 / How to use this notebook.** 代码写在 `{exercise.code}` 里,不是写在笔记本里:先运行下面第一个代码单元,它找到作业文件夹 `{folder}` 并导入你的 `{exercise.code}`;之后每次修改并保存 `{exercise.code}`,再运行的单元都会用上新代码(autoreload)。只需要 NumPy;装了 matplotlib 时会画图。
You write your code in `{exercise.code}`, not in this notebook: run the first code cell below, which finds the handout folder `{folder}` and imports your `{exercise.code}`; after you edit and save `{exercise.code}`, every cell you run uses the new code (autoreload). NumPy is all it needs; with matplotlib it draws plots.

- **Jupyter:** 解压 `student.zip`,在 `{folder}` 文件夹中打开本笔记本;在 Jupyter 的文件浏览器里打开 `{exercise.code}` 编辑。/ Unzip `student.zip` and open this notebook inside `{folder}`; edit `{exercise.code}` in Jupyter's file browser.
- **Colab (Google Drive):** 把解压后的 `{folder}` 文件夹上传到 Google Drive(例如 `我的云端硬盘/{folder}`),在 Drive 中右键本笔记本 → 打开方式 → Google Colaboratory;第一个代码单元会请求挂载 Drive 并找到这个文件夹。在 Colab 左侧的"文件"面板中双击 `{exercise.code}` 即可编辑,修改直接保存在 Drive 中。/ Upload the unzipped `{folder}` folder to Google Drive (e.g. `My Drive/{folder}`), right-click this notebook in Drive → Open with → Google Colaboratory; the first code cell asks to mount Drive and finds the folder. Double-click `{exercise.code}` in Colab's Files panel to edit it; changes are saved on Drive.
- **Colab (upload):** 在 Colab 中打开本笔记本(文件 → 上传笔记本),再把 `student.zip` 上传到 `/content`(左侧"文件"面板);第一个代码单元会解压它。运行时断开后 `/content` 中的文件会丢失:最后一个单元会下载 `submission.zip`。/ Open this notebook in Colab (File → Upload notebook) and upload `student.zip` to `/content` (the Files panel); the first code cell unzips it. Files in `/content` are lost when the runtime ends: the last cell downloads `submission.zip`.
"""


def setup_code(exercise: Exercise, folder: str) -> str:
    stem = Path(exercise.code).stem
    return f'''# 准备:找到作业文件夹,导入你的代码 / Setup: find the handout folder, import your code
import os
import sys
from pathlib import Path

import numpy as np

EXERCISE, FOLDER = "{stem}", "{folder}"


def _handout_folder():
    """Where this notebook is (Jupyter), or the handout on Colab: unzipped from
    /content/student.zip, or on Google Drive."""
    def found(places):
        return next((p.resolve() for p in places
                     if (p / "check.py").is_file() and (p / (EXERCISE + ".py")).is_file()), None)

    here = Path.cwd()
    places = [here, *here.parents, here / FOLDER, Path("/content") / FOLDER]
    if found(places) is None and "google.colab" in sys.modules:
        if Path("/content/student.zip").is_file():
            import zipfile
            zipfile.ZipFile("/content/student.zip").extractall("/content")
        drive = Path("/content/drive/MyDrive")
        if found(places) is None and not drive.is_dir():
            from google.colab import drive as google_drive
            google_drive.mount("/content/drive")
        places += [drive / FOLDER, *drive.glob("*/" + FOLDER), *drive.glob("*/*/" + FOLDER)]
    folder = found(places)
    if folder is None:
        raise FileNotFoundError(
            f"cannot find the handout folder {{FOLDER}} (with check.py and {{EXERCISE}}.py): open "
            f"this notebook inside it, or on Colab upload student.zip or put {{FOLDER}} on Drive "
            f"/ 找不到作业文件夹 {{FOLDER}}")
    return folder


HANDOUT = _handout_folder()
os.chdir(HANDOUT)
if sys.path[:1] != [str(HANDOUT)]:
    sys.path.insert(0, str(HANDOUT))
from autograder import notebook as nb  # noqa: E402

{stem} = nb.start(EXERCISE)
'''


def examples_cells(path: Path) -> list[tuple[str, str]]:
    """The worked examples of ``path`` (jupytext's percent format): (cell type, source)."""
    import jupytext

    text = path.read_text(encoding="utf-8")
    if "# %%" not in text:
        raise BuildError(f"{path}: worked examples are cells in jupytext's percent format "
                         f"(# %% and # %% [markdown])")
    book = jupytext.reads(text, fmt="py:percent")
    return [(c.cell_type, c.source) for c in book.cells if c.source.strip()]


def written_cells(exercise: Exercise, sheet: str) -> list[tuple[str, str]]:
    """The written part: the manifest's prompt; then the answer sheet, cut after each
    placeholder comment, each piece followed by a cell that saves an answer into its
    section."""
    prompts = "\n".join(f"- {_escape(w.zh)}<br>{_escape(w.en)}" for w in exercise.written)
    cells = [("markdown", f"## 书面题 / Written part\n\n{prompts}\n\n人工评分;答案写进答题纸 "
                          f"`{exercise.answer}`,和代码一起提交。下面是答题纸的内容:每一节后面的"
                          f"代码单元可以把你写在三引号之间的答案存进这一节(也可以直接编辑 "
                          f"`{exercise.answer}`)。/ Graded by hand; the answer goes into the answer "
                          f"sheet `{exercise.answer}`, submitted with your code. Below is the "
                          f"sheet: the cell after each section saves what you write between its "
                          f"triple quotes into that section (or edit `{exercise.answer}` "
                          f"directly). Markdown and LaTeX (`$...$`) both work.\n")]
    heading = ""
    chunk: list[str] = []
    for line in sheet.splitlines():
        if line.startswith("#"):
            heading = line.strip()
        chunk.append("#" + line if line.startswith("#") else line)  # one level down
        if line.strip().startswith("<!--") and line.strip().endswith("-->"):
            chunk.pop()
            if not heading:
                raise BuildError(f"{exercise.answer}: a placeholder comment comes before any "
                                 f"heading; the notebook saves answers by section heading")
            cells.append(("markdown", "\n".join(chunk).strip() + "\n"))
            cells.append(("code", f'# 在三引号之间作答,然后运行本单元 / Write between the triple '
                                  f'quotes, then run this cell\nanswer = r"""\n\n"""\n'
                                  f'nb.answer({exercise.answer!r}, {heading!r}, answer)\n'))
            chunk = []
    rest = "\n".join(chunk).strip()
    if rest:
        cells.append(("markdown", rest + "\n"))
    return cells


def exercise_notebook(chapter: Chapter, exercise: Exercise, stub: str, sheet: Optional[str],
                      examples: Optional[Path], folder: str) -> str:
    """The notebook of ``exercise``, as the text of an ``.ipynb`` file."""
    import nbformat

    doc = ast.get_docstring(ast.parse(stub))
    if not doc:
        raise BuildError(f"{exercise.code}: the stub has no module docstring (the problem "
                         f"statement the notebook shows)")
    cells: list[tuple[str, str]] = [
        ("markdown", intro_markdown(chapter, exercise, folder)),
        ("code", setup_code(exercise, folder)),
        ("markdown", docstring_markdown(doc, level=2)),
        ("markdown", api_markdown(stub, exercise)),
    ]
    if examples is not None:
        cells.append(("markdown", "## 例子 / Worked examples\n\n这些例子调用你自己的函数;还是存根的"
                                  "函数会显示 [ TODO ],不会出错。/ These examples call your own "
                                  "functions; a function that is still the stub shows [ TODO ], "
                                  "not an error.\n"))
        cells += examples_cells(examples)
    cells += [
        ("markdown", f"## 公开检查 / Public checks\n\n和 `python check.py {exercise.id}` 一样:只运行"
                     f"公开检查,隐藏检查在提交后运行;每次调用最多 10 秒(`timeout=` 可以改)。/ As "
                     f"`python check.py {exercise.id}`: the public checks only (hidden checks run "
                     f"when you submit); each call into your code may take 10 s (change it with "
                     f"`timeout=`).\n"),
        ("code", f"nb.check({exercise.id!r})\n"),
    ]
    if exercise.answer and sheet is not None:
        cells += written_cells(exercise, sheet)
    cells += [
        ("markdown", "## 提交 / Submit\n\n写出 `submission.zip`(本章所有习题的代码和答题纸,"
                     "与 `python check.py --zip` 相同),并说明缺少什么;在 Colab 上会下载它。"
                     "把它上传到 Gradescope。/ Writes `submission.zip` (every exercise's code and "
                     "answer sheet of the chapter, as `python check.py --zip`) and says what is "
                     "missing; on Colab it downloads it. Upload it on Gradescope.\n"),
        ("code", "nb.collect()\n"),
    ]
    book = nbformat.v4.new_notebook()
    book.metadata = {
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"},
    }
    for i, (kind, source) in enumerate(cells):
        make = nbformat.v4.new_markdown_cell if kind == "markdown" else nbformat.v4.new_code_cell
        cell = make(source.rstrip("\n"))
        cell["id"] = f"{exercise.id}-{i:02d}".replace("_", "-")
        book.cells.append(cell)
    nbformat.validate(book)
    return nbformat.writes(book) + "\n"


def handout_notebooks(chapter: Chapter, assignments: Path, folder: str) -> dict[str, bytes]:
    """Every exercise's notebook, by archive name (``<folder>/<id>.ipynb``)."""
    out = {}
    for e in chapter.exercises:
        base = assignments / chapter.id
        stub = (base / e.code).read_text(encoding="utf-8")
        sheet = (base / e.answer).read_text(encoding="utf-8") if e.answer else None
        examples = base / EXAMPLES / f"{e.id}.py"
        text = exercise_notebook(chapter, e, stub, sheet, examples if examples.is_file() else None,
                                 folder)
        out[f"{folder}/{e.id}.ipynb"] = text.encode("utf-8")
    return out
