"""Ed25519 key material: generation, key ids, sign, verify, encrypted PKCS#8 PEM."""

from __future__ import annotations

import base64
import hashlib
import os
from functools import lru_cache
from pathlib import Path
from typing import Callable, NamedTuple, NewType

from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from certledger.domain.errors import InputError, SigningError, TamperError

KeyId = NewType("KeyId", str)
"""``ed25519:`` followed by the first 32 hex digits of SHA-256 of the raw public key."""

SIGNATURE_SIZE = 64

# Edwards25519: points (x, y) with -x^2 + y^2 = 1 + d x^2 y^2 over GF(p). A public key is
# the 255-bit little-endian y with the sign of x in the top bit (RFC 8032, 5.1.2).
_P = 2**255 - 19
_D = -121665 * pow(121666, -1, _P) % _P
# The y of every point whose order divides 8 (the torsion subgroup; libsodium's blocklist
# in crypto_sign/ed25519/ref10/open.c): the identity (1), the point of order 2 (p-1), the
# two of order 4 (0), the four of order 8 (two y values, each with either sign of x).
_SMALL_ORDER_Y = frozenset(
    {
        0,
        1,
        _P - 1,
        2707385501144840649318225287225658788936804267575313519463743609750303402022,
        55188659117513257062467267217118295137698188065244968500265048394206261417927,
    }
)


def new_private_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def raw_public_key(key: Ed25519PrivateKey | Ed25519PublicKey) -> bytes:
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return public.public_bytes_raw()


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


