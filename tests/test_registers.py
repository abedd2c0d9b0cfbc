"""The registers as projections, on SQLite and PostgreSQL: incremental equals rebuilt,
exactly once across a SIGKILL, diff names the events behind a hand-edited row, and an
as-of rebuild equals the live registers as they stood at that notification."""

from __future__ import annotations

import re

import csv
import io
import os
import sqlite3
import signal
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
import pytest
from click.testing import CliRunner

from certledger.cli.demo import DemoRun
from certledger.cli.main import cli
from certledger.events.ledger import Ledger
from certledger.events.storage import parse_database_url
from certledger.projections import schema
from certledger.projections.diff import diff
from certledger.projections.projector import Cut, Sql, catch_up, rebuild
from certledger.signing.keystore import KeyStore
from certledger.signing.wallet import Wallet
from tests.helpers import PASSPHRASE, TEST_KDF_ROUNDS

CANDIDATES = 40


def _demo(db_url: str, keys: Path, after_save: Any = None, *, registers: bool = False) -> Ledger:
    """The demo's full lifecycle (both sittings, appeals, sanctions, certificates, custody,
    reissue, refusals), with ``after_save`` called after every save. Its publishing acts bring
    the live registers up to date to render the notices they sign; unless ``registers``, they
    are dropped at the end, so a test starts from a ledger whose registers were never built."""
    store = KeyStore(keys, lambda: PASSPHRASE, kdf_rounds=TEST_KDF_ROUNDS)
    ledger = Ledger(parse_database_url(db_url), Wallet(store), create=True)
    if after_save is not None:
        save = ledger.save

        def saving(*args: Any, **kwargs: Any) -> Any:
            recordings = save(*args, **kwargs)
            after_save(ledger)
            return recordings

        ledger.save = saving  # type: ignore[method-assign]
    run = DemoRun(ledger, store, CANDIDATES, keys.parent)
    run.trust()
    run.lifecycle()
    run.refusals()
    if not registers:
        Sql(ledger).drop()
    return ledger


def _all_rows(ledger: Ledger, name: str) -> dict[str, list[dict[str, Any]]]:
    sql = Sql(ledger, name)
    return {t: sql.rows(t) for t in [*schema.BY_NAME, schema.STATISTICS]}


def _raw_sql(db_url: str, statement: str) -> None:
    """A plain connection, as someone with access to the database would edit it."""
    if db_url.startswith("postgresql"):
        import psycopg

        with psycopg.connect(db_url, autocommit=True) as conn:
            conn.execute(statement)
    else:
        import sqlite3

        conn = sqlite3.connect(db_url)
        with conn:
            conn.execute(statement)
        conn.close()


def test_rebuild_equals_the_incrementally_maintained_registers(db_url: str, tmp_path: Path) -> None:
    ledger = _demo(db_url, tmp_path / "keys", after_save=lambda L: catch_up(L), registers=True)
    try:
        head = Sql(ledger).head()
        assert Sql(ledger).position()[0] == head
        rebuilt = rebuild(ledger, "fresh")
        assert rebuilt.position == head and rebuilt.applied == ledger.rows.count()
        assert _all_rows(ledger, "live") == _all_rows(ledger, "fresh")
        assert diff(ledger, "live", "fresh").same
        # What the lifecycle did shows in the registers.
        rows = _all_rows(ledger, "live")
        sanctions = {r["kind"]: r for r in rows["sanctions"]}
        assert sanctions["fraud"]["article"] == "10, 12" and sanctions["fraud"]["referred_to"] == "郑州市公安局"
        assert sanctions["ineligibility"]["rule"] == "R-11"
        void = [c for c in rows["certificates"] if c["status"] == "void"]
        assert {c["candidacy"] for c in void} == {r["candidacy"] for r in rows["sanctions"]}
        appeals = [v for v in rows["verification"] if v["appeal_lodged_on"]]
        assert sorted(v["appeal_decision"] for v in appeals) == ["rejected", "rejected", "upheld", "upheld", "upheld"]
        assert all(v["appeal_grounds"] and v["appeal_reason"] for v in appeals)
        assert {r["status"] for r in rows["requests"]} == {"refused", "completed"}  # the routed change is completed (办结)
        assert any(r["rule"] == "R-18" for r in rows["requests"])
        assert {r["status"] for r in rows["custody"]} >= {"transferred", "delivered", "handed-out"}
        assert all(r["custodian"] == "hrss" for r in rows["custody"] if r["status"] == "transferred")
        for table in schema.TABLES:
            for row in rows[table.name]:
                assert row["last_nid"] and row["last_signer"].startswith("ed25519:") and row["last_written"]
    finally:
        ledger.close()


