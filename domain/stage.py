"""Where a candidacy stands, and what may follow: every stage is final, or names the acts that
can move it on (no dead ends).

A stage is read on a business date, since time alone moves some of them: a candidate still
报考条件待核查 when the supplementary period ends is deemed to have forfeited (视为放弃, R-8); a
不合格 not answered by a 申辩 within the period is final. The acts named are command names of
:class:`~domain.candidacy.Candidacy` or :class:`~domain.sitting.ExamSitting` (a sitting act
where the candidacy waits for one, e.g. the results announcement). Sanctions (R-11, R-12) may
follow any stage that is not void, "whenever" ineligibility or fraud is found; they are not
listed. A final stage may still see a reissue or information-change request (R-19).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from certledger.domain.candidacy import FORFEITED, Candidacy, Outcome
from certledger.domain.sitting import ExamSitting


@dataclass(frozen=True)
class Stage:
    name: str
    term: str  # the notices' words, where they have them
    final: bool
    next: tuple[str, ...] = ()  # acts that may follow; for a final stage, only optional ones


def stage(c: Candidacy, s: ExamSitting, day: date) -> Stage:
    main = _main(c, s, day)
    if c.reissue_at >= 0 and c.reissue_end is None:  # an open request ends before the candidacy may rest
        at_end = c.reissue_at == len(c.reissue_route) - 1
        acts = ("end_reissue",) if at_end else ("forward_reissue", "end_reissue")
        return Stage(f"{main.name}; {c.reissue_kind} request with {c.reissue_route[c.reissue_at]}",
                     f"{main.term}；申请办理中", False, (*(() if main.final else main.next), *acts))
    return main


def _announcement_first(s: ExamSitting) -> tuple[str, ...]:
    if s.results_announced_on is not None:
        return ()
    if not s.publicity_is_joint:
        return ("publish_publicity",)
    report = () if s.results_reported_on is not None else ("report_verification_results",)
    return (*report, "announce_verification_results")


def _forfeit_possible(c: Candidacy, s: ExamSitting, day: date) -> tuple[str, ...]:
    """("record_forfeit",) if a forfeit can still follow (R-7, R-8): the results announcement
    called, or may still call, the candidate to supplementary verification within its period.
    A candidate called only by a late announcement never forfeits, so it is not offered."""
    due = s.supplementary_due
    if s.results_announced_on is None:
        return ("record_forfeit",) if due is None or day <= due else ()
    return ("record_forfeit",) if c.deemed_forfeited_from(s) is not None else ()


def _main(c: Candidacy, s: ExamSitting, day: date) -> Stage:
    if c.void_on is not None and c.void_on <= day:
        refer = ("refer_to_judiciary",) if c.fraud_articles and c.referred_on is None else ()
        return Stage(f"void: {c.void_reason}", "无效", True, refer)
    if s.results_released_on is None:
        return Stage("registered, awaiting the results", "已报名", False, ("release_results",))
    if c.passed is None:
        return Stage("awaiting the candidate's result", "待发布成绩", False, ("release_score",))
    if c.passed is False:
        return Stage("did not pass", "成绩不合格", True)
    status = c.outcome_on(day, s)
    if status == FORFEITED:
        if c.forfeited_on is not None and c.forfeited_on <= day:
            return Stage("forfeited", "视为放弃", True)
        # Deemed, not recorded: not final, since a result recorded late as a signed exception
        # (一般, R-8) supersedes it; recording the forfeit makes it final.
        late = "record_supplementary" if c.handed_over_on is not None and c.handed_over_on <= day else "hand_over"
        return Stage("deemed forfeited (not recorded yet; a late result as an exception supersedes it)",
                     "视为放弃（未记录）", False, ("record_forfeit", late))
    final_from = c.final_unqualified_from(s)
    if final_from is not None and day >= final_from:
        return Stage("不合格, final: registration and scores void (R-11)", "核查不合格", True)
    if c.handed_over_on is None or c.handed_over_on > day:
        return Stage("passed, awaiting handover", "待移交", False, ("hand_over", *_announcement_first(s),
                                                                    *_forfeit_possible(c, s, day)))
    if status is None:
        # a provincial exam's results deadline is set by its announcement, published first.
        first = ("publish_publicity",) if s.exam.provincial and s.verification_due is None else ()
        return Stage("under verification", "资格核查中", False, (*first, "record_verification"))
    if status is Outcome.PENDING:
        return Stage("pending", "报考条件待核查", False, (*_announcement_first(s), "record_supplementary",
                                                          *_forfeit_possible(c, s, day)))
    if status is Outcome.UNQUALIFIED:
        if c.appeal_lodged_on is not None and c.appeal_upheld is None:
            return Stage("不合格, 申辩 lodged", "申辩处理中", False, ("decide_appeal",))
        return Stage("不合格, open to 申辩", "核查不合格", False, (*_announcement_first(s), "lodge_appeal"))
    return _certificate(c, s, day)


def _certificate(c: Candidacy, s: ExamSitting, day: date) -> Stage:
    announced = c.qualified_announced_on(s)
    if announced is None or announced[0] > day:
        waits = ("announce_supplementary_results",) if c.supplementary_result is Outcome.QUALIFIED else _announcement_first(s)
        if c.supplementary_result is Outcome.QUALIFIED and s.supplementary_submitted_on is None:
            waits = ("submit_supplementary_results", *waits)
        return Stage("合格, awaiting its announcement", "合格（待公告）", False, waits)
    if c.exam.e_certificate:
        if c.certificate_kind is None:
            return Stage("合格, awaiting the e-certificate", "合格", False, ("issue_e_certificate",))
        return Stage("e-certificate issued", "已制发电子证书", True, ("request_reissue",))
    if c.paper_received_on is None or c.paper_received_on > day:
        proof = ("issue_pass_proof",) if c.certificate_kind is None else ()
        withdraw = ("withdraw_mailing",) if c.mailing_reserved_on is not None else ()
        return Stage("合格, awaiting the national paper certificate", "合格", False,
                     (*proof, "receive_paper_certificate", *withdraw))
    if c.handed_out_on is not None:
        return Stage("paper certificate handed out", "已发放", True, ("request_reissue",))
    if c.delivered_on is not None:
        return Stage("paper certificate delivered by post", "已邮寄送达", True, ("request_reissue",))
    if c.id in s.custody_roster:
        return Stage("transferred to HRSS with the unclaimed certificates", "已登记造册移交", False, ("hand_out",))
    if c.mailing_reserved_on is not None:
        return Stage("reserved for mailing", "已预约邮寄", False,
                     ("deliver_by_post", "record_delivery_failed", "withdraw_mailing", "transfer_custody"))
    unclaimed = ("hand_out", "reserve_mailing", "transfer_custody")
    if c.mailing_ended == "returned":
        return Stage("returned by post, at the unit, unclaimed", "投递退回（待领取）", False, unclaimed)
    return Stage("at the unit, unclaimed", "待领取", False, unclaimed)
