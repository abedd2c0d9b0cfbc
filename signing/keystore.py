"""Private keys on disk: one passphrase-encrypted PKCS#8 PEM file per key.

Layout: ``<dir>/<party id>/<key id with ':' as '_'>.pem``, directories 0700 and files
0600. The directory defaults to ``./certledger-keys`` (``--keys`` / ``CERTLEDGER_KEYS``).
Private keys never enter the ledger; only their public halves are registered there. A key
that no longer signs (rotated away, revoked) leaves the working store: it is moved to
``<dir>/<party id>/retired/`` or destroyed, so a stolen copy of the store holds less.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from certledger.domain.errors import SigningError
from certledger.signing.keys import (
    KeyId,
    key_id_of,
    load_private_key,
    private_directory,
    raw_public_key,
    save_private_key,
)
from certledger.signing.pkcs8 import STRONG_KDF_ROUNDS

RETIRED = "retired"


class KeyStore:
    """``kdf_rounds`` is the PBKDF2-HMAC-SHA256 cost of each file *written*; the default is
    today's strength (:data:`~signing.pkcs8.STRONG_KDF_ROUNDS`, ~0.1-0.3 s per key). Tests,
    which create hundreds of throwaway keys, pass a low cost explicitly; nothing else
    should. Files are read at whatever cost they were written with (older files too).
    """

    def __init__(
        self, directory: Path, passphrase: Callable[[], bytes], *, kdf_rounds: int = STRONG_KDF_ROUNDS,
        warn: Callable[[str], None] | None = None,
    ) -> None:
        self.directory = directory
        self._passphrase = passphrase
        self.kdf_rounds = kdf_rounds
        self._loaded: dict[str, Ed25519PrivateKey] = {}
        self._warn = warn
        self._looked_at: set[Path] = set()

    def _open_to_others(self, path: Path) -> None:
        """Warn (once a path) when the store's directory, a party's directory or a key file
        may be read or written by others: the keys are encrypted, but a copy can be attacked
        offline for its passphrase, and a writable directory lets a key file be swapped."""
        for place in (self.directory, path.parent, path):
            if place in self._looked_at or self._warn is None:
                continue
            self._looked_at.add(place)
            try:
                mode = place.stat().st_mode & 0o777
            except OSError:
                continue
            if mode & 0o077:
                wanted = "700" if place.is_dir() else "600"
                self._warn(f"{place} can be read or written by others (mode {mode:03o}): chmod {wanted} {place}")

    def path_for(self, party: str, key_id: str) -> Path:
        return self.directory / party / (key_id.replace(":", "_") + ".pem")

    def save(self, party: str, key: Ed25519PrivateKey) -> KeyId:
        key_id = key_id_of(raw_public_key(key))
        private_directory(self.directory)
        save_private_key(self.path_for(party, key_id), key, self._passphrase(), self.kdf_rounds)
        self._loaded[key_id] = key
        return key_id

    def private_key(self, party: str, key_id: str, *, retired_too: bool = False) -> Ed25519PrivateKey | None:
        """The private key, decrypted once per session; None if this store lacks it.
        ``retired_too``: also a key moved to ``<party>/retired/`` — never to sign an event
        (the wallet does not ask), only to re-make what it signed before it was revoked (HRSS's
        root certificate by the genesis key, a document re-rendered with the key that sealed it).

        A file holding some other key than its name says (a key file copied over another
        key's name) is refused: signing with it would sign with the wrong key."""
        key = self._loaded.get(key_id)
        if key is None:
            path = self.path_for(party, key_id)
            if not path.exists() and retired_too:
                retired = path.parent / RETIRED / path.name
                return self._load(retired, key_id) if retired.exists() else None  # not cached for the wallet
            if not path.exists():
                return None
            key = self._load(path, key_id)
            self._loaded[key_id] = key
        return key

    def _load(self, path: Path, key_id: str) -> Ed25519PrivateKey:
        self._open_to_others(path)
        key = load_private_key(path, self._passphrase())
        held = key_id_of(raw_public_key(key))
        if held != key_id:
            raise SigningError(
                f"{path} holds key {held}, not {key_id} as its name says; "
                "refusing to sign with it (a key file copied over another's name?)"
            )
        return key

    def remember(self, key: Ed25519PrivateKey) -> KeyId:
        """Hold a key in memory only (tests, benchmarks)."""
        key_id = key_id_of(raw_public_key(key))
        self._loaded[key_id] = key
        return key_id

    def retire_revoked(self, keys: Iterable[Any], now: datetime, *, destroy: bool = False) -> list[str]:
        """Retire (or destroy) every key of ``keys`` (the trust registry's entries: ``key_id``,
        ``party_id``, ``revoked_at``) whose revocation has taken effect by ``now`` and whose
        private file is still in the working store; what was done, one line per key. A key
        revoked from a moment still ahead keeps signing until then, and stays."""
        done = []
        for entry in keys:
            if entry.revoked_at is not None and entry.revoked_at <= now:
                line = self.retire(entry.party_id, entry.key_id, destroy=destroy)
                if line:
                    done.append(line)
        return done

    def retire(self, party: str, key_id: str, *, destroy: bool = False) -> str | None:
        """Take a key that no longer signs out of the working store: move its file to
        ``<party>/retired/`` (or delete it, ``destroy``). Returns what was done, for the
        user, or None if the store holds no file for it."""
        self._loaded.pop(key_id, None)
        path = self.path_for(party, key_id)
        if not path.exists():
            return None
        if destroy:
            path.unlink()
            return f"destroyed the private key file {path}"
        retired = path.parent / RETIRED
        private_directory(retired)
        target = retired / path.name
        path.replace(target)
        return f"moved the private key of {key_id} to {target}"
