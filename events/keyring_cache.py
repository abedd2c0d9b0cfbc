"""The keyring cache (信任登记缓存): the trust registry as it stood at a head, kept in a local
file so that a command need not replay and re-verify every trust event again.

Why it is safe: the file is the reader's own (``$XDG_CACHE_HOME/certledger/``, 0600), not the
database owner's, and it is only ever a shortcut to a state this reader's own software built
by verifying the registry's events. It is bound to the ledger (file named by the ledger id)
and to the head it was built from: the head event's version and the digest of its stored
row, which chains (``prev``) over every trust event before it. A cache whose head row is no
longer in the database with that digest, or whose content does not hash to its checksum, is
discarded and the registry rebuilt by full replay. Trust events after the head are verified
as always. ``verify`` never uses it: a full verify replays everything.

Nothing here is written to the database (read commands never write to it).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import UUID

from certledger.domain.parties import PartyKind
from certledger.domain.trust import KeyEntry, PartyEntry, TrustRegistry

FORMAT = 1
ENV_DIRECTORY = "CERTLEDGER_CACHE_DIR"  # overrides $XDG_CACHE_HOME/certledger (tests, CI)


@dataclass(frozen=True)
class CachedRegistry:
    registry: TrustRegistry
    head_digest: str  # SHA-256 of the stored row of the registry's version ``registry.version``


def default_directory() -> Path:
    explicit = os.environ.get(ENV_DIRECTORY)
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "certledger"


class KeyringCache:
    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory if directory is not None else default_directory()

    def path(self, ledger_id: str) -> Path:
        return self.directory / f"keyring-{ledger_id}.json"

    def load(self, ledger_id: str) -> CachedRegistry | None:
        """The cached registry of ledger ``ledger_id``, or None when there is none or the file
        is damaged (a damaged file is removed: the caller rebuilds)."""
        path = self.path(ledger_id)
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
            body = document["body"]
            if document["checksum"] != _checksum(body) or body["format"] != FORMAT or body["ledger_id"] != ledger_id:
                raise ValueError("checksum, format or ledger id do not match")
            return CachedRegistry(_registry_from(body["registry"]), str(body["head_digest"]))
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            self.discard(ledger_id)
            return None

    def store(self, ledger_id: str, registry: TrustRegistry, head_digest: str) -> None:
        """Write the cache atomically (a temporary file renamed over the old one), 0600. A
        cache that cannot be written is no error: the next command replays again."""
        body = {"format": FORMAT, "ledger_id": ledger_id, "head_digest": head_digest,
                "registry": _registry_to(registry)}
        text = json.dumps({"checksum": _checksum(body), "body": body}, ensure_ascii=False, sort_keys=True)
        try:
            self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd, temporary = tempfile.mkstemp(dir=self.directory, prefix=".keyring-", suffix=".tmp")
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as out:  # mkstemp makes it 0600
                    out.write(text)
                os.replace(temporary, self.path(ledger_id))
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
        except OSError:
            pass

    def discard(self, ledger_id: str) -> None:
        try:
            self.path(ledger_id).unlink(missing_ok=True)
        except OSError:
            pass


def _checksum(body: dict[str, Any]) -> str:
    # Catches a damaged or hand-edited file; the head binding catches a stale one.
    return hashlib.sha256(json.dumps(body, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def _moment(value: str | None) -> datetime | None:
    if value is None:
        return None
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError("a cached moment without its offset")
    return moment


def _registry_to(registry: TrustRegistry) -> dict[str, Any]:
    def plain(entry: Any) -> dict[str, Any]:
        out = {}
        for f in dataclasses.fields(entry):
            value = getattr(entry, f.name)
            out[f.name] = value.isoformat() if isinstance(value, datetime) else (
                value.value if isinstance(value, PartyKind) else value)
        return out

    return {
        "id": str(registry.id),
        "version": registry.version,
        "created_on": registry.created_on.isoformat(),
        "modified_on": registry.modified_on.isoformat(),
        "clock": registry.clock,
        "parties": [plain(p) for p in registry.parties.values()],
        "keys": [plain(k) for k in registry.keys.values()],
    }


def _registry_from(data: dict[str, Any]) -> TrustRegistry:
    registry = object.__new__(TrustRegistry)  # as the library rebuilds aggregates: no __init__
    registry.__dict__.update(
        _id=UUID(data["id"]),
        _version=int(data["version"]),
        _created_on=_moment(data["created_on"]),
        _modified_on=_moment(data["modified_on"]),
        _pending_events=[],
        clock=str(data["clock"]),
        parties={
            p["party_id"]: PartyEntry(str(p["party_id"]), str(p["name"]), PartyKind(p["kind"]), _moment(p["registered_at"]))
            for p in data["parties"]
        },
        keys={
            k["key_id"]: KeyEntry(str(k["key_id"]), str(k["party_id"]), str(k["public_key"]), _moment(k["valid_from"]),
                                  _moment(k["revoked_at"]), k["revocation_reason"])
            for k in data["keys"]
        },
    )
    return registry
