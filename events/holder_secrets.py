"""The holder secrets (持证人身份证号及盐值): each full id number given at registration and the
salt of its commitment (rule L-7, :mod:`domain.id_number`), kept OUT of the signed log.

Why a table of its own in the same database (``holder_secrets`` in SQLite,
``ledger_holder_secrets`` in PostgreSQL), not an event and not a file:

- not an event: the log is immutable and copied to every auditor; a number in it is there
  forever. The registration event seals only the commitment and the masked form.
- not a file beside the working directory: the number must be there for whichever process
  renders the holder's document later (another machine, the server), and backed up and
  access-controlled with the ledger, on either backend.
- a plain table, outside ``verify``, the Merkle log and every signature: a row can be deleted
  (:meth:`HolderSecrets.erase`, ``certledger candidate erase-id``) and nothing that verifies
  breaks. The sealed commitment stays, and a holder's document already issued still
  verifies, since it carries the number and the salt itself.

Nothing here is trusted either: whoever renders a holder's copy checks that the number and
salt give the sealed commitment (:func:`events.holder_secrets.secret_for`).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from certledger.domain.errors import StorageError, TamperError
from certledger.domain.id_number import binds


@dataclass(frozen=True)
class HolderSecret:
    """One holder's full id number and the salt of its commitment."""

    id_number: str
    salt: bytes


def table_name(backend: str) -> str:
    return "holder_secrets" if backend == "sqlite" else "ledger_holder_secrets"


def create_statement(backend: str) -> str:
    table = table_name(backend)
    if backend == "sqlite":
        return (f"CREATE TABLE IF NOT EXISTS {table} (candidacy_id TEXT PRIMARY KEY, id_number TEXT NOT NULL, "
                "salt BLOB NOT NULL)")
    return (f"CREATE TABLE IF NOT EXISTS {table} (candidacy_id uuid PRIMARY KEY, id_number text NOT NULL, "
            "salt bytea NOT NULL)")


class HolderSecrets:
    """The holder secrets of an open :class:`events.ledger.Ledger`. Reads work on a read-only
    ledger (a ledger older than the table holds none); writes need a writable one."""

    def __init__(self, ledger: Any) -> None:
        self.ledger = ledger
        self.backend = ledger.database.backend
        self.table = table_name(self.backend)
        self.mark = "?" if self.backend == "sqlite" else "%s"
        self._exists = False

    def _key(self, candidacy: UUID) -> Any:
        return candidacy.hex if self.backend == "sqlite" else candidacy

    def _run(self, sql: str, params: list[Any], *, commit: bool) -> Any:
        with self.ledger.recorder.datastore.transaction(commit=commit) as cursor:
            cursor.execute(sql.replace("?", self.mark), params)
            return None if commit else list(cursor.fetchall())

    def exists(self) -> bool:
        if not self._exists:
            if self.backend == "sqlite":
                found = self._run("SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?", [self.table],
                                  commit=False)
            else:
                found = [r for r in self._run("SELECT to_regclass(?) AS name", [self.table], commit=False)
                         if r["name"] is not None]
            self._exists = bool(found)
        return self._exists

    def ensure_table(self) -> None:
        """Create the table (``init``; or the first registration with a full number on a ledger
        that predates it)."""
        if not self.exists():
            self._run(create_statement(self.backend), [], commit=True)
            self._exists = True

    def put_many(self, secrets: dict[UUID, HolderSecret]) -> None:
        """Keep the secrets of registrations just saved, in one transaction."""
        if not secrets:
            return
        try:
            self.ensure_table()
            with self.ledger.recorder.datastore.transaction(commit=True) as cursor:
                for candidacy, secret in secrets.items():
                    cursor.execute(f"INSERT INTO {self.table} (candidacy_id, id_number, salt) VALUES (?, ?, ?)"
                                   .replace("?", self.mark), [self._key(candidacy), secret.id_number, secret.salt])
        except Exception as e:  # noqa: BLE001 - a driver's error, after the events were saved
            raise StorageError(
                f"the registration is recorded with its id-number commitment, but the full number could not be "
                f"kept in {self.table} ({type(e).__name__}: {e}); the holder's document will say the binding "
                "is not available"
            ) from None

    def get(self, candidacy: UUID) -> HolderSecret | None:
        if not self.exists():
            return None
        try:
            rows = self._run(f"SELECT id_number, salt FROM {self.table} WHERE candidacy_id = ?", [self._key(candidacy)],
                             commit=False)
        except Exception as e:  # noqa: BLE001 - the driver's own error (a role without SELECT on it)
            raise StorageError(f"cannot read the holder secrets ({self.table}): {' '.join(str(e).split())}; the "
                               "holder's copy is made by the office that holds them") from None
        return HolderSecret(str(rows[0]["id_number"]), bytes(rows[0]["salt"])) if rows else None

    def erase(self, candidacy: UUID) -> bool:
        """Delete one holder's number and salt; True if there was one. SQLite overwrites the
        deleted row (secure_delete) and checkpoints its write-ahead log; PostgreSQL keeps the
        dead row until VACUUM (README, "The holder's id number")."""
        if not self.exists():
            return False
        with self.ledger.recorder.datastore.transaction(commit=True) as cursor:
            if self.backend == "sqlite":
                cursor.execute("PRAGMA secure_delete = ON")
            cursor.execute(f"SELECT 1 AS found FROM {self.table} WHERE candidacy_id = ?".replace("?", self.mark),
                           [self._key(candidacy)])
            erased = bool(list(cursor.fetchall()))
            cursor.execute(f"DELETE FROM {self.table} WHERE candidacy_id = ?".replace("?", self.mark),
                           [self._key(candidacy)])
        if erased and self.backend == "sqlite":
            _checkpoint_wal(self.ledger.database.path)
        return erased


def _checkpoint_wal(path: Any) -> None:
    """Copy SQLite's write-ahead log into the file and truncate it, so the old page holding
    the erased row is not left in the -wal file (best effort: a busy reader defers it)."""
    try:
        conn = sqlite3.connect(str(path), timeout=5)
        try:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            conn.close()
    except sqlite3.Error:
        pass


def secret_for(ledger: Any, candidacy: UUID, commitment: str) -> HolderSecret | None:
    """The holder's number and salt for the sealed ``commitment``: None if none was sealed or
    the row was erased; TamperError if the row does not give the sealed commitment."""
    if not commitment:
        return None
    secret = HolderSecrets(ledger).get(candidacy)
    if secret is not None and not binds(commitment, secret.salt, secret.id_number):
        raise TamperError(f"L-7: the holder secret kept for candidacy {candidacy} does not give the id-number "
                          "commitment its registration sealed: the row was changed; nothing rendered")
    return secret
