"""Worker processes die with the process that started them (issue 20 item 8).

``kill -9`` of ``verify --jobs`` or of a big ``import`` gives its workers no chance to be told
to stop: they wait on their queues forever, reparented to PID 1, and hold open the pipe of
multiprocessing's resource tracker, which then runs forever too. So every worker calls
:func:`hold` first, with the pid of the process that started it:

- on Linux, ``prctl(PR_SET_PDEATHSIG, SIGKILL)``: the kernel kills the worker the moment the
  thread that started it ends (only asked for when that thread is the main thread, which ends
  only with its process);
- everywhere, a daemon thread that looks at ``os.getppid()`` every quarter second: once the
  worker has been reparented, its parent is gone, and it exits.

Once the workers are gone, nobody holds the resource tracker's pipe and it exits as well.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time

_POLL = 0.25
_PR_SET_PDEATHSIG = 1


def parent() -> tuple[int, bool]:
    """What a worker is handed to :func:`hold` on: this process's pid, and whether the
    worker is started from the main thread (so that the kernel may tie it to that thread)."""
    return os.getpid(), threading.current_thread() is threading.main_thread()


def hold(parent_pid: int, from_main_thread: bool = False) -> None:
    """In a worker: die with ``parent_pid``. Returns at once; exits the process if the
    parent is gone already."""
    if from_main_thread and sys.platform.startswith("linux"):
        _pdeathsig()
    if os.getppid() != parent_pid:
        os._exit(1)
    threading.Thread(target=_watch, args=(parent_pid,), name="certledger-lifeline", daemon=True).start()


def _pdeathsig() -> None:
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # no prctl here: the watching thread still does it
        pass


def _watch(parent_pid: int) -> None:
    while os.getppid() == parent_pid:
        time.sleep(_POLL)
    os._exit(1)
