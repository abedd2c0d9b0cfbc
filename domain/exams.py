"""The attached table of 豫人社〔2019〕8号 (资格审查及资格证书发放责任单位表), as data.

Merged cells of the original are read as repeating the value above (DOMAIN.md). Each row
says which industry department verifies eligibility and at which levels, who hands out the
paper certificate (or that HRSS issues an e-certificate instead), whether the exam is
national or organised by the province, and which route a paper reissue takes (R-19).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from certledger.domain.errors import InputError


class Scope(str, Enum):
    """省（市）: province and municipalities both act; 省: only the province."""

    PROVINCE_AND_CITY = "省（市）"
    PROVINCE = "省"


class ReissueRoute(str, Enum):
    """R-19: where a paper reissue or information-change request ends up."""

    NATIONAL = "national"  # up to the national industry department, then 人社部人事考试中心
    PROVINCIAL = "provincial"  # municipal -> provincial department -> 河南省人事考试中心


@dataclass(frozen=True)
class Industry:
    """An industry administration: its provincial body, municipal body, national body."""

    code: str
    label: str  # as the table writes it
    province_name: str
    city_name: str | None  # "{city}…" template; None where only the province acts
    national_name: str
    association: bool = False  # run by a provincial 行业协会
    # Run by a provincial 学会 (learned society): "行业协会、学会管理的考试项目,由省级行业协会、学会
    # 负责资格核查" (2024 §1(2)). No exam of today's table is, but the notice provides for it.
    society: bool = False


INDUSTRIES: dict[str, Industry] = {
    i.code: i
    for i in (
        Industry("zhujian", "住建部门", "河南省住房和城乡建设厅", "{city}住房和城乡建设局", "住房和城乡建设部"),
        Industry("shengtai", "环境生态部门", "河南省生态环境厅", "{city}生态环境局", "生态环境部"),
        Industry("yingji", "应急部门", "河南省应急管理厅", "{city}应急管理局", "应急管理部"),
        Industry("minzheng", "民政部门", "河南省民政厅", "{city}民政局", "民政部"),
        Industry("shichang", "市场监管部门", "河南省市场监督管理局", "{city}市场监督管理局", "国家市场监督管理总局"),
        Industry("ziranziyuan", "自然资源部门", "河南省自然资源厅", "{city}自然资源和规划局", "自然资源部"),
        Industry("cehui", "省测绘局", "河南省测绘地理信息局", None, "自然资源部"),
        Industry("caizheng", "财政部门", "河南省财政厅", "{city}财政局", "财政部"),
        Industry("shuiwu", "税务部门", "国家税务总局河南省税务局", "国家税务总局{city}税务局", "国家税务总局"),
        Industry("kaoshi", "考试中心", "河南省人事考试中心", "{city}人事考试中心", "人力资源和社会保障部"),
        Industry("tongji", "统计部门", "河南省统计局", "{city}统计局", "国家统计局"),
        Industry("shenji", "审计部门", "河南省审计厅", "{city}审计局", "审计署"),
        Industry("waishi", "省外事办", "河南省人民政府外事办公室", None, "外交部"),
        Industry("jiaotong", "交通部门", "河南省交通运输厅", "{city}交通运输局", "交通运输部"),
        Industry("weijian", "卫健委", "河南省卫生健康委员会", "{city}卫生健康委员会", "国家卫生健康委员会"),
        Industry("gongxin", "工信部门", "河南省工业和信息化厅", "{city}工业和信息化局", "工业和信息化部"),
        Industry("gczx", "省工程咨询协会", "河南省工程咨询协会", None, "中国工程咨询协会", association=True),
        Industry("tongxin", "省通信管理局", "河南省通信管理局", None, "工业和信息化部"),
    )
}

# The national registration conditions a 不合格 result may cite (R-6; 2019 §2: "不得另行附加
# 其他条件"). Every exam's conditions are about these items; a few exams add one.
CONDITIONS: dict[str, str] = {
    "education": "学历",
    "major": "专业",
    "work-years": "工作年限",
    "prior-qualification": "前置资格或职称",
    "practice": "从业或执业经历",
}
_BASIC = ("education", "major", "work-years")
# Exams whose national rules set no education, major or work-years condition (翻译 CATTI and
# 计算机技术与软件: "不设学历与资历条件"; from those exams' national rules, not the Henan notices):
# nothing is compared online, and no 不合格 can cite such a condition.
NO_CONDITIONS: tuple[str, ...] = ()


@dataclass(frozen=True)
class Exam:
    """One row of the table."""

    code: str
    name: str  # 考试名称, as in the table
    levels: tuple[str, ...]
    industry: str
    scope: Scope
    e_certificate: bool  # True: HRSS e-certificate, never paper
    provincial: bool  # organised by HRSS with the department, not national
    reissue_route: ReissueRoute
    conditions: tuple[str, ...] = _BASIC
    # 专业: the specialties a candidate registers for, where the exam has them (建造师: 建筑工程,
    # 市政公用工程, …). Not in the notices: the national exams' own lists, which the sealed
    # document names (issue 23 item 10).
    specialties: tuple[str, ...] = ()

    def registered_level(self, level: str) -> str:
        """The level a registration records: as given, or a one-level exam's only level, which
        goes without saying (建造师（一级）: 一级)."""
        return level or (self.levels[0] if len(self.levels) == 1 else "")

    @property
    def verifier(self) -> Industry:
        return INDUSTRIES[self.industry]

    @property
    def paper_unit_label(self) -> str:
        """R-15: the verification unit hands out paper; none for an e-certificate exam."""
        return "HRSS e-certificate" if self.e_certificate else self.verification_unit_label

    @property
    def verification_unit_label(self) -> str:
        return f"{self.scope.value}{self.verifier.label}" if self.verifier.city_name else self.verifier.label


def _row(code, name, levels, industry, *, e_cert=False, route=ReissueRoute.PROVINCIAL, conditions=_BASIC,
         specialties=()):
    scope = Scope.PROVINCE_AND_CITY if INDUSTRIES[industry].city_name else Scope.PROVINCE
    return Exam(code, name, levels, industry, scope, e_cert, e_cert, route, conditions, tuple(specialties))


_JIANZAO_1 = ("建筑工程", "公路工程", "铁路工程", "民航机场工程", "港口与航道工程", "水利水电工程", "矿业工程",
              "机电工程", "市政公用工程", "通信与广电工程")
_JIANZAO_2 = ("建筑工程", "公路工程", "水利水电工程", "市政公用工程", "矿业工程", "机电工程")
_ZAOJIA = ("土木建筑工程", "交通运输工程", "水利工程", "安装工程")


_NATIONAL = ReissueRoute.NATIONAL
EXAMS: dict[str, Exam] = {
    e.code: e
    for e in (
        _row("chengxiang-guihua", "注册城乡规划师", (), "zhujian"),
        _row("jianzhushi", "建筑师", ("一级", "二级"), "zhujian"),
        _row("jianzaoshi-1", "建造师（一级）", ("一级",), "zhujian", specialties=_JIANZAO_1),
        _row("jianzaoshi-2", "建造师（二级）", ("二级",), "zhujian", e_cert=True, specialties=_JIANZAO_2),
        _row("fangdichan-gujia", "房地产估价师", (), "zhujian"),
        _row("fangdichan-jingji", "房地产经纪", (), "zhujian"),
        _row("jianli", "监理工程师", (), "zhujian"),
        _row("zaojia-1", "造价工程师（一级）", ("一级",), "zhujian", specialties=_ZAOJIA),
        _row("zaojia-2", "造价工程师（二级）", ("二级",), "zhujian", e_cert=True, specialties=_ZAOJIA),
        _row("kancha-sheji", "勘察设计注册工程师", (), "zhujian", conditions=(*_BASIC, "prior-qualification")),
        _row("huanping", "环评工程师", (), "shengtai"),
        _row("anquan", "注册安全工程师", (), "yingji"),
        _row("xiaofang", "注册消防工程师", (), "yingji"),
        _row("shehui-gongzuo", "社会工作者", (), "minzheng"),
        _row("jiliang-1", "注册计量师（一级）", ("一级",), "shichang"),
        _row("jiliang-2", "注册计量师（二级）", ("二级",), "shichang", e_cert=True),
        _row("shebei-jianli", "注册设备监理", (), "shichang"),
        _row("zhiye-yaoshi", "执业药师", (), "shichang", conditions=(*_BASIC, "practice")),
        _row("tudi-dengji", "土地登记代理人", (), "ziranziyuan"),
        _row("cehuishi", "注册测绘师", (), "cehui"),
        _row("kuaiji", "会计师", ("中级", "初级"), "caizheng", route=_NATIONAL),
        _row("shuiwushi", "税务师", (), "shuiwu"),
        _row("jingjishi", "经济师", ("中级", "初级"), "kaoshi"),
        _row("tongjishi", "统计师", ("中级", "初级"), "tongji"),
        _row("shenjishi", "审计师", ("中级", "初级"), "shenji"),
        _row("fanyi", "翻译", ("一级", "二级", "三级"), "waishi", conditions=NO_CONDITIONS),
        _row("jidongche", "机动车检测维修", ("士", "工程师"), "jiaotong"),
        _row("weisheng", "卫生", ("中级", "初级"), "weijian", route=_NATIONAL, conditions=(*_BASIC, "practice")),
        _row("ruankao", "计算机技术与软件", ("初级", "中级", "高级"), "gongxin", route=_NATIONAL, conditions=NO_CONDITIONS),
        _row("zixun", "咨询工程师（投资）", (), "gczx"),
        _row("tongxin", "通信", ("中级", "初级"), "tongxin", route=_NATIONAL),
    )
}


def exam(code: str) -> Exam:
    try:
        return EXAMS[code]
    except KeyError:
        raise InputError(f"unknown exam {code!r}; 'certledger exams list' shows the 31 codes") from None