_KILLER = """
import os, signal, sys
from certledger.events.ledger import Ledger
from certledger.events.storage import parse_database_url
from certledger.projections.projector import catch_up

ledger = Ledger(parse_database_url(sys.argv[1]))
applied = 0

def count(event):
    global applied
    applied += 1
    if applied == int(sys.argv[2]):
        os.kill(os.getpid(), signal.SIGKILL)  # mid-batch: its rows and position not yet committed

catch_up(ledger, batch=int(sys.argv[3]), on_event=count)
"""


def test_a_projector_killed_mid_batch_resumes_exactly_once(db_url: str, tmp_path: Path) -> None:
    ledger = _demo(db_url, tmp_path / "keys")
    try:
        batch, kill_at = 7, 60
        for _ in range(2):  # killed twice, at a different point of a batch each time
            child = subprocess.run([sys.executable, "-c", _KILLER, db_url, str(kill_at), str(batch)],
                                   capture_output=True, timeout=120)
            assert child.returncode == -signal.SIGKILL, child.stderr.decode()
            kill_at += 3
        position, applied = Sql(ledger).position()
        assert 0 < applied < ledger.rows.count()
        assert applied % batch == 0  # only whole batches were committed
        resumed = catch_up(ledger, batch=batch)
        assert resumed.applied + applied == ledger.rows.count()
        rebuild(ledger, "uninterrupted")
        assert _all_rows(ledger, "live") == _all_rows(ledger, "uninterrupted")
    finally:
        ledger.close()


def test_diff_reports_a_hand_edited_row_with_the_events_that_contradict_it(db_url: str, tmp_path: Path) -> None:
    ledger = _demo(db_url, tmp_path / "keys")
    try:
        catch_up(ledger)
        rebuild(ledger, "rebuilt")
    finally:
        ledger.close()
    _raw_sql(db_url, "UPDATE reg_certificates SET status = 'valid', status_reason = NULL WHERE kind = 'pass-proof' "
                     "AND status = 'void' AND status_reason LIKE 'R-12%'")
    result = CliRunner().invoke(cli, ["--db", db_url, "diff", "live", "rebuilt", "--json"])
    assert result.exit_code == 0, result.output
    report = orjson.loads(result.stdout)
    assert not report["same"] and report["a"]["position"] == report["b"]["position"]
    [change] = report["changes"]
    assert change["register"] == "certificates" and change["change"] == "changed"
    assert {f["field"]: (f["a"], f["b"]) for f in change["fields"]}["status"] == ("valid", "void")
    events = {e["event"]: e for e in change["events"]}
    assert {"CertificateIssued", "FraudFound"} <= set(events)
    fraud = events["FraudFound"]
    assert fraud["party"] == "hrss" and fraud["signer"].startswith("ed25519:")
    assert fraud["on"] == "2025-09-12" and fraud["written"].endswith("+08:00") and fraud["nid"] > 0
    text = CliRunner().invoke(cli, ["--db", db_url, "diff", "live", "rebuilt"])
    assert "status 状态: valid → void" in text.stdout and "fraud found dated 2025-09-12" in text.stdout
    assert "'" not in text.stdout and "None" not in text.stdout  # no Python repr (issue 20 item 13)
    [heading] = [line for line in text.stdout.splitlines() if line.startswith("证书台账 certificates: ")]
    assert change["change"] and change["key"]["number"] in heading and change["row"] in heading
    assert re.search(r"[0-9a-f]{8}-[0-9a-f]{4}-", heading) is None  # named by its number, not a UUID
    assert "by 河南省人力资源和社会保障厅" in text.stdout  # the unit's name; --json keeps "hrss"


