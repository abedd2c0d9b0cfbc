"""Business dates (rule L-2), forged by the rightful signers: an act is dated no later than
the day it is written (CST), and no earlier than the latest act already recorded on the
same candidacy, unless a signed late entry (补录) by the same party, for that date, comes
just before it."""

from __future__ import annotations

from datetime import date

import pytest

from tests.attacks.forge import Forger
from tests.attacks.support import CANDIDACY, assert_fails_at, assert_named, assert_ok, cst, key_of, stages

DEPT = "dept.zhujian.henan"
# The topic the write path records a 补录 under (the base class declares the event).
LATE_TOPIC = "certledger.domain.acts:DatedAggregate.LateEntryRecorded"


# What a fraud finding records (Order No. 31 Art. 10 and 12 together), written out by hand as
# the forger knows nothing of certledger.
ORDER31_CONSEQUENCES = (
    "人社部令第31号第十条：由证书签发机构宣布证书或者合格证明无效；当次全部科目考试成绩无效，"
    "记入专业技术人员资格考试诚信档案库，记录期限为五年；第十二条：诚信档案库由人力资源社会保障部统一建立，"
    "纳入全国信用信息共享平台，向用人单位及社会提供查询。"
    " — Order No. 31 Art. 10: certificate or pass proof declared void by its issuer (HRSS); "
    "Art. 7 (by Art. 10): all subject scores of this sitting void, entry in the integrity record "
    "(诚信档案库) for five years; Art. 12: the record is MOHRSS's, shared on the national "
    "credit-information platform and open to queries"
)


def _fraud(actor: str, on: str, when: str) -> dict:
    until = f"{int(on[:4]) + 5}{on[4:]}"  # five years in the integrity record
    return {"actor": actor, "articles": [10, 12], "consequences": ORDER31_CONSEQUENCES, "finding": "forged diploma",
            "on": on, "record_until": until, "timestamp": when}


def _late(actor: str, on: str, when: str) -> dict:
    return {"actor": actor, "on": on, "reason": "paper file found late", "timestamp": when}


def test_act_re_signed_with_a_date_after_its_write_day(life) -> None:
    _, ids = stages(life, qualified=("cand.001",))
    cid = str(ids["cand.001"])
    _, dept = key_of(life, DEPT)
    life.tampered = True
    with Forger(life.db_url) as f:
        last = f.stream_rows(cid)[-1]
        assert last.envelope.payload["on"] == "2025-06-20"
        row = f.resign(cid, last.version, dept, payload={"on": "2025-06-25"})
    assert_fails_at(life.db_url, row.nid, "L-2", "cannot be recorded before that day")


def test_act_dated_the_day_after_its_write_time_in_china_standard_time(life) -> None:
    """Written 2025-06-21 23:30 UTC+8 is still the 21st in CST; dated the 22nd is a day early.
    (In UTC the write time 15:30Z is also the 21st; at 16:30Z it would be the 22nd in CST.)"""
    _, ids = stages(life, qualified=("cand.001",))
    _, dept = key_of(life, DEPT)
    life.tampered = True
    with Forger(life.db_url) as f:
        nid = f.append(str(ids["cand.001"]), f"{CANDIDACY}.FraudFound",
                       _fraud(DEPT, "2025-06-22", cst(date(2025, 6, 21), 23, 30)), dept)
    assert_fails_at(life.db_url, nid, "L-2", "cannot be recorded before that day")


def test_act_dated_before_the_candidacys_latest_act_without_a_late_entry(life) -> None:
    _, ids = stages(life, qualified=("cand.001",))
    _, dept = key_of(life, DEPT)
    life.tampered = True
    with Forger(life.db_url) as f:
        nid = f.append(str(ids["cand.001"]), f"{CANDIDACY}.FraudFound",
                       _fraud(DEPT, "2025-06-18", cst(date(2025, 6, 22))), dept)
    assert_fails_at(life.db_url, nid, "L-2", "before the latest act already recorded here")


