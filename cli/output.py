"""Data to stdout (a table for people, ``--json`` for scripts); messages to stderr."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from unicodedata import east_asian_width

import click
import orjson

from certledger.cli.terms import header


def emit_json(data: Any) -> None:
    click.echo(orjson.dumps(data, option=orjson.OPT_INDENT_2).decode())


def _width(text: str) -> int:
    return sum(2 if east_asian_width(c) in "WF" else 1 for c in text)


def emit_table(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> None:
    if not rows:
        click.echo("(none)", err=True)
        return
    cells = [[("" if r.get(c) is None else str(r.get(c))) for c in columns] for r in rows]
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

