"""The Merkle log as C2SP tlog-tiles (c2sp.org/tlog-tiles): what ``certledger serve`` answers.

Why: monitors and witnesses follow a log over HTTP in one standard layout, with any client
written against the spec. Our stored log (:mod:`events.merkle_log`) is already shaped that
way: ``merkle_leaves`` holds level 0, ``merkle_nodes`` the perfect subtrees at levels 8, 16,
… — so tile ``L``/``N`` is just the stored hashes ``N·256 … N·256+W-1`` of tree level ``8·L``.

- **Hashes** are RFC 9162 §2.1.1 (SHA-256, 0x00 leaf / 0x01 node prefixes), as
  :mod:`events.merkle` computes them.
- **Entries** (``tile/entries/N``): an entry is a leaf's *input* ``d``, the 32-byte SHA-256 of
  the event's stored state (leaf hash = SHA-256(0x00 ‖ d)); an entry bundle is the spec's
  sequence of big-endian uint16 length ‖ entry, here always length 32. A state that is not
  bytes counts as empty (as :func:`events.merkle.state_leaf` does), so the bundle hashes to
  the same tree ``verify`` recomputes.
- Only what the **latest recorded checkpoint** covers is served: a tile (or partial tile)
  that reaches past that tree size is "not found", so everything served is what a signed
  note commits to, and a full tile never changes (immutable).

Nobody trusts these answers: a client checks them against the checkpoint HRSS signed. A
database someone rewrote gives tiles that do not hash to the signed root, never a quiet
"OK". Read only: every query runs in a transaction opened ``commit=False`` on a ledger
opened read-only.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

from certledger.domain.errors import InputError, TamperError
from certledger.events.merkle import HASH_SIZE
from certledger.events.merkle_log import table_names

TILE_WIDTH = 256
TILE_HEIGHT = 8
MAX_LEVEL = 63  # the spec's bound on L (a level past any 64-bit tree)
_ELEMENT = re.compile(r"x[0-9]{3}")
_LAST = re.compile(r"[0-9]{3}")
_WIDTH = re.compile(r"[1-9][0-9]{0,2}")


@dataclass(frozen=True)
class TileRef:
    """A tile named by its path: level (None for an entry bundle), index, width (256: full)."""

    level: int | None
    index: int
    width: int

    @property
    def full(self) -> bool:
        return self.width == TILE_WIDTH


def parse_tile_path(path: str) -> TileRef:
    """``<L>/<N>[.p/<W>]`` or ``entries/<N>[.p/<W>]`` (what follows ``/tile/``), exactly as
    the spec writes it: ``N`` in 3-digit elements, all but the last prefixed ``x``; ``W`` in
    1…255 without leading zeros. Anything else (``..``, empty elements, ``+1``, leading
    zeros, a level over 63) is an :class:`InputError`: no path ever reaches the database
    or the file system unparsed."""
    parts = path.split("/")
    if len(parts) < 2 or len(parts) > 40:
        raise InputError("a tile path is <L>/<N>[.p/<W>] or entries/<N>[.p/<W>]")
    head, rest = parts[0], parts[1:]
    if head == "entries":
        level = None
    elif re.fullmatch(r"0|[1-9][0-9]?", head) and int(head) <= MAX_LEVEL:
        level = int(head)
    else:
        raise InputError(f"tile level {head[:20]!r} is not a decimal number in 0…{MAX_LEVEL}")
    width = TILE_WIDTH
    if len(rest) >= 2 and rest[-2].endswith(".p"):
        if not _WIDTH.fullmatch(rest[-1]) or int(rest[-1]) >= TILE_WIDTH:
            raise InputError(f"partial tile width {rest[-1][:20]!r} is not a number in 1…255")
        width = int(rest[-1])
        rest = rest[:-2] + [rest[-2][:-2]]
    if not rest or not _LAST.fullmatch(rest[-1]) or not all(_ELEMENT.fullmatch(e) for e in rest[:-1]):
        raise InputError("a tile index is 3-digit path elements, all but the last prefixed 'x' (e.g. x001/234)")
    index = 0
    for element in rest:
        index = index * 1000 + int(element.lstrip("x"))
    if len(rest) > 1 and rest[0] == "x000":
        raise InputError("a tile index has no leading zero elements (x000/…)")
    return TileRef(level, index, width)


def tile_path(ref: TileRef) -> str:
    """The spec's path of a tile (the inverse of :func:`parse_tile_path`, for links and tests)."""
    digits = f"{ref.index:03d}"
    digits = "0" * (-len(digits) % 3) + digits
    elements = [digits[i:i + 3] for i in range(0, len(digits), 3)]
    encoded = "/".join([*("x" + e for e in elements[:-1]), elements[-1]])
    head = "entries" if ref.level is None else str(ref.level)
    return f"{head}/{encoded}" + ("" if ref.full else f".p/{ref.width}")


