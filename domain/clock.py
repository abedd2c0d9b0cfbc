"""The ledger's clock: the moment an act is *written* (as opposed to its business date).

Every event's ``timestamp`` comes from here. Which clock is in force is a context
variable, so the same domain code runs under three clocks without knowing which:

- :class:`SystemClock` — the real time, for every real ledger;
- :class:`SimulatedClock` — for demos and tests that act on future business dates. A
  ledger runs on it only if its genesis event declares ``clock: simulated``, so nobody
  mistakes such a ledger for a real one (``verify`` says so);
- :class:`FixedClock` — for ``verify``'s replay, which re-runs each act at the moment it
  was written, so a rule that depends on the write time gives the same answer again.

Times are timezone-aware; people see China Standard Time (:data:`CST`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime, time, timedelta, timezone

CST = timezone(timedelta(hours=8), "CST")
SYSTEM = "system"
SIMULATED = "simulated"

# The days a ledger holds: every write time and every business date lies between them. Far
# from the ends of Python's calendar (years 1 and 9999), so that converting a moment to UTC
# or CST and counting deadlines from a date (R-8's two months, R-12's five years, R-17's
# custody) never leaves it; and no real act is written before 1970 or after 2999.
FIRST_DAY = date(1970, 1, 1)
LAST_DAY = date(2999, 12, 31)
RANGE = f"{FIRST_DAY.isoformat()} … {LAST_DAY.isoformat()}"


def out_of_range(value: date | datetime) -> str | None:
    """Why ``value`` (a write time or a business date) cannot be in a ledger, or None. A
    moment is judged by its own calendar day (within a day of its UTC and CST days), so the
    check itself never converts and never overflows."""
    day = value.date() if isinstance(value, datetime) else value
    if FIRST_DAY <= day <= LAST_DAY:
        return None
    return f"{value.isoformat()} lies outside the days a ledger holds ({RANGE})"


class Clock:
    kind = SYSTEM

    def now(self) -> datetime:
        raise NotImplementedError

    def at_least(self, day: date) -> None:
        """A simulated clock moves forward to ``day`` (an act dated then is being written);
        real clocks ignore this — an act dated in the future is refused instead (L-2)."""


class SystemClock(Clock):
    def now(self) -> datetime:
        return datetime.now(timezone.utc)


class SimulatedClock(Clock):
    """Strictly increasing simulated time, moved forward to 09:00 CST of the business date
    of each act that lies ahead of it."""

    kind = SIMULATED
    _TICK = timedelta(milliseconds=1)

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("a clock's start must be timezone-aware")
        self._last = start - self._TICK

    def now(self) -> datetime:
        self._last = self._last + self._TICK
        return self._last

    def at_least(self, day: date) -> None:
        opening = datetime.combine(day, time(9), CST)
        if opening > self._last:
            self._last = opening - self._TICK


class FixedClock(Clock):
    """Always the same moment: the write time of the event being replayed."""

    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def now(self) -> datetime:
        return self.moment


_current: ContextVar[Clock] = ContextVar("certledger_clock", default=SystemClock())


def now() -> datetime:
    return _current.get().now()


def current() -> Clock:
    return _current.get()


@contextmanager
def using(clock: Clock) -> Iterator[Clock]:
    token = _current.set(clock)
    try:
        yield clock
    finally:
        _current.reset(token)


def day_written(moment: datetime) -> date:
    """The calendar day in China Standard Time on which ``moment`` falls."""
    return moment.astimezone(CST).date()


def shown(moment: datetime) -> str:
    """A moment as people read it: China Standard Time with the offset (ISO 8601), to the
    second, or to the millisecond where it has a fraction (two moments a refusal compares may
    differ by less than a second). A ledger written by the real clock stores UTC; output shows
    one time zone."""
    return moment.astimezone(CST).isoformat(timespec="milliseconds" if moment.microsecond else "seconds")
