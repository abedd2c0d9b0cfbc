"""The e-certificate as a W3C Verifiable Credential (可验证凭证, VC Data Model 2.0), HRSS's DID
document, and the signed BitstringStatusListCredential (证书状态列表): plain data in, plain
JSON out, no ledger, no files, no clock.

Why the credential needs no stored proof: every field of it is a function of what HRSS
already sealed into the ledger — the ``CertificateIssued`` event's sealed ``document``, that
event's time (``validFrom`` and the proof's ``created``), its status-list index and the DID
host — and Ed25519 is deterministic (RFC 8032). So the credential, proof included, is made
once in effect: every export by the key that sealed the certificate gives the same bytes,
and anyone holding the ledger can rebuild the unsigned credential and refuse one whose
content differs from the certificate (:func:`credential_for` is the one definition, used
by ``cert export --format vc`` and by the check). Recording it again as an event would add
a second copy of the same facts that could only disagree with the first.
"""

from __future__ import annotations

import gzip
import base64
import uuid
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

from certledger.domain.publication import DOCUMENT_CHANNEL
from certledger.domain.errors import InputError
from certledger.signing import data_integrity as di

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
DEFAULT_DID_HOST = "hrss.henan.example"  # a reserved example name until HRSS names its host
DID_HOST_ENV = "CERTLEDGER_DID_HOST"
DID_CONTEXT = "https://www.w3.org/ns/did/v1"  # first, so verifiers take it as a DID document without JSON-LD framing
MULTIKEY_CONTEXT = "https://w3id.org/security/multikey/v1"
MIN_LIST_BITS = 131072  # Bitstring Status List v1.0 §6.1: at least 16 KB, for herd privacy
HRSS_NAME = "河南省人力资源和社会保障厅"
HRSS_NAME_EN = "Department of Human Resources and Social Security of Henan Province"
_TYPES = {"e-certificate": "HenanProfessionalQualificationCertificate", "pass-proof": "HenanExamPassProof"}


def did_of(host: str) -> str:
    """``did:web:<host>`` (a port's ':' is written %3A, as did:web says)."""
    host = host.strip().lower()
    if not host or any(c in host for c in "/ #?@") or len(host) > 253:
        raise InputError(f"--did-host {host[:80]!r} is not a host name")
    return "did:web:" + host.replace(":", "%3A")


def did_document_url(host: str) -> str:
    return f"https://{host}/.well-known/did.json"


def status_list_url(host: str) -> str:
    return f"https://{host}/credentials/status/revocation"


def verification_method_id(did: str, key_id: str) -> str:
    """``did:web:<host>#ed25519-5ab8…``: the key id with ':' as '-' (a fragment may not hold ':')."""
    return f"{did}#{key_id.replace(':', '-')}"


def _when(moment: datetime) -> str:
    return di.xsd_datetime(moment)


# --- HRSS's DID document --------------------------------------------------------------------


def did_document(host: str, keys: Iterable[Any]) -> dict[str, Any]:
    """HRSS's DID document (Controlled Identifiers v1.0 / did:web) from its sealing keys.

    ``keys``: the trust registry's entries (``key_id``, ``public_key`` as base64, ``valid_from``,
    ``revoked_at``). Each is a ``Multikey`` verification method. A revoked key is kept in
    ``verificationMethod`` with its ``revoked`` time (Controlled Identifiers §2.2: "revoked")
    so that credentials sealed before it still resolve, and taken out of
    ``assertionMethod``: Digital Bazaar's verifier then refuses any proof by it, and our own
    check refuses a proof made at or after the revocation. ``validFrom`` is not a standard
    verification-method property; we keep the registry's time under a certledger term
    (``certledgerValidFrom``) so that a verifier can refuse a key used before it was valid."""
    did = did_of(host)
    methods, assertion = [], []
    for key in sorted(keys, key=lambda k: (k.valid_from, k.key_id)):
        method: dict[str, Any] = {
            "id": verification_method_id(did, key.key_id),
            "type": "Multikey",
            "controller": did,
            "publicKeyMultibase": di.public_key_multibase(base64.b64decode(key.public_key)),
            "certledgerValidFrom": _when(key.valid_from),
        }
        if key.revoked_at is not None:
            method["revoked"] = _when(key.revoked_at)
        else:
            assertion.append(method["id"])
        methods.append(method)
    return {
        "@context": [DID_CONTEXT, MULTIKEY_CONTEXT],
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": assertion,
    }


# --- the certificate's credential -----------------------------------------------------------


def credential_id(host: str, kind: str, number: str) -> str:
    """A stable URN for the credential: the number holds CJK brackets, not URL-safe as is."""
    return "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"https://{host}/credentials/{kind}/{number}"))


# The holder's copy's fields (L-7) that are not sealed in the ledger: the full id number and
# the salt of the sealed ``idCommitment``. Checked by that commitment, not against the ledger.
HOLDER_FIELDS = ("idNumber", "idNumberSalt")


