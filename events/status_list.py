"""The revocation status (证书状态) that each checkpoint signs: which sealed certificates were
void (作废, R-11/R-12) among the first events it covers.

Why it is in the checkpoint: a reader that replays one candidacy cannot see that a row was
deleted from it, so "valid" from a replay proves nothing to someone who did not control the
database. HRSS therefore signs, at every checkpoint, a W3C ``BitstringStatusListCredential``
of every certificate as of that checkpoint (bit ``i`` = the ``i``-th CertificateIssued event
in log order, 1 = void), stores it in the checkpoint event and names its SHA-256 in the
checkpoint note HRSS signs (:mod:`events.status_line`). Deleting a void row after that
leaves the signed bit at 1; ``verify`` recomputes every list from the replayed events and
refuses one that differs.

:class:`StatusTracker` is the one definition of the list's content, used when a checkpoint
is recorded and when ``verify`` replays: it is fed rows in notification order, and at a
checkpoint it replays (with the domain's own ``Candidacy``) only the streams whose rows could
have changed a bit (:data:`domain.candidacy.VOIDING_EVENTS`); ``is_void`` decides.
"""

from __future__ import annotations

import json
from array import array
from bisect import bisect_left
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from certledger.domain.candidacy import VOIDING_EVENTS, Candidacy
from certledger.domain.errors import CertLedgerError, TamperError
from certledger.events import credential as vc
from certledger.events import envelope
from certledger.events.status_line import list_digest
from certledger.events.storage import RawRow
from certledger.signing import data_integrity as di

ISSUED_SUFFIX = ":Candidacy.CertificateIssued"
_VOIDING = tuple(":Candidacy." + name for name in VOIDING_EVENTS)

__all__ = ["list_digest"]  # re-exported: the digest the note names (events/status_line.py)


def status_index(rows: Any, notification_id: int) -> int:
    """A certificate's place in the status list: its CertificateIssued ordinal in log order
    (``rows``: the ledger's :class:`~events.storage.Rows`). One definition for the list, the
    credential, the bundle and the checks."""
    return rows.count_topic(ISSUED_SUFFIX, before=notification_id)


def issued_documents(rows: Any) -> Any:
    """(index, notification id, sealed document) of every sealed certificate, in log order."""
    index = 0
    for page in rows.raw_pages():
        for row in page:
            if isinstance(row.topic, str) and row.topic.endswith(ISSUED_SUFFIX):
                yield index, row.notification_id, envelope.open_state(bytes(row.state)).payload.get("document") or {}
                index += 1


