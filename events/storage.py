"""Where the ledger lives: a database URL, turned into eventsourcing's own settings.

- nothing, a path, or ``sqlite:///path`` — SQLite file (the embedded default,
  ``./certledger.db``);
- ``postgresql://user[:password]@host[:port]/dbname[?option=value&…]`` — PostgreSQL
  (production); the query's options are libpq's (``sslmode``, ``connect_timeout``,
  ``application_name``, …) and reach every connection.

How a command opens the store is decided here, in :func:`open_settings`, because the
database may be one somebody else controlled: only ``init`` may create tables; read
commands open read-only (SQLite by a ``mode=ro`` URI, PostgreSQL by read-only
transactions); and before the library touches anything, one plain connection checks that
the store can be reached and holds the events table, so the user sees the server's own
reason, and a file or database that is not a ledger is never written to.

The recorders are eventsourcing's. The few reads it has no API for — fetching many
events by (stream, version) at once, and the tamper tests' raw edits — go through
:class:`Rows`, which speaks each backend's SQL dialect.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit
from uuid import UUID

from certledger.domain.errors import InputError, StorageError

DEFAULT_SQLITE = "certledger.db"
APP_NAME = "ledger"
SQLITE_TABLE = "stored_events"
POSTGRES_TABLE = f"{APP_NAME}_events"
# The one schema a PostgreSQL ledger lives in: the library's (it writes ``public.`` into its
# statements) and ours, pinned as every connection's search_path, so that our unqualified SQL
# and the library's qualified SQL can never read different tables (issue 20 item 1).
SCHEMA = "public"

# Our own settings, read by the factories of events.sqlite_store and events.postgres_store.
READ_ONLY = "CERTLEDGER_READ_ONLY"
PG_OPTIONS = "CERTLEDGER_PG_OPTIONS"
# libpq's options the URL may not set: they are the URL's own parts.
_PG_URL_PARTS = {"dbname", "host", "hostaddr", "port", "user", "password"}
_PG_READ_ONLY = "-c default_transaction_read_only=on"
_PG_STATEMENT_TIMEOUT = "-c statement_timeout=120s"
# Last in ``options``, so that a search_path given in the URL cannot move it; pg_temp named
# last so that not even a temporary table is looked up before the ledger's schema.
_PG_SEARCH_PATH = f"-c search_path={SCHEMA},pg_temp"
_PG_CLIENT_DEFAULTS = {
    "connect_timeout": "5",
    "application_name": "certledger",
    "keepalives": "1",
    "keepalives_idle": "30",
    "keepalives_interval": "10",
    "keepalives_count": "3",
    "tcp_user_timeout": "60000",  # ms: data sent but unacknowledged this long: give up
}
_FACTORIES = {
    "sqlite": "certledger.events.sqlite_store:SQLiteStore",
    "postgres": "certledger.events.postgres_store:PostgresStore",
}


@dataclass(frozen=True)
class Database:
    """A parsed ``--db`` URL."""

    url: str
    backend: str  # "sqlite" or "postgres"
    env: dict[str, str]  # the library's settings, as its defaults would open it
    path: Path | None = None  # SQLite only
    options: tuple[tuple[str, str], ...] = ()  # PostgreSQL only: libpq options from the query

    @property
    def table(self) -> str:
        return SQLITE_TABLE if self.backend == "sqlite" else POSTGRES_TABLE

    @property
    def qualified_table(self) -> str:
        """The events table as every statement reads it (``public.ledger_events``)."""
        return SQLITE_TABLE if self.backend == "sqlite" else f"{SCHEMA}.{POSTGRES_TABLE}"

    def describe(self) -> str:
        if self.backend == "sqlite":
            return f"SQLite file {self.path}"
        return (f"PostgreSQL database {self.env['POSTGRES_DBNAME']} on {self.env['POSTGRES_HOST']}:"
                f"{self.env['POSTGRES_PORT']}, schema {SCHEMA}")

    def store_json(self) -> dict[str, str]:
        """Which store was read, for reports: backend, where, schema and events table."""
        if self.backend == "sqlite":
            return {"backend": "sqlite", "path": str(self.path), "table": SQLITE_TABLE}
        return {"backend": "postgres", "database": self.env["POSTGRES_DBNAME"], "host": self.env["POSTGRES_HOST"],
                "port": self.env["POSTGRES_PORT"], "schema": SCHEMA, "table": self.qualified_table}

    def connect_options(self, *, read_only: bool, pinned: bool = True) -> dict[str, str]:
        """PostgreSQL: libpq options for every connection, beyond host, port, user, db.

        With the defaults, no command waits forever (each can be overridden in the URL):
        the server cancels a statement after ``statement_timeout`` (one page of a read, one
        save of at most ``MAX_EVENTS_PER_SAVE`` events take well under a second), the
        library's lock and idle-in-transaction timeouts cover lock waits and a client gone
        quiet mid-transaction, and TCP keepalives plus ``tcp_user_timeout`` let the client
        notice a server or network that vanished (without them a read on a dead
        connection blocks until the kernel gives up, which can be hours).

        ``pinned`` (always, but for the one check of what other sessions see) sets the
        search_path to the ledger's schema alone."""
        options = {**_PG_CLIENT_DEFAULTS, **dict(self.options)}
        extra = [] if "statement_timeout" in options.get("options", "") else [_PG_STATEMENT_TIMEOUT]
        if read_only:
            extra.append(_PG_READ_ONLY)
        if pinned:
            extra.append(_PG_SEARCH_PATH)
        if extra:
            options["options"] = " ".join([options.get("options", ""), *extra]).strip()
        return options


