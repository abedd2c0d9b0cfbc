"""考试, an exam sitting, as a decider: the rules of :class:`domain.sitting.ExamSitting` (L-1,
R-5…R-10, R-17) over plain data, and the dates every deadline counts from
(:class:`SittingDates`, shared by the aggregate and :class:`SittingState`, so each is
computed once).

``decide(state, command)`` reads only the state's fields and dates: it takes the aggregate
itself as well as a :class:`SittingState`. The business-date checks every act shares (L-2:
not later than the write time, not before the latest act) stay with the act, which knows
the clock.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any, Union
from uuid import UUID

from certledger.domain.calendar import add_days, add_months, add_years, day_after, days_inclusive
from certledger.domain.departures import generally
from certledger.domain.errors import InputError
from certledger.domain.exams import Exam, exam
from certledger.domain.notice import check_notice
from certledger.domain.rules import authorised, by_deadline, require
from certledger.domain.units import EXAM_CENTER, HRSS, provincial_unit

PUBLICITY_MIN_DAYS = 10
RESULTS_DUE_DAYS = 15
SUPPLEMENTARY_MONTHS = 2
MAILING_DAYS = 30
# 2024 §一(二)¶6: the results announcement opens the appeals ("接受…申辩"). However late it is,
# it leaves the candidate at least this many days to appeal (our reading: the notices give
# no period of their own here; 10 days is R-5's, the time a notice is given to be read).
APPEAL_MIN_DAYS = 10
CUSTODY_YEARS = 5


class SittingDates:
    """The dates a sitting's deadlines count from, derived from its recorded fields."""

    # Reads exam_code, year, exam_end, announced_*_due, results_released_on, publicity,
    # publicity_published_by and results_announced_on (declared by each class that mixes
    # it in; not annotated here, as the aggregate's base class reads annotations).
    __slots__ = ()

    @property
    def exam(self) -> Exam:
        return exam(self.exam_code)

    @property
    def label(self) -> str:
        return f"{self.exam.name} {self.year}"

    @property
    def verification_due(self) -> date | None:
        """R-6: 15 days after D; R-10: a provincial exam's date, as its post-exam announcement
        set it (None until that announcement is published)."""
        if self.results_released_on is None:
            return None
        if self.exam.provincial:
            return self.announced_verification_due
        return add_days(self.results_released_on, RESULTS_DUE_DAYS)

    @property
    def supplementary_due(self) -> date | None:
        """R-8: supplementary verification and appeals close two months after D."""
        if self.results_released_on is None:
            return None
        if self.exam.provincial and self.announced_supplementary_due is not None:
            return self.announced_supplementary_due
        return add_months(self.results_released_on, SUPPLEMENTARY_MONTHS)

    @property
    def appeal_due(self) -> date | None:
        """R-7, R-8: the last day a 申辩 is received. The results announcement opens the
        appeals (2024 §一(二)¶6), so they close with R-8's period, but never sooner than
        ``APPEAL_MIN_DAYS`` after the announcement: one published late (a signed R-8
        departure) still gives the candidate real time to answer."""
        due = self.supplementary_due
        if due is None or self.results_announced_on is None:
            return due
        return max(due, add_days(self.results_announced_on, APPEAL_MIN_DAYS))

    @property
    def appeal_window(self) -> str:
        """Why the appeal window closes on :attr:`appeal_due` (for refusals and notices)."""
        due, announced = self.appeal_due, self.results_announced_on
        if announced is not None and due is not None and due != self.supplementary_due:
            return f"{APPEAL_MIN_DAYS} days after the results announcement {announced.isoformat()}, which opens appeals"
        if self.exam.provincial and self.announced_supplementary_due:
            return "as the exam's own announcement set, R-10"
        return f"two months after results release {self.results_released_on}"

    @property
    def mailing_due(self) -> date | None:
        """R-16: reservations normally within 30 days of the results announcement."""
        if self.results_announced_on is None:
            return None
        return add_days(self.results_announced_on, MAILING_DAYS)

    @property
    def custody_until(self) -> date:
        """R-17: the last day of custody, 5 years from the exam's end date (C-1: the end day
        itself not counted)."""
        return add_years(self.exam_end, CUSTODY_YEARS)

    @property
    def transfer_from(self) -> date:
        """R-17: "保管期满后…移交": the first day the transfer is allowed, the day after custody
        ends (C-1)."""
        return day_after(self.custody_until)

    def require_results_released(self, rule: str, act: str) -> date:
        require(self.results_released_on is not None, rule, f"results of {self.label} are not released yet: no {act}")
        assert self.results_released_on is not None
        return self.results_released_on

    @property
    def publicity_is_joint(self) -> bool:
        return {HRSS, provincial_unit(self.exam)} <= set(self.publicity_published_by)



