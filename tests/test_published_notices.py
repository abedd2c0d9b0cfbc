"""Publishing a notice is the act (issue 8 item 2): the act's event carries the notice it
published — title, paragraphs, table, closing — and the SHA-256 of its text, signed by the
publisher. ``notices render KIND --published`` prints it again years later, from the ledger
alone, and checks the digest; an edit in the database is caught by the signature."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from uuid import UUID

import pytest
from click.testing import CliRunner

from certledger.cli.main import cli
from certledger.domain.errors import InputError
from certledger.domain.notice import check_notice
from certledger.projections.projector import Sql, catch_up
from tests.test_registers import _demo

GOLDEN = Path(__file__).parent / "golden"
SITTING = "jianzaoshi-1:2025"


def _render(db: str, *args: str):
    return CliRunner().invoke(cli, ["--db", db, "notices", "render", *args])


def test_each_publishing_act_signs_the_notice_it_published(db_url: str, tmp_path: Path) -> None:
    ledger = _demo(db_url, tmp_path / "keys")
    try:
        catch_up(ledger)
        position = Sql(ledger).position()[0]
    finally:
        ledger.close()
    for kind in ("publicity", "report", "results", "supplementary-report", "supplementary-results", "custody-roster"):
        published = _render(db_url, kind, "--sitting", SITTING, "--published")
        assert published.exit_code == 0, published.output
        digest = hashlib.sha256(published.stdout.encode()).hexdigest()
        assert f"sha256:{digest}" in published.stderr and "renders to the signed digest" in published.stderr
        assert "published by dept.zhujian.henan" in published.stderr
        golden = GOLDEN / f"demo-{kind}.txt"
        if os.environ.get("UPDATE_GOLDEN"):
            golden.write_text(published.stdout, encoding="utf-8")
        assert published.stdout == golden.read_text(encoding="utf-8"), f"{kind}: see {golden} (UPDATE_GOLDEN=1)"
        now = _render(db_url, kind, "--sitting", SITTING)
        assert now.exit_code == 0, now.output
        if kind == "custody-roster":  # HRSS handed one out after the transfer: the roster then is not the register now
            assert now.stdout != published.stdout and "已移交，已领取" in now.stdout and "已移交，已领取" not in published.stdout
        else:  # nothing these notices list changed after they were published
            assert now.stdout == published.stdout
    assert f"registers at notification {position}" in now.stderr
    # The joint publicity: each publisher signed its own; HRSS published first, alone on it.
    hrss = _render(db_url, "publicity", "--sitting", SITTING, "--published", "--by", "hrss")
    unit = _render(db_url, "publicity", "--sitting", SITTING, "--published")
    assert hrss.exit_code == 0 and "published by hrss" in hrss.stderr
    assert hrss.stdout.rsplit("\n\n", 1)[0] == unit.stdout.rsplit("\n\n", 1)[0]  # the same text and list
    assert hrss.stdout.rsplit("\n\n", 1)[1] == "河南省人力资源和社会保障厅\n2025年6月16日\n"  # the closing: issuers so far
    html = _render(db_url, "results", "--sitting", SITTING, "--published", "--format", "html")
    assert html.exit_code == 0 and html.stdout.startswith("<!DOCTYPE html>")


def test_a_notice_edited_in_the_database_is_caught_by_its_signature(db_url: str, tmp_path: Path) -> None:
    from tests.test_registers import _raw_sql

    ledger = _demo(db_url, tmp_path / "keys")
    try:
        sid = ledger.sitting(SITTING).id
        event = next(e for e in ledger.repository.event_store.get(sid) if type(e).__name__ == "VerificationResultsAnnounced")
        row = ledger.rows.read(sid, event.originator_version)
    finally:
        ledger.close()
    name = event.notice["rows"][0][1]
    forged = row.state.replace(f'"{name}"'.encode(), '"某某"'.encode(), 1)
    assert forged != row.state
    from certledger.events.storage import parse_database_url

    table = parse_database_url(db_url).table
    stream = sid.hex if "://" not in db_url else str(sid)
    _raw_sql(db_url, f"UPDATE {table} SET state = {_literal(db_url, forged)} WHERE originator_id = '{stream}' "
                     f"AND originator_version = {event.originator_version}")
    published = _render(db_url, "results", "--sitting", SITTING, "--published")
    assert published.exit_code != 0 and published.stdout == "" and "Traceback" not in published.output
    assert "signature" in published.stderr, published.stderr
    verified = CliRunner().invoke(cli, ["--db", db_url, "verify", "--all"])
    assert verified.exit_code == 1 and f"notification {row.notification_id}" in verified.output


def _literal(db_url: str, data: bytes) -> str:
    return f"X'{data.hex()}'" if "://" not in db_url else f"'\\x{data.hex()}'::bytea"


def test_a_notice_has_one_shape() -> None:
    good = {"title": "公告", "paragraphs": ["一、"], "columns": ["序号", "姓名"], "rows": [["1", "张伟"]],
            "closing": ["2025-07-02"], "digest": "a" * 64}
    assert check_notice(good) == good and check_notice(None) is None
    assert check_notice({**good, "rows": (("1", "张伟"),)})["rows"] == [["1", "张伟"]]  # one stored shape
    for bad in ({**good, "digest": "x"}, {**good, "rows": [["1"]]}, {**good, "extra": 1},
                {**good, "columns": ["序号", 2]}, "公告"):
        with pytest.raises(InputError):
            check_notice(bad)


def test_publishing_events_written_before_notices_were_signed_still_read() -> None:
    from certledger.events.envelope import Opened
    from certledger.events.mapper import domain_event

    payload = {"actor": "dept.zhujian.henan", "on": "2025-07-02", "exception": None,
               "timestamp": "2025-07-02T10:00:00+08:00"}
    for name in ("VerificationResultsAnnounced", "VerificationResultsReported", "SupplementaryResultsSubmitted",
                 "SupplementaryResultsAnnounced"):
        payload.pop("exception", None) if name != "VerificationResultsAnnounced" else None
        topic = f"certledger.domain.sitting:ExamSitting.{name}"
        event = domain_event(Opened(b"", b"", "", "", 5, topic, "", "", dict(payload)), UUID(int=2), 5)
        assert type(event).__name__ == name and event.notice is None and event.actor == "dept.zhujian.henan"
