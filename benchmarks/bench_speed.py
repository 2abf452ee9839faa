"""Issue 9's figures: ``nndl-grade grade`` against stock ``otter run``, whole processes, in one
run; the floor and what is left; where the time goes; grading on a 2-worker Dask cluster.

    .venv/bin/python benchmarks/bench_speed.py [--repeat 3] [--students 20] [--jobs 2]
                                               [--dist DIR] [--no-cluster]

Prints, every figure a median of ``--repeat`` runs, the runs interleaved (otter, ours, otter,
ours, ...) so that the load of a shared machine falls on both alike:
  1. one student, ex5_4 only: ``nndl-grade grade`` on a folder of one student holding
     ``ex5_4.py`` against ``otter run`` with the stock autograder ``ch5/otter/ex5_4.zip`` that
     ``nndl-grade build`` writes (goal 10x);
  2. one student, the whole chapter: one ``nndl-grade grade`` against the six ``otter run``s,
     one per exercise zip, summed (goal 20x);
  3. ``--students`` copies of the reference with ``--jobs``: seconds per student against the six
     ``otter run``s (goal 60x); ``--jobs 1`` as well, for the scaling;
  4. the floor: Python + NumPy start-up (``python -c "import numpy"``) and the checks' own
     arithmetic in-process (every check on the reference, the trusting runner, no engine), the
     floor of 1-3 built from them, and what is left;
  5. where the time goes, measured in this process: the grader's start-up beyond Python and
     NumPy, a worker's start, a round trip, how many of each a student needs; with ``perf``
     on the PATH, CPU seconds per student (task-clock of the whole process tree) and the
     CPUs used at ``--jobs 1`` and ``--jobs N``;
  6. the cluster: a ``dask scheduler`` and two ``dask worker --nworkers 1 --nthreads 1`` on
     loopback; ``--students`` through ``--scheduler`` against ``--jobs 2``, per student.

Timings are printed, never asserted. Scores are compared: a ratio of different scores is
flagged. Stock Otter needs a Jupyter ``python3`` kernel (otter-grader's [grading] extra).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional, Sequence

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

from autograder.checks.runner import load_student_file, run_case  # noqa: E402
from autograder.course import load_chapter  # noqa: E402
from otter_env import otter_missing  # noqa: E402  (beside this file)
from autograder.grades import read_grades_csv  # noqa: E402

SOLUTIONS = ROOT / "solutions" / "ch5"
GOALS = {"ex5_4": 10.0, "chapter": 20.0, "batch": 60.0}
BIN = Path(sys.executable).parent


@dataclass
class Run:
    """One whole process: wall seconds, CPU seconds of its tree (None without perf), score."""

    wall: float
    cpu: Optional[float] = None
    score: Optional[float] = None


@dataclass
class Series:
    """Runs of one command; medians."""

    runs: list[Run] = field(default_factory=list)

    def wall(self) -> float:
        return statistics.median(r.wall for r in self.runs)

    def cpu(self) -> Optional[float]:
        cpus = [r.cpu for r in self.runs if r.cpu is not None]
        return statistics.median(cpus) if cpus else None

    def score(self) -> Optional[float]:
        return self.runs[-1].score if self.runs else None


def _perf() -> bool:
    if shutil.which("perf") is None:
        return False
    probe = subprocess.run(["perf", "stat", "-x,", "-e", "task-clock", "true"],
                           capture_output=True, text=True)
    return probe.returncode == 0 and "task-clock" in probe.stderr


PERF = _perf()


def timed(argv: list[str], cwd: Optional[Path] = None) -> Run:
    """Run ``argv`` to the end; its wall time and, with perf, the CPU time of its tree."""
    with tempfile.NamedTemporaryFile(prefix="nndl-perf-", suffix=".txt") as stat:
        full = (["perf", "stat", "-x,", "-e", "task-clock", "-o", stat.name, "--"] + argv
                if PERF else argv)
        t = time.perf_counter()
        proc = subprocess.run(full, cwd=cwd, capture_output=True, text=True)
        wall = time.perf_counter() - t
        if proc.returncode != 0:
            raise RuntimeError(f"{' '.join(argv)} failed ({proc.returncode}):\n"
                               f"{proc.stdout[-2000:]}{proc.stderr[-2000:]}")
        cpu = None
        if PERF:
            for line in Path(stat.name).read_text().splitlines():
                if "task-clock" in line:
                    cpu = float(line.split(",")[0]) / 1000
    return Run(wall, cpu)


# -- the commands -------------------------------------------------------------------------------

def nndl(*args: str) -> list[str]:
    exe = BIN / "nndl-grade"
    return ([str(exe)] if exe.is_file() else [sys.executable, "-m", "autograder"]) + list(args)


def nndl_grade(subs: Path, tmp: Path, *extra: str, keep: Optional[Path] = None) -> Run:
    out = keep or Path(tempfile.mkdtemp(prefix="out-", dir=tmp))
    run = timed(nndl("grade", str(subs), "--out", str(out), *extra))
    rows = read_grades_csv(out / "grades.csv")
    run.score = sum(float(r["total"]) for r in rows) / len(rows)
    if keep is None:
        shutil.rmtree(out, ignore_errors=True)
    return run


def report_cost(subs: Path, tmp: Path, repeat: int) -> Run:
    """The class report that ``nndl-grade grade`` writes after grading: ``nndl-grade report``
    on the folder graded, less the command's own start-up (``nndl-grade --version``)."""
    out = tmp / f"kept-{subs.name}"
    nndl_grade(subs, tmp, keep=out)
    report = Series([timed(nndl("report", str(out))) for _ in range(repeat)])
    bare = Series([timed(nndl("--version")) for _ in range(repeat)])
    return Run(report.wall() - bare.wall(),
               report.cpu() - bare.cpu() if PERF else None)


