"""The projector: applies the notification log to a register set, exactly once.

Each batch, on the ledger's own database,

1. reads, in one short read transaction, the set's position, the events after it in
   notification order, and the register rows of the streams they name;
2. outside any transaction (PostgreSQL ends a session left idle in one: 5 s by default),
   decodes and signature-checks each event with the ledger's mapper (a bad row stops the
   projector: nothing of its batch is kept, and ``verify`` names it) and applies it to
   every register (:mod:`projections.registers`) through a cache of the rows it touches;
3. in one short write transaction, locks the set's position row (``UPDATE … SET position
   = position``: on SQLite the first write takes the database's write lock; on PostgreSQL
   it locks the row), checks that the position is still the one read in 1 — if another
   projector (two recording commands, or ``project`` and ``rebuild``) committed a batch
   meanwhile, this one is dropped and read again from the new position — writes the rows
   with one upsert per table, stores the new position, and commits.

The rows and the position commit together or not at all, so a projector killed at any
moment leaves the set exactly as some whole number of batches made it, and the next run
carries on from there: no event applied twice, none skipped, on either backend. Gaps in
PostgreSQL's notification ids (rolled-back inserts) are harmless: a batch reads ``> position``.
A rebuild marks its set unfinished until it reaches its cut (:meth:`Sql.unfinished`): readers
of a named set refuse it (:meth:`Sql.require`), and the same rebuild run again carries on.

This module does its own SQL, on the recorder's datastore (as :class:`events.storage.Rows`
does): the library's tracking recorders track one position per upstream application and
need ``subscribe()`` (PostgreSQL only) to be driven.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Generator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from certledger.domain.errors import InputError, StorageError, TamperError
from certledger.events import envelope
from certledger.events.checks import PARALLEL_FROM, SignatureWorkers
from certledger.events.mapper import domain_event as build_domain_event
from certledger.projections import schema, states
from certledger.projections.registers import Event, apply, sql_value

BATCH = 500
REBUILD_BATCH = 5000
_POSITION_ROW = "registers"


@dataclass(frozen=True)
class Cut:
    """Where a projection stops: at a notification id, or before the first event written
    after a moment (the log's order, not the business dates: see the README)."""

    nid: int | None = None
    written: datetime | None = None

    def as_of(self) -> str:
        """The ``--as-of`` value that gives this cut ("" for the whole log)."""
        return " ".join([*([str(self.nid)] if self.nid is not None else []),
                         *([self.written.isoformat()] if self.written is not None else [])])


def cut_position(ledger: Any, cut: Cut) -> int | None:
    """The last notification id ``cut`` keeps (None: no cut). A write-time cut keeps the events
    before the first one written after its moment, in log order, as :func:`catch_up` stops."""
    if cut.written is None:
        return cut.nid
    last = 0
    for page in ledger.rows.raw_pages(5000, after=None):
        for row in page:
            try:
                written = envelope.open_state(row.state, strict=False).timestamp
            except (TamperError, ValueError, KeyError) as e:
                raise TamperError(f"notification {row.notification_id}: its write time cannot be read ({e})") from None
            if written > cut.written or (cut.nid is not None and row.notification_id > cut.nid):
                # The row that ends the cut decides what is left out: it must be authentic.
                _decode(ledger, {"nid": row.notification_id, "originator_id": row.stream,
                                 "originator_version": row.version, "topic": row.topic, "state": row.state})
                return last
            last = row.notification_id
    return last


class Sql:
    """One register set's SQL on the ledger's datastore, in either dialect."""

    def __init__(self, ledger: Any, name: str = schema.LIVE) -> None:
        self.ledger = ledger
        self.database = ledger.database
        self.backend = self.database.backend
        self.prefix = schema.set_prefix(name)
        self.name = self.prefix[:-1]
        self.mark = "?" if self.backend == "sqlite" else "%s"
        self.id_column = "rowid" if self.backend == "sqlite" else "notification_id"

    @contextmanager
    def transaction(self, *, commit: bool) -> Iterator[Any]:
        with self.ledger.recorder.datastore.transaction(commit=commit) as cursor:
            yield cursor

    def execute(self, cursor: Any, sql: str, params: Any = ()) -> list[dict[str, Any]]:
        cursor.execute(sql.replace("?", self.mark), params)
        if not sql.lstrip().upper().startswith("SELECT"):
            return []
        return [dict(r) for r in cursor.fetchall()]

    def rows_where_in(self, cursor: Any, table: str, column: str, values: list[str]) -> list[dict[str, Any]]:
        """The rows of ``table`` whose ``column`` is one of ``values`` (a batch's thousands of
        streams at once). On PostgreSQL the values go as one array, planned anew each time
        (``prepare=False``): psycopg prepares a statement run five times, and PostgreSQL then
        keeps the plan it made for a table that was still empty early in a rebuild — a
        sequential scan testing each row against thousands of parameters one by one, seconds
        per batch at 1M events. A fresh plan looks the keys up in the index."""
        if self.backend == "postgres":
            cursor.execute(f"SELECT * FROM {table} WHERE {column} = ANY(%s)", [values], prepare=False)
        else:
            cursor.execute(f"SELECT * FROM {table} WHERE {column} IN ({', '.join('?' for _ in values)})", values)
        return [dict(r) for r in cursor.fetchall()]

    def table(self, name: str) -> str:
        return f"{self.prefix}{name}"

    # -- existence ---------------------------------------------------------------------------

    def exists(self, cursor: Any | None = None) -> bool:
        return self.has_table(schema.POSITION, cursor)

    def ensure(self, *, unfinished: str | None = None) -> None:
        """Create the set's tables if they are missing: the one DDL, under a lock. A set made
        by an older certledger, whose tables or columns differ from today's (the states
        register, a new column), is dropped and projected again from the start: its rows
        could not be filled in any other way. ``unfinished`` (a rebuild's ``--as-of``) marks
        a set it creates as unfinished, in the same transaction: no moment in which a set
        just begun could pass for a whole one."""
        if self.exists():
            if self.current_shape():
                return
            self.drop()
        with self.transaction(commit=True) as cur:
            if self.backend == "postgres":
                self.execute(cur, "SELECT pg_advisory_xact_lock(hashtext(?))", [self.prefix])
            for statement in schema.ddl(self.prefix, self.backend):
                self.execute(cur, statement)
            self.execute(
                cur,
                f"INSERT INTO {self.table(schema.POSITION)} (name, position, events) VALUES (?, 0, 0) "
                "ON CONFLICT (name) DO NOTHING",
                [_POSITION_ROW],
            )
            if unfinished is not None:
                self.execute(cur, f"CREATE TABLE {self.table(schema.UNFINISHED)} (as_of TEXT NOT NULL)")
                self.execute(cur, f"INSERT INTO {self.table(schema.UNFINISHED)} (as_of) VALUES (?)", [unfinished])

    def unfinished(self) -> str | None:
        """The ``--as-of`` of the rebuild this set is still waiting on ("" for the whole log),
        or None: the set is whole (or absent, or made before sets were marked)."""
        with self.transaction(commit=False) as cur:
            if not self.has_table(schema.UNFINISHED, cur):
                return None
            rows = self.execute(cur, f"SELECT as_of FROM {self.table(schema.UNFINISHED)}")
        return rows[0]["as_of"] if rows else ""

    def finished(self) -> None:
        with self.transaction(commit=True) as cur:
            self.execute(cur, f"DROP TABLE IF EXISTS {self.table(schema.UNFINISHED)}")

    def current_shape(self) -> bool:
        """Whether every table of the set has exactly the columns :mod:`schema` gives it
        (a missing table has none)."""
        with self.transaction(commit=False) as cur:
            return all(self.columns(cur, table.name) == table.all_columns for table in schema.TABLES)

    def columns(self, cursor: Any, table: str) -> tuple[str, ...]:
        if self.backend == "sqlite":
            return tuple(r["name"] for r in self.execute(cursor, f"SELECT name FROM pragma_table_info('{self.table(table)}') "
                                                                 "ORDER BY cid"))
        return tuple(r["column_name"] for r in self.execute(
            cursor, "SELECT column_name FROM information_schema.columns WHERE table_name = ? "
                    "AND table_schema = current_schema() ORDER BY ordinal_position", [self.table(table)]))

    def has_table(self, table: str, cursor: Any | None = None) -> bool:
        name = self.table(table)
        if self.backend == "sqlite":
            sql = "SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = ?"
        else:
            sql = "SELECT count(*) AS n FROM pg_tables WHERE tablename = ? AND schemaname = current_schema()"
        if cursor is not None:
            return self.execute(cursor, sql, [name])[0]["n"] > 0
        with self.transaction(commit=False) as cur:
            return self.execute(cur, sql, [name])[0]["n"] > 0

    def drop(self) -> None:
        with self.transaction(commit=True) as cur:
            if self.backend == "postgres":
                self.execute(cur, "SELECT pg_advisory_xact_lock(hashtext(?))", [self.prefix])
            for statement in schema.drop(self.prefix):
                self.execute(cur, statement)

    def require(self) -> None:
        if not self.exists():
            if self.name == schema.LIVE:
                raise StorageError(
                    f"{self.database.describe()} has no registers yet: run 'certledger project' to build them"
                )
            raise InputError(f"there is no register set {self.name!r}: 'certledger rebuild --into {self.name}' makes one")
        as_of = self.unfinished() if self.name != schema.LIVE else None
        # The live set is left out: a half-rebuilt live set is the registers as of its position,
        # which readers already note as lagging, and the next recording command finishes it.
        if as_of is not None:
            again = f"certledger rebuild --into {self.name}" + (f" --as-of {as_of}" if as_of else "")
            raise InputError(
                f"register set {self.name!r} is unfinished: its rebuild{' --as-of ' + as_of if as_of else ''} stopped "
                f"at notification {self.position()[0]}; run '{again}' again to finish it"
            )

    # -- position ----------------------------------------------------------------------------

    def position(self, cursor: Any | None = None) -> tuple[int, int]:
        """(notification id applied up to, events applied)."""
        sql = f"SELECT position, events FROM {self.table(schema.POSITION)} WHERE name = ?"
        if cursor is None:
            with self.transaction(commit=False) as cur:
                rows = self.execute(cur, sql, [_POSITION_ROW])
        else:
            rows = self.execute(cursor, sql, [_POSITION_ROW])
        return (int(rows[0]["position"]), int(rows[0]["events"])) if rows else (0, 0)

    def head(self) -> int:
        """The highest notification id in the ledger (0 when empty)."""
        with self.transaction(commit=False) as cur:
            rows = self.execute(cur, f"SELECT max({self.id_column}) AS n FROM {self.database.table}")
        return int(rows[0]["n"] or 0)

    def pending(self, after: int, upto: int | None = None) -> int:
        sql = f"SELECT count(*) AS n FROM {self.database.table} WHERE {self.id_column} > ?"
        params: list[Any] = [after]
        if upto is not None:
            sql += f" AND {self.id_column} <= ?"
            params.append(upto)
        with self.transaction(commit=False) as cur:
            return int(self.execute(cur, sql, params)[0]["n"])

    # -- rows ----------------------------------------------------------------------------------

    def rows(self, table: str, cursor: Any | None = None) -> list[dict[str, Any]]:
        """Every row of one register of the set, in key order."""
        if table == schema.STATISTICS:
            sql = f"SELECT * FROM {self.table(table)} ORDER BY exam_code, year"
        else:
            key = ", ".join(schema.BY_NAME[table].key)
            sql = f"SELECT * FROM {self.table(table)} ORDER BY {key}"
        if cursor is not None:
            return self.execute(cursor, sql)
        with self.transaction(commit=False) as cur:
            return self.execute(cur, sql)


class Batch:
    """The rows one batch touches: read on first use, written back once at the end.

    ``cursor`` is the read transaction the batch preloads in; once that has ended (None), a
    row not preloaded is read in a short transaction of its own."""

    def __init__(self, sql: Sql, cursor: Any | None) -> None:
        self.sql, self.cursor = sql, cursor
        self.rows: dict[tuple[str, tuple[Any, ...]], dict[str, Any] | None] = {}
        self.dirty: dict[str, dict[tuple[Any, ...], dict[str, Any]]] = {}
        # Registers whose rows for these streams were all preloaded: a key not found is absent.
        self.complete: dict[str, set[str]] = {}
        self.event: Event | None = None
        # The states register's aggregates, decoded on first use and encoded once at flush.
        self.aggregates: dict[str, Any] = {}

    def preload(self, streams: set[str]) -> None:
        """Read at once the rows of every candidacy and sitting the batch's events name,
        instead of one query per row on first use."""
        if not streams:
            return
        values = list(streams)
        for table in schema.TABLES:
            column = ("candidacy" if "candidacy" in table.columns else "sitting" if table.name == "sittings"
                      else "stream" if table.name == states.TABLE else None)
            if column is None or table.name == "exceptions":
                continue
            found = self.sql.rows_where_in(self.cursor, self.sql.table(table.name), column, values)
            for row in found:
                self.rows[(table.name, tuple(row[c] for c in table.key))] = row
            if table.key[0] == column:  # a key that starts with the stream: absent means absent
                self.complete[table.name] = set(streams)

    def _key(self, table: schema.Table, key: tuple[Any, ...]) -> tuple[Any, ...]:
        return tuple(_typed(c, v, self.sql.backend) for c, v in zip(table.key, key))

    def get(self, name: str, key: tuple[Any, ...]) -> dict[str, Any] | None:
        table = schema.BY_NAME[name]
        key = self._key(table, key)
        if (name, key) not in self.rows and key[0] in self.complete.get(name, ()):
            return None
        if (name, key) not in self.rows:
            where = " AND ".join(f"{c} = ?" for c in table.key)
            statement = f"SELECT * FROM {self.sql.table(name)} WHERE {where}"
            if self.cursor is not None:
                found = self.sql.execute(self.cursor, statement, list(key))
            else:
                with self.sql.transaction(commit=False) as cur:
                    found = self.sql.execute(cur, statement, list(key))
            self.rows[(name, key)] = found[0] if found else None
        row = self.rows[(name, key)]
        return dict(row) if row is not None else None

    def put(self, name: str, row: dict[str, Any]) -> None:
        table = schema.BY_NAME[name]
        e = self.event
        assert e is not None
        stamped: dict[str, Any] = {}
        for column, kind in _kinds(name):
            value = row.get(column)
            # Most values already have their column's type: only the rest are converted.
            stamped[column] = value if value is None or type(value) is kind else _typed(column, value, self.sql.backend)
        stamped.update(last_nid=e.nid, last_signer=e.signer, last_on=e.on, last_written=sql_value(e.written))
        key = tuple(stamped[c] for c in table.key)
        self.rows[(name, key)] = stamped
        self.dirty.setdefault(name, {})[key] = stamped

    def fold(self, event: Event) -> None:
        """Apply a sitting's or candidacy's event to its state as replay does (``mutate``)."""
        kind = states.kind_of(event.domain)
        if kind is None:
            return
        stream = event.key
        aggregate = self.aggregates.get(stream)
        row = self.get(states.TABLE, (stream,))
        if aggregate is None and row is not None:
            aggregate = states.decode(row["kind"], row["state"])
        if kind == states.DATED:  # an event of the shared base class: the stream's kind
            kind = type(aggregate).__name__ if aggregate is not None else kind
        try:
            aggregate = event.domain.mutate(aggregate)
        except Exception as e:  # noqa: BLE001 - the library raises several kinds here
            at = f"version {aggregate.version}" if aggregate is not None else "no state"
            raise TamperError(
                f"register {states.TABLE}: stream {stream} is at {at} and event #{event.nid} does not follow "
                f"({type(e).__name__}): the register was changed outside the projector; run 'certledger rebuild'"
            ) from None
        self.aggregates[stream] = aggregate
        if kind == "ExamSitting":  # encoded now: later events change the same object
            self.put(states.VERSIONS, {"stream": stream, "version": aggregate.version,
                                       "dated_on": event.on, "state": states.encode(aggregate)})
        sitting = stream if kind == "ExamSitting" else str(aggregate.sitting_id)
        self.put(states.TABLE, {
            "stream": stream, "kind": kind, "sitting": sitting, "version": aggregate.version,
            "latest_on": aggregate.latest_on, "created_nid": row["created_nid"] if row else event.nid,
            "state": None,  # encoded once, at flush
        })

    def upserts(self) -> list[tuple[str, list[list[Any]]]]:
        """The batch's writes, one upsert per table with its rows: made before the write
        transaction opens, so that it runs only the statements (encoding thousands of states
        inside it would hold it open, idle, as long)."""
        for key, row in self.dirty.get(states.TABLE, {}).items():
            row["state"] = states.encode(self.aggregates[key[0]])
        upserts = []
        for name, rows in self.dirty.items():
            table = schema.BY_NAME[name]
            columns = table.all_columns
            updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c not in table.key)
            statement = (
                f"INSERT INTO {self.sql.table(name)} ({', '.join(columns)}) "
                f"VALUES ({', '.join('?' for _ in columns)}) "
                f"ON CONFLICT ({', '.join(table.key)}) DO UPDATE SET {updates}"
            ).replace("?", self.sql.mark)
            upserts.append((statement, [[row[c] for c in columns] for row in rows.values()]))
        self.dirty.clear()
        return upserts


