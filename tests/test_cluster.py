"""Grading on a Dask cluster: a real ``dask scheduler`` and two real ``dask worker`` processes
on loopback grade the example submissions as local grading does, a worker killed mid-batch
loses no student and counts none twice, and a cluster that cannot grade says why."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path

import pytest

from autograder import answers, cluster
from autograder.batch import grade_folder
from autograder.cli import main
from autograder.cluster import ClusterError, Recorder, WorkerMismatch, grade_parcel, make_parcel
from autograder.grading import GradingContext, grade_collected
from autograder.intake import collect
from autograder.results import SubmissionResult
from tests.support import CHAPTER, ROOT
from tests.test_grading import EXPECTED

distributed = pytest.importorskip("distributed")

EXAMPLES = ROOT / "examples" / "submissions"
TOTALS = {student: sum(points.values()) for student, points in EXPECTED.items()}
"""Each example student's points (``tests/test_grading.py`` has them per exercise)."""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    """A scheduler and two workers (``--nworkers 1 --nthreads 1``), each in its own process
    group, on loopback."""

    def __init__(self, logs: Path) -> None:
        dask = str(Path(sys.executable).with_name("dask"))
        self.address = f"tcp://127.0.0.1:{_free_port()}"
        self.logs = logs
        self.procs: dict[str, subprocess.Popen] = {}
        self._spawn("scheduler", [dask, "scheduler", "--host", "127.0.0.1", "--port",
                                  self.address.rsplit(":", 1)[1], "--no-dashboard"])
        for name in ("w0", "w1"):
            self._spawn(name, [dask, "worker", self.address, "--nworkers", "1", "--nthreads", "1",
                               "--no-dashboard", "--host", "127.0.0.1", "--name", name])
        self.client = distributed.Client(self.address, timeout=60, set_as_default=False)
        self.client.wait_for_workers(2, timeout=120)

    def _spawn(self, name: str, argv: list[str]) -> None:
        with open(self.logs / f"{name}.log", "wb") as log:
            self.procs[name] = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT,
                                                start_new_session=True, cwd=self.logs)

    def worker_names(self) -> dict[str, str]:
        """Worker address -> its name (w0, w1)."""
        return {addr: info["name"] for addr, info in
                self.client.scheduler_info()["workers"].items()}

    def kill(self, name: str) -> None:
        """SIGKILL the worker's whole process group: the nanny and the worker die at once."""
        os.killpg(self.procs[name].pid, signal.SIGKILL)
        self.procs[name].wait(timeout=30)

    def close(self) -> None:
        self.client.close()
        for proc in self.procs.values():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=30)


@pytest.fixture(scope="module")
def dask_cluster(tmp_path_factory):
    c = Cluster(tmp_path_factory.mktemp("dask-logs"))
    yield c
    c.close()


@pytest.fixture(scope="module")
def local(tmp_path_factory):
    """The examples graded on this machine, as the reference for the cluster's output."""
    subs = tmp_path_factory.mktemp("subs") / "submissions"
    shutil.copytree(EXAMPLES, subs)
    out = tmp_path_factory.mktemp("local") / "out"
    grade_folder(subs, out, jobs=2)
    return subs, out


def _without_times(path: Path, key: str) -> dict:
    data = json.loads(path.read_text(encoding="utf-8"))
    data.pop(key, None)
    for ex in data.get("exercises", []):
        ex.pop("elapsed", None)
    return data


