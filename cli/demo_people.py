"""Realistic, made-up candidates for the demo: Chinese names and masked ID numbers."""

from __future__ import annotations

import random
from dataclasses import dataclass

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
GIVEN = [
    "伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超",
    "秀兰", "霞", "平", "刚", "桂英", "建华", "志强", "晓东", "海燕", "文博", "子涵", "思远", "一鸣", "嘉怡",
    "欣怡", "浩然", "宇航", "梓萱", "雨泽", "俊杰", "佳琪", "国栋", "红梅", "卫东", "春生", "振华", "丽娟",
]
# 行政区划代码 of each municipality's seat (the first six digits of an ID number).
REGION_CODES = {
    "zhengzhou": "410102", "kaifeng": "410202", "luoyang": "410302", "pingdingshan": "410402",
    "anyang": "410502", "xinxiang": "410702", "nanyang": "411302", "jiyuan": "419001",
}


@dataclass(frozen=True)
class Person:
    party: str  # cand.<registration number>
    name: str
    masked_id: str
    city: str


def people(count: int, seed: int, prefix: str) -> list[Person]:
    rng = random.Random(seed)
    cities = list(REGION_CODES)
    result = []
    for i in range(count):
        city = rng.choice(cities)
        tail = f"{rng.randrange(1000):03d}{rng.choice('0123456789X')}"
        result.append(
            Person(
                party=f"cand.{prefix}{REGION_CODES[city][:4]}{i + 1:05d}",
                name=rng.choice(SURNAMES) + rng.choice(GIVEN),
                masked_id=f"{REGION_CODES[city]}********{tail}",
                city=city,
            )
        )
    return result
