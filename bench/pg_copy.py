"""Copy a SQLite ledger into a new PostgreSQL database, row for row, for the PostgreSQL figures.

    .venv/bin/python bench/pg_copy.py /tmp/big/ledger.db postgresql://postgres@127.0.0.1:5432/cl_big

Building a 1M-event ledger on PostgreSQL through the writer takes ~40 minutes here; the
benchmarks of the read side (``bench/rebuild.py --url``, verify) only need the same signed rows
in PostgreSQL's tables. The events are stored bytes — each signature covers the event's
canonical content, not how a backend stores it — so the copy verifies as the original does.
The tables are made by the project's own recorder (``Ledger(create=True)``), the rows moved
with COPY, and the notification-id sequence set past the last row. The registers are not
copied: ``certledger project`` (or ``rebuild``) builds them there. The target database must
not exist yet.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import time
from urllib.parse import urlsplit, urlunsplit

import psycopg

from certledger.events.ledger import Ledger
from certledger.events.merkle_log import table_names
from certledger.events.storage import parse_database_url


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("sqlite", help="The SQLite ledger file (read only).")
    parser.add_argument("url", help="postgresql://… of a database to create.")
    args = parser.parse_args()
    parts = urlsplit(args.url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    database = parse_database_url(args.url)
    Ledger(database, create=True, verify_on_read=False).close()  # the tables, as `init` makes them

    source = sqlite3.connect(f"file:{args.sqlite}?mode=ro", uri=True)
    start = time.perf_counter()
    with psycopg.connect(args.url) as conn, conn.cursor() as cur:
        table = database.table
        moved = 0
        with cur.copy(f"COPY {table} (notification_id, originator_id, originator_version, topic, state) "
                      "FROM STDIN") as copy:
            for row in source.execute("SELECT rowid, originator_id, originator_version, topic, state "
                                      "FROM stored_events ORDER BY rowid"):
                copy.write_row(row)
                moved += 1
                if moved % 100_000 == 0:
                    print(f"  {moved:,} events", file=sys.stderr)
        cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'notification_id'), "
                    f"(SELECT max(notification_id) FROM {table}))")
        leaves, nodes = table_names("sqlite")
        pg_leaves, pg_nodes = table_names("postgres")
        for name, target, columns in ((leaves, pg_leaves, "position, notification_id, hash"),
                                      (nodes, pg_nodes, "level, idx, hash")):
            with cur.copy(f"COPY {target} ({columns}) FROM STDIN") as copy:
                for row in source.execute(f"SELECT {columns} FROM {name}"):
                    copy.write_row(row)
        conn.commit()
        cur.execute(f"ANALYZE {table}")
    print(f"copied {moved:,} events in {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
