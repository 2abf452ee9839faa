"""The chapter's Gradescope autograder: made by Otter's generate step and adapted, and run
exactly as Gradescope runs it.

The Gradescope runs unzip the autograder into ``TMP/source``, put the upload in
``TMP/submission`` and ``submission_metadata.json`` beside them, and execute
``source/run_autograder`` as root with ``TMP`` mounted at ``/autograder`` (bubblewrap). They do
not run ``setup.sh`` (it downloads Miniforge and builds a conda environment); they stand for
what it leaves behind: a default ``python`` with this project installed *from the wheel inside
the zip* (pip-installed without dependencies into a folder on ``PYTHONPATH``, before this
virtual environment, which has the dependencies). What is not tested here: Gradescope itself,
Otter's part of setup.sh, and bubblewrap inside Gradescope's container.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import stat
import zipfile
from pathlib import Path

import pytest
import yaml

from tests.packaging.helpers import assert_valid_results, extract, run
from tests.support import ASSIGNMENTS, CHAPTER, SOLUTIONS

BWRAP = shutil.which("bwrap")
VENV_BIN = str(Path(os.sys.executable).parent)


@pytest.fixture(scope="module")
def entries(built) -> dict[str, bytes]:
    with zipfile.ZipFile(built.autograder_zip) as zf:
        return {i.filename: zf.read(i) for i in zf.infolist() if not i.is_dir()}


@pytest.fixture(scope="module")
def stock(tmp_path_factory) -> dict[str, bytes]:
    """What Otter's own ``generate`` writes for an empty Python assignment, for comparison."""
    from otter.generate import main as otter_generate

    tmp = tmp_path_factory.mktemp("stock")
    (tmp / "tests").mkdir()
    otter_generate(tests_dir=str(tmp / "tests"), output_path=str(tmp / "ag.zip"),
                   no_config=True, no_requirements=True, no_environment=True,
                   python_version="3.11")
    with zipfile.ZipFile(tmp / "ag.zip") as zf:
        return {n: zf.read(n) for n in zf.namelist()}


# --------------------------------------------------------------------------- the zip

def test_chapter_zip_is_otters_generate_output_with_the_engine_in_run_autograder(
        built, entries, stock):
    wheel = f"files/{built.wheel_name}"
    assert wheel in entries
    for e in CHAPTER.exercises:  # Otter's tests/ holds the full check files
        assert entries[f"tests/{e.code}"] == e.check_file.read_bytes()
    assert json.loads(entries["otter_config.json"]) == {"lang": "python"}
    assert entries["run_otter.py"] == stock["run_otter.py"]

    env = yaml.safe_load(entries["environment.yml"])
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert f"/autograder/source/{wheel}" in pip  # Otter's requirements install our wheel
    assert any(p.startswith("otter-grader") for p in pip)
    assert "python=3.11" in env["dependencies"]

    setup = entries["setup.sh"].decode()
    assert setup.startswith(stock["setup.sh"].decode().rstrip("\n"))  # Otter's steps, unchanged
    assert "apt-get install -y bubblewrap" in setup and "chmod -R go-rwx /autograder/source" in setup

    run_ag = entries["run_autograder"].decode()
    assert "python -m autograder.gradescope --autograder-dir /autograder --chapter ch5" in run_ag
    assert "run_otter.py" not in run_ag.replace("(run_otter.py, kept beside\n", "")
    with zipfile.ZipFile(built.autograder_zip) as zf:
        for name in ("run_autograder", "setup.sh"):
            assert (zf.getinfo(name).external_attr >> 16) & stat.S_IXUSR, name


def test_wheel_holds_the_grader_and_the_course_data_and_no_solutions(entries, built):
    with zipfile.ZipFile(__import__("io").BytesIO(entries[f"files/{built.wheel_name}"])) as whl:
        names = set(whl.namelist())
        meta = next(whl.read(n).decode() for n in names if n.endswith("dist-info/METADATA"))
    for must in ("autograder/gradescope.py", "autograder/grading.py", "autograder/course.py",
                 "autograder/engine/worker.py", "autograder/checks/ch5/manifest.yaml",
                 "autograder/checks/oracle.py", "autograder/packaging/__init__.py",
                 "autograder/templates/check.py", "autograder/templates/README.md",
                 "autograder/templates/setup.sh", "autograder/templates/run_autograder.sh"):
        assert must in names, must
    for e in CHAPTER.exercises:
        assert f"autograder/checks/ch5/{e.code}" in names
    data = CHAPTER.folder / "data"
    for p in (data.iterdir() if data.is_dir() else ()):
        assert f"autograder/checks/ch5/data/{p.name}" in names
    assert not [n for n in names if n.startswith(("solutions/", "assignments/", "tests/"))]
    for dep in ("numpy", "otter-grader", "pyyaml"):
        assert f"Requires-Dist: {dep}" in meta


