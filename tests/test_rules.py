"""One scenario per rule R-1 … R-19 (DOMAIN.md; the notices in seeds/ win over the summary).

Each test shows the rule ALLOWING the right act and REFUSING the wrong one. Every refusal is
a :class:`RuleViolation` citing the rule id ("R-n: …", with the dates of the message where it
has them), and records nothing: the ledger's row count is the same before and after (the
:func:`refused` helper checks both). The ``life`` fixture runs each test on SQLite and on
PostgreSQL and verifies the whole ledger (signatures, chains) after it.

Calendar (tests/lifecycle_world.py): exam ends 2025-05-25, results released D = 2025-06-14,
first-round results due 2025-06-29 (R-6), provincial 建造师（二级） due 2025-07-10 (R-10), joint
publicity 2025-06-16..06-25 (R-5), results announced 2025-07-02 (R-7), appeals and
supplementary verification close 2025-08-14 (R-8), mailing reservations close 2025-08-01
(R-16), custody until 2030-05-25 and its transfer from 2030-05-26 (R-17, C-1).

======  ==================================================================================
rule    tests
======  ==================================================================================
R-1     test_r1_verification_by_the_tables_department_at_the_candidates_levels,
        test_r1_province_only_exam_has_no_municipal_unit,
        test_r1_association_exam_is_verified_by_the_association,
        test_r1_appeal_decision_by_a_verification_unit_only
R-2     test_r2_registration_records_commitment_comparison_and_evidence,
        test_r2_registration_closes_when_the_exam_ends
R-3     test_r3_post_exam_verification_covers_those_who_passed,
        test_r3_verification_may_happen_before_the_exam
R-4     test_r4_hrss_alone_hands_over_after_results_release,
        test_r4_no_verification_result_before_handover
R-5     test_r5_publicity_lasts_at_least_ten_days,
        test_r5_publicity_is_joint_and_the_announcement_waits_for_both
R-6     test_r6_results_due_within_fifteen_days_of_d,
        test_r6_the_three_outcomes_once_each,
        test_r6_unqualified_cites_a_national_condition_or_a_named_henan_policy
R-7     test_r7_appeals_only_against_unqualified_after_the_announcement,
        test_r7_announcement_by_the_provincial_unit_calls_pending_to_supplementary
R-8     test_r8_appeal_window_closes_two_months_after_results,
        test_r8_an_appeal_received_late_only_as_the_units_signed_exception,
        test_r8_an_appeal_in_time_takes_no_exception,
        test_r8_a_late_results_announcement_still_opens_a_real_appeal_window,
        test_r8_one_supplementary_round_within_the_window,
        test_r8_forfeit_only_after_the_window_then_nothing_is_accepted
R-9     test_r9_supplementary_results_submitted_then_announced
R-10    test_r10_provincial_exam_reports_by_its_own_announced_deadline,
        test_r10_provincial_deadline_is_still_a_deadline,
        test_r10_deadlines_at_scheduling
R-11    test_r11_void_registration_gets_no_certificate,
        test_r11_an_issued_certificate_becomes_void,
        test_r11_void_registration_is_not_verified_qualified,
        test_r11_void_certificate_is_not_reissued
R-12    test_r12_fraud_under_articles_10_and_12_then_referral,
        test_r12_referral_is_not_blocked_by_a_forfeit
R-13    test_r13_e_certificate_by_hrss_for_provincial_exams_only,
        test_r13_no_paper_certificate_for_e_certificate_exams
R-14    test_r14_pass_proof_by_hrss_for_national_exams_only,
        test_r14_no_pass_proof_once_the_paper_certificate_arrived
R-15    test_r15_paper_handed_out_by_the_tables_unit_at_the_right_level,
        test_r15_province_only_exam_hands_out_at_the_province
R-16    test_r16_mailing_reservation_within_thirty_days_of_the_announcement,
        test_r16_postal_delivers_reserved_certificates_which_are_not_handed_out
R-17    test_r17_custody_transfer_after_five_years_with_the_roster,
        test_r17_transferred_certificate_is_not_delivered_by_post
R-18    test_r18_paper_reissue_after_e_certificate_is_refused_and_recorded
R-19    test_r19_weisheng_goes_up_to_the_national_exam_center,
        test_r19_other_exams_go_to_the_henan_exam_center,
        test_r19_province_only_national_route_tongxin,
        test_r19_information_change_needs_an_issued_certificate
======  ==================================================================================
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any
from uuid import UUID

import pytest

from certledger.domain.candidacy import Outcome, ReissueKind
from certledger.domain.departures import departures_of
from certledger.domain.errors import InputError, RuleViolation
from certledger.domain.exams import exam
from certledger.domain.units import paper_units, provincial_unit, verification_units
from tests.lifecycle_world import (
    ANNOUNCED,
    COMPARISON_OK,
    D,
    EXAM_END,
    PROVINCIAL_DUE,
    PUBLICITY,
    RESULTS_DUE,
    TWO_MONTHS,
    LifeWorld,
)

Q, U, P = Outcome.QUALIFIED, Outcome.UNQUALIFIED, Outcome.PENDING
HANDOVER = date(2025, 6, 15)
VERIFIED = date(2025, 6, 20)
MAILING_DUE = date(2025, 8, 1)  # ANNOUNCED + 30 days
PAPER_ARRIVES = date(2025, 9, 1)
CUSTODY_FROM = date(2030, 5, 26)  # the day after EXAM_END + 5 years (C-1)
PAPER = ReissueKind.PAPER_REISSUE


# -- helpers ------------------------------------------------------------------------------------


@contextmanager
def refused(life: LifeWorld, pattern: str) -> Iterator[pytest.ExceptionInfo[RuleViolation]]:
    """The act inside is refused with a RuleViolation matching ``pattern``; nothing recorded."""
    before = life.count()
    with pytest.raises(RuleViolation, match=pattern) as info:
        yield info
    assert life.count() == before


def events_of(life: LifeWorld, aggregate_id: UUID) -> list[Any]:
    return list(life.ledger.repository.event_store.get(aggregate_id))


def names(life: LifeWorld, aggregate_id: UUID) -> list[str]:
    return [type(e).__name__ for e in events_of(life, aggregate_id)]


def status(life: LifeWorld, cid: UUID, on: date) -> Any:
    """The candidacy's verification status as it stands on ``on`` (R-6 … R-8)."""
    candidacy = life.ledger.candidacy(cid)
    return candidacy.outcome_on(on, life.ledger.sitting(candidacy.sitting_id))


def cohort(
    life: LifeWorld,
    exam_code: str = "jianzaoshi-1",
    candidates: Iterable[str] = ("cand.001",),
    *,
    cities: dict[str, str] | None = None,
    failed: Iterable[str] = (),
    release: bool = True,
    hand_over: bool = True,
) -> tuple[UUID, dict[str, UUID]]:
    """A sitting with candidates registered (in Zhengzhou unless ``cities`` says otherwise);
    with ``release``: results released on D, scores released, the passed ones handed over."""
    failed = set(failed)
    sid = life.sitting(exam_code)
    ids = {c: life.register(sid, c, (cities or {}).get(c, "zhengzhou"), exam_code) for c in candidates}
    if release:
        life.ledger.release_results("exam-center", sid, on=D)
        for c, cid in ids.items():
            life.ledger.release_score("exam-center", cid, c not in failed, {"综合": "41" if c in failed else "72"}, on=D)
            if hand_over and c not in failed:
                life.ledger.hand_over("hrss", cid, on=HANDOVER)
    return sid, ids


def verified(
    life: LifeWorld,
    exam_code: str = "jianzaoshi-1",
    candidates: Iterable[str] = ("cand.001",),
    *,
    results: dict[str, Outcome] | None = None,
    announce: bool = True,
    **kw: Any,
) -> tuple[UUID, dict[str, UUID]]:
    """``cohort`` + a first-round result for each (合格 unless ``results`` says otherwise;
    不合格 cites work-years) by the provincial unit, + the joint publicity and the results
    announcement."""
    sid, ids = cohort(life, exam_code, candidates, **kw)
    unit = provincial_unit(exam(exam_code))
    if announce or exam(exam_code).provincial:  # a provincial exam's announcement sets the deadline
        life.publicity(sid, unit)
    for c, cid in ids.items():
        result = (results or {}).get(c, Q)
        condition = "work-years" if result is U else None
        life.ledger.record_verification(unit, cid, result, on=VERIFIED, condition=condition)
    if announce:
        life.publicity_and_announcement(sid, unit)
    return sid, ids


def with_paper(life: LifeWorld, exam_code: str = "jianzaoshi-1", candidates: Iterable[str] = ("cand.001",),
               *, handed_out: bool = False, **kw: Any) -> tuple[UUID, dict[str, UUID]]:
    """``verified`` (all 合格, announced) + the national paper certificates received (and, with
    ``handed_out``, handed out by the provincial unit on 2025-09-05)."""
    sid, ids = verified(life, exam_code, candidates, **kw)
    unit = provincial_unit(exam(exam_code))
    for n, cid in enumerate(ids.values()):
        life.ledger.receive_paper_certificate(unit, cid, f"ZS2025{n:04d}", on=PAPER_ARRIVES)
        if handed_out:
            life.ledger.hand_out(unit, cid, on=date(2025, 9, 5))
    return sid, ids


def publish_joint(life: LifeWorld, sid: UUID, unit: str = "dept.zhujian.henan") -> None:
    life.publicity(sid, unit)


# -- R-1 verification by the table's unit, at its levels ------------------------------------


def test_r1_verification_by_the_tables_department_at_the_candidates_levels(life: LifeWorld) -> None:
    _, ids = cohort(life, candidates=("cand.001", "cand.002", "cand.003"), cities={"cand.002": "luoyang"})
    zz, ly, prov = ids["cand.001"], ids["cand.002"], ids["cand.003"]

    # A Luoyang department may not verify a Zhengzhou candidate (nor the other way round).
    with refused(life, r"R-1: only 'dept\.zhujian\.henan' or 'dept\.zhujian\.zhengzhou' may record a verification "
                       r"result for 建造师（一级） in zhengzhou, not 'dept\.zhujian\.luoyang'"):
        life.ledger.record_verification("dept.zhujian.luoyang", zz, Q, on=VERIFIED)
    with refused(life, r"R-1: only 'dept\.zhujian\.henan' or 'dept\.zhujian\.luoyang' may record .* in luoyang, "
                       r"not 'dept\.zhujian\.zhengzhou'"):
        life.ledger.record_verification("dept.zhujian.zhengzhou", ly, Q, on=VERIFIED)
    # The wrong industry, HRSS and the exam center are no verification unit of 建造师.
    for outsider in ("dept.weijian.henan", "dept.weijian.zhengzhou", "hrss", "exam-center"):
        with refused(life, rf"R-1: only .* may record a verification result .*, not '{outsider}'"):
            life.ledger.record_verification(outsider, zz, Q, on=VERIFIED)

    life.ledger.record_verification("dept.zhujian.zhengzhou", zz, Q, on=VERIFIED)  # municipal level
    life.ledger.record_verification("dept.zhujian.luoyang", ly, Q, on=VERIFIED)  # the candidate's own city
    life.ledger.record_verification("dept.zhujian.henan", prov, Q, on=VERIFIED)  # provincial level
    signers = {c: events_of(life, cid)[-1].actor for c, cid in ids.items()}
    assert signers == {"cand.001": "dept.zhujian.zhengzhou", "cand.002": "dept.zhujian.luoyang",
                       "cand.003": "dept.zhujian.henan"}


