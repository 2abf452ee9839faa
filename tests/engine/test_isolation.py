"""Issue 14's classes of attack, graded as one batch in every sandbox mode this machine offers
(bubblewrap; the uid drop as root): no student reads what the grader hides, touches a
classmate, or stalls the batch; nothing a worker started or wrote outlives it.

The Gradescope path (a non-venv install, as Otter's conda environment) runs the same classes
in ``tests/packaging/test_gradescope_isolation.py``.
"""

from __future__ import annotations

import os
import re
import stat
import time
from pathlib import Path

import pytest

from autograder.batch import grade_folder
from autograder.check import run_file
from autograder.engine import Limits, SandboxError
from autograder.grading import GradingContext
from tests.support import CHAPTER

from .helpers import (CORPUS, build_student, mode_param, new_token, processes_named,
                      wait_until_gone)

# student -> (exercise, points it must get, a text every failing message of it contains or None)
CLASSES = {
    # 1. the grader's installed package and other third-party packages are out of reach
    "installed_package": ("ex5_4", 0, None),
    "third_party_import": ("ex5_4", 0, None),
    # 2. a survivor of one worker cannot reach a later student's worker or files
    "neighbour_survivor": ("ex5_4", 10, None),
    "neighbour_victim": ("ex5_4", 10, None),
    "classmate_answer": ("ex5_4", 0, None),
    # 3. forged replies and a channel the worker stops reading end that worker, in bounded time
    "channel_stall": ("ex5_numpy_cnn", 27, "did not ask for"),
    # 4. no shared kernel keyring
    "keyring_drop": ("ex5_4", 10, None),
    "keyring_pick": ("ex5_4", 0, None),
    # 5. limits hold for the whole worker tree; student files read-only, working folder bounded
    "tree_memory": ("ex5_4", 0, None),
    "disk_fill": ("ex5_4", 0, None),
    # 6. hidden inputs never reach a public message (checked below against a public-only run)
    "hidden_leak": ("ex5_numpy_cnn", 29.5, "seen before this check"),  # the check is worth 0.5
    # 7. a student's large plain globals cost the grader little
    "big_globals": ("ex5_4", 10, None),
    # 8. no channel between workers: file locks, notifications, I/O signals, leases, named
    # kernel objects (System V IPC, POSIX queues, abstract sockets) all fail (issue 19)
    "lock_channel": ("ex5_4", 0, None),
    "notify_channel": ("ex5_4", 0, None),
    "ipc_channel": ("ex5_4", 0, None),
    # 9. what a worker sends is cut on the grader's side: 4 MB texts of every kind
    "huge_import_message": ("ex5_4", 0, "import failed: mmm"),
    "huge_texts": ("ex5_4", 5, None),
}

RECORD_BYTES = 3 * 2**20
"""The most one student's output folder may hold, whatever its workers send."""

LIMITS = dict(timeout=5.0, memory_mb=300)
MODES = [mode_param("bwrap"), mode_param("uid")]


def _variants() -> list:
    """Each mode twice: workers forked from the zygote (the default as root), and each started
    from nothing (``NNDL_ZYGOTE=0``, as where the zygote cannot start)."""
    out = []
    for p in MODES:
        mode = p.values[0]
        out.append(pytest.param((mode, True), id=mode, marks=p.marks))
        out.append(pytest.param((mode, False), id=f"{mode}-unforked", marks=p.marks))
    return out


def _litter(token: str) -> list[str]:
    return [os.path.join(d, f"{token}-litter") for d in ("/tmp", "/dev/shm", "/var/tmp")
            if os.path.exists(os.path.join(d, f"{token}-litter"))]


@pytest.fixture(scope="module", params=_variants())
def graded(request, tmp_path_factory):
    mode, forked = request.param
    name = mode if forked else f"{mode}-unforked"
    subs = tmp_path_factory.mktemp(f"isolation-{name}")
    out = tmp_path_factory.mktemp(f"isolation-out-{name}") / "grades"
    token = new_token()
    for student in CLASSES:
        build_student(CORPUS / student, subs / student, out=out, token=token)
    before = os.environ.get("NNDL_ZYGOTE")
    os.environ["NNDL_ZYGOTE"] = "1" if forked else "0"
    try:
        context = GradingContext.resolve(CHAPTER, Limits(sandbox=mode, **LIMITS), jobs=2)
        assert context.sandbox.zygote == forked, context.sandbox.describe()
        start = time.monotonic()
        results = grade_folder(subs, out, jobs=2, context=context)
    finally:
        if before is None:
            del os.environ["NNDL_ZYGOTE"]
        else:
            os.environ["NNDL_ZYGOTE"] = before
    return {"mode": name, "subs": subs, "out": out, "token": token,
            "elapsed": time.monotonic() - start,
            "results": {r.student: r for r in results}}


