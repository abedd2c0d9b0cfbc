"""The official Chinese terms shown beside English in listings (issue 9, "Official terms").

People read tables: a column header or a status value shows the notices' word beside the
English (``status 状态``, ``合格 qualified``). ``--json`` keeps its English keys and its values
as they were, so scripts do not break; README.md documents those values.

资格审查 is the 2019 notice's check *before* the exam; 资格核查 the 2024 notice's *after* it.
Everything this ledger records about results is post-exam, so "verification" is 资格核查 here.
"""

from __future__ import annotations

import re

# Column names used by the listings → the official (or plain official-style) term.
HEADERS: dict[str, str] = {
    "candidacy": "报考记录",
    "candidate": "考生",
    "name": "姓名",
    "masked_id": "身份证号",
    "city": "地市",
    "level": "级别",
    "passed": "成绩合格",
    "status": "状态",
    "stage": "阶段",
    "appeal": "申辩",
    "certificate": "证书",
    "paper": "纸质证书",
    "paper_no": "证书编号",
    "received_on": "收到日期",
    "on": "日期",
    "rule": "规则",
    "act": "行为",
    "where": "对象",
    "by": "办理单位",
    "reason": "理由",
    "articles": "条款",
    "entered_on": "记入日期",
    "until": "期限至",
    "in_force": "有效",
    "finding": "认定事实",
    "field": "项目",
    "value": "内容",
    "code": "代码",
    "levels": "级别",
    "verification_unit": "资格核查单位",
    "paper_unit": "证书发放单位",
    "organised": "组织方式",
    "reissue_route": "补办路径",
    "party": "参与方",
    "kind": "类别",
    "valid_keys": "有效密钥数",
    "registered_at": "登记时间",
    "key_id": "密钥",
    "valid_from": "生效时间",
    "revoked_at": "吊销时间",
    # the demo's closing summary, one row per sitting
    "sitting": "考试",
    "candidates": "考生人数",
    "void": "无效",
    "certificates": "证书",
    "mailed": "邮寄送达",
    "handed out": "现场发放",
    "to HRSS": "登记造册移交省人社厅",
}

# Status values of a candidacy (cli/lifecycle.status_text and the domain's Outcome) → both words.
STATUS: dict[str, str] = {
    "合格": "合格 qualified",
    "不合格": "不合格 unqualified",
    "报考条件待核查": "报考条件待核查 pending",
    "视为放弃": "视为放弃 forfeited",
    "void": "无效 void",
    "awaiting result": "待发布成绩 awaiting result",
    "not passed": "成绩不合格 not passed",
    "awaiting handover": "待移交资格核查 awaiting handover",
    "under verification": "资格核查中 under verification",
}

# An appeal (申辩) decision, as `candidate show --json` gives it, → both words.
APPEAL: dict[bool | None, str | None] = {True: "申辩成立 upheld", False: "申辩不成立 rejected", None: None}

_CJK = re.compile(r"[\u3400-\u9fff]")


def header(column: str) -> str:
    """``status`` → ``status 状态``; a column that already carries Chinese stays as it is."""
    term = HEADERS.get(column)
    return column if term is None or _CJK.search(column) else f"{column} {term}"


def status(value: object) -> str:
    """A status value with its official term beside it; unknown values pass through."""
    text = "" if value is None else str(getattr(value, "value", value))
    return STATUS.get(text, text)

