"""A control group per worker, where the host lets the grader make them: one memory limit and
one process limit for the worker's whole tree, and one kill for all of it.

``probe()`` looks once per process at the cgroup hierarchies the grader is in
(``/proc/self/cgroup``, ``/proc/self/mountinfo``) and tries to make a child group of its own
in each: cgroup v2 with the ``memory`` and ``pids`` controllers (``memory.max``,
``pids.max``, ``cgroup.kill``), or cgroup v1's ``memory`` and ``pids`` hierarchies (a hybrid
host, as this project's CI) with a v2 group for ``cgroup.kill`` when there is one. What it
finds is a ``Plan``; ``Plan.describe()`` says it in words for the log. Without memory or pids
control the engine falls back to a lower per-uid process limit (``modes.py``).

A worker joins its groups before anything of it runs: its command is prefixed by a one-line
shell that writes its pid into each group's ``cgroup.procs`` and then runs the worker
(``WorkerGroups.prefix``), so every process it starts is in the groups too.
"""

from __future__ import annotations

import atexit
import itertools
import os
import signal
import threading
import time
from dataclasses import dataclass, field
from typing import Optional

CPU_PERIOD_US = 100_000
"""The CFS period of a worker's CPU cap: one core's worth of quota per period."""

_PREFIX_SH = 'while [ "$1" != -- ]; do echo $$ > "$1" || exit 125; shift; done; shift; exec "$@"'


@dataclass(frozen=True)
class Plan:
    """Where this process makes its workers' groups: ``dirs`` maps a role (``memory``,
    ``pids``, ``kill``) to the parent folder of the groups made for it."""

    dirs: dict[str, str] = field(default_factory=dict)
    v2: frozenset[str] = frozenset()
    """The roles whose folder is on cgroup v2."""
    problem: str = ""

    @property
    def memory(self) -> bool:
        return "memory" in self.dirs

    @property
    def pids(self) -> bool:
        return "pids" in self.dirs

    @property
    def cpu(self) -> bool:
        return "cpu" in self.dirs

    def describe(self) -> str:
        if not self.dirs:
            return f"no cgroup per worker ({self.problem})"
        parts = []
        if self.memory:
            parts.append("memory of the whole worker tree (" + ("v2" if "memory" in self.v2 else "v1") + ")")
        if self.pids:
            parts.append("processes of the whole tree")
        if self.cpu:
            parts.append("a fair CPU share of at most one core, and the CPU time of the whole tree")
        if "kill" in self.dirs:
            parts.append("one kill for the whole tree")
        text = "a cgroup per worker: " + ", ".join(parts)
        return text + (f" ({self.problem})" if self.problem else "")


def _mounts() -> tuple[Optional[str], dict[str, str]]:
    """The cgroup v2 mount point and the v1 mount point of each controller."""
    v2, v1 = None, {}
    try:
        with open("/proc/self/mountinfo") as fh:
            for line in fh:
                left, _, right = line.partition(" - ")
                fields, rfields = left.split(), right.split()
                if len(fields) < 5 or len(rfields) < 3:
                    continue
                if rfields[0] == "cgroup2" and v2 is None:
                    v2 = fields[4]
                elif rfields[0] == "cgroup":
                    for opt in rfields[2].split(","):
                        if opt in ("memory", "pids", "cpu", "cpuacct"):
                            v1[opt] = fields[4]
    except OSError:
        pass
    return v2, v1


def _own() -> dict[str, str]:
    """This process's group in each hierarchy: ``{"": path}`` for v2, ``{controller: path}``."""
    own = {}
    try:
        with open("/proc/self/cgroup") as fh:
            for line in fh:
                _, controllers, path = line.rstrip("\n").split(":", 2)
                for c in (controllers.split(",") if controllers else [""]):
                    own[c] = path
    except OSError:
        pass
    return own


def _write(path: str, text: str) -> None:
    with open(path, "w") as fh:
        fh.write(text)