@pytest.fixture(scope="module")
def wheel_site(entries, built, tmp_path_factory) -> Path:
    """This project installed from the zip's wheel (no dependencies) into a folder."""
    tmp = tmp_path_factory.mktemp("wheel")
    whl = tmp / built.wheel_name
    whl.write_bytes(entries[f"files/{built.wheel_name}"])
    site = tmp / "site"
    proc = run([os.sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-index",
                "--target", str(site), str(whl)])
    assert proc.returncode == 0, proc.stderr
    return site


# --------------------------------------------------------------------------- as Gradescope runs it

def _bwrap_problem() -> str:
    if BWRAP is None:
        return "bubblewrap (/usr/bin/bwrap) is not installed; .ci/run installs it"
    proc = run([BWRAP, "--dev-bind", "/", "/", "true"])
    if proc.returncode != 0:
        return f"bubblewrap cannot make a mount namespace here: {proc.stderr.strip()}"
    return ""


needs_bwrap = pytest.mark.skipif(bool(_bwrap_problem()), reason=_bwrap_problem() or "-")
needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="Gradescope runs run_autograder as root")
needs_engine = pytest.mark.skipif(importlib.util.find_spec("autograder.grading") is None,
                                  reason="the grading engine (autograder.grading) has not landed")


@pytest.fixture(scope="module")
def autograder_mount():
    """``/autograder`` as a mount point; removed afterwards if this test made it."""
    made = not os.path.exists("/autograder")
    yield "/autograder"
    if made and os.path.isdir("/autograder") and not os.listdir("/autograder"):
        os.rmdir("/autograder")


def _stage_submission(sub: Path, files: dict[str, bytes], as_zip: str = "") -> None:
    sub.mkdir()
    if as_zip:
        with zipfile.ZipFile(sub / "submission.zip", "w") as zf:
            for name, data in files.items():
                zf.writestr(f"{as_zip}/{name}", data)
    else:
        for name, data in files.items():
            (sub / name).parent.mkdir(parents=True, exist_ok=True)
            (sub / name).write_bytes(data)


def run_on_gradescope(built, wheel_site, tmp: Path, files: dict[str, bytes],
                      as_zip: str = "", cwd: str = "/autograder",
                      env: dict | None = None) -> tuple[dict, str]:
    """Lay out Gradescope's /autograder in ``tmp`` and run ``source/run_autograder`` in it;
    ``env`` replaces the variables that say where the project is installed."""
    extract(built.autograder_zip, tmp / "source")
    _stage_submission(tmp / "submission", files, as_zip)
    (tmp / "results").mkdir()
    (tmp / "submission_metadata.json").write_text(json.dumps({
        "id": 123456, "created_at": "2024-01-01T00:00:00.0+00:00", "submission_method": "upload",
        "assignment": {"id": 42, "title": "Chapter 5", "total_points": "100.0"},
        "users": [{"email": "student@example.edu", "id": 7, "name": "A Student"}]}))
    env = dict(os.environ, **(env or {"PATH": f"{VENV_BIN}:{os.environ.get('PATH', '')}",
                                       "PYTHONPATH": str(wheel_site)}))
    proc = run([BWRAP, "--dev-bind", "/", "/", "--bind", str(tmp), "/autograder",
                "--chdir", cwd, "/autograder/source/run_autograder"],
               env=env, timeout=600)
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, log
    results = json.loads((tmp / "results" / "results.json").read_text(encoding="utf-8"))
    return results, log


def _tests_of(results: dict, exercise_id: str) -> list[dict]:
    return [t for t in results["tests"] if t["name"].split(" ")[0] == exercise_id]


def _check_layout(results: dict) -> None:
    """One test per check of the manifest, with the right points and visibility."""
    want = {(e.id, c.name): c for e in CHAPTER.exercises for c in e.checks}
    assert len(results["tests"]) == len(want)
    for t in results["tests"]:
        key = next(k for k in want if t["name"].startswith(k[0] + " ") and t["name"].endswith(k[1]))
        spec = want[key]
        extra = CHAPTER.composition.count(key[0]) == "extra"  # points above the maximum
        assert t["max_score"] == (0 if extra else spec.points)
        assert t["visibility"] == ("after_published" if spec.hidden else "visible")
    assert results["stdout_visibility"] == "hidden"
    assert results["execution_time"] >= 0


