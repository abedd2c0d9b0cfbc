"""A candidacy (报考): one candidate at one sitting, from registration to certificate.

Every act of the two notices about one candidate is a command here; each checks its rule
(R-n) against the candidacy, the sitting's dates and the table, and records one event.
Commands take the business date ``on`` of the act; deadlines are counted from it.
"""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import event

from certledger.domain.publication import DOCUMENT_CHANNEL
from certledger.domain.acts import DatedAggregate, Input, Interface, act, departure
from certledger.domain.certificate import certificate_document
from certledger.domain.certificate_number import CertificateNumber, certificate_number_id
from certledger.domain import order31
from certledger.domain.departures import generally

from certledger.domain.errors import InputError, RuleViolation
from certledger.domain.exams import CONDITIONS, Exam, exam
from certledger.domain.id_number import check_commitment
from certledger.domain.places import check_city
from certledger.domain.rules import authorised, require
from certledger.domain.calendar import add_days
from certledger.domain.sitting import MAILING_DAYS, ExamSitting
from certledger.domain.source import check_source
from certledger.domain.trust import LEDGER_NAMESPACE
from certledger.domain.units import HRSS, EXAM_CENTER, POSTAL, paper_units, provincial_unit, reissue_route, verification_units


class Outcome(str, Enum):
    """A verification result (R-6)."""

    QUALIFIED = "合格"
    UNQUALIFIED = "不合格"
    PENDING = "报考条件待核查"


FORFEITED = "视为放弃"
# R-11 (2024 §1(3)), recorded with a 不合格 that can no longer change.
R11_CONSEQUENCES = "R-11: registration void, fees not refunded; all subject scores of this sitting void; any certificate or pass proof void"
HENAN_POLICY = "henan-policy:"  # 2024 §3(1) "我省相关政策": a 不合格 may cite one, by name


class ReissueKind(str, Enum):
    """R-19: 纸质证书补办 or 信息修改."""

    PAPER_REISSUE = "paper-reissue"
    INFORMATION_CHANGE = "information-change"


class RequestEnd(str, Enum):
    """How a reissue or information-change request ends: 办结, 不予办理, 撤回."""

    COMPLETED = "completed"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"


REQUEST_END_TERMS = {RequestEnd.COMPLETED: "办结", RequestEnd.REFUSED: "不予办理", RequestEnd.WITHDRAWN: "撤回"}


# The platforms of record (R-2, R-16): candidates act through them, not with keys of their own.
# A 申辩 is received by a verification unit of the candidate's exam and city (R-7).
PLATFORMS: dict[str, tuple[str, ...]] = {
    "register": (EXAM_CENTER,),  # 省人事考试中心's online registration system, 网上报名系统
    "reserve_mailing": (HRSS,),  # 省人社厅's certificate reservation platform, 预约邮寄平台
}


# The only events whose handlers may set ``void_on`` (R-11/R-12): a certificate's revocation
# bit can change only at one of these, so the status lists a checkpoint signs need replay
# nothing else (events/status_list.py). A test holds every other event to it.
VOIDING_EVENTS = ("AppealDecided", "SupplementaryVerificationRecorded", "IneligibilityFound", "FraudFound")


def candidacy_id(sitting: UUID, candidate: str) -> UUID:
    return uuid5(LEDGER_NAMESPACE, f"candidacy:{sitting}:{candidate}")


def outcome(text: str) -> Outcome:
    aliases = {"qualified": Outcome.QUALIFIED, "unqualified": Outcome.UNQUALIFIED, "pending": Outcome.PENDING}
    try:
        return aliases.get(text) or Outcome(text)
    except ValueError:
        raise InputError(f"unknown verification result {text!r}: use 合格/qualified, 不合格/unqualified or 报考条件待核查/pending") from None


