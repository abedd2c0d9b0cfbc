"""MOHRSS Order No. 31 (人社部令第31号, 《专业技术人员资格考试违纪违规行为处理规定》, 2017), which the
2024 notice applies to false material and other fraud: "按照…第十条、第十二条处理" (R-12).

The notices in seeds/ cite only the two article numbers; the Order's own text is not in seeds/.
What follows was read from the Order as reproduced on public pages (e.g. schoolv.com's and
233.com's copies of the 2017 text; not checked against the official gazette):

- Art. 10: a candidate who obtained a certificate or pass proof by false material or other
  improper means — the issuing authority declares the certificate or proof void, and the case
  is handled under Art. 7: all subject scores of that sitting void, and an entry in the
  professional-qualification exam integrity record (诚信档案库) "记录期限为五年" (five years).
- Art. 12: the integrity record is built by MOHRSS, joins the national credit-information
  sharing platform, and can be queried by employers and the public.

So one finding applies both: Art. 10's consequences (and Art. 7's, to which it refers) and
Art. 12's record. The ledger records the finding, its consequences and the record's period.
"""

from __future__ import annotations

from datetime import date

from certledger.domain.calendar import add_years

ARTICLES = (10, 12)
RECORD_YEARS = 5  # Art. 7, applied by Art. 10: 记录期限为五年
CONSEQUENCES = (
    "人社部令第31号第十条：由证书签发机构宣布证书或者合格证明无效；当次全部科目考试成绩无效，"
    "记入专业技术人员资格考试诚信档案库，记录期限为五年；第十二条：诚信档案库由人力资源社会保障部统一建立，"
    "纳入全国信用信息共享平台，向用人单位及社会提供查询。"
    " — Order No. 31 Art. 10: certificate or pass proof declared void by its issuer (HRSS); "
    "Art. 7 (by Art. 10): all subject scores of this sitting void, entry in the integrity record "
    "(诚信档案库) for five years; Art. 12: the record is MOHRSS's, shared on the national "
    "credit-information platform and open to queries"
)


def record_until(entered: date) -> date:
    """The last day an entry made on ``entered`` stays in the integrity record (five years)."""
    return add_years(entered, RECORD_YEARS)
