"""The status list a checkpoint binds (L-5): the second extension line of its note,
``status-list <certificates> <sha256 hex of the signed list's JCS bytes>``.

Why in the note: the note is what an auditor keeps and what HRSS signs; naming the list's
digest there makes the list (stored in the checkpoint event, :mod:`events.status_list`) as
hard to alter as the checkpoint itself, so a status read from it survives a deleted row.
This module imports nothing heavy: the offline verifiers use it.
"""

from __future__ import annotations

import hashlib
import re

from certledger.domain.errors import InputError

PREFIX = "status-list"
_LINE = re.compile(PREFIX + " (0|[1-9][0-9]{0,18}) ([0-9a-f]{64})")


def line(certificates: int, digest: str) -> str:
    """The extension line naming a list of ``certificates`` entries and its digest."""
    if type(certificates) is not int or certificates < 0 or not re.fullmatch("[0-9a-f]{64}", str(digest)):
        raise InputError(f"a status-list line is a count and a SHA-256 hex digest, not {certificates!r} {digest!r}")
    return f"{PREFIX} {certificates} {digest}"


def list_digest(text: str) -> str:
    """The SHA-256 (hex) the note names: of the signed list's stored text, its JCS bytes."""
    return hashlib.sha256(text.encode()).hexdigest()


def of_note(note: str) -> tuple[int, str] | None:
    """(certificates, digest) of a signed note's status-list line (its signatures not
    checked here), None if it has none."""
    from certledger.signing.note import parse_checkpoint, unsigned_text

    return parse(parse_checkpoint(unsigned_text(note)).extensions)


def parse(extensions: tuple[str, ...]) -> tuple[int, str] | None:
    """(certificates, digest) of the note's status-list line; None if it has none (a
    checkpoint from before lists were signed). A malformed line is refused."""
    lines = [e for e in extensions if e.startswith(PREFIX + " ")]
    if not lines:
        return None
    found = _LINE.fullmatch(lines[0]) if len(lines) == 1 else None
    if found is None:
        raise InputError(f"the checkpoint's status-list line is not '{PREFIX} <count> <sha256>': {lines!r}")
    return int(found.group(1)), found.group(2)
