"""Choosing the key that signs an event: the acting party's, valid now, held by this session."""

from __future__ import annotations

from datetime import datetime, timezone

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from certledger.domain.errors import SigningError
from certledger.domain.clock import shown
from certledger.domain.trust import KeyEntry
from certledger.signing.keyring import Keyring
from certledger.signing.keys import KeyId
from certledger.signing.keystore import KeyStore


class Wallet:
    """Signs for whichever party acts, with that party's newest usable key in the store.

    ``forced_key`` (the CLI's ``--key``) makes it use one key and refuse, rather than
    fall back, when that key may not sign the event.

    A key whose revocation has taken effect signs nothing more, even an event timestamped
    before the revocation (a writer that created its event just before another process
    revoked the key): what is recorded from then on is signed with a key still valid now.
    """

    def __init__(self, store: KeyStore | None, forced_key: str | None = None) -> None:
        self.store = store
        self.forced_key = forced_key
        # party -> (keyring generation, key entry, private key): the last choice, reused
        # while the keyring is unchanged and the key still valid (a bulk write signs
        # thousands of events for one party).
        self._last: dict[str, tuple[int, KeyEntry, Ed25519PrivateKey]] = {}

    def choose(
        self, keyring: Keyring, party: str, moment: datetime, now: datetime | None = None
    ) -> tuple[KeyId, Ed25519PrivateKey]:
        now = now or datetime.now(timezone.utc)
        if self.forced_key is not None:
            problem = keyring.problem(self.forced_key, party, moment)
            entry = keyring.entries.get(self.forced_key)
            if not problem and entry is not None and _revoked_by(entry, now):
                problem = f"T-4: key {self.forced_key} was revoked at {shown(entry.revoked_at)}: it signs nothing more"
            if problem:
                raise SigningError(f"refused to sign for {party!r}: {problem}")
            key = self._private(party, self.forced_key)
            if key is None:
                raise SigningError(f"the key store has no private key {self.forced_key}")
            return KeyId(self.forced_key), key
        last = self._last.get(party)
        if (
            last is not None
            and last[0] == keyring.generation
            and last[1].is_valid_at(moment)
            and not _revoked_by(last[1], now)
        ):
            return KeyId(last[1].key_id), last[2]
        usable = [e for e in keyring.usable_keys(party, moment) if not _revoked_by(e, now)]
        for entry in usable:
            key = self._private(party, entry.key_id)
            if key is not None:
                self._last[party] = (keyring.generation, entry, key)
                return KeyId(entry.key_id), key
        where = self.store.directory if self.store else "(no key store)"
        if usable:
            ids = ", ".join(e.key_id for e in usable)
            raise SigningError(
                f"no private key in {where} for {party!r}'s valid keys ({ids})"
            )
        raise SigningError(f"party {party!r} has no key valid at {shown(moment)}")

    def private_key_for_genesis(self, party: str, key_id: str) -> Ed25519PrivateKey:
        key = self._private(party, key_id)
        if key is None:
            raise SigningError(f"the key store has no private key {key_id} for {party!r}")
        return key

    def _private(self, party: str, key_id: str) -> Ed25519PrivateKey | None:
        return self.store.private_key(party, key_id) if self.store else None


def _revoked_by(entry: KeyEntry, now: datetime) -> bool:
    return entry.revoked_at is not None and entry.revoked_at <= now
