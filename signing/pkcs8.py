"""Writing encrypted PKCS#8 at today's strength: PBES2, PBKDF2-HMAC-SHA256, AES-256-CBC.

Why this module exists: ``cryptography``'s ``BestAvailableEncryption`` writes PKCS#8 with
PBKDF2 at 2,048 iterations, and (as of cryptography 50) its ``encryption_builder`` lets
one choose the KDF and the rounds only for PKCS#12 and OpenSSH files, not PKCS#8. So we
write the ``EncryptedPrivateKeyInfo`` (RFC 5958, PBES2 of RFC 8018) ourselves: a few fixed
DER headers around cryptography's own PBKDF2 and AES. Reading stays with cryptography
(:func:`~cryptography.hazmat.primitives.serialization.load_pem_private_key`), which reads
these files and the older 2,048-round ones alike, as does ``openssl pkcs8``.
"""

from __future__ import annotations

import base64
import os

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

# OWASP's 2023 figure for PBKDF2-HMAC-SHA256. About 0.1-0.3 s per save or load.
STRONG_KDF_ROUNDS = 600_000

# DER of the object identifiers (tag 06, length, body).
_PBES2 = bytes.fromhex("06092a864886f70d01050d")  # 1.2.840.113549.1.5.13
_PBKDF2 = bytes.fromhex("06092a864886f70d01050c")  # 1.2.840.113549.1.5.12
_HMAC_SHA256 = bytes.fromhex("06082a864886f70d0209")  # 1.2.840.113549.2.9
_AES256_CBC = bytes.fromhex("060960864801650304012a")  # 2.16.840.1.101.3.4.1.42
_NULL = bytes.fromhex("0500")


def _der(tag: int, body: bytes) -> bytes:
    size = len(body)
    if size < 0x80:
        return bytes([tag, size]) + body
    length = size.to_bytes((size.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(length)]) + length + body


def _sequence(*items: bytes) -> bytes:
    return _der(0x30, b"".join(items))


def _octets(data: bytes) -> bytes:
    return _der(0x04, data)


def _integer(value: int) -> bytes:
    return _der(0x02, value.to_bytes(value.bit_length() // 8 + 1, "big"))


def encrypted_pem(key: Ed25519PrivateKey, passphrase: bytes, rounds: int = STRONG_KDF_ROUNDS) -> bytes:
    """``key`` as an ``ENCRYPTED PRIVATE KEY`` PEM, its KDF PBKDF2-HMAC-SHA256 at ``rounds``."""
    if rounds < 1:
        raise ValueError(f"PBKDF2 needs at least one round, not {rounds}")
    # Here only: serialization, the ciphers and the KDF cost every read command ~25 ms of start-up.
    from cryptography.hazmat.primitives import hashes, padding, serialization
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
    from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

    salt, iv = os.urandom(16), os.urandom(16)
    secret = PBKDF2HMAC(algorithm=hashes.SHA256(), length=32, salt=salt, iterations=rounds).derive(passphrase)
    plain = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    padder = padding.PKCS7(128).padder()
    padded = padder.update(plain) + padder.finalize()
    encryptor = Cipher(algorithms.AES(secret), modes.CBC(iv)).encryptor()
    ciphertext = encryptor.update(padded) + encryptor.finalize()
    der = _sequence(
        _sequence(
            _PBES2,
            _sequence(
                _sequence(_PBKDF2, _sequence(_octets(salt), _integer(rounds), _sequence(_HMAC_SHA256, _NULL))),
                _sequence(_AES256_CBC, _octets(iv)),
            ),
        ),
        _octets(ciphertext),
    )
    body = base64.encodebytes(der).replace(b"\n", b"")
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    return b"\n".join([b"-----BEGIN ENCRYPTED PRIVATE KEY-----", *lines, b"-----END ENCRYPTED PRIVATE KEY-----", b""])