def otter_run(zip_path: Path, code: str, tmp: Path) -> Run:
    sub = Path(tempfile.mkdtemp(prefix="otter-", dir=tmp))
    shutil.copy(SOLUTIONS / code, sub / code)
    (sub / "out").mkdir()
    run = timed([str(BIN / "otter"), "run", "-a", str(zip_path), "-o", "out", code], cwd=sub)
    data = json.loads((sub / "out" / "results.json").read_text())
    run.score = sum(t["score"] for t in data["tests"] if t.get("max_score") is not None)
    shutil.rmtree(sub, ignore_errors=True)
    return run


def folders(tmp: Path, chapter, students: int) -> dict[str, Path]:
    """One student with ex5_4.py; one with the whole chapter; ``students`` of those."""
    made = {"ex5_4": tmp / "one", "chapter": tmp / "chapter", "batch": tmp / "batch"}
    (made["ex5_4"] / "s1").mkdir(parents=True)
    shutil.copy(SOLUTIONS / "ex5_4.py", made["ex5_4"] / "s1")
    files = [f for e in chapter.exercises for f in e.files if (SOLUTIONS / f).is_file()]
    for folder in [made["chapter"] / "s1"] + [made["batch"] / f"s{i:03d}"
                                             for i in range(students)]:
        folder.mkdir(parents=True)
        for f in files:
            shutil.copy(SOLUTIONS / f, folder / f)
    return made


# -- the floor and where the time goes, in this process -------------------------------------------

def arithmetic(chapter, repeat: int) -> dict[str, tuple[float, float]]:
    """``(wall, CPU)`` seconds of each exercise's checks on the reference in-process (no
    engine, warm): on an idle core the two agree; under load the CPU is the steadier."""
    from autograder.grading import check_file_of

    out = {}
    for ex in chapter.exercises:
        cf = check_file_of(ex)
        walls, cpus = [], []
        for _ in range(repeat + 1):
            t, c = time.perf_counter(), time.process_time()
            env = load_student_file(SOLUTIONS / ex.code)
            for case in cf.cases:
                run_case(case, env, str(SOLUTIONS / ex.code))
            walls.append(time.perf_counter() - t)
            cpus.append(time.process_time() - c)
        out[ex.id] = (statistics.median(walls[1:]), statistics.median(cpus[1:]))
    return out


