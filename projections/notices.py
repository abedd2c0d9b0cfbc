"""The public notices the two circulars require, rendered from the registers (issue 8 item 2).

A notice is built from one sitting's register rows (:func:`load`) into a :class:`Notice` —
title, paragraphs, one table, signature lines — by a pure function per kind, then rendered
as text, HTML or CSV (:func:`render`). Nothing here reads the clock or the environment and
every list is sorted, so the same registers give the same bytes. A publishing act signs the
notice's content and the SHA-256 of its text (:func:`notice_for`, ``domain.notice``).

Only masked identity numbers exist in the registers, so only masked ids can appear.
"""

from __future__ import annotations

import hashlib
import re
import html
from dataclasses import dataclass
from typing import Any, Callable

from certledger.domain.errors import InputError
from certledger.domain.notice import KIND_OF_EVENT, PUBLISHED_BY  # noqa: F401 - used by cli
from certledger.projections.schema import BY_NAME
from certledger.events.spreadsheet import csv_text

FORMATS = ("txt", "html", "csv")
UNSET = "（未记录）"  # a date the registers do not hold yet


@dataclass(frozen=True)
class Deadlines:
    """Deadlines derived from the sitting (R-6, R-8, R-16), passed in by the caller."""

    verification_due: str | None = None
    supplementary_due: str | None = None
    mailing_due: str | None = None
    appeal_due: str | None = None  # at least 10 days after the results announcement


@dataclass(frozen=True)
class Notice:
    kind: str
    title: str
    paragraphs: tuple[str, ...]
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    closing: tuple[str, ...]  # issuer(s) and date, right-aligned on paper


@dataclass(frozen=True)
class Source:
    """One sitting's rows from a register set."""

    sitting: dict[str, Any]
    passed: list[dict[str, Any]]  # reg_candidacies rows with passed = 1
    verification: list[dict[str, Any]]
    custody: list[dict[str, Any]]


def load(sql: Any, sitting: str, overlay: dict[str, dict[tuple[Any, ...], dict[str, Any]]] | None = None) -> Source | None:
    """The sitting's rows from register set ``sql`` (a projector ``Sql``), or None when the
    registers hold no such sitting. One read transaction, so the rows are consistent.
    ``overlay``: rows not yet written (by table, by key) that stand in for the stored ones,
    so a publishing act can see the registers as it will leave them (:func:`notice_for`)."""
    overlay = overlay or {}
    with sql.transaction(commit=False) as cur:
        found = sql.execute(cur, f"SELECT * FROM {sql.table('sittings')} WHERE sitting = ?", [sitting])
        row = overlay.get("sittings", {}).get((sitting,)) or (found[0] if found else None)
        if row is None:
            return None

        def of(table: str, keep: Callable[[dict[str, Any]], bool] = lambda r: True) -> list[dict[str, Any]]:
            stored = sql.execute(cur, f"SELECT * FROM {sql.table(table)} WHERE sitting = ?", [sitting])
            key = BY_NAME[table].key
            rows = {tuple(r[c] for c in key): r for r in stored}
            rows.update({k: r for k, r in overlay.get(table, {}).items() if r.get("sitting") == sitting})
            return sorted((r for r in rows.values() if keep(r)), key=lambda r: (str(r["candidate"]), str(r["candidacy"])))

        return Source(row, of("candidacies", lambda r: r.get("passed") == 1), of("verification"), of("custody"))


def deadlines_of(sitting: Any) -> Deadlines:
    """The deadlines a notice states, from the sitting (domain.sitting.ExamSitting)."""
    return Deadlines(*(d.isoformat() if d else None
                       for d in (sitting.verification_due, sitting.supplementary_due, sitting.mailing_due,
                                 sitting.appeal_due)))


def notice_for(ledger: Any, kind: str) -> Callable[[Any, list[Any]], dict[str, Any]]:
    """What a publishing act of ``kind`` signs (domain.notice): the notice exactly as
    ``notices render`` prints it once the act is recorded — the live registers, caught up,
    with the act's own events applied in memory (never written), and the sitting as the act
    leaves it. Called by the service with that sitting and those events."""

    def make(sitting: Any, events: list[Any]) -> dict[str, Any]:
        from certledger.projections.projector import Batch, Sql, catch_up
        from certledger.projections.registers import Event, apply

        catch_up(ledger)
        sql = Sql(ledger)
        with sql.transaction(commit=False) as cur:
            batch = Batch(sql, cur)
            for e in events:
                batch.event = Event(0, type(e).__name__, e.originator_id, vars(e), "", e.timestamp)
                apply(batch, batch.event)
            overlay = batch.dirty
        src = load(sql, str(sitting.id), overlay)
        assert src is not None  # the sitting's own events were just applied
        return content(build(kind, src, deadlines_of(sitting)))

    return make


