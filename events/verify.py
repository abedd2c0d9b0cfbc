"""``certledger verify``: every stored row, in notification order, judged as the write path
would have judged it.

Threat model: whoever controlled the database could write any row and holds one
low-privilege key. An OK then means, for every row:

1. **One identity.** The row is well formed, its stream id is spelled canonically (so no
   row is an alias of another), and its state is a canonical format-2 envelope signed for
   exactly this place (stream, version, topic) in exactly this ledger.
2. **Authentic.** The signature verifies under a key registered to the acting party
   earlier in the ledger, not revoked earlier in the ledger, and valid at the event's time
   by every revocation the ledger records (a compromised key revoked retroactively).
3. **Authorised by the rules as they stood.** The act's own command, re-run on the state
   just before (:mod:`events.replay`), records exactly this event: T-1…T-4 for the trust
   registry, R-1…R-19 and L-1…L-3 for the lifecycle.
4. **In time order.** Each stream's chain names its predecessor's digest with no version
   gap; write times never go backwards within a stream, nor across the ledger by more than
   :data:`events.verify_rows.CLOCK_SKEW` (concurrent writers sign, then commit in turn).

5. **Covered by its checkpoints.** Every row is a leaf of the Merkle log, recomputed here;
   each recorded checkpoint must cover exactly the rows before it, with their root, in a
   note HRSS signed (:mod:`events.verify_log`), and a checkpoint note the auditor kept
   (``--checkpoint FILE``) must match the recomputed tree at its size.

Not covered: rows removed from the end of the ledger *after* its latest checkpoint (the
checkpoint events included) leave a shorter, consistent ledger; only a checkpoint note kept
outside the database (``--checkpoint FILE``) shows they are gone.

Memory stays bounded: a page of rows, the trust registry, and a bounded cache of
aggregate states (a stream that falls out of it is rebuilt from its rows when next needed).
"""

from __future__ import annotations

import multiprocessing
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from certledger.domain import clock
from certledger.domain.errors import CertLedgerError
from certledger.domain.parties import ROOT_PARTY
from certledger.domain.trust import TRUST_REGISTRY_ID
from certledger.events import envelope
from certledger.events.checkpoints import trust_head_at
from certledger.events.checks import check_rows
from certledger.events.ledger import Ledger
from certledger.events.storage import RawRow, canonical_stream_text
from certledger.events.verify_rows import parse_row
from certledger.events.verify_streams import Replay
from certledger.events import verify_since
from certledger.events.merkle import Frontier
from certledger.events.verify_log import LogPass, LogSummary
from certledger.events.verify_trust import TrustPass, replay_trust


@dataclass(frozen=True)
class Finding:
    """One row that does not verify, and every reason why."""

    notification_id: int
    stream: str
    version: object
    topic: str
    problems: tuple[str, ...]

    def describe(self) -> str:
        return (
            f"notification {self.notification_id}: stream {self.stream} version {self.version} "
            f"({self.topic}): " + "; ".join(self.problems)
        )

    def to_json(self) -> dict[str, object]:
        return {
            "notification_id": self.notification_id,
            "stream": self.stream,
            "version": self.version if isinstance(self.version, int) else repr(self.version),
            "topic": self.topic,
            "problems": list(self.problems),
        }


@dataclass
class Report:
    """What was verified: enough for an auditor to say which ledger, up to where."""

    ledger_id: str | None = None
    events: int = 0
    trust_events: int = 0
    findings: int = 0
    genesis_root_key: str | None = None
    current_root_keys: list[str] = field(default_factory=list)
    pinned_root_key: str | None = None
    clock: str | None = None
    head_notification_id: int | None = None
    head_digest: str | None = None
    parties: int = 0
    keys: int = 0
    revoked_keys: int = 0
    seconds: float = 0.0
    verified_at: str = ""
    log: LogSummary = field(default_factory=LogSummary)
    since: dict[str, Any] | None = None  # verify --since: what was and was not re-verified

    @property
    def ok(self) -> bool:
        return self.findings == 0 and self.events > 0

    def to_json(self) -> dict[str, object]:
        rate = self.events / self.seconds if self.seconds else None
        return {
            "ok": self.ok,
            "ledger_id": self.ledger_id,
            "events": self.events,
            "trust_events": self.trust_events,
            "bad_events": self.findings,
            "head": {"notification_id": self.head_notification_id, "digest": self.head_digest},
            "genesis_root_key": self.genesis_root_key,
            "current_root_keys": self.current_root_keys,
            "pinned_root_key": self.pinned_root_key,
            "clock": self.clock,
            "parties": self.parties,
            "keys": self.keys,
            "revoked_keys": self.revoked_keys,
            "envelope_format": envelope.FORMAT,
            "tool": f"certledger {tool_version()}",
            "verified_at": self.verified_at,
            "seconds": round(self.seconds, 3),
            "events_per_second": round(rate) if rate else None,
            "merkle_log": self.log.to_json(),
            "since": self.since,
        }