def test_control_the_same_act_after_a_signed_late_entry_verifies(life) -> None:
    _, ids = stages(life, qualified=("cand.001",))
    _, dept = key_of(life, DEPT)
    life.tampered = True
    with Forger(life.db_url) as f:
        f.append(str(ids["cand.001"]), LATE_TOPIC, _late(DEPT, "2025-06-18", cst(date(2025, 6, 22))), dept)
        f.append(str(ids["cand.001"]), f"{CANDIDACY}.FraudFound", _fraud(DEPT, "2025-06-18", cst(date(2025, 6, 22), 10)), dept)
    assert_ok(life.db_url)
    assert life.ledger.candidacy(ids["cand.001"]).is_void


def test_late_entry_by_one_party_used_by_another(life) -> None:
    _, ids = stages(life, qualified=("cand.001",))
    _, dept = key_of(life, DEPT)
    _, root = key_of(life, "hrss")
    life.tampered = True
    with Forger(life.db_url) as f:
        f.append(str(ids["cand.001"]), LATE_TOPIC, _late(DEPT, "2025-06-18", cst(date(2025, 6, 22))), dept)
        nid = f.append(str(ids["cand.001"]), f"{CANDIDACY}.FraudFound",
                       _fraud("hrss", "2025-06-18", cst(date(2025, 6, 22), 10)), root)
    assert_fails_at(life.db_url, nid, "L-2", "before the latest act")


def test_late_entry_for_another_date(life) -> None:
    _, ids = stages(life, qualified=("cand.001",))
    _, dept = key_of(life, DEPT)
    life.tampered = True
    with Forger(life.db_url) as f:
        f.append(str(ids["cand.001"]), LATE_TOPIC, _late(DEPT, "2025-06-19", cst(date(2025, 6, 22))), dept)
        nid = f.append(str(ids["cand.001"]), f"{CANDIDACY}.FraudFound",
                       _fraud(DEPT, "2025-06-17", cst(date(2025, 6, 22), 10)), dept)
    assert_fails_at(life.db_url, nid, "L-2", "before the latest act")


def test_late_entry_that_is_not_late(life) -> None:
    """A 补录 for a date that is not before the latest act is refused as such."""
    _, ids = stages(life, qualified=("cand.001",))
    _, dept = key_of(life, DEPT)
    life.tampered = True
    with Forger(life.db_url) as f:
        nid = f.append(str(ids["cand.001"]), LATE_TOPIC, _late(DEPT, "2025-06-22", cst(date(2025, 6, 22))), dept)
    found = assert_fails_at(life.db_url, nid, "not late here")
    assert_named(found, nid, "the act would be refused")


def _unqualified_and_announced(life):
    from certledger.domain.candidacy import Outcome

    sid = life.sitting("jianzaoshi-1")
    (cid,) = life.passed_and_handed_over(sid, ["cand.001"])
    condition = life.ledger.candidacy(cid).exam.conditions[0]
    life.ledger.record_verification(DEPT, cid, Outcome.UNQUALIFIED, on=date(2025, 6, 20), condition=condition)
    life.publicity_and_announcement(sid)  # announced 2025-07-02; appeals close 2025-08-14
    return cid


def _appeal(on: str, when: str) -> dict:
    # The unit receiving the 申辩 records it (candidates hold no keys, T-6).
    return {"actor": DEPT, "grounds": "my diploma is genuine", "on": on, "timestamp": when}


def test_an_appeal_received_after_the_window_dated_as_written(life) -> None:
    """Control: a 申辩 received, written and dated 2025-08-20, is refused (R-8)."""
    cid = _unqualified_and_announced(life)
    _, mine = key_of(life, DEPT)
    life.tampered = True
    with Forger(life.db_url) as f:
        nid = f.append(str(cid), f"{CANDIDACY}.AppealLodged", _appeal("2025-08-20", cst(date(2025, 8, 20))), mine)
    assert_fails_at(life.db_url, nid, "R-8")


def test_an_appeal_received_after_the_window_dated_back_into_it(life) -> None:
    """The receiving unit cannot date a late 申辩 back into the window (L-4)."""
    cid = _unqualified_and_announced(life)
    _, mine = key_of(life, DEPT)
    life.tampered = True
    with Forger(life.db_url) as f:
        nid = f.append(str(cid), f"{CANDIDACY}.AppealLodged", _appeal("2025-08-14", cst(date(2025, 8, 20))), mine)
    assert_fails_at(life.db_url, nid, "L-4", "dated the day it is received (2025-08-20)")