@dataclass
class Costs:
    """Wall and CPU seconds of the engine's parts, and how many of each one student needs."""

    context: Run
    """The grader's start-up beyond Python + NumPy: imports, chapter, check files, probe."""
    self_test: Run
    """The sandbox's self-test that ``grade_folder`` runs on the submissions and OUT."""
    worker: Run
    """One worker: sandbox, Python, NumPy, the student's file; started and stopped."""
    round_trip: Run
    """One call of a student function with a small array, there and back."""
    workers_per_student: int
    trips_per_student: int
    workers_ex5_4: int
    """Workers started for a student who sent ex5_4.py alone."""


PROBE = """
import sys
from pathlib import Path
import numpy as np
from autograder.engine import Session
from autograder.grading import GradingContext
ctx = GradingContext.resolve("ch5")
folder, starts, trips = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
if len(sys.argv) > 4 and hasattr(ctx, "protect"):
    ctx.protect(folder)
for _ in range(starts):
    s = Session(folder, "echo.py", ctx.limits, ctx.sandbox)
    s.start()
    s.close()
if trips:
    s = Session(folder, "echo.py", ctx.limits, ctx.sandbox)
    s.start()
    echo, arg = s.env()["echo"], np.zeros((2, 3, 8, 8))
    for _ in range(trips):
        echo(arg)
    s.close()
"""
"""Resolves the grading context, runs the sandbox's self-test when a fourth argument is given,
then starts and stops ``starts`` workers on a one-line file and makes ``trips`` round trips
with a worker: run with (0, 0), (0, 0, protect), (N, 0) and (0, M), the differences are the
self-test, N starts and M round trips."""


def costs(repeat: int, tmp: Path) -> Costs:
    """The grader's start-up and the CPU of each part as the difference of whole processes
    (with perf); the wall of a worker's start and of a round trip in this process; the counts
    from grading the reference once in this process."""
    from autograder.engine import Session
    from autograder.grading import GradingContext, grade_submission

    folder = tmp / "echo"
    folder.mkdir(exist_ok=True)
    (folder / "echo.py").write_text("def echo(x):\n    return x\n")
    starts, trips = 10, 2000

    def series(*argv: str) -> Series:
        return Series([timed([sys.executable, "-c", *argv], cwd=ROOT) for _ in range(repeat)])

    def per(a: Series, b: Series, n: int) -> Run:
        cpu = (a.cpu() - b.cpu()) / n if PERF else None
        return Run((a.wall() - b.wall()) / n, cpu)

    numpy_only = series("import numpy")
    base = series(PROBE, str(folder), "0", "0")
    context = per(base, numpy_only, 1)
    self_test = per(series(PROBE, str(folder), "0", "0", "protect"), base, 1)
    worker = per(series(PROBE, str(folder), str(starts), "0"), base, starts)
    trip = per(series(PROBE, str(folder), "0", str(trips)), base, trips)

    ctx = GradingContext.resolve("ch5")  # the walls of one start and one trip, in this process
    walls = []
    for _ in range(max(repeat, 5)):
        t = time.perf_counter()
        s = Session(folder, "echo.py", ctx.limits, ctx.sandbox)
        s.start()
        s.close()
        walls.append(time.perf_counter() - t)
    worker.wall = statistics.median(walls)
    import numpy as np

    s = Session(folder, "echo.py", ctx.limits, ctx.sandbox)
    s.start()
    echo, arg, walls = s.env()["echo"], np.zeros((2, 3, 8, 8)), []
    for _ in range(repeat):
        t = time.perf_counter()
        for _ in range(500):
            echo(arg)
        walls.append((time.perf_counter() - t) / 500)
    s.close()
    trip.wall = statistics.median(walls)
    counts = {"start": 0, "request": 0}
    originals = {name: getattr(Session, name) for name in counts}

    def counting(name: str) -> Callable:
        def wrapper(self, *a, **k):
            counts[name] += 1
            return originals[name](self, *a, **k)
        return wrapper

    alone = tmp / "ex5_4-alone"
    alone.mkdir(exist_ok=True)
    shutil.copy(SOLUTIONS / "ex5_4.py", alone / "ex5_4.py")
    try:
        for name in counts:
            setattr(Session, name, counting(name))
        grade_submission(alone, context=ctx)
        ex5_4 = counts["start"]
        counts.update(start=0, request=0)
        grade_submission(SOLUTIONS, context=ctx)
    finally:
        for name, fn in originals.items():
            setattr(Session, name, fn)
    return Costs(context, self_test, worker, trip, counts["start"], counts["request"], ex5_4)


