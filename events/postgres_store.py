"""eventsourcing's PostgreSQL factory, with libpq's connection options.

The library connects with host, port, database, user and password only; the options of
the ``--db`` URL (``sslmode``, ``connect_timeout``, ``application_name``, …) and, for read
commands, ``default_transaction_read_only=on`` are added here to every connection its pool
makes. Selected by :func:`events.storage.open_settings`, which also checked already that
the same options connect.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from eventsourcing.postgres import PostgresFactory
from eventsourcing.utils import Environment, EnvType

from certledger.events.storage import PG_OPTIONS


class PostgresStore(PostgresFactory):
    def __init__(self, env: Environment | EnvType | None) -> None:
        super().__init__(env)
        # The pool is not open yet: every connection it makes will carry these.
        self.datastore.pool.kwargs.update(parse_qsl(self.env.get(PG_OPTIONS) or ""))
