"""Comparing two register sets, and naming the signed events behind each difference.

The dispute tool: ``certledger diff A B`` lists every row that differs between two sets
(the live registers, a rebuild, two as-of rebuilds), field by field, with the events that
explain it: those on the row's streams (its candidacy and its sitting) of a kind that
changes that register, recorded between the two sets' positions. When both sets stand at
the same position the events can give a row only one value, so a row that differs was
changed outside the projector (by hand, in the database); the events listed are then
every event up to that position that made the row: the ones that contradict the edit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from certledger.domain.acts import term_of
from certledger.projections import schema
from certledger.projections.projector import Sql
from certledger.projections.registers import sql_value


@dataclass
class Change:
    register: str
    term: str
    key: dict[str, Any]
    change: str  # "changed", "only in A", "only in B"
    fields: list[dict[str, Any]] = field(default_factory=list)  # {field, a, b}
    events: list[dict[str, Any]] = field(default_factory=list)
    label: str = ""  # the row as people name it: candidate, exam and year, certificate number

    def as_json(self) -> dict[str, Any]:
        return {"register": self.register, "term": self.term, "key": self.key, "row": self.label,
                "change": self.change, "fields": self.fields, "events": self.events}


@dataclass
class Diff:
    a: str
    b: str
    a_position: int
    b_position: int
    changes: list[Change]

    @property
    def same(self) -> bool:
        return not self.changes

    def as_json(self) -> dict[str, Any]:
        return {"a": {"set": self.a, "position": self.a_position}, "b": {"set": self.b, "position": self.b_position},
                "same": self.same, "changes": [c.as_json() for c in self.changes]}


def diff(ledger: Any, a: str, b: str) -> Diff:
    left, right = Sql(ledger, a), Sql(ledger, b)
    left.require()
    right.require()
    a_pos, b_pos = left.position()[0], right.position()[0]
    explain = _Explainer(ledger, a_pos, b_pos)
    changes: list[Change] = []
    for table in schema.TABLES:
        rows_a = {tuple(r[k] for k in table.key): r for r in left.rows(table.name)}
        rows_b = {tuple(r[k] for k in table.key): r for r in right.rows(table.name)}
        for key in sorted(set(rows_a) | set(rows_b), key=lambda k: tuple(str(v) for v in k)):
            ra, rb = rows_a.get(key), rows_b.get(key)
            if ra == rb:
                continue
            if ra is None or rb is None:
                kind = "only in B" if ra is None else "only in A"
                fields = []
            else:
                kind = "changed"
                fields = [{"field": c, "a": ra.get(c), "b": rb.get(c)} for c in table.all_columns
                          if ra.get(c) != rb.get(c)]
            row = rb or ra or {}
            change = Change(table.name, table.term, dict(zip(table.key, key)), kind, fields, label=row_label(row))
            change.events = explain.events(table, row, ra, rb)
            changes.append(change)
    return Diff(left.name, right.name, a_pos, b_pos, changes)


def row_label(row: dict[str, Any]) -> str:
    """A register row by what people know it by (a UUID names nothing to them): the
    candidate's name and number, the exam and year, the certificate's number where it has one."""
    who = " ".join(str(row[c]) for c in ("name", "candidate") if row.get(c))
    exam = " ".join(str(row[c]) for c in ("exam_name", "year") if row.get(c))
    number = row.get("certificate_no") or row.get("number")
    parts = [p for p in (who, exam, str(number) if number else "") if p]
    return ", ".join(parts)


class _Explainer:
    def __init__(self, ledger: Any, a_pos: int, b_pos: int) -> None:
        self.ledger = ledger
        self.low, self.high = sorted((a_pos, b_pos))
        self.streams: dict[str, list[dict[str, Any]]] = {}

    def events(self, table: schema.Table, row: dict[str, Any], *rows: dict[str, Any] | None) -> list[dict[str, Any]]:
        streams = {r.get(c) for r in (row, *rows) if r for c in ("candidacy", "sitting", "stream") if r.get(c)}
        named = {r.get("last_nid") for r in rows if r}
        found = []
        for stream in sorted(streams):
            for e in self._stream(stream):
                in_range = (self.low < e["nid"] <= self.high) if self.low < self.high else e["nid"] <= self.high
                if in_range and (not table.events or e["event"] in table.events or e["nid"] in named):
                    found.append(e)
        return sorted(found, key=lambda e: e["nid"])

    def _stream(self, stream: str) -> list[dict[str, Any]]:
        if stream not in self.streams:
            try:
                uuid = UUID(stream)
            except ValueError:  # a hand-edited key names no stream
                self.streams[stream] = []
                return []
            events = []
            for raw in self.ledger.rows.raw_stream(uuid):
                opened, event = self.ledger.mapper_.decode(
                    StoredEvent(uuid, int(raw.version), str(raw.topic), bytes(raw.state))
                )
                events.append({
                    "nid": int(raw.notification_id), "event": type(event).__name__, "term": term_of(event)[0],
                    "party": opened.actor,
                    "signer": opened.signer, "on": sql_value(getattr(event, "on", None)),
                    "written": sql_value(opened.timestamp), "stream": stream,
                })
            self.streams[stream] = events
        return self.streams[stream]
