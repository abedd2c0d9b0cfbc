"""Issue 9: faithful to the notices. One scenario per case the issue reproduced, each showing the
behaviour the notices require where the ledger used to refuse or accept wrongly (every test here
failed on the code before the fix it comes with).

Calendar as in tests/test_rules.py: D = 2025-06-14, publicity 06-16..06-25, results announced
07-02, R-8's two months close 08-14, R-16's first window closes 08-01.
"""

from __future__ import annotations

from datetime import date

import orjson
import pytest
from click.testing import CliRunner

from certledger.cli.main import cli

from certledger.domain.candidacy import ReissueKind, RequestEnd
from certledger.domain.departures import departures_of
from certledger.domain.stage import stage
from certledger.domain.errors import InputError
from tests.lifecycle_world import D, PUBLICITY, TWO_MONTHS, LifeWorld
from tests.test_rules import P, Q, U, cohort, events_of, publish_joint, refused, status, verified


def listing(life: LifeWorld, *args: str) -> object:
    """A read-only listing command's --json output, run as a user would."""
    result = CliRunner().invoke(cli, ["--db", life.db_url, *args, "--json"])
    assert result.exit_code == 0, result.output
    return orjson.loads(result.stdout)

# -- 1. rules that say 一般 (generally): the norm, or a signed departure -------------------------


def test_generally_r5_a_nine_day_publicity_is_a_signed_exception(life: LifeWorld) -> None:
    sid, _ = cohort(life)
    short = (date(2025, 6, 16), date(2025, 6, 24))  # 9 days
    with refused(life, r"R-5: publicity lasts at least 10 days; 2025-06-16\.\.2025-06-24 is 9; the notice says 一般 "
                       r"\(generally\): .*--exception REASON"):
        life.ledger.publish_publicity("hrss", sid, *short, on=short[0])
    before = life.count()
    with pytest.raises(InputError, match="needs a reason"):
        life.ledger.publish_publicity("hrss", sid, *short, on=short[0], exception="  ")
    with pytest.raises(InputError, match="keeps R-5's norm: record it without --exception"):
        life.ledger.publish_publicity("hrss", sid, *PUBLICITY, on=PUBLICITY[0], exception="不需要")
    assert life.count() == before

    life.ledger.publish_publicity("hrss", sid, *short, on=short[0], exception="端午节调休，公示期缩短一天")
    life.ledger.publish_publicity("dept.zhujian.henan", sid, *short, on=short[0], exception="与省人社厅联合公示，同上")
    sitting = life.ledger.sitting(sid)
    assert sitting.publicity == short and sitting.publicity_is_joint
    published = [e for e in events_of(life, sid) if type(e).__name__ == "PublicityPublished"]
    assert [e.exception for e in published] == ["端午节调休，公示期缩短一天", "与省人社厅联合公示，同上"]
    register = departures_of(sitting)
    assert [(d.rule, d.actor, d.on, d.term) for d in register] == [
        ("R-5", "hrss", short[0], "考试成绩合格公示和考后资格核查公告"),
        ("R-5", "dept.zhujian.henan", short[0], "考试成绩合格公示和考后资格核查公告"),
    ]
    rows = listing(life, "sitting", "exceptions", "jianzaoshi-1:2025")
    assert [(r["rule"], r["act"], r["by"], r["reason"]) for r in rows] == [
        ("R-5", "PublicityPublished", "hrss", "端午节调休，公示期缩短一天"),
        ("R-5", "PublicityPublished", "dept.zhujian.henan", "与省人社厅联合公示，同上"),
    ]
    people = CliRunner().invoke(cli, ["--db", life.db_url, "sitting", "exceptions", "jianzaoshi-1:2025"]).stdout
    # People read the act's term and the unit's name; the ids stay in --json (issue 23 item 9).
    assert "publicity published" in people and "河南省住房和城乡建设厅" in people and "河南省人力资源和社会保障厅" in people
    assert "PublicityPublished" not in people and "dept.zhujian.henan" not in people
    shown = CliRunner().invoke(cli, ["--db", life.db_url, "sitting", "show", "jianzaoshi-1:2025"]).stdout
    assert "by 河南省住房和城乡建设厅: 与省人社厅联合公示" in shown and "dept.zhujian.henan" not in shown


def test_generally_r8_an_appeal_lodged_on_the_last_day_can_be_decided_after_it(life: LifeWorld) -> None:
    _, ids = verified(life, candidates=("cand.001", "cand.002"), results={"cand.001": U, "cand.002": P})
    appellant, pending = ids["cand.001"], ids["cand.002"]
    life.ledger.lodge_appeal("dept.zhujian.henan", appellant, "工作年限材料齐全", on=TWO_MONTHS)
    after = date(2025, 8, 20)
    with refused(life, r"R-8: appeal window closed on 2025-08-14 \(two months after results release 2025-06-14\); "
                       r"this act is dated 2025-08-20; the notice says 一般"):
        life.ledger.decide_appeal("dept.zhujian.henan", appellant, True, "材料属实", on=after)
    life.ledger.decide_appeal("dept.zhujian.henan", appellant, True, "材料属实", on=after,
                              exception="申辩于期限最后一日提交，核实需要时间")
    assert status(life, appellant, after) is Q
    # The same for a supplementary verification the unit could not finish in time.
    life.ledger.record_supplementary("dept.zhujian.henan", pending, Q, on=after, exception="学历认证中心回函延迟")
    assert status(life, pending, after) is Q
    candidacy = life.ledger.candidacy(appellant)
    assert [(d.rule, d.event, d.term) for d in departures_of(candidacy)] == [("R-8", "AppealDecided", "申辩处理（申辩成立 / 申辩不成立）")]
    assert events_of(life, appellant)[-1].exception == "申辩于期限最后一日提交，核实需要时间"


