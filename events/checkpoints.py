"""Checkpoints as the application records and reads them (domain rules: domain/checkpoints).

``record_checkpoint`` catches the Merkle log up, checks the stored tree extends the last
checkpoint HRSS signed (a consistency proof from the store, verified), signs the C2SP
checkpoint note with HRSS's key and records it (L-5: inside the write transaction, the
newest event must still be the last one the checkpoint covers, else it catches up and
tries again). ``cosign_checkpoint`` lets a second party add its signature after checking
HRSS's and the consistency with the last checkpoint it cosigned (L-6).

Note key names: HRSS signs as ``hrss``, a cosigner as its party id; the origin line is the
ledger id (c2sp.org/tlog-checkpoint); two extension lines name the trust registry's head
among the events covered (:mod:`events.trust_head`) and the SHA-256 of the status list HRSS
signs with it (:mod:`events.status_line`, :mod:`events.status_list`).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from eventsourcing.persistence import StoredEvent

from certledger.domain import clock
from certledger.domain.checkpoints import CHECKPOINTS_ID, CheckpointLog, check_cosignature_line, check_cosigner
from certledger.domain.errors import CertLedgerError, InputError, TamperError
from certledger.domain.parties import ROOT_PARTY
from certledger.domain.trust import TRUST_REGISTRY_ID, TrustRegistry
from certledger.events import status_line, status_list, trust_head
from certledger.events.envelope import digest as state_digest
from certledger.events.envelope import open_state
from certledger.events.merkle import verify_consistency
from certledger.events.merkle_log import MerkleLog, open_log
from certledger.events.recorders import CHECKPOINT_AFTER, LogMoved
from certledger.signing.keys import public_key_from_text
from certledger.signing.note import (
    Verifier, checkpoint_body, open_checkpoint, open_note, sign_note, signature_line, unsigned_text,
)

_ATTEMPTS = 5


@dataclass(frozen=True)
class RecordedCheckpoint:
    """A checkpoint as recorded, with every recorded cosignature merged into its note."""

    size: int
    root: bytes
    note: str
    notification_id: int
    signer_key_id: str
    written_at: datetime
    cosigners: tuple[str, ...] = ()  # parties whose cosignature line verifies by a key of theirs
    unverified_cosigners: tuple[str, ...] = ()  # recorded lines that do not verify: shown, never counted
    status_list: str | None = None  # HRSS's signed revocation list as of it (JSON text; events/status_list.py)

    def to_json(self) -> dict[str, Any]:
        return {
            "size": self.size,
            "root": self.root.hex(),
            "notification_id": self.notification_id,
            "signer_key_id": self.signer_key_id,
            "written_at": self.written_at.astimezone(clock.CST).isoformat(),
            "cosigners": list(self.cosigners),
            "unverified_cosigners": list(self.unverified_cosigners),
            "note": self.note,
        }


def party_verifiers(registry: TrustRegistry, party: str, moment: datetime | None = None) -> list[Verifier]:
    """The note verifier keys of ``party``: its keys (valid at ``moment``, if given), each
    named by the party id."""
    return [
        Verifier(party, public_key_from_text(k.public_key))
        for k in registry.keys_of(party)
        if moment is None or k.is_valid_at(moment)
    ]


def recorded_checkpoints(ledger: Any) -> list[RecordedCheckpoint]:
    """Every recorded checkpoint, oldest first, read (and, unless the ledger was opened with
    ``verify_on_read=False``, signature-checked) from its stream."""
    found: list[dict[str, Any]] = []
    by_size: dict[int, dict[str, Any]] = {}
    registry = functools.cache(ledger.registry)  # read once, and only if a cosignature is recorded
    for row in ledger.rows.raw_stream(CHECKPOINTS_ID):
        stored = StoredEvent(originator_id=CHECKPOINTS_ID, originator_version=row.version, topic=row.topic, state=row.state)
        event = ledger.mapper.to_domain_event(stored)
        if isinstance(event, CheckpointLog.CheckpointRecorded):
            entry = {
                "size": event.size, "root": bytes.fromhex(event.root), "note": event.note,
                "notification_id": row.notification_id, "signer_key_id": _signer(row.state),
                "written_at": event.timestamp, "cosigners": (), "unverified_cosigners": (),
                "status_list": getattr(event, "status_list", None),
            }
            found.append(entry)
            by_size[event.size] = entry
        elif isinstance(event, CheckpointLog.CheckpointCosigned) and event.size in by_size:
            if not _one_line(event.actor, event.signature):
                continue  # L-6: not one line under its cosigner's name (verify names the row)
            entry = by_size[event.size]
            if _cosignature_holds(registry, entry["note"], event.actor, event.signature, event.timestamp):
                entry["note"] += event.signature
                entry["cosigners"] += (event.actor,)
            else:  # a line whose signature or key does not verify is no cosignature (verify names the row)
                entry["unverified_cosigners"] += (event.actor,)
    return [RecordedCheckpoint(**entry) for entry in found]


def _cosignature_holds(registry: Callable[[], TrustRegistry], note_text: str, party: str, line: str, at: datetime) -> bool:
    """The line is a signature over the checkpoint's text by a key of ``party`` valid when the
    cosignature was recorded."""
    try:
        verifiers = party_verifiers(registry(), party, at)
        opened = open_note(unsigned_text(note_text) + "\n" + line, verifiers)
    except CertLedgerError:
        return False
    return party in opened.verified


def _one_line(actor: str, signature: str) -> bool:
    try:
        check_cosignature_line(actor, signature)
    except CertLedgerError:
        return False
    return True


def _signer(state: bytes) -> str:
    return open_state(state).signer


def latest_checkpoint(ledger: Any) -> RecordedCheckpoint | None:
    recorded = recorded_checkpoints(ledger)
    return recorded[-1] if recorded else None


def checkpoint_of_size(ledger: Any, size: int | None) -> RecordedCheckpoint:
    """The recorded checkpoint of ``size`` (None: the latest); refused clearly if none."""
    recorded = recorded_checkpoints(ledger)
    if not recorded:
        raise InputError("this ledger has no checkpoint yet: record one with 'certledger checkpoint'")
    if size is None:
        return recorded[-1]
    for checkpoint in recorded:
        if checkpoint.size == size:
            return checkpoint
    sizes = ", ".join(str(c.size) for c in recorded[-10:])
    raise InputError(f"no checkpoint of size {size} is recorded (recorded sizes, newest: {sizes})")


def record_checkpoint(ledger: Any, progress: Any = None, did_host: str | None = None) -> RecordedCheckpoint:
    """Catch the log up and record a checkpoint covering every event before it (L-5).

    Before HRSS signs, the leaves since the last checkpoint are recomputed from the event
    rows (:meth:`MerkleLog.check_leaves`) and the stored tree must extend the last signed
    one: a tampered log is refused, nothing recorded. With the note, HRSS signs the status
    list of every certificate as of the checkpoint (:mod:`events.status_list`), for the DID
    host ``did_host`` (default ``$CERTLEDGER_DID_HOST`` or hrss.henan.example)."""
    ledger.registry()  # refuses a database without a ledger
    ledger_id = ledger.ledger_id
    log = MerkleLog(ledger)
    previous = latest_checkpoint(ledger)
    for _ in range(_ATTEMPTS):
        log.catch_up(progress)
        size = log.size()
        if previous is None:
            log.check_leaves(0, None, size)
        else:
            log.check_leaves(previous.size, previous.notification_id, size)
        newest = log.notification_id_at(size - 1)
        root = log.root(size)
        if previous is not None:
            _check_extends(log, previous, size, root, "HRSS")
        if CHECKPOINTS_ID not in ledger.repository:
            with ledger.acting():
                opened = CheckpointLog.open(actor=ROOT_PARTY)
            ledger.save(opened)
            continue  # the record's opening is an event too: follow it, then sign
        aggregate = ledger.repository.get(CHECKPOINTS_ID)
        with ledger.acting():
            key_id, private = ledger.wallet.choose(ledger.keyring, ROOT_PARTY, clock.now())
            version, digest = trust_head_at(ledger, newest)
            listed = _status_list(ledger, log, previous, newest, did_host, size, root, key_id, private)
            body = checkpoint_body(ledger_id, size, root, (
                trust_head.line(version, digest), status_line.line(listed.count, status_list.list_digest(listed.text)),
            ))
            note = sign_note(body, ROOT_PARTY, private)
            aggregate.record(actor=ROOT_PARTY, size=size, root=root.hex(), note=note,
                             trust_version=version, trust_digest=digest, status_list=listed.text)
        try:
            ledger.save(aggregate, **{CHECKPOINT_AFTER: newest})
        except LogMoved:
            continue  # someone recorded an event meanwhile: catch up and sign again
        return checkpoint_of_size(ledger, size)
    raise LogMoved(f"L-5: events kept arriving while the checkpoint was signed ({_ATTEMPTS} tries); nothing was recorded, try again")


@dataclass(frozen=True)
class _Listed:
    count: int
    text: str


def _status_list(ledger: Any, log: MerkleLog, previous: RecordedCheckpoint | None, newest: int, did_host: str | None,
                 size: int, root: bytes, key_id: Any, private: Any) -> _Listed:
    """HRSS's signed status list as of notification ``newest``: the previous checkpoint's
    list (its digest checked against that note) advanced by the rows since it."""
    import os

    from certledger.events import credential as vc
    from certledger.signing.keys import sign

    start = None
    after = None
    if previous is not None and previous.status_list is not None:
        bound = status_line.of_note(previous.note)
        if bound is None or bound[1] != status_list.list_digest(previous.status_list):
            raise TamperError(f"the status list stored with checkpoint {previous.size} is not the one its note names: "
                              "run 'certledger verify'")
        after = log.notification_id_at(previous.size - 1)
        start = status_list.snapshot_of_list(json.loads(previous.status_list), after)
    tracker = status_list.StatusTracker(ledger, start)
    for page in ledger.rows.raw_pages(after=after):
        for row in page:
            if row.notification_id > newest:
                break
            tracker.feed(row)
    snapshot = tracker.snapshot(newest)
    host = did_host or os.environ.get(vc.DID_HOST_ENV) or vc.DEFAULT_DID_HOST
    signed = status_list.signed_list(snapshot, host=host, origin=ledger.ledger_id, size=size, root=root,
                                     recorded_at=clock.now(), sign=lambda m: sign(private, m), key_id=str(key_id))
    return _Listed(snapshot.count, status_list.list_text(signed))


def trust_head_at(ledger: Any, newest: int) -> tuple[int, str]:
    """(version, digest) of the trust registry's last event at or before notification
    ``newest``: the head a checkpoint covering up to ``newest`` binds (L-5)."""
    rows = ledger.rows.raw_stream(TRUST_REGISTRY_ID, before=newest + 1)
    if not rows or type(rows[-1].version) is not int or not isinstance(rows[-1].state, bytes):
        raise TamperError("the trust registry has no sound event before the checkpoint: run 'certledger verify'")
    return rows[-1].version, state_digest(rows[-1].state)


def _check_extends(log: MerkleLog, old: RecordedCheckpoint, size: int, root: bytes, who: str) -> None:
    try:
        verify_consistency(old.size, size, old.root, root, log.consistency_proof(old.size, size))
    except TamperError as e:
        raise TamperError(
            f"the stored Merkle log of {size} events is not consistent with the checkpoint of size {old.size} "
            f"that {who} signed ({e}): the log tables or the events were altered; run 'certledger verify'"
        ) from None


def cosign_checkpoint(ledger: Any, party: str, size: int | None = None) -> RecordedCheckpoint:
    """``party`` cosigns the checkpoint of ``size`` (default the latest) after checking HRSS's
    signature and its consistency with the last checkpoint ``party`` cosigned (L-6)."""
    registry = ledger.registry()
    check_cosigner(party, registry.party(party).kind)
    recorded = recorded_checkpoints(ledger)
    target = checkpoint_of_size(ledger, size)
    try:
        body, opened = open_checkpoint(target.note, party_verifiers(registry, ROOT_PARTY, target.written_at), origin=ledger.ledger_id)
    except (InputError, TamperError) as e:
        raise TamperError(f"the checkpoint of size {target.size} does not carry a valid HRSS signature: {e}") from None
    if (body.size, body.root) != (target.size, target.root):
        raise TamperError(f"the note of checkpoint {target.size} names size {body.size} and another root")
    before = [c for c in recorded if party in c.cosigners and c.size < target.size]
    if before:
        _check_extends(open_log(ledger), before[-1], target.size, target.root, party)
    aggregate = ledger.repository.get(CHECKPOINTS_ID)
    with ledger.acting():
        _, private = ledger.wallet.choose(ledger.keyring, party, clock.now())
        line = signature_line(opened.text, party, private)
        aggregate.cosign(actor=party, size=target.size, root=target.root.hex(), signature=line)
    ledger.save(aggregate)
    return checkpoint_of_size(ledger, target.size)
