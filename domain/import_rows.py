"""Spreadsheet rows as acts: which columns an import kind reads (with the headers exam
centers actually use, Chinese or English) and what arguments of its domain command a row
gives. Pure: no files, no ledger. The rules themselves are not here: every row goes through
the same ``@act`` command as a hand-typed act (``events.importing``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from certledger.domain.candidacy import outcome
from certledger.domain.errors import CertLedgerError, InputError, RuleViolation
from certledger.domain.id_number import given_id


@dataclass(frozen=True)
class Column:
    """One column: its name in our documentation and the headers accepted for it."""

    name: str
    aliases: tuple[str, ...]
    required: bool = True
    help: str = ""


@dataclass(frozen=True)
class Refusal:
    """A row refused: its row number in the file (the header is row 1), the column at fault
    (empty when it is the row as a whole), the rule (R-n, L-n, or ``input``) and why."""

    row: int
    column: str
    rule: str
    message: str


@dataclass(frozen=True)
class ImportKind:
    """One kind of spreadsheet: the act it records (its official term), the party that signs
    it, its columns, and how a row's cells become the command's keyword arguments."""

    kind: str
    term: str
    command: str  # the LifecycleServices / Candidacy command name
    signer: str  # who signs it (documentation; the domain decides who may)
    columns: tuple[Column, ...]
    arguments: Callable[[Mapping[str, str]], dict[str, Any]]
    extra: dict[str, str] = field(default_factory=dict)


CANDIDATE = Column("candidate", ("candidate", "考生", "考生编号", "party"), help="the candidate's party id, e.g. cand.001")


def _yes_no(text: str, column: str) -> bool:
    value = text.strip().lower()
    if value in ("合格", "通过", "是", "passed", "pass", "yes", "y", "true", "1"):
        return True
    if value in ("不合格", "未通过", "否", "failed", "fail", "no", "n", "false", "0"):
        return False
    raise InputError(f"{column}: {text!r} is neither 合格/通过 (passed) nor 不合格/未通过 (failed)")


def _score_arguments(row: Mapping[str, str]) -> dict[str, Any]:
    scores = _pairs(row.get("scores", ""), "scores", "SUBJECT=SCORE (e.g. 建设工程经济=72)")
    return {"passed": _yes_no(row["passed"], "passed"), "scores": scores}


def _verification_arguments(row: Mapping[str, str]) -> dict[str, Any]:
    condition = row.get("condition", "").strip() or None
    try:
        result = outcome(row["result"].strip())
    except InputError as e:
        raise InputError(f"result: {e}") from None
    return {"result": result, "condition": condition}


def _handover_arguments(row: Mapping[str, str]) -> dict[str, Any]:
    return {"exception": row.get("exception", "").strip() or None}


def _pairs(text: str, column: str, example: str) -> dict[str, str]:
    """``KEY=VALUE; KEY=VALUE`` cells (full-width ；＝ too, as Chinese input methods type them)."""
    pairs = {}
    for part in filter(None, (p.strip() for p in text.replace("；", ";").split(";"))):
        key, sep, value = part.replace("＝", "=").partition("=")
        if not sep or not key.strip() or not value.strip():
            raise InputError(f"{column}: {part!r} is not {example} (separate items with ;)")
        pairs[key.strip()] = value.strip()
    return pairs


def _registration_arguments(row: Mapping[str, str]) -> dict[str, Any]:
    comparison = {
        key: row.get(key, "").strip() or "passed" for key in ("education", "major", "work-years")
    }
    evidence = _pairs(row.get("evidence", ""), "evidence", "ITEM=REFERENCE[,REFERENCE…] (e.g. major=upload:sha256:…)")
    try:
        given = given_id(row["id_number"])
    except RuleViolation as e:  # the column at fault, the rule kept
        raise RuleViolation(e.rule, f"id_number: {str(e).removeprefix(e.rule + ': ')}") from None
    return {
        "evidence": {item: tuple(r.strip() for r in refs.split(",") if r.strip()) for item, refs in evidence.items()},
        "name": row["name"].strip(),
        "masked_id": given.masked,
        # L-7: the full number, when the row gives it (checked); the importer seals only its
        # salted commitment and keeps the number outside the log (events.importing)
        "id_number": given.full,
        "level": row.get("level", "").strip(),
        "specialty": row.get("specialty", "").strip(),
        "city": row["city"].strip(),
        "comparison": comparison,
        "commitment": _yes_no(row.get("commitment", "") or "是", "commitment"),
    }


def _mailing_arguments(row: Mapping[str, str]) -> dict[str, Any]:
    return {"address_ref": row["address_ref"].strip(), "exception": row.get("exception", "").strip() or None}


KINDS: dict[str, ImportKind] = {
    k.kind: k
    for k in (
        ImportKind(
            "scores", "成绩发布", "release_score", "exam-center",
            (
                CANDIDATE,
                Column("passed", ("passed", "result", "是否合格", "成绩合格", "考试结果"), help="合格/不合格 (passed/failed)"),
                Column("scores", ("scores", "成绩", "各科成绩"), required=False, help="SUBJECT=SCORE; … e.g. 综合=72"),
            ),
            _score_arguments,
        ),
        ImportKind(
            "handovers", "移交", "hand_over", "hrss",
            (CANDIDATE, Column("exception", ("exception", "例外原因", "情况说明"), required=False, help="reason for a departure from R-8's 一般")),
            _handover_arguments,
        ),
        ImportKind(
            "verifications", "资格核查结果", "record_verification", "the verification unit (R-1)",
            (
                CANDIDATE,
                Column("result", ("result", "核查结果", "资格核查结果"), help="合格/不合格/报考条件待核查"),
                Column("condition", ("condition", "不符合条件", "不合格原因"), required=False, help="for 不合格: the national condition code"),
            ),
            _verification_arguments,
        ),
        ImportKind(
            "registrations", "报名（告知承诺制）", "register", "exam-center (the online registration system, R-2)",
            (
                CANDIDATE,
                Column("name", ("name", "姓名")),
                Column("id_number", ("id_number", "masked_id", "证件号码", "身份证号", "身份证号码"),
                       help="the full 18-character number (check digit checked, L-7; sealed only as a salted "
                            "commitment) or its masked form 410102********123X"),
                Column("level", ("level", "报考级别"), required=False),
                Column("specialty", ("specialty", "报考专业", "专业类别"), required=False,
                       help="the specialty registered for (建造师: 建筑工程, …); not 专业, the major's comparison"),
                Column("city", ("city", "报考地市", "地市")),
                Column("education", ("education", "学历"), required=False, help="comparison result, default passed"),
                Column("major", ("major", "专业"), required=False, help="comparison result, default passed"),
                Column("work-years", ("work-years", "work_years", "工作年限"), required=False, help="comparison result, default passed"),
                Column("commitment", ("commitment", "承诺", "告知承诺"), required=False, help="是/否, default 是"),
                Column("evidence", ("evidence", "证明材料", "上传材料"), required=False,
                       help="ITEM=REFERENCE; … the uploaded evidence for a failed comparison or without the commitment"),
            ),
            _registration_arguments,
        ),
        ImportKind(
            "mailings", "预约邮寄", "reserve_mailing", "hrss (the reservation platform, R-16)",
            (
                CANDIDATE,
                Column("address_ref", ("address_ref", "邮寄地址", "地址编号", "收件地址")),
                Column("exception", ("exception", "例外原因"), required=False),
            ),
            _mailing_arguments,
        ),
    )
}


def import_kind(kind: str) -> ImportKind:
    try:
        return KINDS[kind]
    except KeyError:
        raise InputError(f"unknown import kind {kind!r}: one of {', '.join(KINDS)}") from None


def _normal(header: str) -> str:
    return "".join(header.split()).lower().replace("_", "-")


def header_map(kind: ImportKind, headers: Sequence[str]) -> dict[str, int]:
    """Our column name -> its index in the file. Refuses a file that lacks a required column,
    names one twice, or has a header we do not know (a typo would silently drop data)."""
    known = {_normal(alias): column.name for column in kind.columns for alias in (column.name, *column.aliases)}
    found: dict[str, int] = {}
    for index, header in enumerate(headers):
        if not str(header or "").strip():
            continue
        name = known.get(_normal(str(header)))
        if name is None:
            raise InputError(f"column {header!r} is not one of {kind.kind}'s columns ({describe_columns(kind)})")
        if name in found:
            raise InputError(f"column {name} appears twice (headers {headers[found[name]]!r} and {header!r})")
        found[name] = index
    missing = [c.name for c in kind.columns if c.required and c.name not in found]
    if missing:
        raise InputError(f"the file has no column {', '.join(missing)} (accepted headers: {describe_columns(kind)})")
    return found


def describe_columns(kind: ImportKind) -> str:
    return "; ".join(f"{c.name}={'/'.join(c.aliases)}" for c in kind.columns)


def row_cells(columns: Mapping[str, int], values: Sequence[Any]) -> dict[str, str]:
    return {name: _text(values[i]) if i < len(values) else "" for name, i in columns.items()}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a spreadsheet's 72 comes back as 72.0
    return str(value).strip()


def row_arguments(kind: ImportKind, number: int, cells: Mapping[str, str]) -> tuple[str, dict[str, Any]] | Refusal:
    """The candidate a row is about and its command's arguments — or why the row is refused."""
    for column in kind.columns:
        if column.required and not cells.get(column.name, "").strip():
            return Refusal(number, column.name, "input", f"{column.name} is empty")
    try:
        return cells["candidate"].strip(), kind.arguments(cells)
    except CertLedgerError as e:
        rule = getattr(e, "rule", "input")
        text = str(e).removeprefix(f"{rule}: ")  # a rule's message names its column after the rule
        column = text.split(":", 1)[0] if ":" in text and text.split(":", 1)[0] in cells else ""
        return Refusal(number, column, rule, str(e))
