"""``certledger verify``: check every stored event, in notification order, in constant memory.

For each event: the envelope parses and sits in the row it was signed for; the signature
verifies; the signer's key belongs to the acting party, was registered earlier in the
ledger, and was valid at the event's time (with every revocation the ledger records, even
later ones); the stream's versions run without gaps and each event names the digest of
its predecessor. Memory stays flat: a page of events, plus one indexed query per page for
the predecessors that lie outside the page, plus the (small) keyring.

Known limit: deleting the *last* events of a stream leaves a shorter chain that is still
consistent. Nothing in a per-stream hash chain can see that; a signed checkpoint of the
whole ledger can, and is not built yet.
"""

from __future__ import annotations

import multiprocessing
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from uuid import UUID

from eventsourcing.utils import get_topic

from certledger.domain.errors import CertLedgerError, StorageError, TamperError
from certledger.domain.parties import ROOT_PARTY
from certledger.domain.trust import TRUST_REGISTRY_ID, TrustRegistry
from certledger.events import envelope
from certledger.events.ledger import Ledger
from certledger.events.storage import Row
from certledger.signing.keyring import Keyring
from certledger.signing.keys import signature_holds, verify_many

_REGISTERS_KEY = {
    get_topic(TrustRegistry.Initialised): "root_key_id",
    get_topic(TrustRegistry.KeyAdded): "key_id",
}


@dataclass(frozen=True)
class Finding:
    """One event that does not verify, and every reason why."""

    notification_id: int
    stream: UUID
    version: int
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
            "stream": str(self.stream),
            "version": self.version,
            "topic": self.topic,
            "problems": list(self.problems),
        }


@dataclass
class Report:
    events: int = 0
    trust_events: int = 0
    findings: int = 0
    root_keys: list[str] = field(default_factory=list)
    parties: int = 0
    keys: int = 0
    revoked_keys: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.findings == 0 and self.events > 0

    def to_json(self) -> dict[str, object]:
        rate = self.events / self.seconds if self.seconds else None
        return {
            "ok": self.ok,
            "events": self.events,
            "trust_events": self.trust_events,
            "bad_events": self.findings,
            "root_keys": self.root_keys,
            "parties": self.parties,
            "keys": self.keys,
            "revoked_keys": self.revoked_keys,
            "seconds": round(self.seconds, 3),
            "events_per_second": round(rate) if rate else None,
        }


def final_keyring(ledger: Ledger) -> tuple[Keyring, TrustRegistry | None]:
    """Every key with every revocation the ledger records, read without trusting it yet:
    the main pass checks these trust events like all others."""
    registry: TrustRegistry | None = None
    for stored in ledger.recorder.select_events(TRUST_REGISTRY_ID):
        try:
            registry = ledger.mapper.to_domain_event(stored).mutate(registry)
        except (CertLedgerError, ValueError, KeyError, TypeError):
            break  # the main pass names this event
    return Keyring(dict(registry.keys) if registry else {}), registry


def verify_ledger(
    ledger: Ledger,
    report: Report,
    *,
    pinned_root: str | None = None,
    page_size: int = 1000,
    progress: Callable[[int], None] | None = None,
    jobs: int = 1,
) -> Iterator[Finding]:
    """Yield a :class:`Finding` for each bad event, in notification order; fill ``report``.

    With ``jobs > 1`` the Ed25519 checks of each page run in that many worker processes
    (they dominate the cost, and cryptography holds the GIL while verifying); everything
    else stays in this process, and at most ``jobs + 1`` pages are in flight.
    """
    started = time.perf_counter()
    keyring, registry = final_keyring(ledger)
    if registry is None:
        raise StorageError(f"{ledger.database.describe()} holds no ledger (no genesis event)")
    report.parties = len(registry.parties)
    report.keys = len(registry.keys)
    report.revoked_keys = sum(1 for k in registry.keys.values() if k.revoked_at is not None)
    report.root_keys = [k.key_id for k in registry.keys_of(ROOT_PARTY)]
    registered: set[str] = set()

    pool = _worker_pool(jobs)
    in_flight: deque[tuple[list[_Checked], Future[list[bool]] | list[bool], int]] = deque()
    try:
        for page in ledger.rows.pages(page_size):
            in_page = {(r.stream, r.version): r.state for r in page}
            wanted = {(r.stream, r.version - 1) for r in page if r.version > 1} - in_page.keys()
            outside = ledger.rows.states(wanted)
            checked = [_check_row(row, keyring, registered, in_page, outside, pinned_root) for row in page]
            jobs_of_page = [c.signature_job for c in checked if c.signature_job is not None]
            results = pool.submit(verify_many, jobs_of_page) if pool else verify_many(jobs_of_page)
            in_flight.append((checked, results, len(page)))
            while len(in_flight) > (jobs if pool else 0):
                yield from _finish(in_flight.popleft(), report, progress)
        while in_flight:
            yield from _finish(in_flight.popleft(), report, progress)
    finally:
        if pool:
            pool.shutdown(cancel_futures=True)
    report.seconds = time.perf_counter() - started


