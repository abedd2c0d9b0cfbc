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
   :data:`CLOCK_SKEW` (concurrent writers sign, then commit in turn).

Not covered without a checkpoint the auditor kept: rows removed from the *end* of a stream
or of the ledger leave a shorter history that is still consistent. Signed checkpoints over
a Merkle log (issue 7) close that.

Memory stays bounded: a page of rows, the trust registry, and a bounded cache of
aggregate states (a stream that falls out of it is rebuilt from its rows when next needed).
"""

from __future__ import annotations

import multiprocessing
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from certledger.domain import clock
from certledger.domain.acts import declarations
from certledger.domain.errors import CertLedgerError, TamperError
from certledger.domain.parties import ROOT_PARTY
from certledger.domain.trust import TRUST_REGISTRY_ID, TrustRegistry
from certledger.events import envelope
from certledger.events.ledger import Ledger
from certledger.events.checks import check_rows
from certledger.events.mapper import domain_event
from certledger.events.replay import admit
from certledger.events.storage import RawRow, canonical_stream_text
from certledger.events.canonical import canonical_bytes
from certledger.signing import keys, possession
from certledger.signing.keys import signature_holds

CLOCK_SKEW = timedelta(seconds=60)
"""How far a write time may lie before the latest one already in the ledger: writers take
their time stamp when they sign and commit in turn, so stamps interleave a little."""

STATE_CACHE = 10_000  # aggregate states held at once while replaying (misses are rebuilt a page at a time)


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
        }


def tool_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("certledger")
    except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "unknown"


# -- reading one row -----------------------------------------------------------------------


@dataclass
class _Parsed:
    """A row whose envelope opened, and the checks that need nothing but the row."""

    row: RawRow
    stream: UUID
    version: int
    opened: envelope.Opened
    problems: list[str]


def _parse(row: RawRow, backend: str, *, strict: bool = True) -> tuple[_Parsed | None, list[str]]:
    """Open a raw row. Returns the parsed row (None if it cannot be read at all) and what
    is wrong with it. ``strict=False``: the caller checks the message's canonical form
    itself (in a worker), as :func:`envelope.open_state` says."""
    problems: list[str] = []
    stream: UUID | None = None
    if not isinstance(row.stream, str):
        problems.append(f"stream id is {type(row.stream).__name__}, not text")
    else:
        try:
            stream = UUID(row.stream)
        except ValueError:
            problems.append(f"stream id {row.stream!r} is not a UUID")
        else:
            if row.stream != canonical_stream_text(backend, stream):
                problems.append(
                    f"stream id {row.stream!r} is not spelled canonically "
                    f"({canonical_stream_text(backend, stream)!r}): an alias of another row's stream"
                )
    if type(row.version) is not int or row.version < 1:
        problems.append(f"version {row.version!r} is not a positive integer")
    if not isinstance(row.topic, str):
        problems.append(f"topic is {type(row.topic).__name__}, not text")
    try:
        opened = envelope.open_state(row.state, strict=strict)
    except TamperError as e:
        return None, [*problems, str(e)]
    if problems or stream is None:
        return None, problems
    try:
        envelope.check_placement(opened, stream, row.version, row.topic)
    except TamperError as e:
        problems.append(str(e))
    return _Parsed(row, stream, row.version, opened, problems), problems


# -- the trust registry, first ---------------------------------------------------------------


@dataclass
class _KeyLife:
    """When, in ledger order, a key was registered and revoked (notification ids)."""

    registered_at: int
    revoked_at: int | None = None


@dataclass
class TrustPass:
    """The trust registry replayed on its own, before everything else: which keys count,
    from where in the ledger, with every revocation (even a later, retroactive one)."""

    ledger_id: str | None = None
    registry: TrustRegistry | None = None
    genesis_root_key: str | None = None
    lives: dict[str, _KeyLife] = field(default_factory=dict)
    admitted: list[Any] = field(default_factory=list)  # the trust events that count
    findings: dict[int, list[str]] = field(default_factory=dict)
    last_digest: str | None = None
    last_version: int = 0
    last_time: datetime | None = None
    newest_time: datetime | None = None


def replay_trust(ledger: Ledger, pinned_root: str | None) -> TrustPass:
    trust = TrustPass()
    backend = ledger.database.backend
    for row in ledger.rows.raw_stream(TRUST_REGISTRY_ID):
        parsed, problems = _parse(row, backend)
        if parsed is not None:
            problems = [*problems, *_check_trust_event(trust, parsed, pinned_root)]
        if problems:
            trust.findings[row.notification_id] = problems
    return trust


def _check_trust_event(trust: TrustPass, parsed: _Parsed, pinned_root: str | None) -> list[str]:
    opened, nid = parsed.opened, parsed.row.notification_id
    problems: list[str] = []
    genesis = parsed.version == 1
    pin_problem = None
    if genesis:
        if trust.registry is not None:
            return ["a second genesis event"]
        public, key_problem = envelope.signing_key(opened, _NO_KEYS, None)
        root = envelope.genesis_key(parsed.stream, parsed.version, opened.payload)
        if pinned_root is not None and root is not None and root[0] != pinned_root:
            # Reported, but the rest is still checked against this ledger's own root.
            pin_problem = f"root key is {root[0]}, not the pinned root {pinned_root}: this is not the ledger you expect"
    else:
        if trust.registry is None:
            return ["a trust event before any genesis event"]
        public, key_problem = _trust_signing_key(trust, opened, nid)
    if public is None:
        problems.append(key_problem or "no key to verify with")
    else:
        problem = envelope.signature_problem(key_problem, signature_holds(public, opened.signature, opened.message))
        if problem:
            problems.append(problem)
    if not genesis:
        try:
            envelope.check_ledger(opened, trust.ledger_id)
        except TamperError as e:
            problems.append(str(e))
    problems += _chain_problems(parsed, trust.last_version, trust.last_digest)
    problems += _stream_time_problems(opened.timestamp, trust.last_time)
    if registry_clock(trust) != clock.SIMULATED and opened.timestamp > datetime.now(clock.CST) + CLOCK_SKEW:
        problems.append(f"written at {opened.timestamp.isoformat()}, in the future of this verification")
    try:
        event = domain_event(opened, parsed.stream, parsed.version)
    except Exception as e:  # noqa: BLE001 - a forged payload can break any conversion
        return [*problems, f"cannot be read as an event ({type(e).__name__}: {e})"]
    try:
        problems += _key_material_problems(event, trust.ledger_id)
    except Exception as e:  # noqa: BLE001 - a forged payload can lack any field
        problems.append(f"the registered key cannot be checked ({type(e).__name__}: {e})")
    registry = trust.registry
    version_before = registry.version if registry is not None else 0
    admission = admit(event, registry, {}, apply_refused=False)
    problems += admission.problems
    # Only a trust event with nothing wrong counts: a refused one registers and revokes nothing.
    if not problems and admission.aggregate is not None:
        trust.registry = admission.aggregate
        trust.admitted.append(event)
        _note_key_life(trust, event, nid)
        if genesis:
            trust.ledger_id = envelope.digest(parsed.row.state)
            trust.genesis_root_key = event.root_key_id
    elif registry is not None:
        if registry.version != version_before:
            # The act ran but the event is rejected (bad signature, other content): undo it.
            trust.registry = registry = _rebuild_registry(trust.admitted)
        # Later trust events follow the stream's numbering, refused ones included.
        registry.version = parsed.version
    trust.last_version = parsed.version
    trust.last_digest = envelope.digest(parsed.row.state)
    trust.last_time = opened.timestamp
    return [pin_problem, *problems] if pin_problem else problems


def registry_clock(trust: TrustPass) -> str:
    return trust.registry.clock if trust.registry is not None else clock.SYSTEM


def _rebuild_registry(admitted: list[Any]) -> TrustRegistry:
    registry = None
    for event in admitted:
        if registry is not None:
            registry.version = event.originator_version - 1  # refused events leave gaps
        registry = event.mutate(registry)
    assert registry is not None
    return registry


def _note_key_life(trust: TrustPass, event: Any, nid: int) -> None:
    if isinstance(event, TrustRegistry.Initialised):
        trust.lives[event.root_key_id] = _KeyLife(nid)
    elif isinstance(event, TrustRegistry.KeyAdded):
        trust.lives[event.key_id] = _KeyLife(nid)
    elif isinstance(event, TrustRegistry.KeyRevoked):
        trust.lives[event.key_id].revoked_at = nid


def _key_material_problems(event: Any, ledger_id: str | None) -> list[str]:
    """A registered key's id is the digest of the public key it registers (T-2); the key is
    sound, and — but for the genesis root, which signs the genesis event itself — comes with
    its holder's proof of possession for this ledger, party and key (T-5)."""
    if isinstance(event, TrustRegistry.Initialised):
        key_id, text = event.root_key_id, event.root_public_key
    elif isinstance(event, TrustRegistry.KeyAdded):
        key_id, text = event.key_id, event.public_key
    else:
        return []
    try:
        raw = keys.public_key_from_text(text)
    except CertLedgerError as e:
        return [f"T-2: the registered public key is unusable: {e}"]
    if keys.key_id_of(raw) != key_id:
        return [f"T-2: key id {key_id} is not the id of the public key it registers ({keys.key_id_of(raw)})"]
    try:
        if isinstance(event, TrustRegistry.KeyAdded):
            proof = getattr(event, "possession", "")  # absent from a forged or pre-T-5 event
            possession.check(raw, proof, ledger_id or "", event.party_id, key_id, encode=canonical_bytes)
        else:
            keys.check_public_key(raw)
    except CertLedgerError as e:
        return [str(e)]
    return []


