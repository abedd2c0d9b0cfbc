"""Business dates: the legal dates of acts (``--on``) and the deadlines the notices set."""

from __future__ import annotations

import calendar
from datetime import date, timedelta


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