# -- the cluster ----------------------------------------------------------------------------------

class LocalCluster:
    """``dask scheduler`` and two ``dask worker --nworkers 1 --nthreads 1`` on loopback."""

    def __init__(self, tmp: Path) -> None:
        import distributed

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        self.address = f"tcp://127.0.0.1:{port}"
        dask = str(BIN / "dask")
        self.procs = [self._spawn([dask, "scheduler", "--host", "127.0.0.1", "--port", str(port),
                                   "--no-dashboard"], tmp / "scheduler.log")]
        for i in range(2):
            self.procs.append(self._spawn([dask, "worker", self.address, "--nworkers", "1",
                                           "--nthreads", "1", "--no-dashboard", "--host",
                                           "127.0.0.1"], tmp / f"worker{i}.log"))
        with distributed.Client(self.address, timeout=60, set_as_default=False) as client:
            client.wait_for_workers(2, timeout=120)

    @staticmethod
    def _spawn(argv: list[str], log: Path) -> subprocess.Popen:
        with open(log, "wb") as fh:
            return subprocess.Popen(argv, stdout=fh, stderr=subprocess.STDOUT,
                                    start_new_session=True)

    def close(self) -> None:
        import signal

        for proc in reversed(self.procs):
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


# -- the report -----------------------------------------------------------------------------------

def _cpu(run: Optional[float]) -> str:
    return f", CPU {run:.2f} s" if run is not None else ""


def verdict(ratio: float, goal: float) -> str:
    return f"goal {goal:g}x: {'PASS' if ratio >= goal else 'SHORT'}"


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--students", type=int, default=20)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--dist", type=Path, help="a `nndl-grade build` output to use (default: "
                                                   "build one into a temporary folder)")
    parser.add_argument("--no-cluster", action="store_true", help="skip the Dask cluster")
    args = parser.parse_args(argv)

    from autograder.engine import get_sandbox
    from autograder.grading import PROTECTED

    chapter = load_chapter("ch5")
    print(get_sandbox(None, protect=PROTECTED).describe())
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the start; "
          f"medians of {args.repeat} interleaved runs; CPU = perf task-clock of the process tree"
          + ("" if PERF else " (perf not found: CPU not measured)"))
    why_no_otter = otter_missing()
    tmp = Path(tempfile.mkdtemp(prefix="nndl-speed-"))
    cluster = None
    try:
        dist = args.dist
        if dist is None and not why_no_otter:
            subprocess.run([sys.executable, "-m", "autograder", "build", "--out",
                            str(tmp / "dist")], check=True, capture_output=True, cwd=ROOT)
            dist = tmp / "dist"
        subs = folders(tmp, chapter, args.students)
        otter = {ex.id: Series() for ex in chapter.exercises}
        ours = {k: Series() for k in ("ex5_4", "chapter", "batch", "batch1", "cluster")}
        if not args.no_cluster:
            try:
                cluster = LocalCluster(tmp)
            except Exception as exc:  # noqa: BLE001 - a benchmark reports, it does not stop
                print(f"cluster: NOT MEASURED: {type(exc).__name__}: {exc}")
        for _ in range(args.repeat):
            if not why_no_otter:
                otter["ex5_4"].runs.append(otter_run(dist / "ch5" / "otter" / "ex5_4.zip",
                                                     "ex5_4.py", tmp))
            ours["ex5_4"].runs.append(nndl_grade(subs["ex5_4"], tmp))
            if not why_no_otter:
                for ex in chapter.exercises:
                    if ex.id != "ex5_4":
                        otter[ex.id].runs.append(otter_run(dist / "ch5" / "otter" / f"{ex.id}.zip",
                                                           ex.code, tmp))
            ours["chapter"].runs.append(nndl_grade(subs["chapter"], tmp))
            ours["batch"].runs.append(nndl_grade(subs["batch"], tmp, "--jobs", str(args.jobs)))
            ours["batch1"].runs.append(nndl_grade(subs["batch"], tmp, "--jobs", "1"))
            if cluster is not None:
                ours["cluster"].runs.append(nndl_grade(subs["batch"], tmp, "--scheduler",
                                                       cluster.address))
        report(args, chapter, otter, ours, why_no_otter, tmp, subs)
    finally:
        if cluster is not None:
            cluster.close()
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