def content(notice: Notice) -> dict[str, Any]:
    """A notice as its publishing act signs it (domain.notice), with its text's SHA-256."""
    return {"title": notice.title, "paragraphs": list(notice.paragraphs), "columns": list(notice.columns),
            "rows": [list(r) for r in notice.rows], "closing": list(notice.closing),
            "digest": digest(render(notice, "txt"))}


def from_content(kind: str, signed: dict[str, Any]) -> Notice:
    """The notice a publishing act signed, to render again."""
    return Notice(kind, signed["title"], tuple(signed["paragraphs"]), tuple(signed["columns"]),
                  tuple(tuple(r) for r in signed["rows"]), tuple(signed["closing"]))


def _d(value: Any) -> str:
    """A date as a notice writes it: 2025年6月14日 (issue 20 item 12)."""
    if not value:
        return UNSET
    text = str(value)
    found = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text)
    return f"{found.group(1)}年{int(found.group(2))}月{int(found.group(3))}日" if found else text


def _city(code: Any) -> str:
    """A municipality by its name (郑州市), not its pinyin id."""
    from certledger.domain.places import MUNICIPALITIES

    return MUNICIPALITIES.get(str(code), str(code)) if code else ""


def _condition(code: Any) -> str:
    """A condition a 不合格 cites, in the notice's words (工作年限), not its id."""
    from certledger.domain.exams import CONDITIONS

    text = str(code or "")
    key = text.split(" ", 1)[0]
    return CONDITIONS.get(key, text)


def _exam(s: dict[str, Any]) -> str:
    return f"{s['year']}年度{s['exam_name']}"


def publicity(src: Source, due: Deadlines) -> Notice:
    """R-5: 考试成绩合格公示和考后资格核查公告 — the passed candidates, and how, where and by
    when post-exam verification happens."""
    s = src.sitting
    units = _units(src)
    where = "、".join(units) if units else UNSET
    paragraphs = (
        f"{_exam(s)}职业资格考试成绩已于{_d(s['results_released_on'])}发布。根据《关于进一步规范专业技术人员"
        "职业资格考试资格核查和资格证书发放工作的通知》（豫人社函〔2024〕25号），现将考试成绩合格人员名单予以公示，"
        "并就考后资格核查有关事项公告如下：",
        f"一、公示时间：{_d(s['publicity_starts'])}至{_d(s['publicity_ends'])}。公示期间，对名单有异议的，"
        "可向资格核查部门反映。",
        f"二、核查部门：{where}。考后资格核查的对象为本次考试成绩合格人员，资格核查部门同步开展核查，"
        "采取在线与现场核查等方式，重点核查是否符合报名条件及践诺情况。",
        f"三、核查时限：核查结果于{_d(due.verification_due)}前报送省人力资源社会保障厅；无法完成核实的人员，"
        "暂按“报考条件待核查”处理。",
        f"四、补充资格核查和申辩一般于{_d(due.supplementary_due)}前集中完成；逾期仍未按要求接受补充资格核查的，"
        "视为放弃考试资格。",
        f"考试成绩合格人员共{len(src.passed)}名（身份证号码已作遮蔽处理），名单如下：",
    )
    rows = tuple(
        (str(i), p["name"], p["masked_id"], p["level"] or "", _city(p["city"])) for i, p in enumerate(src.passed, 1)
    )
    closing = (*_issuers(s["publicity_by"]), _d(s["publicity_starts"]))
    return Notice("publicity", f"{_exam(s)}考试成绩合格公示和考后资格核查公告", paragraphs,
                  ("序号", "姓名", "身份证号码", "级别", "报考地市"), rows, closing)


def _result(v: dict[str, Any]) -> tuple[str, str]:
    """The first round's result and the condition it cites."""
    return v["first_result"] or "报考条件待核查", _condition(v["first_condition"])


