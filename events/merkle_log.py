"""The stored Merkle log: every event, in notification order, as a leaf of one RFC 9162 tree.

Why stored: proofs must cost O(log n) reads, never a recomputation of a million-leaf tree.
Two tables, made by ``init`` (or by the first ``certledger checkpoint`` on an older ledger):

- ``merkle_leaves``: ``position`` (the leaf index, dense from 0) ↔ ``notification_id``, and
  the leaf hash (:func:`events.merkle.state_leaf` of the event's stored state);
- ``merkle_nodes``: the hash of every *complete* group of 256**k leaves (k ≥ 1), i.e. the
  perfect subtrees at levels 8, 16, 24, … — the idea of C2SP tlog-tiles, kept as rows.

The hash of any perfect subtree at level ``l`` is then at most 128 rows of level
``8·(l // 8)`` read by one index range and folded, so a proof is ~log2(n) small range reads.

**The follower** (:meth:`MerkleLog.catch_up`) appends a leaf for each event after the last
one it followed, a batch per transaction, under a writer lock (PostgreSQL advisory lock;
SQLite's write lock) so two followers never fork it; the position primary key refuses a
fork anyway. A gap in notification ids (a rolled-back insert on PostgreSQL) is just skipped:
eventsourcing's table lock makes commit order notification-id order there.

**Nobody trusts these tables.** Whoever controls the database can rewrite them. Proofs are
checked against roots HRSS signed in checkpoints, ``certledger checkpoint`` checks the new
tree extends the last signed one before signing, and ``verify`` recomputes the tree from the
events themselves.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from certledger.domain.errors import InputError, StorageError, TamperError
from certledger.events.merkle import (
    HASH_SIZE,
    Frontier,
    HashAt,
    consistency_proof,
    inclusion_proof,
    perfect_root,
    state_leaf,
)

TILE_LEVELS = 8  # nodes are stored every 8 levels: groups of 256, 65,536, … leaves
BATCH = 10_000  # leaves appended per transaction
_LOCK_KEY = 0x6365_7274_6C6F_67  # "certlog": the PostgreSQL advisory lock of the follower


def table_names(backend: str) -> tuple[str, str]:
    """(leaves table, nodes table) of a backend."""
    return ("merkle_leaves", "merkle_nodes") if backend == "sqlite" else ("ledger_merkle_leaves", "ledger_merkle_nodes")


def create_statements(backend: str) -> list[str]:
    """The log's DDL: ``init`` runs it, and ``certledger checkpoint`` on an older ledger."""
    leaves, nodes = table_names(backend)
    if backend == "sqlite":
        return [
            f"CREATE TABLE IF NOT EXISTS {leaves} (position INTEGER PRIMARY KEY, "
            "notification_id INTEGER NOT NULL UNIQUE, hash BLOB NOT NULL)",
            f"CREATE TABLE IF NOT EXISTS {nodes} (level INTEGER NOT NULL, idx INTEGER NOT NULL, "
            "hash BLOB NOT NULL, PRIMARY KEY (level, idx)) WITHOUT ROWID",
        ]
    return [
        f"CREATE TABLE IF NOT EXISTS {leaves} (position bigint PRIMARY KEY, "
        "notification_id bigint NOT NULL UNIQUE, hash bytea NOT NULL)",
        f"CREATE TABLE IF NOT EXISTS {nodes} (level integer NOT NULL, idx bigint NOT NULL, "
        "hash bytea NOT NULL, PRIMARY KEY (level, idx))",
    ]