def test_r1_province_only_exam_has_no_municipal_unit(life: LifeWorld) -> None:
    assert verification_units(exam("tongxin"), "zhengzhou") == ("dept.tongxin.henan",)  # 省通信管理局
    _, ids = cohort(life, "tongxin")
    cid = ids["cand.001"]
    for municipal in ("dept.tongxin.zhengzhou", "dept.weijian.zhengzhou"):
        with refused(life, rf"R-1: only 'dept\.tongxin\.henan' may record a verification result for 通信 in "
                           rf"zhengzhou, not '{municipal}'"):
            life.ledger.record_verification(municipal, cid, Q, on=VERIFIED)
    life.ledger.record_verification("dept.tongxin.henan", cid, Q, on=VERIFIED)
    assert life.ledger.candidacy(cid).first_result is Q


def test_r1_association_exam_is_verified_by_the_association(life: LifeWorld) -> None:
    _, ids = cohort(life, "zixun")
    cid = ids["cand.001"]
    for other in ("dept.zhujian.henan", "hrss", "exam-center"):
        with refused(life, rf"R-1: only 'assoc\.gczx\.henan' may record a verification result for 咨询工程师（投资） "
                           rf"in zhengzhou, not '{other}'"):
            life.ledger.record_verification(other, cid, Q, on=VERIFIED)
    life.ledger.record_verification("assoc.gczx.henan", cid, Q, on=VERIFIED)
    assert events_of(life, cid)[-1].actor == "assoc.gczx.henan"


def test_r1_appeal_decision_by_a_verification_unit_only(life: LifeWorld) -> None:
    _, ids = verified(life, results={"cand.001": U})
    cid = ids["cand.001"]
    life.ledger.lodge_appeal("dept.zhujian.henan", cid, "工作年限含研究生期间", on=date(2025, 7, 5))
    with refused(life, r"R-1: only 'dept\.zhujian\.henan' or 'dept\.zhujian\.zhengzhou' may decide an appeal, "
                       r"not 'dept\.zhujian\.luoyang'"):
        life.ledger.decide_appeal("dept.zhujian.luoyang", cid, True, "ok", on=date(2025, 7, 20))
    life.ledger.decide_appeal("dept.zhujian.zhengzhou", cid, True, "证明材料属实", on=date(2025, 7, 20))
    assert status(life, cid, date(2025, 7, 20)) is Q


# -- R-2 registration under the commitment system ----------------------------------------------


def _register(life: LifeWorld, sid: UUID, candidate: str, actor: str = "exam-center", **kw: Any) -> UUID:
    kw.setdefault("comparison", COMPARISON_OK)
    kw.setdefault("on", date(2025, 3, 10))
    return life.ledger.register_candidate(actor, sid, candidate=candidate, name="考生", masked_id="410102********123X",
                                          city="zhengzhou", level="一级", **kw)


def test_r2_registration_records_commitment_comparison_and_evidence(life: LifeWorld) -> None:
    sid = life.sitting()
    years_failed = {**COMPARISON_OK, "work-years": "failed"}
    with refused(life, r"R-2: without the commitment \(告知承诺\) the candidate uploads evidence for every "
                       r"registration condition: none for education, major, work-years"):
        _register(life, sid, "cand.001", commitment=False)
    with refused(life, r"R-2: online comparison of work-years failed: the candidate must upload evidence"):
        _register(life, sid, "cand.001", comparison=years_failed)
    with refused(life, r"R-2: online comparison of work-years failed"):
        _register(life, sid, "cand.001", comparison=years_failed, evidence={"work-years": ()})
    with refused(life, r"R-2: 建造师（一级） has no registration condition practice to compare"):
        _register(life, sid, "cand.001", comparison={**COMPARISON_OK, "practice": "passed"})
    with refused(life, r"R-2: comparison of major is 'passed' or 'failed', not 'skipped'"):
        _register(life, sid, "cand.001", comparison={**COMPARISON_OK, "major": "skipped"})

    evidence = {"work-years": ("upload/社保缴费记录.pdf", "upload/劳动合同.pdf")}
    cid = _register(life, sid, "cand.001", comparison=years_failed, evidence=evidence)
    plain = _register(life, sid, "cand.002")  # every item compared fine: no evidence needed
    registered = events_of(life, cid)[0]
    # Signed by the platform of record, naming the candidate (T-6: candidates hold no keys).
    assert type(registered).__name__ == "Registered" and registered.actor == "exam-center"
    assert registered.candidate == "cand.001"
    assert registered.commitment is True
    assert registered.comparison == years_failed
    assert {k: tuple(v) for k, v in registered.evidence.items()} == evidence
    assert events_of(life, plain)[0].evidence == {}


def test_r2_the_exam_centers_registration_system_records_registrations(life: LifeWorld) -> None:
    """Candidates register through the exam center's online system (网上报名系统), which signs;
    nobody else may record a registration, the candidate's own party included."""
    sid = life.sitting()
    for actor in ("hrss", "dept.zhujian.henan", "cand.001"):
        with refused(life, rf"R-2: only 'exam-center' may record a registration .*not '{actor}'"):
            _register(life, sid, "cand.001", actor=actor)
    _register(life, sid, "cand.001")


def test_r2_registration_closes_when_the_exam_ends(life: LifeWorld) -> None:
    sid = life.sitting()
    with refused(life, r"R-2: registration for 建造师（一级） 2025 closed when the exam ended \(2025-05-25\)"):
        _register(life, sid, "cand.001", on=date(2025, 5, 26))
    _register(life, sid, "cand.001", on=EXAM_END)


# -- R-3 post-exam verification covers those who passed ----------------------------------------


def test_r3_post_exam_verification_covers_those_who_passed(life: LifeWorld) -> None:
    _, ids = cohort(life, candidates=("cand.001", "cand.002"), failed=("cand.002",))
    passed, failed = ids["cand.001"], ids["cand.002"]
    with refused(life, r"R-3: post-exam verification covers candidates who passed; cand\.002 did not pass"):
        life.ledger.hand_over("hrss", failed, on=HANDOVER)
    with refused(life, r"R-4: cand\.002 has not been handed over: no verification result before handover"):
        life.ledger.record_verification("dept.zhujian.henan", failed, Q, on=VERIFIED)
    life.ledger.record_verification("dept.zhujian.henan", passed, Q, on=VERIFIED)
    assert names(life, passed) == ["Registered", "ScoreReleased", "HandedOver", "VerificationRecorded"]
    assert names(life, failed) == ["Registered", "ScoreReleased"]


def test_r3_verification_may_happen_before_the_exam(life: LifeWorld) -> None:
    """考前、考中、考后全程核查: a finding before the exam is recorded, and voids the registration."""
    sid = life.sitting()
    early, other = life.register(sid, "cand.001"), life.register(sid, "cand.002")
    life.ledger.find_ineligible("dept.zhujian.zhengzhou", early, "education", "学历证书不符", on=date(2025, 4, 1))
    life.ledger.release_results("exam-center", sid, on=D)
    with refused(life, r"R-11: the registration of cand\.001 is void since 2025-04-01 \(education 学历: 学历证书不符\): "
                       r"no scores"):
        life.ledger.release_score("exam-center", early, True, {"综合": "72"}, on=D)
    life.ledger.release_score("exam-center", other, True, {"综合": "72"}, on=D)
    assert names(life, early) == ["Registered", "IneligibilityFound"]


# -- R-4 handover by HRSS after D ---------------------------------------------------------------


def test_r4_hrss_alone_hands_over_after_results_release(life: LifeWorld) -> None:
    sid, ids = cohort(life, release=False)
    cid = ids["cand.001"]
    with refused(life, r"R-4: results of 建造师（一级） 2025 are not released yet: no handover"):
        life.ledger.hand_over("hrss", cid, on=date(2025, 6, 1))
    life.ledger.release_results("exam-center", sid, on=D)
    life.ledger.release_score("exam-center", cid, True, {"综合": "72"}, on=D)
    for other in ("exam-center", "dept.zhujian.henan"):
        with refused(life, rf"R-4: only 'hrss' may hand candidates over for verification, not '{other}'"):
            life.ledger.hand_over(other, cid, on=HANDOVER)
    life.ledger.hand_over("hrss", cid, on=HANDOVER)
    with refused(life, r"R-4: cand\.001 was handed over on 2025-06-15"):
        life.ledger.hand_over("hrss", cid, on=date(2025, 6, 16))
    handed = events_of(life, cid)[-1]
    assert (type(handed).__name__, handed.actor, handed.to) == ("HandedOver", "hrss", "dept.zhujian.henan")


def test_r4_no_verification_result_before_handover(life: LifeWorld) -> None:
    _, ids = cohort(life, hand_over=False)
    cid = ids["cand.001"]
    with refused(life, r"R-4: cand\.001 has not been handed over: no verification result before handover"):
        life.ledger.record_verification("dept.zhujian.henan", cid, Q, on=VERIFIED)
    life.ledger.hand_over("hrss", cid, on=date(2025, 6, 18))
    with refused(life, r"R-4: a result dated 2025-06-17 precedes the handover on 2025-06-18"):
        life.ledger.record_verification("dept.zhujian.henan", cid, Q, on=date(2025, 6, 17))
    life.ledger.record_verification("dept.zhujian.henan", cid, Q, on=VERIFIED)


# -- R-5 joint publicity of at least 10 days ----------------------------------------------------