def report(args, chapter, otter, ours, why_no_otter: str, tmp: Path,
           subs: dict[str, Path]) -> None:
    n, jobs = args.students, args.jobs
    six = sum(s.wall() for s in otter.values()) if not why_no_otter else None
    if six is not None:
        print("stock otter run, per exercise: " + ", ".join(
            f"{k} {s.wall():.2f} s" for k, s in otter.items()) + f"; the six: {six:.1f} s"
            + _cpu(sum(s.cpu() or 0 for s in otter.values()) if PERF else None)
            + f"  [scores {', '.join(f'{s.score():g}' for s in otter.values())}]")
    else:
        print(f"stock otter run: NOT MEASURED: {why_no_otter}")
    one, chap, batch, batch1 = (ours[k] for k in ("ex5_4", "chapter", "batch", "batch1"))
    per, per1 = batch.wall() / n, batch1.wall() / n
    rows = [("1. one student, ex5_4 only", one.wall(), otter["ex5_4"].wall() if six else None,
             "ex5_4", one, otter["ex5_4"]),
            ("2. one student, whole chapter", chap.wall(), six, "chapter", chap, None),
            (f"3. {n} students, --jobs {jobs}, per student", per, six, "batch", batch, None)]
    six_cpu = sum(s.cpu() or 0 for s in otter.values()) if PERF and six else None
    cpus = {"ex5_4": (one.cpu(), otter["ex5_4"].cpu() if six else None),
            "chapter": (chap.cpu(), six_cpu),
            "batch": (batch.cpu() / n if PERF else None, six_cpu)}
    for label, mine, theirs, goal, series, other in rows:
        line = f"{label}: nndl-grade {mine:.2f} s"
        if theirs is not None:
            ratio = theirs / mine
            same = ""
            if other is not None and other.score() != series.score():
                same = f"  DIFFERENT scores (otter {other.score():g}, ours {series.score():g})"
            line += f", otter {theirs:.2f} s: {ratio:.1f}x ({verdict(ratio, GOALS[goal])}){same}"
        ours_cpu, their_cpu = cpus[goal]
        if ours_cpu is not None and their_cpu:
            line += f"; CPU {ours_cpu:.2f} s vs {their_cpu:.2f} s ({their_cpu / ours_cpu:.1f}x)"
        print(line + f"  [score {series.score():g}]")
    print(f"   {n} students, --jobs 1: {per1:.2f} s per student; --jobs {jobs} takes "
          f"{per / per1:.2f} of its time ({per1 / per:.2f}x)" + (
              f"; CPU per student {batch1.cpu() / n:.2f} s at --jobs 1, {batch.cpu() / n:.2f} s "
              f"at --jobs {jobs}; CPUs used {batch1.cpu() / batch1.wall():.2f} and "
              f"{batch.cpu() / batch.wall():.2f}" if PERF else ""))

    starts = Series([timed([sys.executable, "-c", "import numpy"])
                     for _ in range(max(args.repeat, 5))])
    startup, startup_cpu = starts.wall(), starts.cpu()
    arith = arithmetic(chapter, args.repeat)
    total, total_cpu = (sum(v[i] for v in arith.values()) for i in (0, 1))
    cores = min(jobs, os.cpu_count() or 1)
    print(f"floor: Python + NumPy start-up {startup:.2f} s{_cpu(startup_cpu)}; the checks' own "
          f"arithmetic in-process (reference, every check, no engine): ex5_4 "
          f"{arith['ex5_4'][0] * 1e3:.1f} ms, the chapter {total:.2f} s, CPU {total_cpu:.2f} s ("
          + ", ".join(f"{k} {v[1]:.3f}" for k, v in arith.items()) + " s CPU)")
    sc = startup_cpu or 0.0
    floors = [("1", startup + arith["ex5_4"][0], sc + arith["ex5_4"][1], one.wall(), one.cpu(),
               "start-up + ex5_4's checks"),
              ("2", startup + total, sc + total_cpu, chap.wall(), chap.cpu(),
               "start-up + the chapter's checks"),
              ("3", total / cores + startup / n, total_cpu + sc / n, per,
               batch.cpu() / n if PERF else None,
               f"the chapter's checks on {cores} cores + start-up / {n}; CPU per student")]
    for k, floor, floor_cpu, mine, mine_cpu, what in floors:
        line = f"   {k}. floor {floor:.2f} s ({what}): measured {mine:.2f} s, {mine / floor:.1f}x " \
               f"the floor, {mine - floor:.2f} s left"
        if mine_cpu is not None and startup_cpu is not None:
            line += f"; CPU: floor {floor_cpu:.2f} s, measured {mine_cpu:.2f} s, " \
                    f"{mine_cpu - floor_cpu:.2f} s left"
        if six is not None:
            line += f"; at the floor, {six / floor:.0f}x otter"
        print(line)

    c = costs(args.repeat, tmp)
    w, t = c.workers_per_student, c.trips_per_student
    rep1, repn = (report_cost(subs[k], tmp, args.repeat) for k in ("ex5_4", "batch"))
    print(f"where the time goes: the grader's "
          f"start-up beyond Python + NumPy (imports, chapter, check files, sandbox probe) "
          f"{c.context.wall:.2f} s{_cpu(c.context.cpu)}; the sandbox's self-test "
          f"{c.self_test.wall:.2f} s{_cpu(c.self_test.cpu)}; the class report written after "
          f"grading: one student {rep1.wall:.2f} s{_cpu(rep1.cpu)}, {n} students "
          f"{repn.wall:.2f} s{_cpu(repn.cpu)}; a worker started and stopped (sandbox, "
          f"Python, NumPy, the file) {c.worker.wall:.3f} s{_cpu(c.worker.cpu)}, {w} per "
          f"student; a round trip {c.round_trip.wall * 1e3:.3f} ms"
          + (f", CPU {c.round_trip.cpu * 1e3:.3f} ms" if c.round_trip.cpu is not None else "")
          + f", {t} per student")
    k = c.workers_ex5_4
    known = {"Python + NumPy": startup, "the grader's start-up": c.context.wall,
             "self-test": c.self_test.wall, "class report": rep1.wall,
             f"{k} worker(s)": k * c.worker.wall}
    print(f"   1. one student, ex5_4, {one.wall():.2f} s; its parts, measured apart (the workers "
          f"overlap in part): " + ", ".join(f"{name} {v:.2f} s" for name, v in known.items()))
    if PERF and c.worker.cpu is not None:
        parts = {"worker start-ups": w * c.worker.cpu, "round trips": t * c.round_trip.cpu,
                 "the checks' arithmetic": total_cpu,
                 "start-up, self-test, report (per run / n)":
                     ((startup_cpu or 0) + c.context.cpu + c.self_test.cpu + repn.cpu) / n}
        mine = batch.cpu() / n
        parts["the rest (grader, records, pool)"] = mine - sum(parts.values())
        print(f"   CPU per student at --jobs {jobs}: {mine:.2f} s = " + " + ".join(
            f"{k} {v:.2f} ({v / mine:.0%})" for k, v in parts.items()))

    cl = ours["cluster"]
    if cl.runs:
        print(f"cluster: 2 dask workers (--nthreads 1) on loopback: {n} students "
              f"{cl.wall():.1f} s, {cl.wall() / n:.2f} s per student, against --jobs 2 "
              f"{per:.2f} s per student ({cl.wall() / n / per:.2f}x its time)  [score "
              f"{cl.score():g}]")
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    sys.exit(main())