def results(src: Source, due: Deadlines) -> Notice:
    """R-7: 考后资格核查结果公告 — each passed candidate's result; the unqualified may appeal
    (申辩), the pending are called to supplementary verification, both by the R-8 deadline."""
    s = src.sitting
    units = _units(src)
    where = "、".join(units) if units else UNSET
    counts: dict[str, int] = {}
    for v in src.verification:
        counts[_result(v)[0]] = counts.get(_result(v)[0], 0) + 1
    summary = "，".join(f"{k}{counts[k]}名" for k in ("合格", "不合格", "报考条件待核查") if k in counts)
    paragraphs = (
        f"{_exam(s)}职业资格考试考后资格核查工作已完成，现将核查结果公告如下（共{len(src.verification)}名"
        f"{'：' + summary if summary else ''}），并向成绩合格人员履行核查结果告知义务。",
        f"一、申辩：核查结果为“不合格”的人员，对结果有异议的，可于{_d(due.appeal_due or due.supplementary_due)}前向{where}"
        "提出申辩，并提交相关证明材料；逾期不予受理。",
        f"二、补充资格核查：核查结果为“报考条件待核查”的人员，须于{_d(due.supplementary_due)}前向{where}"
        "申请参加补充资格核查。补充资格核查为当年度最后一次资格核查，逾期仍未按要求接受补充资格核查的，"
        "视为放弃考试资格，不再受理资格核查申请。",
        f"三、证书预约邮寄：证书预约期一般为本公告发布后30天内（至{_d(due.mailing_due)}），"
        "请在省专业技术人员职业资格证书预约邮寄平台申请，邮寄费用到付；未预约的证书现场发放。",
        "核查结果（身份证号码已作遮蔽处理）：",
    )
    rows = tuple(
        (str(i), v["name"], v["masked_id"], v["level"] or "", *_result(v), _unit(v["unit"]) if v["unit"] else "")
        for i, v in enumerate(src.verification, 1)
    )
    return Notice("results", f"{_exam(s)}考后资格核查结果公告", paragraphs,
                  ("序号", "姓名", "身份证号码", "级别", "核查结果", "不符合的报考条件", "核查部门"), rows,
                  (*(units or [UNSET]), _d(s["results_announced_on"])))


def custody_roster(src: Source, due: Deadlines) -> Notice:
    """R-17: 登记造册 — the certificates unclaimed when the 5-year custody ended, each with
    its holder, entered in a roster and transferred to HRSS."""
    s = src.sitting
    # Unclaimed: still held, or transferred (a certificate HRSS handed out after the transfer
    # was on the roster too: its custodian is hrss).
    unclaimed = [c for c in src.custody
                 if c["status"] in ("held", "transferred") or (c["status"] == "handed-out" and c["custodian"] == "hrss")]
    unclaimed.sort(key=lambda c: str(c["number"]))
    keepers = _units(src)
    transferred = s["custody_transferred_on"]
    paragraphs = (
        f"{_exam(s)}职业资格考试结束于{_d(s['exam_end'])}。根据豫人社函〔2024〕25号，未领取的证书由资格核查部门"
        f"代为保管，保管期限为自考试结束日起5年，至{_d(s['custody_due_on'])}期满。",
        (f"保管期满后，现将未领取证书共{len(unclaimed)}本登记造册，于{_d(transferred)}移交河南省人力资源和社会保障厅。"
         if transferred else
         f"截至本册，未领取证书共{len(unclaimed)}本，尚未移交；保管期满后登记造册移交河南省人力资源和社会保障厅。"),
        "移交后，持证人可向河南省人力资源和社会保障厅申领。",
    )
    status = {"held": "代为保管", "transferred": "已移交", "handed-out": "已移交，已领取"}
    rows = tuple(
        (str(i), str(c["number"]), c["name"], c["masked_id"], c["level"] or "", _unit(c["custodian"]) if c["custodian"] else "",
         _d(c["since"]), status[c["status"]])
        for i, c in enumerate(unclaimed, 1)
    )
    return Notice("custody-roster", f"{_exam(s)}未领取职业资格证书登记造册", paragraphs,
                  ("序号", "证书编号", "姓名", "身份证号码", "级别", "现保管单位", "保管起始日", "状态"), rows,
                  (*(keepers or [UNSET]), _d(transferred or s["custody_due_on"])))


def _results_table(rows: list[dict[str, Any]]) -> tuple[tuple[str, ...], ...]:
    return tuple(
        (str(i), v["name"], v["masked_id"], v["level"] or "", *_result(v), _unit(v["unit"]) if v["unit"] else "",
         _d(v["first_on"]) if v["first_on"] else "")
        for i, v in enumerate(rows, 1)
    )