class Candidacy(DatedAggregate):
    sitting_id: UUID
    exam_code: str
    candidate: str
    city: str
    name: str
    masked_id: str
    level: str
    registered_on: date
    specialty: str = ""  # 专业; also what a state stored before specialties were reads as
    id_commitment: str = ""  # L-7: the salted commitment to the full id number; "" if only masked
    passed: bool | None = None
    scored_on: date | None = None
    scores: tuple[tuple[str, str], ...] = ()
    handed_over_on: date | None = None
    first_result: Outcome | None = None
    first_condition: str | None = None
    first_result_on: date | None = None
    appeal_lodged_on: date | None = None
    appeal_upheld: bool | None = None
    appeal_decided_on: date | None = None
    supplementary_result: Outcome | None = None
    supplementary_condition: str | None = None
    supplementary_on: date | None = None
    forfeited_on: date | None = None
    void_on: date | None = None
    void_reason: str | None = None
    fraud_articles: tuple[int, ...] = ()  # R-12: Order No. 31 Art. 10 and Art. 12, together
    integrity_record_until: date | None = None  # the 诚信档案 entry's last day (Art. 7 by Art. 10)
    fraud_on: date | None = None
    referred_on: date | None = None
    certificate_kind: str | None = None  # "e-certificate" (R-13) or "pass-proof" (R-14)
    certificate_no: str | None = None
    certificate_issued_on: date | None = None
    document_sha256: str | None = None  # the published PDF's SHA-256 (文书发布), once
    document_published_on: date | None = None
    paper_no: str | None = None
    paper_received_on: date | None = None
    mailing_reserved_on: date | None = None
    delivered_on: date | None = None
    # How the last reservation ended without delivery, and when: "returned" (投递失败／退回) or
    # "withdrawn" (撤销预约)
    mailing_ended: str | None = None
    mailing_ended_on: date | None = None
    handed_out_on: date | None = None
    reissue_kind: str | None = None
    reissue_route: tuple[str, ...] = ()
    reissue_at: int = -1  # index into reissue_route of the party now holding the request
    reissue_refusals: int = 0
    reissue_last_on: date | None = None
    reissue_end: str | None = None  # RequestEnd value, once the request has ended

    @staticmethod
    def create_id(sitting_id: UUID, candidate: str) -> UUID:
        return candidacy_id(sitting_id, candidate)

    # -- what the candidacy is now ---------------------------------------------------------

    @property
    def exam(self) -> Exam:
        return exam(self.exam_code)

    def outcome_on(self, day: date, sitting: ExamSitting) -> Outcome | str | None:
        """The verification status as it stands on ``day``, counting only acts dated on or
        before it. A candidate handed over but not reported by the deadline counts as
        报考条件待核查 (R-6); one still not verified when the supplementary period ends is
        deemed to have forfeited (视为放弃, R-8) from the next day, recorded or not."""
        if self.forfeited_on is not None and day >= self.forfeited_on:
            return FORFEITED
        status = self.verification_status_on(day, sitting)
        deemed = self.deemed_forfeited_from(sitting)
        if deemed is not None and day >= deemed and (status is Outcome.PENDING or (status is None and not _on_or_before(self.handed_over_on, day))):
            return FORFEITED
        return status

    def deemed_forfeited_from(self, sitting: ExamSitting) -> date | None:
        """R-8: "逾期仍未按要求接受补充资格核查的，视为放弃考试资格". The day after the
        supplementary period, for a candidate who passed and whom the results announcement
        (published within the period) called to supplementary verification: handed over by
        then, or never handed over at all (未核查人员). A candidate whose result was released,
        or who was handed over (an exception), only after the period was never called, and
        is not. A result recorded later, as an exception (一般), supersedes it from its date."""
        due, announced = sitting.supplementary_due, sitting.results_announced_on
        if self.passed is not True or due is None or announced is None or announced > due:
            return None
        if self.scored_on is not None and self.scored_on > due:  # passed only after the period: never called
            return None
        if self.handed_over_on is not None and self.handed_over_on > due:
            return None
        return add_days(due, 1)

    def final_unqualified_from(self, sitting: ExamSitting) -> date | None:
        """The day a 不合格 can no longer change, with R-11's consequences: 申辩不成立, a
        supplementary 不合格 (both recorded with them), or a first-round 不合格 not answered by
        a 申辩 within its window (from the day after it: ``ExamSitting.appeal_due``)."""
        if self.appeal_upheld is False:
            return self.appeal_decided_on
        if self.supplementary_result is Outcome.UNQUALIFIED:
            return self.supplementary_on
        due = sitting.appeal_due  # none before the results announcement, which opens the appeals
        if (self.first_result is Outcome.UNQUALIFIED and self.appeal_lodged_on is None and due is not None
                and sitting.results_announced_on is not None):
            return add_days(due, 1)
        return None

    def verification_status_on(self, day: date, sitting: ExamSitting) -> Outcome | None:
        """The result of verification as recorded by ``day``, without any forfeit."""
        if self.supplementary_result is not None and _on_or_before(self.supplementary_on, day):
            return self.supplementary_result
        if self.appeal_upheld and _on_or_before(self.appeal_decided_on, day):
            return Outcome.QUALIFIED
        if self.first_result is not None and _on_or_before(self.first_result_on, day):
            return self.first_result
        due = sitting.verification_due
        if _on_or_before(self.handed_over_on, day) and due is not None and day > due:
            return Outcome.PENDING
        return None

    def awaits_supplementary_on(self, day: date, sitting: ExamSitting) -> bool:
        """Still to be verified on ``day`` (R-8): passed, not void or forfeited, and with no
        result yet (not handed over, 未核查人员, or not yet verified) or 报考条件待核查. The round's
        results can be submitted before its period ends only when no candidate is (R-9)."""
        if self.passed is not True or not _on_or_before(self.scored_on, day) or _on_or_before(self.void_on, day):
            return False
        return self.outcome_on(day, sitting) in (Outcome.PENDING, None)  # a forfeit, recorded or deemed, is not

    def qualified_announced_on(self, sitting: ExamSitting) -> tuple[date, str] | None:
        """When this candidate's own 合格 was made known, and by what (R-16 counts the
        reservation period from it: "考后核查结果发布"): the results announcement (R-7) for a
        first-round 合格, the supplementary results announcement (R-9) for a supplementary
        合格, the appeal decision (申辩成立, after the results announcement) for an appeal
        upheld. None while no 合格 has been announced."""
        if self.supplementary_result is Outcome.QUALIFIED:
            if sitting.supplementary_announced_on is None:
                return None
            return sitting.supplementary_announced_on, "the supplementary results announcement"
        if sitting.results_announced_on is None:
            return None
        if self.appeal_upheld and self.appeal_decided_on is not None:
            return max(self.appeal_decided_on, sitting.results_announced_on), "the appeal decision (申辩成立)"
        if self.first_result is Outcome.QUALIFIED:
            return sitting.results_announced_on, "the results announcement"
        return None

    def mailing_due(self, sitting: ExamSitting) -> date | None:
        """R-16: reservations generally (一般) within 30 days of the candidate's own 合格
        announcement."""
        announced = self.qualified_announced_on(sitting)
        return None if announced is None else add_days(announced[0], MAILING_DAYS)

    @property
    def is_void(self) -> bool:
        return self.void_on is not None

    def unclaimed_on(self, day: date) -> bool:
        """A paper certificate in the unit's custody on ``day`` (R-17): arrived, and not yet
        delivered, handed out or void by then."""
        return (
            _on_or_before(self.paper_received_on, day)
            and not _on_or_before(self.delivered_on, day)
            and not _on_or_before(self.handed_out_on, day)
            and not _on_or_before(self.void_on, day)
        )

    # -- guards ------------------------------------------------------------------------------

    def _open(self, sitting: ExamSitting | None, on: date, *, sanction: bool = False) -> None:
        """Checks every act makes. A forfeit ends the candidate's requests (R-8), not the
        authorities' sanctions (R-11 applies "whenever" ineligibility is found)."""
        if sitting is not None and sitting.id != self.sitting_id:
            raise InputError(f"candidacy {self.id} belongs to another sitting")
        require(
            sanction or self.forfeited_on is None,
            "R-8",
            f"{self.candidate} forfeited the exam qualification on {self.forfeited_on} (视为放弃); "
            "no later request is accepted",
        )
        _after(on, self.registered_on, "the registration")

    def _not_void(self, act: str) -> None:
        require(
            self.void_on is None,
            "R-11",
            f"the registration of {self.candidate} is void since {self.void_on} ({self.void_reason}): no {act}",
        )

    def _qualified(self, sitting: ExamSitting, on: date, rule: str, act: str) -> None:
        status = self.outcome_on(on, sitting)
        require(status == Outcome.QUALIFIED, rule, f"{self.candidate} is not verified 合格 (now: {_text(status)}): no {act}")

    def _national_condition(self, condition: str | None, rule: str) -> str:
        """2024 §3(1): verification follows "国家规定的报名条件和我省相关政策" — a national
        registration condition of this exam (its own list: an exam without a work-years
        condition cannot be failed on work years), or a Henan policy cited by name
        (``henan-policy:<name>``). This supersedes 2019 §2's "不得另行附加其他条件"."""
        allowed = self.exam.conditions
        if condition is not None and condition.startswith(HENAN_POLICY):
            name = condition[len(HENAN_POLICY):].strip()
            require(bool(name), rule, f"a Henan policy is cited by name: {HENAN_POLICY}<name>, e.g. {HENAN_POLICY}豫人社〔2024〕X号")
            return HENAN_POLICY + name
        conditions = ", ".join(f"{c} {CONDITIONS[c]}" for c in allowed) or "none"
        require(
            condition in allowed,
            rule,
            f"a 不合格 result must cite a national registration condition of {self.exam.name} ({conditions}) "
            f"or a Henan policy by name ({HENAN_POLICY}<name>; 2024 §3(1)), got {condition!r}",
        )
        assert condition is not None
        return condition

    # -- registration and results ------------------------------------------------------------

    @act("Registered", rules=("R-2",), term="报名（告知承诺制）", interface=Interface(
        "candidate register", "Register the candidate for SITTING under the commitment system (R-2), as the exam "
        "center's registration system records it. Prints the candidacy reference.",
        by="the exam center's online registration system (网上报名系统), naming the candidate", service="register_candidate",
        platform=EXAM_CENTER,
        inputs=(Input("name", "The candidate's name, e.g. 张伟."),
                Input("id_number", "The candidate's 身份证号: the full 18-character number, e.g. 410102199001011234 "
                      "(its GB 11643 check digit checked, L-7; the ledger keeps only the masked form and a salted "
                      "commitment, the holder's document carries the number), or, binding nothing, the masked form "
                      "410102********123X.", aliases=("--masked-id",), metavar="NUMBER"),
                Input("city", "The municipality (zhengzhou, luoyang, …, jiyuan)."),
                Input("level", "The level, for exams that have levels (一级, 中级, …); a one-level exam's goes "
                      "without saying.", default=""),
                Input("specialty", "The specialty (专业) registered for, for exams that have them (建造师: 建筑工程, "
                      "市政公用工程, …); the sealed certificate names it.", default=""),
                Input("comparison", "The online comparison (R-2) of the exam's registration conditions (education, "
                      "major, work-years, …: the exam's own list, `exams list`), each passed or failed: "
                      "education=passed,major=failed,work-years=passed. Empty on the evidence route or for an exam "
                      "without conditions.", kind="comparison", flag="--compare", metavar="ITEM=RESULT,…"),
                Input("evidence", "Uploaded evidence for an item whose comparison failed, e.g. major=upload:abc123 "
                      "(repeatable).", kind="evidence", metavar="ITEM=REF"),
                Input("commitment", "The candidate's commitment (告知承诺, R-2). Without it (不符合告知承诺制要求) the "
                      "candidate takes the evidence route: --evidence for every registration condition of the exam.",
                      kind="yes-no", flag="--commitment/--no-commitment", default=True),
                Input("candidate", "The candidate's reference, e.g. cand.001 (the candidate holds no key).",
                      metavar="cand.NNN"))))
    @classmethod
    def register(
        cls,
        *,
        actor: str,
        sitting: ExamSitting,
        candidate: str,
        name: str,
        masked_id: str,
        city: str,
        level: str,
        commitment: bool,
        comparison: dict[str, str],
        evidence: dict[str, tuple[str, ...]],
        on: date,
        source: str | None = None,
        specialty: str = "",
        id_commitment: str = "",
    ) -> Candidacy:
        """R-2: registration under the commitment system (告知承诺制). The candidate registers
        and commits on the exam center's online registration system (网上报名系统), which
        signs the act as the platform of record, naming the candidate: candidates hold no
        keys of their own. ``id_commitment`` (L-7): the salted commitment to the full id
        number whose masked form ``masked_id`` is (domain.id_number); "" when only the masked
        form was given."""
        subject = sitting.exam
        authorised(actor, PLATFORMS["register"], "R-2",
                   "record a registration (the exam center's online registration system, 网上报名系统, signs it)")
        check_city(city)
        if not candidate.startswith("cand."):
            raise InputError(f"candidate party ids start with 'cand.', got {candidate!r}")
        level = subject.registered_level(level)
        if subject.levels and level not in subject.levels:
            raise InputError(f"{subject.name} has levels {', '.join(subject.levels)}, not {level!r}")
        if not subject.levels and level:
            raise InputError(f"{subject.name} has no levels")
        specialty = specialty.strip()
        if specialty and specialty not in subject.specialties:
            raise InputError(f"{subject.name} has specialties (专业) {'、'.join(subject.specialties)}, not {specialty!r}"
                             if subject.specialties else f"{subject.name} has no specialties (专业) to register for")
        # R-2: the online system compares the exam's conditions ("学历…工作年限等": an open list,
        # per exam). A failed item needs evidence; a candidate who does not commit (不符合告知承诺制
        # 要求) takes the evidence route: evidence for every condition of the exam.
        items = subject.conditions
        stray = set(comparison) - set(items)
        require(not stray, "R-2", f"{subject.name} has no registration condition {', '.join(sorted(stray))} to compare "
                                   f"(its conditions: {', '.join(items) or 'none'})")
        for item, result in comparison.items():
            require(result in ("passed", "failed"), "R-2", f"comparison of {item} is 'passed' or 'failed', not {result!r}")
            if result == "failed":
                require(bool(evidence.get(item)), "R-2", f"online comparison of {item} failed: the candidate must upload evidence")
        if not commitment:
            missing = [i for i in items if not evidence.get(i)]
            require(not missing, "R-2", "without the commitment (告知承诺) the candidate uploads evidence for every "
                                        f"registration condition: none for {', '.join(missing)}")
        elif items:
            require(bool(comparison), "R-2", f"registration under the commitment compares the conditions online "
                                             f"({', '.join(items)}); got nothing")
        stray = set(evidence) - set(items)
        if stray:
            raise InputError(f"evidence for unknown items: {', '.join(sorted(stray))}")
        require(sitting.results_released_on is None and on <= sitting.exam_end, "R-2", f"registration for {sitting.label} closed when the exam ended ({sitting.exam_end})")
        _after(on, sitting.scheduled_on, f"{sitting.label} was scheduled")
        if not name.strip() or not masked_id.strip():
            raise InputError("a candidate needs a name and a (masked) id number")
        if id_commitment:
            check_commitment(id_commitment, masked_id.strip())
        return cls(
            actor=actor,
            sitting_id=sitting.id,
            exam_code=sitting.exam_code,
            candidate=candidate,
            name=name.strip(),
            masked_id=masked_id.strip(),
            city=city,
            level=level,
            specialty=specialty,
            id_commitment=id_commitment,
            commitment=commitment,
            comparison=dict(comparison),
            evidence={k: tuple(v) for k, v in evidence.items()},
            on=on,
            source=check_source(source),
        )

    @act("ScoreReleased", rules=("L-1",), term="成绩发布", args={"scores": lambda e: dict(e.scores)}, interface=Interface(
        "candidate score", "Release a candidate's result.", by="exam-center", service="release_score",
        inputs=(Input("passed", "Whether the candidate passed (required).", kind="yes-no", flag="--passed/--failed"),
                Input("scores", "A subject's score as text, e.g. 建设工程经济=72 (repeatable).", kind="pairs",
                      flag="--score", metavar="SUBJECT=SCORE"))))
    def release_score(self, *, actor: str, sitting: ExamSitting, passed: bool, scores: dict[str, str], on: date,
                      source: str | None = None) -> None:
        self._open(sitting, on)
        authorised(actor, (EXAM_CENTER,), "L-1", "release a candidate's result")
        D = sitting.require_results_released("L-1", "candidate results")
        require(on >= D, "L-1", f"a result cannot be dated {on}, before results release {D}")
        require(self.passed is None, "L-1", f"{self.candidate}'s result was released already")
        self._not_void("scores")
        for subject, score in scores.items():
            if not isinstance(score, str):
                raise InputError(f"score of {subject!r} must be text such as '72.5', not {type(score).__name__}")
        # Subject names are Chinese, and object keys in the ledger are ASCII: store pairs.
        self._score_released(actor=actor, passed=passed, scores=tuple(scores.items()), on=on, source=check_source(source))

    @act("HandedOver", rules=("R-3", "R-4"), term="移交", interface=Interface(
        "candidate hand-over", "Hand a passed candidate over to the provincial verification unit (R-4).", by="hrss",
        service="hand_over", inputs=(departure("R-8's two months (the year's post-exam verification)", "HRSS"),)))
    def hand_over(self, *, actor: str, sitting: ExamSitting, on: date, exception: str | None = None,
                  source: str | None = None) -> None:
        """R-4: HRSS hands the passed candidate over to the provincial verification unit; after
        the year's verification period (R-8, 一般) only as an exception with its reason."""
        self._open(sitting, on)
        authorised(actor, (HRSS,), "R-4", "hand candidates over for verification")
        D = sitting.require_results_released("R-4", "handover")
        self._not_void("handover")
        require(self.passed is True, "R-3", f"post-exam verification covers candidates who passed; {self.candidate} did not pass")
        require(self.handed_over_on is None, "R-4", f"{self.candidate} was handed over on {self.handed_over_on}")
        require(on >= D, "R-4", f"handover cannot precede results release {D}")
        _after(on, self.scored_on, "the candidate's result")
        exception = self._within_two_months(sitting, on, "the year's post-exam verification", exception)
        self._handed_over(actor=actor, to=provincial_unit(self.exam), on=on, exception=exception,
                          source=check_source(source))

    # -- verification, appeal, supplementary verification, forfeit ---------------------------

    @act("VerificationRecorded", rules=("R-1", "R-6", "R-10"), term="资格核查结果", interface=Interface(
        "candidate verify", "Record the post-exam verification (资格核查, 2024; not 2019's pre-exam 资格审查) result "
        "(R-6: within 15 days of D for national exams).", by="the verification unit of the candidate's exam and city", service="record_verification",
        inputs=(Input("result", "合格|不合格|报考条件待核查 (or qualified|unqualified|pending).", kind="result", metavar="RESULT"),
                Input("condition", "For 不合格: the national registration condition not met, or henan-policy:NAME.",
                      kind="optional-text", metavar="CODE"))))
    def record_verification(self, *, actor: str, sitting: ExamSitting, result: Outcome, condition: str | None, on: date,
                            source: str | None = None) -> None:
        """R-1, R-6, R-10: the first-round verification result."""
        self._open(sitting, on)
        authorised(actor, verification_units(self.exam, self.city), "R-1", f"record a verification result for {self.exam.name} in {self.city}")
        self._not_void("verification result")
        require(self.handed_over_on is not None, "R-4", f"{self.candidate} has not been handed over: no verification result before handover")
        assert self.handed_over_on is not None
        require(self.first_result is None, "R-6", f"{self.candidate}'s verification result ({self.first_result.value if self.first_result else ''}) is recorded already; later changes go through appeal or supplementary verification")
        require(on >= self.handed_over_on, "R-4", f"a result dated {on} precedes the handover on {self.handed_over_on}")
        due = sitting.verification_due
        require(due is not None, "R-10", f"{sitting.exam.name} is organised by the province: its 考后资格核查公告 (R-5) "
                "sets the deadline the results are verified by; it is not published yet")
        assert due is not None and sitting.results_released_on is not None
        why = (
            "the deadline of its own post-exam verification announcement, R-10"
            if sitting.exam.provincial
            else f"15 days after results release {sitting.results_released_on}"
        )
        if on > due:
            raise _late_result(due, why, on)
        if result is Outcome.UNQUALIFIED:
            condition = self._national_condition(condition, "R-6")
        elif condition is not None:
            raise InputError(f"only a 不合格 result cites a condition; {result.value} does not")
        self._verification_recorded(actor=actor, result=result, condition=condition, on=on, source=check_source(source))

    @act("AppealLodged", rules=("R-7", "R-8", "L-4"), term="申辩", interface=Interface(
        "candidate appeal", "Record the candidate's appeal against a 不合格 result (R-7, R-8), as the verification unit "
        "receiving it (--as that unit: the candidate holds no key).", by="the verification unit receiving it",
        service="lodge_appeal", inputs=(Input("grounds", "What the candidate answers to the 不合格 result."),
                                        departure("R-8's two months", "the verification unit receiving it"))))
    def lodge_appeal(self, *, actor: str, sitting: ExamSitting, grounds: str, on: date,
                     exception: str | None = None) -> None:
        """申辩 (R-7, R-8): the candidate answers a 不合格 result. The verification unit that
        receives the 申辩 records it, naming the candidate (candidates hold no keys).
        "补充资格核查和接受申辩一般安排在…两个月内" (2024 §一(二)¶6): receiving is the unit's
        act under 一般, so after the window only as the unit's signed exception, like
        supplementary verification."""
        self._open(sitting, on)
        authorised(actor, verification_units(self.exam, self.city), "R-7",
                   f"receive {self.candidate}'s 申辩 (the verification unit receiving it records it)")
        self._not_void("appeal")
        require(self.outcome_on(on, sitting) == Outcome.UNQUALIFIED, "R-7", f"appeals answer a 不合格 result; {self.candidate} is {_text(self.outcome_on(on, sitting))}")
        require(sitting.results_announced_on is not None, "R-7", "appeals open with the verification results announcement, not yet published")
        _after(on, sitting.results_announced_on, "the verification results announcement", "R-7")
        require(self.appeal_lodged_on is None, "R-8", f"{self.candidate} appealed on {self.appeal_lodged_on} already")
        # The candidate lodges within the window the announcement opened (R-7, R-8).
        assert sitting.appeal_due is not None
        if not grounds.strip():
            raise InputError("an appeal states its grounds")
        exception = generally(on <= sitting.appeal_due, "R-8",
                              f"appeal window closed on {sitting.appeal_due.isoformat()} ({sitting.appeal_window}); "
                              f"this act is dated {on.isoformat()}", exception)
        self._check_received(actor, on, "an appeal (申辩)")
        self._appeal_lodged(actor=actor, grounds=grounds.strip(), on=on, exception=exception)

    @act("AppealDecided", rules=("R-1", "R-8"), term="申辩处理（申辩成立 / 申辩不成立）", interface=Interface(
        "candidate decide-appeal", "Decide an appeal (R-8: generally within two months of D); upheld makes the "
        "candidate 合格.", by="the verification unit of the candidate's exam and city", service="decide_appeal",
        inputs=(Input("upheld", "The decision (required).", kind="yes-no", flag="--upheld/--rejected"),
                Input("reason", "Why."), departure("R-8's two months", "the verification unit"))))
    def decide_appeal(self, *, actor: str, sitting: ExamSitting, upheld: bool, reason: str, on: date,
                      exception: str | None = None) -> None:
        self._open(sitting, on)
        authorised(actor, verification_units(self.exam, self.city), "R-1", "decide an appeal")
        require(self.appeal_lodged_on is not None and self.appeal_upheld is None, "R-7", f"{self.candidate} has no appeal awaiting a decision")
        self._not_void("appeal decision")
        _after(on, self.appeal_lodged_on, "the appeal")
        exception = self._within_two_months(sitting, on, "appeal window", exception)
        consequences = None if upheld else R11_CONSEQUENCES  # 申辩不成立: the 不合格 is final
        self._appeal_decided(actor=actor, upheld=upheld, reason=reason, on=on, exception=exception, consequences=consequences)

    @act("SupplementaryVerificationRecorded", rules=("R-7", "R-8"), term="补充资格核查", interface=Interface(
        "candidate supplementary", "Record the supplementary verification of a pending candidate (R-7, R-8).",
        by="the verification unit of the candidate's exam and city", service="record_supplementary",
        inputs=(Input("result", "合格|不合格 (or qualified|unqualified).", kind="result", metavar="RESULT"),
                Input("condition", "For 不合格: the national registration condition not met.", kind="optional-text",
                      metavar="CODE"),
                departure("R-8's two months", "the verification unit"))))
    def record_supplementary(self, *, actor: str, sitting: ExamSitting, result: Outcome, condition: str | None, on: date,
                             exception: str | None = None) -> None:
        """补充资格核查 (R-7, R-8): once, for candidates left 报考条件待核查."""
        self._open(sitting, on)
        authorised(actor, verification_units(self.exam, self.city), "R-1", "record a supplementary verification result")
        require(self.supplementary_result is None, "R-8", f"supplementary verification is the last of the year: {self.candidate} had it on {self.supplementary_on}")
        self._not_void("supplementary verification")
        # Not outcome_on: a result recorded after the period, as an exception, supersedes the
        # forfeit deemed from its end (a recorded forfeit stays final: _open).
        status = self.verification_status_on(on, sitting)
        require(status == Outcome.PENDING, "R-7", f"supplementary verification is for candidates 报考条件待核查; {self.candidate} is {_text(self.outcome_on(on, sitting))}")
        require(sitting.results_announced_on is not None, "R-7", "the results announcement calls candidates to supplementary verification; it is not published yet")
        _after(on, sitting.results_announced_on, "the verification results announcement", "R-7")
        require(result is not Outcome.PENDING, "R-8", "supplementary verification must end in 合格 or 不合格")
        if result is Outcome.UNQUALIFIED:
            condition = self._national_condition(condition, "R-6")
        elif condition is not None:
            raise InputError("only a 不合格 result cites a condition")
        exception = self._within_two_months(sitting, on, "supplementary verification", exception)
        consequences = R11_CONSEQUENCES if result is Outcome.UNQUALIFIED else None  # the last verification of the year
        self._supplementary_recorded(actor=actor, result=result, condition=condition, on=on, exception=exception,
                                     consequences=consequences)

    @act("Forfeited", rules=("R-8",), term="视为放弃", interface=Interface(
        "candidate forfeit", "Record that a pending candidate forfeited after the supplementary period closed (R-8).",
        by="the verification unit of the candidate's exam and city", service="record_forfeit"))
    def record_forfeit(self, *, actor: str, sitting: ExamSitting, on: date) -> None:
        """R-8: a candidate who did not take part in supplementary verification by the end of
        its period has forfeited: pending (报考条件待核查), or passed and never handed over
        (未核查人员). The forfeit holds from the day after the period whether recorded or not
        (:meth:`deemed_forfeited_from`); recording it — on any later day — makes it final."""
        self._open(sitting, on)
        authorised(actor, (provincial_unit(self.exam),), "R-8", "record a forfeit")
        self._not_void("forfeit")
        status = self.verification_status_on(on, sitting)
        unverified = status is Outcome.PENDING or (self.passed is True and not _on_or_before(self.handed_over_on, on))
        require(unverified, "R-8", f"only a candidate still 报考条件待核查 forfeits; {self.candidate} is {_text(self.outcome_on(on, sitting))}")
        announced = sitting.results_announced_on
        require(announced is not None, "R-7", "no forfeit: the results announcement never called the candidate to supplementary verification")
        due = sitting.supplementary_due
        assert due is not None and announced is not None
        require(on > due, "R-8", f"the supplementary verification window is open until {due}; no forfeit before then")
        require(announced <= due, "R-7", f"no forfeit: the results announcement ({announced}) called the candidate to supplementary verification only after its period closed ({due})")
        require(self.deemed_forfeited_from(sitting) is not None, "R-8", f"{self.candidate} was handed over on {self.handed_over_on}, after the supplementary period: never called, no forfeit")
        self._forfeited(actor=actor, on=on)

    def _within_two_months(self, sitting: ExamSitting, on: date, what: str, exception: str | None = None) -> str | None:
        """R-8's period, or — for the verification unit's acts, which pass ``exception`` — a
        signed departure from it (一般). Returns the departure's reason, if any."""
        due = sitting.supplementary_due
        assert due is not None
        message = f"{what} closed on {due.isoformat()} ({self._two_months(sitting)}); this act is dated {on.isoformat()}"
        return generally(on <= due, "R-8", message, exception)

    @staticmethod
    def _two_months(sitting: ExamSitting) -> str:
        if sitting.exam.provincial and sitting.announced_supplementary_due:
            return "as the exam's own announcement set, R-10"
        return f"two months after results release {sitting.results_released_on}"

    # -- sanctions ---------------------------------------------------------------------------

    @act("IneligibilityFound", rules=("R-11",), term="不符合报名条件", interface=Interface(
        "candidate void", "Find the candidate ineligible (R-11): registration, scores and certificate void.",
        by="the verification unit of the candidate's exam and city", service="find_ineligible",
        inputs=(Input("condition", "The national registration condition not met.", metavar="CODE"),
                Input("finding", "What was found."))))
    def find_ineligible(self, *, actor: str, condition: str, finding: str, on: date) -> None:
        """R-11: registration void, no refund; this sitting's scores void; certificate void."""
        self._open(None, on, sanction=True)
        authorised(actor, (*verification_units(self.exam, self.city), HRSS), "R-11", "find a candidate ineligible")
        condition = self._national_condition(condition, "R-11")
        require(self.void_on is None, "R-11", f"the registration is void since {self.void_on}")
        self._ineligibility_found(actor=actor, condition=condition, finding=finding, on=on)

    @act("FraudFound", rules=("R-12",), term="违纪违规处理（人社部令第31号第十条、第十二条）", interface=Interface(
        "candidate fraud", "Record a finding of false material or other fraud (R-12): one finding under MOHRSS Order "
        "No. 31 Art. 10 and Art. 12 together — certificate or pass proof void, the sitting's scores void, and a "
        "five-year entry in the exam integrity record (诚信档案).", by="the verification unit of the candidate's exam and city", service="find_fraud",
        inputs=(Input("finding", "What was found."),)))
    def find_fraud(self, *, actor: str, finding: str, on: date) -> None:
        """R-12: false material or other fraud, handled under 人社部令第31号 Art. 10 and Art. 12
        together: one finding, its consequences (certificate or proof void, the sitting's scores
        void) and the integrity-record (诚信档案) entry with its period (domain/order31.py)."""
        self._open(None, on, sanction=True)
        authorised(actor, (*verification_units(self.exam, self.city), HRSS), "R-12", "record a fraud finding")
        # Art. 10: the certificate or pass proof is declared void by its issuer (由证书签发机构宣布…
        # 无效): once HRSS has sealed one, the finding that voids it is HRSS's own signed act.
        require(self.certificate_no is None or actor == HRSS, "R-12",
                f"{self.certificate_kind} {self.certificate_no} exists: Order No. 31 Art. 10 has its issuer declare it void "
                f"(由证书签发机构宣布无效), so HRSS ({HRSS}) records this finding, not {actor}")
        require(not self.fraud_articles, "R-12", f"a fraud finding is recorded already ({self.fraud_on})")
        if not finding.strip():
            raise InputError("a fraud finding states what was found")
        self._fraud_found(actor=actor, articles=order31.ARTICLES, finding=finding.strip(),
                          consequences=order31.CONSEQUENCES, record_until=order31.record_until(on), on=on)

    @act("ReferredToJudiciary", rules=("R-12",), term="移送司法机关", interface=Interface(
        "candidate refer", "Refer a fraud case to the judicial authorities (R-12).", by="the verification unit of the candidate's exam and city",
        service="refer_to_judiciary", inputs=(Input("authority", "The judicial authority, e.g. 郑州市公安局."),)))
    def refer_to_judiciary(self, *, actor: str, authority: str, on: date) -> None:
        self._open(None, on, sanction=True)
        authorised(actor, (*verification_units(self.exam, self.city), HRSS), "R-12", "refer a case to the judicial authorities")
        require(bool(self.fraud_articles), "R-12", "a referral follows a fraud finding; none is recorded")
        _after(on, self.fraud_on, "the fraud finding", "R-12")
        require(self.referred_on is None, "R-12", f"referred on {self.referred_on} already")
        self._referred_to_judiciary(actor=actor, authority=authority, on=on)

    # -- certificates ------------------------------------------------------------------------

    @act("CertificateIssued", rules=("R-13",), term="电子证书制发", when=lambda e: e.kind == "e-certificate", args={"certificate_no": lambda e: e.number}, needs={"claim": lambda e: certificate_number_id(e.kind, e.number)}, interface=Interface(
        "cert e-certificate", "Issue the e-certificate of a provincial exam under the HRSS e-seal (R-13).", by="hrss",
        service="issue_e_certificate", inputs=(Input("certificate_no", "The certificate number.", flag="--number"),)))
    def issue_e_certificate(self, *, actor: str, sitting: ExamSitting, certificate_no: str, on: date,
                            claim: CertificateNumber | None) -> None:
        """R-13: 河南省专业技术人员职业资格证书（电子证书）, under HRSS's e-seal."""
        self._open(sitting, on)
        authorised(actor, (HRSS,), "R-13", "issue an e-certificate under the HRSS e-seal")
        require(self.exam.e_certificate, "R-13", f"{self.exam.name} is a national exam: HRSS issues a pass proof (R-14), not an e-certificate")
        self._certificate(sitting, on, "e-certificate", certificate_no, "R-13", claim)

    @act("CertificateIssued", rules=("R-14",), term="合格证明制发", when=lambda e: e.kind == "pass-proof", args={"proof_no": lambda e: e.number}, needs={"claim": lambda e: certificate_number_id(e.kind, e.number)}, interface=Interface(
        "cert pass-proof", "Issue the national exam pass proof (Henan) under the HRSS e-seal (R-14).", by="hrss",
        service="issue_pass_proof", inputs=(Input("proof_no", "The pass proof number.", flag="--number"),)))
    def issue_pass_proof(self, *, actor: str, sitting: ExamSitting, proof_no: str, on: date,
                         claim: CertificateNumber | None) -> None:
        """R-14: 全国专业技术人员职业资格考试合格证明（河南）, under HRSS's e-seal."""
        self._open(sitting, on)
        authorised(actor, (HRSS,), "R-14", "issue a pass proof under the HRSS e-seal")
        require(not self.exam.e_certificate, "R-13", f"{self.exam.name} is organised by the province: it gets an e-certificate, not a pass proof")
        require(
            not _on_or_before(self.paper_received_on, on),
            "R-14",
            f"a pass proof stands in only until the national paper certificate arrives; it arrived on {self.paper_received_on}",
        )
        self._certificate(sitting, on, "pass-proof", proof_no, "R-14", claim)

    def _certificate(self, sitting: ExamSitting, on: date, kind: str, number: str, rule: str,
                     claim: CertificateNumber | None) -> None:
        self._not_void("certificate")
        self._qualified(sitting, on, rule, kind)
        announced = self.qualified_announced_on(sitting)
        require(announced is not None and announced[0] <= on, rule,
                f"{self.candidate}'s 合格 has not been announced (R-7, R-9): no {kind} before it")
        require(self.certificate_kind is None, rule, f"{self.candidate} has a {self.certificate_kind} {self.certificate_no} already")
        if not number.strip():
            raise InputError("a certificate needs a number")
        _claimed(claim, kind, number.strip(), self.id)
        document = certificate_document(
            kind=kind, number=number.strip(), holder=self.name, id_number=self.masked_id, exam_code=self.exam_code,
            level=self.level, year=sitting.year, candidacy=str(self.id), issued_on=on,
            specialty=self.specialty, id_commitment=self.id_commitment,
        )  # the e-seal signs it with the event (domain/certificate.py)
        self._certificate_issued(actor=HRSS, kind=kind, number=number.strip(), on=on, document=document)

    @act("DocumentPublished", rules=("R-13", "R-14"), term="文书发布")
    def publish_document(self, *, actor: str, sha256: str, on: date) -> None:
        """2019 §一(二)(三): HRSS publishes the sealed e-certificate or pass proof on
        河南省政务服务网, where the candidate downloads it. Recorded once, by ``cert document``'s
        first run: the PDF's SHA-256 is signed into the ledger, so exactly one document is the
        issued one (R-13: "其他任何形式的电子证书再转换版本，不具备同等法律效力")."""
        authorised(actor, (HRSS,), self._document_rule(), "publish the sealed document")
        require(self.certificate_kind in ("e-certificate", "pass-proof"), "R-13",
                f"{self.candidate} has no e-certificate or pass proof to publish")
        self._not_void("publication of the document")
        digest = sha256.strip().lower() if isinstance(sha256, str) else ""
        if len(digest) != 64 or any(ch not in "0123456789abcdef" for ch in digest):
            raise InputError(f"a published document is named by its SHA-256 (64 hex digits), not {sha256!r}")
        require(self.document_sha256 is None, self._document_rule(),
                f"{self.certificate_kind} {self.certificate_no} was published on {self.document_published_on} "
                f"already (sha256 {self.document_sha256}): HRSS issues exactly one document")
        _after(on, self.certificate_issued_on, "the certificate's issue", self._document_rule())
        self._document_published(actor=HRSS, sha256=digest, channel=DOCUMENT_CHANNEL, on=on)

    def _document_rule(self) -> str:
        return "R-14" if self.certificate_kind == "pass-proof" else "R-13"

    @act("PaperCertificateReceived", rules=("R-15", "L-3"), term="纸质证书下发", needs={"claim": lambda e: certificate_number_id("paper", e.certificate_no)}, interface=Interface(
        "cert paper-received", "Record that the national paper certificate reached the provincial unit (R-15).",
        by="the exam's provincial unit", service="receive_paper_certificate",
        inputs=(Input("certificate_no", "The national paper certificate's number.", flag="--number"),)))
    def receive_paper_certificate(self, *, actor: str, sitting: ExamSitting, certificate_no: str, on: date,
                                  claim: CertificateNumber | None) -> None:
        """The national paper certificate reaches the provincial unit (R-15)."""
        self._open(sitting, on)
        require(not self.exam.e_certificate, "R-13", f"{self.exam.name} has no paper certificate: HRSS issues an e-certificate")
        authorised(actor, (provincial_unit(self.exam),), "R-15", "receive paper certificates")
        self._not_void("paper certificate")
        self._qualified(sitting, on, "R-15", "paper certificate")
        require(self.paper_received_on is None, "R-15", f"paper certificate {self.paper_no} was received on {self.paper_received_on}")
        _claimed(claim, "paper", certificate_no, self.id)
        self._paper_certificate_received(actor=actor, certificate_no=certificate_no, on=on)

    @act("MailingReserved", rules=("R-16", "L-4"), term="预约邮寄", interface=Interface(
        "cert reserve-mailing", "The candidate's reservation of mailing, postage paid on delivery, as HRSS's reservation "
        "platform records it (R-16: generally within 30 days of the announcement of the candidate's 合格; later only "
        "as a signed exception).", by="HRSS's certificate reservation platform (预约邮寄平台), naming the candidate",
        service="reserve_mailing", platform=HRSS,
        inputs=(Input("address_ref", "Reference of the address on the reservation platform."),
                departure("R-16's 30 days", "HRSS, which runs the reservation platform,"))))
    def reserve_mailing(self, *, actor: str, sitting: ExamSitting, address_ref: str, on: date,
                        exception: str | None = None, source: str | None = None) -> None:
        """R-16: reserved on the provincial reservation platform, which HRSS runs (2024 §2(2))
        and which signs the reservation, naming the candidate; postage paid on delivery
        (到付). Within the period by default; after it only as a signed departure (一般)."""
        self._open(sitting, on)
        authorised(actor, PLATFORMS["reserve_mailing"], "R-16",
                   f"record {self.candidate}'s mailing reservation (HRSS's reservation platform, 预约邮寄平台, signs it)")
        require(not self.exam.e_certificate, "R-13", f"{self.exam.name} has no paper certificate to mail")
        require(sitting.results_announced_on is not None, "R-16", "reservations open with the verification results announcement (R-7), not yet published")
        self._not_void("mailing")
        self._qualified(sitting, on, "R-16", "certificate to mail")
        announced = self.qualified_announced_on(sitting)
        require(announced is not None, "R-16", f"{self.candidate}'s 合格 has not been announced yet (R-9): reservations open with it")
        assert announced is not None
        opened, by = announced
        _after(on, opened, by, "R-16")
        due = add_days(opened, MAILING_DAYS)
        exception = generally(
            on <= due, "R-16",
            f"the mailing reservation period closed on {due.isoformat()} (30 days after {by} {opened.isoformat()}); "
            f"this act is dated {on.isoformat()}", exception,
        )
        require(self.mailing_reserved_on is None, "R-16", f"mailing was reserved on {self.mailing_reserved_on}")
        require(self.handed_out_on is None, "R-16", f"the certificate was handed out on {self.handed_out_on}")
        self._check_received(actor, on, "a mailing reservation (预约邮寄)")
        self._mailing_reserved(actor=actor, address_ref=address_ref, cash_on_delivery=True, on=on, exception=exception,
                               source=check_source(source))

    @act("DeliveredByPost", rules=("R-16",), term="邮寄投递", interface=Interface(
        "cert delivered", "Record delivery of a reserved certificate by post (R-16).", by="postal.henan",
        service="deliver_by_post"))
    def deliver_by_post(self, *, actor: str, sitting: ExamSitting, on: date) -> None:
        self._open(sitting, on)
        authorised(actor, (POSTAL,), "R-16", "deliver reserved certificates")
        require(self.mailing_reserved_on is not None, "R-16", f"{self.candidate} did not reserve mailing")
        require(self.paper_received_on is not None, "R-16", "the paper certificate has not reached the unit yet")
        require(self.delivered_on is None, "R-16", f"delivered on {self.delivered_on} already")
        require(self.id not in sitting.custody_roster, "R-17", f"transferred to HRSS on {sitting.custody_transferred_on} with the unclaimed certificates")
        _after(on, self.paper_received_on, "the certificate's arrival", "R-16")
        _after(on, self.mailing_reserved_on, "the reservation", "R-16")
        self._not_void("delivery")
        self._delivered(actor=actor, on=on)

    @act("DeliveryFailed", rules=("R-16",), term="投递失败／退回", interface=Interface(
        "cert returned", "Record that the postal company could not deliver a reserved certificate (到付 refused, wrong "
        "address, not collected) and returned it to the unit; it is then handed out on site, or reserved again "
        "(R-16).", by="postal.henan", service="record_delivery_failed",
        inputs=(Input("reason", "Why, e.g. 到付拒收 postage refused, 地址有误 wrong address, 逾期未取 not collected."),)))
    def record_delivery_failed(self, *, actor: str, sitting: ExamSitting, reason: str, on: date) -> None:
        """R-16 (2024 §二(二)): the postal company delivers reserved certificates 到付; when it
        cannot, the certificate goes back to the unit, and "未预约邮寄的证书仍由…现场发放"
        applies again: the reservation has ended, so hand-out on site is lawful."""
        self._open(sitting, on)
        authorised(actor, (POSTAL,), "R-16", "record a failed delivery (投递失败／退回)")
        self._mailing_pending(sitting, "a failed delivery")
        require(self.paper_received_on is not None, "R-16", "the paper certificate has not reached the unit yet: nothing was posted")
        _after(on, self.paper_received_on, "the certificate's arrival", "R-16")
        _after(on, self.mailing_reserved_on, "the reservation", "R-16")
        require(bool(reason.strip()), "R-16", "say why the delivery failed (e.g. 到付拒收, 地址有误)")
        self._delivery_failed(actor=actor, reason=reason.strip(), on=on)

    @act("MailingReservationWithdrawn", rules=("R-16",), term="撤销预约", interface=Interface(
        "cert withdraw-mailing", "Withdraw a mailing reservation the candidate no longer wants, through HRSS's "
        "reservation platform or at the unit on the candidate's behalf; the certificate is then handed out on site "
        "(R-16).", by="HRSS's certificate reservation platform (预约邮寄平台), or the table's unit on the candidate's "
        "behalf", service="withdraw_mailing", platform=HRSS,
        inputs=(Input("reason", "Why, as the candidate gives it."),)))
    def withdraw_mailing(self, *, actor: str, sitting: ExamSitting, reason: str, on: date) -> None:
        """R-16: the reservation is the candidate's choice, made on HRSS's platform; so is its
        withdrawal (撤销预约), signed by the platform or by the unit that would hand the
        certificate out. Not once it has been delivered."""
        self._open(sitting, on)
        authorised(actor, (*PLATFORMS["reserve_mailing"], *paper_units(self.exam, self.city)), "R-16",
                   f"withdraw {self.candidate}'s mailing reservation (the reservation platform, or the unit on the candidate's behalf)")
        self._mailing_pending(sitting, "a withdrawal")
        _after(on, self.mailing_reserved_on, "the reservation", "R-16")
        require(bool(reason.strip()), "R-16", "say why the reservation is withdrawn")
        self._mailing_withdrawn(actor=actor, reason=reason.strip(), on=on)

    def _mailing_pending(self, sitting: ExamSitting, what: str) -> None:
        """A reservation that can still end without delivery: reserved, not delivered, not
        void, and not lapsed with the custody transfer (R-17)."""
        require(not self.exam.e_certificate, "R-13", f"{self.exam.name} has no paper certificate to mail")
        require(self.mailing_reserved_on is not None, "R-16", f"{self.candidate} has no mailing reservation for {what} to end")
        require(self.delivered_on is None, "R-16", f"delivered on {self.delivered_on} already")
        require(self.id not in sitting.custody_roster, "R-17", f"transferred to HRSS on {sitting.custody_transferred_on} with the unclaimed certificates; the reservation lapsed")
        self._not_void("mailing")

    @act("HandedOutOnSite", rules=("R-15", "R-16"), term="现场发放", interface=Interface(
        "cert hand-out", "Hand the paper certificate out on site (R-15: the table's unit; after the custody transfer, "
        "HRSS).", by="the table's unit, or hrss after the transfer (R-17)", service="hand_out"))
    def hand_out(self, *, actor: str, sitting: ExamSitting, on: date) -> None:
        """R-15, R-16: handed out on site by the table's unit, when not reserved for mailing.
        R-17: once transferred with the unclaimed certificates, HRSS holds it and hands it out
        (a reservation that was never delivered has lapsed by then)."""
        self._open(sitting, on)
        require(not self.exam.e_certificate, "R-13", f"{self.exam.name} has no paper certificate to hand out")
        transferred = self.id in sitting.custody_roster
        if transferred:
            require(actor == HRSS, "R-17", f"transferred to HRSS on {sitting.custody_transferred_on} with the unclaimed certificates: only 'hrss' hands it out, not {actor!r}")
            _after(on, sitting.custody_transferred_on, "the custody transfer", "R-17")
        else:
            authorised(actor, paper_units(self.exam, self.city), "R-15", f"hand out paper certificates of {self.exam.name} in {self.city}")
        require(self.paper_received_on is not None, "R-15", "the paper certificate has not been received")
        _after(on, self.paper_received_on, "the certificate's arrival", "R-15")
        require(transferred or self.mailing_reserved_on is None, "R-16", "this certificate is reserved for mailing: the postal company delivers it")
        require(self.handed_out_on is None, "R-15", f"handed out on {self.handed_out_on} already")
        self._not_void("hand-out")
        self._handed_out(actor=actor, on=on)

    # -- reissue and information change -------------------------------------------------------

    @act("ReissueRequested", rules=("R-19",), term="补办或信息修改申请", interface=Interface(
        "cert reissue", "Receive a reissue or information-change request and route it (R-19). A paper reissue after an "
        "e-certificate is refused, and the refusal recorded (R-18): exit 3.",
        by="the unit receiving requests for the exam and city", service="request_reissue",
        inputs=(Input("kind", "paper-reissue (纸质证书补办) or information-change (信息修改).", kind="choice",
                      choices=ReissueKind),
                Input("reason", "Why."))))
    @act("ReissueRefused", rules=("R-18",), term="不予受理补发")
    def request_reissue(self, *, actor: str, kind: ReissueKind, reason: str, on: date) -> bool:
        """R-19: the receiving unit records the request and routes it. R-18: a paper reissue
        once an e-certificate exists is refused, and the refusal recorded. Returns whether
        the request was accepted."""
        self._open(None, on)
        route = reissue_route(self.exam, self.city)
        # 2019 §一(五): "由省辖市行业行政管理部门负责受理和收集并报省级": the first unit of the route
        # receives (受理) the request, the municipal one where the exam has one; the others
        # get it forwarded, never first-hand.
        receivers = list(route[:1])
        if kind is ReissueKind.INFORMATION_CHANGE and self.exam.e_certificate:
            # The e-certificate is HRSS's (R-13): a change of it goes to HRSS, which issued it,
            # through the units that receive requests, or to HRSS directly.
            route = (*verification_units(self.exam, self.city)[::-1], HRSS)
            receivers = list(route)
        authorised(actor, receivers, "R-19", f"receive reissue requests for {self.exam.name} in {self.city}")
        if kind is ReissueKind.PAPER_REISSUE and self.certificate_kind == "e-certificate":
            self._reissue_refused(actor=actor, kind=kind, reason=reason, rule="R-18", on=on)
            return False
        self._not_void("reissue or change of a void certificate")
        # 2019 §1(5): a reissue or an information change concerns a certificate already issued:
        # the paper one, or for an e-certificate exam (information change only) the e-certificate.
        if kind is ReissueKind.PAPER_REISSUE or not self.exam.e_certificate:
            require(not self.exam.e_certificate, "R-13", f"{self.exam.name} has no paper certificate to reissue")
            require(_on_or_before(self.paper_received_on, on), "R-19", "no paper certificate was issued to this candidate")
            if kind is ReissueKind.PAPER_REISSUE:  # 补办 replaces a certificate the holder had
                require(_on_or_before(self.handed_out_on, on) or _on_or_before(self.delivered_on, on), "R-19",
                        "a paper reissue (补办) replaces a certificate handed out or delivered; this one was never "
                        "collected: it is handed out, not reissued")
        else:
            require(_on_or_before(self.certificate_issued_on, on), "R-19", "no e-certificate was issued to this candidate")
        require(self.reissue_at < 0 or self.reissue_end is not None, "R-19", f"a {self.reissue_kind} request is still on its way (at {self.reissue_route[self.reissue_at] if self.reissue_route else ''}); it ends first (completed, refused or withdrawn)")
        self._reissue_requested(actor=actor, kind=kind, reason=reason, route=route[route.index(actor):], on=on)
        return True

    @act("ReissueForwarded", rules=("R-19",), term="逐级上报", interface=Interface(
        "cert forward", "Forward a reissue request one hop up its R-19 route. Prints the party it is now with.",
        by="the party holding the request", service="forward_reissue"))
    def forward_reissue(self, *, actor: str, on: date) -> str:
        self._open(None, on)
        require(0 <= self.reissue_at < len(self.reissue_route) - 1 and self.reissue_end is None, "R-19", "there is no request on its way to forward")
        holder = self.reissue_route[self.reissue_at]
        authorised(actor, (holder,), "R-19", "forward this request (it is with them)")
        _after(on, self.reissue_last_on, "the request's last step", "R-19")
        target = self.reissue_route[self.reissue_at + 1]
        self._reissue_forwarded(actor=actor, to=target, on=on)
        return target

    @act("ReissueEnded", rules=("R-19",), term="办结 / 不予办理 / 撤回", interface=Interface(
        "cert end-request", "End a reissue or information-change request (R-19): every request ends.",
        by="the party holding it (completed: the end of its route)", service="end_reissue",
        inputs=(Input("outcome", "completed (办结: the end of the R-19 route), refused (不予办理: the party holding it) or "
                      "withdrawn (撤回: the candidate's withdrawal, recorded by the party holding it).", kind="choice",
                      choices=RequestEnd),
                Input("reason", "Why."))))
    def end_reissue(self, *, actor: str, outcome: RequestEnd, reason: str, on: date) -> None:
        """Every request ends: completed (办结) by the party at the end of its R-19 route once
        it is there, refused (不予办理) by the party holding it, or withdrawn (撤回) by the
        candidate. A new request may follow."""
        self._open(None, on, sanction=True)  # whatever else happened, an open request can end
        outcome = RequestEnd(outcome)
        require(self.reissue_at >= 0 and self.reissue_end is None, "R-19", f"{self.candidate} has no open request to end")
        holder, last = self.reissue_route[self.reissue_at], self.reissue_route[-1]
        if outcome is RequestEnd.COMPLETED:
            require(holder == last, "R-19", f"the request is with {holder}: it is completed at the end of its route, by {last}")
            authorised(actor, (last,), "R-19", "complete this request")
        elif outcome is RequestEnd.REFUSED:
            authorised(actor, (holder,), "R-19", "refuse this request (it is with them)")
        else:  # the candidate withdraws it with the party holding it, which records that
            authorised(actor, (holder,), "R-19", f"record the withdrawal of {self.candidate}'s request (it is with them)")
        if not reason.strip():
            raise InputError(f"a request {outcome.value} ({REQUEST_END_TERMS[outcome]}) states why")
        _after(on, self.reissue_last_on, "the request's last step", "R-19")
        self._reissue_ended(actor=actor, outcome=outcome, reason=reason.strip(), on=on)

    # -- events --------------------------------------------------------------------------------

    @event("Registered")
    def __init__(self, *, actor: str, sitting_id: UUID, exam_code: str, candidate: str, name: str, masked_id: str, city: str, level: str, commitment: bool, comparison: dict[str, str], evidence: dict[str, tuple[str, ...]], on: date, source: str | None = None, specialty: str = "", id_commitment: str = "") -> None:
        self.sitting_id = sitting_id
        self.id_commitment = id_commitment
        self.specialty = specialty
        self.exam_code = exam_code
        self.candidate = candidate
        self.name = name
        self.masked_id = masked_id
        self.city = city
        self.level = level
        self.comparison = comparison
        self.evidence = evidence
        self.registered_on = on

    @event("ScoreReleased")
    def _score_released(self, *, actor: str, passed: bool, scores: tuple[tuple[str, str], ...], on: date,
                        source: str | None = None) -> None:
        self.passed = passed
        self.scored_on = on
        self.scores = scores

    @event("HandedOver")
    def _handed_over(self, *, actor: str, to: str, on: date, exception: str | None = None, source: str | None = None) -> None:
        self.handed_over_on = on

    @event("VerificationRecorded")
    def _verification_recorded(self, *, actor: str, result: Outcome, condition: str | None, on: date,
                               source: str | None = None) -> None:
        self.first_result = Outcome(result)
        self.first_condition = condition
        self.first_result_on = on

    @event("AppealLodged")
    def _appeal_lodged(self, *, actor: str, grounds: str, on: date, exception: str | None = None) -> None:
        self.appeal_lodged_on = on

    @event("AppealDecided")
    def _appeal_decided(self, *, actor: str, upheld: bool, reason: str, on: date, exception: str | None = None,
                        consequences: str | None = None) -> None:
        self.appeal_upheld = upheld
        self.appeal_decided_on = on
        if consequences and self.void_on is None:
            self.void_on = on
            self.void_reason = f"final 不合格 ({self.first_condition} {CONDITIONS.get(self.first_condition or '', '')}), 申辩不成立, R-11"

    @event("SupplementaryVerificationRecorded")
    def _supplementary_recorded(self, *, actor: str, result: Outcome, condition: str | None, on: date,
                                exception: str | None = None, consequences: str | None = None) -> None:
        self.supplementary_result = Outcome(result)
        self.supplementary_condition = condition
        self.supplementary_on = on
        if consequences and self.void_on is None:
            self.void_on = on
            self.void_reason = f"final 不合格 ({condition} {CONDITIONS.get(condition or '', '')}) in 补充资格核查, R-11"

    @event("Forfeited")
    def _forfeited(self, *, actor: str, on: date) -> None:
        self.forfeited_on = on

    @event("IneligibilityFound")
    def _ineligibility_found(self, *, actor: str, condition: str, finding: str, on: date) -> None:
        self.void_on = on
        self.void_reason = f"{condition} {CONDITIONS[condition]}: {finding}" if condition in CONDITIONS else f"{condition}: {finding}"

    @event("FraudFound")
    def _fraud_found(self, *, actor: str, articles: tuple[int, ...], finding: str, consequences: str,
                     record_until: date, on: date) -> None:
        self.fraud_articles = tuple(articles)
        self.fraud_on = on
        self.integrity_record_until = record_until
        if self.void_on is None:
            self.void_on = on
            self.void_reason = f"fraud (Order No. 31 Art. 10 and 12): {finding}"

    @event("ReferredToJudiciary")
    def _referred_to_judiciary(self, *, actor: str, authority: str, on: date) -> None:
        self.referred_on = on

    @event("CertificateIssued")
    def _certificate_issued(self, *, actor: str, kind: str, number: str, on: date, document: dict[str, Any]) -> None:
        self.certificate_kind = kind
        self.certificate_no = number
        self.certificate_issued_on = on

    @event("DocumentPublished")
    def _document_published(self, *, actor: str, sha256: str, channel: str, on: date) -> None:
        self.document_sha256 = sha256
        self.document_published_on = on

    @event("PaperCertificateReceived")
    def _paper_certificate_received(self, *, actor: str, certificate_no: str, on: date) -> None:
        self.paper_no = certificate_no
        self.paper_received_on = on

    @event("MailingReserved")
    def _mailing_reserved(self, *, actor: str, address_ref: str, cash_on_delivery: bool, on: date,
                          exception: str | None = None, source: str | None = None) -> None:
        self.mailing_reserved_on = on

    @event("DeliveredByPost")
    def _delivered(self, *, actor: str, on: date) -> None:
        self.delivered_on = on

    @event("DeliveryFailed")
    def _delivery_failed(self, *, actor: str, reason: str, on: date) -> None:
        self.mailing_reserved_on = None
        self.mailing_ended, self.mailing_ended_on = "returned", on

    @event("MailingReservationWithdrawn")
    def _mailing_withdrawn(self, *, actor: str, reason: str, on: date) -> None:
        self.mailing_reserved_on = None
        self.mailing_ended, self.mailing_ended_on = "withdrawn", on

    @event("HandedOutOnSite")
    def _handed_out(self, *, actor: str, on: date) -> None:
        self.handed_out_on = on

    @event("ReissueRequested")
    def _reissue_requested(self, *, actor: str, kind: ReissueKind, reason: str, route: tuple[str, ...], on: date) -> None:
        self.reissue_kind = ReissueKind(kind).value
        self.reissue_route = tuple(route)
        self.reissue_at = 0
        self.reissue_last_on = on
        self.reissue_end = None

    @event("ReissueForwarded")
    def _reissue_forwarded(self, *, actor: str, to: str, on: date) -> None:
        self.reissue_at += 1
        self.reissue_last_on = on

    @event("ReissueEnded")
    def _reissue_ended(self, *, actor: str, outcome: RequestEnd, reason: str, on: date) -> None:
        self.reissue_end = RequestEnd(outcome).value
        self.reissue_last_on = on

    @event("ReissueRefused")
    def _reissue_refused(self, *, actor: str, kind: ReissueKind, reason: str, rule: str, on: date) -> None:
        self.reissue_refusals += 1



