"""``cert verify FILE --id-number N``: does the holder's document belong to the person whose ID
card says N (rule L-7)? The document's seal covers a salted commitment to the holder's full
id number; the holder's copy (PDF, credential) carries the salt, so N and the salt must give
that commitment (:func:`domain.id_number.binds`, the one definition).

Exit 0 when N matches; 1 when it does not, or when the document seals no commitment (a
registration with the masked id only: the binding is not available, nothing can say "yes");
2 when N is no well-formed full number.
"""

from __future__ import annotations

from dataclasses import dataclass

from certledger.domain.errors import TamperError
from certledger.domain.id_number import binds, full_id_number, masked

MATCHES = "matches"
DOES_NOT_MATCH = "does not match"
NO_COMMITMENT = "no commitment"


@dataclass(frozen=True)
class IdCheck:
    result: str  # MATCHES | DOES_NOT_MATCH | NO_COMMITMENT
    line: str  # what to print, English with the official term

    def to_json(self) -> dict[str, str]:
        return {"result": self.result, "message": self.line}

    def raise_unless_matched(self, what: str) -> None:
        if self.result != MATCHES:
            raise TamperError(f"L-7: {what}: {self.line}")


def given_number(text: str) -> str:
    """The number the relying party typed: a full number (L-7), or RuleViolation (exit 2)."""
    return full_id_number(text)


def check(given: str, commitment: str | None, salt: bytes | None) -> IdCheck:
    """N against the document's sealed ``commitment`` and carried ``salt`` (None: absent)."""
    shown = masked(given)
    if not commitment:
        return IdCheck(NO_COMMITMENT, "the document seals no commitment to the holder's id number (registered with "
                                      "the masked form only): the binding is not available (身份证号未绑定), "
                                      f"{shown} cannot be checked")
    if salt is None:
        return IdCheck(NO_COMMITMENT, "the document seals a commitment but does not carry its salt (not the holder's "
                                      f"copy): {shown} cannot be checked")
    if binds(commitment, salt, given):
        return IdCheck(MATCHES, f"身份证号 matches (身份证号一致): {shown} with the salt the document carries gives "
                                "the commitment under its seal")
    return IdCheck(DOES_NOT_MATCH, f"身份证号 does not match (身份证号不一致): {shown} with the salt the document "
                                   "carries does not give the commitment under its seal")
