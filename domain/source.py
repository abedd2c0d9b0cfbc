"""Where an imported act came from (来源): the spreadsheet's SHA-256 and the row number, as
the spreadsheet program shows it. ``certledger import`` signs it into each row's event, so an
auditor can go from an event back to the very row of the very file, and from a row to its
event (``certledger trace`` and the registers name it)."""

from __future__ import annotations

import re

from certledger.domain.errors import InputError

_SOURCE = re.compile(r"sha256:[0-9a-f]{64}#[1-9][0-9]{0,8}")


def source_id(digest: str, row: int) -> str:
    """``sha256:<file digest>#<row>``: one row of one file, whatever its name."""
    return check_source(f"sha256:{digest}#{row}")


def check_source(source: str | None) -> str | None:
    """A source id as :func:`source_id` makes it, or None (an act typed by hand)."""
    if source is not None and not (isinstance(source, str) and _SOURCE.fullmatch(source)):
        raise InputError(f"a source id is 'sha256:<64 hex digits>#<row number>', not {source!r}")
    return source