def test_generally_r16_counted_from_the_candidates_own_announcement_then_hrss_exception(life: LifeWorld) -> None:
    sid, ids = verified(life, candidates=("cand.001", "cand.002"), results={"cand.002": P})
    first, supplementary = ids["cand.001"], ids["cand.002"]
    life.ledger.record_supplementary("dept.zhujian.henan", supplementary, Q, on=date(2025, 8, 10))
    with refused(life, r"R-16: cand\.002's 合格 has not been announced yet \(R-9\): reservations open with it"):
        life.ledger.reserve_mailing("hrss", supplementary, "addr:zz-2", on=date(2025, 8, 10))
    life.ledger.submit_supplementary_results("dept.zhujian.henan", sid, on=date(2025, 8, 15))
    life.ledger.announce_supplementary_results("dept.zhujian.henan", sid, on=date(2025, 8, 20))
    # 2025-08-25 is past the first round's window (08-01) but within 30 days of cand.002's own 合格.
    life.ledger.reserve_mailing("hrss", supplementary, "addr:zz-2", on=date(2025, 8, 25))
    assert life.ledger.candidacy(supplementary).mailing_reserved_on == date(2025, 8, 25)

    late = date(2025, 8, 26)
    with refused(life, r"R-16: the mailing reservation period closed on 2025-08-01 \(30 days after the results "
                       r"announcement 2025-07-02\); this act is dated 2025-08-26; the notice says 一般"):
        life.ledger.reserve_mailing("hrss", first, "addr:zz-1", on=late)
    with refused(life, r"R-16: only 'hrss' may record cand\.001's mailing reservation \(HRSS's reservation platform, "
                       r"预约邮寄平台, signs it\), not 'postal\.henan'"):
        life.ledger.reserve_mailing("postal.henan", first, "addr:zz-1", on=late, exception="考生住院")
    life.ledger.reserve_mailing("hrss", first, "addr:zz-1", on=late, exception="考生住院，凭证明补约")
    reserved = events_of(life, first)[-1]
    assert (type(reserved).__name__, reserved.actor, reserved.exception) == ("MailingReserved", "hrss", "考生住院，凭证明补约")
    assert [(d.rule, d.actor) for d in departures_of(life.ledger.candidacy(first))] == [("R-16", "hrss")]
    rows = listing(life, "sitting", "exceptions", "jianzaoshi-1:2025")
    assert [(r["where"], r["term"], r["reason"]) for r in rows] == [("jianzaoshi-1:2025:cand.001", "预约邮寄", "考生住院，凭证明补约")]
    shown = listing(life, "candidate", "show", "jianzaoshi-1:2025:cand.001")
    assert shown["exceptions"] == ["2025-08-26 R-16 预约邮寄 (MailingReserved) by hrss: 考生住院，凭证明补约"]


def test_generally_r6_and_r17_stay_absolute(life: LifeWorld) -> None:
    """No 一般 in R-6's 15 days or R-17's five years: their acts take no exception at all."""
    sid, ids = cohort(life)
    with pytest.raises(TypeError):
        life.ledger.record_verification("dept.zhujian.henan", ids["cand.001"], Q, on=date(2025, 6, 30),
                                        exception="迟报")  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        life.ledger.transfer_custody("dept.zhujian.henan", sid, on=date(2029, 1, 1), exception="提前")  # type: ignore[call-arg]
    assert D < date(2025, 6, 30)


# -- 2. no dead ends ---------------------------------------------------------------------------


def test_no_dead_end_a_pending_candidate_is_deemed_to_forfeit_when_the_period_ends(life: LifeWorld) -> None:
    _, ids = verified(life, results={"cand.001": P})
    pending = ids["cand.001"]
    assert status(life, pending, TWO_MONTHS) is P
    # "逾期仍未按要求接受补充资格核查的，视为放弃考试资格" — whether anyone records it or not.
    assert status(life, pending, date(2025, 8, 15)) == "视为放弃"
    assert status(life, pending, date(2026, 12, 31)) == "视为放弃"
    sitting = life.ledger.sitting(life.ledger.candidacy(pending).sitting_id)
    now = stage(life.ledger.candidacy(pending), sitting, date(2026, 12, 31))
    # Deemed, not recorded: not final (issue 23 item 7), since a late result recorded as a signed
    # exception (一般) supersedes it; the acts offered are the two that the code accepts.
    assert (now.final, now.term, now.next) == (False, "视为放弃（未记录）", ("record_forfeit", "record_supplementary"))
    with refused(life, r"R-8: supplementary verification closed on 2025-08-14"):
        life.ledger.record_supplementary("dept.zhujian.henan", pending, Q, on=date(2026, 1, 5))
    life.ledger.record_forfeit("dept.zhujian.henan", pending, on=date(2026, 1, 5))  # recorded late, still lawful
    recorded = stage(life.ledger.candidacy(pending), sitting, date(2026, 1, 5))
    assert (recorded.final, recorded.term, recorded.next) == (True, "视为放弃", ())


