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

import json
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from certledger.domain import clock
from certledger.domain.errors import CertLedgerError, TamperError
from certledger.domain.parties import ROOT_PARTY
from certledger.domain.trust import TRUST_REGISTRY_ID
from certledger.events import envelope
from certledger.events.checkpoints import recorded_checkpoints, trust_head_at
from certledger.events import status_line, status_list
from certledger.events.status_list import StatusTracker
from certledger.events.ledger import Ledger
from certledger.events.storage import RawRow
from certledger.events.verify_rows import TimeLine
from certledger.events.verify_workers import Checked, Partition, Router, Workers
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
    store: dict[str, str] | None = None  # which database, schema and table were read

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
            "store": self.store,
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

    With ``jobs > 1`` every per-row check (parsing, signature, key, chain, the act's rules)
    runs in that many worker processes, each owning a share of the streams
    (:mod:`events.verify_workers`); this process reads the pages, keeps the ledger's time line
    and Merkle log, and merges the findings in notification order. At most ``jobs + 1`` pages
    are in flight.
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
    log = LogPass(trust.registry, trust.ledger_id, backend, kept_checkpoint, summary=report.log,
                  frontier=since.frontier if since else Frontier(), trust_head=_covered_trust_head(ledger, since),
                  status=_status_tracker(ledger, since, since_note))
    yield from _ledger_findings(report, log.open_kept())
    after = since.boundary if since else None
    router = Router(jobs)
    time_line = TimeLine(real_clock=trust.registry.clock != clock.SIMULATED)
    workers = Workers(ledger.database, trust, jobs, since is not None) if jobs > 1 else None
    partition = Partition(ledger, trust, since=since is not None) if workers is None else None
    in_flight: deque[tuple[list[RawRow], list[int] | None, list[list[Checked]] | None]] = deque()
    try:
        for page in ledger.rows.raw_pages(page_size, after=after):
            if since is not None:
                for row in page:
                    verify_since.touch(since, row, backend)
            first = page[0].notification_id
            if partition is not None:
                in_flight.append((page, None, [partition.check_page(first, [(row, True) for row in page])]))
            else:
                assert workers is not None
                shares, owners = router.split(page)
                workers.send(first, shares)
                in_flight.append((page, owners, None))
            while len(in_flight) > (jobs if workers else 0):
                yield from _finish(*in_flight.popleft(), workers, report, progress, log, time_line, since)
        while in_flight:
            yield from _finish(*in_flight.popleft(), workers, report, progress, log, time_line, since)
    finally:
        if workers is not None:
            workers.close()
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


def _status_tracker(ledger: Ledger, since: Any, since_note: str | None) -> StatusTracker:
    """What recomputes each checkpoint's status list: from nothing, or (--since) from the
    list the kept note names, stored with that checkpoint."""
    if since is None or since.boundary is None or since_note is None:
        return StatusTracker(ledger)
    bound = status_line.of_note(since_note)
    stored = [c for c in recorded_checkpoints(ledger) if c.size == since.size]
    text = stored[0].status_list if stored else None
    if bound is None or text is None or status_list.list_digest(text) != bound[1]:
        raise TamperError(f"--since: the status list stored with checkpoint {since.size} is not the one the kept note "
                          "names: run a full 'certledger verify --checkpoint FILE'")
    return StatusTracker(ledger, status_list.snapshot_of_list(json.loads(text), since.boundary))


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


def _finish(page: list[RawRow], owners: list[int] | None, results: list[list[Checked]] | None, workers: Workers | None,
            report: Report, progress, log: LogPass, time_line: TimeLine, since: Any) -> Iterator[Finding]:
    """A page's findings, its rows' results merged back into notification order."""
    if results is None:
        assert workers is not None
        results = workers.receive()
    shares = [iter(r) for r in results]
    for i, row in enumerate(page):
        c = next(shares[owners[i] if owners is not None else 0])
        times = time_line.problems(c.moment) if c.moment is not None else []
        problems = (c.problems if c.trust else c.problems + times + c.later) + log.feed(row)
        if c.signature is not None:
            signature_holds, not_canonical = c.signature
            problem = envelope.signature_problem(c.key_problem, signature_holds)
            problems = [p for p in (problem, not_canonical) if p] + problems
        if since is not None and c.consulted:
            since.touched.update(c.consulted)
        report.events += 1
        if c.trust:
            report.trust_events += 1
        if problems:
            report.findings += 1
            yield Finding(
                row.notification_id,
                _stream_label(row.stream),
                row.version,
                row.topic if isinstance(row.topic, str) else repr(row.topic),
                tuple(problems),
            )
    if progress:
        progress(len(page))