def test_r5_publicity_lasts_at_least_ten_days(life: LifeWorld) -> None:
    sid, _ = cohort(life, release=False)
    with refused(life, r"R-5: results of 建造师（一级） 2025 are not released yet: no publicity"):
        life.ledger.publish_publicity("hrss", sid, *PUBLICITY, on=PUBLICITY[0])
    life.ledger.release_results("exam-center", sid, on=D)
    with refused(life, r"R-5: publicity lasts at least 10 days; 2025-06-16\.\.2025-06-24 is 9; the notice says 一般"):
        life.ledger.publish_publicity("hrss", sid, date(2025, 6, 16), date(2025, 6, 24), on=date(2025, 6, 16))
    with refused(life, r"R-5: publicity cannot start before results release 2025-06-14"):
        life.ledger.publish_publicity("hrss", sid, date(2025, 6, 13), date(2025, 6, 25), on=date(2025, 6, 13))
    life.ledger.publish_publicity("hrss", sid, date(2025, 6, 16), date(2025, 6, 25), on=date(2025, 6, 16))  # 10 days
    assert life.ledger.sitting(sid).publicity == PUBLICITY


def test_r5_publicity_is_joint_and_the_announcement_waits_for_both(life: LifeWorld) -> None:
    sid, _ = verified(life, announce=False)
    with refused(life, r"R-5: only 'hrss' or 'dept\.zhujian\.henan' may publish the pass publicity and verification "
                       r"announcement, not 'dept\.zhujian\.zhengzhou'"):
        life.ledger.publish_publicity("dept.zhujian.zhengzhou", sid, *PUBLICITY, on=PUBLICITY[0])
    life.ledger.publish_publicity("hrss", sid, *PUBLICITY, on=PUBLICITY[0])
    with refused(life, r"R-5: hrss has already published this publicity"):
        life.ledger.publish_publicity("hrss", sid, *PUBLICITY, on=PUBLICITY[0])
    with refused(life, r"R-7: the joint publicity \(R-5\) must be published by HRSS and the provincial unit first"):
        life.ledger.announce_verification_results("dept.zhujian.henan", sid, on=ANNOUNCED)
    with refused(life, r"R-5: the joint publicity runs 2025-06-16\.\.2025-06-25; "
                       r"both publishers must give that period"):
        life.ledger.publish_publicity("dept.zhujian.henan", sid, PUBLICITY[0], date(2025, 6, 30), on=PUBLICITY[0])
    life.ledger.publish_publicity("dept.zhujian.henan", sid, *PUBLICITY, on=PUBLICITY[0])
    sitting = life.ledger.sitting(sid)
    assert sitting.publicity_is_joint and sitting.publicity_published_by == ("hrss", "dept.zhujian.henan")
    life.ledger.announce_verification_results("dept.zhujian.henan", sid, on=ANNOUNCED)
    assert life.ledger.sitting(sid).results_announced_on == ANNOUNCED


# -- R-6 results within 15 days of D: 合格 / 不合格 (national condition) / 报考条件待核查 -----------


def test_r6_results_due_within_fifteen_days_of_d(life: LifeWorld) -> None:
    _, ids = cohort(life, candidates=("cand.001", "cand.002"))
    on_time, late = ids["cand.001"], ids["cand.002"]
    day_after = date(2025, 6, 30)
    with refused(life, r"R-6: verification results were due by 2025-06-29 \(15 days after results release "
                       r"2025-06-14\); on 2025-06-30 the candidate is 报考条件待核查 and goes to supplementary "
                       r"verification \(R-7\)"):
        life.ledger.record_verification("dept.zhujian.henan", late, Q, on=day_after)
    life.ledger.record_verification("dept.zhujian.henan", on_time, Q, on=RESULTS_DUE)  # the 15th day is in time
    assert status(life, late, RESULTS_DUE) is None
    assert status(life, late, day_after) is P


def test_r6_the_three_outcomes_once_each(life: LifeWorld) -> None:
    _, ids = cohort(life, candidates=("cand.001", "cand.002", "cand.003"))
    life.ledger.record_verification("dept.zhujian.henan", ids["cand.001"], Q, on=VERIFIED)
    life.ledger.record_verification("dept.zhujian.henan", ids["cand.002"], U, on=VERIFIED, condition="work-years")
    life.ledger.record_verification("dept.zhujian.henan", ids["cand.003"], P, on=VERIFIED)
    recorded = {c: (life.ledger.candidacy(cid).first_result, life.ledger.candidacy(cid).first_condition)
                for c, cid in ids.items()}
    assert recorded == {"cand.001": (Q, None), "cand.002": (U, "work-years"), "cand.003": (P, None)}
    with refused(life, r"R-6: cand\.001's verification result \(合格\) is recorded already; later changes go through "
                       r"appeal or supplementary verification"):
        life.ledger.record_verification("dept.zhujian.henan", ids["cand.001"], U, on=VERIFIED, condition="education")


def test_r6_unqualified_cites_a_national_condition_or_a_named_henan_policy(life: LifeWorld) -> None:
    _, ids = cohort(life)
    cid = ids["cand.001"]
    conditions = r"\(education 学历, major 专业, work-years 工作年限\)"
    with refused(life, rf"R-6: a 不合格 result must cite a national registration condition of 建造师（一级） "
                       rf"{conditions} or a Henan policy by name \(henan-policy:<name>; 2024 §3\(1\)\), got None"):
        life.ledger.record_verification("dept.zhujian.henan", cid, U, on=VERIFIED)
    for extra in ("hukou", "practice"):  # an unnamed local condition; a condition of other exams only
        with refused(life, rf"R-6: .* or a Henan policy by name .*, got '{extra}'"):
            life.ledger.record_verification("dept.zhujian.henan", cid, U, on=VERIFIED, condition=extra)
    life.ledger.record_verification("dept.zhujian.henan", cid, U, on=VERIFIED, condition="education")
    assert life.ledger.candidacy(cid).first_condition == "education"


# -- R-7 the results announcement; appeals; the call to supplementary verification --------------


def test_r7_appeals_only_against_unqualified_after_the_announcement(life: LifeWorld) -> None:
    sid, ids = verified(life, candidates=("cand.001", "cand.002"), results={"cand.002": U}, announce=False)
    qualified, unqualified = ids["cand.001"], ids["cand.002"]
    on = date(2025, 7, 5)
    with refused(life, r"R-7: appeals open with the verification results announcement, not yet published"):
        life.ledger.lodge_appeal("dept.zhujian.henan", unqualified, "工作年限计算有误", on=on)
    life.publicity_and_announcement(sid)
    with refused(life, r"R-7: appeals answer a 不合格 result; cand\.001 is 合格"):
        life.ledger.lodge_appeal("dept.zhujian.henan", qualified, "无", on=on)
    # The verification unit receiving the 申辩 records it (candidates hold no keys, T-6): not
    # another city's unit, nor the candidate's own party.
    with refused(life, r"R-7: only 'dept\.zhujian\.henan' or 'dept\.zhujian\.zhengzhou' may receive cand\.002's 申辩"):
        life.ledger.lodge_appeal("dept.zhujian.luoyang", unqualified, "代为申辩", on=on)
    with refused(life, r"R-7: .*not 'cand\.002'"):
        life.ledger.lodge_appeal("cand.002", unqualified, "本人申辩", on=on)
    life.ledger.lodge_appeal("dept.zhujian.henan", unqualified, "工作年限计算有误", on=on)
    with refused(life, r"R-8: cand\.002 appealed on 2025-07-05 already"):
        life.ledger.lodge_appeal("dept.zhujian.henan", unqualified, "再次申辩", on=date(2025, 7, 6))
    life.ledger.decide_appeal("dept.zhujian.henan", unqualified, False, "材料不足", on=date(2025, 7, 20))
    with refused(life, r"R-7: cand\.002 has no appeal awaiting a decision"):
        life.ledger.decide_appeal("dept.zhujian.henan", unqualified, True, "改判", on=date(2025, 7, 21))
    assert names(life, unqualified)[-2:] == ["AppealLodged", "AppealDecided"]


def test_r7_announcement_by_the_provincial_unit_calls_pending_to_supplementary(life: LifeWorld) -> None:
    sid, ids = verified(life, candidates=("cand.001", "cand.002"), results={"cand.002": P}, announce=False)
    publish_joint(life, sid)
    supp = date(2025, 7, 10)
    with refused(life, r"R-7: the results announcement calls candidates to supplementary verification; it is not "
                       r"published yet"):
        life.ledger.record_supplementary("dept.zhujian.henan", ids["cand.002"], Q, on=supp)
    for other in ("hrss", "dept.zhujian.zhengzhou"):
        with refused(life, rf"R-7: only 'dept\.zhujian\.henan' may announce the verification results, not '{other}'"):
            life.ledger.announce_verification_results(other, sid, on=ANNOUNCED)
    life.ledger.announce_verification_results("dept.zhujian.henan", sid, on=ANNOUNCED)
    with refused(life, r"R-7: verification results were announced on 2025-07-02"):
        life.ledger.announce_verification_results("dept.zhujian.henan", sid, on=date(2025, 7, 3))
    with refused(life, r"R-7: supplementary verification is for candidates 报考条件待核查; cand\.001 is 合格"):
        life.ledger.record_supplementary("dept.zhujian.henan", ids["cand.001"], Q, on=supp)
    life.ledger.record_supplementary("dept.zhujian.zhengzhou", ids["cand.002"], Q, on=supp)
    assert life.ledger.candidacy(ids["cand.002"]).supplementary_result is Q


# -- R-8 two months; one supplementary round; forfeit ----------------------------------------------


def test_r8_appeal_window_closes_two_months_after_results(life: LifeWorld) -> None:
    _, ids = verified(life, candidates=("cand.001", "cand.002"), results={"cand.001": U, "cand.002": U})
    late, last_day = ids["cand.001"], ids["cand.002"]
    with refused(life, r"R-8: appeal window closed on 2025-08-14 \(two months after results release 2025-06-14\); "
                       r"this act is dated 2025-08-15"):
        life.ledger.lodge_appeal("dept.zhujian.henan", late, "迟到的申辩", on=date(2025, 8, 15))
    life.ledger.lodge_appeal("dept.zhujian.henan", last_day, "最后一天的申辩", on=TWO_MONTHS)
    with refused(life, r"R-8: appeal window closed on 2025-08-14 \(two months after results release 2025-06-14\); "
                       r"this act is dated 2025-08-15"):
        life.ledger.decide_appeal("dept.zhujian.henan", last_day, True, "逾期决定", on=date(2025, 8, 15))
    life.ledger.decide_appeal("dept.zhujian.henan", last_day, True, "材料属实", on=TWO_MONTHS)
    assert life.ledger.candidacy(last_day).appeal_upheld is True


