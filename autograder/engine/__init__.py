"""The grading engine: runs a student's file in an isolated worker process and hands the checks
proxies of what it defines.

The engine imports nothing from outside ``autograder/engine/`` (the standard library and NumPy
aside): what it must protect is passed in (``get_sandbox(protect=...)``). The map, from what
the checks hold down to the worker:

``session.py``   ``Session``: one student file for one exercise. Starts workers, imports the
                 file, turns the checks' requests into round trips, restarts after a timeout
                 or a death.
``proxy.py``     ``StudentObject``, ``StudentMethod``: what the checks hold; requests in words.
``errors.py``    every exception of the engine (``WireError`` is defined in ``wire.py``).
``limits.py``    ``Limits``: what one worker may use; ``MODES``, the sandbox modes it may ask for;
                 ``fit_workers``: how many workers at once, of what memory, fit here.
``seccomp.py``   the seccomp filter (libseccomp, built once per process).
``slots.py``     a uid of its own per running worker (as root), and the end of its processes.
``cgroups.py``   a cgroup per worker where the host allows: memory, processes, CPU, one kill.
``cputime.py``   ``cpu_seconds``: the CPU time of a worker's whole tree from its CPU cgroup,
                 which time limits count.
``proctime.py``  the CPU time of a worker's tree from ``/proc`` around one call, which the
                 checks' vectorisation budgets count (``Session.cpu_reading``).
``detect.py``    ``get_sandbox``: the mode that works here, tried once (``probe``) and logged;
                 which protected paths uid 65534 could read (``exposed_to_other``).
``modes.py``     ``Sandbox``: the three modes (``bwrap``, ``uid``, ``none``) and the argv of a
                 worker in each (bubblewrap's arguments).
``staging.py``   the engine's private folder: the worker's code, and each worker's copy of the
                 submission (``prepare_folder``, ``remove_folder``).
``process.py``   ``WorkerProcess``: one running worker, its channel, its output, its end
                 (subreaper and sweep of what it left behind).
``zygote.py``    the zygote: a worker started ahead, once per grading process and sandbox
                 (as root), that forks each worker (``start_worker``) instead of the grader
                 starting it from nothing; why no state is shared between workers.
``wire.py``      the plain-data codec between grader and worker (never pickle).
``plain.py``     subclasses of plain types as their base type's value, the codec's one
                 normalisation (a namedtuple crosses as a tuple, whatever it overrides).
``worker.py``    the worker itself; ``confine.py``, what it does to itself before student code
                 runs (limits, privilege drop, uid mode's private mounts, the seccomp
                 filter); ``forkserver.py``, the zygote's loop (each child's namespaces under
                 bubblewrap). ``wire.py``, ``plain.py``, ``confine.py``, ``describe.py``,
                 ``forkserver.py`` and ``worker.py`` are copied into the sandbox and run there
                 alone: they import only the standard library and NumPy.

The names below are the API: what grading, the command line and the tests use.
"""

from .detect import get_sandbox
from .errors import (ExerciseOver, ImportFailed, SandboxError, StudentError, WorkerGone,
                     WorkerLost)
from .cgroups import memory_available_mb
from .limits import Limits, fit_workers
from .modes import NOBODY, Sandbox
from .cputime import cpu_seconds
from .proxy import StudentObject
from .session import Session
from .staging import prepare_folder, remove_folder

__all__ = [
    "ExerciseOver", "ImportFailed", "Limits", "NOBODY", "Sandbox", "SandboxError", "Session",
    "StudentError", "StudentObject", "WorkerGone", "WorkerLost", "fit_workers", "get_sandbox",
    "cpu_seconds", "memory_available_mb", "prepare_folder", "remove_folder",
]