def _worker_pool(jobs: int) -> ProcessPoolExecutor | None:
    if jobs <= 1:
        return None
    # spawn, not fork: this process holds database connections and pool threads.
    return ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn"))


@dataclass
class _Checked:
    """A row after every check but its signature, which may be running elsewhere."""

    row: Row
    problems: list[str]
    signature_job: tuple[bytes, bytes, bytes] | None = None
    key_problem: str | None = None
    signature_at: int = 0  # where in ``problems`` the signature's verdict belongs


def _finish(item, report: Report, progress) -> Iterator[Finding]:
    checked, results, size = item
    holds = iter(results.result() if isinstance(results, Future) else results)
    for c in checked:
        problems = c.problems
        if c.signature_job is not None:
            problem = envelope.signature_problem(c.key_problem, next(holds))
            if problem:
                problems = [*problems[: c.signature_at], problem, *problems[c.signature_at :]]
        report.events += 1
        if c.row.stream == TRUST_REGISTRY_ID:
            report.trust_events += 1
        if problems:
            report.findings += 1
            yield Finding(c.row.notification_id, c.row.stream, c.row.version, c.row.topic, tuple(problems))
    if progress:
        progress(size)


def _check_row(row: Row, keyring: Keyring, registered: set[str], in_page, outside, pinned_root) -> _Checked:
    problems: list[str] = []
    try:
        opened = envelope.open_state(row.state)
    except TamperError as e:
        return _Checked(row, [str(e)])
    try:
        envelope.check_placement(opened, row.stream, row.version, row.topic)
    except TamperError as e:
        problems.append(str(e))
    checked = _Checked(row, problems)
    public, key_problem = envelope.signing_key(opened, keyring, pinned_root)
    if public is None:
        problems.append(key_problem or "no key to verify with")
    elif row.stream == TRUST_REGISTRY_ID:
        # Checked here and now: whether it holds decides which keys count as registered.
        problem = envelope.signature_problem(key_problem, signature_holds(public, opened.signature, opened.message))
        if problem:
            problems.append(problem)
    else:
        checked.signature_job = (public, opened.signature, opened.message)
        checked.key_problem = key_problem
        checked.signature_at = len(problems)
    is_genesis = envelope.genesis_key(row.stream, row.version, opened.payload) is not None
    if not is_genesis and opened.signer in keyring and opened.signer not in registered:
        problems.append(f"T-4: signed by key {opened.signer} before the ledger registered it")
    if row.version == 1:
        if opened.prev != envelope.GENESIS_PREV:
            problems.append("first version of the stream does not start the chain")
    else:
        previous = in_page.get((row.stream, row.version - 1)) or outside.get((row.stream, row.version - 1))
        if previous is None:
            problems.append(f"version {row.version - 1} of this stream is missing")
        elif envelope.digest(previous) != opened.prev:
            problems.append(f"chain broken: prev is not the digest of version {row.version - 1}")
    if not problems and row.stream == TRUST_REGISTRY_ID:
        field_name = _REGISTERS_KEY.get(row.topic)
        if field_name:
            registered.add(opened.payload.get(field_name, ""))
    return checked
