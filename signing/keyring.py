"""The keyring: which key may sign for which party, when (trust rule T-4).

A read-only view over the trust registry's key entries. It answers one question —
"may key K sign for party P at moment t?" — with ``None`` or the reason it may not.
Callers turn that reason into the right error: a refusal when writing, a tamper finding
when reading or verifying.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from certledger.domain.clock import shown
from certledger.domain.trust import KeyEntry
from certledger.signing.keys import public_key_from_text


class Keyring:
    def __init__(self, entries: Mapping[str, KeyEntry] | None = None) -> None:
        self._entries: Mapping[str, KeyEntry] = entries if entries is not None else {}
        self._raw: dict[tuple[str, str], bytes] = {}
        self.generation = 0  # bumped on every change, so callers may cache answers
        self._by_party: dict[str, list[KeyEntry]] = {}
        self._by_party_generation = -1

    @property
    def entries(self) -> Mapping[str, KeyEntry]:
        return self._entries

    @entries.setter
    def entries(self, entries: Mapping[str, KeyEntry]) -> None:
        self._entries = entries
        self.generation += 1

    def __contains__(self, key_id: str) -> bool:
        return key_id in self.entries

    def public_key(self, key_id: str) -> bytes:
        entry = self.entries[key_id]
        cache_key = (key_id, entry.public_key)
        raw = self._raw.get(cache_key)
        if raw is None:
            raw = self._raw[cache_key] = public_key_from_text(entry.public_key)
        return raw

    def problem(self, key_id: str, party: str, moment: datetime) -> str | None:
        """Why ``key_id`` may not sign for ``party`` at ``moment``, or None if it may."""
        entry = self.entries.get(key_id)
        if entry is None:
            return f"T-4: key {key_id} is not registered in this ledger"
        reasons = []
        if entry.revoked_at is not None and moment >= entry.revoked_at:
            reasons.append(
                f"key {key_id} was revoked at {shown(entry.revoked_at)} "
                f"({entry.revocation_reason}), not after the event's time {shown(moment)}"
            )
        if moment < entry.valid_from:
            reasons.append(
                f"key {key_id} takes effect at {shown(entry.valid_from)}, "
                f"after the event's time {shown(moment)}"
            )
        if entry.party_id != party:
            reasons.append(f"key {key_id} belongs to {entry.party_id!r}, not to {party!r}")
        return "T-4: " + "; ".join(reasons) if reasons else None

    def usable_keys(self, party: str, moment: datetime) -> list[KeyEntry]:
        """Keys that may sign for ``party`` at ``moment``, the most recent first."""
        if self._by_party_generation != self.generation:
            # With a key per candidate the keyring holds many thousands of keys: index once.
            by_party: dict[str, list[KeyEntry]] = {}
            for entry in self._entries.values():
                by_party.setdefault(entry.party_id, []).append(entry)
            self._by_party, self._by_party_generation = by_party, self.generation
        usable = [e for e in self._by_party.get(party, ()) if e.is_valid_at(moment)]
        return sorted(usable, key=lambda e: e.valid_from, reverse=True)
