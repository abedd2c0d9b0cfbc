"""``verify --jobs N``: the per-row work in N worker processes, each owning a share of the streams.

Every stream belongs to one worker (its UUID modulo N), which parses its rows, checks their
signatures, their keys' lives, their chain links, and replays their acts under the rules, in
notification order, against its own cache of stream states: a stream's chain never leaves
its worker. An act's rules also consult other streams as they stood at that moment (a
candidacy's sitting, a certificate number's claim: :meth:`Replay._context`), so the rows of
those aggregates go to every worker, and each replays them exactly as their owner does
(keeping only the owner's findings): every worker's sitting is the owner's sitting. What
spans the whole ledger in order — its time line, the Merkle log, the order of findings —
stays in the main process, which reads the pages and merges the results page by page.

With one job the same :class:`Partition` runs in the main process and owns every stream.
"""

from __future__ import annotations

import importlib
import multiprocessing
import queue
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from certledger.domain.acts import declaring_modules
from certledger.domain.certificate_number import CertificateNumber
from certledger.domain.errors import CertLedgerError
from certledger.domain.sitting import ExamSitting
from certledger.domain.trust import TRUST_REGISTRY_ID
from certledger.events import lifeline
from certledger.events.checks import check_rows
from certledger.events.storage import Database, RawRow, canonical_stream_text
from certledger.events.verify_rows import parse_row
from certledger.events.verify_streams import Replay, Streams
from certledger.events.verify_trust import TrustPass

# The aggregates whose state another stream's rules consult (Replay._context): their rows go
# to every worker. Matched on the row's bytes, so a row that names them anywhere is sent too
# (sending more only costs time; sending less would let a worker judge against a stale copy).
_CONSULTED = tuple(f"{cls.__module__}:".encode() for cls in (ExamSitting, CertificateNumber))
_WAIT = 5.0  # seconds between checks that the workers are still alive


@dataclass
class Checked:
    """One row's findings from its owner, in the order ``verify`` reports them, less the
    ledger-wide ones the main process adds (time line, Merkle log)."""

    problems: list[str]
    later: list[str]  # after the time line's problems
    moment: datetime | None = None  # the write time, for the ledger's time line
    signature: tuple[bool, str | None] | None = None  # (holds, why the message is not canonical)
    key_problem: str | None = None
    trust: bool = False
    consulted: list[tuple[UUID, str]] | None = None  # verify --since: streams the rules read


def owner(row: RawRow, jobs: int) -> int:
    """The worker that owns the row's stream (any spelling of one UUID: the same worker)."""
    if jobs == 1:
        return 0
    try:
        return UUID(row.stream).int % jobs
    except (TypeError, ValueError, AttributeError):
        return 0


class Router:
    """Main process: which workers each row of a page goes to."""

    def __init__(self, jobs: int) -> None:
        self.jobs = jobs
        # Streams that have held a consulted aggregate's row: all their later rows go to
        # every worker too, whatever they name (about one stream per certificate issued).
        self.consulted: set[str] = set()

    def split(self, page: list[RawRow]) -> tuple[list[list[tuple[RawRow, bool]]], list[int]]:
        """Each worker's share of the page (row, whether it owns it), and each row's owner."""
        shares: list[list[tuple[RawRow, bool]]] = [[] for _ in range(self.jobs)]
        owners = [owner(row, self.jobs) for row in page]
        for row, mine in zip(page, owners):
            if self.jobs > 1 and self._consulted(row):
                for w, share in enumerate(shares):
                    share.append((row, w == mine))
            else:
                shares[mine].append((row, True))
        return shares, owners

    def _consulted(self, row: RawRow) -> bool:
        if row.stream in self.consulted:
            return True
        state = row.state
        if isinstance(state, memoryview):
            state = bytes(state)
        hit = (isinstance(state, (bytes, bytearray)) and any(m in state for m in _CONSULTED)) or (
            isinstance(row.topic, str) and any(m.decode() in row.topic for m in _CONSULTED))
        if hit and isinstance(row.stream, str):
            self.consulted.add(row.stream)
        return hit