@dataclass(frozen=True, slots=True)
class SittingState(SittingDates):
    exam_code: str
    year: int
    exam_end: date
    scheduled_on: date
    announced_verification_due: date | None = None  # set by a provincial exam's announcement
    announced_supplementary_due: date | None = None
    results_released_on: date | None = None
    publicity: tuple[date, date] | None = None
    publicity_published_by: tuple[str, ...] = ()
    results_reported_on: date | None = None
    results_announced_on: date | None = None
    supplementary_submitted_on: date | None = None
    supplementary_announced_on: date | None = None
    custody_transferred_on: date | None = None
    custody_roster: tuple[UUID, ...] = ()


# -- commands ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Schedule:
    actor: str
    exam_code: str
    year: int
    exam_end: date
    on: date


@dataclass(frozen=True, slots=True)
class ReleaseResults:
    actor: str
    on: date


@dataclass(frozen=True, slots=True)
class PublishPublicity:
    actor: str
    starts: date
    ends: date
    on: date
    verification_due: date | None = None
    supplementary_due: date | None = None
    exception: str | None = None
    notice: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class ReportResults:
    actor: str
    on: date
    notice: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class AnnounceResults:
    actor: str
    on: date
    exception: str | None = None
    notice: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class SubmitSupplementary:
    actor: str
    on: date
    awaiting: tuple[str, ...] | None = None
    notice: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class AnnounceSupplementary:
    actor: str
    on: date
    notice: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class TransferCustody:
    actor: str
    roster: tuple[UUID, ...]
    on: date
    notice: dict[str, Any] | None = None


# -- events (the stored events' fields: ExamSitting.Scheduled, …) --------------------------


@dataclass(frozen=True, slots=True)
class Scheduled:
    actor: str
    exam_code: str
    year: int
    exam_end: date
    on: date


@dataclass(frozen=True, slots=True)
class ResultsReleased:
    actor: str
    on: date


@dataclass(frozen=True, slots=True)
class PublicityPublished:
    actor: str
    starts: date
    ends: date
    on: date
    verification_due: date | None
    supplementary_due: date | None
    exception: str | None
    notice: dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class VerificationResultsReported:
    actor: str
    on: date
    notice: dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class VerificationResultsAnnounced:
    actor: str
    on: date
    exception: str | None
    notice: dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class SupplementaryResultsSubmitted:
    actor: str
    on: date
    awaiting: tuple[str, ...] | None
    notice: dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class SupplementaryResultsAnnounced:
    actor: str
    on: date
    notice: dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class CustodyTransferred:
    actor: str
    roster: tuple[UUID, ...]
    on: date
    notice: dict[str, Any] | None


Command = Union[Schedule, ReleaseResults, PublishPublicity, ReportResults, AnnounceResults, SubmitSupplementary,
                AnnounceSupplementary, TransferCustody]
Event = Union[Scheduled, ResultsReleased, PublicityPublished, VerificationResultsReported, VerificationResultsAnnounced,
              SupplementaryResultsSubmitted, SupplementaryResultsAnnounced, CustodyTransferred]


def decide(state: SittingDates | None, command: Command) -> tuple[Event, ...]:
    """The event ``command`` records on ``state`` (None before the sitting is scheduled), or
    the refusal (RuleViolation, InputError) naming the rule."""
    if isinstance(command, Schedule):
        require(state is None, "L-1", "this sitting is scheduled already")
        return (_schedule(command),)
    require(state is not None, "L-1", "no such sitting is scheduled")
    assert state is not None
    return (_DECIDE[type(command)](state, command),)