def open_settings(database: Database, *, read_only: bool = False, create: bool = False) -> dict[str, str]:
    """The settings to open ``database`` with, after checking (with one plain connection)
    that it can be opened and, unless ``create``, holds the events table.

    ``create`` (``init`` and the demo only) lets the library create its tables, in a new
    SQLite file if need be; otherwise the events table must exist already, and nothing is
    created. ``read_only`` opens it so that nothing can be written at all.
    """
    if read_only and create:
        raise ValueError("a store opened read-only cannot create tables")
    env = dict(database.env)
    env.update(
        PERSISTENCE_MODULE=_FACTORIES[database.backend],
        CREATE_TABLE="yes" if create else "no",
        **{READ_ONLY: "yes" if read_only else "no"},
    )
    if database.backend == "sqlite":
        _check_sqlite(database, create=create)
        env["SQLITE_DBNAME"] = sqlite_uri(database.path, read_only=read_only, create=create)
    else:
        _check_postgres(database, database.connect_options(read_only=read_only, pinned=False), create=create)
        env[PG_OPTIONS] = urlencode(database.connect_options(read_only=read_only))
        env["POSTGRES_SCHEMA"] = SCHEMA
    # The library looks up ``LEDGER_<KEY>`` (from the process environment) before ``<KEY>``:
    # the settings are given under both names, so no variable in the environment can point
    # the library at another schema, database or factory than the one checked here.
    env.update({f"{APP_NAME.upper()}_{key}": value for key, value in env.items()})
    return env


def sqlite_uri(path: Path, *, read_only: bool, create: bool = False) -> str:
    """A ``file:`` URI that never creates the file unless ``create``.

    Read-only, a file at rest (no ``-wal`` beside it: no writer is active) is opened
    ``immutable``, since even a ``mode=ro`` reader of a WAL-mode file leaves ``-wal`` and
    ``-shm`` files behind; with a ``-wal`` present, ``mode=ro`` reads the writer's
    pending pages through them.
    """
    uri = f"file:{quote(str(path.resolve()))}?mode={'ro' if read_only else 'rwc' if create else 'rw'}"
    if read_only and not _beside(path, "-wal").exists():
        uri += "&immutable=1"
    return uri


def _beside(path: Path, suffix: str) -> Path:
    return path.with_name(path.name + suffix)


def _not_a_ledger(database: Database) -> StorageError:
    return StorageError(
        f"{database.describe()} is not a certledger ledger (it has no {database.table} table): "
        "check --db, or run 'certledger init' to create a ledger there"
    )


