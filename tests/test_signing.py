"""Ed25519 keys: ids, sign/verify, encrypted PEM files."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from certledger.domain.errors import InputError, SigningError, TamperError
from certledger.signing import keys
from tests.helpers import TEST_KDF_ROUNDS


def test_key_ids_name_the_public_key() -> None:
    key = keys.new_private_key()
    key_id = keys.key_id_of(keys.raw_public_key(key))
    assert key_id.startswith("ed25519:") and len(key_id) == len("ed25519:") + 32
    assert key_id != keys.key_id_of(keys.raw_public_key(keys.new_private_key()))


@given(st.binary(max_size=300))
def test_sign_then_verify_and_any_flip_fails(message: bytes) -> None:
    key = keys.new_private_key()
    public = keys.raw_public_key(key)
    signature = keys.sign(key, message)
    keys.verify(public, signature, message)
    with pytest.raises(TamperError, match="signature does not verify"):
        keys.verify(public, signature, message + b"\x00")
    flipped = bytes([signature[0] ^ 1]) + signature[1:]
    with pytest.raises(TamperError):
        keys.verify(public, flipped, message)


def test_private_keys_are_stored_encrypted_and_need_the_passphrase(tmp_path: Path) -> None:
    key = keys.new_private_key()
    path = tmp_path / "party" / "k.pem"
    keys.save_private_key(path, key, b"secret", rounds=TEST_KDF_ROUNDS)
    assert b"ENCRYPTED PRIVATE KEY" in path.read_bytes()
    assert path.stat().st_mode & 0o077 == 0
    loaded = keys.load_private_key(path, b"secret")
    assert keys.raw_public_key(loaded) == keys.raw_public_key(key)
    with pytest.raises(SigningError, match="wrong passphrase"):
        keys.load_private_key(path, b"wrong")


def test_an_empty_passphrase_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="empty passphrase"):
        keys.save_private_key(tmp_path / "k.pem", keys.new_private_key(), b"")


def test_public_key_text_round_trips_and_rejects_junk() -> None:
    raw = keys.raw_public_key(keys.new_private_key())
    assert keys.public_key_from_text(keys.public_key_text(raw)) == raw
    with pytest.raises(InputError, match="must be 32 bytes"):
        keys.public_key_from_text("AAAA")
    with pytest.raises(InputError, match="not base64"):
        keys.public_key_from_text("not base64!")
