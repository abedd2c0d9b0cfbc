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
from certledger.domain.deciders import sitting as decider
from certledger.domain.deciders.sitting import SittingDates
from certledger.domain.trust import LEDGER_NAMESPACE

# The rules and their periods are the decider's (domain/deciders/sitting.py); re-exported.
from certledger.domain.deciders.sitting import (  # noqa: F401
    APPEAL_MIN_DAYS, CUSTODY_YEARS, MAILING_DAYS, PUBLICITY_MIN_DAYS, RESULTS_DUE_DAYS, SUPPLEMENTARY_MONTHS,
)


def sitting_id(exam_code: str, year: int) -> UUID:
    return uuid5(LEDGER_NAMESPACE, f"sitting:{exam_code}:{year}")


class ExamSitting(DatedAggregate, SittingDates):
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
        (e,) = decider.decide(None, decider.Schedule(actor, exam_code, year, exam_end, on))
        return cls(actor=e.actor, exam_code=e.exam_code, year=e.year, exam_end=e.exam_end, on=e.on)


    @act("ResultsReleased", rules=("L-1",), term="成绩发布", interface=Interface(
        "sitting release", "Release the sitting's results: day D.", by="exam-center", service="release_results"))
    def release_results(self, *, actor: str, on: date) -> None:
        """Day D: the exam center releases the results."""
        (e,) = decider.decide(self, decider.ReleaseResults(actor, on))
        self._results_released(actor=e.actor, on=e.on)


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
        (e,) = decider.decide(self, decider.PublishPublicity(actor, starts, ends, on, verification_due, supplementary_due,
                                                             exception, notice))
        self._publicity_published(actor=e.actor, starts=e.starts, ends=e.ends, on=e.on, verification_due=e.verification_due,
                                  supplementary_due=e.supplementary_due, exception=e.exception, notice=e.notice)


    @act("VerificationResultsReported", rules=("R-6", "R-10"), term="核查结果报送", interface=Interface(
        "sitting report-results", "Report the verification results to HRSS (R-6: within 15 days of D; R-10: a "
        "provincial exam's own deadline). The results announcement follows it.", by="the exam's provincial unit",
        service="report_verification_results"))
    def report_verification_results(self, *, actor: str, on: date, notice: dict[str, Any] | None = None) -> None:
        """R-6: the provincial unit reports the verification results to HRSS, within 15 days of
        D (R-10: a provincial exam's own deadline). The results announcement follows it."""
        (e,) = decider.decide(self, decider.ReportResults(actor, on, notice))
        self._verification_results_reported(actor=e.actor, on=e.on, notice=e.notice)


    @act("VerificationResultsAnnounced", rules=("R-7",), term="考后资格核查结果公告", interface=Interface(
        "sitting announce-results", "Publish the verification results announcement (R-7).",
        by="the exam's provincial unit", service="announce_verification_results",
        inputs=(departure("R-8's two months (the period this announcement opens)", "the provincial unit"),)))
    def announce_verification_results(self, *, actor: str, on: date, exception: str | None = None,
                                      notice: dict[str, Any] | None = None) -> None:
        """R-7: the provincial unit's 考后资格核查结果公告. It opens the supplementary
        verification and appeals of R-8's period: after that period only as an exception."""
        (e,) = decider.decide(self, decider.AnnounceResults(actor, on, exception, notice))
        self._verification_results_announced(actor=e.actor, on=e.on, exception=e.exception, notice=e.notice)


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
        (e,) = decider.decide(self, decider.SubmitSupplementary(actor, on, awaiting, notice))
        self._supplementary_results_submitted(actor=e.actor, on=e.on, awaiting=e.awaiting, notice=e.notice)


    @act("SupplementaryResultsAnnounced", rules=("R-9",), term="补充资格核查结果公告", interface=Interface(
        "sitting announce-supplementary", "Publish the supplementary results announcement (R-9).",
        by="the exam's provincial unit", service="announce_supplementary_results"))
    def announce_supplementary_results(self, *, actor: str, on: date, notice: dict[str, Any] | None = None) -> None:
        (e,) = decider.decide(self, decider.AnnounceSupplementary(actor, on, notice))
        self._supplementary_results_announced(actor=e.actor, on=e.on, notice=e.notice)


    @act("CustodyTransferred", rules=("R-17",), term="登记造册移交", interface=Interface(
        "sitting transfer-custody", "Register the unclaimed paper certificates in a roster (登记造册) and transfer "
        "them to HRSS, from the day after the 5 years from the exam's end (R-17, C-1). Prints the roster.", by="the unit holding them",
        service="transfer_custody"))
    def transfer_custody(self, *, actor: str, roster: tuple[UUID, ...], on: date,
                         notice: dict[str, Any] | None = None) -> None:
        """R-17: after 5 years the provincial unit registers the unclaimed certificates in a
        roster (登记造册) and transfers them to HRSS."""
        (e,) = decider.decide(self, decider.TransferCustody(actor, tuple(roster), on, notice))
        self._custody_transferred(actor=e.actor, roster=e.roster, on=e.on, notice=e.notice)


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