def test_no_dead_end_a_passed_candidate_never_handed_over(life: LifeWorld) -> None:
    sid, ids = cohort(life, candidates=("cand.001", "cand.002", "cand.003"), hand_over=False)
    forgotten, late, verified_one = ids["cand.001"], ids["cand.002"], ids["cand.003"]
    life.ledger.hand_over("hrss", verified_one, on=date(2025, 6, 15))
    life.ledger.record_verification("dept.zhujian.henan", verified_one, Q, on=date(2025, 6, 20))
    life.publicity_and_announcement(sid)
    after = date(2025, 8, 20)
    # Never handed over, called by the announcement as 未核查人员, never came: 视为放弃.
    assert status(life, forgotten, after) == "视为放弃"
    life.ledger.record_forfeit("dept.zhujian.henan", forfeited := forgotten, on=after)
    assert life.ledger.candidacy(forfeited).forfeited_on == after
    # Or HRSS hands the candidate over after all, as an exception, and the unit verifies.
    with refused(life, r"R-8: the year's post-exam verification closed on 2025-08-14 .*--exception REASON"):
        life.ledger.hand_over("hrss", late, on=after)
    life.ledger.hand_over("hrss", late, on=after, exception="移交名单遗漏，经核对补移交")
    assert status(life, late, after) is P
    life.ledger.record_supplementary("dept.zhujian.henan", late, Q, on=date(2025, 8, 25), exception="补移交后核查")
    assert status(life, late, date(2025, 8, 25)) is Q


def test_no_dead_end_hrss_hands_out_a_certificate_transferred_to_it(life: LifeWorld) -> None:
    sid, ids = verified(life)
    cid = ids["cand.001"]
    life.ledger.receive_paper_certificate("dept.zhujian.henan", cid, "ZS1", on=date(2025, 9, 1))
    assert life.ledger.transfer_custody("dept.zhujian.henan", sid, on=date(2030, 5, 26)) == (cid,)
    with refused(life, r"R-17: transferred to HRSS on 2030-05-26 with the unclaimed certificates: only 'hrss' hands it out"):
        life.ledger.hand_out("dept.zhujian.henan", cid, on=date(2030, 6, 1))
    life.ledger.hand_out("hrss", cid, on=date(2030, 6, 1))
    candidacy = life.ledger.candidacy(cid)
    assert candidacy.handed_out_on == date(2030, 6, 1) and events_of(life, cid)[-1].actor == "hrss"
    assert stage(candidacy, life.ledger.sitting(sid), date(2030, 6, 1)).final


def test_no_dead_end_a_final_unqualified_voids_registration_and_scores(life: LifeWorld) -> None:
    sid, ids = verified(life, candidates=("cand.001", "cand.002", "cand.003"),
                        results={"cand.001": U, "cand.002": U, "cand.003": P})
    rejected, silent, supplementary = ids["cand.001"], ids["cand.002"], ids["cand.003"]
    life.ledger.lodge_appeal("dept.zhujian.henan", rejected, "工作年限应合并计算", on=date(2025, 7, 10))
    life.ledger.decide_appeal("dept.zhujian.henan", rejected, False, "合并后仍不足", on=date(2025, 7, 20))
    decided = events_of(life, rejected)[-1]
    assert decided.consequences.startswith("R-11: registration void, fees not refunded; all subject scores")
    candidacy = life.ledger.candidacy(rejected)
    assert candidacy.void_on == date(2025, 7, 20) and "申辩不成立" in candidacy.void_reason
    life.ledger.record_supplementary("dept.zhujian.henan", supplementary, U, on=date(2025, 7, 25), condition="education")
    assert life.ledger.candidacy(supplementary).void_on == date(2025, 7, 25)
    s = life.ledger.sitting(sid)
    # A 不合格 not answered by a 申辩 within the period is final the day after it.
    assert not stage(life.ledger.candidacy(silent), s, TWO_MONTHS).final
    assert stage(life.ledger.candidacy(silent), s, date(2025, 8, 15)).final
    for cid in (rejected, supplementary):
        assert stage(life.ledger.candidacy(cid), s, date(2025, 8, 1)).term == "无效"
    with refused(life, r"R-11: the registration is void since 2025-07-20"):
        life.ledger.find_ineligible("dept.zhujian.henan", rejected, "work-years", "同一事实", on=date(2025, 8, 1))


