"""Issue 23 item 7: labels that do not mislead. A deemed forfeit (视为放弃, not recorded) is not
shown final, since a late result recorded as a signed exception supersedes it; and a stage
offers only acts the code would accept (no forfeit for a candidate whom only a late
announcement called)."""

from __future__ import annotations

from datetime import date

from certledger.domain.stage import stage
from tests.lifecycle_world import LifeWorld
from tests.test_rules import P, Q, publish_joint, refused, status, verified


def test_a_deemed_forfeit_is_superseded_by_a_late_result_recorded_as_an_exception(life: LifeWorld) -> None:
    sid, ids = verified(life, results={"cand.001": P})
    pending = ids["cand.001"]
    day = date(2025, 9, 1)
    shown = stage(life.ledger.candidacy(pending), life.ledger.sitting(sid), day)
    assert not shown.final and "record_supplementary" in shown.next
    life.ledger.record_supplementary("dept.zhujian.henan", pending, Q, on=day, exception="考生住院，补交材料后核查")
    assert status(life, pending, day) is Q  # the act the label offered was accepted


def test_no_forfeit_is_offered_to_a_candidate_only_a_late_announcement_called(life: LifeWorld) -> None:
    sid, ids = verified(life, results={"cand.001": P}, announce=False)
    publish_joint(life, sid)
    life.ledger.announce_verification_results("dept.zhujian.henan", sid, on=date(2025, 8, 20), exception="系统故障延迟公告")
    pending = ids["cand.001"]
    day = date(2025, 8, 25)
    shown = stage(life.ledger.candidacy(pending), life.ledger.sitting(sid), day)
    assert "record_forfeit" not in shown.next and not shown.final
    with refused(life, r"R-7: no forfeit"):
        life.ledger.record_forfeit("dept.zhujian.henan", pending, on=day)