def covered(ref: TileRef, size: int) -> bool:
    """Whether the tile lies wholly inside the tree of ``size`` leaves."""
    level = ref.level or 0
    return (ref.index * TILE_WIDTH + ref.width) << (TILE_HEIGHT * level) <= size


class TileStore:
    """Reads tiles of an open, read-only :class:`events.ledger.Ledger`."""

    def __init__(self, ledger: Any) -> None:
        self.ledger = ledger
        self.backend = ledger.database.backend
        self.leaves, self.nodes = table_names(self.backend)
        self.events = ledger.database.table
        self.mark = "?" if self.backend == "sqlite" else "%s"
        self.id_column = "rowid" if self.backend == "sqlite" else "notification_id"

    def _rows(self, sql: str, params: list[Any]) -> list[Any]:
        with self.ledger.recorder.datastore.transaction(commit=False) as cursor:
            cursor.execute(sql.replace("?", self.mark), params)
            return list(cursor.fetchall())

    def hashes(self, ref: TileRef) -> bytes:
        """A hash tile: ``width`` stored hashes of tree level ``8·L``, concatenated."""
        assert ref.level is not None
        first = ref.index * TILE_WIDTH
        if ref.level == 0:
            sql = f"SELECT position AS i, hash FROM {self.leaves} WHERE position >= ? AND position < ? ORDER BY position"
            rows = self._rows(sql, [first, first + ref.width])
        else:
            sql = f"SELECT idx AS i, hash FROM {self.nodes} WHERE level = ? AND idx >= ? AND idx < ? ORDER BY idx"
            rows = self._rows(sql, [TILE_HEIGHT * ref.level, first, first + ref.width])
        return b"".join(self._dense(rows, first, ref, "hash"))

    def entries(self, ref: TileRef) -> bytes:
        """An entry bundle: each leaf's input (SHA-256 of the event's stored state), uint16
        length-prefixed, in log order."""
        first = ref.index * TILE_WIDTH
        sql = (f"SELECT l.position AS i, e.state AS state FROM {self.leaves} l "
               f"LEFT JOIN {self.events} e ON e.{self.id_column} = l.notification_id "
               "WHERE l.position >= ? AND l.position < ? ORDER BY l.position")
        rows = self._rows(sql, [first, first + ref.width])
        bundle = bytearray()
        for state in self._dense(rows, first, ref, "state", check_size=False):
            data = bytes(state) if isinstance(state, (bytes, bytearray, memoryview)) else b""
            bundle += HASH_SIZE.to_bytes(2, "big") + hashlib.sha256(data).digest()
        return bytes(bundle)

    @staticmethod
    def _dense(rows: list[Any], first: int, ref: TileRef, column: str, *, check_size: bool = True) -> list[Any]:
        values = [r[column] for r in rows]
        if [int(r["i"]) for r in rows] != list(range(first, first + ref.width)):
            raise TamperError(f"the stored Merkle log lacks part of tile {tile_path(ref)}")
        if check_size and any(not isinstance(v, (bytes, bytearray, memoryview)) or len(v) != HASH_SIZE for v in values):
            raise TamperError(f"the stored Merkle log holds a malformed hash in tile {tile_path(ref)}")
        return [bytes(v) if check_size else v for v in values]