def test_r8_an_appeal_received_late_only_as_the_units_signed_exception(life: LifeWorld) -> None:
    # 2024 §一(二)¶6: "补充资格核查和接受申辩一般安排在…两个月内": receiving is the unit's act.
    _, ids = verified(life, results={"cand.001": U})
    late = ids["cand.001"]
    with refused(life, r"R-8: appeal window closed on 2025-08-14 .*only as an exception with its reason"):
        life.ledger.lodge_appeal("dept.zhujian.henan", late, "迟到的申辩", on=date(2025, 8, 15))
    life.ledger.lodge_appeal("dept.zhujian.henan", late, "迟到的申辩", on=date(2025, 8, 15), exception="邮寄材料延误")
    lodged = events_of(life, late)[-1]
    assert (type(lodged).__name__, lodged.exception) == ("AppealLodged", "邮寄材料延误")
    assert [(d.event, d.rule, d.reason) for d in departures_of(life.ledger.candidacy(late))] == [
        ("AppealLodged", "R-8", "邮寄材料延误")]


def test_r8_an_appeal_in_time_takes_no_exception(life: LifeWorld) -> None:
    _, ids = verified(life, results={"cand.001": U})
    with pytest.raises(InputError, match="keeps R-8's norm"):
        life.ledger.lodge_appeal("dept.zhujian.henan", ids["cand.001"], "申辩", on=TWO_MONTHS, exception="无")


def test_r8_a_late_results_announcement_still_opens_a_real_appeal_window(life: LifeWorld) -> None:
    # 2024 §一(二)¶6: the results announcement opens the appeals ("接受…申辩"). Published late,
    # as a signed R-8 departure, it leaves the candidate 10 days (to 08-30), not a window
    # that closed on 08-14 before it was published.
    sid, ids = verified(life, candidates=("cand.001", "cand.002"), results={"cand.001": U, "cand.002": U},
                        announce=False)
    publish_joint(life, sid)
    announced = date(2025, 8, 20)
    life.ledger.announce_verification_results("dept.zhujian.henan", sid, on=announced, exception="系统故障延迟公告")
    sitting = life.ledger.sitting(sid)
    assert (sitting.supplementary_due, sitting.appeal_due) == (TWO_MONTHS, date(2025, 8, 30))
    first, second = ids["cand.001"], ids["cand.002"]
    assert status(life, first, date(2025, 8, 21)) is U
    assert life.ledger.candidacy(first).final_unqualified_from(sitting) == date(2025, 8, 31)
    life.ledger.lodge_appeal("dept.zhujian.henan", first, "工作年限证明已补充", on=date(2025, 8, 21))
    life.ledger.lodge_appeal("dept.zhujian.henan", second, "最后一天的申辩", on=date(2025, 8, 30))
    assert names(life, second)[-1] == "AppealLodged"


def test_r8_the_appeal_window_after_a_late_announcement_closes_too(life: LifeWorld) -> None:
    sid, ids = verified(life, results={"cand.001": U}, announce=False)
    publish_joint(life, sid)
    life.ledger.announce_verification_results("dept.zhujian.henan", sid, on=date(2025, 8, 20), exception="系统故障延迟公告")
    with refused(life, r"R-8: appeal window closed on 2025-08-30 \(10 days after the results announcement 2025-08-20, "
                       r"which opens appeals\); this act is dated 2025-08-31"):
        life.ledger.lodge_appeal("dept.zhujian.henan", ids["cand.001"], "迟到的申辩", on=date(2025, 8, 31))


def test_r8_a_unqualified_candidate_never_announced_is_not_final(life: LifeWorld) -> None:
    """Without the results announcement that opens the appeals, a 不合格 is not final yet."""
    sid, ids = verified(life, results={"cand.001": U}, announce=False)
    candidacy = life.ledger.candidacy(ids["cand.001"])
    assert candidacy.final_unqualified_from(life.ledger.sitting(sid)) is None


def test_r8_one_supplementary_round_within_the_window(life: LifeWorld) -> None:
    _, ids = verified(life, candidates=("cand.001", "cand.002"), results={"cand.001": P, "cand.002": P})
    first, late = ids["cand.001"], ids["cand.002"]
    with refused(life, r"R-8: supplementary verification must end in 合格 or 不合格"):
        life.ledger.record_supplementary("dept.zhujian.henan", first, P, on=date(2025, 8, 1))
    life.ledger.record_supplementary("dept.zhujian.henan", first, U, on=TWO_MONTHS, condition="major")
    with refused(life, r"R-8: supplementary verification is the last of the year: cand\.001 had it on 2025-08-14"):
        life.ledger.record_supplementary("dept.zhujian.henan", first, Q, on=TWO_MONTHS)
    with refused(life, r"R-8: supplementary verification closed on 2025-08-14 \(two months after results release "
                       r"2025-06-14\); this act is dated 2025-08-15"):
        life.ledger.record_supplementary("dept.zhujian.henan", late, Q, on=date(2025, 8, 15))
    candidacy = life.ledger.candidacy(first)
    assert (candidacy.supplementary_result, candidacy.supplementary_condition) == (U, "major")


def test_r8_forfeit_only_after_the_window_then_nothing_is_accepted(life: LifeWorld) -> None:
    # cand.001 is never reported: after 2025-06-29 it is 报考条件待核查 and never takes part.
    sid, ids = cohort(life, candidates=("cand.001", "cand.002"))
    life.ledger.record_verification("dept.zhujian.henan", ids["cand.002"], Q, on=VERIFIED)
    life.publicity_and_announcement(sid)
    pending = ids["cand.001"]
    qualified = ids["cand.002"]
    after = date(2025, 8, 15)
    with refused(life, r"R-8: the supplementary verification window is open until 2025-08-14; no forfeit before then"):
        life.ledger.record_forfeit("dept.zhujian.henan", pending, on=TWO_MONTHS)
    with refused(life, r"R-8: only 'dept\.zhujian\.henan' may record a forfeit, not 'dept\.zhujian\.zhengzhou'"):
        life.ledger.record_forfeit("dept.zhujian.zhengzhou", pending, on=after)
    with refused(life, r"R-8: only a candidate still 报考条件待核查 forfeits; cand\.002 is 合格"):
        life.ledger.record_forfeit("dept.zhujian.henan", qualified, on=after)
    life.ledger.record_forfeit("dept.zhujian.henan", pending, on=after)

    forfeited = r"R-8: cand\.001 forfeited the exam qualification on 2025-08-15 \(视为放弃\); no later request is accepted"
    with refused(life, forfeited):
        life.ledger.record_supplementary("dept.zhujian.henan", pending, Q, on=date(2025, 8, 16))
    with refused(life, forfeited):
        life.ledger.lodge_appeal("dept.zhujian.henan", pending, "请求再次核查", on=date(2025, 8, 16))
    with refused(life, forfeited):
        life.ledger.issue_pass_proof("hrss", pending, "HN-P-9", on=date(2025, 8, 16))
    with refused(life, forfeited):
        life.ledger.record_forfeit("dept.zhujian.henan", pending, on=date(2025, 8, 16))
    assert names(life, pending)[-1] == "Forfeited"


# -- R-9 supplementary results: submit, then announce ------------------------------------------


def test_r9_supplementary_results_submitted_then_announced(life: LifeWorld) -> None:
    sid, ids = verified(life, results={"cand.001": P}, announce=False)
    publish_joint(life, sid)
    with refused(life, r"R-9: there is no supplementary round before the results announcement \(R-7\)"):
        life.ledger.submit_supplementary_results("dept.zhujian.henan", sid, on=date(2025, 7, 1))
    life.ledger.announce_verification_results("dept.zhujian.henan", sid, on=ANNOUNCED)
    life.ledger.record_supplementary("dept.zhujian.henan", ids["cand.001"], Q, on=date(2025, 8, 1))
    with refused(life, r"R-9: submit the supplementary results to HRSS first"):
        life.ledger.announce_supplementary_results("dept.zhujian.henan", sid, on=date(2025, 8, 20))
    with refused(life, r"R-9: only 'dept\.zhujian\.henan' may submit supplementary results to HRSS, "
                       r"not 'dept\.zhujian\.zhengzhou'"):
        life.ledger.submit_supplementary_results("dept.zhujian.zhengzhou", sid, on=date(2025, 8, 18))
    life.ledger.submit_supplementary_results("dept.zhujian.henan", sid, on=date(2025, 8, 18))
    with refused(life, r"R-9: supplementary results were submitted on 2025-08-18"):
        life.ledger.submit_supplementary_results("dept.zhujian.henan", sid, on=date(2025, 8, 19))
    with refused(life, r"R-9: the announcement cannot precede the submission"):
        life.ledger.announce_supplementary_results("dept.zhujian.henan", sid, on=date(2025, 8, 17))
    with refused(life, r"R-9: only 'dept\.zhujian\.henan' may announce the supplementary results, not 'hrss'"):
        life.ledger.announce_supplementary_results("hrss", sid, on=date(2025, 8, 20))
    life.ledger.announce_supplementary_results("dept.zhujian.henan", sid, on=date(2025, 8, 20))
    with refused(life, r"R-9: supplementary results were announced on 2025-08-20"):
        life.ledger.announce_supplementary_results("dept.zhujian.henan", sid, on=date(2025, 8, 21))
    assert names(life, sid)[-2:] == ["SupplementaryResultsSubmitted", "SupplementaryResultsAnnounced"]


# -- R-10 provincial exams: deadlines from their own announcement ------------------------------


def test_r10_provincial_exam_reports_by_its_own_announced_deadline(life: LifeWorld) -> None:
    national_sid, national = cohort(life, "jianzaoshi-1")
    provincial_sid, provincial = cohort(life, "jianzaoshi-2", ("cand.001", "cand.002"))
    life.publicity(national_sid)
    life.publicity(provincial_sid)
    after_d15 = date(2025, 7, 5)  # after 2025-06-29 (D+15), before 2025-07-10
    with refused(life, r"R-6: verification results were due by 2025-06-29 \(15 days after results release "
                       r"2025-06-14\); on 2025-07-05"):
        life.ledger.record_verification("dept.zhujian.henan", national["cand.001"], Q, on=after_d15)
    life.ledger.record_verification("dept.zhujian.henan", provincial["cand.001"], Q, on=after_d15)
    life.ledger.record_verification("dept.zhujian.henan", provincial["cand.002"], Q, on=PROVINCIAL_DUE)
    assert life.ledger.sitting("jianzaoshi-2:2025").verification_due == PROVINCIAL_DUE


def test_r10_provincial_deadline_is_still_a_deadline(life: LifeWorld) -> None:
    sid, provincial = cohort(life, "jianzaoshi-2")
    life.publicity(sid)
    with refused(life, r"R-6: verification results were due by 2025-07-10 \(the deadline of its own post-exam "
                       r"verification announcement, R-10\); on 2025-07-11 the candidate is 报考条件待核查"):
        life.ledger.record_verification("dept.zhujian.henan", provincial["cand.001"], Q, on=date(2025, 7, 11))
    life.ledger.record_verification("dept.zhujian.henan", provincial["cand.001"], Q, on=PROVINCIAL_DUE)