_RESULT_COLUMNS = ("序号", "姓名", "身份证号码", "级别", "核查结果", "不符合的报考条件", "核查部门", "核查日期")


def _summary(rows: list[dict[str, Any]], result: Callable[[dict[str, Any]], str]) -> str:
    counts: dict[str, int] = {}
    for v in rows:
        counts[result(v)] = counts.get(result(v), 0) + 1
    order = ("合格", "不合格", "报考条件待核查", "视为放弃")
    return "，".join(f"{k}{counts[k]}名" for k in (*order, *sorted(set(counts) - set(order))) if k in counts)


def _provincial(s: dict[str, Any]) -> str:
    from certledger.domain.exams import exam
    from certledger.domain.units import provincial_unit

    try:
        return _unit(provincial_unit(exam(s["exam_code"])))
    except Exception:  # noqa: BLE001 - an exam the code no longer knows: say so, do not fail
        return UNSET


def report(src: Source, due: Deadlines) -> Notice:
    """R-6: the 核查结果 report to HRSS — every candidate handed over, with the first round's
    result (报考条件待核查 for those whose verification could not be completed)."""
    s = src.sitting
    paragraphs = (
        "河南省人力资源和社会保障厅：",
        f"根据豫人社函〔2024〕25号，{_exam(s)}职业资格考试成绩已于{_d(s['results_released_on'])}发布，"
        f"考后资格核查结果应于{_d(due.verification_due)}前报送。现将核查结果报送如下（共{len(src.verification)}名"
        f"{'：' + _summary(src.verification, lambda v: _result(v)[0]) if src.verification else ''}）。"
        "对于无法完成核实的人员，暂按“报考条件待核查”处理。",
        "核查结果（身份证号码已作遮蔽处理）：",
    )
    return Notice("report", f"{_exam(s)}考后资格核查结果报送", paragraphs, _RESULT_COLUMNS,
                  _results_table(src.verification), (_provincial(s), _d(s["results_reported_on"])))


def _supplementary_rows(src: Source) -> list[dict[str, Any]]:
    """Who the supplementary round concerned: every candidate not 合格 in the first round
    (不合格, who may appeal; 报考条件待核查 or never reported, called to 补充资格核查)."""
    return [v for v in src.verification if _result(v)[0] != "合格"]


_APPEAL = {"upheld": "申辩成立", "rejected": "申辩不成立"}


def _supplementary_table(rows: list[dict[str, Any]]) -> tuple[tuple[str, ...], ...]:
    return tuple(
        (str(i), v["name"], v["masked_id"], v["level"] or "", _result(v)[0],
         _APPEAL.get(v["appeal_decision"] or "", "申辩中" if v["appeal_lodged_on"] else ""),
         v["supplementary_result"] or "", v["supplementary_condition"] or "", v["status"] or "")
        for i, v in enumerate(rows, 1)
    )


_SUPPLEMENTARY_COLUMNS = ("序号", "姓名", "身份证号码", "级别", "首次核查结果", "申辩", "补充资格核查结果",
                          "不符合的报考条件", "最终结果")


def supplementary_report(src: Source, due: Deadlines) -> Notice:
    """R-9: the supplementary results submitted to HRSS — each candidate the round concerned,
    with the appeal's decision, the supplementary result, and where each now stands."""
    s = src.sitting
    rows = _supplementary_rows(src)
    paragraphs = (
        "河南省人力资源和社会保障厅：",
        f"{_exam(s)}职业资格考试补充资格核查和申辩已于{_d(due.supplementary_due)}前集中完成。根据豫人社函〔2024〕25号，"
        f"现将补充资格核查结果提交如下（共{len(rows)}名"
        f"{'：' + _summary(rows, lambda v: v['status'] or '') if rows else ''}）。"
        "逾期仍未按要求接受补充资格核查的，视为放弃考试资格。",
        "补充资格核查结果（身份证号码已作遮蔽处理）：",
    )
    return Notice("supplementary-report", f"{_exam(s)}补充资格核查结果", paragraphs, _SUPPLEMENTARY_COLUMNS,
                  _supplementary_table(rows), (_provincial(s), _d(s["supplementary_submitted_on"])))


