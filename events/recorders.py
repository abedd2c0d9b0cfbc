"""Recorders that refuse events signed against a keyring the trust registry has moved past.

Why: a Ledger signs with keys from its keyring, built from the trust registry stream. A
long-running writer re-reads that stream before it chooses a key (``Ledger._record``), but
another process may still revoke the key between that read and the commit. So the insert
itself checks, inside eventsourcing's write transaction, that the trust stream's head is
still the version the keyring was built from; if not, nothing is written and
:class:`KeyringMoved` tells the Ledger to refresh its keyring and sign again.

The seam is the library's ``_insert_events`` hook, which both backends call inside the
write transaction:

- PostgreSQL calls it first thing in the transaction; we take the library's own
  ``LOCK TABLE … IN EXCLUSIVE MODE`` there (taken again, harmlessly, before the insert), so
  no other writer can commit between our read and our commit. We check *before* inserting:
  an exception raised later, from ``_insert_stored_events``, would be caught by the library
  and the transaction committed regardless.
- SQLite's hook does the inserts. The first insert takes the database's write lock (and
  fails if another writer committed since our snapshot); we check *after* it, counting the
  trust events of our own batch. An exception rolls the transaction back.

The Ledger passes the keyring's version as the ``trust_version`` keyword of
``insert_events``; inserts without it (tools, tests' raw rows) are not checked. The classes
are chosen with the library's ``APPLICATION_RECORDER_TOPIC`` (:func:`with_guarded_recorder`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.sqlite import SQLiteApplicationRecorder
from eventsourcing.utils import get_topic

from certledger.domain.errors import CertLedgerError
from certledger.domain.trust import TRUST_REGISTRY_ID

TRUST_VERSION = "trust_version"
"""The ``insert_events`` keyword: the trust registry version the events were signed against."""

CHECKPOINT_AFTER = "checkpoint_after"
"""The ``insert_events`` keyword of a checkpoint (L-5): the notification id of the newest
event it covers, which must still be the newest event in the ledger when it is inserted."""

RECORDER_TOPIC = "APPLICATION_RECORDER_TOPIC"


def check_newest(newest: int | None, expected: int) -> None:
    """Refuse (:class:`LogMoved`) unless the newest event before the checkpoint is ``expected``."""
    if newest != expected:
        raise LogMoved(
            f"L-5: another event (notification {newest}) was recorded after the checkpoint's last "
            f"event ({expected}) was read; the checkpoint would not cover exactly the events before it"
        )


def check_head(head: int | None, expected: int) -> None:
    """Refuse (:class:`KeyringMoved`) unless the trust stream's head is ``expected``."""
    if (head or 0) != expected:
        raise KeyringMoved(
            f"the trust registry is at version {head or 0}, not {expected} as when these events "
            "were signed: another process changed parties or keys meanwhile"
        )


class KeyringMoved(CertLedgerError):
    """The trust registry moved on since the keyring that signed these events was read;
    nothing was written."""


def _stream_text(stream: object) -> object:
    return stream.hex if isinstance(stream, UUID) else stream


class LogMoved(CertLedgerError):
    """An event was recorded between computing a checkpoint and inserting it; nothing was
    written (the checkpoint command catches up and tries again)."""


def _own_trust_events(stored_events: Sequence[StoredEvent]) -> int:
    return sum(1 for s in stored_events if str(s.originator_id) in (str(TRUST_REGISTRY_ID), TRUST_REGISTRY_ID.hex))


class GuardedSQLiteRecorder(SQLiteApplicationRecorder):
    def _insert_events(self, c: Any, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        ids = super()._insert_events(c, stored_events, **kwargs)  # holds the write lock now
        expected = kwargs.get(TRUST_VERSION)
        if expected is not None:
            c.execute(
                f"SELECT MAX(originator_version) AS head FROM {self.events_table_name} WHERE originator_id = ?",
                (TRUST_REGISTRY_ID.hex,),
            )
            check_head(c.fetchone()["head"], expected + _own_trust_events(stored_events))
        after = kwargs.get(CHECKPOINT_AFTER)
        if after is not None and stored_events:
            first = stored_events[0]
            c.execute(
                f"SELECT MAX(rowid) AS newest FROM {self.events_table_name} WHERE rowid < "
                f"(SELECT rowid FROM {self.events_table_name} WHERE originator_id = ? AND originator_version = ?)",
                (_stream_text(first.originator_id), first.originator_version),
            )
            check_newest(c.fetchone()["newest"], after)
        return ids


# By topic, so that a SQLite ledger never imports psycopg (the PostgreSQL class's module does).
_GUARDED = {
    "eventsourcing.sqlite": get_topic(GuardedSQLiteRecorder),
    "eventsourcing.postgres": "certledger.events.recorders_postgres:GuardedPostgresRecorder",
}
# The factories events.storage.open_settings selects (subclasses of the library's).
_GUARDED["certledger.events.sqlite_store:SQLiteStore"] = _GUARDED["eventsourcing.sqlite"]
_GUARDED["certledger.events.postgres_store:PostgresStore"] = _GUARDED["eventsourcing.postgres"]


def with_guarded_recorder(env: Any) -> Any:
    """Name our recorder class in the application's environment (an eventsourcing
    ``Environment``, changed in place and returned), unless one is named already."""
    guarded = _GUARDED.get(env.get("PERSISTENCE_MODULE", ""))
    if guarded is not None and not env.get(RECORDER_TOPIC):
        env[RECORDER_TOPIC] = guarded
    return env