class _NoKeys:
    def __contains__(self, key_id: object) -> bool:
        return False


_NO_KEYS: Any = _NoKeys()


def _trust_signing_key(trust: TrustPass, opened: envelope.Opened, nid: int) -> tuple[bytes | None, str | None]:
    registry = trust.registry
    assert registry is not None
    entry = registry.keys.get(opened.signer)
    if entry is None:
        return None, f"T-4: key {opened.signer} is not registered in this ledger before this event"
    problem = _key_problem(entry, trust.lives.get(opened.signer), opened, nid)
    return keys.public_key_from_text(entry.public_key), problem


def _key_problem(entry: Any, life: _KeyLife | None, opened: envelope.Opened, nid: int) -> str | None:
    """Why the key may not sign this event, written at ledger position ``nid``; None if it may."""
    reasons = []
    if life is None or life.registered_at >= nid:
        reasons.append(f"key {entry.key_id} signed before the ledger registered it")
    if life is not None and life.revoked_at is not None and life.revoked_at < nid:
        reasons.append(
            f"key {entry.key_id} was revoked (notification {life.revoked_at}) before this event was written"
        )
    moment = opened.timestamp
    if entry.revoked_at is not None and moment >= entry.revoked_at:
        reasons.append(
            f"key {entry.key_id} is revoked from {entry.revoked_at.isoformat()} ({entry.revocation_reason}), "
            f"not after the event's time {moment.isoformat()}"
        )
    if moment < entry.valid_from:
        reasons.append(f"key {entry.key_id} takes effect at {entry.valid_from.isoformat()}, after the event's time")
    if entry.party_id != opened.actor:
        reasons.append(f"key {entry.key_id} belongs to {entry.party_id!r}, not to the acting party {opened.actor!r}")
    return "T-4: " + "; ".join(reasons) if reasons else None


