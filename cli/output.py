"""Data to stdout (a table for people, ``--json`` for scripts); messages to stderr."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time
from typing import Any
from unicodedata import east_asian_width

import click
import orjson

from certledger.cli.terms import header
from certledger.domain.clock import CST


def emit_json(data: Any) -> None:
    """JSON for scripts; every moment in ISO 8601 with the offset, in China Standard Time (a
    ledger written by the real clock stores UTC, and people and scripts read one time zone)."""
    click.echo(orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_PASSTHROUGH_DATETIME, default=_moment).decode())


def _moment(value: Any) -> str:
    if isinstance(value, datetime):
        return (value.astimezone(CST) if value.tzinfo is not None else value).isoformat()
    if isinstance(value, (date, time)):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON")


def cell(value: Any) -> str:
    """A table cell: a moment in China Standard Time, to the second."""
    if value is None:
        return ""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(CST).isoformat(sep=" ", timespec="seconds")
    return str(value)


def _width(text: str) -> int:
    return sum(2 if east_asian_width(c) in "WF" else 1 for c in text)


def emit_table(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> None:
    if not rows:
        click.echo("(none)", err=True)
        return
    cells = [[cell(r.get(c)) for c in columns] for r in rows]
    # Headers show the official Chinese term beside the English key (cli/terms.py); --json keeps the keys.
    headers = [header(c) for c in columns]
    widths = [max(_width(h), *(_width(row[i]) for row in cells)) for i, h in enumerate(headers)]

    def line(values: Sequence[str]) -> str:
        return "  ".join(v + " " * (w - _width(v)) for v, w in zip(values, widths)).rstrip()

    click.echo(line(headers))
    for row in cells:
        click.echo(line(row))


def note(message: str) -> None:
    click.echo(message, err=True)


class NoBar:
    """Stands in for click's progress bar where none is shown (not a terminal, --json)."""

    def __enter__(self) -> "NoBar":
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def update(self, n: int) -> None:
        return None


def progress_bar(length: int, label: str) -> Any:
    """A progress bar on stderr when it is a terminal; quiet when piped."""
    import sys

    if sys.stderr.isatty() and length > 0:
        return click.progressbar(length=length, label=label, file=sys.stderr)
    return NoBar()

