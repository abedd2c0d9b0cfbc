"""Issue 23 item 8: a one-level exam (建造师（一级）, 造价工程师（二级）…) needs no --level; an exam
with several levels still does, and a wrong level is still refused with nothing recorded."""

from __future__ import annotations

from datetime import date

import pytest

from certledger.domain.errors import InputError
from tests.lifecycle_world import COMPARISON_OK, LifeWorld


def _register(life: LifeWorld, sid, candidate: str, level: str):
    return life.ledger.register_candidate(
        "exam-center", sid, candidate=candidate, name="考生甲", masked_id="410102********123X", city="zhengzhou",
        level=level, comparison=COMPARISON_OK, on=date(2025, 3, 10),
    )


def test_a_one_level_exam_takes_its_only_level(life: LifeWorld) -> None:
    sid = life.sitting("jianzaoshi-1")
    cid = _register(life, sid, "cand.001", "")
    assert life.ledger.candidacy(cid).level == "一级"  # and the replay after the test re-derives it


def test_a_wrong_level_is_still_refused(life: LifeWorld) -> None:
    sid = life.sitting("jianzaoshi-1")
    before = life.count()
    with pytest.raises(InputError, match="has levels 一级, not '二级'"):
        _register(life, sid, "cand.001", "二级")
    assert life.count() == before


def test_an_exam_with_several_levels_still_needs_one(life: LifeWorld) -> None:
    sid = life.sitting("jianzhushi")
    before = life.count()
    with pytest.raises(InputError, match="has levels 一级, 二级, not ''"):
        _register(life, sid, "cand.001", "")
    assert life.count() == before