def _chain_problems(parsed: _Parsed, last_version: int, last_digest: str | None) -> list[str]:
    version, prev = parsed.version, parsed.opened.prev
    if version == 1:
        return [] if prev == envelope.GENESIS_PREV else ["the first version of the stream does not start the chain"]
    if last_version != version - 1 or last_digest is None:
        return [f"version {version - 1} of this stream is missing"]
    if prev != last_digest:
        return [f"chain broken: prev is not the digest of version {version - 1}"]
    return []


def _stream_time_problems(moment: datetime, last: datetime | None) -> list[str]:
    if last is not None and moment < last:
        return [f"written at {moment.isoformat()}, before the stream's previous event ({last.isoformat()})"]
    return []


# -- everything else, replayed -------------------------------------------------------------


@dataclass
class _Stream:
    """What replay needs of a stream: its aggregate and the last event's place, digest, time."""

    aggregate: Any
    version: int
    digest: str
    time: datetime
    broken: str | None = None  # why its rules can no longer be checked


class _Streams:
    """A bounded cache of stream states; a stream that fell out is rebuilt from its rows."""

    def __init__(self, ledger: Ledger, capacity: int = STATE_CACHE) -> None:
        self.ledger = ledger
        self.capacity = capacity
        self.states: OrderedDict[UUID, _Stream] = OrderedDict()

    def get(self, stream: UUID, before: int) -> _Stream | None:
        state = self.states.get(stream)
        if state is not None:
            self.states.move_to_end(stream)
            return state
        state = self._rebuild(stream, before)
        if state is not None:
            self.put(stream, state)
        return state

    def put(self, stream: UUID, state: _Stream) -> None:
        self.states[stream] = state
        self.states.move_to_end(stream)
        while len(self.states) > self.capacity:
            self.states.popitem(last=False)

    def prefetch(self, streams: set[UUID], before: int) -> None:
        """Rebuild, with one query, every stream of ``streams`` whose state is not held."""
        missing = [s for s in streams if s not in self.states]
        rows_of: dict[UUID, list[RawRow]] = {s: [] for s in missing}
        for row in self.ledger.rows.raw_streams(missing, before):
            try:
                rows_of[UUID(row.stream)].append(row)
            except (ValueError, KeyError, TypeError):
                continue
        for stream, rows in rows_of.items():
            state = self._rebuild(stream, before, rows)
            if state is not None:
                self.put(stream, state)

    def _rebuild(self, stream: UUID, before: int, rows: list[RawRow] | None = None) -> _Stream | None:
        """The stream as its rows before ``before`` read, applied as stored (they were
        judged when verify passed them)."""
        state: _Stream | None = None
        if rows is None:
            rows = self.ledger.rows.raw_stream(stream, before=before)
        for row in rows:
            parsed, problems = _parse(row, self.ledger.database.backend, strict=False)
            if parsed is None or problems:
                continue  # reported where it stands
            if state is not None and parsed.version != state.version + 1:
                continue
            aggregate, broken = None if state is None else state.aggregate, None if state is None else state.broken
            if broken is None:
                try:
                    aggregate = domain_event(parsed.opened, stream, parsed.version).mutate(aggregate)
                except Exception as e:  # noqa: BLE001
                    aggregate, broken = None, f"version {parsed.version} cannot be applied ({type(e).__name__})"
            state = _Stream(aggregate, parsed.version, envelope.digest(row.state), parsed.opened.timestamp, broken)
        return state