def test_no_dead_end_every_request_ends(life: LifeWorld) -> None:
    _, ids = verified(life, candidates=("cand.001",))
    cid = ids["cand.001"]
    life.ledger.receive_paper_certificate("dept.zhujian.henan", cid, "ZS1", on=date(2025, 9, 1))
    life.ledger.hand_out("dept.zhujian.zhengzhou", cid, on=date(2025, 9, 5))
    info = ReissueKind.INFORMATION_CHANGE
    life.ledger.request_reissue("dept.zhujian.zhengzhou", cid, info, "姓名变更", on=date(2026, 3, 2))
    with refused(life, r"R-19: the request is with dept\.zhujian\.zhengzhou: it is completed at the end of its route, by exam-center"):
        life.ledger.end_reissue("dept.zhujian.zhengzhou", cid, RequestEnd.COMPLETED, "已改", on=date(2026, 3, 3))
    life.ledger.end_reissue("dept.zhujian.zhengzhou", cid, RequestEnd.REFUSED, "户籍证明未更正", on=date(2026, 3, 3))
    with refused(life, r"R-19: there is no request on its way to forward"):
        life.ledger.forward_reissue("dept.zhujian.zhengzhou", cid, on=date(2026, 3, 4))
    life.ledger.request_reissue("dept.zhujian.zhengzhou", cid, info, "姓名变更（已更正户籍）", on=date(2026, 4, 1))
    # The candidate withdraws it with the party holding it, which records the withdrawal.
    with refused(life, r"R-19: only 'dept\.zhujian\.zhengzhou' may record the withdrawal of cand\.001's request"):
        life.ledger.end_reissue("dept.zhujian.henan", cid, RequestEnd.WITHDRAWN, "撤回", on=date(2026, 4, 2))
    life.ledger.end_reissue("dept.zhujian.zhengzhou", cid, RequestEnd.WITHDRAWN, "改为线下办理", on=date(2026, 4, 2))
    life.ledger.request_reissue("dept.zhujian.zhengzhou", cid, info, "姓名变更", on=date(2026, 5, 1))
    life.ledger.forward_reissue("dept.zhujian.zhengzhou", cid, on=date(2026, 5, 3))
    life.ledger.forward_reissue("dept.zhujian.henan", cid, on=date(2026, 5, 6))
    s = life.ledger.sitting(life.ledger.candidacy(cid).sitting_id)
    assert stage(life.ledger.candidacy(cid), s, date(2026, 5, 6)).next[-1:] == ("end_reissue",)
    life.ledger.end_reissue("exam-center", cid, RequestEnd.COMPLETED, "已办结", on=date(2026, 5, 20))
    candidacy = life.ledger.candidacy(cid)
    assert candidacy.reissue_end == "completed" and stage(candidacy, s, date(2026, 5, 20)).final


# -- 3. announcements in order -------------------------------------------------------------------


def test_order_the_results_announcement_follows_the_results_report(life: LifeWorld) -> None:
    sid, ids = cohort(life, "jianzaoshi-2", candidates=("cand.001",))
    publish_joint(life, sid)
    # Three days after D, during the publicity, before any result: refused.
    with refused(life, r"R-7: the results announcement follows the results report to HRSS \(R-6\), not recorded, "
                       r"or its deadline 2025-07-10; this act is dated 2025-06-17"):
        life.ledger.announce_verification_results("dept.zhujian.henan", sid, on=date(2025, 6, 17))
    life.ledger.record_verification("dept.zhujian.henan", ids["cand.001"], Q, on=date(2025, 6, 20))
    with refused(life, r"R-6: only 'dept\.zhujian\.henan' may report the verification results to HRSS"):
        life.ledger.report_verification_results("hrss", sid, on=date(2025, 6, 22))
    life.ledger.report_verification_results("dept.zhujian.henan", sid, on=date(2025, 6, 22))
    life.ledger.announce_verification_results("dept.zhujian.henan", sid, on=date(2025, 6, 26))
    assert life.ledger.sitting(sid).results_announced_on == date(2025, 6, 26)


def test_order_supplementary_results_after_the_supplementary_round(life: LifeWorld) -> None:
    sid, ids = verified(life, results={"cand.001": P})
    with refused(life, r"R-9: the supplementary round runs until 2025-08-14 \(R-8\) and candidates still await supplementary "
                       r"verification on 2025-07-03 \(cand.001\): its results are submitted after the round"):
        life.ledger.submit_supplementary_results("dept.zhujian.henan", sid, on=date(2025, 7, 3))
    life.ledger.record_supplementary("dept.zhujian.henan", ids["cand.001"], Q, on=date(2025, 8, 1))
    life.ledger.submit_supplementary_results("dept.zhujian.henan", sid, on=date(2025, 8, 15))
    life.ledger.announce_supplementary_results("dept.zhujian.henan", sid, on=date(2025, 8, 18))