def _schedule(c: Schedule) -> Scheduled:
    """L-1: HRSS or the exam center schedules the sitting. A provincial exam's deadlines
    are not set here: its own post-exam announcement sets them (R-10)."""
    subject = exam(c.exam_code)
    authorised(c.actor, (HRSS, EXAM_CENTER), "L-1", f"schedule a sitting of {subject.name}")
    if not 1990 <= c.year <= 2100 or c.exam_end.year != c.year:
        raise InputError(f"exam end {c.exam_end.isoformat()} is not in the sitting's year {c.year}")
    if c.on > c.exam_end:
        raise InputError(f"a sitting is scheduled before its exam ends ({c.exam_end.isoformat()}), not on {c.on.isoformat()}")
    return Scheduled(c.actor, c.exam_code, c.year, c.exam_end, c.on)


def _release(s: Any, c: ReleaseResults) -> ResultsReleased:
    """Day D: the exam center releases the results."""
    authorised(c.actor, (EXAM_CENTER,), "L-1", "release exam results")
    require(s.results_released_on is None, "L-1", f"results of {s.label} were released on {s.results_released_on}")
    require(c.on > s.exam_end, "L-1", f"results cannot be released on {c.on}, before the exam ends {s.exam_end}")
    return ResultsReleased(c.actor, c.on)


def _publicity(s: Any, c: PublishPublicity) -> PublicityPublished:
    """R-5: 考试成绩合格公示和考后资格核查公告, published jointly by HRSS and the provincial
    unit: each signs its own publication event; it stands once both have. A publicity
    shorter than 10 days is a departure (一般): each publisher signs its reason.

    R-10: for a provincial exam "核查结果报送时限以考后资格核查公告为准" — this announcement
    sets the results deadline (and may set the close of the supplementary round); a
    national exam's are the notice's own (15 days, two months) and none may be given."""
    unit = provincial_unit(s.exam)
    authorised(c.actor, (HRSS, unit), "R-5", "publish the pass publicity and verification announcement")
    D = s.require_results_released("R-5", "publicity")
    require(c.actor not in s.publicity_published_by, "R-5", f"{c.actor} has already published this publicity")
    require(c.starts >= D and c.on >= D, "R-5", f"publicity cannot start before results release {D}")
    require(c.on <= c.starts, "R-5", f"publicity starting {c.starts} cannot be published later, on {c.on}")
    days = days_inclusive(c.starts, c.ends)
    require(days >= 1, "R-5", f"publicity {c.starts}..{c.ends} ends before it starts")
    if s.publicity is not None:
        require(s.publicity == (c.starts, c.ends), "R-5", f"the joint publicity runs {s.publicity[0]}..{s.publicity[1]}; both publishers must give that period")
    verification_due, supplementary_due = _announced_deadlines(s, c.verification_due, c.supplementary_due, c.on)
    exception = generally(days >= PUBLICITY_MIN_DAYS, "R-5", f"publicity lasts at least {PUBLICITY_MIN_DAYS} days; {c.starts}..{c.ends} is {days}", c.exception)
    return PublicityPublished(c.actor, c.starts, c.ends, c.on, verification_due, supplementary_due, exception,
                              check_notice(c.notice))