class _Replay:
    def __init__(self, ledger: Ledger, trust: TrustPass) -> None:
        self.ledger = ledger
        self.trust = trust
        self.streams = _Streams(ledger)
        self.newest: datetime | None = None
        # A real ledger's events were all written before now; a simulated one's may lie ahead.
        self.real_clock = trust.registry is not None and trust.registry.clock != clock.SIMULATED
        self.started = datetime.now(clock.CST)

    def check(self, parsed: _Parsed) -> tuple[list[str], tuple[bytes, bytes, bytes] | None, str | None]:
        """Every check of a non-trust row but its signature, which is returned as a job
        (public key, signature, message) with the key's own problem, if any."""
        opened, nid = parsed.opened, parsed.row.notification_id
        problems = list(parsed.problems)
        try:
            envelope.check_ledger(opened, self.trust.ledger_id)
        except TamperError as e:
            problems.append(str(e))
        if parsed.version == 1 and parsed.stream == TRUST_REGISTRY_ID:
            problems.append("a genesis event outside the trust registry's place")
        job, key_problem = None, None
        registry = self.trust.registry
        assert registry is not None
        entry = registry.keys.get(opened.signer)
        if entry is None:
            problems.append(f"T-4: key {opened.signer} is not registered in this ledger")
        else:
            key_problem = _key_problem(entry, self.trust.lives.get(opened.signer), opened, nid)
            job = (keys.public_key_from_text(entry.public_key), opened.signature, opened.message)
        problems += self._time_problems(opened.timestamp)
        before = self.streams.get(parsed.stream, nid) if parsed.version > 1 else None
        problems += _chain_problems(
            parsed, before.version if before else 0, before.digest if before else None
        )
        if before is not None:
            problems += _stream_time_problems(opened.timestamp, before.time)
        problems += self._replay(parsed, before)
        return problems, job, key_problem

    def _time_problems(self, moment: datetime) -> list[str]:
        newest = self.newest
        if newest is None or moment > newest:
            self.newest = moment
        if self.real_clock and moment > self.started + CLOCK_SKEW:
            return [f"written at {moment.isoformat()}, in the future of this verification ({self.started.isoformat()})"]
        if newest is not None and moment < newest - CLOCK_SKEW:
            return [
                f"written at {moment.isoformat()}, more than {int(CLOCK_SKEW.total_seconds())} s before an event "
                f"already in the ledger ({newest.isoformat()}): backdated"
            ]
        return []

    def _replay(self, parsed: _Parsed, before: _Stream | None) -> list[str]:
        nid, stream = parsed.row.notification_id, parsed.stream
        digest, moment = envelope.digest(parsed.row.state), parsed.opened.timestamp
        if before is not None and before.broken:
            self.streams.put(stream, _Stream(None, parsed.version, digest, moment, before.broken))
            return [f"rules not checked: this stream cannot be replayed ({before.broken})"]
        try:
            event = domain_event(parsed.opened, stream, parsed.version)
        except Exception as e:  # noqa: BLE001 - a forged payload can break any conversion
            self.streams.put(stream, _Stream(None, parsed.version, digest, moment, "an event cannot be read"))
            return [f"cannot be read as an event ({type(e).__name__}: {e})"]
        context = self._context(event, before, nid)
        admission = admit(event, before.aggregate if before else None, context)
        aggregate, broken = admission.aggregate, None
        if aggregate is None:
            # The command changed the aggregate into something else: rebuild it as stored.
            self.streams.states.pop(stream, None)
            rebuilt = self.streams._rebuild(stream, nid + 1)
            aggregate = rebuilt.aggregate if rebuilt else None
            broken = rebuilt.broken if rebuilt else "it cannot be rebuilt"
        self.streams.put(stream, _Stream(aggregate, parsed.version, digest, moment, broken))
        return admission.problems

    def _context(self, event: Any, before: _Stream | None, nid: int) -> dict[str, Any]:
        """The other aggregates the act's rules consult, as they stood at this point: the
        candidacy's sitting, and whatever the act's declaration ``needs`` (a number's claim)."""
        wanted: dict[str, Any] = {}
        owner = before.aggregate if before else None
        sitting_id = getattr(owner, "sitting_id", None) or getattr(event, "sitting_id", None)
        if isinstance(sitting_id, UUID):
            wanted["sitting"] = sitting_id
        for declaration in declarations(type(event)):
            if declaration.when is None or declaration.when(event):
                for name, id_of in declaration.needs.items():
                    wanted[name] = id_of(event)
        context = {}
        for name, aggregate_id in wanted.items():
            found = self.streams.get(aggregate_id, nid)
            context[name] = found.aggregate if found else None
        return context