@functools.cache
def _kinds(name: str) -> tuple[tuple[str, type], ...]:
    """Each column of a register with the Python type its values are stored as."""
    return tuple((c, int if c in schema.INTEGER else str) for c in schema.BY_NAME[name].columns)


def _typed(column: str, value: Any, backend: str) -> Any:
    """A value as its column holds it, so both backends (and a diff) see the same thing."""
    if value is None:
        return None
    if column in schema.INTEGER:
        return value if type(value) is int else int(sql_value(value))
    return value if type(value) is str else str(sql_value(value))


@dataclass(frozen=True)
class Progress:
    position: int
    applied: int  # events applied by this run
    stopped_at_time: bool = False


def catch_up(
    ledger: Any,
    name: str = schema.LIVE,
    *,
    cut: Cut = Cut(),
    batch: int = BATCH,
    progress: Callable[[int], None] | None = None,
    on_event: Callable[[Event], None] | None = None,
    jobs: int = 1,
) -> Progress:
    """Apply every event after the set's position (up to ``cut``), a batch per transaction.
    With ``jobs`` > 1 and at least :data:`PARALLEL_FROM` events to apply, signatures are
    checked by that many worker processes while this one applies (:class:`SignatureWorkers`).
    Reaching the cut finishes a rebuild of the set that was asked for the same cut."""
    sql = Sql(ledger, name)
    sql.ensure()
    applied = 0
    workers = None
    if jobs > 1 and ledger.mapper_.verify_on_read and sql.pending(sql.position()[0], cut.nid) >= PARALLEL_FROM:
        workers = SignatureWorkers(jobs)
    try:
        while True:
            result = _one_batch(sql, ledger, cut, batch, on_event, workers)
            if result is None:  # another projector moved the set on meanwhile: read again from there
                continue
            done, position, reached_time = result
            applied += done
            if progress is not None and done:
                progress(done)
            if not done or reached_time:
                if sql.unfinished() == cut.as_of():
                    sql.finished()
                return Progress(position, applied, reached_time)
    finally:
        if workers is not None:
            workers.close()


