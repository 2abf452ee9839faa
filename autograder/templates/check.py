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


def _exercises_at(path: Path) -> list:
    """(exercise, file) pairs for an exercise file or a folder of them; ValueError otherwise."""
    names = ", ".join(e["code"] for e in CHAPTER["exercises"])
    if path.is_dir():
        found = [(e, path / e["code"]) for e in CHAPTER["exercises"] if (path / e["code"]).is_file()]
        if not found:
            raise ValueError(f"{path} holds none of the exercise files ({names})")
        return found
    if not path.is_file():
        raise ValueError(f"{path} does not exist: give an exercise file such as "
                         f"{CHAPTER['exercises'][0]['code']} or a folder")
    for e in CHAPTER["exercises"]:
        if e["code"] == path.name:
            return [(e, path)]
    raise ValueError(f"{path.name} is not an exercise file of this chapter; expected one of {names}")


def main(argv: list) -> int:
    try:
        import numpy  # noqa: F401
    except ImportError:
        print("check.py needs NumPy: install it with  python -m pip install numpy", file=sys.stderr)
        return 2
    from autograder.checks.runner import load_check_file, run_check_file

    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")  # consoles that cannot print Chinese
    if any(a in ("-h", "--help") for a in argv):
        print(__doc__)
        return 0
    targets = [Path(a) for a in argv] or [HERE]
    pairs = []
    try:
        for t in targets:
            pairs += _exercises_at(t)
    except ValueError as exc:
        print(f"check.py: {exc}", file=sys.stderr)
        return 2

    all_passed = True
    for exercise, file in pairs:
        check_file = load_check_file(HERE / "tests" / exercise["code"])
        results = run_check_file(check_file, file, include_hidden=False)
        print(f"{exercise['id']} — {exercise['title_zh']} / {exercise['title_en']}  ({file})")
        for r in results:
            print(f"  [{'passed' if r.passed else 'FAILED'}] {r.name} ({r.score:g}/{r.points:g})")
            if not r.passed:
                all_passed = False
                for line in r.message.splitlines():
                    print("      " + line)
        score, possible = sum(r.score for r in results), sum(r.points for r in results)
        print(f"  public checks: {score:g}/{possible:g} points "
              f"(hidden checks run only when you submit / 隐藏检查在提交后运行)\n")
    print("all public checks passed / 公开检查全部通过" if all_passed
          else "some public checks failed / 有公开检查未通过")
    return 0 if all_passed else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