def test_order_no_certificate_before_the_candidates_qualified_is_announced(life: LifeWorld) -> None:
    sid, ids = verified(life, "jianzaoshi-2", candidates=("cand.001", "cand.002"), results={"cand.002": P}, announce=False)
    first, supplementary = ids["cand.001"], ids["cand.002"]
    with refused(life, r"R-13: cand\.001's 合格 has not been announced \(R-7, R-9\): no e-certificate before it"):
        life.ledger.issue_e_certificate("hrss", first, "HN-E-1", on=date(2025, 7, 1))
    publish_joint(life, sid)
    life.ledger.report_verification_results("dept.zhujian.henan", sid, on=date(2025, 7, 1))
    life.ledger.announce_verification_results("dept.zhujian.henan", sid, on=date(2025, 7, 2))
    life.ledger.issue_e_certificate("hrss", first, "HN-E-1", on=date(2025, 7, 3))
    life.ledger.record_supplementary("dept.zhujian.henan", supplementary, Q, on=date(2025, 7, 20))
    with refused(life, r"R-13: cand\.002's 合格 has not been announced"):
        life.ledger.issue_e_certificate("hrss", supplementary, "HN-E-2", on=date(2025, 7, 21))


# -- 4. Order No. 31: Art. 10 and Art. 12 in one finding, and the integrity record --------------


def test_order31_one_finding_applies_articles_10_and_12_with_the_integrity_record(life: LifeWorld) -> None:
    sid, ids = verified(life, candidates=("cand.001", "cand.002"))
    cheat = ids["cand.001"]
    life.ledger.issue_pass_proof("hrss", cheat, "HN-P-1", on=date(2025, 7, 3))
    # Art. 10: the issuer declares its pass proof void, so once HRSS sealed one, the finding is HRSS's
    with refused(life, r"R-12: pass-proof HN-P-1 exists: Order No. 31 Art. 10 has its issuer declare it void "
                       r"\(由证书签发机构宣布无效\), so HRSS \(hrss\) records this finding, not dept\.zhujian\.henan"):
        life.ledger.find_fraud("dept.zhujian.henan", cheat, "学历证书系伪造", on=date(2025, 9, 12))
    life.ledger.find_fraud("hrss", cheat, "学历证书系伪造", on=date(2025, 9, 12))
    found = events_of(life, cheat)[-1]
    assert (type(found).__name__, tuple(found.articles)) == ("FraudFound", (10, 12))
    assert found.consequences.startswith("人社部令第31号第十条：由证书签发机构宣布证书或者合格证明无效")
    assert "Order No. 31 Art. 10: certificate or pass proof declared void by its issuer" in found.consequences
    assert found.record_until == date(2030, 9, 12)  # 记录期限为五年 (Art. 7, applied by Art. 10)
    candidacy = life.ledger.candidacy(cheat)
    assert candidacy.is_void and candidacy.integrity_record_until == date(2030, 9, 12)
    with refused(life, r"R-12: a fraud finding is recorded already \(2025-09-12\)"):
        life.ledger.find_fraud("hrss", cheat, "同一事实", on=date(2025, 9, 13))
    # The integrity record is a register an auditor can query.
    rows = listing(life, "candidate", "integrity-record", "--on", "2030-09-13")
    assert [(r["candidacy"], r["articles"], r["entered_on"], r["until"], r["in_force"]) for r in rows] == [
        ("jianzaoshi-1:2025:cand.001", [10, 12], "2025-09-12", "2030-09-12", False)]


# -- 5. registration routes and the conditions a 不合格 may cite ---------------------------------


def _enrol(life: LifeWorld, sid, candidate: str, **kw):
    return life.ledger.register_candidate("exam-center", sid, candidate=candidate, name="考生", masked_id="410102********123X", city="zhengzhou",
                                          level=kw.pop("level", "一级"), on=date(2025, 3, 10), **kw)


def test_registration_by_commitment_or_by_evidence_over_an_open_list(life: LifeWorld) -> None:
    sid = life.sitting()
    all_evidence = {"education": ("upload/学历证书.pdf",), "major": ("upload/成绩单.pdf",), "work-years": ("upload/社保.pdf",)}
    # The evidence route (不符合告知承诺制要求): no commitment, evidence for every condition.
    cid = _enrol(life, sid, "cand.001", commitment=False, comparison={}, evidence=all_evidence)
    registered = events_of(life, cid)[0]
    assert registered.commitment is False and set(registered.evidence) == set(all_evidence)
    with refused(life, r"R-2: without the commitment .* none for work-years"):
        _enrol(life, sid, "cand.002", commitment=False, comparison={},
               evidence={k: v for k, v in all_evidence.items() if k != "work-years"})
    # The comparison list is open ("学历…工作年限等"): the exam's own conditions, not a fixed three.
    kancha = life.sitting("kancha-sheji")
    _enrol(life, kancha, "cand.003", level="", comparison={"education": "passed", "prior-qualification": "passed"})
    # An exam with no such conditions compares nothing (计算机技术与软件).
    ruankao = life.sitting("ruankao")
    _enrol(life, ruankao, "cand.004", level="中级", comparison={})


