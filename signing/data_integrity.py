"""W3C Data Integrity proofs with the cryptosuite ``eddsa-jcs-2022`` (数据完整性证明).

The EdDSA Cryptosuites v1.0 Recommendation (https://www.w3.org/TR/vc-di-eddsa/, §3.3):
the proof configuration (the proof without ``proofValue``, carrying the document's
``@context``) and the document (without ``proof``) are each canonicalised with JCS
(RFC 8785), hashed with SHA-256, and Ed25519 signs ``sha256(config) ‖ sha256(document)``;
``proofValue`` is the signature in multibase base58btc. ``tests/test_data_integrity.py``
reproduces the Recommendation's own example (Appendix B.3) byte for byte.

Also the multibase / Multikey helpers (Controlled Identifiers v1.0 §2.2.2) the DID document
and the credentials use. Nothing here reads files or the ledger: ``sign`` and
``public_key_for`` are passed in, so the same code signs at issue and checks anywhere.
"""

from __future__ import annotations

import copy
import hashlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from certledger.domain.errors import TamperError

CRYPTOSUITE = "eddsa-jcs-2022"
PROOF_TYPE = "DataIntegrityProof"
# Multicodec prefixes (unsigned varints): ed25519-pub 0xed, ed25519-priv 0x1300.
ED25519_PUB_PREFIX = b"\xed\x01"
ED25519_PRIV_PREFIX = b"\x80\x26"
_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_INDEX = {c: i for i, c in enumerate(_B58)}
# XML Schema dateTimeStamp as Data Integrity wants it for "created" (a zone is required).
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


class ProofError(TamperError):
    """A Data Integrity proof that does not hold, or a document that is not one.

    ``reason`` is a short stable word (malformed, unknown-cryptosuite, bad-proof,
    unknown-key, context-mismatch) that tests and ``--json`` output can rely on."""

    label = "not verified"  # as the bundle check's refusals print: certledger: not verified: …

    def __init__(self, reason: str, message: str) -> None:
        self.reason = reason
        super().__init__(f"{reason}: {message}")


# --- multibase base58btc and Multikey ---------------------------------------------------


def base58btc_encode(data: bytes) -> str:
    """Bitcoin's base58 alphabet, leading zero bytes as '1' (draft-msporny-base58)."""
    number = int.from_bytes(data, "big")
    out = []
    while number:
        number, digit = divmod(number, 58)
        out.append(_B58[digit])
    zeros = len(data) - len(data.lstrip(b"\0"))
    return "1" * zeros + "".join(reversed(out))


def base58btc_decode(text: str) -> bytes:
    number = 0
    for c in text:
        digit = _B58_INDEX.get(c)
        if digit is None:
            raise ValueError(f"{c!r} is not a base58btc character")
        number = number * 58 + digit
    zeros = len(text) - len(text.lstrip("1"))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * zeros + body


def multibase_base58btc(data: bytes) -> str:
    return "z" + base58btc_encode(data)


def from_multibase_base58btc(text: Any, what: str) -> bytes:
    if not isinstance(text, str) or not text.startswith("z") or len(text) > 200:
        raise ProofError("malformed", f"{what} is not a multibase base58btc string ('z…')")
    try:
        return base58btc_decode(text[1:])
    except ValueError as e:
        raise ProofError("malformed", f"{what}: {e}") from None


def public_key_multibase(public_key: bytes) -> str:
    """A Multikey ``publicKeyMultibase``: 'z' + base58btc(0xed01 ‖ 32-byte Ed25519 key)."""
    if len(public_key) != 32:
        raise ValueError("an Ed25519 public key is 32 bytes")
    return multibase_base58btc(ED25519_PUB_PREFIX + public_key)


def public_key_from_multibase(text: Any) -> bytes:
    raw = from_multibase_base58btc(text, "publicKeyMultibase")
    if len(raw) != 34 or not raw.startswith(ED25519_PUB_PREFIX):
        raise ProofError("malformed", "publicKeyMultibase is not an Ed25519 Multikey (0xed01 + 32 bytes)")
    return raw[2:]


def secret_key_from_multibase(text: str) -> bytes:
    """The 32-byte Ed25519 seed of a Multikey ``secretKeyMultibase`` (0x8026 ‖ seed)."""
    raw = from_multibase_base58btc(text, "secretKeyMultibase")
    if len(raw) != 34 or not raw.startswith(ED25519_PRIV_PREFIX):
        raise ProofError("malformed", "secretKeyMultibase is not an Ed25519 Multikey (0x8026 + 32 bytes)")
    return raw[2:]


# --- the cryptosuite ---------------------------------------------------------------------


def jcs(value: Any) -> bytes:
    """RFC 8785 canonical JSON (the ``rfc8785`` package): the one serialisation we hash."""
    import rfc8785

    try:
        return rfc8785.dumps(value)
    except (rfc8785.CanonicalizationError, TypeError, ValueError, RecursionError) as e:
        raise ProofError("malformed", f"the document cannot be put in JCS form: {e}") from None