def _files(folder: Path, exercises) -> dict[str, bytes]:
    return {f: (folder / "ch5" / f).read_bytes() for e in exercises for f in e.files
            if (folder / "ch5" / f).is_file()}


@needs_bwrap
@needs_root
@needs_engine
def test_reference_in_a_zip_with_a_folder_scores_full_marks(built, wheel_site, tmp_path,
                                                              results_validator, autograder_mount):
    results, log = run_on_gradescope(built, wheel_site, tmp_path,
                                     _files(SOLUTIONS, CHAPTER.exercises), as_zip="my homework")
    assert_valid_results(results_validator, results)
    _check_layout(results)
    assert results["score"] == CHAPTER.points, results["output"]  # extra credit included
    points = {f"{e.id} · {c.name}": c.points for e in CHAPTER.exercises for c in e.checks}
    assert all(t["status"] == "passed" and t["score"] == points[t["name"]]
               for t in results["tests"])
    assert str(wheel_site) in log  # graded by the project installed from the zip's wheel
    assert "sandbox mode 'none'" not in log  # as root, workers are sandboxed, also nested


@needs_bwrap
@needs_root
@needs_engine
def test_stubs_score_zero(built, wheel_site, tmp_path, results_validator, autograder_mount):
    results, _ = run_on_gradescope(built, wheel_site, tmp_path,
                                   _files(ASSIGNMENTS, CHAPTER.exercises))
    assert_valid_results(results_validator, results)
    _check_layout(results)
    assert results["score"] == 0
    assert all(t["status"] == "failed" and t["score"] == 0 for t in results["tests"])
    public = [t for t in results["tests"] if t["visibility"] == "visible"]
    assert all("NotImplementedError" in t["output"] for t in public)


@needs_bwrap
@needs_root
@needs_engine
def test_partial_upload_scores_what_it_holds_and_names_what_is_missing(
        built, wheel_site, tmp_path, results_validator, autograder_mount):
    given, missing = CHAPTER.exercises[:2], CHAPTER.exercises[2:]
    results, _ = run_on_gradescope(built, wheel_site, tmp_path, _files(SOLUTIONS, given))
    assert_valid_results(results_validator, results)
    _check_layout(results)
    assert results["score"] == sum(e.points for e in given)
    for e in missing:
        assert e.code in results["output"].split("Not received:")[1].splitlines()[0]
        for t in _tests_of(results, e.id):
            assert t["score"] == 0 and f"{e.code} was not found" in t["output"] \
                or t["visibility"] == "after_published"


TAMPER = '''
import json as _json, os as _os
import numpy as _np
# Write a perfect score where Gradescope reads it, and read the hidden checks.
for _path in ("/autograder/results/results.json", "../results/results.json"):
    try:
        _os.makedirs(_os.path.dirname(_path), exist_ok=True)
        with open(_path, "w") as _f:
            _json.dump({"score": 1000, "tests": [], "output": "TAMPERED"}, _f)
    except OSError:
        pass
try:
    print(open("/autograder/source/tests/%(code)s").read())
except OSError:
    pass
# Make every comparison pass.
_np.allclose = lambda *a, **k: True
_np.isclose = lambda a, b, *r, **k: _np.ones(_np.broadcast(a, b).shape, dtype=bool)
_np.array_equal = lambda *a, **k: True
'''


@needs_bwrap
@needs_root
@needs_engine
def test_tampering_scores_zero_on_what_it_tampers_with_and_cannot_touch_the_results(
        built, wheel_site, tmp_path, results_validator, autograder_mount):
    target, honest = CHAPTER.exercises[0], CHAPTER.exercises[1]
    files = _files(SOLUTIONS, [honest])
    stub = (ASSIGNMENTS / "ch5" / target.code).read_text(encoding="utf-8")
    files[target.code] = (TAMPER % {"code": target.code} + stub).encode()
    results, _ = run_on_gradescope(built, wheel_site, tmp_path, files)
    assert_valid_results(results_validator, results)
    _check_layout(results)
    assert results["score"] == honest.points
    assert sum(t["score"] for t in _tests_of(results, target.id)) == 0
    text = json.dumps(results)
    assert "TAMPERED" not in text and "1000" not in text
    hidden = [c.name for c in target.checks if c.hidden]
    assert not [t for t in results["tests"] if t["visibility"] == "visible"
                and any(h in t["output"] for h in hidden)]


