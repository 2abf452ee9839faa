"""What the chapter autograder's ``run_autograder`` runs on Gradescope.

``python -m autograder.gradescope [--autograder-dir /autograder] [--chapter ch5]``:

1. collects the upload in ``submission/`` with the same intake as local grading
   (``autograder.intake.collect``): any subset of the chapter's files, loose or in a zip (one
   wrapping folder or more is fine); files with other names are reported with the name they
   probably should have;
2. grades them with the isolated engine (``autograder.grading.grade_upload``);
3. reads who submitted and when from ``submission_metadata.json`` (documented at
   gradescope-autograders.readthedocs.io/en/latest/submission_metadata/: ``created_at``,
   ``users`` with ``name``, ``email`` and ``sid``, ``assignment.due_date``; a student's own
   due date, with an extension, is ``users[].assignment.due_date``) and says in the output when
   a submission is late (no penalty is taken here: Gradescope applies its own late policy);
4. always writes ``results/results.json`` in Gradescope's format, with a message a student can
   act on: for a wrong file name, an empty upload, or an error of the grader itself.

Nothing here executes the upload; it only reads bytes (bounded in size and count).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
import traceback
from pathlib import Path
from typing import Any, Optional, Sequence

from .files import write_atomic
from .grading import GradingContext
from .late import GRADESCOPE_TIME, LatePolicy, iso, parse_time
from .results import Identity, SubmissionResult

# --------------------------------------------------------------------------- results

def error_results(message: str) -> dict[str, Any]:
    """A valid results.json for a submission that could not be graded."""
    return {
        "score": 0,
        "output": message,
        "stdout_visibility": "hidden",
        "tests": [{"name": "Autograder error", "score": 0, "max_score": 0, "status": "failed",
                   "output": message, "visibility": "visible"}],
    }


def write_results(path: Path, results: dict[str, Any]) -> None:
    """Write ``results`` to ``path`` atomically (replacing whatever is there), owner-only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, json.dumps(results, indent=2, ensure_ascii=False), mode=0o600)


def _harden(autograder_dir: Path) -> None:
    """As root: the autograder's source, the metadata and the results are root's alone."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return
    for top in (autograder_dir / "source", autograder_dir / "results"):
        if not top.exists():
            continue
        for root, dirs, files in os.walk(top):
            for name in dirs + files:
                p = Path(root) / name
                if not p.is_symlink():
                    p.chmod(p.stat().st_mode & ~0o077)
        top.chmod(top.stat().st_mode & ~0o077)
    meta = autograder_dir / "submission_metadata.json"
    if meta.is_file():
        meta.chmod(0o600)


def read_metadata(autograder_dir: Path) -> dict[str, Any]:
    """``submission_metadata.json`` as a dict; {} when it is missing or unreadable."""
    try:
        meta = json.loads((autograder_dir / "submission_metadata.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return meta if isinstance(meta, dict) else {}


def _student_id(autograder_dir: Path) -> str:
    """A label for logs: the submission id from submission_metadata.json, else "student"."""
    sid = str(read_metadata(autograder_dir).get("id") or "")
    sid = re.sub(r"[^A-Za-z0-9_.-]", "_", sid)[:64]
    return f"submission-{sid}" if sid else "student"


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def apply_metadata(result: SubmissionResult, meta: dict[str, Any]) -> None:
    """Who submitted and when, and whether it was late against the student's due date."""
    users = [u for u in meta.get("users") or [] if isinstance(u, dict)]
    first = users[0] if users else {}
    names = [_text(u.get("name")) for u in users if u.get("name")]
    result.identity = Identity(name=" & ".join(names), email=_text(first.get("email")),
                               sid=_text(first.get("sid")), lms="gradescope",
                               lms_id=_text(first.get("id")))
    try:
        submitted = parse_time(_text(meta.get("created_at"))) if meta.get("created_at") else None
    except ValueError:
        submitted = None
    if submitted is None:
        return
    result.submitted_at, result.time_source = iso(submitted), GRADESCOPE_TIME
    own = first.get("assignment") if isinstance(first.get("assignment"), dict) else {}
    assignment = meta.get("assignment") if isinstance(meta.get("assignment"), dict) else {}
    due_text = own.get("due_date") or assignment.get("due_date")
    try:
        due = parse_time(_text(due_text)) if due_text else None
    except ValueError:
        due = None
    if due is not None:
        result.lms_late = submitted > due
        LatePolicy(deadline=due).apply(result)


def grade_upload(autograder_dir: Path, context: GradingContext) -> dict[str, Any]:
    """Collect, grade and describe one upload; the results.json content."""
    from .grading import grade_upload as grade

    result = grade(autograder_dir / "submission", student=_student_id(autograder_dir),
                   context=context)
    try:
        apply_metadata(result, read_metadata(autograder_dir))
    except Exception:  # noqa: BLE001 - odd metadata must not cost the student the grade
        traceback.print_exc(file=sys.stdout)  # for staff: stdout is hidden from students
    print(f"graded by {Path(__file__).resolve().parent} in sandbox mode {result.sandbox!r}; "
          f"status {result.status or '?'}")
    return result.gradescope(context.chapter)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m autograder.gradescope",
        description="Grade the upload in AUTOGRADER_DIR/submission and write "
                    "AUTOGRADER_DIR/results/results.json (Gradescope's layout).")
    parser.add_argument("--autograder-dir", default="/autograder", type=Path)
    parser.add_argument("--chapter", default="ch5")
    args = parser.parse_args(argv)

    start = time.monotonic()
    ag = args.autograder_dir
    results_path = ag / "results" / "results.json"
    try:
        _harden(ag)
        results = grade_upload(ag, GradingContext.resolve(args.chapter))
    except Exception:  # noqa: BLE001 - whatever broke, the student gets a results.json
        traceback.print_exc(file=sys.stdout)  # stdout is hidden from students, shown to staff
        results = error_results(
            "The autograder hit an internal error while grading this submission; this is not "
            "a problem with your files. Submit again; if it happens again, tell your "
            "instructor (the details are in the autograder's output).")
    results["execution_time"] = round(time.monotonic() - start, 3)
    results["stdout_visibility"] = "hidden"
    write_results(results_path, results)
    print(f"score {results.get('score')} in {results['execution_time']} s -> {results_path}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
