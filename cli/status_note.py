"""What the replay readers (``cert show``, ``candidate show``, ``trace``) say on stderr about a
certificate's status: what the newest checkpoint's signed status list proves, or that nothing
proves it. A replay of one stream cannot see a row deleted from it; the signed list can
(:mod:`events.checkpointed_status`). When the database contradicts the list, the reader fails
(exit 1 via TamperError) rather than print the replay's answer as fact."""

from __future__ import annotations

from typing import Any

from certledger.cli.output import note
from certledger.domain.errors import InputError


def certificate_status_note(ledger: Any, number: str | None, kind: str | None = None) -> None:
    """One line on stderr for a sealed certificate ``number``; nothing for paper or none."""
    from certledger.events import provenance
    from certledger.events.checkpointed_status import proven_status

    if not number:
        note("status: this candidacy holds no sealed certificate, so no checkpoint's status list speaks for it; "
             "its events are read from the database as they are (certledger verify --checkpoint proves them)")
        return
    found = [f for f in provenance.find_certificate(ledger, number)
             if f.kind in provenance.SEALED_KINDS and (kind is None or f.kind == kind)]
    if not found:
        return
    try:
        status = proven_status(ledger, found[0])  # TamperError: the database contradicts the signed list
    except InputError as e:
        note(f"status of {number}: not proven ({e}); a replay cannot see a deleted row")
        return
    proven = status["proven"]
    note(f"status of {number}: {proven.describe()}; not covered: {proven.not_covered()}")
