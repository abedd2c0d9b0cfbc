"""Issue 23 item 10: the sealed certificate names the specialty (专业) registered for, e.g.
建筑工程 for 二级建造师; an exam without specialties, or one not in the exam's list, is refused
with nothing recorded."""

from __future__ import annotations

from datetime import date

import pytest

from certledger.domain.candidacy import Outcome
from certledger.domain.errors import InputError
from certledger.events import credential as vc
from certledger.events import provenance
from tests.lifecycle_world import COMPARISON_OK, D, LifeWorld

NUMBER = "HN2025JZ2-0001"


def _register(life: LifeWorld, sid, specialty: str):
    return life.ledger.register_candidate(
        "exam-center", sid, candidate="cand.001", name="考生甲", masked_id="410102********123X", city="zhengzhou",
        comparison=COMPARISON_OK, on=date(2025, 3, 10), specialty=specialty,
    )


def test_the_sealed_document_and_the_credential_name_the_specialty(life: LifeWorld) -> None:
    sid = life.sitting("jianzaoshi-2")
    cid = _register(life, sid, "建筑工程")
    assert life.ledger.candidacy(cid).specialty == "建筑工程"
    life.ledger.release_results("exam-center", sid, on=D)
    life.ledger.release_score("exam-center", cid, True, {"综合": "72"}, on=D)
    life.ledger.hand_over("hrss", cid, on=date(2025, 6, 15))
    life.publicity(sid, "dept.zhujian.henan")
    life.ledger.record_verification("dept.zhujian.henan", cid, Outcome.QUALIFIED, on=date(2025, 6, 20))
    life.publicity_and_announcement(sid, "dept.zhujian.henan")
    life.ledger.issue_e_certificate("hrss", cid, NUMBER, on=date(2025, 7, 20))
    [found] = provenance.find_certificate(life.ledger, NUMBER)
    document = found.opened.payload["document"]
    assert document["specialty"] == "建筑工程" and document["level"] == "二级"
    subject = vc.credential_for(document, issued_at=found.opened.timestamp, status_index=0, host="h.example")
    assert subject["credentialSubject"]["specialty"] == "建筑工程"  # the replay after the test re-derives it all


@pytest.mark.parametrize(("exam_code", "specialty", "message"), [
    ("jianzaoshi-2", "通信与广电工程", "has specialties \\(专业\\) 建筑工程、公路工程"),  # a 一级-only specialty
    ("jianli", "建筑工程", "has no specialties"),
])
def test_a_specialty_the_exam_does_not_have_is_refused(life: LifeWorld, exam_code: str, specialty: str,
                                                       message: str) -> None:
    sid = life.sitting(exam_code)
    before = life.count()
    with pytest.raises(InputError, match=message):
        _register(life, sid, specialty)
    assert life.count() == before


def test_without_a_specialty_the_document_keeps_its_old_fields(life: LifeWorld) -> None:
    sid = life.sitting("jianzaoshi-2")
    (cid,) = life.qualified(sid, ["cand.002"], exam_code="jianzaoshi-2")
    life.ledger.issue_e_certificate("hrss", cid, NUMBER, on=date(2025, 7, 20))
    [found] = provenance.find_certificate(life.ledger, NUMBER)
    assert "specialty" not in found.opened.payload["document"]
