"""The register of parties and keys, as rows for listing (``certledger keys list``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from certledger.domain.clock import shown as _shown
from certledger.domain.trust import KeyEntry, TrustRegistry


def key_status(entry: KeyEntry, now: datetime) -> str:
    if entry.revoked_at is not None and entry.revoked_at <= now:
        return "revoked"
    if entry.valid_from > now:
        return "pending"
    return "valid"


def key_rows(registry: TrustRegistry, now: datetime, party: str | None = None) -> list[dict[str, Any]]:
    rows = []
    for entry in registry.keys.values():
        if party is not None and entry.party_id != party:
            continue
        rows.append(
            {
                "key_id": entry.key_id,
                "party": entry.party_id,
                "status": key_status(entry, now),
                "valid_from": _shown(entry.valid_from),
                "revoked_at": _shown(entry.revoked_at) if entry.revoked_at else None,
                "revocation_reason": entry.revocation_reason,
                "public_key": entry.public_key,
            }
        )
    return sorted(rows, key=lambda r: (r["party"], r["valid_from"]))  # one offset, so the text sorts as time


def party_rows(registry: TrustRegistry, now: datetime) -> list[dict[str, Any]]:
    rows = []
    for party in registry.parties.values():
        keys = registry.keys_of(party.party_id)
        rows.append(
            {
                "party": party.party_id,
                "kind": party.kind.value,
                "name": party.name,
                "registered_at": _shown(party.registered_at),
                "valid_keys": sum(1 for k in keys if key_status(k, now) == "valid"),
            }
        )
    return sorted(rows, key=lambda r: (r["kind"] != "hrss", r["party"]))