def check_public_key(raw: bytes) -> None:
    """Refuse a public key that proves nothing (trust rule T-5); None if it is sound.

    Ed25519 verification, as OpenSSL and RFC 8032 do it, accepts for a public key of small
    order (the identity, say) a fixed signature — R the identity, S = 0 — for *every*
    message: anyone can "sign" for such a key without a private key. So we refuse the eight
    points of order dividing 8 in every encoding (either sign bit, and y + p where that
    fits in 255 bits), any non-canonical y (y >= p), and any y with no point on the curve.
    Pure arithmetic, a few microseconds: cheap enough for ``verify`` to call on every key.
    """
    if len(raw) != 32:
        raise InputError(f"T-5: an Ed25519 public key is 32 bytes, not {len(raw)}")
    y = int.from_bytes(raw, "little") & ((1 << 255) - 1)
    if y >= _P:
        raise InputError(
            f"T-5: public key {raw.hex()} is not canonically encoded (y >= 2^255-19)"
        )
    if y in _SMALL_ORDER_Y:
        raise InputError(
            f"T-5: public key {raw.hex()} is a point of small order: a forged signature "
            "verifies under it for any message"
        )
    x2 = (y * y - 1) * pow(_D * y * y + 1, _P - 2, _P) % _P
    if pow(x2, (_P - 1) // 2, _P) != 1:  # Euler's criterion: x^2 has no root, no point
        raise InputError(f"T-5: public key {raw.hex()} is not a point on the curve")


def sign(key: Ed25519PrivateKey, message: bytes) -> bytes:
    """``key``'s Ed25519 signature of ``message``, made by libsodium: 2.4 times the rate of
    ``cryptography``'s here, and an import signs every event. Ed25519 signing is
    deterministic (RFC 8032), so the signature is byte for byte the one ``cryptography``
    makes with the same key (``tests/test_signature_check.py``)."""
    return _sodium().sign(message, _sodium_secret(key))[:SIGNATURE_SIZE]


@lru_cache(maxsize=64)
def _sodium_secret(key: Ed25519PrivateKey) -> bytes:
    """libsodium's secret key (seed and public key) for ``key``, made once per loaded key.
    The seed is already in this process's memory, decrypted, while the key is loaded."""
    public, secret = _sodium().seed_keypair(key.private_bytes_raw())
    if public != raw_public_key(key):
        raise SigningError("libsodium derived another public key from this private key")
    return secret


@lru_cache(maxsize=4096)
def _sound(raw: bytes) -> bytes:
    check_public_key(raw)  # once per key (cached): a weak key never verifies anything
    return raw


def signature_holds(public_key: bytes, signature: bytes, message: bytes) -> bool:
    """Whether ``signature`` is ``public_key``'s Ed25519 signature of ``message``.

    Checked by libsodium (PyNaCl), which verifies twice as fast as ``cryptography`` here
    (``bench/verify_scale.py`` prints both rates) — verify, rebuild and every replay spend
    most of their time on it — and is the stricter of the two: besides what RFC 8032 and
    OpenSSL refuse (S >= L), it refuses a small-order R or public key and a non-canonical
    encoding, none of which an honest signer produces."""
    if len(signature) != SIGNATURE_SIZE:
        return False
    try:
        public = _sound(public_key)
    except InputError:
        return False
    sodium = _sodium()
    try:
        sodium.open(signature + message, public)
    except sodium.refused:
        return False
    return True


class _Sodium(NamedTuple):
    sign: Callable[[bytes, bytes], bytes]  # crypto_sign: signature + message
    open: Callable[[bytes, bytes], bytes]  # crypto_sign_open: raises ``refused`` if it does not hold
    seed_keypair: Callable[[bytes], tuple[bytes, bytes]]
    refused: tuple[type[Exception], ...]


@lru_cache(maxsize=1)
def _sodium() -> _Sodium:
    """libsodium's Ed25519, through PyNaCl. Imported on first use (~20 ms): a listing that
    signs and verifies nothing does not pay for it."""
    from nacl.bindings import crypto_sign, crypto_sign_open, crypto_sign_seed_keypair
    from nacl.exceptions import CryptoError

    return _Sodium(crypto_sign, crypto_sign_open, crypto_sign_seed_keypair, (CryptoError, ValueError, TypeError))


def verify(public_key: bytes, signature: bytes, message: bytes) -> None:
    """Return None if ``signature`` is ``public_key``'s signature of ``message``; else raise."""
    try:
        _sound(public_key)
    except InputError as e:
        raise TamperError(f"signature does not verify: {e}") from None
    if not signature_holds(public_key, signature, message):
        raise TamperError("signature does not verify")


def save_private_key(
    path: Path, key: Ed25519PrivateKey, passphrase: bytes, rounds: int | None = None
) -> None:
    """Write ``key`` as passphrase-encrypted PKCS#8 PEM (PBKDF2-HMAC-SHA256 at ``rounds``,
    :mod:`signing.pkcs8`), readable only by its owner: directory 0700, file 0600."""
    if not passphrase:
        raise InputError("an empty passphrase would leave the private key unencrypted")
    # PEM and PBKDF2 only load where keys are written or read: a read command verifies
    # signatures with raw public keys and never imports them (start-up time).
    from certledger.signing.pkcs8 import STRONG_KDF_ROUNDS, encrypted_pem

    pem = encrypted_pem(key, passphrase, STRONG_KDF_ROUNDS if rounds is None else rounds)
    private_directory(path.parent)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        os.fchmod(file.fileno(), 0o600)  # whatever the umask
        file.write(pem)


def private_directory(directory: Path) -> None:
    """Create ``directory`` (and parents) if need be, and make it 0700."""
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    directory.chmod(0o700)


def load_private_key(path: Path, passphrase: bytes | None) -> Ed25519PrivateKey:
    """Read a PKCS#8 PEM private key; ``passphrase`` None for an unencrypted file."""
    from cryptography.hazmat.primitives import serialization

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
        from cryptography.hazmat.primitives import serialization

        try:
            key = serialization.load_pem_public_key(data)
        except ValueError as e:
            raise InputError(f"{path}: not a PEM public key ({e})") from None
        if not isinstance(key, Ed25519PublicKey):
            raise InputError(f"{path}: not an Ed25519 public key")
        raw = raw_public_key(key)
    else:
        raw = public_key_from_text(data.decode("ascii", "replace").strip())
    try:
        check_public_key(raw)
    except InputError as e:
        raise InputError(f"{path}: {e}") from None
    return raw
