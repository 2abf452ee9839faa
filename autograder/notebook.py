"""What the handout's notebooks call: the student's code imported with autoreload, worked
examples that report a stub instead of raising, the public checks of one exercise, written
answers saved into the answer sheet, and ``submission.zip``.

Each notebook (``nndl-grade build`` writes them, ``packaging/notebooks.py``) finds the handout
folder in its first code cell, then imports this module. It needs the standard library and
NumPy; matplotlib only when it is there (``plot``). Nothing here raises on a stub: a notebook
runs from top to bottom on the handout as it is handed out.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import sys
from pathlib import Path
from typing import Any, Iterator, Optional, Sequence

import numpy as np

from .engine.describe import describe_exception
from .files import write_atomic

HANDOUT = Path(__file__).resolve().parent.parent
"""The handout folder: the student's files, ``check.py``, ``tests/``."""

BEGIN = "<!-- notebook answer: begin -->"
END = "<!-- notebook answer: end -->"
"""The lines around what a notebook's answer cell wrote into an answer sheet."""


def _ipython() -> Any:
    try:
        return get_ipython()  # type: ignore[name-defined]  # noqa: F821 - IPython's builtin
    except NameError:
        return None


def on_colab() -> bool:
    """Whether this runs on Google Colab."""
    return "google.colab" in sys.modules


# -- the student's code -------------------------------------------------------------------------

class _NotImported:
    """Stands for a module that could not be imported: using it says why."""

    def __init__(self, name: str, why: str) -> None:
        self._name, self._why = name, why

    def __getattr__(self, attr: str) -> Any:
        raise RuntimeError(f"{self._name}.py did not import, so {attr} cannot be used: "
                           f"{self._why}\nFix it, then run the first code cell again / "
                           f"改正后重新运行第一个代码单元。")


def start(exercise: str) -> Any:
    """Turn on autoreload (IPython's ``%autoreload 2``: a saved change to the ``.py`` file is
    used by the next cell run), import the student's module ``exercise`` and return it (or,
    when it does not import, an object that says why when used)."""
    ip = _ipython()
    if ip is not None:
        try:
            ip.run_line_magic("load_ext", "autoreload")
            ip.run_line_magic("autoreload", "2")
        except Exception:  # noqa: BLE001 - a kernel without the extension: a plain import
            pass
    print(f"handout folder / 作业文件夹: {HANDOUT}")
    print(f"write your code in {exercise}.py there and save it; cells run after that use it / "
          f"在该文件夹的 {exercise}.py 中写代码并保存,之后运行的单元就会用到它")
    try:
        return importlib.import_module(exercise)
    except Exception as exc:  # noqa: BLE001 - a syntax error or a failing import is reported
        why = describe_exception(exc, str(HANDOUT), f"{exercise}.py")
        print(f"{exercise}.py does not import yet / 还无法导入: {why}")
        return _NotImported(exercise, why)


@contextlib.contextmanager
def attempt(what: str) -> Iterator[None]:
    """Run the block; if the student's code fails in it, say so and go on. A stub is "not
    done yet", any other exception is described as the grader describes it."""
    try:
        yield
    except NotImplementedError as exc:
        told = str(exc) if "TODO" in str(exc) else f"{what}: still the stub, fill in its TODO block"
        print(f"[ TODO ] {told}; save the file and run this cell again / 还是存根:填写 TODO 块,"
              f"保存后重新运行本单元")
    except Exception as exc:  # noqa: BLE001 - the student's error is shown, never raised
        text = describe_exception(exc, str(HANDOUT), "?")
        print(f"[error / 出错] {what}: {text}")


def show(label: str, value: Any) -> None:
    """Print ``label`` and ``value`` (arrays in full, rounded)."""
    if isinstance(value, np.ndarray):
        text = np.array2string(value, precision=4, suppress_small=True, max_line_width=100)
        print(f"{label}  (shape {value.shape}):\n{text}")
    else:
        print(f"{label}: {value!r}")


def plot(values: Sequence[float], *, title: str, xlabel: str, ylabel: str) -> None:
    """A line plot of ``values`` when matplotlib is there; otherwise a table of every tenth
    value with a bar of its size."""
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        plt = None
    values = [float(v) for v in values]
    if plt is not None:
        fig, ax = plt.subplots(figsize=(6, 3.5))
        ax.plot(range(1, len(values) + 1), values)
        ax.set_title(title)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.grid(True, alpha=0.3)
        plt.show()
        return
    print(f"{title}  (matplotlib is not installed: a table instead / 未安装 matplotlib,以表格代替)")
    top = max(values) if values and max(values) > 0 else 1.0
    print(f"{xlabel:>8}  {ylabel:>10}")
    for i in sorted(set(list(range(0, len(values), 10)) + [len(values) - 1])):
        bar = "#" * max(1, round(40 * values[i] / top)) if values[i] > 0 else ""
        print(f"{i + 1:>8}  {values[i]:>10.4f}  {bar}")


