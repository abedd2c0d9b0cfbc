"""Which party may do what, by the table (R-1, R-15, R-17, R-19) and the notices.

Party ids: ``hrss`` (省人社厅), ``exam-center`` (省人事考试中心), ``dept.<industry>.henan``
(provincial department), ``dept.<industry>.<city>`` (municipal), ``assoc.<industry>.henan``
(association, 协会), ``soc.<industry>.henan`` (learned society, 学会), ``postal.henan`` (邮政公司), ``national.dept.<industry>`` and
``national.exam-center`` (the national end of the R-19 route), ``cand.<number>`` (考生).
"""

from __future__ import annotations

from certledger.domain.exams import INDUSTRIES, Exam, ReissueRoute, Scope
from certledger.domain.parties import ROOT_PARTY, PartyKind
from certledger.domain.places import MUNICIPALITIES, PROVINCE

HRSS = ROOT_PARTY
EXAM_CENTER = "exam-center"
POSTAL = "postal.henan"
NATIONAL_EXAM_CENTER = "national.exam-center"


def unit_party(industry: str, level: str = PROVINCE) -> str:
    """The party id of an industry's unit at the province (``henan``) or a municipality."""
    if industry == "kaoshi" and level == PROVINCE:
        return EXAM_CENTER  # 经济师 is verified by the 省人事考试中心 itself
    body = INDUSTRIES[industry]
    prefix = "assoc" if body.association else "soc" if body.society else "dept"
    return f"{prefix}.{industry}.{level}"


def provincial_unit(exam: Exam) -> str:
    """省级资格核查部门: receives the handover, publishes, reports, transfers custody."""
    return unit_party(exam.industry)


def verification_units(exam: Exam, city: str) -> tuple[str, ...]:
    """R-1: the province, and for 省（市） exams the candidate's municipality."""
    if exam.scope is Scope.PROVINCE_AND_CITY:
        return (provincial_unit(exam), unit_party(exam.industry, city))
    return (provincial_unit(exam),)


def paper_units(exam: Exam, city: str) -> tuple[str, ...]:
    """R-15: paper certificates are handed out by the verification unit(s); none for an
    e-certificate exam (R-13)."""
    return () if exam.e_certificate else verification_units(exam, city)


def national_department(industry: str) -> str:
    return f"national.dept.{industry}"


def reissue_route(exam: Exam, city: str) -> tuple[str, ...]:
    """R-19: the hops a reissue / information-change request passes, first to last."""
    local = verification_units(exam, city)[::-1]  # municipal first, where there is one
    if exam.reissue_route is ReissueRoute.NATIONAL:
        return (*local, national_department(exam.industry), NATIONAL_EXAM_CENTER)
    route = (*local, EXAM_CENTER)
    return tuple(dict.fromkeys(route))  # 经济师: the provincial unit is the exam center


def unit_name(party_id: str) -> tuple[str, PartyKind]:
    """The official name and kind of a unit party id (for registering reference parties)."""
    if party_id == HRSS:
        return "河南省人力资源和社会保障厅", PartyKind.HRSS
    if party_id == EXAM_CENTER:
        return "河南省人事考试中心", PartyKind.EXAM_CENTER
    if party_id == POSTAL:
        return "中国邮政集团有限公司河南省分公司", PartyKind.POSTAL
    if party_id == NATIONAL_EXAM_CENTER:
        return "人力资源和社会保障部人事考试中心", PartyKind.NATIONAL_EXAM_CENTER
    parts = party_id.split(".")
    if len(parts) == 3 and parts[0] == "national" and parts[2] in INDUSTRIES:
        return INDUSTRIES[parts[2]].national_name, PartyKind.NATIONAL_DEPARTMENT
    if len(parts) == 3 and parts[1] in INDUSTRIES and parts[0] == unit_party(parts[1], "x").split(".")[0]:
        industry = INDUSTRIES[parts[1]]
        kind = (PartyKind.ASSOCIATION if industry.association else PartyKind.SOCIETY if industry.society
                else PartyKind.DEPARTMENT)
        if parts[2] == PROVINCE:
            return industry.province_name, kind
        if parts[2] in MUNICIPALITIES and industry.city_name:
            return industry.city_name.format(city=MUNICIPALITIES[parts[2]]), kind
    raise KeyError(party_id)


def official_name(party_id: str) -> str:
    """A unit as people read it: its official name (河南省住房和城乡建设厅), or, for a party
    outside the responsibility table, its id as recorded."""
    try:
        return unit_name(party_id)[0]
    except KeyError:
        return party_id


def all_units() -> list[str]:
    """Every unit party the table and the notices call for: the exam center, each industry's
    provincial unit and, where the table says 省（市）, its unit in each municipality and
    济源示范区; the postal company; the national ends of the R-19 route."""
    from certledger.domain.exams import EXAMS

    units = [EXAM_CENTER]
    for industry in INDUSTRIES.values():
        units.append(unit_party(industry.code))
        if industry.city_name:
            units.extend(unit_party(industry.code, city) for city in MUNICIPALITIES)
    units.append(POSTAL)
    national = {e.industry for e in EXAMS.values() if e.reissue_route is ReissueRoute.NATIONAL}
    units.extend(national_department(code) for code in sorted(national))
    units.append(NATIONAL_EXAM_CENTER)
    return list(dict.fromkeys(units))
