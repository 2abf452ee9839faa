"""``nndl-grade build``: the student handout and the Gradescope autograders of a chapter.

Writes, under ``<out>/<chapter>/``:

- ``student.zip``: the stubs and answer sheets exactly as in ``assignments/<chapter>/``, the
  public checks (hidden cases cut out of each check file by its syntax tree), the helpers those
  checks import, a bilingual README and ``check.py``, a local check that needs only Python
  and NumPy.
- ``autograder.zip``: one Gradescope programming assignment for the whole chapter. Made by
  Otter-Grader's own ``generate`` step (its ``setup.sh``, ``environment.yml``,
  ``otter_config.json``), with this project's wheel inside and installed through Otter's
  requirements; its ``run_autograder`` runs ``python -m autograder.gradescope`` (the isolated
  engine) instead of Otter's in-kernel grading, and ``setup.sh`` also prepares the
  unprivileged user and bubblewrap.
- ``otter/<id>.zip``: one stock Otter autograder per exercise (``otter generate`` with the
  exercise's full check file), for an instructor who prefers plain Otter.

The build needs the project's source tree (it builds the wheel from it) and Otter-Grader.

The parts, one module each: ``public.py`` (public checks), ``handout.py`` (the handout),
``otter.py`` (wheel, ``otter generate``, the chapter autograder), ``zips.py``, ``base.py``.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ..course import REPO_ROOT, load_chapter
from .base import BuildError
from .handout import handout_entries, handout_modules, support_data_files
from .otter import _chapter_autograder, _otter_generate, build_wheel
from .public import public_check_source
from .zips import read_zip, write_zip

__all__ = ["BuildError", "BuildOutputs", "build", "build_wheel", "handout_entries",
           "handout_modules", "public_check_source", "read_zip", "support_data_files",
           "write_zip"]


@dataclass
class BuildOutputs:
    """What ``build`` wrote."""

    chapter: str
    student_zip: Path
    autograder_zip: Path
    otter_zips: dict[str, Path] = field(default_factory=dict)
    wheel_name: str = ""
    handout_files: tuple[str, ...] = ()

    def summary(self) -> str:
        """Lines a person reads after a build."""
        lines = [f"built chapter {self.chapter}:",
                 f"  {self.student_zip}  (student handout, {len(self.handout_files)} files)",
                 f"  {self.autograder_zip}  (Gradescope autograder for the whole chapter, "
                 f"ships {self.wheel_name})"]
        lines += [f"  {p}  (stock Otter autograder for {eid})" for eid, p in self.otter_zips.items()]
        return "\n".join(lines)


def build(out: Path = Path("dist"), chapter: str = "ch5", *,
          assignments: Path = REPO_ROOT / "assignments", repo: Path = REPO_ROOT) -> BuildOutputs:
    """Build the handout and the autograders of ``chapter`` into ``out/<chapter>/``."""
    ch = load_chapter(chapter)
    if not ch.exercises:
        raise BuildError(f"chapter {chapter} lists no exercises")
    target = Path(out) / ch.id
    handout = handout_entries(ch, assignments)
    with tempfile.TemporaryDirectory(prefix="nndl-build-") as tmp:
        tmp = Path(tmp)
        wheel = build_wheel(tmp / "wheel", repo)

        chapter_zip = tmp / "autograder.zip"
        tests = {}
        for e in ch.exercises:
            if not e.check_file.is_file():
                raise BuildError(f"{e.id}: its check file {e.check_file} does not exist")
            tests[e.code] = e.check_file.read_text(encoding="utf-8")
        _otter_generate(tmp / "chapter", tests, wheel, chapter_zip)
        adapted = _chapter_autograder(read_zip(chapter_zip), ch)

        per_exercise = {}
        for e in ch.exercises:
            z = tmp / f"{e.id}.zip"
            _otter_generate(tmp / f"otter-{e.id}", {e.code: tests[e.code]}, wheel, z)
            per_exercise[e.id] = read_zip(z)

        outputs = BuildOutputs(
            chapter=ch.id,
            student_zip=write_zip(target / "student.zip", handout,
                                  executable=[n for n in handout if n.endswith("/check.py")]),
            autograder_zip=write_zip(target / "autograder.zip", adapted,
                                     executable=["run_autograder", "setup.sh"]),
            wheel_name=wheel.name,
            handout_files=tuple(sorted(handout)),
        )
        otter_dir = target / "otter"
        for stale in otter_dir.glob("*.zip") if otter_dir.is_dir() else ():
            if stale.stem not in per_exercise:
                stale.unlink()
        for eid, entries in per_exercise.items():
            outputs.otter_zips[eid] = write_zip(otter_dir / f"{eid}.zip", entries,
                                                executable=["run_autograder", "setup.sh"])
    return outputs
