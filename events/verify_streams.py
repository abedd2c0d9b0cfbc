"""``verify``, then: every other row replayed under its act's rules, stream by stream.

:class:`Streams` holds a bounded number of aggregate states (a stream that falls out is
rebuilt from its rows, a page at a time); :class:`Replay` checks one row against its ledger,
its key's life, its stream's chain and time line, and its act's rules.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from certledger.domain.acts import declarations
from certledger.domain.errors import TamperError
from certledger.domain.trust import TRUST_REGISTRY_ID
from certledger.events import envelope
from certledger.events.ledger import Ledger
from certledger.events.mapper import domain_event
from certledger.events.replay import admit
from certledger.events.storage import RawRow
from certledger.events.verify_rows import Parsed, chain_problems, parse_row, stream_time_problems
from certledger.events.verify_trust import TrustPass, key_problem
from certledger.signing import keys

STATE_CACHE = 10_000  # aggregate states held at once while replaying (misses are rebuilt a page at a time)


@dataclass
class StreamState:
    """What replay needs of a stream: its aggregate and the last event's place, digest, time."""

    aggregate: Any
    version: int
    digest: str
    time: datetime
    broken: str | None = None  # why its rules can no longer be checked


class Streams:
    """A bounded cache of stream states; a stream that fell out is rebuilt from its rows."""

    def __init__(self, ledger: Ledger, capacity: int = STATE_CACHE, keeps: Callable[[UUID], bool] | None = None) -> None:
        self.ledger = ledger
        self.capacity = capacity
        self.states: OrderedDict[UUID, StreamState] = OrderedDict()
        # Which streams' states may be held: a verify worker holds only the streams whose
        # every later row it is sent (a state it is not kept up to date with would go stale).
        self.keeps = keeps

    def get(self, stream: UUID, before: int) -> StreamState | None:
        state = self.states.get(stream)
        if state is not None:
            self.states.move_to_end(stream)
            return state
        state = self._rebuild(stream, before)
        if state is not None and (self.keeps is None or self.keeps(stream)):
            self.put(stream, state)
        return state

    def put(self, stream: UUID, state: StreamState) -> None:
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

    def _rebuild(self, stream: UUID, before: int, rows: list[RawRow] | None = None) -> StreamState | None:
        """The stream as its rows before ``before`` read, applied as stored (they were
        judged when verify passed them)."""
        state: StreamState | None = None
        if rows is None:
            rows = self.ledger.rows.raw_stream(stream, before=before)
        for row in rows:
            parsed, problems = parse_row(row, self.ledger.database.backend, strict=False)
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
            state = StreamState(aggregate, parsed.version, envelope.digest(row.state), parsed.opened.timestamp, broken)
        return state


class Replay:
    def __init__(self, ledger: Ledger, trust: TrustPass, consulted: dict[UUID, str] | None = None,
                 streams: Streams | None = None) -> None:
        self.ledger = ledger
        self.trust = trust
        self.streams = streams if streams is not None else Streams(ledger)
        # verify --since: every stream a rule consulted (its name in the act's context), so
        # that what replay read from covered rows is pinned to the kept note too.
        self.consulted = consulted

    def check(self, parsed: Parsed) -> tuple[list[str], list[str], tuple[bytes, bytes, bytes] | None, str | None]:
        """Every check of a non-trust row but its signature and the ledger's time line
        (:class:`TimeLine`, kept in notification order by the caller): the problems that
        come before the time line's, those after, the signature as a job (public key,
        signature, message), and the key's own problem, if any."""
        opened, nid = parsed.opened, parsed.row.notification_id
        problems = list(parsed.problems)
        try:
            envelope.check_ledger(opened, self.trust.ledger_id)
        except TamperError as e:
            problems.append(str(e))
        if parsed.version == 1 and parsed.stream == TRUST_REGISTRY_ID:
            problems.append("a genesis event outside the trust registry's place")
        job, signer_problem = None, None
        registry = self.trust.registry
        assert registry is not None
        entry = registry.keys.get(opened.signer)
        if entry is None:
            problems.append(f"T-4: key {opened.signer} is not registered in this ledger")
        else:
            signer_problem = key_problem(entry, self.trust.lives.get(opened.signer), opened, nid)
            job = (keys.public_key_from_text(entry.public_key), opened.signature, opened.message)
        before = self.streams.get(parsed.stream, nid) if parsed.version > 1 else None
        later = chain_problems(parsed, before.version if before else 0, before.digest if before else None)
        if before is not None:
            later += stream_time_problems(opened.timestamp, before.time)
        later += self._replay(parsed, before)
        return problems, later, job, signer_problem

    def _replay(self, parsed: Parsed, before: StreamState | None) -> list[str]:
        nid, stream = parsed.row.notification_id, parsed.stream
        digest, moment = envelope.digest(parsed.row.state), parsed.opened.timestamp
        if before is not None and before.broken:
            self.streams.put(stream, StreamState(None, parsed.version, digest, moment, before.broken))
            return [f"rules not checked: this stream cannot be replayed ({before.broken})"]
        try:
            event = domain_event(parsed.opened, stream, parsed.version)
        except Exception as e:  # noqa: BLE001 - a forged payload can break any conversion
            self.streams.put(stream, StreamState(None, parsed.version, digest, moment, "an event cannot be read"))
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
        self.streams.put(stream, StreamState(aggregate, parsed.version, digest, moment, broken))
        return admission.problems

    def _context(self, event: Any, before: StreamState | None, nid: int) -> dict[str, Any]:
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
            if self.consulted is not None and isinstance(aggregate_id, UUID):
                self.consulted[aggregate_id] = name
            found = self.streams.get(aggregate_id, nid)
            context[name] = found.aggregate if found else None
        return context


