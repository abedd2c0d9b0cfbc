"""Small helpers that turn a broken rule into a :class:`RuleViolation` citing it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from certledger.domain.errors import RuleViolation


def require(condition: bool, rule: str, message: str) -> None:
    """Refuse with ``rule: message`` unless ``condition`` holds (never ``assert``: -O)."""
    if not condition:
        raise RuleViolation(rule, message)


def authorised(actor: str, allowed: Iterable[str], rule: str, act: str) -> None:
    allowed = tuple(allowed)
    if actor not in allowed:
        who = " or ".join(repr(a) for a in allowed) or "nobody"
        raise RuleViolation(rule, f"only {who} may {act}, not {actor!r}")


def by_deadline(on: date, due: date, rule: str, what: str, why: str) -> None:
    """Refuse an act dated after its deadline (the deadline day itself is in time)."""
    if on > due:
        raise RuleViolation(rule, f"{what} closed on {due.isoformat()} ({why}); this act is dated {on.isoformat()}")
