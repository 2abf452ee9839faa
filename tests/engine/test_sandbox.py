"""The sandbox in each mode this machine allows: who the worker is, what it sees, its limits,
and that nothing it starts survives it."""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from pathlib import Path

import pytest

from autograder.engine import cgroups, slots
from autograder.engine import (NOBODY, Limits, SandboxError, Session, WorkerLost, get_sandbox,
                               prepare_folder, remove_folder)
from autograder.grading import grade_exercise
from tests.support import CHAPTER

from .helpers import (ALL_MODES, CORPUS, SOLUTIONS, build_student, live_children, new_token,
                      processes_named, wait_for, wait_until_gone, write_file)

EX5_4 = CHAPTER.exercise("ex5_4")


def limits(mode: str, **kw) -> Limits:
    base = dict(timeout=3.0, memory_mb=300)
    base.update(kw)
    return Limits(sandbox=mode, **base)


PROBE = '''
import os, socket, sys
def whoami():
    return {"uid": os.getuid(), "gid": os.getgid(), "groups": sorted(os.getgroups()),
            "cwd": os.getcwd(), "pid": os.getpid()}
def can_read(path):
    try:
        with open(path, "rb") as fh:
            fh.read(1)
        return True
    except OSError:
        return False
def can_list(path):
    try:
        os.listdir(path)
        return True
    except OSError:
        return False
def can_write(path):
    try:
        with open(path, "w") as fh:
            fh.write("x")
        return True
    except OSError:
        return False
def connect():
    try:
        socket.create_connection(("1.1.1.1", 53), timeout=1).close()
        return "connected"
    except OSError as exc:
        return type(exc).__name__
def spin():
    while True:
        pass
def hoard():
    keep = []
    while True:
        keep.append(bytearray(8 * 2**20))
def fork_and_leave(n, name):
    import time
    for _ in range(n):
        if os.fork() == 0:
            os.setsid()
            if os.fork() == 0:
                import ctypes
                ctypes.CDLL(None).prctl(15, name.encode(), 0, 0, 0)  # PR_SET_NAME
                while True:
                    time.sleep(0.05)
            os._exit(0)
    return n
def limits():
    import resource
    return {name: resource.getrlimit(getattr(resource, name))
            for name in ("RLIMIT_AS", "RLIMIT_CPU", "RLIMIT_NPROC", "RLIMIT_FSIZE", "RLIMIT_CORE")}
def raise_limit():
    import resource
    try:
        resource.setrlimit(resource.RLIMIT_AS, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
        return "raised"
    except (ValueError, OSError) as exc:
        return type(exc).__name__
def become_root():
    try:
        os.setuid(0)
        return "root"
    except OSError as exc:
        return type(exc).__name__
'''


@pytest.fixture
def probe_dir(tmp_path):
    return write_file(tmp_path / "probe", "probe.py", PROBE)


def session(folder: Path, mode: str, **kw) -> Session:
    s = Session(folder, "probe.py", limits(mode, **kw))
    s.start()
    return s


@pytest.mark.parametrize("mode", ALL_MODES)
def test_worker_identity_and_limits(probe_dir, mode):
    with session(probe_dir, mode) as s:
        env = s.env()
        me = env["whoami"]()
        sandbox = get_sandbox(mode)
        if sandbox.drops_uid:  # a uid of its own, no group
            assert slots.FIRST <= me["uid"] < slots.FIRST + slots.COUNT and me["gid"] == me["uid"]
            assert me["groups"] in ([], [me["gid"]])
            assert env["become_root"]() == "PermissionError"
        elif sandbox.mode == "bwrap":
            assert (me["uid"], me["gid"]) == (NOBODY, NOBODY)
            assert me["groups"] in ([], [NOBODY])
            assert env["become_root"]() == "PermissionError"
        got = env["limits"]()
        assert got["RLIMIT_AS"] == (300 * 2**20, 300 * 2**20)
        assert got["RLIMIT_CPU"] == (3, 4)
        nproc = 64 if cgroups.probe().memory else 8  # without a memory cgroup, a lower one
        assert got["RLIMIT_NPROC"] == (nproc, nproc)
        assert got["RLIMIT_CORE"] == (0, 0)
        assert env["raise_limit"]() == "ValueError"
        assert env["can_write"]("scratch.txt")  # its own folder is writable