def test_r10_the_deadline_comes_from_the_post_exam_announcement_not_from_scheduling(life: LifeWorld) -> None:
    """核查结果报送时限以考后资格核查公告为准: the 考试成绩合格公示和考后资格核查公告 (R-5) sets
    it. Before this, scheduling set it, and a deadline before the results release was accepted,
    leaving every candidate 报考条件待核查 at once."""
    march = date(2025, 3, 1)
    with pytest.raises(TypeError):  # scheduling no longer takes a deadline
        life.ledger.schedule_sitting("hrss", "jianzaoshi-2", 2025, EXAM_END, on=march,  # type: ignore[call-arg]
                                     verification_due=PROVINCIAL_DUE)
    sid, provincial = cohort(life, "jianzaoshi-2")
    sitting = life.ledger.sitting(sid)
    assert sitting.verification_due is None  # not announced yet: nobody is pending
    candidacy = life.ledger.candidacy(provincial["cand.001"])
    assert candidacy.outcome_on(date(2025, 12, 1), sitting) is None
    with refused(life, r"R-10: 建造师（二级） is organised by the province: the results deadline is set by its "
                       r"考后资格核查公告 \(R-5\), not yet published"):
        life.ledger.report_verification_results("dept.zhujian.henan", sid, on=date(2025, 6, 20))
    with refused(life, r"R-10: 建造师（二级） is organised by the province: its 考后资格核查公告 \(R-5\) sets the "
                       r"deadline the results are verified by; it is not published yet"):
        life.ledger.record_verification("dept.zhujian.henan", provincial["cand.001"], Q, on=date(2025, 6, 20))
    with refused(life, r"R-10: 建造师（二级） is organised by the province: its 考后资格核查公告 sets the deadline"):
        life.ledger.publish_publicity("hrss", sid, *PUBLICITY, on=PUBLICITY[0])
    with refused(life, r"R-10: the announced results deadline 2025-06-10 must fall after results release 2025-06-14"):
        life.ledger.publish_publicity("hrss", sid, *PUBLICITY, on=PUBLICITY[0], verification_due=date(2025, 6, 10))
    with refused(life, r"R-10: the supplementary round \(2025-07-01\) cannot close before"):
        life.ledger.publish_publicity("hrss", sid, *PUBLICITY, on=PUBLICITY[0], verification_due=PROVINCIAL_DUE,
                                      supplementary_due=date(2025, 7, 1))
    life.ledger.publish_publicity("hrss", sid, *PUBLICITY, on=PUBLICITY[0], verification_due=PROVINCIAL_DUE)
    with refused(life, r"R-10: the joint announcement already set the results deadline 2025-07-10"):
        life.ledger.publish_publicity("dept.zhujian.henan", sid, *PUBLICITY, on=PUBLICITY[0],
                                      verification_due=date(2025, 7, 20))
    life.ledger.publish_publicity("dept.zhujian.henan", sid, *PUBLICITY, on=PUBLICITY[0])  # takes the same
    sitting = life.ledger.sitting(sid)
    assert sitting.verification_due == PROVINCIAL_DUE
    assert candidacy.outcome_on(date(2025, 7, 10), sitting) is None
    assert candidacy.outcome_on(date(2025, 7, 11), sitting) is Outcome.PENDING


def test_r10_a_national_exam_announces_no_deadline_of_its_own(life: LifeWorld) -> None:
    sid, _ = cohort(life, "jianzaoshi-1")
    with refused(life, r"R-10: 建造师（一级） is a national exam: its deadlines are the notice's \(15 days, two months "
                       r"after results release\), not an announced date"):
        life.ledger.publish_publicity("hrss", sid, *PUBLICITY, on=PUBLICITY[0], verification_due=PROVINCIAL_DUE)
    life.ledger.publish_publicity("hrss", sid, *PUBLICITY, on=PUBLICITY[0])
    assert life.ledger.sitting(sid).verification_due == RESULTS_DUE


# -- R-11 not meeting the conditions: registration, scores, certificate void -------------------


def test_r11_void_registration_gets_no_certificate(life: LifeWorld) -> None:
    _, ids = verified(life, candidates=("cand.001", "cand.002"))
    void, fine = ids["cand.001"], ids["cand.002"]
    finding = date(2025, 7, 5)
    with refused(life, r"R-11: a 不合格 result must cite a national registration condition of 建造师（一级） .*"
                       r"got 'hukou'"):
        life.ledger.find_ineligible("dept.zhujian.henan", void, "hukou", "非本省户籍", on=finding)
    with refused(life, r"R-11: only 'dept\.zhujian\.henan' or 'dept\.zhujian\.zhengzhou' or 'hrss' may find a "
                       r"candidate ineligible, not 'dept\.zhujian\.luoyang'"):
        life.ledger.find_ineligible("dept.zhujian.luoyang", void, "work-years", "工作年限不足", on=finding)
    life.ledger.find_ineligible("dept.zhujian.zhengzhou", void, "work-years", "工作年限不足", on=finding)
    with refused(life, r"R-11: the registration is void since 2025-07-05"):
        life.ledger.find_ineligible("hrss", void, "education", "再次认定", on=date(2025, 7, 6))
    with refused(life, r"R-11: the registration of cand\.001 is void since 2025-07-05 \(work-years 工作年限: 工作年限不足\): "
                       r"no certificate"):
        life.ledger.issue_pass_proof("hrss", void, "HN-P-1", on=date(2025, 7, 10))
    with refused(life, r"R-11: the registration of cand\.001 is void since 2025-07-05 .*: no paper certificate"):
        life.ledger.receive_paper_certificate("dept.zhujian.henan", void, "ZS20250001", on=PAPER_ARRIVES)
    life.ledger.issue_pass_proof("hrss", fine, "HN-P-2", on=date(2025, 7, 10))
    assert life.ledger.candidacy(void).is_void and not life.ledger.candidacy(fine).is_void


def test_r11_an_issued_certificate_becomes_void(life: LifeWorld) -> None:
    """Later supervision (日常监管) finds the condition unmet: the pass proof already issued and
    the scores are void; no paper certificate, mailing or hand-out follows."""
    _, ids = verified(life)
    cid = ids["cand.001"]
    life.ledger.issue_pass_proof("hrss", cid, "HN-P-1", on=date(2025, 7, 10))
    life.ledger.reserve_mailing("hrss", cid, "addr:zz-1", on=date(2025, 7, 12))
    life.ledger.find_ineligible("hrss", cid, "education", "学历证书系伪造", on=date(2026, 3, 1))
    candidacy = life.ledger.candidacy(cid)
    assert candidacy.certificate_kind == "pass-proof" and candidacy.is_void
    assert candidacy.void_on == date(2026, 3, 1) and candidacy.unclaimed_on(date(2026, 3, 1)) is False
    assert names(life, cid)[-1] == "IneligibilityFound"
    void = r"R-11: the registration of cand\.001 is void since 2026-03-01 \(education 学历: 学历证书系伪造\): no "
    with refused(life, void + "paper certificate"):
        life.ledger.receive_paper_certificate("dept.zhujian.henan", cid, "ZS20250001", on=date(2026, 3, 5))


def test_r11_void_registration_is_not_verified_qualified(life: LifeWorld) -> None:
    _, ids = cohort(life)
    cid = ids["cand.001"]
    life.ledger.find_ineligible("hrss", cid, "work-years", "工作年限不足", on=date(2025, 6, 16))
    with refused(life, r"R-11: the registration of cand\.001 is void since 2025-06-16 .*"):
        life.ledger.record_verification("dept.zhujian.henan", cid, Q, on=VERIFIED)


def test_r11_void_certificate_is_not_reissued(life: LifeWorld) -> None:
    _, ids = with_paper(life)
    cid = ids["cand.001"]
    life.ledger.find_ineligible("hrss", cid, "education", "学历证书系伪造", on=date(2026, 3, 1))
    with refused(life, r"R-11: the registration of cand\.001 is void since 2026-03-01 .*"):
        life.ledger.request_reissue("dept.zhujian.zhengzhou", cid, PAPER, "遗失", on=date(2026, 4, 1))


# -- R-12 fraud: Order No. 31 Art. 10/12, referral ---------------------------------------------


def test_r12_fraud_under_articles_10_and_12_then_referral(life: LifeWorld) -> None:
    _, ids = verified(life, candidates=("cand.001", "cand.002"))
    cid = ids["cand.001"]
    on = date(2025, 7, 8)
    with refused(life, r"R-12: a referral follows a fraud finding; none is recorded"):
        life.ledger.refer_to_judiciary("hrss", cid, "郑州市公安局", on=on)
    for outsider in ("exam-center", "postal.henan", "dept.zhujian.luoyang"):
        with refused(life, rf"R-12: only .* may record a fraud finding, not '{outsider}'"):
            life.ledger.find_fraud(outsider, cid, "伪造学历证书", on=on)
    life.ledger.find_fraud("dept.zhujian.henan", cid, "伪造学历证书", on=on)
    with refused(life, r"R-12: a fraud finding is recorded already"):
        life.ledger.find_fraud("hrss", cid, "又一项", on=on)
    with refused(life, r"R-11: the registration of cand\.001 is void since 2025-07-08 "
                       r"\(fraud \(Order No\. 31 Art\. 10 and 12\): 伪造学历证书\): no certificate"):
        life.ledger.issue_pass_proof("hrss", cid, "HN-P-1", on=date(2025, 7, 10))
    with refused(life, r"R-12: only .* may refer a case to the judicial authorities, not 'cand\.002'"):
        life.ledger.refer_to_judiciary("cand.002", cid, "郑州市公安局", on=on)
    life.ledger.refer_to_judiciary("hrss", cid, "郑州市公安局", on=date(2025, 7, 9))
    with refused(life, r"R-12: referred on 2025-07-09 already"):
        life.ledger.refer_to_judiciary("hrss", cid, "郑州市公安局", on=date(2025, 7, 10))
    found, referred = events_of(life, cid)[-2:]
    assert (type(found).__name__, tuple(found.articles), found.actor) == ("FraudFound", (10, 12), "dept.zhujian.henan")
    assert (type(referred).__name__, referred.authority, referred.actor) == ("ReferredToJudiciary", "郑州市公安局", "hrss")


