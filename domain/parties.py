"""The parties of the two notices: who may act, and so who may sign."""

from __future__ import annotations

import re
from enum import Enum

from certledger.domain.errors import InputError

ROOT_PARTY = "hrss"
"""省人力资源和社会保障厅 (provincial HRSS): the root of trust, always this party id."""

_PARTY_ID = re.compile(r"^[a-z0-9][a-z0-9._:-]{0,79}$")


class PartyKind(str, Enum):
    """What kind of party acts in the ledger (DOMAIN.md, "Parties")."""

    HRSS = "hrss"  # 省人力资源和社会保障厅
    EXAM_CENTER = "exam-center"  # 省人事考试中心
    DEPARTMENT = "department"  # 资格核查部门: provincial or municipal industry department
    ASSOCIATION = "association"  # 省级行业协会
    SOCIETY = "society"  # 省级学会: verifies the exams a learned society runs, as an association does
    NATIONAL_EXAM_CENTER = "national-exam-center"  # 人社部人事考试中心
    NATIONAL_DEPARTMENT = "national-department"  # 国家行业行政管理部门 (R-19 route)
    POSTAL = "postal"  # 邮政公司
    CANDIDATE = "candidate"  # 考生
    WITNESS = "witness"  # 见证方: an external auditor's key that cosigns checkpoints (L-6)


COSIGNER_KINDS = frozenset({
    PartyKind.WITNESS,  # 见证方: an external auditor's key
    PartyKind.EXAM_CENTER,  # 省人事考试中心
    PartyKind.DEPARTMENT,  # 资格核查部门
    PartyKind.ASSOCIATION,  # 省级行业协会
    PartyKind.SOCIETY,  # 省级学会
    PartyKind.NATIONAL_EXAM_CENTER,  # 人社部人事考试中心
    PartyKind.NATIONAL_DEPARTMENT,  # 国家行业行政管理部门
})  # fmt: skip
"""L-6: who may cosign a checkpoint besides HRSS (domain/checkpoints.py says why; the offline
bundle verifier reads it from here, a module that imports nothing heavy)."""


def check_party_id(party_id: str) -> str:
    """Party ids are short lowercase slugs, e.g. ``dept.zhujian.zhengzhou``."""
    if not _PARTY_ID.match(party_id):
        raise InputError(
            f"party id {party_id!r} must be 1-80 characters of a-z, 0-9, '.', ':', '_' "
            "or '-', starting with a letter or digit"
        )
    return party_id


def party_kind(text: str) -> PartyKind:
    try:
        return PartyKind(text)
    except ValueError:
        kinds = ", ".join(k.value for k in PartyKind)
        raise InputError(f"unknown party kind {text!r}; use one of: {kinds}") from None
