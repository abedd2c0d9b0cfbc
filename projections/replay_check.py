"""``verify --registers``: the live registers, row by row, against a replay of the signed events.

The registers are SQL rows nobody signs: whoever controls the database can edit them, and
the readers that answer from them (``cert show``, ``candidate show`` …) would show the edit
as fact. Here the events up to the registers' own position are projected again, each
signature checked, into a scratch register set beside the live one; :func:`projections.diff.diff`
compares the two, every register and every column (the states register's stored aggregates
included); the scratch set is dropped whatever happens. The events are never written.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from typing import Any

from certledger.projections import schema
from certledger.projections.diff import Change, diff
from certledger.projections.projector import Cut, Sql, rebuild

_SHOWN = 120  # characters of a differing value shown (a stored state is a long JSON text)


@dataclass(frozen=True)
class RegistersCheck:
    position: int  # the live registers' position: the replay went exactly as far
    rows: int  # rows compared, over every register
    changes: list[Change]

    @property
    def ok(self) -> bool:
        return not self.changes

    def first(self) -> str:
        """The first row that differs, named by its register and key, with its columns."""
        change = self.changes[0]
        key = ", ".join(f"{k}={v}" for k, v in change.key.items())
        what = {"changed": "differs from the replay", "only in A": "is in the registers but not in the replay",
                "only in B": "is missing from the registers"}[change.change]
        fields = "; ".join(f"{f['field']}: {_shown(f['a'])} in the registers, {_shown(f['b'])} by replay"
                           for f in change.fields)
        return f"register {change.register} ({change.term}) row {key} {what}" + (f" ({fields})" if fields else "")

    def to_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "position": self.position, "rows": self.rows,
                "differences": len(self.changes), "first": self.first() if self.changes else None,
                "changes": [c.as_json() for c in self.changes]}


def _shown(value: Any) -> str:
    text = "NULL" if value is None else str(value)
    return text if len(text) <= _SHOWN else text[:_SHOWN] + "…"


def scratch_name() -> str:
    return f"verify_{os.getpid()}_{secrets.token_hex(4)}"[:31]


def check_registers(ledger: Any) -> RegistersCheck | None:
    """Compare the live registers with a replay up to their position; None if the ledger
    has no live registers. ``ledger`` must be opened writable (for the scratch set) and with
    signatures checked on read."""
    live = Sql(ledger)
    if not live.exists():
        return None
    position = live.position()[0]
    name = scratch_name()
    try:
        rebuild(ledger, name, cut=Cut(nid=position))
        result = diff(ledger, schema.LIVE, name)
        rows = sum(len(live.rows(t.name)) for t in schema.TABLES)
    finally:
        Sql(ledger, name).drop()
    return RegistersCheck(position, rows, result.changes)