@dataclass(frozen=True)
class StatusSnapshot:
    """The status as of notification ``covered``: ``count`` certificates, those in ``void``
    void. Plain data: what a list encodes."""

    covered: int
    count: int
    void: frozenset[int]

    def bitstring(self) -> bytes:
        bits = bytearray(vc.list_length(self.count) // 8)
        for index in self.void:
            bits[index // 8] |= 0x80 >> (index % 8)
        return bytes(bits)


def snapshot_of_list(signed: dict[str, Any], covered: int) -> StatusSnapshot:
    """The snapshot a signed list states (its count from ``certledgerCheckpoint``)."""
    bits = vc.decode_list(signed["credentialSubject"]["encodedList"])
    count = int(signed["certledgerCheckpoint"]["certificates"])
    void = frozenset(i for i in range(count) if bits[i // 8] >> (7 - i % 8) & 1)
    return StatusSnapshot(covered, count, void)


class StatusTracker:
    """Fed every row after ``start.covered`` in notification order; :meth:`snapshot` at a
    checkpoint. Holds the notification ids of the certificates it saw issued (8 bytes each)
    and the streams to replay, nothing else."""

    def __init__(self, ledger: Any, start: StatusSnapshot | None = None) -> None:
        self.ledger = ledger
        self.base = 0 if start is None else start.count  # index of the first certificate fed
        self.full = start is None  # every CertificateIssued row was fed: no query for an index
        self.void = set() if start is None else set(start.void)
        self.issued = array("q")  # notification ids of the certificates fed, ascending
        self.touched: set[UUID] = set()

    @property
    def count(self) -> int:
        return self.base + len(self.issued)

    def feed(self, row: RawRow) -> None:
        topic = row.topic if isinstance(row.topic, str) else ""
        if topic.endswith(ISSUED_SUFFIX):
            self.issued.append(row.notification_id)
        elif not topic.endswith(_VOIDING):
            return
        try:
            self.touched.add(row.stream if isinstance(row.stream, UUID) else UUID(str(row.stream)))
        except ValueError:
            pass  # a malformed stream id: verify's row pass reports it

    def snapshot(self, covered: int) -> StatusSnapshot:
        """The status as of notification ``covered`` (every row up to it fed)."""
        for stream in sorted(self.touched):
            rows = self.ledger.rows.raw_stream(stream, before=covered + 1)
            if _replayed_void(rows, stream):
                self.void.update(self._index(row.notification_id) for row in rows
                                 if isinstance(row.topic, str) and row.topic.endswith(ISSUED_SUFFIX))
        self.touched.clear()
        return StatusSnapshot(covered, self.count, frozenset(self.void))

    def _index(self, notification_id: int) -> int:
        """The certificate's place in the list: its CertificateIssued ordinal in log order."""
        at = bisect_left(self.issued, notification_id)
        if at < len(self.issued) and self.issued[at] == notification_id:
            return self.base + at
        if self.full:
            raise TamperError(f"notification {notification_id} is a CertificateIssued row verify was not fed")
        return status_index(self.ledger.rows, notification_id)


def _replayed_void(rows: list[RawRow], stream: UUID) -> bool:
    """Whether the candidacy these rows make is void, by the domain's own handlers."""
    from certledger.events.mapper import domain_event

    aggregate = None
    try:
        for row in rows:
            aggregate = domain_event(envelope.open_state(bytes(row.state), strict=False), stream, row.version).mutate(aggregate)
    except (CertLedgerError, TypeError, ValueError, KeyError, AttributeError) as e:
        raise TamperError(f"candidacy {stream} cannot be replayed for its status ({type(e).__name__}: {e}): "
                          "run 'certledger verify'") from None
    return isinstance(aggregate, Candidacy) and aggregate.is_void


# --- the signed list ------------------------------------------------------------------------


def signed_list(snapshot: StatusSnapshot, *, host: str, origin: str, size: int, root: bytes, recorded_at: datetime,
                sign: Any, key_id: str) -> dict[str, Any]:
    """HRSS's BitstringStatusListCredential for ``snapshot``, naming the checkpoint it belongs
    to (``certledgerCheckpoint``: the ledger, size, root, time and number of certificates).

    No ``validFrom``: it is optional in VC 2.0, and a verifier refuses a credential whose
    validFrom is after its own clock, as a demo's simulated clock would make it; the moment is
    the checkpoint's, in ``certledgerCheckpoint.recordedAt`` and the proof's ``created``."""
    unsigned = unsigned_list(snapshot, host=host, origin=origin, size=size, root=root.hex(),
                             recorded_at=di.xsd_datetime(recorded_at))
    return di.add_proof(unsigned, sign=sign, verification_method=vc.verification_method_id(vc.did_of(host), key_id),
                        created=recorded_at)


def unsigned_list(snapshot: StatusSnapshot, *, host: str, origin: str, size: int, root: str, recorded_at: str) -> dict[str, Any]:
    """The list's content before HRSS's proof: the one definition, signed at a checkpoint and
    rebuilt by ``verify`` to compare."""
    url = vc.status_list_url(host)
    return {
        "@context": [vc.VC_CONTEXT],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": vc.did_of(host),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": vc.encode_list(snapshot.bitstring()),
        },
        "certledgerCheckpoint": {
            "origin": origin, "size": size, "root": root, "recordedAt": recorded_at, "certificates": snapshot.count,
        },
    }


def list_text(signed: dict[str, Any]) -> str:
    """The stored form of a signed list: its JCS bytes (what the note's digest is over)."""
    return di.jcs(signed).decode()




def list_host(signed: Any) -> str:
    """The DID host a signed list was made for (its issuer ``did:web:<host>``)."""
    issuer = signed.get("issuer") if isinstance(signed, dict) else None
    if not isinstance(issuer, str) or not issuer.startswith("did:web:"):
        raise di.ProofError("malformed", "the status list's issuer is not a did:web DID")
    return issuer.removeprefix("did:web:").replace("%3A", ":")


def verify_list_proof(signed: dict[str, Any], verifiers: list[Any]) -> None:
    """The list's eddsa-jcs-2022 proof is by one of ``verifiers`` (HRSS's keys valid when its
    checkpoint was recorded); :class:`di.ProofError` if not."""
    from certledger.signing.keys import key_id_of

    did = vc.did_of(list_host(signed))
    keys = {vc.verification_method_id(did, key_id_of(v.public_key)): v.public_key for v in verifiers}

    def public_key_for(method: str) -> bytes:
        if method not in keys:
            raise di.ProofError("unknown-key", f"{method[:120]} is not an HRSS key valid when the checkpoint was recorded")
        return keys[method]

    di.verify_proof(signed, public_key_for)


def check_status_list(text: Any, note: Any, snapshot: StatusSnapshot, verifiers: list[Any], *, origin: str,
                      size: Any, root: Any, recorded: datetime) -> str | None:
    """Why a checkpoint's stored list is not the one the replayed events make, signed by an
    HRSS key of ``verifiers`` and named by its ``note`` (L-5); None if it is."""
    from certledger.events import status_line

    if not isinstance(text, str):
        return f"L-5: checkpoint {size} carries no status list"
    try:
        bound = status_line.of_note(str(note))
    except CertLedgerError as e:
        return f"L-5: checkpoint {size}'s note: {e}"
    if bound is None or bound[1] != list_digest(text):
        return (f"L-5: the status list stored with checkpoint {size} is not the one its signed note names "
                "(its SHA-256 differs): the list was altered")
    try:
        signed = json.loads(text)
        host = list_host(signed)
        recorded_at = str((signed.get("certledgerCheckpoint") or {}).get("recordedAt"))
        expected = unsigned_list(snapshot, host=host, origin=origin, size=size, root=str(root), recorded_at=recorded_at)
        verify_list_proof(signed, verifiers)
    except (di.ProofError, CertLedgerError, ValueError, TypeError, AttributeError) as e:
        return f"L-5: the status list of checkpoint {size} is not a list HRSS signed: {e}"
    if recorded_at > di.xsd_datetime(recorded):
        return f"L-5: the status list of checkpoint {size} is dated {recorded_at}, after the checkpoint"
    unsigned = {k: v for k, v in signed.items() if k != "proof"}
    if unsigned != expected:
        return f"L-5: the status list of checkpoint {size} is not the one the events it covers make: " + _difference(signed, snapshot)
    if bound[0] != snapshot.count:
        return f"L-5: checkpoint {size}'s note names {bound[0]} certificates in its status list, the events make {snapshot.count}"
    return None


def _difference(signed: dict[str, Any], snapshot: StatusSnapshot) -> str:
    try:
        stated = snapshot_of_list(signed, snapshot.covered)
    except (di.ProofError, KeyError, TypeError, ValueError):
        return "its fields differ"
    if stated.count != snapshot.count:
        return f"it lists {stated.count} certificates, the events issue {snapshot.count}"
    listed_void = sorted(stated.void - snapshot.void)[:5]
    missing = sorted(snapshot.void - stated.void)[:5]
    parts = []
    if listed_void:
        parts.append(f"it marks index {', '.join(map(str, listed_void))} void (作废), which the replayed events do not "
                     "(a void row it covers was removed or rewritten?)")
    if missing:
        parts.append(f"it leaves index {', '.join(map(str, missing))} valid, which the replayed events void")
    return "; ".join(parts) or "its fields differ"