def _stream_text(stream: Any) -> str:
    return str(_uuid(stream))


def _one_batch(sql: Sql, ledger: Any, cut: Cut, batch: int, on_event: Callable[[Event], None] | None,
               workers: SignatureWorkers | None = None) -> tuple[int, int, bool] | None:
    """One batch in two short transactions, none open while events are checked and applied
    (PostgreSQL ends a session idle in a transaction for longer than its timeout, 5 s by
    default): read the events and the rows they touch; check and apply them; then write the
    rows and the new position together, if the position is still the one read. None: it is
    not (another projector committed a batch meanwhile), nothing was written."""
    positions = sql.table(schema.POSITION)
    with sql.transaction(commit=False) as cur:
        position, events = sql.position(cur)
        select = (
            f"SELECT {sql.id_column} AS nid, originator_id, originator_version, topic, state "
            f"FROM {sql.database.table} WHERE {sql.id_column} > ?"
        )
        params: list[Any] = [position]
        if cut.nid is not None:
            select += f" AND {sql.id_column} <= ?"
            params.append(cut.nid)
        rows = sql.execute(cur, select + f" ORDER BY {sql.id_column} LIMIT {int(batch)}", params)
        state = Batch(sql, cur)
        state.preload({_stream_text(row["originator_id"]) for row in rows})
    state.cursor = None
    decoded = (_checked_elsewhere(ledger, rows, workers) if workers is not None and ledger.mapper_.verify_on_read
               else (_decode(ledger, row) for row in rows))
    seen, done, reached_time = position, 0, False
    for event in decoded:
        if cut.written is not None and event.written > cut.written:
            reached_time = True
            break
        state.event = event
        apply(state, event)
        state.fold(event)
        if on_event is not None:
            on_event(event)
        position, done = event.nid, done + 1
    if not done:
        return done, position, reached_time
    upserts = state.upserts()
    with sql.transaction(commit=True) as cur:
        # The lock (SQLite: the database's write lock; PostgreSQL: the row's) makes two
        # projectors take turns; the check makes the loser's batch, read before the
        # winner's commit, count for nothing.
        sql.execute(cur, f"UPDATE {positions} SET position = position WHERE name = ?", [_POSITION_ROW])
        if sql.position(cur) != (seen, events):
            return None
        for statement, values in upserts:
            cur.executemany(statement, values)
        sql.execute(cur, f"UPDATE {positions} SET position = ?, events = ? WHERE name = ?",
                    [position, events + done, _POSITION_ROW])
    return done, position, reached_time


