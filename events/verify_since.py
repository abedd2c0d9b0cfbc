"""``verify --since FILE``: verify only the events appended after a checkpoint note the
auditor kept, and tie them to it.

What is re-verified: every event after the kept checkpoint's last one, exactly as a full
``verify`` judges it (signature, key's life, chain, rules, checkpoints recorded since), and
the whole trust registry. What ties the new events to the kept note:

1. the stored log's frontier at the kept size (its right edge, O(log n) hashes) must give
   the kept root: that authenticates the frontier, which the new events' leaves, recomputed
   from their rows, extend — so every checkpoint recorded since is checked as a full verify
   would;
2. the last covered event (the boundary) must be in the kept tree (one inclusion proof),
   and exactly that many rows may precede it (a count);
3. each stream the new events continue, each stream their rules consult (a candidacy's
   sitting, a number's claim: what replay read from covered rows to judge them) and the trust
   registry: its older rows must chain (each ``prev`` the digest of the one before), and the
   last of them must be in the kept tree (ONE inclusion proof each), so replay starts from,
   and judges against, exactly the state the note covers.

What is not re-verified: the signatures and rules of the covered events themselves (a full
``verify`` did that when the note was kept); rows of untouched streams are only counted. So a
stream with no covered rows cannot be proven absent: a covered row moved out of it (stream
column rewritten, leaf unchanged) is seen only by a full ``verify`` (a GAP test says so).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from certledger.domain.errors import CertLedgerError, TamperError
from certledger.domain.parties import ROOT_PARTY
from certledger.domain.trust import TRUST_REGISTRY_ID, TrustRegistry
from certledger.events import envelope
from certledger.events.checkpoints import party_verifiers
from certledger.events.merkle import Frontier, state_leaf, verify_consistency, verify_inclusion
from certledger.events.merkle_log import MerkleLog, open_log
from certledger.events.storage import canonical_stream_text
from certledger.signing.note import open_checkpoint


@dataclass
class Since:
    """The kept checkpoint, authenticated against the stored log, where re-verifying starts."""

    size: int
    root: bytes
    boundary: int | None  # notification id of the last covered event (None: size 0)
    frontier: Frontier
    log: MerkleLog
    # stream → why replay read it: continued by a new event, or the name a rule consults it by
    touched: dict[UUID, str] = field(default_factory=dict)
    pinned: int = 0
    consistency: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "kept_size": self.size,
            "kept_root": self.root.hex(),
            "boundary_notification_id": self.boundary,
            "streams_pinned": self.pinned,
            "consistency_with_latest_checkpoint": self.consistency,
            "not_re_verified": f"the signatures and rules of the {self.size} events the kept checkpoint covers",
        }


def start(ledger: Any, registry: TrustRegistry, ledger_id: str, note: str) -> Since:
    """Authenticate the stored frontier and the boundary against the kept note, or raise."""
    try:
        checkpoint, _ = open_checkpoint(note, party_verifiers(registry, ROOT_PARTY), origin=ledger_id)
    except CertLedgerError as e:
        raise TamperError(f"--since: the kept checkpoint does not hold: {e}") from None
    size, root = checkpoint.size, checkpoint.root
    log = open_log(ledger)
    stored = log.size()
    if stored < size:
        raise TamperError(f"--since: events were removed: the kept checkpoint covers {size} events, the log holds {stored}")
    frontier = log.frontier(size)
    if frontier.root() != root:
        raise TamperError(
            f"--since: the ledger's first {size} events are not those the kept checkpoint covers (the stored "
            "log's root differs): run a full 'certledger verify --checkpoint FILE'"
        )
    if size == 0:
        return Since(size, root, None, frontier, log)
    boundary = log.notification_id_at(size - 1)
    _pin(log, ledger, boundary, size - 1, size, root, "the last covered event")
    before = ledger.rows.count(up_to=boundary)
    if before != size:
        raise TamperError(
            f"--since: {before} rows precede or are notification {boundary}, the kept checkpoint's last event, "
            f"not {size}: events it covers were removed or inserted"
        )
    return Since(size, root, boundary, frontier, log)


def _pin(log: MerkleLog, ledger: Any, nid: int, position: int, size: int, root: bytes, what: str) -> None:
    row = ledger.rows.at(nid)
    try:
        if row is None:
            raise TamperError(f"notification {nid} is gone")
        verify_inclusion(state_leaf(row.state), position, size, log.inclusion_proof(position, size), root)
    except CertLedgerError as e:
        raise TamperError(f"--since: {what} (notification {nid}) is not in the kept checkpoint's tree: {e}") from None


CONTINUED = "continued by a new event"


def touch(since: Since, row: Any, backend: str) -> None:
    """Note the stream a new row continues (its older rows are pinned at the end)."""
    if isinstance(row.stream, str) and type(row.version) is int and row.version > 1:
        try:
            stream = UUID(row.stream)
        except ValueError:
            return
        if row.stream == canonical_stream_text(backend, stream):
            since.touched.setdefault(stream, CONTINUED)


def finish(since: Since, ledger: Any, latest: tuple[int, str] | None) -> list[str]:
    """Pin the older rows of every touched stream and the trust registry; check the kept
    note's consistency with the latest recorded checkpoint. Problems, if any."""
    problems: list[str] = []
    if since.boundary is not None:
        streams = {**since.touched, TRUST_REGISTRY_ID: "the trust registry"}
        for stream in sorted(streams, key=str):
            problems += _pin_stream(since, ledger, stream, streams[stream])
    if latest is not None and latest[0] >= since.size:
        size, root = latest[0], bytes.fromhex(latest[1])
        try:
            verify_consistency(since.size, size, since.root, root, since.log.consistency_proof(since.size, size))
            since.consistency = f"holds: the checkpoint of {size} events extends the kept one of {since.size}"
        except CertLedgerError as e:
            since.consistency = f"FAILS: {e}"
            problems.append(f"the latest checkpoint ({size} events) is not consistent with the kept one: {e}")
    else:
        since.consistency = "no checkpoint recorded since the kept one"
    return problems


def _pin_stream(since: Since, ledger: Any, stream: UUID, why: str) -> list[str]:
    """Chain-check a stream's covered rows and prove the last in the kept tree. A stream a
    rule consulted is named by that rule's name for it (e.g. "sitting"): what to look at."""
    rows = ledger.rows.raw_stream(stream, before=since.boundary + 1)
    if not rows:
        return []
    label = f"stream {stream}" if why == CONTINUED else f"the {why} {stream} (consulted by a new event's rules)"
    last_digest = envelope.GENESIS_PREV
    for expected, row in enumerate(rows, 1):
        try:
            opened = envelope.open_state(row.state, strict=False)
        except CertLedgerError as e:
            return [f"--since: {label} version {row.version} (covered) cannot be read: {e}"]
        if row.version != expected or opened.prev != last_digest:
            return [f"--since: {label}: its covered events do not chain at version {row.version}"]
        last_digest = envelope.digest(row.state)
    last = rows[-1]
    try:
        _pin(since.log, ledger, last.notification_id, since.log.position_of(last.notification_id), since.size, since.root,
             f"{label}: its last covered event")
    except CertLedgerError as e:
        return [str(e)]
    since.pinned += 1
    return []