def test_r12_referral_is_not_blocked_by_a_forfeit(life: LifeWorld) -> None:
    sid, ids = cohort(life)
    cid = ids["cand.001"]
    life.ledger.record_verification("dept.zhujian.henan", cid, P, on=VERIFIED)
    life.publicity_and_announcement(sid)
    life.ledger.record_forfeit("dept.zhujian.henan", cid, on=date(2025, 8, 15))  # never came to supplementary
    with refused(life, r"R-8: cand\.001 forfeited the exam qualification on 2025-08-15 \(视为放弃\); "
                       r"no later request is accepted"):
        life.ledger.lodge_appeal("dept.zhujian.henan", cid, "请求核查", on=date(2025, 8, 20))
    # The candidate's requests end with the forfeit; the authorities' sanctions do not: later
    # supervision finds forged material, and the finding and the referral are recorded.
    life.ledger.find_fraud("dept.zhujian.henan", cid, "伪造工作证明", on=date(2025, 9, 1))
    life.ledger.refer_to_judiciary("hrss", cid, "郑州市公安局", on=date(2025, 9, 2))
    assert names(life, cid)[-2:] == ["FraudFound", "ReferredToJudiciary"]


# -- R-13 provincial exams: HRSS e-certificate, no paper ----------------------------------------


def test_r13_e_certificate_by_hrss_for_provincial_exams_only(life: LifeWorld) -> None:
    _, prov = verified(life, "jianzaoshi-2", ("cand.001", "cand.002"), results={"cand.002": U})
    _, nat = verified(life, "jianzaoshi-1")
    on = date(2025, 7, 15)
    for other in ("exam-center", "dept.zhujian.henan"):
        with refused(life, rf"R-13: only 'hrss' may issue an e-certificate under the HRSS e-seal, not '{other}'"):
            life.ledger.issue_e_certificate(other, prov["cand.001"], "HN-E-1", on=on)
    with refused(life, r"R-13: 建造师（一级） is a national exam: HRSS issues a pass proof \(R-14\), not an e-certificate"):
        life.ledger.issue_e_certificate("hrss", nat["cand.001"], "HN-E-X", on=on)
    with refused(life, r"R-13: cand\.002 is not verified 合格 \(now: 不合格\): no e-certificate"):
        life.ledger.issue_e_certificate("hrss", prov["cand.002"], "HN-E-2", on=on)
    life.ledger.issue_e_certificate("hrss", prov["cand.001"], "HN-E-1", on=on)
    with refused(life, r"R-13: cand\.001 has a e-certificate HN-E-1 already"):
        life.ledger.issue_e_certificate("hrss", prov["cand.001"], "HN-E-1b", on=on)
    issued = events_of(life, prov["cand.001"])[-1]
    assert (type(issued).__name__, issued.actor, issued.kind, issued.number) == \
        ("CertificateIssued", "hrss", "e-certificate", "HN-E-1")


def test_r13_no_paper_certificate_for_e_certificate_exams(life: LifeWorld) -> None:
    assert paper_units(exam("jianzaoshi-2"), "zhengzhou") == ()
    _, ids = verified(life, "jianzaoshi-2")
    cid = ids["cand.001"]
    life.ledger.issue_e_certificate("hrss", cid, "HN-E-1", on=date(2025, 7, 15))
    with refused(life, r"R-13: 建造师（二级） has no paper certificate: HRSS issues an e-certificate"):
        life.ledger.receive_paper_certificate("dept.zhujian.henan", cid, "ZS-1", on=PAPER_ARRIVES)
    with refused(life, r"R-13: 建造师（二级） has no paper certificate to mail"):
        life.ledger.reserve_mailing("hrss", cid, "addr:zz-1", on=date(2025, 7, 16))
    with refused(life, r"R-13: 建造师（二级） has no paper certificate to hand out"):
        life.ledger.hand_out("dept.zhujian.henan", cid, on=PAPER_ARRIVES)
    with refused(life, r"R-13: 建造师（二级） is organised by the province: it gets an e-certificate, not a pass proof"):
        life.ledger.issue_pass_proof("hrss", cid, "HN-P-1", on=date(2025, 7, 16))
    assert life.ledger.candidacy(cid).certificate_kind == "e-certificate"


# -- R-14 national exams: HRSS pass proof until the paper arrives -------------------------------


def test_r14_pass_proof_by_hrss_for_national_exams_only(life: LifeWorld) -> None:
    _, nat = verified(life, "jianzaoshi-1", ("cand.001", "cand.002"), results={"cand.002": P})
    _, prov = verified(life, "jianzaoshi-2")
    on = date(2025, 7, 15)
    for other in ("exam-center", "dept.zhujian.henan", "dept.zhujian.zhengzhou"):
        with refused(life, rf"R-14: only 'hrss' may issue a pass proof under the HRSS e-seal, not '{other}'"):
            life.ledger.issue_pass_proof(other, nat["cand.001"], "HN-P-1", on=on)
    # The refusal for a provincial exam cites R-13 (it gets the e-certificate instead).
    with refused(life, r"R-13: 建造师（二级） is organised by the province: it gets an e-certificate, not a pass proof"):
        life.ledger.issue_pass_proof("hrss", prov["cand.001"], "HN-P-X", on=on)
    with refused(life, r"R-14: cand\.002 is not verified 合格 \(now: 报考条件待核查\): no pass-proof"):
        life.ledger.issue_pass_proof("hrss", nat["cand.002"], "HN-P-2", on=on)
    life.ledger.issue_pass_proof("hrss", nat["cand.001"], "HN-P-1", on=on)
    with refused(life, r"R-14: cand\.001 has a pass-proof HN-P-1 already"):
        life.ledger.issue_pass_proof("hrss", nat["cand.001"], "HN-P-1b", on=on)
    candidacy = life.ledger.candidacy(nat["cand.001"])
    assert (candidacy.certificate_kind, candidacy.certificate_no) == ("pass-proof", "HN-P-1")


def test_r14_no_pass_proof_once_the_paper_certificate_arrived(life: LifeWorld) -> None:
    _, ids = with_paper(life)
    with refused(life, r"R-14: .*paper certificate"):
        life.ledger.issue_pass_proof("hrss", ids["cand.001"], "HN-P-1", on=date(2025, 9, 2))


# -- R-15 paper certificates handed out by the table's unit -------------------------------------


def test_r15_paper_handed_out_by_the_tables_unit_at_the_right_level(life: LifeWorld) -> None:
    _, ids = verified(life, candidates=("cand.001", "cand.002", "cand.003"))
    zz, prov, later = ids["cand.001"], ids["cand.002"], ids["cand.003"]
    with refused(life, r"R-15: only 'dept\.zhujian\.henan' may receive paper certificates, "
                       r"not 'dept\.zhujian\.zhengzhou'"):
        life.ledger.receive_paper_certificate("dept.zhujian.zhengzhou", zz, "ZS1", on=PAPER_ARRIVES)
    for cid, no in ((zz, "ZS1"), (prov, "ZS2")):
        life.ledger.receive_paper_certificate("dept.zhujian.henan", cid, no, on=PAPER_ARRIVES)
    with refused(life, r"R-15: the paper certificate has not been received"):
        life.ledger.hand_out("dept.zhujian.henan", later, on=PAPER_ARRIVES)
    on = date(2025, 9, 10)
    for wrong in ("dept.zhujian.luoyang", "dept.weijian.zhengzhou", "hrss", "exam-center"):
        with refused(life, rf"R-15: only 'dept\.zhujian\.henan' or 'dept\.zhujian\.zhengzhou' may hand out paper "
                           rf"certificates of 建造师（一级） in zhengzhou, not '{wrong}'"):
            life.ledger.hand_out(wrong, zz, on=on)
    life.ledger.hand_out("dept.zhujian.zhengzhou", zz, on=on)  # municipal level
    life.ledger.hand_out("dept.zhujian.henan", prov, on=on)  # provincial level
    with refused(life, r"R-15: handed out on 2025-09-10 already"):
        life.ledger.hand_out("dept.zhujian.henan", zz, on=date(2025, 9, 11))
    assert [events_of(life, c)[-1].actor for c in (zz, prov)] == ["dept.zhujian.zhengzhou", "dept.zhujian.henan"]


def test_r15_province_only_exam_hands_out_at_the_province(life: LifeWorld) -> None:
    _, ids = with_paper(life, "tongxin")
    cid = ids["cand.001"]
    with refused(life, r"R-15: only 'dept\.tongxin\.henan' may hand out paper certificates of 通信 in zhengzhou, "
                       r"not 'dept\.tongxin\.zhengzhou'"):
        life.ledger.hand_out("dept.tongxin.zhengzhou", cid, on=date(2025, 9, 10))
    life.ledger.hand_out("dept.tongxin.henan", cid, on=date(2025, 9, 10))
    assert life.ledger.candidacy(cid).handed_out_on == date(2025, 9, 10)


# -- R-16 mailing reservation, postal delivery ----------------------------------------------------


def test_r16_mailing_reservation_within_thirty_days_of_the_announcement(life: LifeWorld) -> None:
    sid, ids = verified(life, candidates=("cand.001", "cand.002", "cand.003"), results={"cand.003": U}, announce=False)
    in_time, late, unqualified = ids["cand.001"], ids["cand.002"], ids["cand.003"]
    with refused(life, r"R-16: reservations open with the verification results announcement \(R-7\), "
                       r"not yet published"):
        life.ledger.reserve_mailing("hrss", in_time, "addr:zz-1", on=date(2025, 6, 28))
    life.publicity_and_announcement(sid)
    # HRSS's reservation platform records it, naming the candidate (T-6: no candidate keys).
    for actor in ("cand.001", "postal.henan", "dept.zhujian.zhengzhou"):
        with refused(life, rf"R-16: only 'hrss' may record cand\.001's mailing reservation .*not '{actor}'"):
            life.ledger.reserve_mailing(actor, in_time, "addr:zz-2", on=date(2025, 7, 10))
    with refused(life, r"R-16: the mailing reservation period closed on 2025-08-01 \(30 days after the results "
                       r"announcement 2025-07-02\); this act is dated 2025-08-02"):
        life.ledger.reserve_mailing("hrss", late, "addr:zz-2", on=date(2025, 8, 2))
    with refused(life, r"R-16: cand\.003 is not verified 合格 \(now: 不合格\): no certificate to mail"):
        life.ledger.reserve_mailing("hrss", unqualified, "addr:zz-3", on=date(2025, 7, 10))
    life.ledger.reserve_mailing("hrss", in_time, "addr:zz-1", on=MAILING_DUE)  # the 30th day is in time
    with refused(life, r"R-16: mailing was reserved on 2025-08-01"):
        life.ledger.reserve_mailing("hrss", in_time, "addr:zz-1b", on=MAILING_DUE)
    reserved = events_of(life, in_time)[-1]
    assert (type(reserved).__name__, reserved.actor, reserved.cash_on_delivery) == ("MailingReserved", "hrss", True)


