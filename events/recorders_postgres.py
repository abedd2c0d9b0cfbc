"""The PostgreSQL half of :mod:`events.recorders` (its own module so that SQLite ledgers
never import psycopg): the trust-head check, under the library's table lock, before the
insert; and big saves sent with ``COPY … FROM STDIN (FORMAT BINARY)``.

Why COPY: the library inserts a save as one ``INSERT … SELECT FROM unnest(composite[])
RETURNING notification_id`` inside a psycopg pipeline. psycopg dumps every composite in
Python, and the pipeline reads the RETURNING rows only after the whole statement is sent,
which is why ``MAX_EVENTS_PER_SAVE`` bounds a save (events/ledger.py). COPY streams the
rows in psycopg's binary format (its C dumpers) and returns nothing, so it neither dumps
composites nor fills the socket with replies.

COPY keeps the library's guarantees (``PostgresApplicationRecorder.insert_events``):

- the same ``LOCK TABLE … IN EXCLUSIVE MODE`` before the rows go in, so notification ids
  are issued in commit order and no reader passes over a gap filled in later;
- the same primary key (stream, version): a duplicate fails the COPY with the server's
  unique violation, which the library's ``get_connection`` turns into its
  ``IntegrityError`` (the Ledger's ``ConflictError``), and the transaction rolls back, so
  nothing of the save remains;
- the same ``NOTIFY`` and the same return value: the new rows' notification ids, in the
  order of ``stored_events``. COPY has no RETURNING; under the table lock no other
  transaction can insert, so the rows above the highest id read before the COPY are
  exactly ours, and a COPY assigns the serial default row by row, in the order sent.

Unlike the library's pipelined path, an exception from our guards (``KeyringMoved``,
``LogMoved``) or anything else rolls the COPY transaction back.

Small saves (a key, an act) keep the library's pipelined INSERT: below ``COPY_FROM``
events COPY's extra round trips (no pipeline) cost more than the dumping they save.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import InterfaceError, OperationalError, ProgrammingError, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.utils import retry
from psycopg.sql import SQL, Identifier

from certledger.domain.trust import TRUST_REGISTRY_ID
from certledger.events.recorders import CHECKPOINT_AFTER, TRUST_VERSION, check_head, check_newest

COPY_FROM = 64
"""Saves of at least this many events are inserted with COPY."""


class GuardedPostgresRecorder(PostgresApplicationRecorder):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        table = SQL("{0}.{1}").format(Identifier(self.datastore.schema), Identifier(self.events_table_name))
        self._copy_statement = SQL(
            "COPY {0} (originator_id, originator_version, topic, state) FROM STDIN (FORMAT BINARY)"
        ).format(table)
        self._newest_statement = SQL("SELECT MAX(notification_id) AS newest FROM {0}").format(table)
        self._ids_after_statement = SQL(
            "SELECT notification_id FROM {0} WHERE notification_id > %s ORDER BY notification_id"
        ).format(table)
        self._copy_types = [self.datastore.originator_id_type, "int8", "text", "bytea"]

    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        if len(stored_events) < COPY_FROM or self.datastore.enable_db_functions:
            return super().insert_events(stored_events, **kwargs)
        return self._copy_insert(stored_events, **kwargs)

    # The library's retry, as on its own insert_events (a dropped connection, a lock wait
    # that timed out): the transaction rolled back, so trying again inserts nothing twice.
    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def _copy_insert(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int]:
        # No pipeline: psycopg refuses COPY inside one. Any exception leaves the
        # transaction block, which rolls back: nothing of the save is kept.
        with self.datastore.get_connection() as conn, conn.transaction(), conn.cursor() as curs:
            self._insert_events(curs, stored_events, **kwargs)
            self._lock_table(curs)
            self._notify_channel(curs)
            curs.execute(self._newest_statement)
            newest = curs.fetchone()["newest"] or 0
            self._copy_stored_events(curs, stored_events)
            curs.execute(self._ids_after_statement, (newest,))
            ids = [row["notification_id"] for row in curs.fetchall()]
            if len(ids) != len(stored_events):
                # Cannot happen under the table lock; if it ever does, keep nothing.
                raise ProgrammingError(
                    f"COPY inserted {len(ids)} rows after notification {newest}, expected {len(stored_events)}"
                )
        return ids

    def _copy_stored_events(self, curs: Any, stored_events: Sequence[StoredEvent]) -> None:
        as_uuid = self.datastore.originator_id_type == "uuid"
        with curs.copy(self._copy_statement) as copy:
            copy.set_types(self._copy_types)
            write_row = copy.write_row
            for s in stored_events:
                stream = s.originator_id
                if as_uuid and not isinstance(stream, UUID):
                    stream = UUID(stream)
                write_row((stream, s.originator_version, s.topic, s.state))

    def _insert_events(self, curs: Any, stored_events: Sequence[StoredEvent], **kwargs: Any) -> None:
        super()._insert_events(curs, stored_events, **kwargs)
        expected = kwargs.get(TRUST_VERSION)
        if expected is not None and stored_events:
            self._lock_table(curs)
            curs.execute(
                SQL("SELECT MAX(originator_version) AS head FROM {0}.{1} WHERE originator_id = %s").format(
                    Identifier(self.datastore.schema), Identifier(self.events_table_name)
                ),
                (TRUST_REGISTRY_ID,),
            )
            check_head(curs.fetchone()["head"], expected)
        after = kwargs.get(CHECKPOINT_AFTER)
        if after is not None and stored_events:
            self._lock_table(curs)
            curs.execute(
                SQL("SELECT MAX(notification_id) AS newest FROM {0}.{1}").format(
                    Identifier(self.datastore.schema), Identifier(self.events_table_name)
                )
            )
            check_newest(curs.fetchone()["newest"], after)