class Partition:
    """A worker's share: the streams it owns, checked; the consulted ones, kept current."""

    def __init__(self, ledger: Any, trust: TrustPass, index: int = 0, jobs: int = 1, since: bool = False) -> None:
        self.backend = ledger.database.backend
        self.trust = trust
        self.index, self.jobs = index, jobs
        self.mirrored: set[UUID] = set()  # consulted streams another worker owns
        streams = Streams(ledger, keeps=self._keeps if jobs > 1 else None)
        self.replay = Replay(ledger, trust, consulted={} if since else None, streams=streams)

    def _keeps(self, stream: UUID) -> bool:
        return stream.int % self.jobs == self.index or stream in self.mirrored

    def check_page(self, first: int, share: list[tuple[RawRow, bool]]) -> list[Checked]:
        """The owned rows' findings, in order; the others only replayed."""
        for row, owned in share:
            if not owned:
                try:
                    self.mirrored.add(UUID(row.stream))
                except (TypeError, ValueError, AttributeError):
                    pass
        self.replay.streams.prefetch(continued_streams((row for row, _ in share), self.backend), first)
        results, jobs, signed = [], [], []
        for row, owned in share:
            checked, job = self._check_row(row)
            if not owned:
                continue
            if job is not None:
                jobs.append(job)
                signed.append(checked)
            results.append(checked)
        for checked, verdict in zip(signed, check_rows(jobs)):
            checked.signature = verdict
        return results

    def _check_row(self, row: RawRow) -> tuple[Checked, tuple[bytes, bytes, bytes] | None]:
        try:
            parsed, problems = parse_row(row, self.backend, strict=False)
            if parsed is None:
                return Checked(problems, []), None
            if parsed.stream == TRUST_REGISTRY_ID:
                # Judged by the trust pass; its time still counts on the ledger's time line.
                return Checked(self.trust.findings.get(row.notification_id, []), [], parsed.opened.timestamp, trust=True), None
            problems, later, job, key_problem = self.replay.check(parsed)
            checked = Checked(problems, later, parsed.opened.timestamp, key_problem=key_problem)
            if self.replay.consulted is not None:
                checked.consulted = list(self.replay.consulted.items())
                self.replay.consulted.clear()
            return checked, job
        except Exception as e:  # noqa: BLE001 - verify reports, it never crashes on a row
            if self.replay.consulted is not None:
                self.replay.consulted.clear()
            return Checked([f"this row cannot be checked ({type(e).__name__}: {e})"], []), None


def continued_streams(rows: Iterable[RawRow], backend: str) -> set[UUID]:
    """The (canonically spelled) streams whose earlier versions lie before these rows."""
    first = {}
    for row in rows:
        if isinstance(row.stream, str) and type(row.version) is int and row.stream not in first:
            first[row.stream] = row.version
    streams = set()
    for text, version in first.items():
        try:
            stream = UUID(text)
        except ValueError:
            continue
        if version > 1 and text == canonical_stream_text(backend, stream) and stream != TRUST_REGISTRY_ID:
            streams.add(stream)
    return streams


def _work(parent: tuple[int, bool], modules: list[str], database: Database, trust: TrustPass, index: int, jobs: int,
          since: bool, inbox: Any, outbox: Any) -> None:
    """A worker process: pages in, the owned rows' findings out, until None; it dies with
    the process that started it (``parent``: :func:`events.lifeline.hold`)."""
    lifeline.hold(*parent)
    from certledger.events.ledger import Ledger

    for module in modules:  # the acts the caller knows (a test's or a benchmark's too)
        importlib.import_module(module)

    ledger = Ledger(database, verify_on_read=False, read_only=True)
    partition = Partition(ledger, trust, index, jobs, since)
    while (item := inbox.get()) is not None:
        first, share = item
        outbox.put(partition.check_page(first, share))


class Workers:
    """``jobs`` worker processes, one inbox and one outbox each; pages go out and come back
    in order (a queue's feeder thread sends, so neither side blocks the other)."""

    def __init__(self, database: Database, trust: TrustPass, jobs: int, since: bool) -> None:
        # spawn, not fork: this process holds database connections and pool threads.
        context = multiprocessing.get_context("spawn")
        self.inboxes = [context.Queue() for _ in range(jobs)]
        self.outboxes = [context.Queue() for _ in range(jobs)]
        self.processes = [
            context.Process(target=_work, args=(lifeline.parent(), declaring_modules(), database, trust, i, jobs, since, self.inboxes[i], self.outboxes[i]),
                            name=f"certledger-verify-{i}", daemon=True)
            for i in range(jobs)
        ]
        for process in self.processes:
            process.start()

    def send(self, first: int, shares: list[list[tuple[RawRow, bool]]]) -> None:
        for inbox, share in zip(self.inboxes, shares):
            inbox.put((first, share))

    def receive(self) -> list[list[Checked]]:
        results = []
        for process, outbox in zip(self.processes, self.outboxes):
            while True:
                try:
                    results.append(outbox.get(timeout=_WAIT))
                    break
                except queue.Empty:
                    if not process.is_alive():
                        raise CertLedgerError(f"verify worker {process.name} stopped (exit {process.exitcode})") from None
        return results

    def close(self) -> None:
        for inbox, process in zip(self.inboxes, self.processes):
            inbox.cancel_join_thread()  # a worker that stopped reading must not hold up our exit
            if process.is_alive():
                inbox.put(None)
        for process in self.processes:
            process.join(timeout=_WAIT)
            if process.is_alive():
                process.terminate()
                process.join()
