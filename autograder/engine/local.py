"""The worker in this process: the student's local check (and the project's own tests) run
student code through the very request handling the grader uses, without a sandbox.

A ``LocalWorker`` has the interface of ``process.WorkerProcess``, but the worker
(``worker.Worker``) runs in a thread of this process and the channel is a pair of queues
carrying the same encoded messages. So a value the student returns is normalised by the same
codec, an exception is described by the same words, a call that does not return is stopped
after the same kind of time limit ("timed out after 5 s ... while running xcorr2d(...)"), and
``session.Session`` restarts and gives up exactly as when grading. What this mode does not
give: isolation, resource limits, captured output (the student's prints go to the terminal).

A call that outlives its limit is abandoned: an exception is raised asynchronously in its
thread, which ends a Python loop at its next step (a long NumPy operation ends when it ends).
"""

from __future__ import annotations

import ctypes
import os
import queue
import sys
import threading
from pathlib import Path
from typing import Optional

import numpy as np

from . import wire
from .errors import WorkerGone, decode_reply
from .limits import Limits
from .modes import Sandbox

MODE = "local"
"""The name of this way of running student code (never chosen by ``detect.get_sandbox``)."""


def local_sandbox() -> Sandbox:
    """The ``Sandbox`` that makes a ``Session`` run student code here, in this process."""
    return Sandbox(mode=MODE, reason="student code runs in this process (the local check)",
                   root=False, python=sys.executable, prefix=sys.prefix, site="")


_ABSENT = object()


class _Stop(BaseException):
    """Raised in an abandoned worker thread to end it."""


class _Queues:
    """The two directions of the channel; ``None`` on either means the other side left."""

    def __init__(self) -> None:
        self.requests: "queue.Queue[Optional[bytes]]" = queue.Queue()
        self.replies: "queue.Queue[Optional[bytes]]" = queue.Queue()

    # the worker's side (``worker.Channel``'s interface)
    def send(self, data: bytes) -> None:
        self.replies.put(bytes(data))

    def receive(self) -> bytes:
        data = self.requests.get()
        if data is None:
            raise EOFError
        return data


class LocalWorker:
    """A worker running in a thread of this process."""

    def __init__(self, limits: Limits, thread: threading.Thread, channel: _Queues) -> None:
        self.limits, self.thread, self.channel = limits, thread, channel

    @classmethod
    def start(cls, limits: Limits, files_dir: Path, filename: str) -> "LocalWorker":
        from .worker import Worker

        folder = os.path.abspath(files_dir)
        if folder not in sys.path:  # the student's own modules import each other
            sys.path.append(folder)
        channel = _Queues()
        stem = os.path.splitext(filename)[0]
        before = sys.modules.get(stem, _ABSENT)  # a notebook's own import of the same file

        def run() -> None:
            try:
                info = {"uid": os.getuid() if hasattr(os, "getuid") else -1, "pid": os.getpid(),
                        "python": sys.version.split()[0], "numpy": np.__version__}
                channel.send(wire.encode(("ready", info), wire.no_handles))
                Worker(channel, folder, filename, limits.memory_mb).serve()
            except _Stop:
                pass
            finally:
                # The worker registered its fresh import as sys.modules[stem] (a dataclass
                # needs that); the process's own module of that name comes back.
                if before is _ABSENT:
                    sys.modules.pop(stem, None)
                else:
                    sys.modules[stem] = before
                channel.replies.put(None)

        thread = threading.Thread(target=run, name=f"nndl-local-{filename}", daemon=True)
        thread.start()
        return cls(limits, thread, channel)

    # -- messages ---------------------------------------------------------------------------
    def send(self, payload: bytes, timeout: float = 60.0, during: str = "") -> None:
        """Queue one request (a queue never blocks: ``timeout`` and ``during`` are for
        ``WorkerProcess``'s interface)."""
        if not self.thread.is_alive():
            raise WorkerGone("the worker has stopped", "exit")
        self.channel.requests.put(payload)

    def receive_raw(self, timeout: float, during: str = "", limit: Optional[float] = None,
                    last: bool = False) -> bytes:
        """The next reply; ``WorkerGone`` when none comes within ``timeout`` seconds. (``last``
        guards a process's channel against frames no request asked for; a thread of this
        process has no such channel.)"""
        try:
            data = self.channel.replies.get(timeout=max(timeout, 0.0))
        except queue.Empty:
            self.kill()
            raise WorkerGone(f"timed out after {limit or timeout:g} s (the time limit / 超时)"
                             + (f" {during}" if during else ""), "timeout") from None
        if data is None:
            raise WorkerGone("the worker stopped" + (f" {during}" if during else ""), "exit")
        return data

    def receive(self, timeout: float, during: str = "", limit: Optional[float] = None,
                last: bool = False) -> tuple:
        return decode_reply(self.receive_raw(timeout, during, limit, last))

    # -- output (it goes to the terminal) ---------------------------------------------------
    def drain(self) -> None:
        pass

    def output_text(self) -> str:
        return ""

    # -- the end ----------------------------------------------------------------------------
    def stop(self, grace: float = 2.0) -> None:
        """Tell the worker to finish; stop it if it does not within ``grace`` seconds."""
        self.channel.requests.put(None)
        self.thread.join(grace)
        self.kill()

    def kill(self) -> None:
        """End the thread if it is still running student code."""
        if self.thread.is_alive() and self.thread.ident is not None:
            ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(self.thread.ident),
                                                       ctypes.py_object(_Stop))