def _check_sqlite(database: Database, *, create: bool) -> None:
    path = database.path
    if not path.exists():
        if create and path.parent.is_dir():
            return
        if create:
            raise StorageError(f"cannot create {database.describe()}: there is no directory {path.parent}")
        raise StorageError(f"no ledger at {path}: run 'certledger init' first, or pass --db")
    try:
        conn = sqlite3.connect(sqlite_uri(path, read_only=True), uri=True)
        try:
            found = conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [database.table]
            ).fetchone()
        finally:
            conn.close()
    except sqlite3.Error as e:
        raise StorageError(f"cannot open {database.describe()}: {e}") from None
    if not found and not create:
        raise _not_a_ledger(database)


def _check_postgres(database: Database, options: dict[str, str], *, create: bool) -> None:
    """One plain connection, so that a failure is the server's own reason (the library's
    pool only says it could not get a connection in time).

    It runs with the search_path other sessions get (the server's, the database's or the
    role's, not the one certledger pins), and refuses a database where a table of the
    ledger is visible in another schema on that path too: ``psql``, another tool or an older
    certledger would read it there while certledger reads ``public`` (issue 20 item 1)."""
    import psycopg  # here, so that SQLite users never import it

    e = database.env
    try:
        with psycopg.connect(
            dbname=e["POSTGRES_DBNAME"], host=e["POSTGRES_HOST"], port=e["POSTGRES_PORT"],
            user=e["POSTGRES_USER"], password=e["POSTGRES_PASSWORD"], autocommit=True, **options,
        ) as conn:
            found = conn.execute("SELECT to_regclass(%s) IS NOT NULL", [f"{SCHEMA}.{POSTGRES_TABLE}"]).fetchone()[0]
            path = conn.execute("SELECT pg_catalog.current_setting('search_path') AS p").fetchone()[0]
            visible = conn.execute(
                "SELECT n.nspname, c.relname FROM pg_catalog.pg_class c "
                "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
                "WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') "
                "AND (n.nspname = %s OR n.nspname = ANY(pg_catalog.current_schemas(false))) "
                "AND n.nspname <> 'pg_catalog' ORDER BY 1, 2",
                [SCHEMA],
            ).fetchall()
    except psycopg.ProgrammingError as err:  # libpq refused the options themselves
        raise InputError(f"database URL: {_one_line(err)}") from None
    except psycopg.Error as err:
        raise StorageError(f"cannot open {database.describe()}: {_one_line(err)}") from None
    _refuse_split(database, path, visible)
    if not found and not create:
        raise _not_a_ledger(database)


def _refuse_split(database: Database, path: str, visible: Sequence[tuple[str, str]]) -> None:
    """Refuse when another schema on the path holds a table named like one of the ledger's
    schema, or like any ledger table (``ledger_…``)."""
    ours = {name for schema, name in visible if schema == SCHEMA}
    others: dict[str, list[str]] = {}
    for schema, name in visible:
        if schema != SCHEMA and (name in ours or name.startswith(f"{APP_NAME}_")):
            others.setdefault(schema, []).append(name)
    if not others:
        return
    where = "; ".join(
        f"schema {schema}: {', '.join(names[:5])}{f' and {len(names) - 5} more' if len(names) > 5 else ''}"
        for schema, names in sorted(others.items())
    )
    raise StorageError(
        f"{database.describe()}: the ledger's tables are visible in more than one schema on the search_path "
        f"({path}): {where}, besides schema {SCHEMA}. certledger reads only schema {SCHEMA}; other sessions would "
        f"read the other copy, so the two could disagree. Refused: drop or rename the other schema's tables, "
        f"or take that schema off the path"
    )


def _one_line(error: BaseException) -> str:
    lines = (" ".join(line.split()) for line in str(error).splitlines())
    return "; ".join(line for line in lines if line)


