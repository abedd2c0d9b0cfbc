"""The 状态 register: each sitting's and candidacy's state, as its events fold it.

Listings (``candidate list``, ``candidate show``) need the whole domain object — its stage,
what may follow, its status on a day — which the column registers only summarise. Rather
than compute those a second way from columns (two sources of truth), the projector folds
each candidacy and sitting event into its aggregate exactly as a replay does
(``event.mutate``) and stores the result as JSON, one row per stream. A listing then reads
one indexed row per candidacy instead of replaying, and re-verifying, every event.

This is the library's snapshot idea (``Snapshot.take``: the aggregate's ``vars`` without
its pending events) kept in a register, so it shares the registers' exactly-once position,
``rebuild`` and ``diff``. A row is only as trustworthy as the database it sits in: readers
use it only when the live registers stand at the ledger's head, and ``--replay`` (or
``verify``) goes back to the signed events.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date, datetime
from typing import Any
from uuid import UUID

import orjson
from eventsourcing.persistence import PersistenceError

from certledger.domain.acts import DatedAggregate
from certledger.domain.candidacy import Candidacy
from certledger.domain.errors import TamperError
from certledger.domain.sitting import ExamSitting
from certledger.events.payload import Converter, converter_for

KINDS: dict[str, type] = {"Candidacy": Candidacy, "ExamSitting": ExamSitting}
DATED = "dated"
TABLE = "states"
VERSIONS = "sitting_versions"


def kind_of(domain_event: Any) -> str | None:
    """``Candidacy`` or ``ExamSitting`` for an event of one of those streams, ``dated`` for an
    event both share (a 补录, defined on their base class: its stream says which), else None."""
    for name, cls in KINDS.items():
        if isinstance(domain_event, cls.Event):
            return name
    return DATED if isinstance(domain_event, DatedAggregate.Event) else None


def _optional_date(v: Any) -> date | None:
    return None if v is None else date.fromisoformat(v)


def _late_entry(v: Any) -> tuple[str, date] | None:
    return None if v is None else (v[0], date.fromisoformat(v[1]))


def _departures(v: Any) -> tuple[tuple[Any, ...], ...]:
    # (event name, actor, on, reason): see DatedAggregate.departures
    return tuple((d[0], d[1], _optional_date(d[2]), d[3]) for d in v)


# Attributes the class does not annotate: the library's own and DatedAggregate's.
_UNANNOTATED: dict[str, Converter] = {
    "_id": UUID,
    "_version": int,
    "_created_on": datetime.fromisoformat,
    "_modified_on": datetime.fromisoformat,
    "latest_on": _optional_date,
    "late_entry": _late_entry,
    "departures": _departures,
}


@functools.cache
def _converters(cls: type) -> dict[str, Converter]:
    """One converter per attribute the class annotates, and the library's own."""
    import typing

    hints = typing.get_type_hints(cls)
    return {**{name: converter_for(hint) for name, hint in hints.items() if not name.startswith("_")}, **_UNANNOTATED}


@functools.cache
def _event_converter(cls: type, name: str) -> Converter | None:
    """For an attribute an event sets without the class annotating it (a registration's
    ``evidence``): the converter of the event's field of the same name. Looked up only for
    such names, as a listing's start-up should not pay for every event class's hints."""
    import typing

    for event_class in (v for v in vars(cls).values() if isinstance(v, type) and issubclass(v, cls.Event)):
        hint = typing.get_type_hints(event_class).get(name)
        if hint is not None:
            return converter_for(hint)
    return None


def encode(aggregate: Any) -> str:
    """The aggregate's attributes as JSON (dates ISO, enums their values, tuples lists)."""
    state = {k: v for k, v in vars(aggregate).items() if k != "_pending_events"}
    return orjson.dumps(state, option=orjson.OPT_NON_STR_KEYS).decode()


def decode(kind: str, text: str) -> Any:
    """The aggregate a row holds, typed as replay would have made it."""
    try:
        cls = KINDS[kind]
        state = orjson.loads(text)
        converters = _converters(cls)
        for name, value in state.items():
            convert = converters[name] if name in converters else _event_converter(cls, name)
            if convert is not None and value is not None:
                state[name] = convert(value)
    except (KeyError, ValueError, TypeError, IndexError, orjson.JSONDecodeError) as e:
        raise TamperError(f"register {TABLE}: a {kind} state cannot be read ({e})") from None
    aggregate = object.__new__(cls)
    aggregate.__dict__.update(state)
    aggregate.__dict__["_pending_events"] = []
    return aggregate