def hash_data(document: Mapping[str, Any], proof_config: Mapping[str, Any]) -> bytes:
    """§3.3.4: sha256(JCS(proof configuration)) ‖ sha256(JCS(document)), 64 bytes."""
    return hashlib.sha256(jcs(proof_config)).digest() + hashlib.sha256(jcs(document)).digest()


def xsd_datetime(moment: datetime) -> str:
    """``created`` / ``validFrom`` text: seconds precision, the moment's own offset kept."""
    if moment.tzinfo is None:
        raise ValueError("a Data Integrity time must be timezone-aware")
    text = moment.replace(microsecond=0).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def add_proof(
    document: Mapping[str, Any],
    *,
    sign: Callable[[bytes], bytes],
    verification_method: str,
    created: datetime | str,
    proof_purpose: str = "assertionMethod",
) -> dict[str, Any]:
    """A copy of ``document`` with an ``eddsa-jcs-2022`` proof (§3.3.1 Create Proof).

    ``sign`` is the key's Ed25519 signing function; Ed25519 is deterministic (RFC 8032), so
    the same document, options and key always give the same ``proofValue``."""
    unsecured = copy.deepcopy(dict(document))
    unsecured.pop("proof", None)
    proof: dict[str, Any] = {
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "created": created if isinstance(created, str) else xsd_datetime(created),
        "verificationMethod": verification_method,
        "proofPurpose": proof_purpose,
    }
    if "@context" in unsecured:  # step 2: the proof carries the document's context
        proof["@context"] = copy.deepcopy(unsecured["@context"])
    signature = sign(hash_data(unsecured, proof))
    proof["proofValue"] = multibase_base58btc(signature)
    unsecured["proof"] = proof
    return unsecured


@dataclass(frozen=True)
class VerifiedProof:
    """What a proof that holds says: who signed (the method), for what, and when."""

    verification_method: str
    proof_purpose: str
    created: str | None
    public_key: bytes


def verify_proof(
    document: Any,
    public_key_for: Callable[[str], bytes],
    *,
    expected_purpose: str | None = "assertionMethod",
) -> VerifiedProof:
    """Check the one ``eddsa-jcs-2022`` proof on ``document`` (§3.3.2 Verify Proof).

    ``public_key_for(verification_method)`` returns the method's 32-byte Ed25519 key or
    raises a :class:`CertLedgerError` (unknown key, revoked…). Raises :class:`ProofError`
    with a reason; never anything else, whatever the input."""
    if not isinstance(document, dict):
        raise ProofError("malformed", "the document is not a JSON object")
    proof = document.get("proof")
    if isinstance(proof, list):
        if len(proof) != 1:
            raise ProofError("malformed", f"expected one proof, found a set of {len(proof)}")
        proof = proof[0]
    if not isinstance(proof, dict):
        raise ProofError("malformed", "the document has no proof object")
    if proof.get("type") != PROOF_TYPE or proof.get("cryptosuite") != CRYPTOSUITE:
        shown = str(proof.get("cryptosuite") or proof.get("type"))[:60]
        raise ProofError("unknown-cryptosuite", f"proof is {shown!r}, not a {PROOF_TYPE} with {CRYPTOSUITE}")
    method = proof.get("verificationMethod")
    purpose = proof.get("proofPurpose")
    if not isinstance(method, str) or not method or not isinstance(purpose, str):
        raise ProofError("malformed", "proof lacks verificationMethod or proofPurpose")
    if expected_purpose is not None and purpose != expected_purpose:
        raise ProofError("bad-proof", f"proofPurpose is {purpose[:40]!r}, not {expected_purpose!r}")
    created = proof.get("created")
    if created is not None and (not isinstance(created, str) or not _DATETIME.match(created)):
        raise ProofError("malformed", "proof.created is not an XML Schema dateTime with a time zone")
    signature = from_multibase_base58btc(proof.get("proofValue"), "proofValue")
    if len(signature) != 64:
        raise ProofError("bad-proof", f"proofValue is {len(signature)} bytes, an Ed25519 signature is 64")

    options = {k: v for k, v in proof.items() if k != "proofValue"}
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    if "@context" in options:  # step 5: the document's context must start with the proof's
        mine, theirs = _as_list(options["@context"]), _as_list(unsecured.get("@context"))
        if theirs[: len(mine)] != mine:
            raise ProofError("context-mismatch", "the document's @context does not start with the proof's")
        unsecured["@context"] = options["@context"]

    public_key = public_key_for(method)
    from certledger.signing.keys import signature_holds

    if not signature_holds(public_key, signature, hash_data(unsecured, options)):
        raise ProofError("bad-proof", f"the {CRYPTOSUITE} signature does not verify under {method[:120]}")
    return VerifiedProof(method, purpose, created, public_key)


def _as_list(context: Any) -> list[Any]:
    return context if isinstance(context, list) else [context]