def test_bwrap_view_is_empty_and_offline(probe_dir):
    if get_sandbox().mode != "bwrap":
        pytest.skip("bubblewrap is not available")
    with session(probe_dir, "bwrap") as s:
        env = s.env()
        assert env["whoami"]()["cwd"] == "/submission"
        for path in (str(SOLUTIONS / "ex5_4.py"), str(CHAPTER.folder / "ex5_4.py"), "/etc/passwd",
                     "/root/.bashrc", f"/proc/{os.getpid()}/environ", f"/proc/{os.getpid()}/cmdline"):
            assert not env["can_read"](path), path
        for path in ("/work", "/root", "/home", "/etc"):
            assert not env["can_list"](path), path
        assert env["connect"]() in ("OSError", "ConnectionRefusedError", "TimeoutError")
        assert env["whoami"]()["pid"] < 10  # its own PID namespace
        assert not env["can_write"]("/nndl/engine/worker.py")


def test_uid_mode_cannot_read_root_only_files(probe_dir, tmp_path):
    if os.geteuid() != 0:
        pytest.skip("the uid sandbox needs root")
    secret = tmp_path / "secret.py"
    secret.write_text("ANSWER = 42\n")
    os.chmod(secret, 0o600)
    out = tmp_path / "out"
    out.mkdir(mode=0o700)
    (out / "results.json").write_text("{}")
    with session(probe_dir, "uid") as s:
        env = s.env()
        assert not env["can_read"](str(secret))
        assert not env["can_write"](str(out / "results.json"))
        assert not env["can_read"](f"/proc/{os.getpid()}/environ")
    assert (out / "results.json").read_text() == "{}"


@pytest.mark.parametrize("mode", ALL_MODES)
def test_timeout_then_a_fresh_worker(probe_dir, mode):
    with session(probe_dir, mode, cpu=30) as s:  # so that no process limit stops it
        env = s.env()
        first = env["whoami"]()
        # the call's limit: its CPU time where it is counted (a CPU cgroup; the wall clock stops
        # it at 3 x 3 s on a machine too loaded to run it), else the wall clock
        with pytest.raises(WorkerLost, match=r"(timed out after [39] s \(the wall-clock limit\)|used more "
                                             r"than 3 s of CPU time \(the CPU limit\)) while "
                                             r"running spin\(\)"):
            env["spin"]()
        assert s.incident and ("timed out" in s.incident or "CPU time" in s.incident)
        second = s.env()["whoami"]()  # a fresh worker answers
        if get_sandbox(mode).drops_uid:  # as root, each worker a uid of its own, in turn
            assert slots.FIRST <= second["uid"] < slots.FIRST + slots.COUNT
        else:
            assert second["uid"] == first["uid"]
        assert s.starts == 2


@pytest.mark.parametrize("mode", ALL_MODES)
def test_memory_limit(probe_dir, mode):
    with session(probe_dir, mode) as s:
        with pytest.raises(Exception, match=r"MemoryError: ran out of memory \(limit 300 MB\)"):
            s.env()["hoard"]()
        assert s.env()["whoami"]()  # the same worker survives a MemoryError


def test_cpu_limit(probe_dir):
    with session(probe_dir, get_sandbox().mode, timeout=10.0, cpu=1) as s:
        with pytest.raises(WorkerLost, match=r"used more than 1 s of CPU time \(the CPU limit\)"):
            s.env()["spin"]()