def _announced_deadlines(s: Any, verification_due: date | None, supplementary_due: date | None,
                         on: date) -> tuple[date | None, date | None]:
    """R-10: the deadlines a provincial exam's announcement sets. The second publisher of
    the joint announcement repeats the first's (or gives none and takes them)."""
    if not s.exam.provincial:
        require(verification_due is None and supplementary_due is None, "R-10",
                f"{s.exam.name} is a national exam: its deadlines are the notice's (15 days, two months "
                "after results release), not an announced date")
        return None, None
    if s.publicity_published_by:
        given = (verification_due or s.announced_verification_due, supplementary_due or s.announced_supplementary_due)
        require(given == (s.announced_verification_due, s.announced_supplementary_due), "R-10",
                f"the joint announcement already set the results deadline {_iso(s.announced_verification_due)} "
                f"and the supplementary close {_iso(s.announced_supplementary_due)}; both publishers give the same")
        return given
    require(verification_due is not None, "R-10",
            f"{s.exam.name} is organised by the province: its 考后资格核查公告 sets the deadline for reporting "
            "the verification results (give verification_due / --verification-due)")
    assert verification_due is not None and s.results_released_on is not None
    require(verification_due > s.results_released_on and verification_due >= on, "R-10",
            f"the announced results deadline {verification_due.isoformat()} must fall after results release "
            f"{s.results_released_on.isoformat()} and not before the announcement ({on.isoformat()})")
    if supplementary_due is not None:
        require(supplementary_due >= verification_due, "R-10",
                f"the supplementary round ({supplementary_due.isoformat()}) cannot close before the first "
                f"round's results are due ({verification_due.isoformat()})")
    return verification_due, supplementary_due


def _report(s: Any, c: ReportResults) -> VerificationResultsReported:
    """R-6: the provincial unit reports the verification results to HRSS, within 15 days of
    D (R-10: a provincial exam's own deadline). The results announcement follows it."""
    authorised(c.actor, (provincial_unit(s.exam),), "R-6", "report the verification results to HRSS")
    D = s.require_results_released("R-6", "results report")
    require(s.results_reported_on is None, "R-6", f"the verification results were reported on {s.results_reported_on}")
    require(c.on >= D, "R-6", f"the results report cannot precede results release {D}")
    due = s.verification_due
    require(due is not None, "R-10", f"{s.exam.name} is organised by the province: the results deadline is "
            "set by its 考后资格核查公告 (R-5), not yet published")
    assert due is not None
    by_deadline(c.on, due, "R-6", "the results report", "15 days after results release" if not s.exam.provincial else "R-10")
    return VerificationResultsReported(c.actor, c.on, check_notice(c.notice))


def _announce(s: Any, c: AnnounceResults) -> VerificationResultsAnnounced:
    """R-7: the provincial unit's 考后资格核查结果公告. It opens the supplementary
    verification and appeals of R-8's period: after that period only as an exception."""
    authorised(c.actor, (provincial_unit(s.exam),), "R-7", "announce the verification results")
    s.require_results_released("R-7", "results announcement")
    require(s.publicity_is_joint, "R-7", "the joint publicity (R-5) must be published by HRSS and the provincial unit first")
    require(s.results_announced_on is None, "R-7", f"verification results were announced on {s.results_announced_on}")
    assert s.publicity is not None
    require(c.on >= s.publicity[0], "R-7", f"cannot announce results on {c.on}, before the publicity starts {s.publicity[0]}")
    # The announcement informs each candidate of the result reported to HRSS: after the
    # report, or once its deadline has passed (the unreported are then 报考条件待核查).
    due_by = s.verification_due
    assert due_by is not None
    reported = s.results_reported_on is not None and s.results_reported_on <= c.on
    require(reported or c.on > due_by, "R-7",
            f"the results announcement follows the results report to HRSS (R-6), not recorded, or its deadline "
            f"{due_by.isoformat()}; this act is dated {c.on.isoformat()}")
    due = s.supplementary_due
    assert due is not None
    why = "two months after results release" if not s.announced_supplementary_due else "as announced, R-10"
    exception = generally(
        c.on <= due, "R-8",
        f"the window for the supplementary verification and appeals this announcement opens closed on "
        f"{due.isoformat()} ({why}); this act is dated {c.on.isoformat()}", c.exception,
    )
    return VerificationResultsAnnounced(c.actor, c.on, exception, check_notice(c.notice))


