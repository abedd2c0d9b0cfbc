"""Every recording command hands back receipts, declared once: :func:`recording`.

For people each event written gets one line on stderr (stdout stays for the data a script
captures, e.g. a new candidacy's reference); with ``--json`` stdout is one object::

    {"receipts": [{"notification_id": 12, "stream": "…", "version": 3,
                   "event": "Candidacy.CertificateIssued", "digest": "<sha256 hex>"}, …],
     "result": <what the command prints otherwise, parsed if it is JSON; absent if nothing>}

Receipts are printed also when the command then fails having recorded something (R-18: a
refusal that is itself recorded, exit 3), so nothing written goes unreported.
"""

from __future__ import annotations

import contextlib
import functools
import io
from collections.abc import Callable
from typing import Any, TypeVar

import click
import orjson

from certledger.cli.output import emit_json, note
from certledger.events.receipts import Receipt

F = TypeVar("F", bound=Callable[..., Any])


def _receipts() -> list[Receipt]:
    ctx = click.get_current_context(silent=True)
    session = ctx.find_root().obj if ctx is not None else None
    ledger = getattr(session, "_ledger", None)
    return list(getattr(ledger, "receipts", ()))


def _document(captured: str, receipts: list[Receipt]) -> dict[str, Any]:
    document: dict[str, Any] = {"receipts": [r.to_json() for r in receipts]}
    text = captured.strip()
    if text:
        try:
            document["result"] = orjson.loads(text)
        except orjson.JSONDecodeError:
            document["result"] = text
    return document


def recording(f: F) -> F:
    """Give the command ``--json`` (unless it has one) and report its receipts."""
    has_json = any(p.name == "as_json" for p in getattr(f, "__click_params__", ()))

    @functools.wraps(f)
    def run(*args: Any, **kwargs: Any) -> Any:
        as_json = kwargs.get("as_json", False) if has_json else kwargs.pop("as_json", False)
        if not as_json:
            try:
                return f(*args, **kwargs)
            finally:
                for receipt in _receipts():
                    note(receipt.line)
        captured = io.StringIO()
        done = False
        try:
            with contextlib.redirect_stdout(captured):
                result = f(*args, **kwargs)
            done = True
            return result
        finally:
            receipts = _receipts()
            if done or receipts:
                emit_json(_document(captured.getvalue(), receipts))

    if not has_json:
        run = click.option(
            "--json", "as_json", is_flag=True, help="Print the receipts (and any result) as one JSON object."
        )(run)
    return run  # type: ignore[return-value]