def test_the_cluster_grades_the_examples_as_local_grading_does(dask_cluster, local, tmp_path,
                                                                capsys):
    subs, local_out = local
    out = tmp_path / "out"
    assert main(["grade", str(subs), "--out", str(out), "--scheduler", dask_cluster.address]) == 0
    captured = capsys.readouterr()
    assert f"grading on the Dask cluster at {dask_cluster.address}: 2 worker(s)" in captured.err
    assert "[5/5]" in captured.err  # the progress lines, as locally
    assert (out / "grades.csv").read_bytes() == (local_out / "grades.csv").read_bytes()
    for student in TOTALS:
        for name in ("feedback.md",):
            assert (out / student / name).read_text() == (local_out / student / name).read_text()
        assert _without_times(out / student / "results.json", "execution_time") == \
            _without_times(local_out / student / "results.json", "execution_time")
        assert _without_times(out / student / "summary.json", "elapsed") == \
            _without_times(local_out / student / "summary.json", "elapsed")
        assert (out / student / ".complete").read_text() == \
            (local_out / student / ".complete").read_text()

    # resume: nothing to grade, so the cluster is not even asked; --only regrades one there
    notes: list[str] = []
    before = {s: (out / s / "summary.json").stat().st_mtime_ns for s in TOTALS}
    grade_folder(subs, out, scheduler=dask_cluster.address, on_note=notes.append)
    assert any("5 student(s) already graded" in n for n in notes)
    assert not any("Dask cluster" in n for n in notes)
    assert {s: (out / s / "summary.json").stat().st_mtime_ns for s in TOTALS} == before
    results = grade_folder(subs, out, scheduler=dask_cluster.address, only=["dave"])
    after = {s: (out / s / "summary.json").stat().st_mtime_ns for s in TOTALS}
    assert [s for s in TOTALS if after[s] != before[s]] == ["dave"]
    assert {r.student: r.score for r in results} == TOTALS


def test_a_worker_that_runs_other_checks_is_refused(dask_cluster, tmp_path, monkeypatch):
    subs = tmp_path / "subs"
    shutil.copytree(EXAMPLES / "dave", subs / "dave")
    files = dict(cluster.package_files())
    files["autograder/checks/ch5/ex5_4.py"] = "0" * 64  # this machine "has" other checks
    monkeypatch.setattr(cluster, "package_files", lambda: files)
    with pytest.raises(ClusterError) as err:
        grade_folder(subs, tmp_path / "out", scheduler=dask_cluster.address)
    text = str(err.value)
    assert "runs another grader" in text and "other checks of the chapter" in text
    assert "autograder/checks/ch5/ex5_4.py" in text and "same wheel or image" in text
    assert not (tmp_path / "out" / "dave").exists()