def _submit(s: Any, c: SubmitSupplementary) -> SupplementaryResultsSubmitted:
    """R-9: the provincial unit submits the supplementary results to HRSS. ``awaiting``:
    the candidates still to be verified in the round on ``on``
    (:meth:`Candidacy.awaits_supplementary_on`, listed by the ledger and signed with the
    act). Before R-8's period ends the round is over only when there are none."""
    authorised(c.actor, (provincial_unit(s.exam),), "R-9", "submit supplementary results to HRSS")
    require(s.results_announced_on is not None, "R-9", "there is no supplementary round before the results announcement (R-7)")
    require(s.supplementary_submitted_on is None, "R-9", f"supplementary results were submitted on {s.supplementary_submitted_on}")
    assert s.results_announced_on is not None
    require(c.on >= s.results_announced_on, "R-9", "supplementary results cannot precede the results announcement")
    due = s.supplementary_due
    assert due is not None
    if c.on <= due:
        waiting = ", ".join(c.awaiting or ()) if c.awaiting is not None else "not listed"
        require(c.awaiting == (), "R-9", f"the supplementary round runs until {due.isoformat()} (R-8) and candidates still "
                f"await supplementary verification on {c.on.isoformat()} ({waiting}): its results are submitted after "
                "the round, or once none awaits it")
    return SupplementaryResultsSubmitted(c.actor, c.on, None if c.awaiting is None else tuple(c.awaiting),
                                         check_notice(c.notice))


def _announce_supplementary(s: Any, c: AnnounceSupplementary) -> SupplementaryResultsAnnounced:
    authorised(c.actor, (provincial_unit(s.exam),), "R-9", "announce the supplementary results")
    require(s.supplementary_submitted_on is not None, "R-9", "submit the supplementary results to HRSS first")
    require(s.supplementary_announced_on is None, "R-9", f"supplementary results were announced on {s.supplementary_announced_on}")
    assert s.supplementary_submitted_on is not None
    require(c.on >= s.supplementary_submitted_on, "R-9", "the announcement cannot precede the submission")
    return SupplementaryResultsAnnounced(c.actor, c.on, check_notice(c.notice))


def _transfer(s: Any, c: TransferCustody) -> CustodyTransferred:
    """R-17: after 5 years the provincial unit registers the unclaimed certificates in a
    roster (登记造册) and transfers them to HRSS."""
    authorised(c.actor, (provincial_unit(s.exam),), "R-17", "transfer unclaimed certificates to HRSS")
    require(
        c.on >= s.transfer_from,
        "R-17",
        f"unclaimed certificates stay with the unit for 5 years from the exam's end "
        f"{s.exam_end.isoformat()}, until {s.custody_until.isoformat()} (保管期满); after it (C-1): "
        f"transfer from {s.transfer_from.isoformat()}, not {c.on.isoformat()}",
    )
    require(s.custody_transferred_on is None, "R-17", f"custody was transferred on {s.custody_transferred_on}")
    return CustodyTransferred(c.actor, tuple(c.roster), c.on, check_notice(c.notice))


_DECIDE: dict[type, Any] = {
    ReleaseResults: _release, PublishPublicity: _publicity, ReportResults: _report, AnnounceResults: _announce,
    SubmitSupplementary: _submit, AnnounceSupplementary: _announce_supplementary, TransferCustody: _transfer,
}


def evolve(state: SittingState | None, event: Event) -> SittingState:
    if isinstance(event, Scheduled):
        return SittingState(event.exam_code, event.year, event.exam_end, event.on)
    assert state is not None
    if isinstance(event, ResultsReleased):
        return replace(state, results_released_on=event.on)
    if isinstance(event, PublicityPublished):
        return replace(state, publicity=(event.starts, event.ends), announced_verification_due=event.verification_due,
                       announced_supplementary_due=event.supplementary_due,
                       publicity_published_by=(*state.publicity_published_by, event.actor))
    if isinstance(event, VerificationResultsReported):
        return replace(state, results_reported_on=event.on)
    if isinstance(event, VerificationResultsAnnounced):
        return replace(state, results_announced_on=event.on)
    if isinstance(event, SupplementaryResultsSubmitted):
        return replace(state, supplementary_submitted_on=event.on)
    if isinstance(event, SupplementaryResultsAnnounced):
        return replace(state, supplementary_announced_on=event.on)
    return replace(state, custody_transferred_on=event.on, custody_roster=tuple(event.roster))


def _iso(day: date | None) -> str:
    return day.isoformat() if day else "(none)"