def _try_dir(parent: str, name: str) -> Optional[str]:
    _remove_stale(parent)
    path = os.path.join(parent, name)
    try:
        os.mkdir(path)
    except FileExistsError:
        pass
    except OSError:
        return None
    return path


_plan: Optional[Plan] = None
_plan_pid = 0
_plan_lock = threading.Lock()
_counter = itertools.count()


def probe() -> Plan:
    """What this host allows, found once per process."""
    global _plan, _plan_pid
    with _plan_lock:
        if _plan is not None and _plan_pid == os.getpid():
            return _plan
        _plan, _plan_pid = _probe(), os.getpid()
        if _plan.dirs:
            atexit.register(cleanup_parents)
        return _plan


def _probe() -> Plan:
    v2_mount, v1_mounts = _mounts()
    own = _own()
    name = f"nndl-{os.getpid()}"
    dirs: dict[str, str] = {}
    v2_roles: set[str] = set()
    problems = []
    if v2_mount and "" in own:
        here = os.path.join(v2_mount, own[""].lstrip("/"))
        base = _try_dir(here, name)
        if base is None:
            problems.append(f"cannot make a group under {here}")
        else:
            probe_dir = _try_dir(base, "probe")
            if probe_dir and os.path.exists(os.path.join(probe_dir, "cgroup.kill")):
                dirs["kill"] = base
                v2_roles.add("kill")
            try:
                enabled = open(os.path.join(here, "cgroup.subtree_control")).read().split()
                if {"memory", "pids"} <= set(enabled):
                    _write(os.path.join(base, "cgroup.subtree_control"), "+memory +pids")
                    dirs["memory"] = dirs["pids"] = base
                    v2_roles |= {"memory", "pids"}
                else:
                    available = open(os.path.join(here, "cgroup.controllers")).read().split()
                    if {"memory", "pids"} <= set(available):
                        problems.append(f"the memory and pids controllers are not delegated to "
                                        f"{here} (its cgroup.subtree_control)")
                if "cpu" in enabled:
                    try:
                        _write(os.path.join(base, "cgroup.subtree_control"), "+cpu")
                        dirs["cpu"] = base
                        v2_roles.add("cpu")
                    except OSError:
                        pass
            except OSError as exc:
                problems.append(f"cgroup v2 controllers: {exc.strerror}")
            if probe_dir:
                _rmdir(probe_dir)
            if not {"kill", "memory", "cpu"} & set(dirs):
                _rmdir(base)
    for controller in ("memory", "pids"):
        if controller in dirs or controller not in v1_mounts or controller not in own:
            continue
        here = os.path.join(v1_mounts[controller], own[controller].lstrip("/"))
        base = _try_dir(here, name)
        if base is None:
            problems.append(f"cannot make a {controller} group under {here}")
            continue
        limit = "memory.limit_in_bytes" if controller == "memory" else "pids.max"
        if os.path.exists(os.path.join(base, limit)):
            dirs[controller] = base
        else:
            _rmdir(base)
    if "cpu" not in dirs and {"cpu", "cpuacct"} <= set(v1_mounts) and "cpu" in own \
            and "cpuacct" in own:
        # v1: the cpu controller shares and caps, cpuacct counts (often one hierarchy)
        made: dict[str, str] = {}
        for controller, needed in (("cpu", "cpu.cfs_quota_us"), ("cpuacct", "cpuacct.usage")):
            here = os.path.join(v1_mounts[controller], own[controller].lstrip("/"))
            base = made.get(here) or _try_dir(here, name)
            if base is None:
                problems.append(f"cannot make a {controller} group under {here}")
                break
            made[here] = base
            if not os.path.exists(os.path.join(base, needed)):
                break
            dirs[controller] = base
        if not {"cpu", "cpuacct"} <= set(dirs):  # both or neither
            dirs.pop("cpu", None)
            dirs.pop("cpuacct", None)
            for base in made.values():
                if base not in dirs.values():
                    _rmdir(base)
    if not dirs and not problems:
        problems.append("no cgroup hierarchy is mounted")
    return Plan(dirs=dirs, v2=frozenset(v2_roles), problem="; ".join(problems))