def _without_source(fields: dict[str, Any]) -> None:
    fields["source"] = None  # written before imports signed their rows' source ids


# The acts `certledger import` records name the spreadsheet row they came from (version 2 of
# these events); events written before carry no source, and read as typed by hand.
for _imported in (Candidacy.Registered, Candidacy.ScoreReleased, Candidacy.HandedOver,
                  Candidacy.VerificationRecorded, Candidacy.MailingReserved):
    _imported.class_version = 2
    _imported.upcast_v1_v2 = staticmethod(_without_source)

def _claimed(claim: CertificateNumber | None, kind: str, number: str, candidacy: UUID) -> None:
    """L-3: the number was claimed for this candidacy in the same transaction."""
    require(claim is not None, "L-3", f"{kind} number {number} has no claim: each number is issued once, with its claim")
    assert claim is not None
    claim.check_names(kind, number, candidacy)


def _late_result(due: date, why: str, on: date) -> Exception:
    return RuleViolation(
        "R-6",
        f"verification results were due by {due.isoformat()} ({why}); on {on.isoformat()} the candidate "
        f"is {Outcome.PENDING.value} and goes to supplementary verification (R-7)",
    )


def _on_or_before(when: date | None, day: date) -> bool:
    return when is not None and when <= day


def _after(on: date, earlier: date | None, what: str, rule: str | None = None) -> None:
    """An act cannot be dated before the act it follows."""
    if earlier is not None and on < earlier:
        message = f"this act is dated {on.isoformat()}, before {what} ({earlier.isoformat()})"
        if rule:
            raise RuleViolation(rule, message)
        raise InputError(message)


def _text(status: Any) -> str:
    if status is None:
        return "not verified yet"
    return status.value if isinstance(status, Outcome) else str(status)