@pytest.mark.parametrize("student", sorted(CLASSES))
def test_each_class_is_held_off(graded, student, request):
    if graded["mode"] == "uid-unforked" and student == "neighbour_survivor":
        # seen twice in full runs on a loaded machine, never alone: the survivor's own first
        # fork at import got EAGAIN (its uid's process budget already spent); not yet explained
        request.applymarker(pytest.mark.xfail(strict=False, reason="fork EAGAIN under load, "
                                              "under investigation (see docs/isolation.md)"))
    exercise, want, fragment = CLASSES[student]
    ex = graded["results"][student].exercise(exercise)
    failed = {c.name: c.message for c in ex.cases if not c.passed}
    assert ex.score == want, f"{graded['mode']}: {student} scored {ex.score}, not {want}: {failed}"
    if fragment:
        assert failed and all(fragment in m for m in failed.values()), failed


def test_a_students_record_stays_small(graded):
    """Every 4 MB text of huge_import_message and huge_texts (an exception's message, its
    type's name, a frame's name, notes, a cause, printed output, a global's name) reaches the
    grader cut: each student's record stays under a few MB, an import failure is kept once."""
    for student in ("huge_import_message", "huge_texts"):
        folder = graded["out"] / student
        size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
        assert 0 < size < RECORD_BYTES, (graded["mode"], student, size)
        result = graded["results"][student]
        texts = [result.message] + [t for e in result.exercises
                                    for t in [e.message, e.output] + [c.message for c in e.cases]]
        assert sum(map(len, texts)) < RECORD_BYTES // 4, (student, sum(map(len, texts)))
        assert any("more characters cut" in t for t in texts), student
    ex = graded["results"]["huge_import_message"].exercise("ex5_4")
    assert ex.message.count("m" * 1000) >= 1 and all(len(c.message) < 2000 for c in ex.cases)
    failed = [c.message for c in graded["results"]["huge_texts"].exercise("ex5_4").cases
              if not c.passed]
    assert failed and all(len(m) < 20_000 for m in failed), [len(m) for m in failed]


def test_no_student_got_the_survivors_stub(graded):
    """neighbour_survivor's stub answers -14: no other student's file was rewritten."""
    hit = [(r.student, c.name) for r in graded["results"].values() for e in r.exercises
           for c in e.cases if "got -14" in c.message]
    assert hit == []


def test_no_process_or_file_of_a_worker_survives(graded):
    token = graded["token"]
    assert wait_until_gone(lambda: processes_named(token)) == []
    assert _litter(token) == []


def test_a_stalled_channel_costs_one_time_limit(graded):
    """Every student of the batch, the stalled one included, is graded in bounded time."""
    assert graded["elapsed"] < 120, graded["elapsed"]


@pytest.mark.xfail(strict=False, reason="the in-process public run sees a different set of the "
                   "public vectorisation check's inputs than the engine does (both directions "
                   "seen); the property itself is held by hidden_relay and the public-before-"
                   "hidden test (docs/isolation.md)")
def test_hidden_inputs_never_reach_a_public_message(graded, tmp_path):
    """The public check's message holds only what public checks passed: exactly what the same
    file says when only the public checks run (in this process)."""
    ex = graded["results"]["hidden_leak"].exercise("ex5_numpy_cnn")
    graded_message = next(c.message for c in ex.cases if c.name == "test_maxpool_forward_public")
    folder = build_student(CORPUS / "hidden_leak", tmp_path / "hidden_leak")
    exercise = CHAPTER.exercise("ex5_numpy_cnn")
    from autograder.grading import check_file_of

    public = run_file(check_file_of(exercise), folder / exercise.code, hidden=False)
    public_message = next(c.message for c in public if c.name == "test_maxpool_forward_public")
    # every input the graded message names was seen by a public check: a restarted worker
    # (a timeout on a loaded machine) may have seen fewer, never one of a hidden case
    shapes = lambda m: set(re.findall(r"\(\d+(?:, \d+)*\)", m.split(" (in ")[0]))  # noqa: E731
    assert graded_message.startswith("ValueError: seen before this check"), graded_message
    assert shapes(graded_message) <= shapes(public_message), (graded_message, public_message)


def test_a_public_summary_shows_public_points_only(graded):
    """Before grades are published, the summary a student sees on Gradescope counts public
    points only (a failed hidden case changes nothing visible)."""
    result = graded["results"]["hidden_leak"]
    text = result.gradescope(CHAPTER)["output"]
    ex = result.exercise("ex5_numpy_cnn")
    public = sum(c.points for c in ex.cases if not c.hidden)
    assert "ex5_numpy_cnn" in text
    assert f"{ex.score:g} / {ex.possible:g}" not in text or ex.score == public


