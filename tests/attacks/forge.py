"""An independent forger: the attacker of the threat model, written from the envelope spec
alone (events/envelope.py's docstring, format 2), without a single import from certledger.

It holds database write access (plain SQL on SQLite or PostgreSQL) and whatever Ed25519
private keys a test hands it. It reads rows, opens envelopes, computes the ledger id, the
``prev`` digests and key ids itself, writes canonical JSON with the RFC 8785 reference
implementation (``rfc8785``), signs with ``cryptography``, and inserts, updates, deletes or
renumbers rows with real SQL.

Only ``sqlite3``, ``psycopg``, ``hashlib``, ``json``/``rfc8785``, ``base64`` and
``cryptography`` do the work; ``dataclasses``/``typing`` only describe it. Nothing here
re-uses the project's own message builder: a bug shared by writer and verifier would hide.

Spec, as implemented here:

- stored state = 64-byte Ed25519 signature + message;
- message = JCS of ``{"format": 2, "ledger", "stream" (dashed uuid), "version", "topic",
  "signer", "prev", "payload"}``;
- ``prev`` = hex SHA-256 of the stream's previous *stored state* (64 zeros for version 1);
- ledger id = hex SHA-256 of the genesis event's stored state; the genesis names 64 zeros;
- key id = ``ed25519:`` + first 32 hex digits of SHA-256 of the raw 32-byte public key;
- the trust registry's stream id = uuid5(6f0b7e8c-52a4-4c1b-9a51-2e3cbd0c1e77, "trust-registry");
- SQLite: table ``stored_events``, stream ids as 32 lowercase hex digits, notification id =
  rowid; PostgreSQL: table ``ledger_events``, uuid column, ``notification_id``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import sqlite3
from dataclasses import dataclass
from typing import Any

import psycopg
import rfc8785
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

FORMAT = 2
ZEROS = "0" * 64
SIGNATURE_SIZE = 64
LEDGER_NAMESPACE = "6f0b7e8c-52a4-4c1b-9a51-2e3cbd0c1e77"

# The Ed25519 identity point (y = 1), and the signature R = identity, S = 0 that "verifies"
# for it under any message when a verifier does not reject small-order keys.
IDENTITY_PUBLIC_KEY = b"\x01" + b"\x00" * 31
IDENTITY_SIGNATURE = IDENTITY_PUBLIC_KEY + b"\x00" * 32


# -- identities, from the spec ------------------------------------------------------------


def dashed(hex32: str) -> str:
    h = hex32.replace("-", "").lower()
    assert len(h) == 32, hex32
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def uuid5(namespace: str, name: str) -> str:
    """RFC 4122 name-based UUID (SHA-1), without the uuid module."""
    digest = bytearray(hashlib.sha1(bytes.fromhex(namespace.replace("-", "")) + name.encode()).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50
    digest[8] = (digest[8] & 0x3F) | 0x80
    return dashed(digest.hex())


TRUST_REGISTRY = uuid5(LEDGER_NAMESPACE, "trust-registry")


def digest(state: bytes) -> str:
    return hashlib.sha256(state).hexdigest()


def raw_public(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(public: bytes | Ed25519PrivateKey) -> str:
    raw = raw_public(public) if isinstance(public, Ed25519PrivateKey) else public
    return "ed25519:" + hashlib.sha256(raw).hexdigest()[:32]


def public_text(public: bytes | Ed25519PrivateKey) -> str:
    raw = raw_public(public) if isinstance(public, Ed25519PrivateKey) else public
    return base64.b64encode(raw).decode("ascii")


def canonical(value: Any) -> bytes:
    """RFC 8785 bytes, by the reference implementation."""
    return rfc8785.dumps(value)


def proof(ledger: str, party: str, key: Ed25519PrivateKey) -> str:
    """A proof of possession (T-5) made with ``key``: its signature over the registration
    statement, as the README specifies it."""
    statement = {"purpose": "certledger key registration", "ledger": ledger, "party": party, "key_id": key_id(key)}
    return base64.b64encode(key.sign(canonical(statement))).decode("ascii")


# -- envelopes ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Envelope:
    signature: bytes
    message: bytes
    fields: dict[str, Any]

    @property
    def payload(self) -> dict[str, Any]:
        return self.fields["payload"]

    def __getitem__(self, name: str) -> Any:
        return self.fields[name]


def open_state(state: bytes) -> Envelope:
    state = bytes(state)
    message = state[SIGNATURE_SIZE:]
    return Envelope(state[:SIGNATURE_SIZE], message, json.loads(message.decode("utf-8")))


def message(*, ledger: str, stream: str, version: int, topic: str, signer: str, prev: str,
            payload: dict[str, Any], format: int = FORMAT) -> bytes:
    return canonical(
        {
            "format": format,
            "ledger": ledger,
            "stream": dashed(stream),
            "version": version,
            "topic": topic,
            "signer": signer,
            "prev": prev,
            "payload": payload,
        }
    )


def seal(key: Ed25519PrivateKey, msg: bytes) -> bytes:
    """The stored state: signature, then the signed message."""
    return key.sign(msg) + msg


# -- rows -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    nid: int
    stream: Any  # as stored (text on SQLite: any spelling or type; dashed text from PostgreSQL)
    version: Any
    topic: Any
    state: Any

    @property
    def envelope(self) -> Envelope:
        return open_state(self.state)


class Forger:
    """Raw SQL on one ledger database (a SQLite path or a postgresql:// URL)."""

    def __init__(self, db_url: str) -> None:
        if db_url.startswith(("postgresql://", "postgres://")):
            self.backend = "postgres"
            self.table = "ledger_events"
            self.nid_column = "notification_id"
            self.conn: Any = psycopg.connect(db_url, autocommit=True)
            self.mark = "%s"
        else:
            self.backend = "sqlite"
            self.table = "stored_events"
            self.nid_column = "rowid"
            path = db_url[len("sqlite:///"):] if db_url.startswith("sqlite:///") else db_url
            self.conn = sqlite3.connect(path, isolation_level=None)
            self.mark = "?"

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Forger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- SQL ---------------------------------------------------------------------------

    def sql(self, statement: str, params: tuple | list = ()) -> list[tuple]:
        cursor = self.conn.execute(statement.replace("?", self.mark), params)
        try:
            return list(cursor.fetchall())
        except (sqlite3.ProgrammingError, psycopg.ProgrammingError):
            return []
        finally:
            cursor.close()

    def stored_stream(self, stream: str) -> str:
        """How this backend spells a stream id canonically."""
        return dashed(stream).replace("-", "") if self.backend == "sqlite" else dashed(stream)

    def _select(self) -> str:
        stream = "originator_id" if self.backend == "sqlite" else "originator_id::text"
        return f"SELECT {self.nid_column}, {stream}, originator_version, topic, state FROM {self.table} "

    @staticmethod
    def _row(r: tuple) -> Row:
        state = bytes(r[4]) if isinstance(r[4], (memoryview, bytearray)) else r[4]
        return Row(r[0], r[1], r[2], r[3], state)

    def rows(self) -> list[Row]:
        return [self._row(r) for r in self.sql(self._select() + f"ORDER BY {self.nid_column}")]

    def stream_rows(self, stream: str) -> list[Row]:
        found = self.sql(
            self._select() + f"WHERE originator_id = ? ORDER BY {self.nid_column}", (self.stored_stream(stream),)
        )
        return [self._row(r) for r in found]

    def row(self, stream: str, version: int) -> Row:
        (r,) = self.sql(
            self._select() + "WHERE originator_id = ? AND originator_version = ?", (self.stored_stream(stream), version)
        )
        return self._row(r)

    def by_nid(self, nid: int) -> Row:
        (r,) = self.sql(self._select() + f"WHERE {self.nid_column} = ?", (nid,))
        return self._row(r)

    def max_nid(self) -> int:
        return self.sql(f"SELECT max({self.nid_column}) FROM {self.table}")[0][0] or 0

    def count(self) -> int:
        return self.sql(f"SELECT count(*) FROM {self.table}")[0][0]

    def insert(self, stream: Any, version: Any, topic: Any, state: Any, *, nid: int | None = None) -> int:
        """Insert a row exactly as given (the stream id spelled as given); returns its
        notification id."""
        columns, values = ["originator_id", "originator_version", "topic", "state"], [stream, version, topic, state]
        if nid is not None:
            columns.insert(0, self.nid_column)
            values.insert(0, nid)
        marks = ", ".join("?" for _ in values)
        statement = f"INSERT INTO {self.table} ({', '.join(columns)}) VALUES ({marks})"
        if self.backend == "postgres":
            self.sql(statement + f" RETURNING {self.nid_column}", values)
            return nid if nid is not None else self.max_nid()
        self.sql(statement, values)
        return nid if nid is not None else self.sql("SELECT last_insert_rowid()")[0][0]

    def set_state(self, nid: int, state: bytes) -> None:
        self.sql(f"UPDATE {self.table} SET state = ? WHERE {self.nid_column} = ?", (state, nid))

    def set_stream(self, nid: int, stream_text: str) -> None:
        self.sql(f"UPDATE {self.table} SET originator_id = ? WHERE {self.nid_column} = ?", (stream_text, nid))

    def delete(self, nid: int) -> None:
        self.sql(f"DELETE FROM {self.table} WHERE {self.nid_column} = ?", (nid,))

    def delete_all(self) -> None:
        self.sql(f"DELETE FROM {self.table}")

    def renumber_from(self, nid: int, by: int = 1) -> None:
        """Shift every row from notification ``nid`` on ``by`` places later, leaving a hole
        (two passes, so no intermediate id collides)."""
        far = 1_000_000_000
        self.sql(f"UPDATE {self.table} SET {self.nid_column} = {self.nid_column} + {far} WHERE {self.nid_column} >= ?", (nid,))
        self.sql(f"UPDATE {self.table} SET {self.nid_column} = {self.nid_column} - {far} + {by} WHERE {self.nid_column} >= ?", (far,))

    # -- the ledger, as the spec defines it ---------------------------------------------

    def genesis(self) -> Row:
        return self.row(TRUST_REGISTRY, 1)

    def ledger_id(self) -> str:
        genesis = self.genesis()
        assert genesis.envelope["ledger"] == ZEROS
        return digest(genesis.state)

    def head(self, stream: str) -> tuple[int, str]:
        """(last version, digest of its stored state), or (0, zeros) for a new stream."""
        rows = [r for r in self.stream_rows(stream) if isinstance(r.version, int)]
        if not rows:
            return 0, ZEROS
        last = max(rows, key=lambda r: r.version)
        return last.version, digest(last.state)

    def forge(self, stream: str, topic: str, payload: dict[str, Any], key: Ed25519PrivateKey | None, *,
              version: int | None = None, prev: str | None = None, ledger: str | None = None,
              signer: str | None = None, signature: bytes | None = None) -> bytes:
        """A stored state for the next place of ``stream`` (or the place given), signed by
        ``key`` (or carrying ``signature`` as is)."""
        last_version, last_digest = self.head(stream)
        if version is None:
            version = last_version + 1
        if prev is None:
            prev = ZEROS if version == 1 else (last_digest if version == last_version + 1 else digest(self.row(stream, version - 1).state))
        msg = message(
            ledger=self.ledger_id() if ledger is None else ledger,
            stream=stream,
            version=version,
            topic=topic,
            signer=signer if signer is not None else key_id(key),
            prev=prev,
            payload=payload,
        )
        if signature is not None:
            return signature + msg
        assert key is not None
        return seal(key, msg)

    def append(self, stream: str, topic: str, payload: dict[str, Any], key: Ed25519PrivateKey | None,
               *, nid: int | None = None, **kw: Any) -> int:
        """Forge the stream's next event and insert it (at the end, or at notification
        ``nid``); returns its notification id."""
        version = kw.get("version") or self.head(stream)[0] + 1
        state = self.forge(stream, topic, payload, key, **kw)
        return self.insert(self.stored_stream(stream), version, topic, state, nid=nid)

    def resign(self, stream: str, version: int, key: Ed25519PrivateKey, *, payload: dict[str, Any] | None = None,
               **changes: Any) -> Row:
        """Re-sign the event in place with ``key``, its payload updated by ``payload``
        and envelope fields replaced by ``changes``."""
        row = self.row(stream, version)
        fields = dict(row.envelope.fields)
        fields["payload"] = {**fields["payload"], **(payload or {})}
        fields.update(changes)
        if "signer" not in changes:
            fields["signer"] = key_id(key)
        state = seal(key, canonical(fields))
        self.set_state(row.nid, state)
        return self.row(stream, version)