def test_an_unreachable_scheduler_is_named_with_what_to_check(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(cluster, "CONNECT_TIMEOUT", 1.0)
    (tmp_path / "s").mkdir()
    shutil.copytree(EXAMPLES / "dave", tmp_path / "s" / "dave")
    address = f"tcp://127.0.0.1:{_free_port()}"  # nothing listens there
    assert main(["grade", str(tmp_path / "s"), "--out", str(tmp_path / "o"),
                 "--scheduler", address]) == 2
    err = capsys.readouterr().err
    assert f"could not reach the Dask scheduler at {address}" in err
    assert "`dask scheduler` is running there" in err
    assert main(["grade", str(tmp_path / "s"), "--out", str(tmp_path / "o"),
                 "--scheduler", address, "--jobs", "2"]) == 2
    assert "give --jobs or --scheduler, not both" in capsys.readouterr().err


def test_without_distributed_the_message_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed fails
    shutil.copytree(EXAMPLES / "dave", tmp_path / "s" / "dave")
    with pytest.raises(ClusterError, match=r"pip install 'nndl-autograder\[dask\]'"):
        grade_folder(tmp_path / "s", tmp_path / "o", scheduler="tcp://127.0.0.1:8786")


# -- the worker's side, in this process -------------------------------------------------------

@pytest.fixture(scope="module")
def context():
    return GradingContext.resolve("ch5")


def _parcel(tmp_path: Path, context: GradingContext, source: Path) -> tuple[dict, Path, object]:
    files = tmp_path / "files"
    upload = collect(source, files, context.chapter)

    class Task:
        student = source.name
    Task.files, Task.upload, Task.digest = files, upload, "d" * 64
    return make_parcel(Task, context, cluster.identity()), files, upload


def test_a_parcel_is_plain_data_and_grades_as_the_files_do(tmp_path, context):
    parcel, files, upload = _parcel(tmp_path, context, EXAMPLES / "dave")
    assert set(parcel["files"]) == {"ex5_4.py"} and isinstance(parcel["files"]["ex5_4.py"], bytes)
    assert parcel["upload"] == asdict(upload) and parcel["limits"] == asdict(context.limits)
    reply = grade_parcel(parcel)
    got = SubmissionResult.from_dict(reply["result"])
    want = grade_collected(files, upload, student="dave", context=context)
    assert got.score > 0 and (got.status, got.received) == ("partial upload", ["ex5_4.py"])
    assert (got.score, got.status, got.received, got.upload, got.sandbox) == \
        (want.score, want.status, want.received, want.upload, want.sandbox)
    assert [c.passed for e in got.exercises for c in e.cases] == \
        [c.passed for e in want.exercises for c in e.cases]


def test_a_worker_refuses_a_parcel_of_another_grader_or_with_stray_files(tmp_path, context):
    parcel, _, _ = _parcel(tmp_path, context, EXAMPLES / "dave")
    other = dict(parcel, grader={"version": "0.0.1", "files": parcel["grader"]["files"]})
    with pytest.raises(WorkerMismatch, match=r"version .* \(this machine: 0\.0\.1\)"):
        grade_parcel(other)
    stray = dict(parcel, files={"../../etc/cron.d/x": b"boom"})
    with pytest.raises(ValueError, match="not a file of the chapter"):
        grade_parcel(stray)


def test_answer_sheets_are_judged_as_local_grading_judges_them(tmp_path, context, monkeypatch):
    """A worker installed from the wheel has no handout templates, so it cannot tell an
    untouched answer sheet; this machine judges the sheets again from the same files."""
    bob = tmp_path / "bob"
    bob.mkdir()
    for sheet in (EXAMPLES / "bob").glob("*.md"):  # bob left the handout's sheets untouched
        shutil.copy(sheet, bob / sheet.name)
    parcel, files, upload = _parcel(tmp_path, context, bob)

    class Task:
        student = "bob"
    Task.files = files
    monkeypatch.setattr(answers, "template_path", lambda chapter, exercise: None)
    on_worker = SubmissionResult.from_dict(grade_parcel(parcel)["result"])
    monkeypatch.undo()
    sheets = [e for e in on_worker.exercises if e.written_state]
    assert len(sheets) == 4 and {e.written_state for e in sheets} == {"submitted"}
    here = cluster.sheets_as_here(on_worker, Task, context)
    assert {e.exercise_id: e.written_state for e in here.exercises if e.written_state} == \
        {e.exercise_id: "untouched" for e in sheets}
    local = grade_collected(files, upload, student="bob", context=context)
    assert here.to_dict()["exercises"] == [dict(e, elapsed=h["elapsed"]) for e, h in zip(
        local.to_dict()["exercises"], here.to_dict()["exercises"])]


def test_a_second_result_for_a_student_is_ignored():
    recorded = []
    recorder = Recorder(lambda task, result: recorded.append((task.student, result.score)))

    class Task:
        student = "alice"
    first = SubmissionResult.refused("alice", CHAPTER, "first")
    assert recorder.take(Task, first) is True
    assert recorder.take(Task, SubmissionResult("alice", [])) is False
    assert recorded == [("alice", 0)]


# -- last: it leaves the cluster one worker short ---------------------------------------------

def test_a_worker_killed_mid_batch_loses_no_student_and_counts_none_twice(dask_cluster, tmp_path):
    subs = tmp_path / "subs"
    shutil.copytree(EXAMPLES, subs)
    for i in range(3):
        shutil.copytree(EXAMPLES / "alice", subs / f"alice{i}")
    expected = dict(TOTALS, **{f"alice{i}": 100 for i in range(3)})
    seen: list[str] = []
    killed: list[tuple[str, list]] = []

    def on_progress(p):
        seen.append(p.result.student)
        deadline = time.monotonic() + 30
        while not killed and time.monotonic() < deadline:
            busy = {a: keys for a, keys in dask_cluster.client.processing().items() if keys}
            if busy:  # a worker is grading a student right now: kill it
                victim = sorted(busy)[0]
                dask_cluster.kill(dask_cluster.worker_names()[victim])
                killed.append((victim, list(busy[victim])))
            else:
                time.sleep(0.05)

    results = grade_folder(subs, tmp_path / "out", scheduler=dask_cluster.address,
                           on_progress=on_progress)
    assert killed and killed[0][1], "no worker was grading when the first student came back"
    assert sorted(seen) == sorted(expected)  # each student recorded once
    assert {r.student: r.score for r in results} == expected
    assert all(r.status != "grader error" for r in results)
    assert len(dask_cluster.worker_names()) == 1  # the other worker graded the rest
    rows = (tmp_path / "out" / "grades.csv").read_text(encoding="utf-8-sig").splitlines()
    assert len(rows) == 1 + len(expected)
