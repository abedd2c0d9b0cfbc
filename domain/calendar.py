"""Business dates: the legal dates of acts (``--on``) and the deadlines the notices set.

One counting rule for every period of the notices (:data:`COUNTING`): the day a period counts
from is not counted, so "15 days of D", "two months after D" and "5 years from the exam's end"
each end on the day :func:`add_days` / :func:`add_months` / :func:`add_years` give, which is
the period's last day and still inside it; what may happen only "after the period"
(期满后) happens from :func:`day_after` that last day."""

from __future__ import annotations

import calendar
from datetime import date, timedelta


# Stated by ``certledger rules`` (domain.rule_texts.COUNTING_RULE cites it).
COUNTING = ("C-1 Counting (every period): the day a period counts from is not counted; its last day is "
            "the same day number so many days, months or years later (08-31 + 1 month = 09-30) and is still "
            "inside the period; an act allowed only after the period (期满后) is allowed from the day after "
            "that last day. So R-6's 15 days and R-8's two months end on D + 15 days and D + 2 months, and "
            "R-17's five years from an exam ending 2025-05-25 end on 2030-05-25: the transfer is allowed "
            "from 2030-05-26.")


def day_after(last: date) -> date:
    """The first day after a period whose last day is ``last`` (期满后, :data:`COUNTING`)."""
    return last + timedelta(days=1)


def add_months(day: date, months: int) -> date:
    """Same day of the month ``months`` later, or that month's last day (08-31 + 1 -> 09-30)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_days(day: date, days: int) -> date:
    return day + timedelta(days=days)


def add_years(day: date, years: int) -> date:
    return add_months(day, 12 * years)


def days_inclusive(first: date, last: date) -> int:
    return (last - first).days + 1