def verify_ledger(
    ledger: Ledger,
    report: Report,
    *,
    pinned_root: str | None = None,
    page_size: int = 1000,
    progress: Callable[[int], None] | None = None,
    jobs: int = 1,
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
    replay = _Replay(ledger, trust)
    backend = ledger.database.backend
    pool = _worker_pool(jobs)
    in_flight: deque[tuple[list[_Checked], Any, int]] = deque()
    try:
        for page in ledger.rows.raw_pages(page_size):
            replay.streams.prefetch(_continued_streams(page, backend), page[0].notification_id)
            checked = [_check_row(row, backend, trust, replay) for row in page]
            signature_jobs = [c.job for c in checked if c.job is not None]
            results = pool.submit(check_rows, signature_jobs) if pool else check_rows(signature_jobs)
            in_flight.append((checked, results, len(page)))
            while len(in_flight) > (jobs if pool else 0):
                yield from _finish(in_flight.popleft(), report, progress)
        while in_flight:
            yield from _finish(in_flight.popleft(), report, progress)
    finally:
        if pool:
            pool.shutdown(cancel_futures=True)
    stored = ledger.rows.count()
    if stored != report.events:  # defence in depth: every row must have passed through here
        report.findings += 1
        yield Finding(0, "", None, "", (f"the table holds {stored} rows but verify read {report.events}",))
    head = ledger.rows.head()
    if head is not None:
        report.head_notification_id = head.notification_id
        report.head_digest = envelope.digest(head.state) if isinstance(head.state, bytes) else None
    report.seconds = time.perf_counter() - started


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


def _check_row(row: RawRow, backend: str, trust: TrustPass, replay: _Replay) -> _Checked:
    try:
        parsed, problems = _parse(row, backend, strict=False)
        if parsed is None:
            return _Checked(row, problems)
        if parsed.stream == TRUST_REGISTRY_ID:
            replay._time_problems(parsed.opened.timestamp)  # trust events set the ledger's time too
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


def _finish(item, report: Report, progress) -> Iterator[Finding]:
    checked, results, size = item
    holds = iter(results.result() if isinstance(results, Future) else results)
    for c in checked:
        problems = c.problems
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
