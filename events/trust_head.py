"""The trust registry's head as a checkpoint binds it (L-5): the first extension line of
the checkpoint note, ``trust-head <version> <sha256 hex of that version's stored state>``.

Why: a checkpoint's root commits to every event before it, but an offline reader of a
certificate bundle gets only the trust events the bundle carries. Naming the registry's head
in the note HRSS signs ties the two: the bundle's chain must end exactly there (a digest
chain by ``prev``), so a revocation cannot be cut from it. ``verify`` checks the line (and the
event's ``trust_version``/``trust_digest``) against the registry's head at the checkpoint's
position. This module imports nothing heavy: the offline bundle verifier uses it.
"""

from __future__ import annotations

import re

from certledger.domain.errors import InputError

PREFIX = "trust-head"
_LINE = re.compile(PREFIX + " ([1-9][0-9]{0,18}) ([0-9a-f]{64})")


def line(version: int, digest: str) -> str:
    """The extension line naming trust registry version ``version`` and its state's digest."""
    if type(version) is not int or version < 1 or not re.fullmatch("[0-9a-f]{64}", str(digest)):
        raise InputError(f"a trust head is a version from 1 and a SHA-256 hex digest, not {version!r} {digest!r}")
    return f"{PREFIX} {version} {digest}"


def parse(extensions: tuple[str, ...]) -> tuple[int, str]:
    """(version, digest) of a checkpoint whose extension lines are one trust head, then at
    most the status-list line (:mod:`events.status_line`)."""
    from certledger.events import status_line

    found = _LINE.fullmatch(extensions[0]) if 1 <= len(extensions) <= 2 else None
    if found is not None and len(extensions) == 2:
        status_line.parse(extensions[1:])  # refuses a malformed one
        if not extensions[1].startswith(status_line.PREFIX + " "):
            found = None
    if found is None:
        raise InputError(
            f"the checkpoint's extension lines are not one '{PREFIX} <version> <sha256>' line and at most one "
            f"'{status_line.PREFIX} <count> <sha256>' line: {list(extensions)!r}"
        )
    return int(found.group(1)), found.group(2)
