"""eventsourcing's SQLite factory, told that a read-only store must not be written.

The library switches every file it opens to WAL journal mode; on a file opened read-only
(``mode=ro`` or ``immutable``, see :func:`events.storage.sqlite_uri`) that switch would be a
write, so here it is skipped. Selected by :func:`events.storage.open_settings`.
"""

from __future__ import annotations

from eventsourcing.sqlite import SQLiteFactory
from eventsourcing.utils import Environment, EnvType, strtobool

from certledger.events.storage import READ_ONLY


class SQLiteStore(SQLiteFactory):
    def __init__(self, env: Environment | EnvType | None) -> None:
        super().__init__(env)
        if strtobool(self.env.get(READ_ONLY) or "no"):
            # The pool checks (and sets) the journal mode only while this is False.
            self.datastore.pool.is_journal_mode_wal = True