def test_unqualified_cites_a_national_condition_of_the_exam_or_a_named_henan_policy(life: LifeWorld) -> None:
    _, ids = cohort(life, candidates=("cand.001", "cand.002"))
    with refused(life, r"R-6: a 不合格 result must cite a national registration condition of 建造师（一级） "
                       r"\(education 学历, major 专业, work-years 工作年限\) or a Henan policy by name"):
        life.ledger.record_verification("dept.zhujian.henan", ids["cand.001"], U, on=date(2025, 6, 20), condition="hukou")
    with refused(life, r"R-6: a Henan policy is cited by name"):
        life.ledger.record_verification("dept.zhujian.henan", ids["cand.001"], U, on=date(2025, 6, 20), condition="henan-policy: ")
    life.ledger.record_verification("dept.zhujian.henan", ids["cand.001"], U, on=date(2025, 6, 20),
                                    condition="henan-policy:豫人社〔2024〕X号 第三条")
    assert life.ledger.candidacy(ids["cand.001"]).first_condition == "henan-policy:豫人社〔2024〕X号 第三条"
    # 计算机技术与软件 has no work-years condition: it cannot be failed on work years.
    sid = life.sitting("ruankao")
    cid = _enrol(life, sid, "cand.005", level="中级", comparison={})
    life.ledger.release_results("exam-center", sid, on=D)
    life.ledger.release_score("exam-center", cid, True, {"综合": "50"}, on=D)
    life.ledger.hand_over("hrss", cid, on=date(2025, 6, 15))
    with refused(life, r"R-6: a 不合格 result must cite a national registration condition of 计算机技术与软件 \(none\)"):
        life.ledger.record_verification("dept.gongxin.henan", cid, U, on=date(2025, 6, 20), condition="work-years")


# -- 6. reissue ------------------------------------------------------------------------------------


def test_reissue_only_for_a_certificate_the_holder_had_and_e_certificate_changes_go_to_hrss(life: LifeWorld) -> None:
    _, ids = verified(life, candidates=("cand.001", "cand.002"))
    unclaimed, collected = ids["cand.001"], ids["cand.002"]
    for n, cid in enumerate((unclaimed, collected)):
        life.ledger.receive_paper_certificate("dept.zhujian.henan", cid, f"ZS{n}", on=date(2025, 9, 1))
    life.ledger.hand_out("dept.zhujian.zhengzhou", collected, on=date(2025, 9, 5))
    paper = ReissueKind.PAPER_REISSUE
    with refused(life, r"R-19: a paper reissue \(补办\) replaces a certificate handed out or delivered; this one was "
                       r"never collected"):
        life.ledger.request_reissue("dept.zhujian.zhengzhou", unclaimed, paper, "遗失", on=date(2025, 10, 1))
    assert life.ledger.request_reissue("dept.zhujian.zhengzhou", collected, paper, "遗失", on=date(2025, 10, 1))

    sid2, e_ids = verified(life, "jianzaoshi-2", candidates=("cand.003",))
    holder = e_ids["cand.003"]
    life.ledger.issue_e_certificate("hrss", holder, "HN-E-3", on=date(2025, 7, 10))
    info = ReissueKind.INFORMATION_CHANGE
    assert life.ledger.request_reissue("dept.zhujian.zhengzhou", holder, info, "姓名更正", on=date(2025, 9, 2))
    assert life.ledger.candidacy(holder).reissue_route == ("dept.zhujian.zhengzhou", "dept.zhujian.henan", "hrss")
    life.ledger.end_reissue("dept.zhujian.zhengzhou", holder, RequestEnd.WITHDRAWN, "改为直接向省人社厅申请", on=date(2025, 9, 3))
    assert life.ledger.request_reissue("hrss", holder, info, "姓名更正", on=date(2025, 9, 4))  # HRSS receives it directly
    life.ledger.end_reissue("hrss", holder, RequestEnd.COMPLETED, "电子证书已更正", on=date(2025, 9, 10))


def test_a_learned_society_verifies_the_exams_it_runs_like_an_association(monkeypatch: pytest.MonkeyPatch) -> None:
    """行业协会、学会管理的考试项目,由省级行业协会、学会负责资格核查 (2024 §1(2)). No exam of
    today's table is run by a 学会, so the test adds one industry that is; before, a 学会 had
    no party kind and its unit would have been named as a department."""
    from dataclasses import replace

    from certledger.domain.exams import INDUSTRIES, Industry, exam
    from certledger.domain.parties import PartyKind
    from certledger.domain.units import provincial_unit, unit_name, verification_units

    monkeypatch.setitem(INDUSTRIES, "xuehui", Industry("xuehui", "省某学会", "河南省某学会", None, "中国某学会", society=True))
    run_by_society = replace(exam("zixun"), code="xuehui-test", industry="xuehui")
    assert provincial_unit(run_by_society) == "soc.xuehui.henan"
    assert verification_units(run_by_society, "luoyang") == ("soc.xuehui.henan",)  # the province's 学会 only
    assert unit_name("soc.xuehui.henan") == ("河南省某学会", PartyKind.SOCIETY)
    with pytest.raises(KeyError):  # the right body under the wrong kind of id is no unit
        unit_name("dept.xuehui.henan")
    assert unit_name("assoc.gczx.henan") == ("河南省工程咨询协会", PartyKind.ASSOCIATION)
    with pytest.raises(KeyError):
        unit_name("dept.gczx.henan")