def test_as_of_a_notification_equals_the_live_registers_of_the_ledger_cut_there(db_url: str, tmp_path: Path) -> None:
    seen: dict[str, Any] = {}

    def after_save(ledger: Ledger) -> None:
        position = catch_up(ledger).position
        if "cut" not in seen and position >= 200:
            seen["cut"], seen["rows"] = position, _all_rows(ledger, "live")

    ledger = _demo(db_url, tmp_path / "keys", after_save=after_save, registers=True)
    try:
        assert Sql(ledger).head() > seen["cut"]
        result = rebuild(ledger, "then", cut=Cut(nid=seen["cut"]))
        assert result.position == seen["cut"]
        assert _all_rows(ledger, "then") == seen["rows"]
        assert _all_rows(ledger, "then") != _all_rows(ledger, "live")
        # A write time cuts before the first event written after it: the newest write time
        # among the rows of the cut reaches at least the row that carries it.
        rows = [r for t in schema.TABLES for r in Sql(ledger, "then").rows(t.name)]
        newest = max(rows, key=lambda r: r["last_nid"])
        by_time = rebuild(ledger, "by_time", cut=Cut(written=datetime.fromisoformat(newest["last_written"])))
        assert newest["last_nid"] <= by_time.position
    finally:
        ledger.close()


# -- the commands -------------------------------------------------------------------------------


@pytest.fixture
def demo_db(tmp_path: Path) -> str:
    db = str(tmp_path / "ledger.db")
    _demo(db, tmp_path / "keys").close()
    return db


def test_a_read_command_never_writes_and_says_when_the_registers_lag(demo_db: str) -> None:
    runner = CliRunner()
    missing = runner.invoke(cli, ["--db", demo_db, "register", "certificates"])
    assert missing.exit_code == 4 and "no registers yet: run 'certledger project'" in missing.stderr
    ledger = Ledger(parse_database_url(demo_db))
    catch_up(ledger, cut=Cut(nid=100))
    ledger.close()
    before = Path(demo_db).read_bytes()
    lagging = runner.invoke(cli, ["--db", demo_db, "register", "sittings", "--json"])
    assert lagging.exit_code == 0 and "the registers stand at notification 100" in lagging.stderr
    assert Path(demo_db).read_bytes() == before
    done = runner.invoke(cli, ["--db", demo_db, "project", "--json"])
    assert done.exit_code == 0 and orjson.loads(done.stdout)["position"] > 100


def test_register_exports_csv_with_bom_and_json_lines(demo_db: str) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["--db", demo_db, "project"]).exit_code == 0
    csv_out = runner.invoke(cli, ["--db", demo_db, "register", "证书台账", "--csv", "--bom"])
    assert csv_out.exit_code == 0 and csv_out.stdout.startswith("\ufeffkind,number,candidacy")
    lines = runner.invoke(cli, ["--db", demo_db, "register", "custody", "--jsonl"]).stdout.splitlines()
    rows = [orjson.loads(line) for line in lines]
    assert rows and all(r["due_for_transfer_on"] == "2030-05-25" for r in rows)
    stats = orjson.loads(runner.invoke(cli, ["--db", demo_db, "register", "statistics", "--json"]).stdout)
    assert {s["exam_code"] for s in stats} == {"jianzaoshi-1", "jianzaoshi-2", "zaojia-1"}  # zaojia-1: the late announcement
    assert sum(s["appeals"] for s in stats) == 5 and sum(s["appeals_upheld"] for s in stats) == 3


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["rebuild", "--as-of", "2025-06-01", "--into", "x"], "a business date is not a cut"),
        (["rebuild", "--as-of", "12"], "name a set with --into NAME"),
        (["rebuild", "--into", "Bad-Name"], "register set name 'Bad-Name'"),
        (["register", "nonesuch"], "no register 'nonesuch'"),
        (["register", "custody", "--bom"], "--bom goes with --csv"),
        (["diff", "live", "nowhere"], "there is no register set 'nowhere'"),
    ],
)
def test_bad_register_input_is_one_line_and_exit_2(demo_db: str, args: list[str], message: str) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["--db", demo_db, "project"]).exit_code == 0
    result = runner.invoke(cli, ["--db", demo_db, *args])
    assert result.exit_code == 2, result.output
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_a_recording_command_brings_the_registers_up_to_date(demo_db: str, tmp_path: Path) -> None:
    env = {"CERTLEDGER_KEY_PASSPHRASE": PASSPHRASE.decode()}
    runner = CliRunner()
    result = runner.invoke(cli, ["--db", demo_db, "--keys", str(tmp_path / "keys"), "sitting", "schedule",
                                 "jianzaoshi-1", "2026", "--exam-end", "2026-05-24", "--as", "hrss", "--on", "2026-03-01"],
                           env=env)
    assert result.exit_code == 0, result.output
    ledger = Ledger(parse_database_url(demo_db), read_only=True)
    try:
        sql = Sql(ledger)
        assert sql.position()[0] == sql.head()
        assert any(r["year"] == 2026 for r in sql.rows("sittings"))
    finally:
        ledger.close()


