"""Signatures are made and checked by libsodium (PyNaCl); ``cryptography`` (OpenSSL) must agree
with them: the same signature for the same key and message, the same verdict on every honest
and every altered signature, and malformed input refused without raising."""

from __future__ import annotations

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from certledger.domain.errors import TamperError
from certledger.signing.keys import raw_public_key, signature_holds, verify

L = 2**252 + 27742317777372353535851937790883648493  # the order of the base point (RFC 8032)


def _openssl_holds(key: Ed25519PrivateKey, signature: bytes, message: bytes) -> bool:
    try:
        key.public_key().verify(signature, message)
    except InvalidSignature:
        return False
    return True


@settings(max_examples=60, deadline=None)
@given(message=st.binary(max_size=2000), flip=st.integers(min_value=0, max_value=8 * 64 - 1),
       in_message=st.booleans())
def test_agrees_with_cryptography_on_honest_and_altered_signatures(message: bytes, flip: int,
                                                                   in_message: bool) -> None:
    key = Ed25519PrivateKey.generate()
    public = raw_public_key(key)
    signature = key.sign(message)
    assert signature_holds(public, signature, message)
    if in_message and message:
        altered = bytearray(message)
        altered[(flip // 8) % len(altered)] ^= 1 << (flip % 8)
        signature2, message2 = signature, bytes(altered)
    else:
        altered = bytearray(signature)
        altered[flip // 8] ^= 1 << (flip % 8)
        signature2, message2 = bytes(altered), message
    assert signature_holds(public, signature2, message2) is False
    assert _openssl_holds(key, signature2, message2) is False


@pytest.mark.parametrize("length", [0, 1, 63, 65, 128])
def test_a_signature_of_the_wrong_length_does_not_hold(length: int) -> None:
    key = Ed25519PrivateKey.generate()
    message = b"m" * 100
    signature = (key.sign(message) * 3)[:length]
    assert signature_holds(raw_public_key(key), signature, message) is False
    with pytest.raises(TamperError, match="does not verify"):
        verify(raw_public_key(key), signature, message)


def test_a_non_canonical_s_is_refused_as_openssl_refuses_it() -> None:
    """S + L verifies the same equation; RFC 8032 requires S < L, and both libraries refuse it."""
    key = Ed25519PrivateKey.generate()
    message = b"certledger"
    signature = key.sign(message)
    s = int.from_bytes(signature[32:], "little")
    assert s + L < 2**256
    malleated = signature[:32] + (s + L).to_bytes(32, "little")
    assert signature_holds(raw_public_key(key), malleated, message) is False
    assert _openssl_holds(key, malleated, message) is False


def test_a_weak_public_key_verifies_nothing() -> None:
    identity = (1).to_bytes(32, "little")
    forged = identity + bytes(32)  # R = identity, S = 0: "valid" under the identity key in RFC 8032
    assert signature_holds(identity, forged, b"anything") is False
    with pytest.raises(TamperError, match="T-5"):
        verify(identity, forged, b"anything")


@settings(max_examples=40, deadline=None)
@given(message=st.binary(max_size=3000))
def test_sign_makes_the_signature_cryptography_makes(message: bytes) -> None:
    """Ed25519 is deterministic: libsodium's signature is byte for byte OpenSSL's, so a ledger
    written before the switch and one written after hold the same bytes for the same acts."""
    from certledger.signing.keys import sign

    key = Ed25519PrivateKey.generate()
    assert sign(key, message) == key.sign(message)
    assert _openssl_holds(key, sign(key, message), message)