# -- 8. official terms in the exam table -------------------------------------------------------------


def test_the_exam_table_speaks_the_notices_words_and_shows_each_exams_conditions(tmp_path) -> None:
    """`exams list` printed 组织方式 and 补办路径 as bare "national"/"provincial", an exam's name
    under 姓名 (a person's name), and no registration conditions although the README sends the
    reader there for them. --json keeps its English values."""
    runner = CliRunner()
    table = runner.invoke(cli, ["--db", str(tmp_path / "none.db"), "exams", "list"])
    assert table.exit_code == 0, table.output
    header, *lines = table.stdout.splitlines()
    assert "name 考试名称" in header and "姓名" not in header and "conditions 报名条件" in header
    row = {line.split()[0]: line for line in lines}
    assert "省级组织 provincial" in row["jianzaoshi-2"] and "省人社厅电子证书 HRSS e-certificate" in row["jianzaoshi-2"]
    assert "国家统一组织 national" in row["jianzaoshi-1"] and "报河南省人事考试中心 provincial" in row["jianzaoshi-1"]
    assert "逐级上报国家行业主管部门 national" in row["weisheng"] and "从业或执业经历" in row["weisheng"]
    assert "学历、专业、工作年限" in row["jianzaoshi-1"] and "工作年限" not in row["ruankao"]
    assert "不设学历与资历条件 none" in row["ruankao"] and "不设学历与资历条件 none" in row["fanyi"]
    rows = {r["code"]: r for r in orjson.loads(runner.invoke(cli, ["exams", "list", "--json"]).stdout)}
    assert (rows["weisheng"]["organised"], rows["weisheng"]["reissue_route"]) == ("national", "national")
    assert rows["ruankao"]["conditions"] == []


def test_a_learned_society_is_enrolled_and_records_verification_in_the_ledger(monkeypatch: pytest.MonkeyPatch,
                                                                              life: LifeWorld) -> None:
    """The 学会 case on both databases, through the ledger: a 学会 party (kind society) is
    enrolled with its key, records the 资格核查 result of the exam it runs — a department may
    not — and `parties list` names its kind 省级学会. (monkeypatch comes first, so the exam stays
    known while the fixture replays the ledger in `verify` after the test.)"""
    from dataclasses import replace

    from certledger.domain.exams import EXAMS, INDUSTRIES, Industry, exam
    from certledger.domain.parties import PartyKind
    from certledger.signing.keys import new_private_key

    monkeypatch.setitem(INDUSTRIES, "xuehui", Industry("xuehui", "省某学会", "河南省某学会", None, "中国某学会", society=True))
    monkeypatch.setitem(EXAMS, "xuehui-test", replace(exam("zixun"), code="xuehui-test", industry="xuehui"))
    key = new_private_key()
    life.store.remember(key)
    life.ledger.enrol([("soc.xuehui.henan", "河南省某学会", PartyKind.SOCIETY, life.ledger.claim("soc.xuehui.henan", key))])
    sid = life.sitting("xuehui-test")
    cid = _enrol(life, sid, "cand.001", level="", comparison={c: "passed" for c in ("education", "major", "work-years")})
    life.ledger.release_results("exam-center", sid, on=D)
    life.ledger.release_score("exam-center", cid, True, {"综合": "80"}, on=D)
    life.ledger.hand_over("hrss", cid, on=date(2025, 6, 15))
    with refused(life, r"R-1"):
        life.ledger.record_verification("dept.zhujian.henan", cid, Q, on=date(2025, 6, 20))
    life.ledger.record_verification("soc.xuehui.henan", cid, Q, on=date(2025, 6, 20))
    assert status(life, cid, date(2025, 6, 21)) == Q
    [row] = [r for r in listing(life, "parties", "list") if r["party"] == "soc.xuehui.henan"]
    assert row["kind"] == "society"
    table = CliRunner().invoke(cli, ["--db", life.db_url, "parties", "list"]).stdout
    assert "省级学会 society" in table and "河南省某学会" in table and "name 名称" in table


def test_candidate_show_and_list_give_the_notices_word_beside_each_english_code(life: LifeWorld) -> None:
    """`candidate show` printed the online comparison as bare passed/failed, a 不合格's condition
    as "work-years", a certificate's kind as "pass-proof"; `candidate list` the same kind.
    The table now gives the official word first; --json keeps the codes."""
    sid, ids = verified(life, "jianzaoshi-1", candidates=("cand.001", "cand.002"), results={"cand.002": U})
    life.ledger.issue_pass_proof("hrss", ids["cand.001"], "豫考证〔2025〕00001", on=date(2025, 7, 3))

    def shown(cid) -> dict[str, str]:
        out = CliRunner().invoke(cli, ["--db", life.db_url, "candidate", "show", str(cid)]).stdout
        return {line.split("  ")[0].strip(): line.split("  ", 1)[1].strip() for line in out.splitlines()[1:] if "  " in line}

    failed = shown(ids["cand.002"])
    assert failed["verification.condition 不符合的报名条件"] == "工作年限 work-years"
    assert failed["comparison.work-years 在线比对：工作年限"] == "比对通过 passed"
    assert shown(ids["cand.001"])["certificate.kind 证书类别"] == "合格证明 pass-proof"
    table = CliRunner().invoke(cli, ["--db", life.db_url, "candidate", "list", "jianzaoshi-1:2025"]).stdout
    assert "合格证明 pass-proof 豫考证〔2025〕00001" in table
    assert listing(life, "candidate", "show", str(ids["cand.002"]))["verification"]["condition"] == "work-years"


