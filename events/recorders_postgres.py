"""The PostgreSQL half of :mod:`events.recorders` (its own module so that SQLite ledgers
never import psycopg): the trust-head check, under the library's table lock, before the
insert."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder
from psycopg.sql import SQL, Identifier

from certledger.domain.trust import TRUST_REGISTRY_ID
from certledger.events.recorders import CHECKPOINT_AFTER, TRUST_VERSION, check_head, check_newest


class GuardedPostgresRecorder(PostgresApplicationRecorder):
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
