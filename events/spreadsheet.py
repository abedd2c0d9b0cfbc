"""Cells that a spreadsheet opens as data, never as a formula (CSV injection, OWASP).

Names and other text in the ledger come from outside (registration systems, spreadsheets an
exam center imports). A cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return is taken by Excel, LibreOffice and WPS for a formula or a DDE call; quoting the cell
does not stop that. Every CSV we write passes its text cells through :func:`safe_cell`, which
prefixes such a cell with ``'`` (shown as text, the value otherwise intact). The ledger keeps
the value exactly as it was recorded: only what we write for spreadsheets changes. Numbers we
write ourselves (ints) are left as they are: ``-2`` as an int is data, ``"-2+3"`` as text is not.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """The value, with a text cell that a spreadsheet would run made inert by a leading ``'``."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_text(header: Iterable[Any], rows: Iterable[Iterable[Any]], *, bom: bool = False) -> str:
    """CSV (RFC 4180) with a header line, every text cell made safe to open (and, with ``bom``, the byte
    order mark that Excel wants to read UTF-8)."""
    out = io.StringIO()
    if bom:
        out.write("\ufeff")
    # RFC 4180's CRLF: Python's writer quotes a cell only for the characters of its line
    # terminator, so with a bare LF a cell holding a CR went out unquoted, and a spreadsheet
    # started a new row (and a formula) there.
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([safe_cell(h) for h in header])
    writer.writerows([safe_cell(v) for v in row] for row in rows)
    return out.getvalue()