@needs_bwrap
@needs_root
@needs_engine
def test_empty_upload_and_wrong_names_score_zero_with_a_message(
        built, wheel_site, tmp_path, results_validator, autograder_mount):
    results, _ = run_on_gradescope(built, wheel_site, tmp_path / "empty", {})
    assert_valid_results(results_validator, results)
    assert results["score"] == 0
    assert "holds none of this assignment's files" in results["output"]

    first = CHAPTER.exercises[0]
    wrong = first.code.replace("_", "-")
    code = (SOLUTIONS / "ch5" / first.code).read_bytes()
    results, _ = run_on_gradescope(built, wheel_site, tmp_path / "wrong", {wrong: code})
    assert_valid_results(results_validator, results)
    assert results["score"] == 0
    assert f"Not used: {wrong}: rename it to {first.code}" in results["output"]


def test_setup_sh_prepares_the_engine_best_effort(built, entries, wheel_site, tmp_path):
    """The lines the build adds to Otter's setup.sh, run under bwrap with apt-get and mamba
    stood in for (Otter's own lines need the network: they are not run here)."""
    if _bwrap_problem() or os.geteuid() != 0:
        pytest.skip(_bwrap_problem() or "setup.sh runs as root")
    setup = entries["setup.sh"].decode()
    ours = setup[setup.index("# -----", setup.index("mamba shell init")):]
    stubs = tmp_path / "stubs"
    stubs.mkdir()
    (stubs / "apt-get").write_text(f'#!/bin/sh\necho "$@" >> {tmp_path}/apt.log\nexit $APT_EXIT\n')
    (stubs / "useradd").write_text(f'#!/bin/sh\necho "$@" >> {tmp_path}/useradd.log\n')
    (stubs / "mamba").write_text('#!/bin/sh\n[ "$1 $2 $3" = "run -n otter-env" ] || exit 9\n'
                                 'shift 3\nexec "$@"\n')
    for p in stubs.iterdir():
        p.chmod(0o755)
    ag = tmp_path / "ag"
    extract(built.autograder_zip, ag / "source")
    (tmp_path / "setup_ours.sh").write_text("set -e\n" + ours)
    # /root becomes an empty tmpfs (setup.sh changes its mode), with this interpreter's
    # installation put back where it lives when that is under /root.
    keep = []
    for p in {os.path.realpath(os.sys.base_prefix), os.path.realpath(os.sys.prefix)}:
        if p.startswith("/root/"):
            keep += ["--ro-bind", p, p]
    for apt_exit in ("0", "1"):  # bubblewrap may not install: setup goes on
        env = dict(os.environ, PATH=f"{stubs}:{VENV_BIN}:{os.environ['PATH']}",
                   PYTHONPATH=str(wheel_site), APT_EXIT=apt_exit)
        proc = run([BWRAP, "--dev-bind", "/", "/", "--tmpfs", "/root", *keep,
                    "--bind", str(stubs), "/root/miniforge3/bin", "--bind", str(ag), "/autograder",
                    "bash", str(tmp_path / "setup_ours.sh")], env=env)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert "nndl-autograder ready" in proc.stdout
    assert (tmp_path / "apt.log").read_text().count("install -y bubblewrap") == 2
    assert not (tmp_path / "useradd.log").exists()  # nobody is there already
    for p in [ag / "source", ag / "results", *(ag / "source").rglob("*")]:
        assert p.stat().st_mode & 0o077 == 0, p


@needs_bwrap
@needs_root
@needs_engine
def test_an_uploaded_package_named_like_the_grader_is_never_imported(
        built, wheel_site, tmp_path, results_validator, autograder_mount):
    fake = (b"import json\nopen('/autograder/results/results.json', 'w').write("
            b"json.dumps({'score': 1000, 'output': 'TAMPERED'}))\n")
    files = {"autograder/__init__.py": b"", "autograder/gradescope.py": fake,
             "autograder/__main__.py": fake}
    results, _ = run_on_gradescope(built, wheel_site, tmp_path, files,
                                   cwd="/autograder/submission")
    assert_valid_results(results_validator, results)
    assert results["score"] == 0 and "TAMPERED" not in json.dumps(results)
    assert "Not used: autograder/gradescope.py: not a file of this assignment" in results["output"]
