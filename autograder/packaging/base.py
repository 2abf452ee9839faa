"""What every part of the build shares: its error, where the package and its templates are,
and the fixed facts of the zips it writes."""

from __future__ import annotations

from pathlib import Path

PACKAGE_ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = PACKAGE_ROOT / "templates"

GRADESCOPE_DIR = "/autograder"
"""Where Gradescope unpacks an autograder: ``source/``, ``submission/``, ``results/``."""

PYTHON_VERSION = "3.11"
"""Python of Otter's conda environment on Gradescope: the version this project is tested on."""

ZIP_DATE = (2024, 1, 1, 0, 0, 0)
"""Timestamp of every entry of the zips this build writes itself (reproducible zips)."""

HANDOUT_PACKAGES = ("autograder", "autograder.checks")
"""Packages that ship in the handout with the modules of ``autograder.checks`` the public checks
import. Besides them only the local check (``handout.STUDENT_MODULES``) and the engine modules it
imports (``engine.local``, ``engine.worker``, ...) ship; never the course loader, grading or
this build (``handout.handout_modules``)."""

NEVER_IN_HANDOUT = ("autograder.checks.oracle",)
"""Modules that must never reach a student: the hidden checks' independent oracles."""

DATA_SUFFIXES = (".npz", ".npy", ".csv", ".json", ".txt")
"""Suffixes of the data sets in ``autograder/checks/<chapter>/data/`` a public check may load."""


class BuildError(Exception):
    """The course cannot be built as it stands; the message says which file and why."""