class _Reader:
    """Reads of the log inside one transaction (one cursor)."""

    def __init__(self, cursor: Any, log: MerkleLog) -> None:
        self.cursor = cursor
        self.log = log

    def rows(self, sql: str, params: list[Any] = ()) -> list[Any]:  # type: ignore[assignment]
        self.cursor.execute(sql.replace("?", self.log.mark), list(params))
        return list(self.cursor.fetchall())

    def size(self) -> int:
        found = self.rows(f"SELECT position FROM {self.log.leaves} ORDER BY position DESC LIMIT 1")
        return int(found[0]["position"]) + 1 if found else 0

    def hash_at(self, level: int, index: int) -> bytes:
        """The perfect subtree ``(level, index)``: ≤128 stored hashes of the tile level below
        it, read by one range and folded."""
        return self.many([(level, index)])[level, index]

    def many(self, wanted: list[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
        """Several perfect subtrees with ONE query (a proof's ~log2(n) reads in one round trip)."""
        ranges = {at: _tile_range(*at) for at in set(wanted)}
        leaf_ranges = [(first, end) for base, first, end in ranges.values() if base == 0]
        node_ranges = [(base, first, end) for base, first, end in ranges.values() if base > 0]
        parts: list[str] = []
        params: list[int] = []
        if leaf_ranges:
            parts.append(f"SELECT 0 AS lvl, position AS idx, hash FROM {self.log.leaves} WHERE "
                         + " OR ".join("(position >= ? AND position < ?)" for _ in leaf_ranges))
            params += [v for r in leaf_ranges for v in r]
        if node_ranges:
            parts.append(f"SELECT level AS lvl, idx, hash FROM {self.log.nodes} WHERE "
                         + " OR ".join("(level = ? AND idx >= ? AND idx < ?)" for _ in node_ranges))
            params += [v for r in node_ranges for v in r]
        stored = {(int(r["lvl"]), int(r["idx"])): bytes(r["hash"]) for r in self.rows(" UNION ALL ".join(parts), params)}
        found = {}
        for (level, index), (base, first, end) in ranges.items():
            hashes = [stored.get((base, i)) for i in range(first, end)]
            if any(h is None or len(h) != HASH_SIZE for h in hashes):
                raise TamperError(
                    f"the stored Merkle log lacks subtree (level {level}, index {index}): "
                    f"{sum(1 for h in hashes if h is not None)} of {end - first} hashes at level {base}"
                )
            found[level, index] = perfect_root(hashes)
        return found

    def planned(self, prove: Callable[[HashAt], Any]) -> Any:
        """Run ``prove(hash_at)`` once to learn which subtrees it reads (they do not depend on
        the hashes), then again on those subtrees fetched with one query."""
        wanted: list[tuple[int, int]] = []

        def plan(level: int, index: int) -> bytes:
            wanted.append((level, index))
            return bytes(HASH_SIZE)

        prove(plan)
        fetched = self.many(wanted) if wanted else {}
        return prove(lambda level, index: fetched[level, index])


def _tile_range(level: int, index: int) -> tuple[int, int, int]:
    """(stored level, first, end): the stored hashes a perfect subtree folds from."""
    base = level - level % TILE_LEVELS
    width = 1 << (level - base)
    return base, index * width, (index + 1) * width


class MerkleLog:
    """The stored log of an open :class:`events.ledger.Ledger`. Reads work on a read-only
    ledger; :meth:`catch_up` and :meth:`ensure_tables` need a writable one."""

    def __init__(self, ledger: Any) -> None:
        self.ledger = ledger
        self.database = ledger.database
        self.backend = ledger.database.backend
        self.leaves, self.nodes = table_names(self.backend)
        self.mark = "?" if self.backend == "sqlite" else "%s"
        self.id_column = "rowid" if self.backend == "sqlite" else "notification_id"
        self._exists = False  # once the tables are seen they stay (nothing drops them)

    # -- transactions ---------------------------------------------------------------------

    @contextmanager
    def _transaction(self, *, commit: bool) -> Iterator[_Reader]:
        with self.ledger.recorder.datastore.transaction(commit=commit) as cursor:
            yield _Reader(cursor, self)

    @contextmanager
    def _reading(self) -> Iterator[_Reader]:
        if not self.exists():
            raise InputError(
                f"{self.database.describe()} has no Merkle log yet: record a checkpoint with 'certledger checkpoint'"
            )
        with self._transaction(commit=False) as reader:
            yield reader

    def _lock(self, reader: _Reader) -> None:
        """The one-writer lock, held until the transaction ends."""
        if self.backend == "sqlite":
            reader.cursor.execute(f"DELETE FROM {self.leaves} WHERE 0")  # takes the write lock now
        else:
            reader.cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])

    def exists(self) -> bool:
        if self._exists:
            return True
        with self._transaction(commit=False) as reader:
            if self.backend == "sqlite":
                found = reader.rows("SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?", [self.leaves])
            else:
                found = reader.rows("SELECT to_regclass(?) AS name", [self.leaves])
                found = [r for r in found if r["name"] is not None]
        self._exists = bool(found)
        return self._exists

    def ensure_tables(self) -> bool:
        """Create the log's tables if the ledger predates them (the one DDL outside ``init``,
        under the writer lock so that two at once do not collide). True if it made them."""
        if self.exists():
            return False
        with self._transaction(commit=True) as reader:
            if self.backend == "postgres":
                self._lock(reader)
            for statement in create_statements(self.backend):
                reader.cursor.execute(statement)
        return True

    # -- reads ----------------------------------------------------------------------------

    def size(self) -> int:
        with self._reading() as r:
            return r.size()

    def position_of(self, notification_id: int) -> int:
        with self._reading() as r:
            found = r.rows(f"SELECT position FROM {self.leaves} WHERE notification_id = ?", [notification_id])
        if not found:
            raise InputError(
                f"notification {notification_id} is not in the Merkle log (no such event, or not followed yet: "
                "'certledger checkpoint' catches the log up)"
            )
        return int(found[0]["position"])

    def notification_id_at(self, position: int) -> int:
        with self._reading() as r:
            found = r.rows(f"SELECT notification_id FROM {self.leaves} WHERE position = ?", [position])
        if not found:
            raise InputError(f"the Merkle log has no leaf at position {position}")
        return int(found[0]["notification_id"])

    def leaf(self, position: int) -> bytes:
        with self._reading() as r:
            return r.hash_at(0, position)

    def _check_size(self, r: _Reader, size: int) -> None:
        stored = r.size()
        if size > stored:
            raise InputError(f"the Merkle log holds {stored} leaves, not {size}")

    def frontier(self, size: int) -> Frontier:
        """The right edge of the tree of the first ``size`` leaves (its root, and what
        ``verify --since`` extends)."""
        with self._reading() as r:
            self._check_size(r, size)
            return r.planned(lambda hash_at: Frontier.from_store(size, hash_at))

    def root(self, size: int) -> bytes:
        return self.frontier(size).root()

    def inclusion_proof(self, position: int, size: int) -> list[bytes]:
        with self._reading() as r:
            self._check_size(r, size)
            return r.planned(lambda hash_at: inclusion_proof(position, size, hash_at))

    def consistency_proof(self, old: int, new: int) -> list[bytes]:
        with self._reading() as r:
            self._check_size(r, new)
            return r.planned(lambda hash_at: consistency_proof(old, new, hash_at))

    # -- the follower ---------------------------------------------------------------------

    def catch_up(self, progress: Callable[[int], None] | None = None, batch: int = BATCH) -> int:
        """Append a leaf for every event not followed yet; returns how many were appended."""
        self.ensure_tables()
        total = 0
        while True:
            appended = self._append_batch(batch)
            total += appended
            if progress and appended:
                progress(appended)
            if appended < batch:
                return total

    def check_leaves(self, position: int, first_notification_id: int | None, size: int) -> None:
        """The stored leaves ``position``… ``size - 1`` are exactly the event rows from
        notification ``first_notification_id`` on (None: from the first row), in notification
        order, each with its own leaf hash; else :class:`TamperError` naming the first position
        that is not. Why: the follower trusts what it followed before, so a pre-seeded or
        rewritten leaf would make it skip events — and HRSS would sign a root the rows do not
        give. Reads the rows once, a batch at a time."""
        next_id = first_notification_id
        while position < size:
            end = min(position + BATCH, size)
            with self._reading() as r:
                leaves = r.rows(
                    f"SELECT position, notification_id, hash FROM {self.leaves} WHERE position >= ? AND position < ? "
                    "ORDER BY position", [position, end],
                )
                where = "" if next_id is None else f"WHERE {self.id_column} >= ? "
                events = r.rows(
                    f"SELECT {self.id_column} AS nid, state FROM {self.database.table} {where}ORDER BY {self.id_column} LIMIT ?",
                    ([] if next_id is None else [next_id]) + [end - position],
                )
            for offset in range(end - position):
                at = position + offset
                stored = leaves[offset] if offset < len(leaves) else None
                event = events[offset] if offset < len(events) else None
                problem = _leaf_problem(at, stored, event)
                if problem:
                    raise TamperError(
                        f"L-5: the stored Merkle log does not match the events at leaf {at}: {problem}; nothing was "
                        "signed. The log's tables were altered: rebuild them from the events with "
                        "'certledger checkpoint --rebuild-log', and run 'certledger verify'"
                    )
            next_id = int(events[-1]["nid"]) + 1
            position = end

    def rebuild(self, progress: Callable[[int], None] | None = None) -> int:
        """Drop every stored leaf and node and follow the events again from the first: the
        repair when :meth:`check_leaves` refuses. Returns the leaves appended."""
        self.ensure_tables()
        with self._transaction(commit=True) as r:
            self._lock(r)
            r.cursor.execute(f"DELETE FROM {self.nodes}")
            r.cursor.execute(f"DELETE FROM {self.leaves}")
        return self.catch_up(progress)

    def pending(self) -> int:
        """How many events the follower has not appended yet (for a progress bar)."""
        exists = self.exists()
        with self._transaction(commit=False) as r:
            last = self._last_followed(r) if exists else None
            where = "" if last is None else f"WHERE {self.id_column} > ?"
            found = r.rows(f"SELECT count(*) AS n FROM {self.database.table} {where}", [] if last is None else [last])
        return int(found[0]["n"])

    def _last_followed(self, r: _Reader) -> int | None:
        found = r.rows(f"SELECT notification_id FROM {self.leaves} ORDER BY position DESC LIMIT 1")
        return int(found[0]["notification_id"]) if found else None

    def _append_batch(self, batch: int) -> int:
        with self._transaction(commit=True) as r:
            self._lock(r)
            size = r.size()
            last = self._last_followed(r)
            frontier = r.planned(lambda hash_at: Frontier.from_store(size, hash_at))
            where = "" if last is None else f"WHERE {self.id_column} > ? "
            events = r.rows(
                f"SELECT {self.id_column} AS nid, state FROM {self.database.table} {where}"
                f"ORDER BY {self.id_column} LIMIT ?",
                ([] if last is None else [last]) + [batch],
            )
            leaves: list[tuple[int, int, bytes]] = []
            nodes: list[tuple[int, int, bytes]] = []
            for event in events:
                position = frontier.size
                completed = frontier.append(state_leaf(event["state"]))
                leaves.append((position, int(event["nid"]), completed[0].hash))
                nodes.extend(
                    (s.level, s.index, s.hash) for s in completed[1:] if s.level % TILE_LEVELS == 0
                )
            m = self.mark
            if leaves:
                r.cursor.executemany(
                    f"INSERT INTO {self.leaves} (position, notification_id, hash) VALUES ({m}, {m}, {m})", leaves
                )
            if nodes:
                r.cursor.executemany(f"INSERT INTO {self.nodes} (level, idx, hash) VALUES ({m}, {m}, {m})", nodes)
            return len(leaves)


def _leaf_problem(position: int, stored: Any, event: Any) -> str | None:
    """Why the stored leaf at ``position`` is not the leaf of the event row due there."""
    if stored is None or int(stored["position"]) != position:
        return "no leaf is stored there"
    if event is None:
        return f"its leaf names notification {int(stored['notification_id'])}, but no event row is left to give it"
    if int(stored["notification_id"]) != int(event["nid"]):
        return f"its leaf names notification {int(stored['notification_id'])}, the next event row is notification {int(event['nid'])}"
    if bytes(stored["hash"]) != state_leaf(event["state"]):
        return f"its hash is not the leaf hash of notification {int(event['nid'])}"
    return None


def open_log(ledger: Any) -> MerkleLog:
    """The ledger's log, refusing clearly when the database has none."""
    log = MerkleLog(ledger)
    if not log.exists():
        raise StorageError(
            f"{ledger.database.describe()} has no Merkle log yet: record a checkpoint with 'certledger checkpoint'"
        )
    return log