def test_a_refusal_names_the_act_in_both_languages_and_where_to_read_its_rule(life: LifeWorld) -> None:
    """A refused act said only "R-7: …": neither the notices' name of the act nor how to read
    the rule without the repository. Now it ends with both, and nothing is recorded."""
    _, ids = verified(life, "jianzaoshi-1", candidates=("cand.001",))
    before = life.count()
    result = CliRunner().invoke(cli, ["--db", life.db_url, "candidate", "appeal", str(ids["cand.001"]),
                                      "--grounds", "x", "--as", "cand.001", "--on", "2025-07-10"])
    assert result.exit_code == 2 and life.count() == before
    assert result.stderr.startswith("certledger: error: R-7: ") and len(result.stderr.splitlines()) == 1
    assert result.stderr.rstrip().endswith("[申辩 candidate appeal · certledger rules R-7]")
    rule = CliRunner().invoke(cli, ["rules", "R-7"]).stdout
    assert rule.startswith("R-7\n") and "2024 §" in rule


def test_the_acts_that_may_follow_are_named_as_the_notices_and_the_commands_name_them(life: LifeWorld) -> None:
    """A stage's "next" listed domain method names (publish_publicity); the table
    now gives each act's official term and the command to type. --json keeps the names."""
    sid, ids = verified(life, "jianzaoshi-1", candidates=("cand.001",), announce=False)
    out = CliRunner().invoke(cli, ["--db", life.db_url, "candidate", "show", str(ids["cand.001"]), "--on", "2025-06-24"])
    [line] = [line for line in out.stdout.splitlines() if line.startswith("stage.next")]
    assert "考试成绩合格公示和考后资格核查公告 sitting publicity" in line and "publish_publicity" not in line
    table = CliRunner().invoke(cli, ["--db", life.db_url, "candidate", "list", "jianzaoshi-1:2025", "--on", "2025-06-24"])
    assert "下一步 next: 考试成绩合格公示和考后资格核查公告 sitting publicity" in table.stdout
    assert "publish_publicity" in listing(life, "candidate", "show", str(ids["cand.001"]))["stage"]["next"]


def test_the_pass_proof_holds_until_the_paper_certificate_is_handed_out(life: LifeWorld) -> None:
    """2019 §一(四): 在国家印制的纸质证书发放之前，在省内具有纸质证书同等效力 — superseded when
    the paper certificate is handed out or delivered, not the day it reaches the unit, which
    for an unclaimed one can be five years earlier (issue 23 item 5)."""
    _, ids = verified(life)
    cid = ids["cand.001"]
    life.ledger.issue_pass_proof("hrss", cid, "HN-P-9", on=date(2025, 8, 20))
    sealed = events_of(life, cid)[-1].document  # the scope is in the sealed content (issue 23 item 12)
    assert "在国家印制的纸质证书发放之前，在省内具有纸质证书同等效力" in sealed["scope"] and "注册" in sealed["scope"]

    def shown(*extra: str) -> dict:
        result = CliRunner().invoke(cli, ["--db", life.db_url, "cert", "show", "HN-P-9", "--json", *extra])
        assert result.exit_code == 0, result.output
        return orjson.loads(result.stdout)[0]

    life.ledger.receive_paper_certificate("dept.zhujian.henan", cid, "ZS9", on=date(2025, 9, 1))
    assert shown()["status"] == shown("--replay")["status"] == "valid"
    life.ledger.hand_out("dept.zhujian.zhengzhou", cid, on=date(2025, 9, 5))
    for record in (shown(), shown("--replay")):
        assert record["status"] == "superseded" and record["since"] == "2025-09-05", record


def test_a_print_of_cert_show_is_marked_as_a_converted_version(life: LifeWorld) -> None:
    """2019 §一(二): other converted versions have no equal legal force; a print of cert show
    says so and points to the sealed document (issue 23 item 14)."""
    _, ids = verified(life)
    life.ledger.issue_pass_proof("hrss", ids["cand.001"], "HN-P-8", on=date(2025, 8, 20))
    shown = CliRunner().invoke(cli, ["--db", life.db_url, "cert", "show", "HN-P-8"])
    assert shown.exit_code == 0 and "本件为再转换版本，不具备同等法律效力" in shown.stdout
    assert "cert document HN-P-8" in shown.stdout