# Fields of `candidate show` / `sitting show` (dotted as their tables print them) → the term.
FIELDS: dict[str, str] = {
    "status": "状态",
    "outcome": "资格核查结论",
    "stage.term": "阶段",
    "stage.name": "阶段（英文）",
    "stage.final": "终态",
    "stage.next": "下一步",
    "status_on": "状态日期",
    "paper.units": "发放单位",
    "paper.received_on": "证书到达",
    "paper.mailing_reserved_on": "预约邮寄",
    "paper.delivered_on": "邮寄送达",
    "paper.handed_out_on": "现场发放",
    "certificate.issued_on": "制发日期",
    "certificate.void": "证书无效",
    "reissue.with": "当前办理单位",
    "reissue.refusals": "不予受理次数",
    "handed_over_on": "移交资格核查",
    "verification_units": "资格核查单位",
    "verification.result": "资格核查结果",
    "appeal.lodged_on": "申辩",
    "appeal.decision": "申辩处理",
    "supplementary.result": "补充资格核查结果",
    "forfeited_on": "视为放弃",
    "fraud.integrity_record_until": "诚信档案期限",
    "exceptions": "例外登记",
    "announced_verification_due": "公告的核查结果报送截止",
    "announced_supplementary_due": "公告的补充资格核查截止",
    "verification_due": "核查结果报送截止",
    "supplementary_due": "补充资格核查截止",
    "appeal_due": "申辩截止",
    "publicity.starts": "公示",
    "results_reported_on": "核查结果报送",
    "results_announced_on": "核查结果公告",
    "supplementary_submitted_on": "补充核查结果报送",
    "supplementary_announced_on": "补充核查结果公告",
    "mailing_due": "预约邮寄截止",
    "custody_until": "保管期满",
    "custody_transfer_from": "可移交起始日",
    "custody_transferred_on": "移交省人社厅",
    "custody_roster": "登记造册",
}


FIELDS.update({
    "sitting": "考试批次",
    "exam": "考试",
    "exam_name": "考试名称",
    "candidate": "考生",
    "city": "地市",
    "passed": "成绩合格",
    "name": "姓名",
    "masked_id": "身份证号",
    "level": "级别",
    "registered_on": "报名",
    "verification.condition": "不符合的报名条件",
    "supplementary.condition": "不符合的报名条件",
    "void.on": "无效",
    "fraud.articles": "违纪违规处理条款",
    "referred_on": "移送司法机关",
    "certificate.kind": "证书类别",
    "certificate.number": "证书编号",
    "paper.number": "纸质证书编号",
    "paper.state": "纸质证书",
    "reissue.kind": "补办或信息修改",
    "reissue.route": "补办路径",
    "reissue.end": "办结情况",
})


def field(dotted: str) -> str:
    """``appeal.decision`` → ``appeal.decision 申辩处理``; ``comparison.major`` → ``… 在线比对：专业``;
    others stay as they are."""
    from certledger.domain.exams import CONDITIONS

    term = FIELDS.get(dotted)
    if term is None and dotted.startswith(("comparison.", "evidence.", "scores.")):
        head, _, item = dotted.partition(".")
        term = {"comparison": "在线比对", "evidence": "证明材料", "scores": "成绩"}[head]
        term += f"：{CONDITIONS[item]}" if item in CONDITIONS else ""
    return dotted if term is None else f"{dotted} {term}"


# Values of `candidate show` / `sitting show` fields that are English codes in --json.
COMPARISON: dict[str, str] = {"passed": "比对通过 passed", "failed": "比对未通过 failed"}
REISSUE_KIND: dict[str, str] = {"paper-reissue": "纸质证书补办 paper-reissue", "information-change": "信息修改 information-change"}


def shown(dotted: str, value: object) -> object:
    """A `show` field's value with the notices' word beside an English code (JSON keeps it)."""
    from certledger.domain.exams import CONDITIONS

    if dotted in ("verification_units", "paper.units", "reissue.route", "publicity_published_by") and isinstance(value, list):
        return ", ".join(REISSUE_ROUTE.get(v, unit(v)) for v in value)
    if not isinstance(value, str):
        return value
    if dotted in ("reissue.with", "provincial_unit"):
        return unit(value)
    if dotted == "paper.state":
        return paper(value)
    if dotted == "city":
        return city(value)
    if dotted.startswith("comparison."):
        return COMPARISON.get(value, value)
    if dotted.endswith(".condition") and value in CONDITIONS:
        return f"{CONDITIONS[value]} {value}"
    if dotted == "certificate.kind":
        return CERTIFICATE_KIND.get(value, value)
    if dotted == "reissue.kind":
        return REISSUE_KIND.get(value, value)
    if dotted == "reissue.route":
        return REISSUE_ROUTE.get(value, value)
    if dotted == "organised":
        return ORGANISED.get(value, value)
    return value