def tool_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("certledger")
    except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "unknown"


def verify_ledger(
    ledger: Ledger,
    report: Report,
    *,
    pinned_root: str | None = None,
    page_size: int = 1000,
    progress: Callable[[int], None] | None = None,
    jobs: int = 1,
    kept_checkpoint: str | None = None,
    since_note: str | None = None,
) -> Iterator[Finding]:
    """Yield a :class:`Finding` for each bad row, in notification order; fill ``report``.

    With ``jobs > 1`` the Ed25519 checks of each page run in that many worker processes
    (cryptography holds the GIL while verifying); at most ``jobs + 1`` pages are in flight.
    """
    started = time.perf_counter()
    trust = replay_trust(ledger, pinned_root)
    if trust.registry is None:
        # Nothing can be judged without a genesis: name what the trust stream holds, and stop.
        yield from _without_genesis(ledger, trust, report)
        report.seconds = time.perf_counter() - started
        return
    _describe_trust(report, trust, ledger, pinned_root)
    backend = ledger.database.backend
    since = verify_since.start(ledger, trust.registry, trust.ledger_id, since_note) if since_note is not None else None
    replay = Replay(ledger, trust, consulted=since.touched if since is not None else None)
    log = LogPass(trust.registry, trust.ledger_id, backend, kept_checkpoint, summary=report.log,
                  frontier=since.frontier if since else Frontier(), trust_head=_covered_trust_head(ledger, since))
    yield from _ledger_findings(report, log.open_kept())
    after = since.boundary if since else None
    pool = _worker_pool(jobs)
    in_flight: deque[tuple[list[_Checked], Any, int]] = deque()
    try:
        for page in ledger.rows.raw_pages(page_size, after=after):
            if since is not None:
                for row in page:
                    verify_since.touch(since, row, backend)
            replay.streams.prefetch(_continued_streams(page, backend), page[0].notification_id)
            checked = [_check_row(row, backend, trust, replay) for row in page]
            signature_jobs = [c.job for c in checked if c.job is not None]
            results = pool.submit(check_rows, signature_jobs) if pool else check_rows(signature_jobs)
            in_flight.append((checked, results, len(page)))
            while len(in_flight) > (jobs if pool else 0):
                yield from _finish(in_flight.popleft(), report, progress, log)
        while in_flight:
            yield from _finish(in_flight.popleft(), report, progress, log)
    finally:
        if pool:
            pool.shutdown(cancel_futures=True)
    yield from _ledger_findings(report, log.finish())
    if since is not None:
        latest = (report.log.latest_size, report.log.latest_root) if report.log.latest_size is not None else None
        yield from _ledger_findings(report, verify_since.finish(since, ledger, latest))
        report.since = since.to_json()
    stored = ledger.rows.count(after=after)
    if stored != report.events:  # defence in depth: every row must have passed through here
        report.findings += 1
        yield Finding(0, "", None, "", (f"the table holds {stored} rows but verify read {report.events}",))
    head = ledger.rows.head()
    if head is not None:
        report.head_notification_id = head.notification_id
        report.head_digest = envelope.digest(head.state) if isinstance(head.state, bytes) else None
    report.seconds = time.perf_counter() - started


def _covered_trust_head(ledger: Ledger, since: Any) -> tuple[int, str] | None:
    """--since: the trust registry's last covered row (pinned by ``verify_since.finish``),
    where the log pass's trust head starts (a checkpoint recorded since must bind it, L-5)."""
    if since is None or since.boundary is None:
        return None
    try:
        return trust_head_at(ledger, since.boundary)
    except CertLedgerError:
        return None  # verify_since.finish() reports the trust registry's covered rows


