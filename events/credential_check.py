"""Check a certificate's Verifiable Credential (可验证凭证) offline against HRSS's pinned DID
document, and its status against a signed status-list credential when one is given.

What it proves and what it does not is returned as data (``checked`` / ``not_checked``), so
``cert verify`` prints it and ``--json`` carries it. Any input, however hostile, ends in a
:class:`~signing.data_integrity.ProofError` with a reason, never in a traceback.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from certledger.events import credential as vc
from certledger.signing import data_integrity as di

ProofError = di.ProofError
MAX_INPUT = 32 * 1024 * 1024  # a credential is a few KB, a 1.5M-bit status list ~ 200 KB


@dataclass
class CheckedCredential:
    """What was checked, and what was not."""

    credential: dict[str, Any]
    issuer: str
    verification_method: str
    valid_from: str
    public_key: bytes = b""  # the key the proof verified under (32 raw bytes)
    status: str = "not checked"  # valid | revoked | not checked
    status_list: str | None = None
    checked: list[str] = field(default_factory=list)
    not_checked: list[str] = field(default_factory=list)
    proven: dict[str, Any] | None = None  # --db: what the ledger's checkpoint proves of the status

    @property
    def subject(self) -> dict[str, Any]:
        return self.credential.get("credentialSubject") or {}

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.status != "revoked",
            "kind": "credential",
            "id": self.credential.get("id"),
            "issuer": self.issuer,
            "verification_method": self.verification_method,
            "valid_from": self.valid_from,
            "subject": self.subject,
            "status": self.status,
            "status_list": self.status_list,
            "checked": self.checked,
            "not_checked": self.not_checked,
            "ledger_status": self.proven,
        }


def load_json(data: bytes | str | Any, what: str) -> Any:
    """Parsed JSON, or ProofError(malformed) naming ``what`` (bytes, text or already parsed)."""
    if not isinstance(data, (bytes, bytearray, str)):
        return data
    if len(data) > MAX_INPUT:
        raise ProofError("malformed", f"{what} is larger than {MAX_INPUT // (1024 * 1024)} MB")
    try:
        return json.loads(data)
    except (ValueError, RecursionError) as e:  # UnicodeDecodeError is a ValueError
        raise ProofError("malformed", f"{what} is not JSON ({str(e)[:100]})") from None


def is_credential(data: Any) -> bool:
    """Whether parsed JSON looks like a VC (its @context or type), not a certledger bundle."""
    if not isinstance(data, dict):
        return False
    types = data.get("type")
    types = types if isinstance(types, list) else [types]
    return "@context" in data or "VerifiableCredential" in types


def _moment(text: Any, what: str) -> datetime:
    if not isinstance(text, str) or not di._DATETIME.match(text):
        raise ProofError("malformed", f"{what} is not an XML Schema dateTime with a time zone")
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ProofError("malformed", f"{what} {text[:40]!r} is not a date and time") from None


def _issuer_of(credential: dict[str, Any]) -> str:
    issuer = credential.get("issuer")
    issuer = issuer.get("id") if isinstance(issuer, dict) else issuer
    if not isinstance(issuer, str) or not issuer:
        raise ProofError("malformed", "the credential names no issuer")
    return issuer


def _shape(credential: Any, what: str, kind: str) -> dict[str, Any]:
    if not isinstance(credential, dict):
        raise ProofError("malformed", f"{what} is not a JSON object")
    context = credential.get("@context")
    if not isinstance(context, list) or not context or context[0] != vc.VC_CONTEXT:
        raise ProofError("malformed", f"{what}'s @context does not start with {vc.VC_CONTEXT} (VC Data Model 2.0)")
    types = credential.get("type")
    if not isinstance(types, list) or "VerifiableCredential" not in types or kind not in types:
        raise ProofError("malformed", f"{what} is not a VerifiableCredential of type {kind}")
    return credential


class _Keys:
    """The DID document's verification methods, as the proof check asks for them."""

    def __init__(self, document: Any) -> None:
        if not isinstance(document, dict) or not isinstance(document.get("id"), str):
            raise ProofError("malformed", "the DID document is not a JSON object with an id")
        self.did = document["id"]
        methods = document.get("verificationMethod")
        assertion = document.get("assertionMethod")
        if not isinstance(methods, list) or not isinstance(assertion, list):
            raise ProofError("malformed", "the DID document lacks verificationMethod or assertionMethod lists")
        self.methods = {m.get("id"): m for m in methods if isinstance(m, dict) and isinstance(m.get("id"), str)}
        self.assertion = {a if isinstance(a, str) else a.get("id") if isinstance(a, dict) else None for a in assertion}

    def key_for(self, at: datetime):
        """``public_key_for`` for :func:`di.verify_proof`: the key of a method of this DID,
        valid at ``at`` (the credential's validFrom). A revoked key that was valid at ``at``
        still verifies what it sealed before its revocation."""

        def public_key_for(method_id: str) -> bytes:
            if not method_id.startswith(self.did + "#"):
                raise ProofError("unknown-key", f"{method_id[:120]} is not a key of {self.did}")
            method = self.methods.get(method_id)
            if method is None:
                raise ProofError("unknown-key", f"the DID document has no verification method {method_id[:120]}")
            if method.get("type") != "Multikey" or method.get("controller") != self.did:
                raise ProofError("unknown-key", f"{method_id[:120]} is not a Multikey controlled by {self.did}")
            revoked = method.get("revoked")
            if revoked is not None and _moment(revoked, "the key's revoked time") <= at:
                raise ProofError("key-revoked", f"{method_id[:120]} was revoked at {revoked}, not after validFrom {at.isoformat()}")
            if revoked is None and method_id not in self.assertion:
                raise ProofError("unknown-key", f"{method_id[:120]} is not an assertionMethod of {self.did}")
            valid_from = method.get("certledgerValidFrom")
            if valid_from is not None and _moment(valid_from, "the key's validity") > at:
                raise ProofError("key-not-yet-valid", f"{method_id[:120]} is valid only from {valid_from}, after validFrom {at.isoformat()}")
            return di.public_key_from_multibase(method.get("publicKeyMultibase"))

        return public_key_for