def test_uid_mode_refuses_what_other_users_could_read(tmp_path):
    """A submissions folder readable by "other" (as a classmate's worker would read it): the uid
    mode refuses to grade and says which ``chmod`` to run; after it, grading goes on."""
    if os.geteuid() != 0:
        pytest.skip("the uid sandbox needs root")
    import tempfile

    base = Path(tempfile.mkdtemp(prefix="nndl-open-"))
    try:
        os.chmod(base, 0o755)
        subs = base / "submissions"
        build_student(CORPUS / "aaa_honest", subs / "honest")
        build_student(CORPUS / "classmate_answer", subs / "classmate_answer", out=subs)
        for p in [subs, *subs.rglob("*")]:
            os.chmod(p, 0o755 if p.is_dir() else 0o644)
        out = tmp_path / "out"
        with pytest.raises(SandboxError) as info:
            grade_folder(subs, out, limits=Limits(sandbox="uid", **LIMITS))
        assert f"chmod o-rwx {subs}" in str(info.value)
        os.chmod(subs, stat.S_IMODE(subs.stat().st_mode) & ~0o007)
        results = {r.student: r for r in grade_folder(subs, out, limits=Limits(sandbox="uid", **LIMITS))}
        assert results["honest"].exercise("ex5_4").score == 10
        assert results["classmate_answer"].exercise("ex5_4").score == 0
    finally:
        import shutil

        shutil.rmtree(base, ignore_errors=True)


def test_workers_fit_the_container_memory():
    """Gradescope's default container has 768 MB: one worker at a time, its tree under 512 MB;
    a roomy machine keeps three workers of 1024 MB."""
    from autograder.engine import fit_workers

    limits, n, text = fit_workers(Limits(), 768, 3)
    assert (n, limits.memory_mb) == (1, 512) and "768 MB" in text
    limits, n, _ = fit_workers(Limits(), 24_000, 3)
    assert (n, limits.memory_mb) == (3, 1024)
    limits, n, _ = fit_workers(Limits(), 2_048, 3, jobs=2)
    assert n * 2 * limits.memory_mb <= 2_048 - 2 * 256


STALL = '''
import os, sys, time
def forge():
    wire = sys.modules["wire"]
    fd = int(sys.argv[sys.argv.index("--fd") + 1])
    os.write(fd, wire.frame(wire.encode(("ok", 1), wire.no_handles)))
    time.sleep(3600)
def take(x):
    return 0
'''


@pytest.mark.parametrize("mode", MODES)
def test_a_worker_that_stops_reading_cannot_block_a_send(mode, tmp_path):
    """One forged reply, then the worker never reads again: the grader's next request (larger
    than a socket buffer) fails within its time limit instead of blocking for ever."""
    import numpy as np

    from autograder.engine import Session, WorkerLost

    (tmp_path / "stall.py").write_text(STALL)
    with Session(tmp_path, "stall.py", Limits(sandbox=mode, timeout=3.0, memory_mb=300)) as s:
        s.start()
        env = s.env()
        assert env["forge"]() == 1  # the forged reply, taken for the answer
        start = time.monotonic()
        with pytest.raises(WorkerLost, match="stopped reading the grader's requests|timed out"):
            env["take"](np.zeros(2_000_000))
        assert time.monotonic() - start < 10


def test_no_public_case_runs_beside_a_hidden_one(tmp_path):
    """hidden_relay's ex5_backprop writes its hidden inputs where its ex5_4 reads them (a
    shared ``/tmp``: the ``none`` mode keeps that channel open, so the order itself is what is
    tested). The public cases of every exercise run before any hidden case of the
    submission: ex5_4's public checks pass, whatever its hidden ones see."""
    token = new_token()
    subs, out = tmp_path / "subs", tmp_path / "out"
    build_student(CORPUS / "hidden_relay", subs / "hidden_relay", token=token)
    try:
        context = GradingContext.resolve(CHAPTER, Limits(sandbox="none", **LIMITS))
        result = grade_folder(subs, out, context=context)[0]
        relay = Path(f"/tmp/{token}-relay")
        assert relay.exists() and "hidden input" in relay.read_text()  # the relay worked
        assert result.exercise("ex5_backprop").score == 25
        ex = result.exercise("ex5_4")
        public = {c.name: c.message for c in ex.cases if not c.hidden and not c.passed}
        assert public == {}, public
    finally:
        for suffix in ("-relay", "-relay-first"):
            Path(f"/tmp/{token}{suffix}").unlink(missing_ok=True)
