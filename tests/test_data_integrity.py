"""eddsa-jcs-2022 Data Integrity proofs: the W3C Recommendation's own example byte for byte
(tests/vectors/vc-di-eddsa/SOURCE.md), then what a hostile document gets."""

from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from certledger.domain.errors import CertLedgerError, InputError
from certledger.signing import data_integrity as di

VECTORS = Path(__file__).parent / "vectors" / "vc-di-eddsa"


def _text(name: str) -> str:
    return (VECTORS / name).read_text(encoding="utf-8").strip()


def _json(name: str):
    return json.loads((VECTORS / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def w3c_key() -> Ed25519PrivateKey:
    pair = _json("keyPair.json")
    key = Ed25519PrivateKey.from_private_bytes(di.secret_key_from_multibase(pair["secretKeyMultibase"]))
    assert di.public_key_multibase(key.public_key().public_bytes_raw()) == pair["publicKeyMultibase"]
    return key


def test_the_w3c_eddsa_jcs_2022_example_step_by_step(w3c_key: Ed25519PrivateKey) -> None:
    unsecured = _json("unsecuredJCS.json")
    options = _json("proofConfigJCS.json")
    assert di.jcs(unsecured).decode() == _text("canonDocJCS.txt")
    assert hashlib.sha256(di.jcs(unsecured)).hexdigest() == _text("docHashJCS.txt")
    assert di.jcs(options).decode() == _text("proofCanonJCS.txt")
    assert hashlib.sha256(di.jcs(options)).hexdigest() == _text("proofHashJCS.txt")
    data = di.hash_data(unsecured, options)
    assert data.hex() == _text("combinedHashJCS.txt")
    assert w3c_key.sign(data).hex() == _text("sigHexJCS.txt")
    assert di.multibase_base58btc(w3c_key.sign(data)) == _text("sigBTC58JCS.txt")


def test_add_proof_makes_the_w3c_signed_credential(w3c_key: Ed25519PrivateKey) -> None:
    options = _json("proofConfigJCS.json")
    signed = di.add_proof(
        _json("unsecuredJCS.json"),
        sign=w3c_key.sign,
        verification_method=options["verificationMethod"],
        created=options["created"],
    )
    assert signed == _json("signedJCS.json")


def test_verify_proof_accepts_the_w3c_signed_credential() -> None:
    public = di.public_key_from_multibase(_json("keyPair.json")["publicKeyMultibase"])
    signed = _json("signedJCS.json")
    seen = []

    def key_for(method: str) -> bytes:
        seen.append(method)
        return public

    verified = di.verify_proof(signed, key_for)
    assert seen == [signed["proof"]["verificationMethod"]]
    assert verified.created == "2023-02-24T23:36:38Z" and verified.public_key == public


def _public(_method: str) -> bytes:
    return di.public_key_from_multibase(_json("keyPair.json")["publicKeyMultibase"])


def _edited(edit) -> dict:
    doc = _json("signedJCS.json")
    edit(doc)
    return doc


@pytest.mark.parametrize(
    ("edit", "reason"),
    [
        (lambda d: d["credentialSubject"].update(alumniOf="Another School"), "bad-proof"),
        (lambda d: d.update(validFrom="2024-01-01T00:00:00Z"), "bad-proof"),
        (lambda d: d["proof"].update(created="2024-02-24T23:36:38Z"), "bad-proof"),
        (lambda d: d["proof"].update(cryptosuite="eddsa-rdfc-2022"), "unknown-cryptosuite"),
        (lambda d: d["proof"].update(type="Ed25519Signature2020"), "unknown-cryptosuite"),
        (lambda d: d["proof"].update(proofValue="z" + "1" * 80), "bad-proof"),
        (lambda d: d["proof"].update(proofValue="uAAAA"), "malformed"),
        (lambda d: d["proof"].update(proofValue="z0OIl"), "malformed"),
        (lambda d: d["proof"].update(proofValue=12), "malformed"),
        (lambda d: d["proof"].update(proofPurpose="authentication"), "bad-proof"),
        (lambda d: d["proof"].update(created="yesterday"), "malformed"),
        (lambda d: d["proof"].pop("verificationMethod"), "malformed"),
        (lambda d: d.pop("proof"), "malformed"),
        (lambda d: d.update(proof=[d["proof"], d["proof"]]), "malformed"),
        (lambda d: d.update({"@context": ["https://www.w3.org/ns/credentials/v2"]}), "context-mismatch"),
        (lambda d: d.update(extra=float("nan")), "malformed"),
    ],
)
def test_a_hostile_document_gets_a_reason_not_a_traceback(edit, reason: str) -> None:
    with pytest.raises(di.ProofError, match=f"^{reason}: "):
        di.verify_proof(_edited(edit), _public)


def test_the_key_lookup_s_own_refusal_passes_through() -> None:
    def unknown(method: str) -> bytes:
        raise InputError(f"no key {method}")

    with pytest.raises(InputError, match="no key did:key"):
        di.verify_proof(_json("signedJCS.json"), unknown)


@pytest.mark.parametrize("doc", [None, [], "text", 3, {"proof": "x"}, {"proof": {"type": None}}])
def test_not_a_document(doc) -> None:
    with pytest.raises(CertLedgerError):
        di.verify_proof(doc, _public)


def test_a_proof_round_trips_with_a_fresh_key_and_is_deterministic() -> None:
    key = Ed25519PrivateKey.generate()
    doc = {"@context": ["https://www.w3.org/ns/credentials/v2"], "name": "证书 ✓", "n": [1, {"b": 2, "a": 1}]}
    one = di.add_proof(doc, sign=key.sign, verification_method="did:web:x#k", created="2026-12-07T08:00:00+08:00")
    two = di.add_proof(copy.deepcopy(doc), sign=key.sign, verification_method="did:web:x#k", created="2026-12-07T08:00:00+08:00")
    assert one == two and "proof" not in doc
    di.verify_proof(one, lambda m: key.public_key().public_bytes_raw())
    other = Ed25519PrivateKey.generate().public_key().public_bytes_raw()
    with pytest.raises(di.ProofError, match="^bad-proof"):
        di.verify_proof(one, lambda m: other)


def test_base58btc_round_trips_leading_zeros() -> None:
    for data in [b"", b"\0", b"\0\0\x01", bytes(range(64)), b"\xff" * 34]:
        assert di.base58btc_decode(di.base58btc_encode(data)) == data
    assert di.base58btc_encode(b"Hello World!") == "2NEpo7TZRRrLZSi2U"  # draft-msporny-base58 §5
