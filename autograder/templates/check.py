#!/usr/bin/env python3
"""本地检查 / Local check: run the public checks on your exercise files.

    python check.py                 # 检查本文件夹中的每个习题文件 / every exercise file here
    python check.py ex5_2.py        # 只检查一个文件 / one file
    python check.py ex5_2.py ex5_7.py path/to/folder

只需要 Python 3.9+ 和 NumPy。隐藏检查只在提交后运行。
Needs Python 3.9+ and NumPy only. Hidden checks run only after you submit.
Exit status: 0 when every public check passed, 1 when one failed, 2 on a usage error.
"""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # the helpers shipped beside this script, before any other copy

CHAPTER: dict = {}  # filled in by nndl-grade build


def main(argv: list) -> int:
    try:
        import numpy  # noqa: F401
    except ImportError:
        print("check.py needs NumPy: install it with  python -m pip install numpy", file=sys.stderr)
        return 2
    from autograder.check import Target, check_files, files_to_check, format_report

    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")  # consoles that cannot print Chinese
    if any(a in ("-h", "--help") for a in argv):
        print(__doc__)
        return 0
    targets = [Target(e["id"], e["title_zh"], e["title_en"], e["code"], HERE / "tests" / e["code"])
               for e in CHAPTER["exercises"]]
    pairs = []
    try:
        for t in [Path(a) for a in argv] or [HERE]:
            pairs += files_to_check(t, targets)
    except ValueError as exc:
        print(f"check.py: {exc}", file=sys.stderr)
        return 2
    reports = check_files(pairs)
    print(format_report(reports))
    all_passed = all(r.score == r.possible for r in reports)
    print("all public checks passed / 公开检查全部通过" if all_passed
          else "some public checks failed / 有公开检查未通过")
    return 0 if all_passed else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