def _remove_stale(parent: str) -> None:
    """Remove the empty groups of grader processes that are gone (forked grading processes
    end without running their exit handlers)."""
    try:
        names = [n for n in os.listdir(parent) if n.startswith("nndl-") and n[5:].isdigit()]
    except OSError:
        return
    for name in names:
        if not os.path.exists(f"/proc/{name[5:]}"):
            base = os.path.join(parent, name)
            try:
                for child in os.listdir(base):
                    if os.path.isdir(os.path.join(base, child)):
                        _rmdir(os.path.join(base, child))
            except OSError:
                pass
            _rmdir(base)


def _rmdir(path: str) -> None:
    try:
        os.rmdir(path)
    except OSError:
        pass


class WorkerGroups:
    """The groups of one worker: made by ``make``, joined by the worker through ``prefix``,
    killed and removed by ``destroy``."""

    def __init__(self, plan: Plan, dirs: dict[str, str]) -> None:
        self.plan, self.dirs = plan, dirs

    @classmethod
    def make(cls, plan: Plan, memory_mb: int, nproc: int) -> Optional["WorkerGroups"]:
        if not plan.dirs:
            return None
        name = f"w{os.getpid()}-{next(_counter)}"
        made: dict[str, str] = {}
        by_parent: dict[str, str] = {}
        try:
            for role, parent in plan.dirs.items():
                if parent not in by_parent:
                    path = os.path.join(parent, name)
                    os.mkdir(path)
                    by_parent[parent] = path
                made[role] = by_parent[parent]
            mem = made.get("memory")
            if mem:
                limit = str(memory_mb * 2**20)
                if "memory" in plan.v2:
                    _write(os.path.join(mem, "memory.max"), limit)
                    if os.path.exists(os.path.join(mem, "memory.swap.max")):
                        _write(os.path.join(mem, "memory.swap.max"), "0")
                else:
                    _write(os.path.join(mem, "memory.limit_in_bytes"), limit)
                    memsw = os.path.join(mem, "memory.memsw.limit_in_bytes")
                    if os.path.exists(memsw):
                        try:
                            _write(memsw, limit)
                        except OSError:
                            pass
            pids = made.get("pids")
            if pids:
                _write(os.path.join(pids, "pids.max"), str(nproc))
            cpu = made.get("cpu")
            if cpu:  # every worker the same weight (the default), and at most one core
                try:
                    if "cpu" in plan.v2:
                        _write(os.path.join(cpu, "cpu.max"), f"{CPU_PERIOD_US} {CPU_PERIOD_US}")
                    else:
                        _write(os.path.join(cpu, "cpu.cfs_period_us"), str(CPU_PERIOD_US))
                        _write(os.path.join(cpu, "cpu.cfs_quota_us"), str(CPU_PERIOD_US))
                except OSError:  # no cap: the group still shares fairly and counts CPU time,
                    pass  # and a refused cap must not cost the memory and process limits
        except OSError:
            for path in set(made.values()):
                _rmdir(path)
            return None
        return cls(plan, made)

    def add(self, pid: int) -> None:
        """Put the process ``pid`` (a worker forked by the zygote, before it goes on) into
        every group; its children are born in them. ``OSError`` if that fails."""
        for d in sorted(set(self.dirs.values())):
            _write(os.path.join(d, "cgroup.procs"), str(pid))

    def set_pids(self, nproc: int) -> None:
        """Lower the group's process limit (when its memory could not be limited)."""
        pids = self.dirs.get("pids")
        if pids:
            try:
                _write(os.path.join(pids, "pids.max"), str(nproc))
            except OSError:
                pass

    def prefix(self) -> list[str]:
        """The argv that puts the worker into its groups before it runs."""
        procs = sorted({os.path.join(d, "cgroup.procs") for d in self.dirs.values()})
        return ["/bin/sh", "-c", _PREFIX_SH, "sh", *procs, "--"]

    def cpu_seconds(self) -> Optional[float]:
        """The CPU seconds the group's processes used (``cputime.group_seconds``)."""
        from .cputime import group_seconds

        return group_seconds(self.dirs, "cpu" in self.plan.v2)

    def oom_killed(self) -> bool:
        """Whether the kernel killed a process of the group for its memory limit."""
        mem = self.dirs.get("memory")
        if not mem:
            return False
        for name, key in (("memory.events", "oom_kill"), ("memory.oom_control", "oom_kill")):
            try:
                with open(os.path.join(mem, name)) as fh:
                    for line in fh:
                        k, _, v = line.partition(" ")
                        if k == key and int(v) > 0:
                            return True
            except (OSError, ValueError):
                continue
        return False

    def procs(self) -> set[int]:
        out: set[int] = set()
        for d in set(self.dirs.values()):
            try:
                with open(os.path.join(d, "cgroup.procs")) as fh:
                    out.update(int(x) for x in fh.read().split())
            except (OSError, ValueError):
                pass
        return out

    def kill(self, timeout: float = 5.0) -> bool:
        """SIGKILL everything in the groups until they are empty; whether they are."""
        kill_dir = self.dirs.get("kill")
        deadline = time.monotonic() + timeout
        while True:
            left = self.procs()
            if not left:
                return True
            if time.monotonic() > deadline:
                return False
            if kill_dir:
                try:
                    _write(os.path.join(kill_dir, "cgroup.kill"), "1")
                except OSError:
                    kill_dir = None
            if not kill_dir:
                for pid in left:
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except OSError:
                        pass
            time.sleep(0.001)

    def destroy(self) -> bool:
        """Kill what is left and remove the groups; whether nothing was left running."""
        clean = self.kill()
        for path in set(self.dirs.values()):
            for _ in range(50):
                try:
                    os.rmdir(path)
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.002)
        return clean