def _verify_signed(doc: dict[str, Any], keys: _Keys, what: str) -> tuple[str, str, str, bytes]:
    issuer = _issuer_of(doc)
    if issuer != keys.did:
        raise ProofError("wrong-issuer", f"{what} is issued by {issuer[:120]}, the pinned DID document is {keys.did[:120]}'s")
    valid_from = doc.get("validFrom")
    checkpoint = doc.get("certledgerCheckpoint")
    if valid_from is None and isinstance(checkpoint, dict):
        # a list a checkpoint signed carries the checkpoint's time instead (events/status_list.py)
        valid_from = checkpoint.get("recordedAt")
        what = f"{what}'s checkpoint time (certledgerCheckpoint.recordedAt)"
    else:
        what = f"{what}'s validFrom"
    at = _moment(valid_from, what)
    proof = di.verify_proof(doc, keys.key_for(at))
    return issuer, proof.verification_method, str(valid_from), proof.public_key


def verify_credential(data: Any, did_document: Any, status_list: Any = None) -> CheckedCredential:
    """Check a certificate credential: its eddsa-jcs-2022 proof by a key of the pinned DID
    document, that document's DID as the issuer, the key valid (not revoked) at validFrom, and,
    given HRSS's status-list credential, the certificate's revocation bit."""
    credential = _shape(load_json(data, "the credential"), "the credential", "VerifiableCredential")
    keys = _Keys(load_json(did_document, "the DID document"))
    issuer, method, valid_from, public_key = _verify_signed(credential, keys, "the credential")
    result = CheckedCredential(credential, issuer, method, valid_from, public_key)
    result.checked += [
        f"proof: {di.CRYPTOSUITE} by {method}",
        f"issuer: {issuer}, the pinned DID document's",
        f"key: valid at validFrom {valid_from} per the DID document",
    ]
    result.not_checked.append("the DID document itself: it is the trust anchor you pinned (HRSS's did.json)")
    key_revoked = (keys.methods.get(method) or {}).get("revoked")
    if key_revoked is not None:
        result.not_checked.append(f"that the credential was made before its key's revocation at {key_revoked}: validFrom says "
                                  "so, and whoever holds the revoked key can write any validFrom (--db checks it against the ledger)")
    entry = credential.get("credentialStatus")
    if status_list is None:
        result.not_checked.append("status: no status list given (--status-list), so revocation was not checked")
        return result
    if not isinstance(entry, dict) or entry.get("type") != "BitstringStatusListEntry":
        raise ProofError("malformed", "the credential has no BitstringStatusListEntry credentialStatus")
    listed = _shape(load_json(status_list, "the status list"), "the status list", "BitstringStatusListCredential")
    _, list_method, list_from, _ = _verify_signed(listed, keys, "the status list")
    if listed.get("id") != entry.get("statusListCredential"):
        raise ProofError("wrong-list", f"the status list is {str(listed.get('id'))[:120]}, the credential points to "
                         f"{str(entry.get('statusListCredential'))[:120]}")
    subject = listed.get("credentialSubject")
    if not isinstance(subject, dict) or subject.get("type") != "BitstringStatusList":
        raise ProofError("malformed", "the status list's credentialSubject is not a BitstringStatusList")
    if subject.get("statusPurpose") != entry.get("statusPurpose") or entry.get("statusPurpose") != "revocation":
        raise ProofError("wrong-list", "the status list's statusPurpose is not the entry's 'revocation'")
    index_text = entry.get("statusListIndex")
    if not isinstance(index_text, str) or not index_text.isdigit() or len(index_text) > 12:
        raise ProofError("malformed", f"statusListIndex {str(index_text)[:20]!r} is not a non-negative integer")
    revoked = vc.status_bit(vc.decode_list(subject.get("encodedList")), int(index_text))
    result.status = "revoked" if revoked else "valid"
    stated = listed.get("certledgerCheckpoint")
    if isinstance(stated, dict) and "validFrom" not in listed:
        of = f"checkpoint {stated.get('size')} of {list_from}"
    else:
        of = f"validFrom {list_from}"
    result.status_list = f"{listed['id']} ({of}, signed by {list_method})"
    result.checked.append(f"status: bit {index_text} of the status list HRSS signed with {of}: "
                          + ("1, revoked (作废)" if revoked else "0, not revoked"))
    result.not_checked.append(f"status changes after the status list's {of} (a newer list, or --db, shows them)")
    return result
