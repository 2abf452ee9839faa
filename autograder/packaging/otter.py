"""The Gradescope autograders: this project's wheel, Otter's own ``generate`` step, and the
chapter autograder adapted to run the isolated engine."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from ..course import REPO_ROOT, Chapter
from .base import GRADESCOPE_DIR, PYTHON_VERSION, TEMPLATES, BuildError


def build_wheel(dest: Path, repo: Path = REPO_ROOT) -> Path:
    """Build this project's wheel into ``dest`` with ``pip wheel --no-deps``.

    Builds from a copy of the sources (``pyproject.toml``, ``README.md``, ``autograder/``) so
    that setuptools leaves nothing in the working tree.
    """
    if not (repo / "pyproject.toml").is_file():
        raise BuildError(f"{repo} is not this project's source tree (no pyproject.toml): "
                         f"nndl-grade build runs from a checkout of the repository")
    dest.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="nndl-wheel-") as tmp:
        src = Path(tmp) / "src"
        src.mkdir()
        for name in ("pyproject.toml", "README.md", "LICENSE"):
            if (repo / name).is_file():
                shutil.copy2(repo / name, src / name)
        shutil.copytree(repo / "autograder", src / "autograder",
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        proc = subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dest), str(src)],
            capture_output=True, text=True)
        if proc.returncode != 0:
            raise BuildError(f"pip wheel failed (exit {proc.returncode}):\n{proc.stdout}{proc.stderr}")
    wheels = sorted(dest.glob("nndl_autograder-*.whl"))
    if len(wheels) != 1:
        raise BuildError(f"pip wheel left {len(wheels)} wheels in {dest}; expected one")
    return wheels[0]


# --------------------------------------------------------------------------- otter generate

def _otter_generate(stage: Path, tests: dict[str, str], wheel: Path, output: Path) -> None:
    """Run Otter's ``generate`` in ``stage`` with ``tests`` (file name -> source), this
    project's wheel as a support file and a requirements file that installs it."""
    from otter.generate import main as otter_generate
    from otter.utils import chdir

    (stage / "tests").mkdir(parents=True)
    for fname, src in tests.items():
        (stage / "tests" / fname).write_text(src, encoding="utf-8")
    shutil.copy2(wheel, stage / wheel.name)
    # Gradescope unpacks the zip into /autograder/source; Otter keeps support files in files/.
    (stage / "requirements.txt").write_text(
        f"{GRADESCOPE_DIR}/source/files/{wheel.name}\n", encoding="utf-8")
    (stage / "otter_config.json").write_text(json.dumps({"lang": "python"}), encoding="utf-8")
    with chdir(stage):
        otter_generate(tests_dir="tests", output_path=str(output), config="otter_config.json",
                       requirements="requirements.txt", no_environment=True,
                       files=[wheel.name], python_version=PYTHON_VERSION)


def _chapter_autograder(entries: dict[str, bytes], chapter: Chapter) -> dict[str, bytes]:
    """Adapt Otter's generated autograder: our ``run_autograder``, ``setup.sh`` extended."""
    from otter.generate import OTTER_ENV_NAME

    if "run_autograder" not in entries or "setup.sh" not in entries:
        raise BuildError("otter generate wrote no run_autograder or setup.sh: has Otter changed?")
    stock = entries["run_autograder"].decode("utf-8")
    if "run_otter.py" not in stock:
        raise BuildError("Otter's run_autograder no longer calls run_otter.py; the build must be "
                         "updated for this Otter version")
    values = {"{{otter_env}}": OTTER_ENV_NAME, "{{autograder_dir}}": GRADESCOPE_DIR,
              "{{chapter}}": chapter.id}

    def render(name: str) -> str:
        text = (TEMPLATES / name).read_text(encoding="utf-8")
        for key, value in values.items():
            text = text.replace(key, value)
        return text

    out = dict(entries)
    out["run_autograder"] = render("run_autograder.sh").encode("utf-8")
    setup = entries["setup.sh"].decode("utf-8").rstrip("\n") + "\n\n" + render("setup.sh")
    out["setup.sh"] = setup.encode("utf-8")
    return out