# -- the public checks, the answers, the submission ----------------------------------------------

def _check_script() -> Any:
    """The handout's ``check.py``, as a module."""
    spec = importlib.util.spec_from_file_location("nndl_handout_check", HANDOUT / "check.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def check(exercise: str, timeout: Optional[float] = None) -> None:
    """Run the public checks of ``exercise`` on its file, as ``python check.py <exercise>``
    does, printing each check as it ends."""
    argv = [exercise] + (["--timeout", str(timeout)] if timeout else [])
    _check_script().main(argv)


def _section(lines: list[str], heading: str) -> Optional[tuple[int, int]]:
    """The lines [start, end) of the section under ``heading`` (its heading line excluded)."""
    want = heading.strip()
    for i, line in enumerate(lines):
        if line.strip() == want:
            level = len(want) - len(want.lstrip("#"))
            end = len(lines)
            for j in range(i + 1, len(lines)):
                s = lines[j].lstrip()
                if s.startswith("#") and len(s) - len(s.lstrip("#")) <= level:
                    end = j
                    break
            return i + 1, end
    return None


def _is_comment(line: str) -> bool:
    return line.strip().startswith("<!--") and line.strip().endswith("-->")


def _written(body: list[str]) -> Optional[str]:
    """What the student wrote in a section: the text after its placeholder comment (markers
    and comments left out); None when the placeholder is gone (the file was edited there)."""
    slot = next((i for i, line in enumerate(body) if _is_comment(line)
                 and line.strip() not in (BEGIN, END)), None)
    if slot is None:
        return None
    return "\n".join(line for line in body[slot + 1:] if line.strip() and not _is_comment(line))


def save_answer(path: Path, heading: str, text: str) -> tuple[str, Optional[str]]:
    """Save ``text`` as the answer under ``heading`` of the answer sheet at ``path``: between
    two marker lines right after the section's placeholder comment, replacing what was saved
    there before; what the student typed into the sheet itself stays. With no text, nothing
    is written. Returns what to tell the student and the text saved (or None)."""
    path = Path(path)
    name = path.name
    if not path.is_file():
        return f"{name} is not in {path.parent} / 找不到答题纸 {name}", None
    lines = path.read_text(encoding="utf-8").split("\n")
    where = _section(lines, heading)
    title = heading.lstrip("# ")
    if where is None:
        return (f"{name} has no section {title!r} any more: write your answer in {path} "
                f"directly / {name} 中找不到这一节,请直接编辑它"), None
    start, end = where
    body = lines[start:end]
    if not text.strip():
        own = _written(body)
        if own is None:
            return (f"{name}, {title}: its placeholder comment is gone, so this section holds "
                    f"what you typed into {name} / 这一节的占位注释已删除,以文件中的内容为准"), None
        if own.strip():
            return f"{name}, {title}: {len(own.strip())} characters written / 已写 " \
                   f"{len(own.strip())} 个字符", None
        return (f"{name}, {title}: nothing written yet: write between the triple quotes above "
                f"and run this cell, or edit {name} / 尚未作答:在上面的三引号之间作答后运行本单元,"
                f"或直接编辑 {name}"), None
    block = [BEGIN] + text.strip("\n").split("\n") + [END]
    marks = [line.strip() for line in body]
    if BEGIN in marks and END in marks[marks.index(BEGIN):]:
        b = marks.index(BEGIN)
        body[b:b + marks[b:].index(END) + 1] = block
    else:
        slot = next((i for i, line in enumerate(body) if _is_comment(line)), None)
        at = slot + 1 if slot is not None else len(body)
        while slot is None and at > 0 and not body[at - 1].strip():
            at -= 1
        body[at:at] = block
    lines[start:end] = body
    write_atomic(path, "\n".join(lines))
    return f"saved in {name}, {title} / 已保存到 {name}", "\n".join(block[1:-1])


def answer(sheet: str, heading: str, text: str) -> None:
    """The answer cell: save ``text`` into the section ``heading`` of the answer sheet
    ``sheet`` (``save_answer``), say so, and show it rendered (Markdown and LaTeX)."""
    told, saved = save_answer(HANDOUT / sheet, heading, text)
    print(told)
    if saved is not None and _ipython() is not None:
        from IPython.display import Markdown, display

        display(Markdown(saved))


def collect() -> None:
    """Write ``submission.zip`` (``python check.py --zip``) and, on Colab, download it."""
    _check_script().main(["--zip"])
    zipped = HANDOUT / "submission.zip"
    if zipped.is_file() and on_colab():
        from google.colab import files  # type: ignore[import-not-found]

        files.download(str(zipped))
