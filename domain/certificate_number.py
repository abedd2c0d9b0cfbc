"""证书编号: a certificate number, issued once (ledger rule L-3).

L-3 A certificate number — of an e-certificate (R-13), a pass proof (R-14) or a paper
certificate (R-15) — is issued to one candidacy only, once per kind.

Uniqueness is not a scan: each number is an aggregate whose id is derived from its kind
and text, created in the same transaction as the act that issues it. A second claim on the
same number collides with the first in the events table's primary key, so the store
itself refuses it atomically, even between two writers at once. The issuing act (on the
candidacy) requires the claim as an argument and checks that it names it, so ``verify``'s
replay refuses an issued number whose claim is missing or names someone else.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid5

from eventsourcing.domain import event

from certledger.domain.acts import LedgerAggregate, act
from certledger.domain.deciders import certificate_number as decider
from certledger.domain.deciders.certificate_number import KINDS  # noqa: F401 - re-exported
from certledger.domain.trust import LEDGER_NAMESPACE


def certificate_number_id(kind: str, number: str) -> UUID:
    return uuid5(LEDGER_NAMESPACE, f"certificate-number:{kind}:{number}")


class CertificateNumber(LedgerAggregate):
    kind: str
    number: str
    candidacy_id: UUID
    issued_on: date

    @staticmethod
    def create_id(kind: str, number: str) -> UUID:
        return certificate_number_id(kind, number)

    @act("Claimed", rules=("L-3",), term="证书编号")
    @classmethod
    def claim(cls, *, actor: str, kind: str, number: str, candidacy_id: UUID, on: date) -> CertificateNumber:
        """The rule is the decider's (domain/deciders/certificate_number.py)."""
        (e,) = decider.decide(None, decider.ClaimNumber(actor, kind, number, candidacy_id, on))
        return cls(actor=e.actor, kind=e.kind, number=e.number, candidacy_id=e.candidacy_id, on=e.on)

    def check_names(self, kind: str, number: str, candidacy_id: UUID) -> None:
        """The issuing act's check: this claim is for exactly that number and candidacy."""
        decider.check_names(decider.ClaimedNumber(self.kind, self.number, self.candidacy_id, self.issued_on),
                          kind, number, candidacy_id)

    @event("Claimed")
    def __init__(self, *, actor: str, kind: str, number: str, candidacy_id: UUID, on: date) -> None:
        self.kind = kind
        self.number = number
        self.candidacy_id = candidacy_id
        self.issued_on = on
