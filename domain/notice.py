"""A published notice (公告) as its publishing act signs it: the document's whole content —
title, paragraphs, the table's columns and rows, the closing lines (issuers, date) — and the
SHA-256 of its text rendering. Signed into the act's event, it proves later what was
published, by whom, on which day (issue 8): ``certledger notices render KIND --published``
prints it again and checks the digest.

The domain checks only the document's shape. Whether its rows were what the ledger held when
it was published is an audit question (``notices render`` then and now, ``rebuild --as-of``),
not an admission rule: the publisher signs what it published."""

from __future__ import annotations

import re
from typing import Any

from certledger.domain.errors import InputError

# The act that publishes each notice, by its event: the event carries the notice it signed.
PUBLISHED_BY: dict[str, str] = {"publicity": "PublicityPublished", "report": "VerificationResultsReported",
                                "results": "VerificationResultsAnnounced",
                                "supplementary-report": "SupplementaryResultsSubmitted",
                                "supplementary-results": "SupplementaryResultsAnnounced",
                                "custody-roster": "CustodyTransferred"}
KIND_OF_EVENT = {event: kind for kind, event in PUBLISHED_BY.items()}

FIELDS = ("title", "paragraphs", "columns", "rows", "closing", "digest")
_DIGEST = re.compile(r"[0-9a-f]{64}")


def check_notice(notice: Any) -> dict[str, Any] | None:
    """The notice in its one stored shape (lists of text), or None; anything else refused."""
    if notice is None:
        return None
    if not isinstance(notice, dict) or set(notice) != set(FIELDS):
        raise InputError(f"a published notice has exactly the fields {', '.join(FIELDS)}")
    title, digest = notice["title"], notice["digest"]
    if not isinstance(title, str) or not title or not isinstance(digest, str) or not _DIGEST.fullmatch(digest):
        raise InputError("a published notice has a title and the hex SHA-256 of its text")
    columns = _texts(notice["columns"], "columns")
    rows = [_texts(r, "a row") for r in _list(notice["rows"], "rows")]
    if any(len(r) != len(columns) for r in rows):
        raise InputError(f"every row of a published notice has its {len(columns)} columns")
    return {"title": title, "paragraphs": _texts(notice["paragraphs"], "paragraphs"), "columns": columns,
            "rows": rows, "closing": _texts(notice["closing"], "closing"), "digest": digest}


def _list(value: Any, what: str) -> list[Any]:
    if not isinstance(value, (list, tuple)):
        raise InputError(f"a published notice's {what} is a list")
    return list(value)


def _texts(value: Any, what: str) -> list[str]:
    items = _list(value, what)
    if not all(isinstance(v, str) for v in items):
        raise InputError(f"a published notice's {what} holds text only")
    return items
