"""Private keys on disk: one passphrase-encrypted PKCS#8 PEM file per key.

Layout: ``<dir>/<party id>/<key id with ':' as '_'>.pem``. The directory defaults to
``./certledger-keys`` (``--keys`` / ``CERTLEDGER_KEYS``). Private keys never enter the
ledger; only their public halves are registered there.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from certledger.signing.keys import KeyId, key_id_of, load_private_key, raw_public_key, save_private_key


class KeyStore:
    def __init__(self, directory: Path, passphrase: Callable[[], bytes]) -> None:
        self.directory = directory
        self._passphrase = passphrase
        self._loaded: dict[str, Ed25519PrivateKey] = {}

    def path_for(self, party: str, key_id: str) -> Path:
        return self.directory / party / (key_id.replace(":", "_") + ".pem")

    def save(self, party: str, key: Ed25519PrivateKey) -> KeyId:
        key_id = key_id_of(raw_public_key(key))
        save_private_key(self.path_for(party, key_id), key, self._passphrase())
        self._loaded[key_id] = key
        return key_id

    def private_key(self, party: str, key_id: str) -> Ed25519PrivateKey | None:
        """The private key, decrypted once per session; None if this store lacks it."""
        key = self._loaded.get(key_id)
        if key is None:
            path = self.path_for(party, key_id)
            if not path.exists():
                return None
            key = self._loaded[key_id] = load_private_key(path, self._passphrase())
        return key

    def remember(self, key: Ed25519PrivateKey) -> KeyId:
        """Hold a key in memory only (tests, benchmarks)."""
        key_id = key_id_of(raw_public_key(key))
        self._loaded[key_id] = key
        return key_id