def cleanup_parents() -> None:
    """Remove this process's parent groups (at exit)."""
    plan = _plan
    if plan is None or _plan_pid != os.getpid():
        return
    for path in set(plan.dirs.values()):
        _rmdir(path)


def memory_available_mb() -> Optional[int]:
    """The memory this process's container may use, in MB: the tightest of its cgroup's limits
    (v2 ``memory.max``, v1 ``memory.limit_in_bytes``, up the tree) and the machine's memory."""
    best: Optional[int] = None
    v2_mount, v1_mounts = _mounts()
    own = _own()
    candidates = []
    if v2_mount and "" in own:
        path = os.path.join(v2_mount, own[""].lstrip("/"))
        while path.startswith(v2_mount):
            candidates.append(os.path.join(path, "memory.max"))
            if path == v2_mount:
                break
            path = os.path.dirname(path)
    if "memory" in v1_mounts and "memory" in own:
        root = v1_mounts["memory"]
        path = os.path.join(root, own["memory"].lstrip("/"))
        while path.startswith(root):
            candidates.append(os.path.join(path, "memory.limit_in_bytes"))
            if path == root:
                break
            path = os.path.dirname(path)
    for f in candidates:
        try:
            text = open(f).read().strip()
        except OSError:
            continue
        if text and text != "max":
            try:
                mb = int(text) // 2**20
            except ValueError:
                continue
            if mb < 2**40 // 2**20 * 1024:  # v1 writes "unlimited" as a huge number
                best = mb if best is None else min(best, mb)
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemTotal:"):
                    total = int(line.split()[1]) // 1024
                    best = total if best is None else min(best, total)
                    break
    except (OSError, ValueError):
        pass
    return best