# `diff`: how a row differs between sets A and B (JSON keeps the English).
DIFF_CHANGE: dict[str, str] = {"changed": "有变化 changed", "only in A": "仅见于 A only in A", "only in B": "仅见于 B only in B"}


def plain(value: object) -> str:
    """A value as people read it: no Python repr (True, None, ['科目', '69']) in the output, and
    a unit by its official name rather than its party id (JSON keeps the id)."""
    if isinstance(value, bool):
        return "是 yes" if value else "否 no"
    if value is None:
        return "—"
    if isinstance(value, dict):
        return ", ".join(f"{k}={plain(v)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return ", ".join(plain(v) for v in value)
    if isinstance(value, str):
        return unit(value)
    return str(value)


def unit(party_id: str) -> str:
    """``dept.zhujian.henan`` → ``河南省住房和城乡建设厅``; any other text as it is."""
    from certledger.domain.units import official_name

    return official_name(party_id)


def event_words(event: str) -> str:
    """An event class's name in words: ``MailingReserved`` → ``mailing reserved``."""
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", event).lower()


def act_shown(term: str, event: str) -> str:
    """An act as people read it: the notices' term, then the English (预约邮寄 mailing reserved)."""
    return f"{term} {event_words(event)}".strip()


def yes_no(value: bool | None) -> str:
    """A flag in a table: 是 yes / 否 no (JSON keeps the boolean)."""
    return "" if value is None else "是 yes" if value else "否 no"


def stage_next(final: bool, acts: list[str] | tuple[str, ...]) -> str:
    """The stage's tail in a table: 终态 final, or 下一步 next: the act commands."""
    return "终态 final" if final else "下一步 next: " + ", ".join(acts)


# Where a paper certificate is (cli/lifecycle.paper_record's English state, which JSON keeps as
# documented) → the notices' words first. Matched by prefix: the text ends with a date.
PAPER: tuple[tuple[str, str], ...] = (
    ("none (e-certificate)", "无纸质证书（电子证书）"),
    ("handed out", "已现场发放"),
    ("transferred to HRSS", "已登记造册移交省人社厅"),
    ("delivered", "已邮寄送达"),
    ("reserved for mailing, not received", "已预约邮寄，证书未到"),
    ("not received", "证书未到"),
    ("at the unit, reserved for mailing", "单位代为保管，已预约邮寄"),
    ("at the unit, returned by post", "投递退回，单位代为保管，未领取"),
    ("at the unit, unclaimed", "单位代为保管，未领取"),
)


def paper(text: str) -> str:
    """``delivered 2025-10-25`` → ``已邮寄送达 delivered 2025-10-25``; unknown text passes through."""
    for english, chinese in PAPER:
        if text.startswith(english):
            return f"{chinese} {text}"
    return text


def city(slug: str) -> str:
    """``luoyang`` → ``洛阳市 luoyang`` in a table (JSON keeps the slug)."""
    from certledger.domain.places import MUNICIPALITIES

    name = MUNICIPALITIES.get(slug)
    return slug if name is None else f"{name} {slug}"


# `exams list`: the table's values (JSON keeps the English codes, README "Exam table") → the
# notices' words. 组织方式: national exams vs the 省级专业技术人员职业资格考试 of R-10 (2024 §1(2) ¶5);
# 补办路径: R-19 (2019 §1(5)): level by level up to the national industry department, or to
# 河南省人事考试中心.
ORGANISED: dict[str, str] = {"national": "国家统一组织 national", "provincial": "省级组织 provincial"}
REISSUE_ROUTE: dict[str, str] = {
    "national": "逐级上报国家行业主管部门 national",
    "provincial": "报河南省人事考试中心 provincial",
    "hrss": "电子证书信息修改报省人社厅 hrss",
}
PAPER_UNIT: dict[str, str] = {"HRSS e-certificate": "省人社厅电子证书 HRSS e-certificate"}
# The national registration conditions by code (domain/exams.CONDITIONS holds the same words).
NO_CONDITION = "不设学历与资历条件 none"


def exam_row(row: dict) -> dict:
    """One `exams list --json` row → its table cells, each value with the notices' word; the
    exam's name column is 考试名称, not a person's 姓名 (the keys below carry their term)."""
    from certledger.domain.exams import CONDITIONS

    conditions = "、".join(CONDITIONS.get(c, c) for c in row["conditions"]) or NO_CONDITION
    return {
        "code": row["code"],
        "name 考试名称": row["name"],
        "levels": "、".join(row["levels"]),
        "verification_unit": row["verification_unit"],
        "paper_unit": PAPER_UNIT.get(row["paper_unit"], row["paper_unit"]),
        "organised": ORGANISED.get(row["organised"], row["organised"]),
        "reissue_route": REISSUE_ROUTE.get(row["reissue_route"], row["reissue_route"]),
        "conditions 报名条件": conditions,
    }


# `parties list`: each kind of party (domain/parties.PartyKind, DOMAIN.md "Parties") by the
# notices' name for it; `keys list`: a key's state. JSON keeps the English values.
PARTY_KIND: dict[str, str] = {
    "hrss": "省人社厅 hrss",
    "exam-center": "省人事考试中心 exam-center",
    "department": "行业行政管理部门 department",
    "association": "省级行业协会 association",
    "society": "省级学会 society",
    "national-exam-center": "人社部人事考试中心 national-exam-center",
    "national-department": "国家行业主管部门 national-department",
    "postal": "邮政公司 postal",
    "candidate": "考生 candidate",
    "witness": "见证方 witness",
}
KEY_STATUS: dict[str, str] = {"valid": "有效 valid", "revoked": "已吊销 revoked", "pending": "未生效 pending"}


def party_row(row: dict) -> dict:
    """A `parties list --json` row → table cells: the kind in both words, and the name under
    名称 (a unit's name is no 姓名)."""
    return {**row, "kind": PARTY_KIND.get(row["kind"], row["kind"]), "name 名称": row["name"]}


def key_row(row: dict) -> dict:
    return {**row, "status": KEY_STATUS.get(row["status"], row["status"])}


# A certificate's kind in a table (R-13 电子证书, R-14 合格证明); `(void)` is R-11/R-12's 无效.
CERTIFICATE_KIND: dict[str, str] = {"e-certificate": "电子证书 e-certificate", "pass-proof": "合格证明 pass-proof",
                                    "paper": "纸质证书 paper"}


def certificate(text: str | None) -> str | None:
    """``pass-proof 豫考证〔2025〕00001 (void)`` → ``合格证明 pass-proof 豫考证〔2025〕00001 (无效 void)``."""
    if not text:
        return text
    kind, _, rest = text.partition(" ")
    return f"{CERTIFICATE_KIND.get(kind, kind)} {rest}".replace(" (void)", " (无效 void)")


# The acts a stage says may follow (domain/stage.py names them by their domain command, e.g.
# ``hand_out``) → the notices' name and the command to type: ``现场发放 cert hand-out``.
# cli/lifecycle.py fills this from the @act declarations of the commands it defines.
ACT_SHOWN: dict[str, str] = {}


def next_acts(text: str) -> str:
    """``待领取 下一步 next: hand_out, reserve_mailing`` → each act as ACT_SHOWN gives it."""
    head, sep, acts = text.partition("下一步 next: ")
    if not sep:
        return text
    return head + sep + ", ".join(ACT_SHOWN.get(a, a) for a in acts.split(", "))