def parse_database_url(url: str | None) -> Database:
    url = url or DEFAULT_SQLITE
    scheme = urlsplit(url).scheme if "://" in url else ""
    if scheme in ("postgresql", "postgres"):
        return _postgres(url)
    if scheme in ("", "sqlite"):
        # sqlite:///relative.db and sqlite:////absolute/path.db, as SQLAlchemy writes them.
        if scheme and not url.startswith("sqlite:///"):
            raise InputError(f"database URL {url!r}: write sqlite:///path/to/file.db")
        path = Path(url[len("sqlite:///") :] if scheme else url)
        if not str(path) or str(path) == ".":
            raise InputError(f"database URL {url!r} names no SQLite file")
        return Database(
            url=url,
            backend="sqlite",
            path=path,
            env={
                "PERSISTENCE_MODULE": "eventsourcing.sqlite",
                "SQLITE_DBNAME": str(path),
                "SQLITE_LOCK_TIMEOUT": "10",
            },
        )
    raise InputError(
        f"database URL {_redacted(url)!r}: use a SQLite file path or postgresql://user@host:port/dbname"
    )


def _redacted(url: str) -> str:
    """The URL without its password, fit for an error message."""
    return re.sub(r"(://[^/@:]*):[^/@]*@", r"\1:***@", url)


def _postgres(url: str) -> Database:
    parts = urlsplit(url)
    dbname = unquote(parts.path.lstrip("/"))
    if not dbname:
        raise InputError(f"database URL {_redacted(url)!r} names no database (…/dbname)")
    try:
        port = parts.port or 5432
    except ValueError:
        raise InputError(f"database URL {_redacted(url)!r} has a bad port") from None
    options = parse_qsl(parts.query, keep_blank_values=True)
    clashing = sorted({key for key, _ in options} & _PG_URL_PARTS)
    if clashing:
        raise InputError(
            f"database URL {_redacted(url)!r}: give {', '.join(clashing)} in the URL itself, not as ?options"
        )
    return Database(
        url=url,
        backend="postgres",
        options=tuple(options),
        env={
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": dbname,
            "POSTGRES_HOST": parts.hostname or "127.0.0.1",
            "POSTGRES_PORT": str(port),
            "POSTGRES_USER": unquote(parts.username or "postgres"),
            "POSTGRES_PASSWORD": unquote(parts.password or ""),
            "POSTGRES_CONNECT_TIMEOUT": "5",
            # The library waits forever for a table lock unless told otherwise.
            "POSTGRES_LOCK_TIMEOUT": "10",
            "POSTGRES_POOL_SIZE": "2",
            "POSTGRES_MAX_OVERFLOW": "4",
        },
    )


@dataclass(frozen=True)
class RawRow:
    """A row exactly as the database holds it: nothing parsed, nothing trusted. ``verify``
    reads these, so that a malformed row (a NULL state, a text version, a stream id in
    another spelling) becomes a finding instead of an exception."""

    notification_id: int
    stream: Any
    version: Any
    topic: Any
    state: Any


@dataclass(frozen=True)
class Row:
    notification_id: int
    stream: UUID
    version: int
    topic: str
    state: bytes