def credential_for(document: Mapping[str, Any], *, issued_at: datetime, status_index: int, host: str,
                   holder: Any = None) -> dict[str, Any]:
    """The unsigned credential of a sealed certificate ``document`` (the CertificateIssued
    event's ``document``, what HRSS's e-seal covers), issued at ``issued_at`` (that event's
    time), at ``status_index`` in the revocation list. Field names English, values as sealed.

    Where the document seals an id-number commitment (L-7) the credential carries it as
    ``idCommitment``; the holder's copy (``holder``: the number and salt kept for it) carries
    the full number and the salt too (:data:`HOLDER_FIELDS`), so a relying party who sees the
    holder's ID can recompute it. Without ``holder`` the credential is what the ledger alone
    makes."""
    kind = str(document.get("kind", ""))
    if kind not in _TYPES:
        raise InputError(f"only an e-certificate or a pass proof becomes a credential, not {kind!r}")
    did = did_of(host)
    subject: dict[str, Any] = {
        "type": _TYPES[kind],
        "name": document["holder"],  # 持证人姓名
        "maskedIdNumber": document["id_number"],  # 身份证号（部分隐藏）
        "certificateNumber": document["number"],  # 证书编号
        "certificateKind": kind,
        "certificateTitle": document["title"],  # 证书名称
        "examCode": document["exam_code"],
        "examName": document["exam"],  # 考试 / 资格名称
        "level": document["level"],  # 级别
        "examYear": document["year"],
        "issuedOn": document["issued_on"],  # 发证日期
        # 发布渠道: HRSS publishes every e-certificate and pass proof there (2019 §一(二), (三)),
        # as the document does; the act 文书发布 records each PDF's publication.
        "publicationChannel": DOCUMENT_CHANNEL,
    }
    if document.get("specialty"):
        subject["specialty"] = document["specialty"]  # 专业
    if document.get("scope"):
        subject["scope"] = document["scope"]  # 效力范围, as sealed (2019 §一(二)(四))
    if document.get("id_commitment"):
        subject["idCommitment"] = document["id_commitment"]  # 身份证号承诺值 (L-7)
        if holder is not None:
            subject["idNumber"] = holder.id_number  # 身份证号, the holder's copy only
            subject["idNumberSalt"] = holder.salt.hex()
    return {
        "@context": [VC_CONTEXT],
        "id": credential_id(host, kind, str(document["number"])),
        "type": ["VerifiableCredential", _TYPES[kind]],
        "name": document["title"],
        "issuer": {"id": did, "name": HRSS_NAME},
        "validFrom": _when(issued_at),
        "credentialSubject": subject,
        "credentialStatus": {
            "id": f"{status_list_url(host)}#{status_index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(status_index),
            "statusListCredential": status_list_url(host),
        },
    }


def without_holder_fields(credential: Mapping[str, Any]) -> dict[str, Any]:
    """``credential`` as the ledger alone makes it: the holder's number and salt taken out."""
    subject = credential.get("credentialSubject")
    if not isinstance(subject, Mapping):
        return dict(credential)
    return {**credential, "credentialSubject": {k: v for k, v in subject.items() if k not in HOLDER_FIELDS}}


def signed_credential(
    unsigned: Mapping[str, Any], *, sign: Callable[[bytes], bytes], key_id: str, host: str
) -> dict[str, Any]:
    """``unsigned`` with HRSS's eddsa-jcs-2022 proof, ``created`` = ``validFrom`` (the seal's
    time, not the export's): the same credential whenever it is exported."""
    return di.add_proof(
        unsigned, sign=sign, verification_method=verification_method_id(did_of(host), key_id),
        created=unsigned["validFrom"],
    )


# --- the status list credential (Bitstring Status List v1.0) ------------------------------


def list_length(count: int) -> int:
    """The shared decision: max(131072, count rounded up to a multiple of 8) bits."""
    return max(MIN_LIST_BITS, (count + 7) // 8 * 8)


def encode_list(bitstring: bytes) -> str:
    """encodedList: multibase base64url without padding ('u') of GZIP (mtime 0) of the bits."""
    packed = gzip.compress(bytes(bitstring), compresslevel=9, mtime=0)
    return "u" + base64.urlsafe_b64encode(packed).rstrip(b"=").decode("ascii")


def decode_list(encoded: Any, *, limit: int = 16 * 1024 * 1024) -> bytes:
    """The bitstring of an encodedList; :class:`di.ProofError` (malformed) for anything else.
    ``limit`` bounds the inflated size, so a gzip bomb cannot fill memory."""
    if not isinstance(encoded, str) or not encoded.startswith("u") or len(encoded) > limit:
        raise di.ProofError("malformed", "encodedList is not a multibase base64url ('u…') string")
    try:
        packed = base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4))
        import zlib

        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        bits = inflater.decompress(packed, limit + 1)
        if len(bits) > limit or inflater.unconsumed_tail:
            raise di.ProofError("malformed", f"encodedList inflates to more than {limit} bytes")
        if not inflater.eof:
            raise di.ProofError("malformed", "encodedList's GZIP stream is truncated")
    except (ValueError, zlib.error, EOFError) as e:
        raise di.ProofError("malformed", f"encodedList is not base64url GZIP: {e}") from None
    return bits


def status_bit(bitstring: bytes, index: int) -> bool:
    """Bit ``index`` (bit 0 = most significant bit of byte 0); out of range is refused."""
    if not 0 <= index < len(bitstring) * 8:
        raise di.ProofError(
            "index-out-of-range", f"statusListIndex {index} is outside the list's {len(bitstring) * 8} bits"
        )
    return bool(bitstring[index // 8] >> (7 - index % 8) & 1)


def status_list_credential(
    bitstring: bytes, *, host: str, valid_from: datetime, sign: Callable[[bytes], bytes], verification_method: str
) -> dict[str, Any]:
    """HRSS's signed BitstringStatusListCredential (statusPurpose revocation) over ``bitstring``."""
    url = status_list_url(host)
    unsigned = {
        "@context": [VC_CONTEXT],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": did_of(host),
        "validFrom": _when(valid_from),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": encode_list(bitstring),
        },
    }
    return di.add_proof(unsigned, sign=sign, verification_method=verification_method, created=valid_from)