def supplementary_results(src: Source, due: Deadlines) -> Notice:
    """R-9: 补充资格核查结果公告 — the same list, announced: the round was the year's last."""
    s = src.sitting
    rows = _supplementary_rows(src)
    paragraphs = (
        f"{_exam(s)}职业资格考试补充资格核查和申辩工作已完成，现将补充资格核查结果公告如下（共{len(rows)}名"
        f"{'：' + _summary(rows, lambda v: v['status'] or '') if rows else ''}）。",
        "补充资格核查为当年度最后一次资格核查。逾期仍未按要求接受补充资格核查的，视为放弃考试资格，不再受理资格核查申请。",
        f"核查结果为“合格”的人员，证书预约期一般为考后核查结果发布后30天内，请在省专业技术人员职业资格证书预约邮寄平台申请，"
        "邮寄费用到付；未预约的证书现场发放。",
        "补充资格核查结果（身份证号码已作遮蔽处理）：",
    )
    return Notice("supplementary-results", f"{_exam(s)}补充资格核查结果公告", paragraphs, _SUPPLEMENTARY_COLUMNS,
                  _supplementary_table(rows), (_provincial(s), _d(s["supplementary_announced_on"])))


KINDS: dict[str, tuple[str, str, Callable[[Source, Deadlines], Notice]]] = {
    "publicity": ("考试成绩合格公示和考后资格核查公告", "R-5", publicity),
    "report": ("核查结果报送", "R-6", report),
    "results": ("考后资格核查结果公告", "R-7", results),
    "supplementary-report": ("补充资格核查结果", "R-9", supplementary_report),
    "supplementary-results": ("补充资格核查结果公告", "R-9", supplementary_results),
    "custody-roster": ("登记造册", "R-17", custody_roster),
}


def kind_of(text: str) -> str:
    for name, (term, _, _) in KINDS.items():
        if text in (name, term):
            return name
    known = ", ".join(f"{k} ({v[0]}, {v[1]})" for k, v in KINDS.items())
    raise InputError(f"no notice {text!r}: choose one of {known}")


def build(kind: str, src: Source, due: Deadlines) -> Notice:
    return KINDS[kind_of(kind)][2](src, due)


def _issuers(by: str | None) -> list[str]:
    return [_unit(p.strip()) for p in (by or "").split(",") if p.strip()] or [UNSET]


def _units(src: Source) -> list[str]:
    """The verification units of the sitting's candidates, by their official names."""
    return sorted({_unit(v["unit"]) for v in src.verification if v["unit"]})


def _unit(party: str) -> str:
    """A unit as a notice names it: its official name (河南省住房和城乡建设厅), not its id."""
    from certledger.domain.units import official_name

    return official_name(party)


# -- rendering ---------------------------------------------------------------------------------


def render(notice: Notice, fmt: str) -> bytes:
    """The notice as UTF-8 bytes; deterministic (same notice, same bytes)."""
    if fmt == "txt":
        return _text(notice).encode()
    if fmt == "html":
        return _html(notice).encode()
    if fmt == "csv":
        return _csv(notice).encode()
    raise InputError(f"--format {fmt!r}: choose one of {', '.join(FORMATS)}")


def digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _text(n: Notice) -> str:
    lines = [n.title, ""]
    lines += [f"　　{p}" for p in n.paragraphs]
    lines.append("")
    lines.append("\t".join(n.columns))
    lines += ["\t".join(r) for r in n.rows]
    lines.append("")
    lines += list(n.closing)
    return "\n".join(lines) + "\n"


def _csv(n: Notice) -> str:
    return csv_text(n.columns, n.rows)


_STYLE = (
    "body{font-family:'SimSun','Songti SC',serif;max-width:48em;margin:2em auto;line-height:1.8}"
    "h1{text-align:center;font-size:1.5em}p{text-indent:2em;margin:.4em 0}"
    "table{border-collapse:collapse;width:100%;margin:1em 0}"
    "th,td{border:1px solid #000;padding:.2em .5em;text-align:center}"
    ".closing{text-align:right;text-indent:0}"
    "@media print{body{margin:0}thead{display:table-header-group}tr{page-break-inside:avoid}}"
)


def _html(n: Notice) -> str:
    e = html.escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN"><head><meta charset="utf-8">',
        f"<title>{e(n.title)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{e(n.title)}</h1>",
        *(f"<p>{e(p)}</p>" for p in n.paragraphs),
        "<table><thead><tr>" + "".join(f"<th>{e(c)}</th>" for c in n.columns) + "</tr></thead><tbody>",
        *("<tr>" + "".join(f"<td>{e(v)}</td>" for v in r) + "</tr>" for r in n.rows),
        "</tbody></table>",
        *(f'<p class="closing">{e(c)}</p>' for c in n.closing),
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"
