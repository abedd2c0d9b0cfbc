"""The per-row checks ``verify`` runs in worker processes: each needs only the row's bytes.

Kept apart from :mod:`events.verify` so that a worker imports little (no database driver,
no application): the signature under a given public key, and whether the message is
exactly the canonical bytes of what it parses to.
"""

from __future__ import annotations

from certledger.events.envelope import canonical_problem
from certledger.signing.keys import signature_holds


def check_rows(items: list[tuple[bytes, bytes, bytes]]) -> list[tuple[bool, str | None]]:
    """For each (public key, signature, message): does the signature hold, and what (if
    anything) keeps the message from being canonical."""
    return [(signature_holds(public, signature, message), canonical_problem(message)) for public, signature, message in items]