def test_a_tampered_event_stops_the_projector_and_nothing_of_its_batch_is_kept(life: Any) -> None:
    from certledger.domain.errors import TamperError

    sid = life.sitting()
    life.register(sid, "cand.001")
    before = catch_up(life.ledger).position
    cid = life.register(sid, "cand.002")
    life.register(sid, "cand.003")
    row = life.ledger.rows.read(cid, 1)
    life.ledger.rows.write_state(cid, 1, row.state.replace("考生002".encode(), "考生999".encode()))
    life.tampered = True
    with pytest.raises(TamperError, match="signature"):
        catch_up(life.ledger)
    assert Sql(life.ledger).position()[0] == before
    assert [r["candidate"] for r in Sql(life.ledger).rows("candidacies")] == ["cand.001"]
    result = CliRunner().invoke(cli, ["--db", life.db_url, "project"])
    assert result.exit_code == 1 and result.stderr.startswith("certledger: ") and "signature" in result.stderr


def test_the_writer_does_not_recheck_its_own_signatures_but_a_changed_row_is_checked(life: Any,
                                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 22: the catch-up after an import re-verified every event the same process had just
    signed. Rows whose bytes are exactly what this process signed at that place are now read
    without re-checking the signature; any other row (another writer's, or one changed with
    SQL since) is checked as before — the test above shows a changed row still stops it."""
    from certledger.events import envelope

    sid = life.sitting()
    for n in range(1, 6):
        life.register(sid, f"cand.{n:03d}")
    checked: list[str] = []
    real = envelope.check_signed
    monkeypatch.setattr(envelope, "check_signed", lambda opened, *a, **k: (checked.append(opened.signer), real(opened, *a, **k)))
    catch_up(life.ledger)
    assert checked == []  # all six rows are this process's own bytes
    life.ledger.mapper_.signed_here.clear()  # as a fresh process would read them
    rebuild(life.ledger, "fresh")
    assert len(checked) >= 6 and diff(life.ledger, "live", "fresh").same


def test_a_late_entry_is_in_the_exceptions_register_with_its_reason_and_act(life: Any) -> None:
    from datetime import date

    from certledger.domain.acts import late_entry

    sid = life.sitting()
    first, second = life.qualified(sid, ["cand.001", "cand.002"])
    life.ledger.reserve_mailing("hrss", first, "address:one", on=date(2025, 7, 10))
    with late_entry("paper form received at the counter on 07-05, entered on 07-10"):
        life.ledger.reserve_mailing("hrss", second, "address:two", on=date(2025, 7, 5))
    catch_up(life.ledger)
    [row] = Sql(life.ledger).rows("exceptions")
    assert row["kind"] == "late-entry" and row["act"] == "MailingReserved" and row["party"] == "hrss"
    assert row["dated_on"] == "2025-07-05" and row["reason"].startswith("paper form received")
    assert row["candidacy"] == str(second) and row["subject"] == "cand.002"
    mailing = {r["candidate"]: r for r in Sql(life.ledger).rows("mailing")}
    assert mailing["cand.002"]["reserved_on"] == "2025-07-05" and mailing["cand.002"]["status"] == "reserved"


def test_follow_picks_up_events_recorded_while_it_polls(life: Any) -> None:
    from certledger.projections.projector import follow

    sid = life.sitting()
    polls: list[int] = []

    def between_polls(_: float) -> None:  # another writer records while the projector waits
        life.register(sid, f"cand.00{len(polls)}")

    def keep_going() -> bool:
        polls.append(Sql(life.ledger).position()[0])
        return len(polls) < 3

    follow(life.ledger, interval=0, keep_going=keep_going, sleep=between_polls)
    assert polls[0] < polls[1] < polls[2] == Sql(life.ledger).head()
    assert sorted(r["candidate"] for r in Sql(life.ledger).rows("candidacies")) == ["cand.001", "cand.002"]


def test_as_of_a_checkpoint_is_the_events_it_covers(tmp_path: Path) -> None:
    """``--as-of checkpoint:SIZE``: the registers as they stood when HRSS signed that root —
    by L-5 exactly the events before the checkpoint's own."""
    from certledger.events.checkpoints import record_checkpoint

    db = str(tmp_path / "ledger.db")
    store = KeyStore(tmp_path / "keys", lambda: PASSPHRASE, kdf_rounds=TEST_KDF_ROUNDS)
    ledger = Ledger(parse_database_url(db), Wallet(store), create=True)
    run = DemoRun(ledger, store, CANDIDATES, tmp_path)
    run.trust()
    signed = record_checkpoint(ledger)
    run.lifecycle()  # every act of the two sittings comes after the checkpoint
    ledger.close()
    runner = CliRunner()
    at_checkpoint = runner.invoke(cli, ["--db", db, "rebuild", "--as-of", f"checkpoint:{signed.size}", "--into", "signed", "--json"])
    assert at_checkpoint.exit_code == 0, at_checkpoint.output
    assert orjson.loads(at_checkpoint.stdout)["position"] == signed.notification_id - 1
    by_id = runner.invoke(cli, ["--db", db, "rebuild", "--as-of", str(signed.notification_id - 1), "--into", "by_id"])
    assert by_id.exit_code == 0, by_id.output
    assert runner.invoke(cli, ["--db", db, "project"]).exit_code == 0
    same = orjson.loads(runner.invoke(cli, ["--db", db, "diff", "signed", "by_id", "--json"]).stdout)
    later = orjson.loads(runner.invoke(cli, ["--db", db, "diff", "signed", "live", "--json"]).stdout)
    assert same["same"] and not later["same"]
    missing = runner.invoke(cli, ["--db", db, "rebuild", "--as-of", "checkpoint:7", "--into", "x"])
    assert missing.exit_code == 2 and "no checkpoint of 7 events is recorded" in missing.stderr


def test_an_unsigned_rebuild_equals_the_signed_one_and_still_refuses_a_misplaced_event(life: Any) -> None:
    """With signature checks off the projector decodes rows itself (no Mapper): the
    registers must come out the same, and an event stored at another place (stream,
    version) must still stop it — the placement check is not a signature check."""
    from certledger.domain.errors import TamperError

    sid = life.sitting()
    cid = life.register(sid, "cand.001")
    life.register(sid, "cand.002")
    rebuild(life.ledger, "signed")
    unsigned = Ledger(parse_database_url(life.db_url), verify_on_read=False)
    try:
        rebuild(unsigned, "unsigned")
        assert _all_rows(unsigned, "signed") == _all_rows(unsigned, "unsigned")
        assert diff(unsigned, "signed", "unsigned").same
        other = life.register(sid, "cand.003")
        life.ledger.rows.write_state(other, 1, bytes(life.ledger.rows.read(cid, 1).state))
        life.tampered = True
        with pytest.raises(TamperError, match=str(other)):
            rebuild(unsigned, "unsigned")
        assert not Sql(unsigned, "unsigned").rows("candidacies")  # nothing of the failed batch kept
    finally:
        unsigned.close()


def test_follow_on_postgresql_wakes_when_a_writer_commits(life: Any, db_url: str) -> None:
    """On PostgreSQL the projector LISTENs on the events table's channel: a commit by another
    writer ends its wait at once, not after the interval (here 60 s)."""
    import threading

    from certledger.projections.projector import follow

    if "://" not in db_url:
        pytest.skip("PostgreSQL's NOTIFY: SQLite polls every --interval")
    sid = life.sitting()
    follower = life.reopen()
    rounds: list[int] = []
    listening = threading.Event()

    def keep_going() -> bool:
        rounds.append(Sql(follower).position()[0])
        listening.set()
        return len(rounds) < 2

    thread = threading.Thread(target=follow, args=(follower,), kwargs={"interval": 60, "keep_going": keep_going})
    thread.start()
    try:
        assert listening.wait(30)
        life.register(sid, "cand.001")  # another writer commits while the follower waits
        thread.join(timeout=30)
        assert not thread.is_alive(), "the follower slept through the writer's commit"
    finally:
        thread.join()
        follower.close()
    assert rounds[1] == Sql(life.ledger).head() > rounds[0]


def test_signatures_checked_by_worker_processes_give_the_same_registers_and_the_same_refusal(
        db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`rebuild --jobs 2`: real worker processes check signatures while the projector applies;
    the registers equal the sequential rebuild's, and a forged row stops it with the same
    message, naming the row, with nothing of its batch kept."""
    from certledger.domain.errors import TamperError
    from certledger.projections import projector

    ledger = _demo(db_url, tmp_path / "keys")
    try:
        rebuild(ledger, "alone")
        monkeypatch.setattr(projector, "PARALLEL_FROM", 0)
        monkeypatch.setattr(projector.SignatureWorkers, "CHUNK", 97)  # many chunks in flight
        batches: list[int] = []
        decoded = projector.SignatureWorkers.decoded
        monkeypatch.setattr(projector.SignatureWorkers, "decoded",
                            lambda self, ledger, rows: batches.append(len(rows)) or decoded(self, ledger, rows))
        rebuild(ledger, "workers", jobs=2)
        assert sum(batches) == ledger.rows.count()  # every row went through the workers
        assert _all_rows(ledger, "alone") == _all_rows(ledger, "workers")
        sid = ledger.sitting("jianzaoshi-1:2025").id
        row = ledger.rows.read(sid, 2)
        forged = bytes(row.state).replace(b'"on":"2025-06-14"', b'"on":"2025-06-13"', 1)  # results released a day earlier
        assert forged != bytes(row.state)
        ledger.rows.write_state(sid, 2, forged)
        with pytest.raises(TamperError) as alone:
            rebuild(ledger, "alone")
        with pytest.raises(TamperError) as workers:
            rebuild(ledger, "workers", jobs=2)
        assert str(workers.value) == str(alone.value) and str(sid) in str(alone.value)
        assert "signature" in str(alone.value)
        assert not Sql(ledger, "workers").rows("candidacies")
    finally:
        ledger.close()


def test_a_batch_preload_reads_every_row_asked_for_and_is_planned_anew_each_time(db_url: str, tmp_path: Path) -> None:
    """A rebuild preloads thousands of streams' rows per batch with one statement per table.
    On PostgreSQL it must not become a prepared statement (psycopg prepares one run five
    times): the server would keep the plan it made while the table was empty, a sequential
    scan that took seconds per batch at 1M events (bench/rebuild.py --url)."""
    from certledger.projections.projector import Batch

    ledger = _demo(db_url, tmp_path / "keys", registers=True)
    try:
        sql = Sql(ledger)
        with sql.transaction(commit=False) as cur:
            streams = {r["candidacy"] for r in sql.execute(cur, f"SELECT candidacy FROM {sql.table('candidacies')}")}
            assert len(streams) >= CANDIDATES
            for _ in range(8):
                batch = Batch(sql, cur)
                batch.preload(streams)
            assert {key[0] for table, key in batch.rows if table == "candidacies"} == streams
            assert batch.complete["candidacies"] == streams
            if sql.backend == "postgres":
                prepared = sql.execute(cur, "SELECT statement FROM pg_prepared_statements")
                assert [p["statement"] for p in prepared if sql.table("candidacies") in p["statement"]] == []
    finally:
        ledger.close()


@pytest.mark.parametrize("name", ['=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "@SUM(1)", "-2+3", "\t=1", "\r=1"])
def test_register_csv_never_writes_a_cell_a_spreadsheet_would_run(demo_db: str, name: str) -> None:
    """Issue 20.2: a name that begins like a formula is written with a leading ' (OWASP);
    quoting alone does not stop Excel, LibreOffice or WPS from running it."""
    runner = CliRunner()
    assert runner.invoke(cli, ["--db", demo_db, "project"]).exit_code == 0
    with sqlite3.connect(demo_db) as conn:  # as if the name had come in so from a spreadsheet
        conn.execute("UPDATE reg_certificates SET name = ? WHERE rowid = (SELECT min(rowid) FROM reg_certificates)", [name])
    out = runner.invoke(cli, ["--db", demo_db, "register", "证书台账", "--csv"])
    assert out.exit_code == 0, out.output
    cells = [cell for row in csv.reader(io.StringIO(out.stdout_bytes.decode(), newline="")) for cell in row]
    assert "'" + name in cells
    assert not [c for c in cells if c.startswith(("=", "+", "@", "\t", "\r")) or (c.startswith("-") and not c[1:].isdigit())]


def test_csv_cells_keep_numbers_and_plain_text_as_they_are() -> None:
    from certledger.events.spreadsheet import csv_text, safe_cell

    assert safe_cell(-2) == -2 and safe_cell("张伟") == "张伟" and safe_cell("00104") == "00104"
    assert csv_text(["a", "=b"], [["-1", 3]], bom=True) == "\ufeffa,'=b\r\n'-1,3\r\n"
    assert csv_text(["x"], [["\r=1"]]) == 'x\r\n"\'\r=1"\r\n'  # a CR inside a cell is quoted


# -- long batches, interrupted rebuilds (issue 20 item 9) -----------------------------------------


def test_a_rebuild_whose_batch_takes_longer_than_the_idle_in_transaction_timeout_completes(
        db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Checking and applying a batch happens outside any transaction: PostgreSQL (here with a
    1 s idle-in-transaction timeout, the library's default is 5 s) ends a session that sits
    idle in one while the client folds, and SQLite would hold its write lock that long."""
    import dataclasses
    import time

    from certledger.projections import projector

    _demo(db_url, tmp_path / "keys").close()
    database = parse_database_url(db_url)
    ledger = Ledger(dataclasses.replace(database, env={**database.env, "POSTGRES_IDLE_IN_TRANSACTION_SESSION_TIMEOUT": "1"}))
    writer_waited: list[bool] = []
    apply = projector.apply

    def slow_apply(state: Any, event: Any) -> None:
        if not writer_waited:  # once, in the first batch: longer than the timeout
            time.sleep(1.5)
            if database.backend == "sqlite":  # another writer may write meanwhile
                other = sqlite3.connect(db_url, timeout=0.2)
                try:
                    other.execute("BEGIN IMMEDIATE")
                    writer_waited.append(False)
                except sqlite3.OperationalError:
                    writer_waited.append(True)
                finally:
                    other.close()
            else:
                writer_waited.append(False)
        apply(state, event)

    try:
        rebuild(ledger, "quick", batch=100)
        monkeypatch.setattr(projector, "apply", slow_apply)
        result = rebuild(ledger, "slow", batch=100)
        assert writer_waited == [False]
        assert result.applied == ledger.rows.count() == Sql(ledger, "slow").position()[1]
        assert _all_rows(ledger, "slow") == _all_rows(ledger, "quick")
    finally:
        ledger.close()


def test_a_batch_read_before_another_projector_committed_is_read_again(db_url: str, tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Two projectors fold the same events at once: the second to write finds the position
    moved since it read and applies nothing of its stale batch; each event still counts once."""
    from certledger.projections import projector

    ledger = _demo(db_url, tmp_path / "keys")
    apply = projector.apply
    other: list[int] = []

    def racing_apply(state: Any, event: Any) -> None:
        if not other:  # while this projector folds its first batch, another catches the set up
            other.append(0)
            monkeypatch.setattr(projector, "apply", apply)
            other[0] = catch_up(ledger, batch=50).applied
        apply(state, event)

    try:
        monkeypatch.setattr(projector, "apply", racing_apply)
        late = catch_up(ledger, batch=50)
        assert other[0] == ledger.rows.count() and late.applied == 0
        assert Sql(ledger).position() == (Sql(ledger).head(), ledger.rows.count())
        rebuild(ledger, "alone")
        assert _all_rows(ledger, "live") == _all_rows(ledger, "alone")
    finally:
        ledger.close()


def test_an_interrupted_rebuild_into_is_refused_by_readers_until_a_rebuild_finishes_it(
        db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C in the middle of ``rebuild --into audit`` leaves its whole batches, marked
    unfinished: ``diff`` and ``register`` refuse the set (exit 2) instead of comparing half a
    rebuild; the same rebuild again carries on from its position, and then the set is whole.
    A rebuild with another cut starts the set afresh."""
    from certledger.projections import projector

    _demo(db_url, tmp_path / "keys").close()
    runner = CliRunner()
    assert runner.invoke(cli, ["--db", db_url, "project"]).exit_code == 0
    apply = projector.apply
    seen: list[int] = []

    def interrupted(state: Any, event: Any) -> None:
        seen.append(event.nid)
        if len(seen) == 130:  # in the third batch of 50
            raise KeyboardInterrupt
        apply(state, event)

    monkeypatch.setattr(projector, "apply", interrupted)
    stopped = runner.invoke(cli, ["--db", db_url, "rebuild", "--into", "audit", "--batch", "50"])
    assert stopped.exit_code == 130, stopped.output
    monkeypatch.setattr(projector, "apply", apply)
    readers = (["diff", "live", "audit"], ["diff", "audit", "live", "--json"], ["register", "certificates", "--set", "audit"])
    for args in readers:
        refused = runner.invoke(cli, ["--db", db_url, *args])
        assert refused.exit_code == 2, refused.output
        assert refused.stderr.strip() == (
            f"certledger: error: register set 'audit' is unfinished: its rebuild stopped at notification {seen[99]}; "
            "run 'certledger rebuild --into audit' again to finish it")
    resumed = runner.invoke(cli, ["--db", db_url, "rebuild", "--into", "audit", "--batch", "50", "--json"])
    assert resumed.exit_code == 0, resumed.output
    report = orjson.loads(resumed.stdout)
    assert f"resuming the unfinished rebuild of register set 'audit' from notification {seen[99]}" in resumed.stderr
    assert report["resumed_from"] == seen[99] and report["events"] == report["applied"] + 100
    same = runner.invoke(cli, ["--db", db_url, "diff", "live", "audit", "--json"])
    assert same.exit_code == 0 and orjson.loads(same.stdout)["same"], same.output

    seen.clear()
    monkeypatch.setattr(projector, "apply", interrupted)
    cut = 400
    cut_short = runner.invoke(cli, ["--db", db_url, "rebuild", "--into", "audit", "--as-of", str(cut), "--batch", "50"])
    assert cut_short.exit_code == 130, cut_short.output
    monkeypatch.setattr(projector, "apply", apply)
    refused = runner.invoke(cli, ["--db", db_url, "register", "sittings", "--set", "audit"])
    assert refused.exit_code == 2 and f"its rebuild --as-of {cut} stopped" in refused.stderr
    assert f"run 'certledger rebuild --into audit --as-of {cut}' again" in refused.stderr
    fresh = runner.invoke(cli, ["--db", db_url, "rebuild", "--into", "audit", "--json"])  # another cut: from the start
    assert fresh.exit_code == 0 and orjson.loads(fresh.stdout)["resumed_from"] is None
    assert orjson.loads(runner.invoke(cli, ["--db", db_url, "diff", "live", "audit", "--json"]).stdout)["same"]
