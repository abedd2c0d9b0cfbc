"""A certificate's status as a checkpoint proves it (证书状态, 以检查点为准), read from a
database nobody vouches for.

A replay of the candidacy cannot see a deleted void row; the status list HRSS signed with a
checkpoint can (:mod:`events.status_list`). :func:`checkpointed_status` therefore answers
from the newest checkpoint (or the auditor's kept note): its note verified under HRSS's
keys, the stored list's SHA-256 the one the note names, the list's own proof, the
certificate's CertificateIssued event included in the checkpoint's tree (an inclusion proof
verified against the signed root), and as many CertificateIssued rows before the checkpoint
as the list counts (so the certificate's index cannot have been shifted by deleting one).
It says what it does not cover: events after that checkpoint.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from certledger.domain import clock
from certledger.domain.errors import CertLedgerError, InputError, TamperError
from certledger.domain.parties import ROOT_PARTY
from certledger.events import credential as vc
from certledger.events import status_line, status_list
from certledger.events.checkpoints import RecordedCheckpoint, party_verifiers, recorded_checkpoints
from certledger.events.merkle import state_leaf, verify_inclusion
from certledger.events.merkle_log import MerkleLog
from certledger.signing.note import open_checkpoint


@dataclass(frozen=True)
class CheckpointedStatus:
    """What the checkpoint proves about one certificate (``void`` None: it was issued after
    the checkpoint, so the checkpoint proves nothing about it)."""

    size: int  # the checkpoint's tree size
    recorded_at: str  # when HRSS signed it (CST)
    index: int | None
    void: bool | None
    events_after: int  # rows after the checkpoint event: not covered
    kept: bool  # the auditor's kept note, rather than the newest one the database records

    @property
    def status(self) -> str:
        return "not covered" if self.void is None else "void" if self.void else "valid"

    def describe(self) -> str:
        source = f"checkpoint {self.size} ({'the kept note' if self.kept else 'the newest recorded'}, {self.recorded_at})"
        if self.void is None:
            return f"not covered by {source}: the certificate was issued after it"
        word = "void (作废)" if self.void else "valid (有效)"
        return f"{word} at index {self.index} of the status list HRSS signed with {source}"

    def not_covered(self) -> str:
        return (f"events after checkpoint {self.size}: {self.events_after} row(s) since, which no signed list covers yet"
                if self.events_after else f"events after checkpoint {self.size} (none recorded yet)")

    def to_json(self) -> dict[str, Any]:
        return {"checkpoint_size": self.size, "recorded_at": self.recorded_at, "index": self.index,
                "status": self.status, "events_after_checkpoint": self.events_after, "kept_note": self.kept}


def checkpoint_list(ledger: Any, kept_note: str | None = None) -> tuple[RecordedCheckpoint, dict[str, Any]]:
    """The checkpoint (newest, or the kept note's size) and its signed list, each checked:
    the note under HRSS's keys, the list's digest the note's, the list's proof. TamperError
    if any fails; InputError if the ledger has no checkpoint with a list."""
    recorded = recorded_checkpoints(ledger)
    if not recorded:
        raise InputError("this ledger has no checkpoint yet, so no status is proven: record one with 'certledger checkpoint'")
    registry = ledger.registry()
    if kept_note is not None:
        try:
            kept, _ = open_checkpoint(kept_note, party_verifiers(registry, ROOT_PARTY), origin=ledger.ledger_id)
        except CertLedgerError as e:
            raise TamperError(f"the kept checkpoint does not hold: {e}") from None
        chosen = [c for c in recorded if c.size == kept.size and c.root == kept.root]
        if not chosen:
            raise TamperError(f"the database records no checkpoint of size {kept.size} with the kept note's root: "
                              "events it covers were removed or rewritten")
        checkpoint, note = chosen[0], kept_note
    else:
        checkpoint, note = recorded[-1], recorded[-1].note
    verifiers = party_verifiers(registry, ROOT_PARTY, checkpoint.written_at)
    try:
        body, _ = open_checkpoint(note, verifiers, origin=ledger.ledger_id)
        bound = status_line.parse(body.extensions)
    except CertLedgerError as e:
        raise TamperError(f"checkpoint {checkpoint.size}'s note does not hold: {e}") from None
    if (body.size, body.root) != (checkpoint.size, checkpoint.root):
        raise TamperError(f"checkpoint {checkpoint.size}'s note names another size or root than the event")
    if bound is None or checkpoint.status_list is None:
        raise InputError(f"checkpoint {checkpoint.size} signs no status list (recorded before lists were signed)")
    if status_list.list_digest(checkpoint.status_list) != bound[1]:
        raise TamperError(f"the status list stored with checkpoint {checkpoint.size} is not the one its signed note names")
    signed = json.loads(checkpoint.status_list)
    from certledger.signing import data_integrity as di

    try:
        status_list.verify_list_proof(signed, verifiers)
    except di.ProofError as e:
        raise TamperError(f"the status list of checkpoint {checkpoint.size} is not one HRSS signed: {e}") from None
    return checkpoint, signed


def checkpointed_status(ledger: Any, issued_row: Any, kept_note: str | None = None) -> CheckpointedStatus:
    """The status of the certificate whose CertificateIssued row is ``issued_row`` (a
    :class:`~events.storage.RawRow`), as the checkpoint proves it. TamperError when the
    database contradicts the checkpoint."""
    checkpoint, signed = checkpoint_list(ledger, kept_note)
    stated = signed["certledgerCheckpoint"]
    recorded_at = clock.shown(checkpoint.written_at)
    after = ledger.rows.count(after=checkpoint.notification_id)
    log = MerkleLog(ledger)
    try:
        position = log.position_of(issued_row.notification_id)
    except InputError:
        position = None
    if position is None or position >= checkpoint.size:
        return CheckpointedStatus(checkpoint.size, recorded_at, None, None, after, kept_note is not None)
    try:
        verify_inclusion(state_leaf(issued_row.state), position, checkpoint.size,
                         log.inclusion_proof(position, checkpoint.size), checkpoint.root)
    except CertLedgerError as e:
        raise TamperError(f"the certificate's seal event is not the one checkpoint {checkpoint.size} covers: {e}") from None
    covered = log.notification_id_at(checkpoint.size - 1)
    issued_before = ledger.rows.count_topic(status_list.ISSUED_SUFFIX, before=covered + 1)
    if issued_before != int(stated["certificates"]):
        raise TamperError(f"checkpoint {checkpoint.size}'s signed list counts {stated['certificates']} certificates, the "
                          f"database holds {issued_before} seal events before it: rows it covers were removed or moved")
    index = status_list.status_index(ledger.rows, issued_row.notification_id)
    bits = vc.decode_list(signed["credentialSubject"]["encodedList"])
    return CheckpointedStatus(checkpoint.size, recorded_at, index, vc.status_bit(bits, index), after, kept_note is not None)


def proven_status(ledger: Any, found: Any, kept_note: str | None = None) -> dict[str, Any]:
    """A sealed certificate's status for a command that says "against the ledger": from the
    checkpoint's signed list where it covers the certificate, never from the replay alone.

    The replay (``provenance.status``) still gives the rule, date and reason, and anything
    after the checkpoint; where the two disagree about what the checkpoint covers, a row was
    removed or rewritten and TamperError says so. Returns ``provenance.status``'s fields
    plus ``proven`` (what the checkpoint proves, :class:`CheckpointedStatus`)."""
    from certledger.events import provenance

    replayed = provenance.status(found)
    proven = checkpointed_status(ledger, found.issued, kept_note)
    if proven.void is True and replayed["status"] != "void":
        raise TamperError(
            f"checkpoint {proven.size}'s signed status list records {found.number} as void (作废, index {proven.index}), "
            f"but a replay of this database finds it {replayed['status']}: the event that voided it was removed or "
            "rewritten (run 'certledger verify')"
        )
    result = dict(replayed)
    if proven.void is False and replayed["status"] == "void":
        result["reason"] = f"{replayed['reason']} (recorded after checkpoint {proven.size}: no signed list covers it yet)"
    result["proven"] = proven
    return result
