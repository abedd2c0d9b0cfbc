"""Replay under the write path's own rules: is each recorded event one the act would record?

For a recorded event, :func:`admit` finds the act declared for its class
(:func:`certledger.domain.acts.declarations`), calls that same command on the aggregate as it
stood just before — at the moment the event was written, with the arguments the event
carries and the other aggregates its rules consult (the sitting, as it stood then) — and
requires that the command records exactly the stored event. A command that refuses gives
the rule it cites (``R-8: …``, ``T-1: …``); a command that would record something else (a
forged route, a changed field) is named too. Either way the stored event is then applied,
so the next events are judged against the ledger as it actually reads.

Nothing here reads the database, checks a signature or knows a key: ``verify`` does those.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from certledger.domain import clock
from certledger.domain.acts import Declaration, aggregate_class, declarations
from certledger.domain.errors import CertLedgerError, NotCanonical, TamperError
from certledger.events.canonical import to_canonical_value


@dataclass
class Admission:
    """The aggregate after the event, and why the event should not be there (if so)."""

    aggregate: Any
    problems: list[str]


def admit(recorded: Any, before: Any, context: Mapping[str, Any], *, apply_refused: bool = True) -> Admission:
    """Re-run the act that ``recorded`` claims to be, on ``before`` (None for a creation).

    When the act is refused, the stored event is applied anyway if ``apply_refused`` (a
    lifecycle stream reads as stored), or ``before`` is left as it was (the trust registry:
    a refused trust event registers nothing)."""
    declared = [d for d in declarations(type(recorded)) if d.when is None or d.when(recorded)]
    refused = _applied if apply_refused else _not_applied
    if not declared:
        return refused(recorded, before, f"no act of the notices records a {type(recorded).__qualname__} event")
    declaration = declared[0]
    try:
        with clock.using(clock.FixedClock(recorded.timestamp)):
            produced, after = _run(declaration, recorded, before, context)
    except CertLedgerError as e:
        return refused(recorded, before, f"the act would be refused: {e}")
    except Exception as e:  # noqa: BLE001 - a forged event can make any command fail
        return refused(recorded, before, f"the act cannot be re-run on this event ({type(e).__name__}: {e})")
    difference = _difference(produced, recorded, declaration.command)
    if difference:
        # ``before`` may have been changed by the command: rebuild from the stored events.
        return Admission(None, [f"the act records something else: {difference}"])
    return Admission(after, [])


def _run(declaration: Declaration, recorded: Any, before: Any, context: Mapping[str, Any]) -> tuple[list[Any], Any]:
    kwargs = declaration.arguments(recorded, context)
    if before is None:
        owner = aggregate_class(getattr(recorded, "originator_topic", ""))
        if owner is None:
            raise TamperError(f"unknown aggregate type {getattr(recorded, 'originator_topic', None)!r}")
        after = getattr(owner, declaration.command.__name__)(**kwargs)
    else:
        after = before
        getattr(after, declaration.command.__name__)(**kwargs)
    return list(after.collect_events()), after


@functools.lru_cache(maxsize=None)
def _later_defaults(command: Any) -> dict[str, Any]:
    """The command's keyword defaults: what a field added to its event later (``specialty``,
    ``id_commitment``) reads as in an event recorded before it, which does not carry it."""
    return {name: p.default for name, p in inspect.signature(command).parameters.items()
            if p.default is not inspect.Parameter.empty}


def _difference(produced: list[Any], recorded: Any, command: Any = None) -> str | None:
    if len(produced) != 1:
        names = ", ".join(type(e).__name__ for e in produced) or "nothing"
        return f"{names} instead of {type(recorded).__name__}"
    (event,) = produced
    if type(event) is not type(recorded):
        return f"{type(event).__name__} instead of {type(recorded).__name__}"
    if _same(vars(event), vars(recorded)):
        return None
    try:
        mine, theirs = to_canonical_value(vars(event)), to_canonical_value(vars(recorded))
    except NotCanonical as e:
        return f"a field has no canonical form ({e})"
    produced_fields, recorded_fields = vars(event), vars(recorded)
    defaults = _later_defaults(command) if command is not None else {}
    changed = sorted(k for k in mine.keys() | theirs.keys() if mine.get(k) != theirs.get(k)
                     and not (k not in recorded_fields and k in defaults and _same(produced_fields[k], defaults[k])))
    if not changed:
        return None
    return "; ".join(f"{k} is {theirs.get(k)!r}, the act gives {mine.get(k)!r}" for k in changed)


def _same(a: Any, b: Any) -> bool:
    """Equal, and of the same types all the way down (so ``1`` is not ``True``, and a time
    is not the same instant at another offset): what makes their canonical bytes equal."""
    kind = type(a)
    if kind is not type(b):
        return False
    if kind is dict:
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if kind is tuple or kind is list:
        return len(a) == len(b) and all(map(_same, a, b))
    if kind is datetime:
        return a == b and a.utcoffset() == b.utcoffset()
    return a == b


def _applied(recorded: Any, before: Any, problem: str) -> Admission:
    """The stored event applied as it stands, after a refusal (so later events are judged
    against the ledger as it reads); None if it cannot even be applied."""
    try:
        return Admission(recorded.mutate(before), [problem])
    except Exception as e:  # noqa: BLE001
        return Admission(None, [problem, f"the event cannot be applied ({type(e).__name__}: {e})"])


def _not_applied(recorded: Any, before: Any, problem: str) -> Admission:
    return Admission(before, [problem])
