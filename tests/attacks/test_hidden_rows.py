"""Rows verify never reads. Notification ids are the attacker's to choose (an SQLite rowid,
PostgreSQL's notification_id column): a row numbered 0 or below sits before where verify's
scan starts (``Rows.raw_pages`` reads ``id > 0``), yet the application reads it with its
stream. Verify must read every row of the table: its report counts fewer events than the
table holds."""

from __future__ import annotations

from datetime import date

import pytest

from certledger.events.ledger import Ledger
from certledger.events.storage import parse_database_url
from tests.attacks.forge import Forger
from tests.attacks.support import CANDIDACY, assert_fails_at, cst, stages, verify


@pytest.mark.parametrize("nid", [0, -1])
def test_forged_result_numbered_at_or_below_zero_is_checked(life, nid: int) -> None:
    _, ids = stages(life, handed=("cand.001",))
    cid = ids["cand.001"]
    life.tampered = True
    with Forger(life.db_url) as f:
        f.append(str(cid), f"{CANDIDACY}.VerificationRecorded", {
            "actor": "dept.zhujian.henan", "condition": None, "on": "2025-06-20", "result": "合格",
            "timestamp": cst(date(2025, 6, 20))}, None, signer="ed25519:" + "0" * 32, signature=b"\x00" * 64, nid=nid)
        total = f.count()
    reader = Ledger(parse_database_url(life.db_url), verify_on_read=False)
    try:
        assert reader.candidacy(cid).first_result.value == "合格"  # the application reads the forgery
    finally:
        reader.close()
    assert_fails_at(life.db_url, nid)
    _, report = verify(life.db_url)
    assert report.events == total, f"verify read {report.events} of {total} rows"
