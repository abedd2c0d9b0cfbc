"""证书编号, a certificate number issued once (L-3), as a decider: the same rule as
:class:`domain.certificate_number.CertificateNumber`, over plain data.

The stream holds one event: the claim, made with the act that issues the number. A second
claim on the same number never reaches ``decide``: its stream id (derived from kind and
number) collides in the store. ``decide`` refuses it anyway, so the rule reads whole here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from certledger.domain.errors import InputError, RuleViolation
from certledger.domain.rules import require

KINDS = ("e-certificate", "pass-proof", "paper")


@dataclass(frozen=True, slots=True)
class ClaimNumber:
    """The command: claim ``number`` of ``kind`` for a candidacy, by the issuing party."""

    actor: str
    kind: str
    number: str
    candidacy_id: UUID
    on: date


@dataclass(frozen=True, slots=True)
class NumberClaimed:
    """The event (stored as ``CertificateNumber.Claimed``, with the same fields)."""

    actor: str
    kind: str
    number: str
    candidacy_id: UUID
    on: date


@dataclass(frozen=True, slots=True)
class ClaimedNumber:
    """The state: whose the number is, and since when."""

    kind: str
    number: str
    candidacy_id: UUID
    issued_on: date


def decide(state: ClaimedNumber | None, command: ClaimNumber) -> tuple[NumberClaimed, ...]:
    if state is not None:
        raise RuleViolation("L-3", f"{state.kind} number {state.number} is claimed for candidacy "
                                   f"{state.candidacy_id} already")
    if command.kind not in KINDS:
        raise InputError(f"a certificate number is of kind {', '.join(KINDS)}, not {command.kind!r}")
    if not command.number or command.number != command.number.strip():
        raise InputError(f"certificate number {command.number!r} is empty or has surrounding spaces")
    return (NumberClaimed(command.actor, command.kind, command.number, command.candidacy_id, command.on),)


def evolve(state: ClaimedNumber | None, event: NumberClaimed) -> ClaimedNumber:
    return ClaimedNumber(event.kind, event.number, event.candidacy_id, event.on)


def check_names(state: ClaimedNumber | None, kind: str, number: str, candidacy_id: UUID) -> None:
    """The issuing act's check (L-3): the claim exists and is for exactly that number and
    candidacy."""
    require(state is not None, "L-3", f"{kind} number {number} has no claim: each number is issued once, with its claim")
    assert state is not None
    require((state.kind, state.number, state.candidacy_id) == (kind, number, candidacy_id), "L-3",
            f"{kind} number {number} is claimed for candidacy {state.candidacy_id}, not {candidacy_id}")