def follow(
    ledger: Any,
    name: str = schema.LIVE,
    *,
    interval: float = 2.0,
    keep_going: Callable[[], bool] = lambda: True,
    sleep: Callable[[float], None] | None = None,
    on_progress: Callable[[Progress], None] | None = None,
) -> None:
    """Catch up, then wait for more while ``keep_going()``, and catch up again: each
    catch-up is the same exactly-once transaction as any other. On SQLite the wait is
    ``interval`` seconds (polling); on PostgreSQL it ends as soon as a writer commits (the
    library NOTIFYs its channel with every insert, :func:`_notified`), or after ``interval``
    seconds at the latest, so nothing is missed if a notification is."""
    import time

    waiter = _notified(ledger) if sleep is None and ledger.database.backend == "postgres" else None
    wait = sleep or (waiter.send if waiter is not None else time.sleep)
    if waiter is not None:
        next(waiter)  # LISTEN before the first catch-up: a commit in between still wakes us
    try:
        while True:
            result = catch_up(ledger, name)
            if on_progress is not None and result.applied:
                on_progress(result)
            if not keep_going():
                return
            wait(interval)
    finally:
        if waiter is not None:
            waiter.close()


def _notified(ledger: Any) -> Generator[None, float, None]:
    """A generator that LISTENs on the events table's channel on a connection of its own;
    each ``send(timeout)`` returns when a notification arrives or the timeout passes."""
    import psycopg

    channel = ledger.recorder.channel_name
    with psycopg.connect(ledger.database.url, autocommit=True) as conn:
        conn.execute(psycopg.sql.SQL("LISTEN {}").format(psycopg.sql.Identifier(channel)))
        timeout = yield
        while True:
            for _ in conn.notifies(timeout=timeout, stop_after=1):
                pass
            timeout = yield


