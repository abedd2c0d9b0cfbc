"""Worker processes die with their parent (issue 20 item 8): ``kill -9`` of ``certledger
import scores`` (a 21,000-row table, where its signature workers start) or of ``certledger
verify --jobs 2``, while its workers run, leaves no worker and no multiprocessing resource
tracker behind. Real processes, a real SIGKILL; the ledger is SQLite (the processes, not the
backend, are under test)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.helpers import PASSPHRASE
from tests.test_import import D, HEADERS_ZH, SITTING, make_ledger, score_rows, write_csv

ROWS = 21_000  # above cli.import_cmd.PARALLEL_FROM
pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc (Linux)")


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("big-ledger")
    make_ledger(str(work / "ledger.db"), work / "keys", ROWS)
    write_csv(work / "scores.csv", HEADERS_ZH, score_rows(ROWS))
    return work


def _stat(pid: int) -> tuple[int, str] | None:
    """(parent pid, state) of a live process, None if it is gone (or a zombie)."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    state, ppid = text.rpartition(")")[2].split()[:2]
    return None if state in ("Z", "X") else (int(ppid), state)


def _descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (found := _stat(int(entry.name))) is not None:
            children.setdefault(found[0], []).append(int(entry.name))
    out, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            out.add(child)
            todo.append(child)
    return out


def _command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def _kill_while_workers_run(work: Path, *args: str) -> None:
    """Run certledger with ``args`` on a copy of the big ledger; once its workers and the
    resource tracker are up (and running a while), SIGKILL it; every process it started must
    be gone within 5 s."""
    db = work / f"ledger-{args[0]}.db"
    shutil.copy(work / "ledger.db", db)
    certledger = Path(sys.executable).parent / "certledger"
    env = {**os.environ, "CERTLEDGER_KEY_PASSPHRASE": PASSPHRASE.decode()}
    parent = subprocess.Popen([str(certledger), "--db", str(db), "--keys", str(work / "keys"), *args], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    started: set[int] = set()
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and parent.poll() is None:
            started = _descendants(parent.pid)
            lines = [_command_line(p) for p in started]
            if sum("multiprocessing.spawn" in c for c in lines) >= 2 and any("resource_tracker" in c for c in lines):
                break
            time.sleep(0.05)
        else:
            pytest.fail(f"{args[0]}: no two workers and a resource tracker seen (exit {parent.returncode})")
        time.sleep(1.5)  # the workers are at work (or waiting for it), not starting up
        assert parent.poll() is None, f"{args[0]} finished before it could be killed: make the ledger bigger"
        started |= _descendants(parent.pid)
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait()
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and any(_stat(p) for p in started):
            time.sleep(0.1)
        left = {p: _command_line(p) for p in started if _stat(p)}
        assert not left, f"after kill -9 of {args[0]}, still running: {left}"
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait()
        for pid in started:  # whatever this test started and left behind, by its pid
            if _stat(pid):
                os.kill(pid, signal.SIGKILL)


def test_kill_9_of_verify_jobs_2_leaves_no_worker_running(big: Path) -> None:
    _kill_while_workers_run(big, "verify", "--jobs", "2")


def test_kill_9_of_a_big_score_import_leaves_no_worker_running(big: Path) -> None:
    if (os.cpu_count() or 1) < 2:
        pytest.skip("the import starts workers only with two cores or more")
    _kill_while_workers_run(big, "import", "scores", str(big / "scores.csv"), "--sitting", SITTING,
                            "--as", "exam-center", "--on", D.isoformat())
