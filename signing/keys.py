"""Ed25519 key material: generation, key ids, sign, verify, encrypted PKCS#8 PEM."""

from __future__ import annotations

import base64
import hashlib
from functools import lru_cache
from pathlib import Path
from typing import NewType

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from certledger.domain.errors import InputError, SigningError, TamperError

KeyId = NewType("KeyId", str)
"""``ed25519:`` followed by the first 32 hex digits of SHA-256 of the raw public key."""

SIGNATURE_SIZE = 64


def new_private_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def raw_public_key(key: Ed25519PrivateKey | Ed25519PublicKey) -> bytes:
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id_of(public_key: bytes) -> KeyId:
    return KeyId("ed25519:" + hashlib.sha256(public_key).hexdigest()[:32])


def public_key_text(public_key: bytes) -> str:
    """How a public key is written into the ledger: standard base64 of the 32 raw bytes."""
    return base64.b64encode(public_key).decode("ascii")


def public_key_from_text(text: str) -> bytes:
    try:
        raw = base64.b64decode(text, validate=True)
    except ValueError:
        raise InputError(f"public key {text!r} is not base64") from None
    if len(raw) != 32:
        raise InputError(f"public key must be 32 bytes, got {len(raw)}")
    return raw


def sign(key: Ed25519PrivateKey, message: bytes) -> bytes:
    return key.sign(message)


@lru_cache(maxsize=4096)
def _public_key(raw: bytes) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(raw)


def signature_holds(public_key: bytes, signature: bytes, message: bytes) -> bool:
    try:
        _public_key(public_key).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True


def verify_many(items: list[tuple[bytes, bytes, bytes]]) -> list[bool]:
    """Check (public key, signature, message) triples; runs in worker processes too."""
    return [signature_holds(public, signature, message) for public, signature, message in items]


def verify(public_key: bytes, signature: bytes, message: bytes) -> None:
    """Return None if ``signature`` is ``public_key``'s signature of ``message``; else raise."""
    try:
        _public_key(public_key).verify(signature, message)
    except InvalidSignature:
        raise TamperError("signature does not verify") from None


def save_private_key(path: Path, key: Ed25519PrivateKey, passphrase: bytes) -> None:
    """Write ``key`` as passphrase-encrypted PKCS#8 PEM, readable only by its owner."""
    if not passphrase:
        raise InputError("an empty passphrase would leave the private key unencrypted")
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(passphrase),
    )
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    path.touch(mode=0o600, exist_ok=False)
    path.write_bytes(pem)


def load_private_key(path: Path, passphrase: bytes) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=passphrase)
    except FileNotFoundError:
        raise SigningError(f"no private key file {path}") from None
    except (ValueError, TypeError):
        raise SigningError(
            f"cannot decrypt {path}: wrong passphrase (CERTLEDGER_KEY_PASSPHRASE) "
            "or not a PKCS#8 PEM key"
        ) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningError(f"{path} does not hold an Ed25519 key")
    return key


def load_public_key_file(path: Path) -> bytes:
    """Read a public key given by a party: PEM (SubjectPublicKeyInfo) or 32 raw bytes."""
    data = path.read_bytes()
    if data.startswith(b"-----BEGIN"):
        try:
            key = serialization.load_pem_public_key(data)
        except ValueError as e:
            raise InputError(f"{path}: not a PEM public key ({e})") from None
        if not isinstance(key, Ed25519PublicKey):
            raise InputError(f"{path}: not an Ed25519 public key")
        return raw_public_key(key)
    return public_key_from_text(data.decode("ascii", "replace").strip())