def test_r16_postal_delivers_reserved_certificates_which_are_not_handed_out(life: LifeWorld) -> None:
    _, ids = verified(life, candidates=("cand.001", "cand.002"))
    mailed, on_site = ids["cand.001"], ids["cand.002"]
    life.ledger.reserve_mailing("hrss", mailed, "addr:zz-1", on=date(2025, 7, 10))
    # cand.002 does not reserve: handed out on site by the unit, and then no longer reservable.
    life.ledger.receive_paper_certificate("dept.zhujian.henan", on_site, "ZS2", on=date(2025, 7, 15))
    life.ledger.hand_out("dept.zhujian.henan", on_site, on=date(2025, 7, 20))
    with refused(life, r"R-16: the certificate was handed out on 2025-07-20"):
        life.ledger.reserve_mailing("hrss", on_site, "addr:zz-2", on=date(2025, 7, 25))
    with refused(life, r"R-16: cand\.002 did not reserve mailing"):
        life.ledger.deliver_by_post("postal.henan", on_site, on=date(2025, 7, 25))

    with refused(life, r"R-16: the paper certificate has not reached the unit yet"):
        life.ledger.deliver_by_post("postal.henan", mailed, on=date(2025, 8, 20))
    life.ledger.receive_paper_certificate("dept.zhujian.henan", mailed, "ZS1", on=PAPER_ARRIVES)
    on = date(2025, 9, 10)
    for unit in ("dept.zhujian.henan", "dept.zhujian.zhengzhou"):
        with refused(life, r"R-16: this certificate is reserved for mailing: the postal company delivers it"):
            life.ledger.hand_out(unit, mailed, on=on)
    for other in ("dept.zhujian.henan", "hrss", "cand.001"):
        with refused(life, rf"R-16: only 'postal\.henan' may deliver reserved certificates, not '{other}'"):
            life.ledger.deliver_by_post(other, mailed, on=on)
    life.ledger.deliver_by_post("postal.henan", mailed, on=on)
    with refused(life, r"R-16: delivered on 2025-09-10 already"):
        life.ledger.deliver_by_post("postal.henan", mailed, on=date(2025, 9, 11))
    assert names(life, mailed)[-1] == "DeliveredByPost" and names(life, on_site)[-1] == "HandedOutOnSite"
    assert events_of(life, mailed)[-1].actor == "postal.henan"


# -- R-17 custody of unclaimed certificates: 5 years, then the roster to HRSS ---------------------


def test_r17_custody_transfer_after_five_years_with_the_roster(life: LifeWorld) -> None:
    sid, ids = verified(life, candidates=("cand.001", "cand.002", "cand.003", "cand.004"))
    handed, mailed, unclaimed, never = (ids[c] for c in ("cand.001", "cand.002", "cand.003", "cand.004"))
    life.ledger.reserve_mailing("hrss", mailed, "addr:zz-2", on=date(2025, 7, 10))
    for n, cid in enumerate((handed, mailed, unclaimed)):
        life.ledger.receive_paper_certificate("dept.zhujian.henan", cid, f"ZS{n}", on=PAPER_ARRIVES)
    life.ledger.hand_out("dept.zhujian.zhengzhou", handed, on=date(2025, 9, 10))
    life.ledger.deliver_by_post("postal.henan", mailed, on=date(2025, 9, 10))

    with refused(life, r"R-17: unclaimed certificates stay with the unit for 5 years from the exam's end 2025-05-25, "
                       r"until 2030-05-25 \(保管期满\); after it \(C-1\): transfer from 2030-05-26, not 2030-05-24"):
        life.ledger.transfer_custody("dept.zhujian.henan", sid, on=date(2030, 5, 24))
    # Issue 23 item 4: custody's last day is inside the five years; the transfer comes after it.
    with refused(life, r"R-17: .*transfer from 2030-05-26, not 2030-05-25"):
        life.ledger.transfer_custody("dept.zhujian.henan", sid, on=date(2030, 5, 25))
    for other in ("dept.zhujian.zhengzhou", "hrss"):
        with refused(life, rf"R-17: only 'dept\.zhujian\.henan' may transfer unclaimed certificates to HRSS, "
                           rf"not '{other}'"):
            life.ledger.transfer_custody(other, sid, on=CUSTODY_FROM)
    roster = life.ledger.transfer_custody("dept.zhujian.henan", sid, on=CUSTODY_FROM)
    assert roster == (unclaimed,)  # not the handed-out, the delivered, nor one never received
    assert never not in roster
    sitting = life.ledger.sitting(sid)
    assert (sitting.custody_transferred_on, sitting.custody_roster) == (CUSTODY_FROM, (unclaimed,))
    transferred = events_of(life, sid)[-1]
    assert (type(transferred).__name__, transferred.actor, tuple(transferred.roster)) == \
        ("CustodyTransferred", "dept.zhujian.henan", (unclaimed,))
    with refused(life, r"R-17: transferred to HRSS on 2030-05-26 with the unclaimed certificates"):
        life.ledger.hand_out("dept.zhujian.henan", unclaimed, on=date(2030, 6, 1))
    with refused(life, r"R-17: custody was transferred on 2030-05-26"):
        life.ledger.transfer_custody("dept.zhujian.henan", sid, on=date(2030, 6, 1))


def test_r17_transferred_certificate_is_not_delivered_by_post(life: LifeWorld) -> None:
    """Reserved but never delivered: still unclaimed, so it goes to HRSS with the roster, and
    the postal company can no longer deliver it."""
    sid, ids = verified(life)
    cid = ids["cand.001"]
    life.ledger.reserve_mailing("hrss", cid, "addr:zz-1", on=date(2025, 7, 10))
    life.ledger.receive_paper_certificate("dept.zhujian.henan", cid, "ZS1", on=PAPER_ARRIVES)
    assert life.ledger.transfer_custody("dept.zhujian.henan", sid, on=CUSTODY_FROM) == (cid,)
    with refused(life, r"R-17: transferred to HRSS on 2030-05-26"):
        life.ledger.deliver_by_post("postal.henan", cid, on=date(2030, 6, 1))


# -- R-18 no paper reissue once an e-certificate exists; the refusal is recorded -------------------


def test_r18_paper_reissue_after_e_certificate_is_refused_and_recorded(life: LifeWorld) -> None:
    _, ids = verified(life, "jianzaoshi-2", ("cand.001", "cand.002"))
    e_cert, no_cert = ids["cand.001"], ids["cand.002"]
    life.ledger.issue_e_certificate("hrss", e_cert, "HN-E-1", on=date(2025, 7, 15))
    # Before any e-certificate the exam still has no paper to reissue: refused, nothing recorded.
    with refused(life, r"R-13: 建造师（二级） has no paper certificate to reissue"):
        life.ledger.request_reissue("dept.zhujian.zhengzhou", no_cert, PAPER, "遗失", on=date(2025, 9, 1))

    before = life.count()
    accepted = life.ledger.request_reissue("dept.zhujian.zhengzhou", e_cert, PAPER, "想要纸质证书", on=date(2025, 9, 1))
    assert accepted is False
    assert life.count() == before + 1  # the refusal itself is one signed event
    refusal = events_of(life, e_cert)[-1]
    assert (type(refusal).__name__, refusal.actor, refusal.rule, refusal.reason) == \
        ("ReissueRefused", "dept.zhujian.zhengzhou", "R-18", "想要纸质证书")
    assert ReissueKind(refusal.kind) is PAPER
    candidacy = life.ledger.candidacy(e_cert)
    assert candidacy.reissue_refusals == 1 and candidacy.reissue_route == ()
    with refused(life, r"R-19: there is no request on its way to forward"):
        life.ledger.forward_reissue("dept.zhujian.zhengzhou", e_cert, on=date(2025, 9, 2))
    # A second application is refused, and recorded, again.
    assert life.ledger.request_reissue("dept.zhujian.zhengzhou", e_cert, PAPER, "再次申请", on=date(2025, 9, 5)) is False
    assert names(life, e_cert).count("ReissueRefused") == 2


# -- R-19 reissue and information-change routes ----------------------------------------------------


def _forward_all(life: LifeWorld, cid: UUID, holders: list[str], on: date) -> list[str]:
    return [life.ledger.forward_reissue(holder, cid, on=on) for holder in holders]


def test_r19_weisheng_goes_up_to_the_national_exam_center(life: LifeWorld) -> None:
    _, ids = with_paper(life, "weisheng", handed_out=True)
    cid = ids["cand.001"]
    on = date(2025, 10, 1)
    with refused(life, r"R-19: only 'dept\.weijian\.zhengzhou' may receive reissue requests "
                       r"for 卫生 in zhengzhou, not 'exam-center'"):
        life.ledger.request_reissue("exam-center", cid, PAPER, "遗失", on=on)
    # 2019 §一(五): the municipal department receives (受理); the provincial one never first-hand.
    with refused(life, r"R-19: only 'dept\.weijian\.zhengzhou' may receive reissue requests for 卫生 in zhengzhou, "
                       r"not 'dept\.weijian\.henan'"):
        life.ledger.request_reissue("dept.weijian.henan", cid, PAPER, "遗失", on=on)
    assert life.ledger.request_reissue("dept.weijian.zhengzhou", cid, PAPER, "遗失", on=on) is True
    route = ("dept.weijian.zhengzhou", "dept.weijian.henan", "national.dept.weijian", "national.exam-center")
    assert life.ledger.candidacy(cid).reissue_route == route
    with refused(life, r"R-19: a paper-reissue request is still on its way \(at dept\.weijian\.zhengzhou\)"):
        life.ledger.request_reissue("dept.weijian.zhengzhou", cid, PAPER, "重复", on=on)
    with refused(life, r"R-19: only 'dept\.weijian\.zhengzhou' may forward this request \(it is with them\), "
                       r"not 'dept\.weijian\.henan'"):
        life.ledger.forward_reissue("dept.weijian.henan", cid, on=on)
    assert _forward_all(life, cid, ["dept.weijian.zhengzhou"], on) == ["dept.weijian.henan"]
    for skipping in ("national.dept.weijian", "national.exam-center", "exam-center"):
        with refused(life, rf"R-19: only 'dept\.weijian\.henan' may forward this request \(it is with them\), "
                           rf"not '{skipping}'"):
            life.ledger.forward_reissue(skipping, cid, on=on)
    assert _forward_all(life, cid, ["dept.weijian.henan", "national.dept.weijian"], on) == \
        ["national.dept.weijian", "national.exam-center"]
    with refused(life, r"R-19: there is no request on its way to forward"):
        life.ledger.forward_reissue("national.exam-center", cid, on=on)
    hops = [(e.actor, e.to) for e in events_of(life, cid) if type(e).__name__ == "ReissueForwarded"]
    assert hops == list(zip(route, route[1:]))


