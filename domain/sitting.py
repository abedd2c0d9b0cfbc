"""An exam sitting (考试): one exam in one year, and the notices published for it.

L-1 (a ledger rule, not the notices'): HRSS or the exam center schedules a sitting; the
exam center alone releases its results, once, after the exam ends.

Holds the dates every deadline counts from: the exam's end, the results release day D,
the announcements of R-5, R-7 and R-9, and the R-17 custody transfer with its roster.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import event

from certledger.domain.acts import DatedAggregate, Input, Interface, act, departure

from certledger.domain.calendar import add_days, add_months, add_years, day_after, days_inclusive
from certledger.domain.departures import generally
from certledger.domain.errors import InputError
from certledger.domain.exams import Exam, exam
from certledger.domain.notice import check_notice
from certledger.domain.rules import authorised, by_deadline, require
from certledger.domain.trust import LEDGER_NAMESPACE
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


def sitting_id(exam_code: str, year: int) -> UUID:
    return uuid5(LEDGER_NAMESPACE, f"sitting:{exam_code}:{year}")


class ExamSitting(DatedAggregate):
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

    @staticmethod
    def create_id(exam_code: str, year: int) -> UUID:
        return sitting_id(exam_code, year)

    # -- derived dates ---------------------------------------------------------------------

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

    # -- commands --------------------------------------------------------------------------

    @act("Scheduled", rules=("L-1",), term="考试安排", interface=Interface(
        "sitting schedule", "Schedule a sitting of EXAM in YEAR. Prints its reference. A provincial exam's deadlines "
        "come later, from its announcement (R-10: sitting publicity).", by="hrss or exam-center", service="schedule_sitting",
        inputs=(Input("exam_code", "", kind="argument", metavar="EXAM"), Input("year", "", kind="year"),
                Input("exam_end", "The day the exam ends (custody counts from it, R-17).", kind="day"))))
    @classmethod
    def schedule(cls, *, actor: str, exam_code: str, year: int, exam_end: date, on: date) -> ExamSitting:
        """L-1: HRSS or the exam center schedules the sitting. A provincial exam's deadlines
        are not set here: its own post-exam announcement sets them (R-10, see
        :meth:`publish_publicity`)."""
        subject = exam(exam_code)
        authorised(actor, (HRSS, EXAM_CENTER), "L-1", f"schedule a sitting of {subject.name}")
        if not 1990 <= year <= 2100 or exam_end.year != year:
            raise InputError(f"exam end {exam_end.isoformat()} is not in the sitting's year {year}")
        if on > exam_end:
            raise InputError(f"a sitting is scheduled before its exam ends ({exam_end.isoformat()}), not on {on.isoformat()}")
        return cls(actor=actor, exam_code=exam_code, year=year, exam_end=exam_end, on=on)

    @act("ResultsReleased", rules=("L-1",), term="成绩发布", interface=Interface(
        "sitting release", "Release the sitting's results: day D.", by="exam-center", service="release_results"))
    def release_results(self, *, actor: str, on: date) -> None:
        """Day D: the exam center releases the results."""
        authorised(actor, (EXAM_CENTER,), "L-1", "release exam results")
        require(self.results_released_on is None, "L-1", f"results of {self.label} were released on {self.results_released_on}")
        require(on > self.exam_end, "L-1", f"results cannot be released on {on}, before the exam ends {self.exam_end}")
        self._results_released(actor=actor, on=on)

    @act("PublicityPublished", rules=("R-5", "R-10"), term="考试成绩合格公示和考后资格核查公告", interface=Interface(
        "sitting publicity", "Publish the joint pass publicity and verification announcement (R-5): HRSS and the "
        "provincial unit each publish it, with the same period. For a provincial exam it sets the results deadline "
        "(R-10); the second publisher may omit it.", by="hrss and the exam's provincial unit, each",
        service="publish_publicity",
        inputs=(Input("starts", "First day of the publicity.", kind="day"),
                Input("ends", "Last day (generally at least 10 days in all, R-5).", kind="day"),
                Input("verification_due", "Provincial exams only, required there: the deadline for reporting the "
                      "verification results that this announcement sets (R-10).", kind="optional-day"),
                Input("supplementary_due", "Provincial exams only: the close of supplementary verification and "
                      "appeals, if the announcement sets it (R-10; otherwise two months after D).", kind="optional-day"),
                departure("R-5's 10 days", "each publisher"))))
    def publish_publicity(self, *, actor: str, starts: date, ends: date, on: date,
                          verification_due: date | None = None, supplementary_due: date | None = None,
                          exception: str | None = None, notice: dict[str, Any] | None = None) -> None:
        """R-5: 考试成绩合格公示和考后资格核查公告, published jointly by HRSS and the provincial
        unit: each signs its own publication event; it stands once both have. A publicity
        shorter than 10 days is a departure (一般): each publisher signs its reason.

        R-10: for a provincial exam "核查结果报送时限以考后资格核查公告为准" — this announcement
        sets the results deadline (and may set the close of the supplementary round); a
        national exam's are the notice's own (15 days, two months) and none may be given."""
        unit = provincial_unit(self.exam)
        authorised(actor, (HRSS, unit), "R-5", "publish the pass publicity and verification announcement")
        D = self.require_results_released("R-5", "publicity")
        require(actor not in self.publicity_published_by, "R-5", f"{actor} has already published this publicity")
        require(starts >= D and on >= D, "R-5", f"publicity cannot start before results release {D}")
        require(on <= starts, "R-5", f"publicity starting {starts} cannot be published later, on {on}")
        days = days_inclusive(starts, ends)
        require(days >= 1, "R-5", f"publicity {starts}..{ends} ends before it starts")
        if self.publicity is not None:
            require(self.publicity == (starts, ends), "R-5", f"the joint publicity runs {self.publicity[0]}..{self.publicity[1]}; both publishers must give that period")
        verification_due, supplementary_due = self._announced_deadlines(verification_due, supplementary_due, on)
        exception = generally(days >= PUBLICITY_MIN_DAYS, "R-5", f"publicity lasts at least {PUBLICITY_MIN_DAYS} days; {starts}..{ends} is {days}", exception)
        self._publicity_published(actor=actor, starts=starts, ends=ends, on=on, verification_due=verification_due,
                                  supplementary_due=supplementary_due, exception=exception, notice=check_notice(notice))

    def _announced_deadlines(self, verification_due: date | None, supplementary_due: date | None,
                             on: date) -> tuple[date | None, date | None]:
        """R-10: the deadlines a provincial exam's announcement sets. The second publisher of
        the joint announcement repeats the first's (or gives none and takes them)."""
        if not self.exam.provincial:
            require(verification_due is None and supplementary_due is None, "R-10",
                    f"{self.exam.name} is a national exam: its deadlines are the notice's (15 days, two months "
                    "after results release), not an announced date")
            return None, None
        if self.publicity_published_by:
            given = (verification_due or self.announced_verification_due, supplementary_due or self.announced_supplementary_due)
            require(given == (self.announced_verification_due, self.announced_supplementary_due), "R-10",
                    f"the joint announcement already set the results deadline {_iso(self.announced_verification_due)} "
                    f"and the supplementary close {_iso(self.announced_supplementary_due)}; both publishers give the same")
            return given
        require(verification_due is not None, "R-10",
                f"{self.exam.name} is organised by the province: its 考后资格核查公告 sets the deadline for reporting "
                "the verification results (give verification_due / --verification-due)")
        assert verification_due is not None and self.results_released_on is not None
        require(verification_due > self.results_released_on and verification_due >= on, "R-10",
                f"the announced results deadline {verification_due.isoformat()} must fall after results release "
                f"{self.results_released_on.isoformat()} and not before the announcement ({on.isoformat()})")
        if supplementary_due is not None:
            require(supplementary_due >= verification_due, "R-10",
                    f"the supplementary round ({supplementary_due.isoformat()}) cannot close before the first "
                    f"round's results are due ({verification_due.isoformat()})")
        return verification_due, supplementary_due

    @property
    def publicity_is_joint(self) -> bool:
        return {HRSS, provincial_unit(self.exam)} <= set(self.publicity_published_by)

    @act("VerificationResultsReported", rules=("R-6", "R-10"), term="核查结果报送", interface=Interface(
        "sitting report-results", "Report the verification results to HRSS (R-6: within 15 days of D; R-10: a "
        "provincial exam's own deadline). The results announcement follows it.", by="the exam's provincial unit",
        service="report_verification_results"))
    def report_verification_results(self, *, actor: str, on: date, notice: dict[str, Any] | None = None) -> None:
        """R-6: the provincial unit reports the verification results to HRSS, within 15 days of
        D (R-10: a provincial exam's own deadline). The results announcement follows it."""
        authorised(actor, (provincial_unit(self.exam),), "R-6", "report the verification results to HRSS")
        D = self.require_results_released("R-6", "results report")
        require(self.results_reported_on is None, "R-6", f"the verification results were reported on {self.results_reported_on}")
        require(on >= D, "R-6", f"the results report cannot precede results release {D}")
        due = self.verification_due
        require(due is not None, "R-10", f"{self.exam.name} is organised by the province: the results deadline is "
                "set by its 考后资格核查公告 (R-5), not yet published")
        assert due is not None
        by_deadline(on, due, "R-6", "the results report", "15 days after results release" if not self.exam.provincial else "R-10")
        self._verification_results_reported(actor=actor, on=on, notice=check_notice(notice))

    @act("VerificationResultsAnnounced", rules=("R-7",), term="考后资格核查结果公告", interface=Interface(
        "sitting announce-results", "Publish the verification results announcement (R-7).",
        by="the exam's provincial unit", service="announce_verification_results",
        inputs=(departure("R-8's two months (the period this announcement opens)", "the provincial unit"),)))
    def announce_verification_results(self, *, actor: str, on: date, exception: str | None = None,
                                      notice: dict[str, Any] | None = None) -> None:
        """R-7: the provincial unit's 考后资格核查结果公告. It opens the supplementary
        verification and appeals of R-8's period: after that period only as an exception."""
        authorised(actor, (provincial_unit(self.exam),), "R-7", "announce the verification results")
        self.require_results_released("R-7", "results announcement")
        require(self.publicity_is_joint, "R-7", "the joint publicity (R-5) must be published by HRSS and the provincial unit first")
        require(self.results_announced_on is None, "R-7", f"verification results were announced on {self.results_announced_on}")
        assert self.publicity is not None
        require(on >= self.publicity[0], "R-7", f"cannot announce results on {on}, before the publicity starts {self.publicity[0]}")
        # The announcement informs each candidate of the result reported to HRSS: after the
        # report, or once its deadline has passed (the unreported are then 报考条件待核查).
        due_by = self.verification_due
        assert due_by is not None
        reported = self.results_reported_on is not None and self.results_reported_on <= on
        require(reported or on > due_by, "R-7",
                f"the results announcement follows the results report to HRSS (R-6), not recorded, or its deadline "
                f"{due_by.isoformat()}; this act is dated {on.isoformat()}")
        due = self.supplementary_due
        assert due is not None
        why = "two months after results release" if not self.announced_supplementary_due else "as announced, R-10"
        exception = generally(
            on <= due, "R-8",
            f"the window for the supplementary verification and appeals this announcement opens closed on "
            f"{due.isoformat()} ({why}); this act is dated {on.isoformat()}", exception,
        )
        self._verification_results_announced(actor=actor, on=on, exception=exception, notice=check_notice(notice))

    @act("SupplementaryResultsSubmitted", rules=("R-9",), term="补充资格核查结果报送", interface=Interface(
        "sitting submit-supplementary", "Submit the supplementary verification results to HRSS (R-9): after R-8's "
        "period, or before its end once no candidate awaits supplementary verification.",
        by="the exam's provincial unit", service="submit_supplementary_results"))
    def submit_supplementary_results(self, *, actor: str, on: date, awaiting: tuple[str, ...] | None = None,
                                     notice: dict[str, Any] | None = None) -> None:
        """R-9: the provincial unit submits the supplementary results to HRSS. ``awaiting``:
        the candidates still to be verified in the round on ``on``
        (:meth:`Candidacy.awaits_supplementary_on`, listed by the ledger and signed with the
        act). Before R-8's period ends the round is over only when there are none."""
        authorised(actor, (provincial_unit(self.exam),), "R-9", "submit supplementary results to HRSS")
        require(self.results_announced_on is not None, "R-9", "there is no supplementary round before the results announcement (R-7)")
        require(self.supplementary_submitted_on is None, "R-9", f"supplementary results were submitted on {self.supplementary_submitted_on}")
        assert self.results_announced_on is not None
        require(on >= self.results_announced_on, "R-9", "supplementary results cannot precede the results announcement")
        due = self.supplementary_due
        assert due is not None
        if on <= due:
            waiting = ", ".join(awaiting or ()) if awaiting is not None else "not listed"
            require(awaiting == (), "R-9", f"the supplementary round runs until {due.isoformat()} (R-8) and candidates still "
                    f"await supplementary verification on {on.isoformat()} ({waiting}): its results are submitted after "
                    "the round, or once none awaits it")
        self._supplementary_results_submitted(actor=actor, on=on, awaiting=None if awaiting is None else tuple(awaiting),
                                              notice=check_notice(notice))

    @act("SupplementaryResultsAnnounced", rules=("R-9",), term="补充资格核查结果公告", interface=Interface(
        "sitting announce-supplementary", "Publish the supplementary results announcement (R-9).",
        by="the exam's provincial unit", service="announce_supplementary_results"))
    def announce_supplementary_results(self, *, actor: str, on: date, notice: dict[str, Any] | None = None) -> None:
        authorised(actor, (provincial_unit(self.exam),), "R-9", "announce the supplementary results")
        require(self.supplementary_submitted_on is not None, "R-9", "submit the supplementary results to HRSS first")
        require(self.supplementary_announced_on is None, "R-9", f"supplementary results were announced on {self.supplementary_announced_on}")
        assert self.supplementary_submitted_on is not None
        require(on >= self.supplementary_submitted_on, "R-9", "the announcement cannot precede the submission")
        self._supplementary_results_announced(actor=actor, on=on, notice=check_notice(notice))

    @act("CustodyTransferred", rules=("R-17",), term="登记造册移交", interface=Interface(
        "sitting transfer-custody", "Register the unclaimed paper certificates in a roster (登记造册) and transfer "
        "them to HRSS, from the day after the 5 years from the exam's end (R-17, C-1). Prints the roster.", by="the unit holding them",
        service="transfer_custody"))
    def transfer_custody(self, *, actor: str, roster: tuple[UUID, ...], on: date,
                         notice: dict[str, Any] | None = None) -> None:
        """R-17: after 5 years the provincial unit registers the unclaimed certificates in a
        roster (登记造册) and transfers them to HRSS."""
        authorised(actor, (provincial_unit(self.exam),), "R-17", "transfer unclaimed certificates to HRSS")
        require(
            on >= self.transfer_from,
            "R-17",
            f"unclaimed certificates stay with the unit for 5 years from the exam's end "
            f"{self.exam_end.isoformat()}, until {self.custody_until.isoformat()} (保管期满); after it (C-1): "
            f"transfer from {self.transfer_from.isoformat()}, not {on.isoformat()}",
        )
        require(self.custody_transferred_on is None, "R-17", f"custody was transferred on {self.custody_transferred_on}")
        self._custody_transferred(actor=actor, roster=tuple(roster), on=on, notice=check_notice(notice))

    # -- events ----------------------------------------------------------------------------

    @event("Scheduled")
    def __init__(
        self,
        *,
        actor: str,
        exam_code: str,
        year: int,
        exam_end: date,
        on: date,
    ) -> None:
        self.exam_code = exam_code
        self.year = year
        self.scheduled_on = on
        self.exam_end = exam_end

    @event("ResultsReleased")
    def _results_released(self, *, actor: str, on: date) -> None:
        self.results_released_on = on

    @event("PublicityPublished")
    def _publicity_published(self, *, actor: str, starts: date, ends: date, on: date, verification_due: date | None = None,
                             supplementary_due: date | None = None, exception: str | None = None,
                             notice: dict[str, Any] | None = None) -> None:
        self.publicity = (starts, ends)
        self.announced_verification_due = verification_due
        self.announced_supplementary_due = supplementary_due
        self.publicity_published_by = (*self.publicity_published_by, actor)

    @event("VerificationResultsReported")
    def _verification_results_reported(self, *, actor: str, on: date, notice: dict[str, Any] | None = None) -> None:
        self.results_reported_on = on

    @event("VerificationResultsAnnounced")
    def _verification_results_announced(self, *, actor: str, on: date, exception: str | None = None,
                                        notice: dict[str, Any] | None = None) -> None:
        self.results_announced_on = on

    @event("SupplementaryResultsSubmitted")
    def _supplementary_results_submitted(self, *, actor: str, on: date, awaiting: tuple[str, ...] | None = None,
                                         notice: dict[str, Any] | None = None) -> None:
        self.supplementary_submitted_on = on

    @event("SupplementaryResultsAnnounced")
    def _supplementary_results_announced(self, *, actor: str, on: date, notice: dict[str, Any] | None = None) -> None:
        self.supplementary_announced_on = on

    @event("CustodyTransferred")
    def _custody_transferred(self, *, actor: str, roster: tuple[UUID, ...], on: date,
                             notice: dict[str, Any] | None = None) -> None:
        self.custody_transferred_on = on
        self.custody_roster = tuple(roster)



def _without_notice(fields: dict[str, Any]) -> None:
    fields["notice"] = None  # written before publishing acts signed their notice


# The acts that publish a notice sign its content (version 2, domain.notice); events written
# before carry none.
for _publishing in (ExamSitting.PublicityPublished, ExamSitting.VerificationResultsAnnounced,
                    ExamSitting.CustodyTransferred, ExamSitting.VerificationResultsReported,
                    ExamSitting.SupplementaryResultsSubmitted, ExamSitting.SupplementaryResultsAnnounced):
    _publishing.class_version = 2
    _publishing.upcast_v1_v2 = staticmethod(_without_notice)


def _awaiting_not_listed(fields: dict[str, Any]) -> None:
    fields["awaiting"] = None  # written before the submission listed who still awaited the round


# Version 3 lists the candidates still awaiting the supplementary round (R-9's early submission).
ExamSitting.SupplementaryResultsSubmitted.class_version = 3
ExamSitting.SupplementaryResultsSubmitted.upcast_v2_v3 = staticmethod(_awaiting_not_listed)

def _iso(day: date | None) -> str:
    return day.isoformat() if day else "(none)"