class Rows:
    """Bulk reads (and, for tests, raw writes) on the events table of an open recorder."""

    def __init__(self, database: Database, recorder: Any) -> None:
        self.database = database
        self.recorder = recorder
        self.mark = "?" if database.backend == "sqlite" else "%s"

    def _execute(self, sql: str, params: Sequence[Any] = (), *, commit: bool = False) -> list[Any]:
        with self.recorder.datastore.transaction(commit=commit) as cursor:
            cursor.execute(sql.replace("?", self.mark), params)
            return [] if commit else list(cursor.fetchall())

    def _stream_param(self, stream: UUID) -> Any:
        return stream.hex if self.database.backend == "sqlite" else stream

    def last_state(self) -> bytes | None:
        """The state of the event with the highest notification id (the newest)."""
        id_column = "rowid" if self.database.backend == "sqlite" else "notification_id"
        rows = self._execute(f"SELECT state FROM {self.database.table} ORDER BY {id_column} DESC LIMIT 1")
        state = rows[0]["state"] if rows else None
        # Whatever the column holds (SQLite stores any type): only bytes are a state.
        return bytes(state) if isinstance(state, (bytes, bytearray, memoryview)) else None

    # -- raw reads for verify --------------------------------------------------------------

    def _raw_select(self) -> str:
        if self.database.backend == "sqlite":
            return f"SELECT rowid AS nid, originator_id, originator_version, topic, state FROM {self.database.table} "
        return (
            "SELECT notification_id AS nid, originator_id::text AS originator_id, originator_version, topic, state "
            f"FROM {self.database.table} "
        )

    @property
    def _id_column(self) -> str:
        return "rowid" if self.database.backend == "sqlite" else "notification_id"

    def raw_pages(self, page_size: int = 1000, after: int | None = None) -> Iterator[list[RawRow]]:
        """Every row in notification order (after notification ``after``, if given), a page
        at a time, as stored — from the lowest id there is: a row someone numbered 0 or
        below is read like any other."""
        while True:
            where = "" if after is None else f"WHERE {self._id_column} > ? "
            rows = self._execute(
                self._raw_select() + where + f"ORDER BY {self._id_column} LIMIT ?",
                ([] if after is None else [after]) + [page_size],
            )
            if not rows:
                return
            yield [_raw(r) for r in rows]
            after = rows[-1]["nid"]

    def raw_stream(self, stream: UUID, before: int | None = None) -> list[RawRow]:
        """The rows of ``stream`` (its canonical spelling only), in notification order,
        optionally only those before notification ``before``."""
        sql = self._raw_select() + "WHERE originator_id = ?"
        params: list[Any] = [self._stream_param(stream)]
        if before is not None:
            sql += f" AND {self._id_column} < ?"
            params.append(before)
        return [_raw(r) for r in self._execute(sql + f" ORDER BY {self._id_column}", params)]

    def raw_streams(self, streams: Iterable[UUID], before: int) -> list[RawRow]:
        """The rows of many streams (canonical spellings) before notification ``before``, in
        notification order: one query where verify would otherwise make one per stream."""
        streams = list(streams)
        if not streams:
            return []
        if self.database.backend == "sqlite":
            marks = ",".join("?" for _ in streams)
            sql = self._raw_select() + f"WHERE originator_id IN ({marks}) AND rowid < ? ORDER BY rowid"
            params: list[Any] = [s.hex for s in streams] + [before]
        else:
            sql = self._raw_select() + "WHERE originator_id = ANY(?::uuid[]) AND notification_id < ? ORDER BY notification_id"
            params = [streams, before]
        return [_raw(r) for r in self._execute(sql, params)]

    def of_streams(self, streams: Sequence[UUID]) -> list[Row]:
        """Every event of these streams (canonical spellings), each stream's in version order:
        one query where loading aggregates one by one makes one per stream. The rows are not
        checked here; the Mapper checks each as it decodes it."""
        if not streams:
            return []
        if self.database.backend == "sqlite":
            sql = (f"SELECT rowid AS nid, originator_id, originator_version, topic, state FROM {self.database.table} "
                   f"WHERE originator_id IN ({','.join('?' for _ in streams)}) ORDER BY originator_id, originator_version")
            params: list[Any] = [s.hex for s in streams]
        else:
            sql = (f"SELECT notification_id AS nid, originator_id, originator_version, topic, state FROM {self.database.table} "
                   "WHERE originator_id = ANY(?::uuid[]) ORDER BY originator_id, originator_version")
            params = [list(streams)]
        return [Row(r["nid"], r["originator_id"] if isinstance(r["originator_id"], UUID) else UUID(r["originator_id"]),
                    r["originator_version"], r["topic"], bytes(r["state"])) for r in self._execute(sql, params)]

    def streams_naming(self, topic_suffix: str, needle: bytes, up_to: int | None = None) -> list[UUID]:
        """The streams of the events whose topic ends with ``topic_suffix`` and whose stored
        state contains ``needle`` (up to notification ``up_to``), in notification order: a
        search, not a check (the rows' signatures are not verified here; whoever loads the
        streams verifies them)."""
        found = "instr(state, ?) > 0" if self.database.backend == "sqlite" else "position(?::bytea in state) > 0"
        sql = f"SELECT originator_id FROM {self.database.table} WHERE topic LIKE ? AND {found}"
        params: list[Any] = ["%" + topic_suffix, needle]
        if up_to is not None:
            sql += f" AND {self._id_column} <= ?"
            params.append(up_to)
        rows = self._execute(sql + f" ORDER BY {self._id_column}", params)
        return [r["originator_id"] if isinstance(r["originator_id"], UUID) else UUID(r["originator_id"]) for r in rows]

    def at(self, notification_id: int) -> RawRow | None:
        """The row with this notification id, as stored (None if there is none)."""
        rows = self._execute(self._raw_select() + f"WHERE {self._id_column} = ?", [notification_id])
        return _raw(rows[0]) if rows else None

    def head(self) -> RawRow | None:
        rows = self._execute(self._raw_select() + f"ORDER BY {self._id_column} DESC LIMIT 1")
        return _raw(rows[0]) if rows else None

    def count(self, *, after: int | None = None, up_to: int | None = None) -> int:
        """How many rows (after notification ``after``, up to and including ``up_to``)."""
        where, params = [], []
        if after is not None:
            where.append(f"{self._id_column} > ?")
            params.append(after)
        if up_to is not None:
            where.append(f"{self._id_column} <= ?")
            params.append(up_to)
        clause = f" WHERE {' AND '.join(where)}" if where else ""
        rows = self._execute(f"SELECT count(*) AS n FROM {self.database.table}{clause}", params)
        return int(rows[0]["n"])

    def count_topic(self, topic_suffix: str, *, before: int) -> int:
        """How many rows whose topic ends with ``topic_suffix`` come before notification
        ``before``: a certificate's status-list index (its CertificateIssued ordinal)."""
        rows = self._execute(
            f"SELECT count(*) AS n FROM {self.database.table} WHERE topic LIKE ? AND {self._id_column} < ?",
            ["%" + topic_suffix, before],
        )
        return int(rows[0]["n"])

    # -- raw edits, for tamper tests and nothing else ------------------------------------

    def write_state(self, stream: UUID, version: int, state: bytes) -> None:
        self._execute(
            f"UPDATE {self.database.table} SET state = ? WHERE originator_id = ? AND originator_version = ?",
            [state, self._stream_param(stream), version],
            commit=True,
        )

    def delete(self, stream: UUID, version: int) -> None:
        self._execute(
            f"DELETE FROM {self.database.table} WHERE originator_id = ? AND originator_version = ?",
            [self._stream_param(stream), version],
            commit=True,
        )

    def insert(self, stream: UUID, version: int, topic: str, state: bytes) -> None:
        self._execute(
            f"INSERT INTO {self.database.table} (originator_id, originator_version, topic, state) "
            "VALUES (?, ?, ?, ?)",
            [self._stream_param(stream), version, topic, state],
            commit=True,
        )

    def read(self, stream: UUID, version: int) -> Row:
        id_column = "rowid" if self.database.backend == "sqlite" else "notification_id"
        rows = self._execute(
            f"SELECT {id_column} AS nid, topic, state FROM {self.database.table} "
            "WHERE originator_id = ? AND originator_version = ?",
            [self._stream_param(stream), version],
        )
        if not rows:
            raise InputError(f"no event at version {version} of stream {stream}")
        r = rows[0]
        return Row(r["nid"], stream, version, r["topic"], bytes(r["state"]))


def _raw(r: Any) -> RawRow:
    state = r["state"]
    if isinstance(state, memoryview):
        state = bytes(state)
    return RawRow(r["nid"], r["originator_id"], r["originator_version"], r["topic"], state)


def canonical_stream_text(backend: str, stream: UUID) -> str:
    """How a stream id is spelled in the events table: 32 lowercase hex digits in SQLite
    (the library writes ``uuid.hex``), the dashed form from PostgreSQL's uuid column."""
    return stream.hex if backend == "sqlite" else str(stream)