# -- reading ----------------------------------------------------------------------------------


def at_head(ledger: Any) -> bool:
    """Whether the live registers exist, may be read, and have applied every event in the
    ledger: only then do they say what a replay would (a read command never catches them up)."""
    from certledger.projections.projector import Sql

    sql = Sql(ledger)
    try:
        return sql.exists() and sql.has_table(TABLE) and sql.position()[0] >= sql.head()
    except PersistenceError:  # registers this role may not read (an auditor granted the events only): replay
        return False


def read(ledger: Any, kind: str, *, ids: list[UUID] | None = None, sitting: UUID | None = None,
         on: date | None = None, warn: Callable[[str], None] = lambda text: None
         ) -> tuple[list[UUID], dict[UUID, Any]] | None:
    """The states of ``ids`` (or of every ``kind`` stream of ``sitting``, in the order they were
    created), as ``(ids, aggregates)``; None when the live registers are not at the head.
    A stream with an act dated after ``on`` is left out of ``aggregates``: the caller replays
    it, since its state as of ``on`` is not the stored one — as it replays a row that cannot be
    read (a damaged register), after telling ``warn``."""
    from certledger.projections.projector import Sql

    if not at_head(ledger):
        return None
    sql = Sql(ledger)
    try:
        found = _rows(sql, kind, ids, sitting)
    except PersistenceError:  # as in at_head: a register this role may not read
        return None
    day = on.isoformat() if on is not None else None
    order = [UUID(r["stream"]) for r in found] if sitting is not None else list(ids or ())
    aggregates: dict[UUID, Any] = {}
    for r in found:
        try:
            if day is not None and r["latest_on"] is not None and r["latest_on"] > day:
                # An act dated after ``on``: a sitting's earlier state may be stored; else the
                # caller replays the stream.
                earlier = _sitting_on_day(sql, r["stream"], int(r["version"]), day) if kind == "ExamSitting" else None
                if earlier is not None:
                    aggregates[UUID(r["stream"])] = earlier
                continue
            aggregates[UUID(r["stream"])] = decode(kind, r["state"])
        except TamperError as e:  # a damaged register row: the caller replays that stream
            warn(f"{e}; stream {r['stream']} replayed from its events instead ('certledger rebuild' repairs the register)")
    return order, aggregates


def _sitting_on_day(sql: Any, stream: str, version: int, day: str) -> Any | None:
    """The sitting as its acts dated on or before ``day`` make it, from its stored versions,
    or None for the caller to replay. A replay ``--on`` folds the acts dated on or before the
    day in recorded order, skipping the later ones (``events.lifecycle._folded``); when those
    acts are exactly the first ``v`` versions, that is the state stored after version ``v``.
    A late entry (补录) dated back among them breaks that, and so does any gap in the rows
    (versions 1 … the state's own, all present): both are replayed."""
    try:
        with sql.transaction(commit=False) as cur:
            rows = sql.execute(cur, f"SELECT version, dated_on, state FROM {sql.table(VERSIONS)} WHERE stream = ? "
                                    "ORDER BY version", [stream])
    except PersistenceError:  # a register set from before this table, or one this role may not read
        return None
    if [int(r["version"]) for r in rows] != list(range(1, version + 1)):
        return None
    kept = [r["dated_on"] is not None and r["dated_on"] <= day for r in rows]
    applied = kept.index(False) if False in kept else len(kept)
    if applied == 0 or any(kept[applied:]):
        return None
    return decode("ExamSitting", rows[applied - 1]["state"])


def _rows(sql: Any, kind: str, ids: list[UUID] | None, sitting: UUID | None) -> list[dict[str, Any]]:
    table = sql.table(TABLE)
    found: list[dict[str, Any]] = []
    with sql.transaction(commit=False) as cur:
        if sitting is not None:
            found = sql.execute(cur, f"SELECT stream, version, latest_on, state FROM {table} WHERE sitting = ? AND kind = ? "
                                     "ORDER BY created_nid", [str(sitting), kind])
        else:
            wanted = [str(i) for i in ids or ()]
            for start in range(0, len(wanted), 500):
                chunk = wanted[start:start + 500]
                marks = ", ".join("?" for _ in chunk)
                found += sql.execute(cur, f"SELECT stream, version, latest_on, state FROM {table} WHERE kind = ? "
                                          f"AND stream IN ({marks})", [kind, *chunk])
    return found
