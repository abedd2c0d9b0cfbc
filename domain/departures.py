"""Rules that say "generally" (一般): the norm by default, a departure only signed, with its reason.

Three periods of the 2024 notice are worded as norms, not bars: the publicity "一般不少于10天"
(R-5), supplementary verification and appeals "一般安排在考试成绩发布后两个月内" (R-8), and the
mailing reservation "一般为考后核查结果发布后30天内" (R-16). An act outside such a period is
refused unless the responsible unit records it as a departure (``--exception REASON``): the
reason is a field of the act's own event, so it is signed with the act, replayed by ``verify``
and listed in the exceptions register. R-6's 15 days and R-17's five years have no 一般 and stay
absolute: :func:`generally` refuses a departure from them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from certledger.domain.acts import declarations
from certledger.domain.errors import InputError, RuleViolation

# rule -> the notice's words that make it a norm (2024 notice, §1(2) and §2(2)).
GENERALLY = {
    "R-5": "公示时间一般不少于10天",
    "R-8": "补充资格核查和接受申辩一般安排在考试成绩发布后两个月内集中完成",
    "R-16": "证书预约期一般为考后核查结果发布后30天内",
}


def generally(holds: bool, rule: str, message: str, exception: str | None) -> str | None:
    """Check a "generally" rule: the norm ``holds``, or the act is a departure with a reason.

    Returns the departure's reason (stripped) to record in the event, or None when the act
    keeps the norm. An exception given to an act that keeps the norm is refused: the register
    must hold only real departures."""
    if rule not in GENERALLY:
        raise ValueError(f"{rule} is not a 'generally' rule")  # a programming error
    if exception is not None:
        exception = exception.strip()
        if not exception:
            raise InputError(f"--exception needs a reason: why does this act depart from {rule} ({GENERALLY[rule]})?")
    if holds:
        if exception is not None:
            raise InputError(f"this act keeps {rule}'s norm: record it without --exception")
        return None
    if exception is None:
        raise RuleViolation(
            rule,
            f"{message}; the notice says 一般 (generally): the responsible unit may depart from it "
            "only as an exception with its reason (--exception REASON)",
        )
    return exception


@dataclass(frozen=True)
class Departure:
    """One entry of the exceptions register: an act recorded as a departure."""

    event: str  # the event's class name, e.g. "PublicityPublished"
    term: str  # the act's official name, e.g. 考试成绩合格公示和考后资格核查公告
    rule: str
    actor: str
    on: date
    reason: str


def departures_of(aggregate: Any) -> list[Departure]:
    """The departures recorded on a sitting or candidacy, in order. The rule is the act's one
    "generally" rule, read from its declaration (``@act``)."""
    found = []
    for name, actor, on, reason in aggregate.departures:
        declared = declarations(getattr(type(aggregate), name))
        rules = [r for d in declared for r in d.rules if r in GENERALLY]
        terms = [d.term for d in declared]
        found.append(Departure(name, terms[0] if terms else "", rules[0] if rules else "", actor, on, reason))
    return found
