"""Henan's municipalities (省辖市) and 济源示范区: the levels below the province.

Party ids use the pinyin slug: ``dept.zhujian.zhengzhou`` is 郑州市住房和城乡建设局.
"""

from __future__ import annotations

from certledger.domain.errors import InputError

PROVINCE = "henan"

MUNICIPALITIES: dict[str, str] = {
    "zhengzhou": "郑州市",
    "kaifeng": "开封市",
    "luoyang": "洛阳市",
    "pingdingshan": "平顶山市",
    "anyang": "安阳市",
    "hebi": "鹤壁市",
    "xinxiang": "新乡市",
    "jiaozuo": "焦作市",
    "puyang": "濮阳市",
    "xuchang": "许昌市",
    "luohe": "漯河市",
    "sanmenxia": "三门峡市",
    "nanyang": "南阳市",
    "shangqiu": "商丘市",
    "xinyang": "信阳市",
    "zhoukou": "周口市",
    "zhumadian": "驻马店市",
    "jiyuan": "济源示范区",
}


def check_city(city: str) -> str:
    if city not in MUNICIPALITIES:
        raise InputError(f"unknown municipality {city!r}; use one of: {', '.join(MUNICIPALITIES)}")
    return city
