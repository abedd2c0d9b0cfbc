"""The issued document (文书): the e-certificate or pass proof as HRSS publishes it, a sealed PDF
made from the ledger, and what its QR code says.

Everything comes from the ledger, nothing is typed in, so the same ledger and keys always give
the same bytes:

- the page's fields are the sealed ``document`` of the certificate's ``CertificateIssued``
  event (:mod:`domain.certificate`), without its internal ids (exam code, candidacy UUID);
- the e-seal is made by the key that sealed that event, at that event's time;
- its X.509 chain derives from the trust registry: HRSS's root certificate is the genesis key's
  (the ledger's root of trust, valid from the genesis on, with no end: RFC 5280's 9999 date,
  since it must vouch for every document it ever certified), and the sealing certificate
  carries the sealing key's window as the registry recorded it when the certificate was sealed
  (a later revocation is the certificate's status, not a change to the issued document);
- the QR code says ``CL1:<number>:<sha256 of the sealed event, base64url>:<where to look it
  up>``, so that an offline reader holds what ``cert show NUMBER`` and ``cert verify --db``
  compare; the same text is the PDF's /Subject, under the seal, which ``cert verify`` reads.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from certledger.domain.clock import CST
from certledger.domain.errors import InputError, RuleViolation

QR_PREFIX = "CL1"
_QR = re.compile(r"CL1:(?P<number>[^\s]+):(?P<digest>[A-Za-z0-9_-]{43}):(?P<where>https://\S+)")
KIND = {"e-certificate": "certificate", "pass-proof": "pass_proof"}  # the layout's names


@dataclass(frozen=True)
class QrText:
    """What the QR code (and the PDF's /Subject) says."""

    number: str
    event_sha256: str  # hex
    where: str

    @property
    def text(self) -> str:
        return qr_text(self.number, bytes.fromhex(self.event_sha256), self.where)


def qr_text(number: str, event_digest: bytes, where: str) -> str:
    b64 = base64.urlsafe_b64encode(event_digest).rstrip(b"=").decode()
    return f"{QR_PREFIX}:{number}:{b64}:{where}"


def parse_qr(text: str) -> QrText:
    """The QR code's text, or InputError naming what is wrong with it."""
    found = _QR.fullmatch(text.strip())
    if found is None:
        raise InputError(f"the document's QR text is not CL1:NUMBER:DIGEST:URL: {text[:120]!r}")
    digest = base64.urlsafe_b64decode(found["digest"] + "=")
    return QrText(found["number"], digest.hex(), found["where"])


def lookup_url(host: str) -> str:
    """Where the QR code sends a reader: HRSS's certificate look-up (证书查询, ``certledger serve``)."""
    return f"https://{host}/lookup"


def check_line(host: str) -> str:
    return (f"本文书由河南省人力资源和社会保障厅在河南省政务服务网发布，电子印章为 PDF 签名。核验：以河南省人力资源和社会保障厅"
            f"根证书验证签名，或扫描二维码于 {lookup_url(host)} 查询。")


ID_BINDING_PREFIX = "CLID1"  # the holder's copy's /Keywords: CLID1:<number>:<salt hex>:<commitment hex>
_ID_BINDING = re.compile(r"CLID1:(?P<number>[0-9]{17}[0-9X]):(?P<salt>[0-9a-f]{32}):(?P<commitment>[0-9a-f]{64})")


@dataclass(frozen=True)
class IdBinding:
    """What the holder's copy carries for L-7: the full id number, the salt, and the sealed
    commitment they give (domain.id_number.id_commitment)."""

    number: str
    salt: bytes
    commitment: str

    @property
    def text(self) -> str:
        return f"{ID_BINDING_PREFIX}:{self.number}:{self.salt.hex()}:{self.commitment}"


def id_binding_of(document: dict[str, Any], holder: Any) -> IdBinding | None:
    """The binding a holder's copy of ``document`` carries: None when the document seals no
    commitment (a masked registration); InputError when it does and the number and salt are
    not given (erased), or do not give it."""
    from certledger.domain.id_number import binds

    commitment = document.get("id_commitment")
    if not commitment:
        return None
    if holder is None:
        raise RuleViolation("L-7", f"{document.get('number')}'s document seals a commitment to the holder's full id number, "
                         "and the holder's copy carries the number and its salt; they are no longer kept (erased "
                         "from the holder secrets), so the holder's copy cannot be made again: the copy issued "
                         "before still verifies")
    if not binds(str(commitment), holder.salt, holder.id_number):
        raise RuleViolation("L-7", f"the id number and salt given do not give {document.get('number')}'s sealed commitment")
    return IdBinding(holder.id_number, holder.salt, str(commitment))


def parse_id_binding(text: str) -> IdBinding:
    """The holder's copy's binding text, or InputError naming what is wrong with it."""
    found = _ID_BINDING.fullmatch(text.strip())
    if found is None:
        raise InputError(f"the document's id-number binding is not CLID1:NUMBER:SALT:COMMITMENT: {text[:160]!r}")
    return IdBinding(found["number"], bytes.fromhex(found["salt"]), found["commitment"])


def content_for(document: dict[str, Any], event_digest: bytes, host: str, binding: IdBinding | None = None) -> Any:
    """The page's content (:class:`events.document_layout.DocumentContent`) from the sealed
    document: its human fields only. With ``binding`` (the holder's copy, L-7) the 身份证号 row
    shows the full number, which the binding's commitment seals."""
    from certledger.events.document_layout import DocumentContent

    kind = KIND.get(str(document.get("kind")))
    if kind is None:
        raise InputError(f"a {document.get('kind')} has no sealed document to render")
    issued_on = date.fromisoformat(str(document["issued_on"]))
    return DocumentContent(
        kind=kind,
        holder_name=str(document["holder"]),
        id_number_masked=binding.number if binding is not None else str(document["id_number"]),
        qualification=str(document["exam"]),
        level_or_specialty="／".join(str(v) for v in (document.get("level"), document.get("specialty")) if v),
        number=str(document["number"]),
        issued_on=datetime.combine(issued_on, time(0, 0), CST),
        qr_payload=qr_text(str(document["number"]), event_digest, lookup_url(host)),
        check_line=check_line(host),
    )


def genesis_key(registry: Any) -> Any:
    """HRSS's root of trust: the key the genesis registered (the registry's first key)."""
    from certledger.domain.parties import ROOT_PARTY

    return next(k for k in registry.keys.values() if k.party_id == ROOT_PARTY)


def _public(text: str) -> Any:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    return Ed25519PublicKey.from_public_bytes(base64.b64decode(text))


def _raw(public: Any) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def root_certificate_of(registry: Any, root_key: Any) -> Any:
    """HRSS's root certificate (根证书), self-signed by the genesis key ``root_key``."""
    from certledger.signing.x509_chain import root_certificate

    genesis = genesis_key(registry)
    if _raw(root_key.public_key()) != base64.b64decode(genesis.public_key):
        raise InputError(f"the private key given is not HRSS's genesis key {genesis.key_id}")
    return root_certificate(root_key, not_before=genesis.valid_from)


def sealing_certificate_of(registry_then: Any, key_id: str, root_key: Any) -> Any:
    """The sealing key's certificate, its window as ``registry_then`` records it."""
    from certledger.signing.x509_chain import sealing_certificate

    entry = registry_then.key(key_id)
    return sealing_certificate(_public(entry.public_key), root_key, not_before=entry.valid_from,
                               not_after=entry.revoked_at)


@dataclass(frozen=True)
class Issued:
    """What the ledger says a document is made from."""

    kind: str
    number: str
    document: dict[str, Any]
    signer: str  # the key that sealed the certificate
    sealed_at: datetime
    event_digest: bytes  # sha256 of the sealed CertificateIssued event, as stored
    notification_id: int


def issued_of(found: Any) -> Issued:
    """From a :class:`events.provenance.Found` (an e-certificate or pass proof)."""
    opened = found.opened
    document = opened.payload.get("document")
    if not isinstance(document, dict):
        raise InputError(f"{found.number}'s seal event carries no document")
    state = bytes(found.issued.state)
    return Issued(found.kind, found.number, document, opened.signer, opened.timestamp,
                  hashlib.sha256(state).digest(), found.issued.notification_id)


def registry_at(ledger: Any, notification_id: int) -> Any:
    """The trust registry as it stood when event ``notification_id`` was recorded (each of its
    events verified as it is read)."""
    from certledger.domain.trust import TRUST_REGISTRY_ID, TrustRegistry

    found = ledger.load_many([TRUST_REGISTRY_ID], TrustRegistry, up_to=notification_id)
    return found[TRUST_REGISTRY_ID]


def render(issued: Issued, registry_then: Any, *, root_key: Any, seal_key: Any, host: str,
           holder: Any = None) -> bytes:
    """The sealed PDF: the same ledger and keys (and holder secret) give the same bytes.
    ``holder``: the holder's number and salt (events.holder_secrets), for a document that
    seals an id-number commitment (L-7): the PDF then carries them, as /Keywords, under the
    seal."""
    from certledger.events.document_layout import render_page
    from certledger.signing.pdf_seal import seal_pdf

    entry = registry_then.key(issued.signer)
    if _raw(seal_key.public_key()) != base64.b64decode(entry.public_key):
        raise InputError(f"the sealing key given is not {issued.signer}")
    root = root_certificate_of(registry_then, root_key)
    seal = sealing_certificate_of(registry_then, issued.signer, root_key)
    binding = id_binding_of(issued.document, holder)
    page = render_page(content_for(issued.document, issued.event_digest, host, binding),
                       keywords=binding.text if binding is not None else None)
    return seal_pdf(page, seal_key=seal_key, seal_cert=seal, root_cert=root, signing_time=issued.sealed_at,
                    document_id=issued.event_digest[:16])


def subject_of(data: bytes) -> str | None:
    """The PDF's /Subject (the QR text), from its last trailer's Info; None if it has none."""
    import io

    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(io.BytesIO(data), strict=False)
    info = reader.trailer_view.get("/Info")
    if info is None:
        return None
    subject = info.get_object().get("/Subject")
    return None if subject is None else str(subject)