@pytest.mark.parametrize("mode", ALL_MODES)
def test_forked_children_do_not_survive(probe_dir, mode):
    before = set(live_children())
    token = new_token()
    with session(probe_dir, mode) as s:
        assert s.env()["fork_and_leave"](3, token) == 3
        assert wait_for(lambda: len(processes_named(token)) == 3), "the children did not start"
    assert wait_until_gone(lambda: processes_named(token)) == []
    assert wait_until_gone(lambda: [p for p in live_children() if p not in before]) == []


@pytest.mark.parametrize("mode", ALL_MODES)
def test_honest_and_attacks_per_mode(tmp_path, mode):
    """Attacks that depend on the sandbox, in every mode: the honest answer scores, forked
    children die, patched NumPy stays in the worker (timeouts: test_timeout_then_a_fresh_worker)."""
    token = new_token()
    for name, want in (("aaa_honest", 10), ("fork_children", 10), ("numpy_patched", 5),
                       ("builtins_patched", 5)):
        folder = build_student(CORPUS / name, tmp_path / name, token=token)
        result = grade_exercise(EX5_4, folder, limits=limits(mode))
        assert result.score == want, (mode, name, [c.message for c in result.cases])
    assert wait_until_gone(lambda: processes_named(token)) == []


def test_forcing_an_impossible_mode_is_an_error(monkeypatch):
    monkeypatch.setenv("NNDL_SANDBOX", "nonsense")
    with pytest.raises(SandboxError, match="must be one of bwrap, uid, none"):
        get_sandbox()
    with pytest.raises(ValueError, match="sandbox must be one of"):
        Limits(sandbox="chroot")


def test_uid_mode_refuses_protected_paths_other_users_can_read():
    if os.geteuid() != 0:
        pytest.skip("the uid sandbox needs root")
    base = Path(tempfile.mkdtemp(prefix="nndl-protect-"))  # not under pytest's 0700 folder
    try:
        if any(not p.stat().st_mode & stat.S_IXOTH for p in base.parents):
            pytest.skip(f"other users cannot reach {base}")
        os.chmod(base, 0o755)
        readable, closed = base / "readable", base / "closed"
        readable.mkdir(mode=0o755)
        closed.mkdir(mode=0o700)
        os.chmod(readable, 0o755)
        with pytest.raises(SandboxError) as info:
            get_sandbox("uid", protect=(readable, closed))
        assert f"could read {readable}." in str(info.value)
        assert f"chmod o-rwx {readable}" in str(info.value) and str(closed) not in str(info.value)
        sb = get_sandbox("uid", protect=[closed])  # closed: the self-test passes
        assert sb.mode == "uid"
        assert get_sandbox("uid", protect=[closed]) is sb
    finally:
        shutil.rmtree(base, ignore_errors=True)


def test_environment_variable_selects_the_mode(monkeypatch):
    monkeypatch.setenv("NNDL_SANDBOX", "none")
    assert get_sandbox().mode == "none"
    assert "NO SANDBOX" in get_sandbox().describe()


def test_limits_reject_nonsense():
    with pytest.raises(ValueError, match="timeout must be positive"):
        Limits(timeout=0)
    with pytest.raises(ValueError, match="memory_mb must be at least 128"):
        Limits(memory_mb=64)
    assert Limits(timeout=2.5).cpu_seconds == 3
    assert Limits(timeout=60, cpu=5).cpu_seconds == 5


def test_prepared_folder_copies_files_not_links(tmp_path):
    src = write_file(tmp_path / "src", "ex5_4.py", "x = 1\n")
    (src / "link.py").symlink_to(SOLUTIONS / "ex5_4.py")
    (src / "sub").mkdir()
    (src / "sub" / "deep.py").write_text("y = 2\n")
    folder = prepare_folder(src, get_sandbox())
    try:
        assert sorted(p.name for p in folder.iterdir()) == ["ex5_4.py"]
        # the worker's uid gets it at start (uid mode); its files are read-only
        assert stat.S_IMODE(folder.stat().st_mode) == (0o711 if get_sandbox().drops_uid else 0o700)
        assert stat.S_IMODE((folder / "ex5_4.py").stat().st_mode) == 0o444
    finally:
        remove_folder(folder)
