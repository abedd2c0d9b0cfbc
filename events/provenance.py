"""Provenance, read only: find a certificate by its number, and the signed history behind it.

Look-up is by index, not scan: a certificate number is a stream of its own whose id derives
from its kind and text (:mod:`domain.certificate_number`), so one indexed read per kind finds
it. The history of a candidacy is its own stream, the claims of the numbers issued to it and
its sitting's stream, read as stored; each event is opened and its signature checked against
the trust registry (every revocation it records, also later ones with an earlier effective
time), so a line that does not verify is shown as such rather than stopping the trace.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from certledger.domain.acts import event_class, term_of
from certledger.domain.candidacy import Candidacy
from certledger.domain.clock import CST
from certledger.domain.certificate_number import KINDS, CertificateNumber, certificate_number_id
from certledger.domain.errors import CertLedgerError, InputError
from certledger.domain.sitting import ExamSitting
from certledger.domain.trust import TRUST_REGISTRY_ID
from certledger.events import envelope
from certledger.events.ledger import Ledger
from certledger.events.mapper import domain_event
from certledger.events.storage import RawRow

CST_NAME = "China Standard Time"
SEALED_KINDS = ("e-certificate", "pass-proof")  # under HRSS's e-seal
_NOISE = frozenset(("actor", "timestamp", "originator_topic", "class_version", "on", "document"))


@dataclass(frozen=True)
class Found:
    """A certificate number and what the ledger holds on it."""

    kind: str
    number: str
    candidacy: Candidacy
    sitting: ExamSitting
    issued: RawRow  # the row that issued it (CertificateIssued, PaperCertificateReceived)

    @property
    def opened(self) -> envelope.Opened:
        return envelope.open_state(bytes(self.issued.state))


def load_one(ledger: Ledger, aggregate_id: UUID, kind: type) -> Any:
    """A candidacy or sitting replayed from its signed events (a clear error if there is none)."""
    return ledger.candidacy(aggregate_id) if kind is Candidacy else ledger.sitting(aggregate_id)


def find_certificate(ledger: Ledger, number: str, kind: str | None = None,
                     load: Callable[[UUID, type], Any] | None = None) -> list[Found]:
    """Every certificate of that number (one per kind at most, L-3), by index. ``load(id,
    kind)`` gives the candidacy and sitting (a listing passes one that reads the registers'
    stored states); by default they are replayed from their signed events."""
    number = number.strip()
    load = load or (lambda aggregate_id, cls: load_one(ledger, aggregate_id, cls))
    found = []
    for k in [kind] if kind else KINDS:
        claim_id = certificate_number_id(k, number)
        if not ledger.recorder.select_events(claim_id, limit=1):
            continue
        claim = ledger.repository.get(claim_id)
        assert isinstance(claim, CertificateNumber)
        candidacy = load(claim.candidacy_id, Candidacy)
        event = "PaperCertificateReceived" if k == "paper" else "CertificateIssued"
        rows = [r for r in ledger.rows.raw_stream(candidacy.id) if str(r.topic).endswith(f".{event}")]
        if rows:
            found.append(Found(k, number, candidacy, load(candidacy.sitting_id, ExamSitting), rows[-1]))
    if not found:
        raise InputError(f"no certificate numbered {number!r} in this ledger")
    return found


def status(found: Found) -> dict[str, Any]:
    """valid, void (R-11 ineligible, R-12 fraud), or superseded by the paper certificate."""
    c = found.candidacy
    if c.is_void:
        rule = "R-12" if c.fraud_articles and c.void_reason and c.void_reason.startswith("fraud") else "R-11"
        return {"status": "void", "rule": rule, "since": c.void_on, "reason": c.void_reason}
    claimed = c.handed_out_on or c.delivered_on
    if found.kind == "pass-proof" and c.paper_no is not None and claimed is not None:
        # 2019 §一(四): equal in force to the paper certificate "在国家印制的纸质证书发放之前":
        # until the paper one is handed out or delivered, not when it reaches the unit
        how = "handed out" if c.handed_out_on else "delivered"
        return {"status": "superseded", "rule": "R-14", "since": claimed,
                "reason": f"superseded by paper certificate {c.paper_no}, {how} {claimed}"}  # fmt: skip
    return {"status": "valid", "rule": None, "since": None, "reason": None}


def certificate_record(ledger: Ledger, found: Found) -> dict[str, Any]:
    c, s, opened = found.candidacy, found.sitting, found.opened
    document = opened.payload.get("document") or {}
    issued_on = c.certificate_issued_on if found.kind in SEALED_KINDS else c.paper_received_on
    return {
        "number": found.number,
        "kind": found.kind,
        "title": document.get("title"),
        "holder": c.name,
        "id_number": c.masked_id,
        "candidacy": f"{s.exam_code}:{s.year}:{c.candidate}",
        "exam": c.exam_code,
        "exam_name": c.exam.name,
        "level": c.level,
        "year": s.year,
        **status(found),
        "issued_on": issued_on,
        "issuer": opened.actor,
        "issuer_name": ledger.registry().party(opened.actor).name,
        "signing_key": opened.signer,
        "notification_id": found.issued.notification_id,
        "digest": envelope.digest(bytes(found.issued.state)),
    }


# -- trace ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TraceLine:
    notification_id: int
    stream: str
    scope: str  # "candidacy", "certificate-number" or "sitting"
    version: int
    event: str
    term: str  # the notices' own name for the act
    rules: tuple[str, ...]
    on: str | None  # business date
    written_at: datetime  # in China Standard Time
    party: str
    key_id: str
    signature: str  # "verified" or "BAD: why"
    digest: str
    details: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {
            "notification_id": self.notification_id,
            "stream": self.stream,
            "scope": self.scope,
            "version": self.version,
            "event": self.event,
            "term": self.term,
            "rules": list(self.rules),
            "on": self.on,
            "written_at": self.written_at.isoformat(),
            "party": self.party,
            "key_id": self.key_id,
            "signature": self.signature,
            "digest": self.digest,
            "details": self.details,
        }


def candidacy_of_number(ledger: Ledger, number: str) -> UUID:
    """The candidacy a certificate number was issued to, read from its claim as stored."""
    for kind in KINDS:
        for row in ledger.rows.raw_stream(certificate_number_id(kind, number.strip())):
            try:
                return UUID(str(envelope.open_state(bytes(row.state)).payload["candidacy_id"]))
            except (CertLedgerError, KeyError, ValueError):
                continue
    raise InputError(f"no certificate numbered {number!r} in this ledger")


def trace(ledger: Ledger, candidacy_id: UUID) -> list[TraceLine]:
    """Every event behind the candidacy, in the order the ledger recorded them. Read as
    stored, not through the aggregate: a forged event is a line marked BAD, not an error."""
    own = ledger.rows.raw_stream(candidacy_id)
    streams: list[tuple[UUID, str]] = [(candidacy_id, "candidacy")]
    for row in own:
        try:
            payload = envelope.open_state(bytes(row.state)).payload
        except CertLedgerError:
            continue
        event = str(row.topic).rpartition(":")[2]
        if event == "Candidacy.Registered" and "sitting_id" in payload:
            streams.append((UUID(str(payload["sitting_id"])), "sitting"))
        elif event == "Candidacy.CertificateIssued":
            streams.append((certificate_number_id(str(payload.get("kind")), str(payload.get("number"))), "certificate-number"))
        elif event == "Candidacy.PaperCertificateReceived":
            streams.append((certificate_number_id("paper", str(payload.get("certificate_no"))), "certificate-number"))
    scope = {str(stream): what for stream, what in streams}
    rows = sorted(
        (row for stream, _ in streams for row in (own if stream == candidacy_id else ledger.rows.raw_stream(stream))),
        key=lambda r: r.notification_id,
    )
    ledger.registry()  # the keyring now holds every key and revocation the ledger records
    lines = []
    for row in rows:
        state = bytes(row.state)
        try:
            opened = envelope.open_state(state)
        except CertLedgerError as e:
            lines.append(_unreadable(row, state, scope, str(e)))
            continue
        try:
            envelope.check_placement(opened, UUID(str(row.stream)), row.version, row.topic)
            envelope.check_ledger(opened, ledger.ledger_id)
            envelope.check_signed(opened, ledger.keyring, ledger.mapper_.pinned_root)
            domain_event(opened, UUID(str(row.stream)), int(row.version))  # its fields are of their types, its dates in range
            signature = "verified"
        except CertLedgerError as e:
            signature = f"BAD: {e}"
        term, rules = _declared(opened, UUID(str(row.stream)), int(row.version))
        lines.append(
            TraceLine(
                notification_id=row.notification_id,
                stream=opened.stream,
                scope=scope.get(opened.stream, "?"),
                version=opened.version,
                event=opened.topic.rpartition(":")[2],
                term=term,
                rules=rules,
                on=opened.payload.get("on"),
                written_at=opened.timestamp.astimezone(CST),
                party=opened.actor,
                key_id=opened.signer,
                signature=signature,
                digest=envelope.digest(state),
                details={k: v for k, v in opened.payload.items() if k not in _NOISE},
            )
        )
    return lines


def _declared(opened: envelope.Opened, stream: UUID, version: int) -> tuple[str, tuple[str, ...]]:
    cls = event_class(opened.topic)
    if cls is None:
        return "", ()
    try:
        event = domain_event(opened, stream, version)
    except CertLedgerError:
        return "", ()
    return term_of(event)


def _unreadable(row: RawRow, state: bytes, scope: dict[str, str], why: str) -> TraceLine:
    return TraceLine(
        notification_id=row.notification_id, stream=str(row.stream), scope=scope.get(str(row.stream), "?"),
        version=int(row.version), event=str(row.topic).rpartition(":")[2], term="", rules=(), on=None,
        written_at=datetime.fromtimestamp(0).astimezone(), party="", key_id="", signature=f"BAD: {why}",
        digest=envelope.digest(state), details={},
    )  # fmt: skip


def trust_states(ledger: Ledger, up_to: int | None = None) -> list[bytes]:
    """The trust registry's stored events, genesis first, up to version ``up_to`` (what a
    bundle carries: exactly the head its checkpoint binds)."""
    rows = sorted(ledger.rows.raw_stream(TRUST_REGISTRY_ID), key=lambda r: r.version)
    return [bytes(r.state) for r in rows if up_to is None or r.version <= up_to]


def _bound_trust_head(note_text: str) -> int:
    """The trust registry version a checkpoint note binds (its extension line)."""
    from certledger.events import trust_head
    from certledger.signing.note import parse_checkpoint, unsigned_text

    version, _ = trust_head.parse(parse_checkpoint(unsigned_text(note_text)).extensions)
    return version


# -- export ----------------------------------------------------------------------------------------


def export_bundle(ledger: Ledger, found: Found, log: Any = None, checkpoint: Any = None) -> dict[str, Any]:
    """The certificate bundle of a sealed certificate: its seal event, the trust registry,
    and its inclusion proof in the latest checkpoint (which must cover it). ``log`` and
    ``checkpoint`` default to the ledger's Merkle log (:mod:`events.merkle_log`)."""
    from certledger.events import certificate_bundle, status_list

    if log is None or checkpoint is None:
        try:
            from certledger.events.checkpoints import latest_checkpoint
            from certledger.events.merkle_log import MerkleLog
        except ImportError:
            raise InputError(
                "this ledger has no Merkle log yet, so no checkpoint covers the seal: record one with 'certledger checkpoint'"
            ) from None
        log = log or MerkleLog(ledger)
        checkpoint = checkpoint or latest_checkpoint(ledger)
    nid = found.issued.notification_id
    if checkpoint is None:
        raise InputError(f"no checkpoint covers the seal (event #{nid}): record one with 'certledger checkpoint'")
    position = log.position_of(nid)
    if position is None or position >= checkpoint.size:
        raise InputError(
            f"the latest checkpoint (size {checkpoint.size}) does not cover the seal (event #{nid}): "
            "record one with 'certledger checkpoint'"
        )
    return certificate_bundle.build(
        ledger_id=ledger.ledger_id or "",
        seal_state=bytes(found.issued.state),
        trust_states=trust_states(ledger, _bound_trust_head(checkpoint.note)),
        leaf_index=position,
        tree_size=checkpoint.size,
        proof=list(log.inclusion_proof(position, checkpoint.size)),
        checkpoint_note=checkpoint.note,
        notification_id=nid,
        status_list=getattr(checkpoint, "status_list", None),
        status_index=status_list.status_index(ledger.rows, nid),
    )


def public_key_text_of(bundle: dict[str, Any], key_id: str) -> str:
    """The public key (text form) the bundle's trust events register as ``key_id``."""
    import base64

    for text in bundle["trust"]:
        payload = envelope.open_state(base64.b64decode(text)).payload
        if payload.get("key_id") == key_id and "public_key" in payload:
            return str(payload["public_key"])
        if payload.get("root_key_id") == key_id:
            return str(payload["root_public_key"])
    raise InputError(f"the bundle registers no key {key_id}")
