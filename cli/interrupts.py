"""Ctrl-C with worker processes: one line from us, not a traceback from every worker.

The terminal sends SIGINT to the whole foreground process group, so the processes that
check signatures (``verify --jobs``) would each die printing a KeyboardInterrupt traceback.
While :func:`only_here` is active SIGINT is blocked in this process, and the mask is
inherited by every process started meanwhile, so workers never see it; a thread of ours
takes the signal and interrupts the main thread, which the CLI turns into exit 130.
"""

from __future__ import annotations

import _thread
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from multiprocessing import resource_tracker


@contextmanager
def only_here() -> Iterator[None]:
    if not hasattr(signal, "pthread_sigmask"):  # not POSIX: nothing to do
        yield
        return
    # Started now, or starting it with the first worker would unblock SIGINT here again.
    resource_tracker.ensure_running()
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    done = threading.Event()

    def relay() -> None:
        signal.sigwait({signal.SIGINT})
        if not done.is_set():
            _thread.interrupt_main()

    threading.Thread(target=relay, name="certledger-sigint", daemon=True).start()
    try:
        yield
    finally:
        done.set()
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)
