#!/usr/bin/env python3
"""本地检查 / Local check: run the public checks on your exercise files.

    python check.py                 # 本文件夹中的每个习题文件 / every exercise file here
    python check.py ex5_2           # 一道习题(也可写 ex5_2.py)/ one exercise (or ex5_2.py)
    python check.py --timeout 30    # 每次调用最多 30 秒(默认 10)/ each call may take 30 s (default 10)
    python check.py --zip           # 写出要提交的 submission.zip / write submission.zip to upload

在 Jupyter 或 IPython 中 / in Jupyter or IPython:  %run check.py ex5_2
只需要 Python 3.9+ 和 NumPy。隐藏检查只在提交后运行。
Needs Python 3.9+ and NumPy only. Hidden checks run only after you submit.
Exit status: 0 when every public check passed, 1 when one failed, 2 on a usage error.
"""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
if sys.path[:1] != [str(HERE)]:
    sys.path.insert(0, str(HERE))  # the helpers shipped beside this script, before any other copy

CHAPTER: dict = {}  # filled in by nndl-grade build


def main(argv=None) -> int:
    """Run the local check on ``argv`` (default: the command line's arguments), as
    ``python check.py`` does; returns the exit status instead of exiting (for notebooks)."""
    try:
        import numpy  # noqa: F401
    except ImportError:
        print("check.py needs NumPy: install it with  python -m pip install numpy", file=sys.stderr)
        return 2
    from autograder.check import Target
    from autograder.check import main as run

    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            try:
                stream.reconfigure(errors="replace")  # consoles that cannot print Chinese
            except (ValueError, OSError):
                pass
    targets = [Target(e["id"], e["title_zh"], e["title_en"], e["code"], HERE / "tests" / e["code"],
                      e["answer"], e["optional"]) for e in CHAPTER["exercises"]]
    args = sys.argv[1:] if argv is None else [str(a) for a in argv]
    return run(args, targets, base=HERE, chapter=CHAPTER["id"], prog="check.py",
               pristine=CHAPTER["handout_sha256"])


def _interactive() -> bool:
    """Run by IPython or Jupyter (``%run check.py``) or typed into an interactive Python:
    then a failed check is no reason to raise SystemExit."""
    import builtins

    return hasattr(builtins, "__IPYTHON__") or hasattr(sys, "ps1")


if __name__ == "__main__":
    status = main()
    if status and not _interactive():
        sys.exit(status)