def _checked_elsewhere(ledger: Any, rows: list[dict[str, Any]], workers: SignatureWorkers) -> Iterator[Event]:
    """The rows decoded here, their signatures checked by ``workers``, each settled in order."""
    stored = [StoredEvent(_uuid(row["originator_id"]), int(row["originator_version"]), row["topic"], bytes(row["state"]))
              for row in rows]
    for row, (opened, domain_event) in zip(rows, workers.decoded(ledger.mapper_, stored)):
        yield Event(int(row["nid"]), type(domain_event).__name__, domain_event.originator_id, vars(domain_event),
                    opened.signer, opened.timestamp, domain_event)


def _uuid(stream: Any) -> UUID:
    return stream if isinstance(stream, UUID) else UUID(str(stream))


def _decode(ledger: Any, row: dict[str, Any]) -> Event:
    """One stored row, decoded and checked by the ledger's mapper (signature, chain, place)."""
    stream = _uuid(row["originator_id"])
    mapper = ledger.mapper_
    if mapper.verify_on_read:
        opened, domain_event = mapper.decode(
            StoredEvent(stream, int(row["originator_version"]), row["topic"], bytes(row["state"]))
        )
    else:
        # Signature checks off (a trusted rebuild): the slow half of the canonical-form check
        # goes too, as in verify's workers; verify still runs it. Placement, ledger id and the
        # event's own types are checked as always.
        version = int(row["originator_version"])
        try:
            opened = envelope.open_state(bytes(row["state"]), strict=False)
            envelope.check_placement(opened, stream, version, row["topic"])
            envelope.check_ledger(opened, mapper.ledger_id)
        except TamperError as e:
            raise TamperError(f"stream {stream} version {version}: {e}") from None
        domain_event = build_domain_event(opened, stream, version)
    return Event(int(row["nid"]), type(domain_event).__name__, stream, vars(domain_event),
                 opened.signer, opened.timestamp, domain_event)


def rebuild(
    ledger: Any,
    name: str = schema.LIVE,
    *,
    cut: Cut = Cut(),
    batch: int = 0,
    progress: Callable[[int], None] | None = None,
    jobs: int = 1,
) -> Progress:
    """Drop the set's tables and project the log again from its start (up to ``cut``), in
    batches of ``REBUILD_BATCH`` (fewer, larger transactions: nobody reads a set being built).
    The set is marked unfinished until it reaches the cut; a rebuild of a set left unfinished
    by an interrupted one with the same cut carries on from its position instead: every
    batch it committed is whole (:func:`catch_up`)."""
    sql = Sql(ledger, name)
    if sql.unfinished() != cut.as_of():
        sql.drop()
    sql.ensure(unfinished=cut.as_of())  # a set being resumed keeps its mark (and, unless outdated, its rows)
    return catch_up(ledger, name, cut=cut, batch=batch or REBUILD_BATCH, progress=progress, jobs=jobs)