def test_r19_other_exams_go_to_the_henan_exam_center(life: LifeWorld) -> None:
    _, ids = with_paper(life, "jianzaoshi-1", ("cand.001", "cand.002"), handed_out=True)
    first, second = ids["cand.001"], ids["cand.002"]
    on = date(2025, 10, 1)
    for wrong in ("exam-center", "dept.zhujian.luoyang", "cand.001"):
        with refused(life, rf"R-19: only 'dept\.zhujian\.zhengzhou' may receive reissue "
                           rf"requests for 建造师（一级） in zhengzhou, not '{wrong}'"):
            life.ledger.request_reissue(wrong, first, PAPER, "遗失", on=on)
    assert life.ledger.request_reissue("dept.zhujian.zhengzhou", first, PAPER, "遗失", on=on)
    assert life.ledger.candidacy(first).reissue_route == ("dept.zhujian.zhengzhou", "dept.zhujian.henan", "exam-center")
    with refused(life, r"R-19: only 'dept\.zhujian\.zhengzhou' may forward this request"):
        life.ledger.forward_reissue("dept.zhujian.henan", first, on=on)
    assert _forward_all(life, first, ["dept.zhujian.zhengzhou", "dept.zhujian.henan"], on) == \
        ["dept.zhujian.henan", "exam-center"]
    with refused(life, r"R-19: there is no request on its way to forward"):
        life.ledger.forward_reissue("exam-center", first, on=on)
    # 2019 §一(五): the municipal department receives (受理) an information change too; the
    # province gets it forwarded, never first-hand.
    with refused(life, r"R-19: only 'dept\.zhujian\.zhengzhou' may receive reissue requests"):
        life.ledger.request_reissue("dept.zhujian.henan", second, ReissueKind.INFORMATION_CHANGE, "姓名变更", on=on)
    assert life.ledger.request_reissue("dept.zhujian.zhengzhou", second, ReissueKind.INFORMATION_CHANGE, "姓名变更", on=on)
    assert life.ledger.candidacy(second).reissue_route == ("dept.zhujian.zhengzhou", "dept.zhujian.henan", "exam-center")
    assert _forward_all(life, second, ["dept.zhujian.zhengzhou", "dept.zhujian.henan"], on) == ["dept.zhujian.henan", "exam-center"]


def test_r19_province_only_national_route_tongxin(life: LifeWorld) -> None:
    _, ids = with_paper(life, "tongxin", handed_out=True)
    cid = ids["cand.001"]
    on = date(2025, 10, 1)
    with refused(life, r"R-19: only 'dept\.tongxin\.henan' may receive reissue requests for 通信 in zhengzhou, "
                       r"not 'dept\.tongxin\.zhengzhou'"):
        life.ledger.request_reissue("dept.tongxin.zhengzhou", cid, PAPER, "遗失", on=on)
    assert life.ledger.request_reissue("dept.tongxin.henan", cid, PAPER, "遗失", on=on)
    route = ("dept.tongxin.henan", "national.dept.tongxin", "national.exam-center")
    assert life.ledger.candidacy(cid).reissue_route == route
    with refused(life, r"R-19: only 'dept\.tongxin\.henan' may forward this request \(it is with them\), "
                       r"not 'exam-center'"):
        life.ledger.forward_reissue("exam-center", cid, on=on)
    assert _forward_all(life, cid, ["dept.tongxin.henan", "national.dept.tongxin"], on) == \
        ["national.dept.tongxin", "national.exam-center"]


def test_r19_information_change_needs_an_issued_certificate(life: LifeWorld) -> None:
    _, ids = cohort(life, candidates=("cand.001",), failed=("cand.001",))
    with refused(life, r"R-19: no paper certificate was issued to this candidate"):
        life.ledger.request_reissue("dept.zhujian.zhengzhou", ids["cand.001"], ReissueKind.INFORMATION_CHANGE,
                                    "姓名变更", on=date(2025, 10, 1))


# -- L-3: a certificate number is issued once -------------------------------------------------


def test_l3_a_certificate_number_is_issued_to_one_candidacy_only(life: LifeWorld) -> None:
    _, nat = verified(life, "jianzaoshi-1", ("cand.001", "cand.002"))
    _, prov = verified(life, "jianzaoshi-2", ("cand.003", "cand.004"))
    on = date(2025, 7, 15)
    life.ledger.issue_pass_proof("hrss", nat["cand.001"], "HN-P-1", on=on)
    with refused(life, r"L-3: pass-proof number HN-P-1 was issued already \(to candidacy "):
        life.ledger.issue_pass_proof("hrss", nat["cand.002"], "HN-P-1", on=on)
    # Surrounding spaces do not make another number.
    with refused(life, r"L-3: pass-proof number HN-P-1 was issued already"):
        life.ledger.issue_pass_proof("hrss", nat["cand.002"], " HN-P-1 ", on=on)
    life.ledger.issue_e_certificate("hrss", prov["cand.003"], "HN-E-1", on=on)
    with refused(life, r"L-3: e-certificate number HN-E-1 was issued already"):
        life.ledger.issue_e_certificate("hrss", prov["cand.004"], "HN-E-1", on=on)
    # Numbering is per kind: an e-certificate may carry a pass proof's number text.
    life.ledger.issue_e_certificate("hrss", prov["cand.004"], "HN-P-1", on=on)
    assert life.ledger.candidacy(nat["cand.002"]).certificate_no is None


def test_l3_two_writers_claiming_one_number_at_once_record_it_once(life: LifeWorld) -> None:
    """The store's primary key refuses the second claim atomically: neither writer can see
    the other's claim before saving, and still only one number is recorded."""
    from certledger.domain.errors import CertLedgerError

    _, nat = verified(life, "jianzaoshi-1", ("cand.001", "cand.002"))
    on = date(2025, 7, 15)
    other = life.reopen()
    try:
        prepared = []
        for ledger, candidate in ((life.ledger, "cand.001"), (other, "cand.002")):
            candidacy = ledger.candidacy(nat[candidate])
            claim = ledger.claim_number("hrss", "pass-proof", "HN-P-9", candidacy.id, on)
            with ledger.acting():
                candidacy.issue_pass_proof(actor="hrss", sitting=ledger.sitting(candidacy.sitting_id),
                                           proof_no="HN-P-9", on=on, claim=claim)
            prepared.append((ledger, claim, candidacy))
        before = life.count()
        first, second = prepared
        first[0].save(first[1], first[2])
        with pytest.raises(CertLedgerError, match="another writer recorded an event in the same stream first"):
            second[0].save(second[1], second[2])
        assert life.count() == before + 2
        holders = [c for c in ("cand.001", "cand.002") if life.ledger.candidacy(nat[c]).certificate_no == "HN-P-9"]
        assert holders == ["cand.001"]
    finally:
        other.close()


# -- L-2: business dates -------------------------------------------------------------------------


def test_l2_a_late_entry_allows_only_the_next_act_of_the_same_party(life: LifeWorld) -> None:
    from certledger.domain.acts import late_entry

    sid = life.sitting()
    life.ledger.release_results("exam-center", sid, on=date(2025, 6, 14))
    life.ledger.publish_publicity("hrss", sid, starts=date(2025, 6, 16), ends=date(2025, 6, 25), on=date(2025, 6, 16))
    unit, period = "dept.zhujian.henan", dict(starts=date(2025, 6, 16), ends=date(2025, 6, 25))
    with refused(life, r"L-2: this act is dated 2025-06-15, before the latest act already recorded here \(2025-06-16\)"):
        life.ledger.publish_publicity(unit, sid, **period, on=date(2025, 6, 15))
    # A declared late entry (补录) signs its reason first; then the act carries the earlier date.
    before = life.count()
    with late_entry("公告纸质件6月15日已张贴，补录"):
        life.ledger.publish_publicity(unit, sid, **period, on=date(2025, 6, 15))
    assert life.count() == before + 2
    sitting = life.ledger.sitting(sid)
    assert sitting.publicity_published_by == ("hrss", unit)
    # The allowance is used up by that one act, and the latest date stays the latest.
    assert sitting.latest_on == date(2025, 6, 16) and sitting.late_entry is None


def test_l2_an_act_dated_after_the_day_it_is_written_is_refused_on_a_real_clock(world) -> None:
    """On a real (system) clock, an act dated tomorrow in China Standard Time is refused."""
    from datetime import datetime, timedelta

    from certledger.domain.clock import CST
    from certledger.domain.sitting import ExamSitting

    tomorrow = (datetime.now(CST) + timedelta(days=1)).date()
    with pytest.raises(RuleViolation, match=r"L-2: an act dated .* cannot be recorded before that day"):
        ExamSitting.schedule(actor="hrss", exam_code="jianzaoshi-1", year=tomorrow.year + 1,
                             exam_end=date(tomorrow.year + 1, 5, 25), on=tomorrow)



def test_l4_an_appeal_is_dated_the_day_it_is_received(life: LifeWorld) -> None:
    """L-4: once the ledger's day has moved past the window, the candidate cannot date an
    appeal back into it; recorded after the fact, it is a late entry that signs its reason
    (and is then judged by its declared date, so the reason is on record for the auditor)."""
    from certledger.domain.acts import late_entry

    sid, ids = verified(life, candidates=("cand.001", "cand.002"), results={"cand.001": U, "cand.002": U})
    # An act recorded on 2025-08-20 moves the ledger's (simulated) day past the window (08-14).
    life.ledger.schedule_sitting("hrss", "jianli", 2026, date(2026, 5, 24), on=date(2025, 8, 20))
    with refused(life, r"R-8: appeal window closed on 2025-08-14"):
        life.ledger.lodge_appeal("dept.zhujian.henan", ids["cand.001"], "工作年限计算有误", on=date(2025, 8, 20))
    with refused(life, r"L-4: an appeal \(申辩\) is dated the day it is received \(2025-08-20\), not 2025-08-14"):
        life.ledger.lodge_appeal("dept.zhujian.henan", ids["cand.001"], "工作年限计算有误", on=date(2025, 8, 14))
    # A paper appeal that did arrive on 08-14 and is entered now: a late entry with its reason.
    before = life.count()
    with late_entry("8月14日收到纸质申辩材料，系统补录"):
        life.ledger.lodge_appeal("dept.zhujian.henan", ids["cand.002"], "工作年限计算有误", on=date(2025, 8, 14))
    assert life.count() == before + 2
    assert names(life, ids["cand.002"])[-2:] == ["LateEntryRecorded", "AppealLodged"]