def _without_genesis(ledger: Ledger, trust: TrustPass, report: Report) -> Iterator[Finding]:
    """The trust stream's findings, led by the one that matters: there is no valid genesis,
    so nothing else in the database can be judged."""
    report.verified_at = datetime.now(clock.CST).isoformat(timespec="seconds")
    report.events = ledger.rows.count()
    rows = {row.notification_id: row for row in ledger.rows.raw_stream(TRUST_REGISTRY_ID)}
    problems = dict(trust.findings)
    anchor = min(rows, default=0)
    problems[anchor] = ["no valid genesis event: nothing in this database can be verified", *problems.get(anchor, [])]
    for nid in sorted(problems):
        row = rows.get(nid)
        report.findings += 1
        topic = row.topic if row is not None and isinstance(row.topic, str) else ""
        yield Finding(nid, str(TRUST_REGISTRY_ID), row.version if row else None, topic, tuple(problems[nid]))


def _continued_streams(page: list[RawRow], backend: str) -> set[UUID]:
    """The (canonically spelled) streams whose earlier versions lie before this page."""
    first = {}
    for row in page:
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


def _describe_trust(report: Report, trust: TrustPass, ledger: Ledger, pinned_root: str | None) -> None:
    registry = trust.registry
    assert registry is not None
    report.ledger_id = trust.ledger_id
    report.genesis_root_key = trust.genesis_root_key
    report.pinned_root_key = pinned_root
    report.clock = registry.clock
    report.parties = len(registry.parties)
    report.keys = len(registry.keys)
    report.revoked_keys = sum(1 for k in registry.keys.values() if k.revoked_at is not None)
    report.current_root_keys = [k.key_id for k in registry.keys_of(ROOT_PARTY) if k.revoked_at is None]
    report.verified_at = datetime.now(clock.CST).isoformat(timespec="seconds")


def _worker_pool(jobs: int) -> ProcessPoolExecutor | None:
    if jobs <= 1:
        return None
    # spawn, not fork: this process holds database connections and pool threads.
    return ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn"))


@dataclass
class _Checked:
    """A row after every check but its signature, which may be running elsewhere."""

    row: RawRow
    problems: list[str]
    job: tuple[bytes, bytes, bytes] | None = None
    key_problem: str | None = None
    trust: bool = False


def _check_row(row: RawRow, backend: str, trust: TrustPass, replay: Replay) -> _Checked:
    try:
        parsed, problems = parse_row(row, backend, strict=False)
        if parsed is None:
            return _Checked(row, problems)
        if parsed.stream == TRUST_REGISTRY_ID:
            replay.time_problems(parsed.opened.timestamp)  # trust events set the ledger's time too
            return _Checked(row, trust.findings.get(row.notification_id, []), trust=True)
        problems, job, key_problem = replay.check(parsed)
        return _Checked(row, problems, job, key_problem)
    except Exception as e:  # noqa: BLE001 - verify reports, it never crashes on a row
        return _Checked(row, [f"this row cannot be checked ({type(e).__name__}: {e})"])


def _stream_label(raw: object) -> str:
    """The stream as people write it (dashed UUID), or exactly as stored if it is none."""
    try:
        return str(UUID(raw)) if isinstance(raw, str) else repr(raw)
    except ValueError:
        return repr(raw)


def _ledger_findings(report: Report, problems: list[str]) -> Iterator[Finding]:
    """Problems of the ledger as a whole (no one row to name): notification 0."""
    if problems:
        report.findings += 1
        yield Finding(0, "", None, "", tuple(problems))


def _finish(item, report: Report, progress, log: LogPass) -> Iterator[Finding]:
    checked, results, size = item
    holds = iter(results.result() if isinstance(results, Future) else results)
    for c in checked:
        problems = c.problems + log.feed(c.row)
        if c.job is not None:
            signature_holds, not_canonical = next(holds)
            problem = envelope.signature_problem(c.key_problem, signature_holds)
            problems = [p for p in (problem, not_canonical) if p] + problems
        report.events += 1
        if c.trust:
            report.trust_events += 1
        if problems:
            report.findings += 1
            yield Finding(
                c.row.notification_id,
                _stream_label(c.row.stream),
                c.row.version,
                c.row.topic if isinstance(c.row.topic, str) else repr(c.row.topic),
                tuple(problems),
            )
    if progress:
        progress(size)
