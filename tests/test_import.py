"""``certledger import``: a spreadsheet of acts checked row by row through the domain commands,
recorded only when every row passes, resumable after kill -9, safe with two importers at once.

The sitting's registrations are recorded through the ledger's own writer (Candidacy.register,
signed by each candidate's key, saved in bounded batches); the scores are then imported.
IMPORT_ROWS sets the size of the equality test: the issue's 10,000 with IMPORT_ROWS=10000; the
default 1,000 keeps the suite's time in bounds, as its one-by-one baseline records an act per
transaction (tens of rows/s on a busy 2-core machine). The kill and concurrency tests use
KILL_ROWS (1,200).
"""

from __future__ import annotations

import csv
import os
from hashlib import sha256
import random
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from uuid import UUID

import openpyxl
import pytest
from click.testing import CliRunner

from certledger.cli.main import cli
from certledger.domain.candidacy import Candidacy, candidacy_id
from certledger.domain.units import unit_name
from certledger.events.ledger import Ledger
from certledger.events.storage import parse_database_url
from certledger.signing.keys import new_private_key
from certledger.signing.keystore import KeyStore
from certledger.signing.wallet import Wallet
from tests.helpers import PASSPHRASE, TEST_KDF_ROUNDS, assert_verifies
from tests.lifecycle_world import COMPARISON_OK, D, EXAM_END, UNITS

IMPORT_ROWS = int(os.environ.get("IMPORT_ROWS", "1000"))
KILL_ROWS = int(os.environ.get("IMPORT_KILL_ROWS", "1200"))
SITTING = "jianzaoshi-1:2025"
HEADERS_ZH = ["考生编号", "考试结果", "成绩"]


def candidates(n: int) -> list[str]:
    return [f"cand.{i:05d}" for i in range(1, n + 1)]


def make_ledger(db_url: str, keys_dir: Path, n: int, *, release: bool = True) -> UUID:
    """The units enrolled, the sitting scheduled and its results released on D, ``n``
    candidates registered by exam-center (through the writer, 200 per transaction)."""
    store = KeyStore(keys_dir, lambda: PASSPHRASE, kdf_rounds=TEST_KDF_ROUNDS)
    ledger = Ledger(parse_database_url(db_url), Wallet(store), create=True)
    try:
        root = new_private_key()
        store.save("hrss", root)
        from certledger.signing.keys import raw_public_key

        ledger.initialise(raw_public_key(root), simulated=True)
        parties = []
        for party in UNITS:  # candidates hold no keys (T-6): exam-center registers them
            key = new_private_key()
            store.save(party, key)
            parties.append((party, *unit_name(party), ledger.claim(party, key)))
        ledger.enrol(parties)
        sid = ledger.schedule_sitting("hrss", "jianzaoshi-1", 2025, EXAM_END, on=date(2025, 3, 1))
        sitting = ledger.sitting(sid)
        batch = []
        for cand in candidates(n):
            with ledger.acting():
                batch.append(Candidacy.register(actor="exam-center", sitting=sitting, candidate=cand, name=f"考生{cand[-5:]}",
                                                masked_id="410102********123X", city="zhengzhou", level="一级",
                                                commitment=True, comparison=COMPARISON_OK, evidence={},
                                                on=date(2025, 3, 10)))
            if len(batch) == 200:
                ledger.save(*batch)
                batch.clear()
        if batch:
            ledger.save(*batch)
        if release:
            ledger.release_results("exam-center", sid, on=D)
        return sid
    finally:
        ledger.close()


def score_rows(n: int) -> list[list[str]]:
    return [[c, "合格" if i % 3 else "不合格", f"综合={60 + i % 40}；实务={50 + i % 50}"] for i, c in enumerate(candidates(n))]


def write_csv(path: Path, headers: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(headers)
        writer.writerows(rows)
    return path


def write_xlsx(path: Path, headers: list[str], rows: list[list[str]]) -> Path:
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("成绩")
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def cli_args(db_url: str, keys_dir: Path, *args: str) -> list[str]:
    return ["--db", db_url, "--keys", str(keys_dir), *args]


def run_cli(db_url: str, keys_dir: Path, *args: str):
    result = CliRunner().invoke(cli, cli_args(db_url, keys_dir, *args), env={"CERTLEDGER_KEY_PASSPHRASE": PASSPHRASE.decode()})
    assert "Traceback" not in result.output, result.output
    return result


def import_scores(db_url: str, keys_dir: Path, path: Path, *extra: str):
    return run_cli(db_url, keys_dir, "import", "scores", str(path), "--sitting", SITTING, "--as", "exam-center",
                   "--on", D.isoformat(), *extra)


def scores_state(db_url: str, sid: UUID, n: int) -> dict[str, tuple]:
    """Each candidacy's released result as the ledger holds it (what the registers show)."""
    ledger = Ledger(parse_database_url(db_url), verify_on_read=False, read_only=True)
    try:
        state = {}
        for cand in candidates(n):
            c = ledger.candidacy(candidacy_id(sid, cand))
            state[cand] = (getattr(c, "passed", None), getattr(c, "scored_on", None), tuple(getattr(c, "scores", ()) or ()))
        return state
    finally:
        ledger.close()


def event_count(db_url: str) -> int:
    ledger = Ledger(parse_database_url(db_url), verify_on_read=False, read_only=True)
    try:
        return ledger.rows.count()
    finally:
        ledger.close()


def assert_scores_imported(db_url: str, sid: UUID, n: int) -> None:
    """Every candidate's result as score_rows gives it, recorded once; the ledger verifies."""
    expected = {c: (r == "合格", D, tuple(tuple(p.split("=")) for p in s.split("；"))) for c, r, s in score_rows(n)}
    assert scores_state(db_url, sid, n) == expected
    assert_verifies(db_url)


def second_database(db_url: str, tmp_path: Path) -> str:
    """A second fresh database of the same backend as ``db_url``."""
    if "://" not in db_url:
        return str(tmp_path / "one-by-one.db")
    import psycopg

    admin, name = db_url.rsplit("/", 1)
    other = f"{name}_b"
    with psycopg.connect(f"{admin}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{other}"')
    return f"{admin}/{other}"


def drop_database(url: str) -> None:
    if "://" in url:
        import psycopg

        admin, name = url.rsplit("/", 1)
        with psycopg.connect(f"{admin}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_import_equals_recording_one_by_one(db_url: str, tmp_path: Path, fmt: str) -> None:
    n = IMPORT_ROWS
    sid = make_ledger(db_url, tmp_path / "keys", n)
    rows = score_rows(n)
    write = write_csv if fmt == "csv" else write_xlsx
    path = write(tmp_path / f"成绩.{fmt}", HEADERS_ZH, rows)
    before = event_count(db_url)
    started = time.monotonic()
    result = import_scores(db_url, tmp_path / "keys", path)
    seconds = time.monotonic() - started
    assert result.exit_code == 0, result.output
    assert f"{n} recorded, 0 already recorded, 0 refused" in result.stdout
    assert event_count(db_url) == before + n
    print(f"\nimport {n:,} {fmt} rows on {'postgres' if '://' in db_url else 'sqlite'}: {seconds:.1f} s, {n / seconds:,.0f} rows/s")

    # The same acts recorded one by one, through the service every hand-typed act uses.
    other = second_database(db_url, tmp_path)
    try:
        make_ledger(other, tmp_path / "keys-b", n)
        ledger = Ledger(parse_database_url(other), Wallet(KeyStore(tmp_path / "keys-b", lambda: PASSPHRASE, kdf_rounds=TEST_KDF_ROUNDS)))
        try:
            for cand, result_text, scores in rows:
                pairs = dict(p.split("=") for p in scores.split("；"))
                ledger.release_score("exam-center", candidacy_id(sid, cand), result_text == "合格", pairs, on=D)
        finally:
            ledger.close()
        assert scores_state(db_url, sid, n) == scores_state(other, sid, n)
        assert event_count(db_url) == event_count(other)
    finally:
        drop_database(other)
    assert_verifies(db_url)

    # Idempotent: the same file again records nothing.
    again = import_scores(db_url, tmp_path / "keys", path)
    assert again.exit_code == 0, again.output
    assert f"0 recorded, {n} already recorded, 0 refused" in again.stdout
    assert event_count(db_url) == before + n


def test_bad_rows_are_reported_and_nothing_is_written(db_url: str, tmp_path: Path) -> None:
    n = 20
    make_ledger(db_url, tmp_path / "keys", n)
    rows = score_rows(n)
    rows[2] = [rows[2][0], "也许", rows[2][2]]  # not a result
    rows[4] = ["cand.99999", "合格", "综合=70"]  # not registered
    rows[6] = [rows[5][0], "合格", "综合=70"]  # the same candidate twice
    rows[8] = [rows[8][0], "合格", "综合"]  # a score without a value
    rows[10] = [rows[10][0], "", "综合=70"]  # an empty required cell
    path = write_csv(tmp_path / "scores.csv", HEADERS_ZH, rows)
    before = event_count(db_url)
    result = import_scores(db_url, tmp_path / "keys", path)
    assert result.exit_code == 2, result.output
    assert "5 of 20 rows refused" in result.stderr and "nothing was recorded" in result.stderr
    assert event_count(db_url) == before
    with (tmp_path / "scores.csv.refused.csv").open(encoding="utf-8") as f:
        refused = list(csv.reader(f))
    assert refused[0][0] == "row 行号"
    assert [r[0] for r in refused[1:]] == ["4", "6", "8", "10", "12"]
    assert refused[3][2] == "candidate" and "row 7" in refused[3][4]
    assert refused[1][1].startswith("sha256:") and refused[1][1].endswith("#4")

    # A date before results release is refused by the domain rule (L-1), with its rule id.
    good = write_csv(tmp_path / "good.csv", HEADERS_ZH, score_rows(n))
    early = run_cli(db_url, tmp_path / "keys", "import", "scores", str(good), "--sitting", SITTING,
                    "--as", "exam-center", "--on", "2025-06-01")
    assert early.exit_code == 2 and event_count(db_url) == before
    assert "L-1" in (tmp_path / "good.csv.refused.csv").read_text(encoding="utf-8")
    # The wrong party: L-1 names exam-center.
    wrong = run_cli(db_url, tmp_path / "keys", "import", "scores", str(good), "--sitting", SITTING,
                    "--as", "hrss", "--on", D.isoformat())
    assert wrong.exit_code == 2 and event_count(db_url) == before

    # A missing column, an unknown column: the file as a whole is refused.
    missing = write_csv(tmp_path / "missing.csv", ["考生编号", "成绩"], [[r[0], r[2]] for r in score_rows(n)])
    result = import_scores(db_url, tmp_path / "keys", missing)
    assert result.exit_code == 2 and "no column passed" in result.stderr
    unknown = write_csv(tmp_path / "unknown.csv", [*HEADERS_ZH, "备注x"], [[*r, ""] for r in score_rows(n)])
    result = import_scores(db_url, tmp_path / "keys", unknown)
    assert result.exit_code == 2 and "备注x" in result.stderr
    assert event_count(db_url) == before

    # --accept-valid records the good rows only.
    result = import_scores(db_url, tmp_path / "keys", path, "--accept-valid")
    assert result.exit_code == 0, result.output
    assert "15 recorded, 0 already recorded, 5 refused" in result.stdout
    assert event_count(db_url) == before + 15
    assert_verifies(db_url)


def _importer(db_url: str, keys_dir: Path, path: Path) -> subprocess.Popen:
    env = {**os.environ, "CERTLEDGER_KEY_PASSPHRASE": PASSPHRASE.decode()}
    return subprocess.Popen(
        [sys.executable, "-c", "from certledger.cli import run; run()",
         *cli_args(db_url, str(keys_dir), "import", "scores", str(path), "--sitting", SITTING,
                   "--as", "exam-center", "--on", D.isoformat())],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def test_killed_importer_rerun_gives_the_same_ledger(db_url: str, tmp_path: Path) -> None:
    n = KILL_ROWS
    sid = make_ledger(db_url, tmp_path / "keys", n)
    base = event_count(db_url)
    path = write_csv(tmp_path / "scores.csv", HEADERS_ZH, score_rows(n))
    rng = random.Random(7)
    kills = 0
    for _ in range(3):
        process = _importer(db_url, tmp_path / "keys", path)
        time.sleep(rng.uniform(0.5, 4.0))
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            kills += 1
        process.wait(timeout=120)
        written = event_count(db_url) - base
        assert written % 200 == 0 or written == n, written  # whole transactions only
    final = _importer(db_url, tmp_path / "keys", path)
    out, err = final.communicate(timeout=300)
    assert final.returncode == 0, err
    assert event_count(db_url) == base + n
    assert_scores_imported(db_url, sid, n)
    print(f"\n{kills} importers killed with SIGKILL; the re-run recorded the rest")


def test_two_importers_at_once_lose_and_duplicate_nothing(db_url: str, tmp_path: Path) -> None:
    n = KILL_ROWS
    sid = make_ledger(db_url, tmp_path / "keys", n)
    base = event_count(db_url)
    path = write_csv(tmp_path / "scores.csv", HEADERS_ZH, score_rows(n))
    first, second = _importer(db_url, tmp_path / "keys", path), _importer(db_url, tmp_path / "keys", path)
    results = [p.communicate(timeout=600) + (p.returncode,) for p in (first, second)]
    for out, err, code in results:
        assert code == 0, err
    recorded = sum(int(out.split()[0]) for out, _, _ in results)
    assert recorded == n, [r[0] for r in results]
    print("\n" + " | ".join(out.strip() for out, _, _ in results))
    assert event_count(db_url) == base + n
    assert_scores_imported(db_url, sid, n)


def test_unreadable_files_and_kinds_not_yet_recorded_are_refused(db_url: str, tmp_path: Path) -> None:
    make_ledger(db_url, tmp_path / "keys", 3)
    before = event_count(db_url)
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a workbook")
    text = tmp_path / "scores.txt"
    text.write_text("考生编号,考试结果\ncand.00001,合格\n", encoding="utf-8")
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    registrations = write_csv(tmp_path / "报名.csv", ["考生编号", "姓名", "证件号码", "报考级别", "报考地市"],
                              [["cand.00009", "张伟", "410102********123X", "一级", "zhengzhou"]])
    for path, message in [(broken, "not a readable .xlsx"), (text, "reads .csv or .xlsx"), (empty, "is empty"),
                          (tmp_path / "absent.csv", "cannot read")]:
        result = import_scores(db_url, tmp_path / "keys", path)
        assert result.exit_code == 2, result.output
        assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr
    # a registration list is signed by exam-center's registration system, not by a unit that is not it.
    result = run_cli(db_url, tmp_path / "keys", "import", "registrations", str(registrations), "--sitting", SITTING,
                     "--as", "hrss", "--on", "2025-03-10")
    assert result.exit_code == 2 and "R-2" in (tmp_path / "报名.csv.refused.csv").read_text(encoding="utf-8"), result.output
    result = import_scores(db_url, tmp_path / "keys", write_csv(tmp_path / "s.csv", HEADERS_ZH, score_rows(3)),
                           ).exit_code
    assert result == 0
    bad_sitting = run_cli(db_url, tmp_path / "keys", "import", "scores", str(tmp_path / "s.csv"), "--sitting", "jianzaoshi-1:2031",
                          "--as", "exam-center", "--on", D.isoformat())
    assert bad_sitting.exit_code == 2 and "no sitting" in bad_sitting.stderr
    assert event_count(db_url) == before + 3


def test_handovers_and_verifications_follow_the_scores(db_url: str, tmp_path: Path) -> None:
    n = 12
    sid = make_ledger(db_url, tmp_path / "keys", n)
    assert import_scores(db_url, tmp_path / "keys", write_csv(tmp_path / "s.csv", HEADERS_ZH, score_rows(n))).exit_code == 0
    passed = [r[0] for r in score_rows(n) if r[1] == "合格"]
    failed = [r[0] for r in score_rows(n) if r[1] != "合格"]
    keys = tmp_path / "keys"
    # a candidate who did not pass is not handed over; the whole file is refused.
    mixed = write_csv(tmp_path / "移交.csv", ["考生编号"], [[c] for c in passed + failed[:1]])
    result = run_cli(db_url, keys, "import", "handovers", str(mixed), "--sitting", SITTING, "--as", "hrss", "--on", "2025-06-15")
    assert result.exit_code == 2 and "R-3" in (tmp_path / "移交.csv.refused.csv").read_text(encoding="utf-8")
    handovers = write_csv(tmp_path / "handovers.csv", ["candidate"], [[c] for c in passed])
    result = run_cli(db_url, keys, "import", "handovers", str(handovers), "--sitting", SITTING, "--as", "hrss", "--on", "2025-06-15")
    assert result.exit_code == 0 and f"{len(passed)} recorded" in result.stdout, result.output
    rows = [[c, "合格" if i else "不合格", "" if i else "education"] for i, c in enumerate(passed)]
    results = write_xlsx(tmp_path / "核查结果.xlsx", ["考生编号", "核查结果", "不合格原因"], rows)
    args = ("import", "verifications", str(results), "--sitting", SITTING, "--on", "2025-06-20", "--json")
    wrong = run_cli(db_url, keys, *args, "--as", "dept.zhujian.luoyang")  # not this exam's unit
    assert wrong.exit_code == 2
    result = run_cli(db_url, keys, *args, "--as", "dept.zhujian.henan")
    assert result.exit_code == 0, result.output
    import orjson

    assert orjson.loads(result.stdout)["recorded"] == len(passed)
    ledger = Ledger(parse_database_url(db_url), verify_on_read=False, read_only=True)
    try:
        first = ledger.candidacy(candidacy_id(sid, passed[0]))
        assert first.first_result.value == "不合格" and first.first_condition == "education"
        # Each imported act names its file and row (the header is row 1); registration,
        # typed through the writer in make_ledger, names none.
        sources = {type(e).__name__: e.source for e in ledger.events.get(candidacy_id(sid, passed[0]))
                   if hasattr(e, "source")}
        assert sources == {
            "Registered": None,
            "ScoreReleased": f"sha256:{sha256((tmp_path / 's.csv').read_bytes()).hexdigest()}#{2 + candidates(n).index(passed[0])}",
            "HandedOver": f"sha256:{sha256(handovers.read_bytes()).hexdigest()}#2",
            "VerificationRecorded": f"sha256:{sha256(results.read_bytes()).hexdigest()}#2",
        }
    finally:
        ledger.close()
    assert_verifies(db_url)


def test_events_written_before_source_ids_read_as_typed_by_hand() -> None:
    """Version 1 of an imported act's event has no source: it upcasts to ``source=None``,
    so ledgers written before still read and replay."""
    from certledger.events.envelope import Opened
    from certledger.events.mapper import domain_event

    payload = {"actor": "hrss", "to": "dept.zhujian.henan", "on": "2025-06-15", "exception": None,
               "timestamp": "2025-06-15T10:00:00+08:00"}
    opened = Opened(b"", b"", "", "", 2, "certledger.domain.candidacy:Candidacy.HandedOver", "", "", payload)
    event = domain_event(opened, UUID(int=1), 2)
    assert event.source is None and event.to == "dept.zhujian.henan"
    with pytest.raises(Exception, match="source id"):
        from certledger.domain.source import check_source

        check_source("row 2 of scores.csv")


def test_an_importer_that_loses_the_race_checks_again_and_writes_nothing_twice(db_url: str, tmp_path: Path) -> None:
    """Two writers on one database, deterministically interleaved: both check every row, then
    the first writes; the second's first save is refused by the store's (stream, version)
    uniqueness, it checks its rows again against what is stored now, and records only the
    rows the first did not have."""
    from certledger.domain.import_rows import import_kind
    from certledger.events.importing import Importer, read_table

    n = 450
    sid = make_ledger(db_url, tmp_path / "keys", n)
    base = event_count(db_url)
    everything = write_csv(tmp_path / "all.csv", HEADERS_ZH, score_rows(n))
    part = write_csv(tmp_path / "part.csv", HEADERS_ZH, score_rows(n)[:300])
    store = KeyStore(tmp_path / "keys", lambda: PASSPHRASE, kdf_rounds=TEST_KDF_ROUNDS)
    one, two = (Ledger(parse_database_url(db_url), Wallet(store)) for _ in range(2))
    try:
        first = Importer(one, import_kind("scores"), sid, "exam-center", D)
        second = Importer(two, import_kind("scores"), sid, "exam-center", D)
        first_outcome, first_pending = first.check(read_table(part))
        second_outcome, second_pending = second.check(read_table(everything))
        assert len(first_pending) == 300 and len(second_pending) == n
        first.write(first_outcome, first_pending)
        second.write(second_outcome, second_pending)
        assert first_outcome.recorded == 300
        assert second_outcome.recorded == n - 300 and second_outcome.already == 300, second_outcome
        assert second_outcome.refused == []
    finally:
        one.close()
        two.close()
    assert event_count(db_url) == base + n
    assert_scores_imported(db_url, sid, n)


def test_a_refusal_report_that_cannot_be_written_is_one_error_line(db_url: str, tmp_path: Path) -> None:
    make_ledger(db_url, tmp_path / "keys", 3)
    before = event_count(db_url)
    bad = write_csv(tmp_path / "bad.csv", HEADERS_ZH, [["cand.00001", "也许", ""]])
    result = import_scores(db_url, tmp_path / "keys", bad, "--refused", str(tmp_path / "no-such-dir" / "r.csv"))
    assert result.exit_code == 2, result.output
    assert "cannot be written" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert event_count(db_url) == before



def test_registrations_from_a_chinese_spreadsheet(db_url: str, tmp_path: Path) -> None:
    """R-2 by import: exam-center's registration list, Chinese headers; bad cities, levels and
    duplicates refused with nothing written; then the list, and a re-run records nothing."""
    make_ledger(db_url, tmp_path / "keys", 2, release=False)  # registration closes with the exam
    headers = ["考生编号", "姓名", "证件号码", "报考级别", "报考地市", "学历", "专业", "工作年限", "承诺"]
    good = [[f"cand.{i:05d}", f"考生{i}", "410102********123X", "一级", "luoyang", "passed", "passed", "passed", "是"]
            for i in range(10, 60)]
    bad = [*good, ["cand.00070", "王五", "410102********123X", "一级", "atlantis", "", "", "", ""],
           ["cand.00071", "赵六", "410102********123X", "三级", "zhengzhou", "", "", "", ""], good[0]]
    keys = tmp_path / "keys"
    args = ("--sitting", SITTING, "--as", "exam-center", "--on", "2025-03-11")
    before = event_count(db_url)
    result = run_cli(db_url, keys, "import", "registrations", str(write_xlsx(tmp_path / "bad.xlsx", headers, bad)), *args)
    assert result.exit_code == 2 and "3 of 53 rows refused" in result.stderr, result.output
    refused = (tmp_path / "bad.xlsx.refused.csv").read_text(encoding="utf-8")
    assert [line.split(",")[0] for line in refused.splitlines()[1:]] == ["52", "53", "54"], refused
    assert event_count(db_url) == before
    path = write_csv(tmp_path / "报名.csv", headers, good)
    result = run_cli(db_url, keys, "import", "registrations", str(path), *args)
    assert result.exit_code == 0 and "50 recorded" in result.stdout, result.output
    again = run_cli(db_url, keys, "import", "registrations", str(path), *args)
    assert again.exit_code == 0 and "0 recorded, 50 already recorded" in again.stdout, again.output
    assert event_count(db_url) == before + 50
    assert_verifies(db_url)
    # Issue 20.7: a registered candidate's row again, with a field or the date changed, is a
    # refusal that names the row and the fields (it was a TypeError); nothing recorded.
    changed = [[*good[0][:1], "改名", *good[0][2:4], "zhengzhou", *good[0][5:]], good[1]]
    for rows, extra, fields in ((changed, (), "name, city"), ([good[1]], ("--on", "2025-03-12"), "on")):
        path = write_csv(tmp_path / "改.csv", headers, rows)
        result = run_cli(db_url, keys, "import", "registrations", str(path), *args[:-2], "--on", "2025-03-11", *extra)
        assert result.exit_code == 2 and "Traceback" not in result.output and "TypeError" not in result.output, result.output
        report = (tmp_path / "改.csv.refused.csv").read_text(encoding="utf-8")
        assert "registered already" in report and f"differs in {fields}" in report and "R-2" in report, report
        assert event_count(db_url) == before + 50
    assert_verifies(db_url)


def test_registrations_with_uploaded_evidence(db_url: str, tmp_path: Path) -> None:
    """R-2: a failed online comparison needs evidence; the 证明材料 column carries it. A row
    without it, or with a malformed cell, is refused with nothing written."""
    sid = make_ledger(db_url, tmp_path / "keys", 0, release=False)
    headers = ["考生编号", "姓名", "证件号码", "报考级别", "报考地市", "专业", "证明材料"]
    ok = ["cand.00001", "张三", "410102********123X", "一级", "luoyang", "failed", "major=upload:sha256:ab12,upload:sha256:cd34"]
    missing = ["cand.00002", "李四", "410102********456X", "一级", "luoyang", "failed", ""]
    malformed = ["cand.00003", "王五", "410102********789X", "一级", "luoyang", "failed", "major：upload"]
    keys, args = tmp_path / "keys", ("--sitting", SITTING, "--as", "exam-center", "--on", "2025-03-11")
    before = event_count(db_url)
    result = run_cli(db_url, keys, "import", "registrations", str(write_csv(tmp_path / "r.csv", headers, [ok, missing, malformed])), *args)
    assert result.exit_code == 2, result.output
    refused = (tmp_path / "r.csv.refused.csv").read_text(encoding="utf-8").splitlines()[1:]
    assert [line.split(",")[0] for line in refused] == ["3", "4"], refused
    assert "R-2" in refused[0] and "evidence" in refused[0] and "ITEM=REFERENCE" in refused[1], refused
    assert event_count(db_url) == before
    result = run_cli(db_url, keys, "import", "registrations", str(write_csv(tmp_path / "ok.csv", headers, [ok])), *args)
    assert result.exit_code == 0 and "1 recorded" in result.stdout, result.output
    ledger = Ledger(parse_database_url(db_url), verify_on_read=False, read_only=True)
    try:
        c = ledger.candidacy(candidacy_id(sid, "cand.00001"))
        assert dict(c.evidence) == {"major": ("upload:sha256:ab12", "upload:sha256:cd34")}
        assert dict(c.comparison)["major"] == "failed"
    finally:
        ledger.close()
    assert_verifies(db_url)


def test_an_importer_that_keeps_losing_the_race_says_what_was_and_was_not_written(db_url: str, tmp_path: Path) -> None:
    """Before each of its saves after the first, a second writer really records one of the
    rows being saved; after the fifth conflict in a row the importer gives up and says which
    rows were written (the earlier chunk) and which not."""
    from certledger.domain.import_rows import import_kind
    from certledger.events.importing import ROWS_PER_SAVE, Importer, read_table
    from certledger.events.ledger import ConflictError

    n = ROWS_PER_SAVE + 20
    sid = make_ledger(db_url, tmp_path / "keys", n)
    rows = score_rows(n)
    table = write_csv(tmp_path / "all.csv", HEADERS_ZH, rows)
    store = KeyStore(tmp_path / "keys", lambda: PASSPHRASE, kdf_rounds=TEST_KDF_ROUNDS)
    one, two = (Ledger(parse_database_url(db_url), Wallet(store)) for _ in range(2))
    rival = Importer(two, import_kind("scores"), sid, "exam-center", D)
    saves = one.save
    calls = {"n": 0}

    def racing_save(*aggregates):
        calls["n"] += 1
        if calls["n"] > 1:  # the rival records the first row of this save first
            number = next(i for i, r in enumerate(rows, 1) if r[0] == aggregates[0].candidate)
            single = write_csv(tmp_path / f"one-{calls['n']}.csv", HEADERS_ZH, [rows[number - 1]])
            outcome, pending = rival.check(read_table(single))
            rival.write(outcome, pending)
        return saves(*aggregates)

    one.save = racing_save  # type: ignore[method-assign]
    try:
        importer = Importer(one, import_kind("scores"), sid, "exam-center", D)
        outcome, pending = importer.check(read_table(table))
        with pytest.raises(ConflictError) as refused:
            importer.write(outcome, pending)
    finally:
        one.close()
        two.close()
    message = str(refused.value)
    assert "5 times in a row" in message and f"{ROWS_PER_SAVE:,} row(s) before them were" in message
    assert "nothing was written" not in message and "those rows were not written" in message


def test_a_big_table_is_checked_with_worker_processes_and_a_forged_event_still_refuses(
        db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """From PARALLEL_FROM rows on, the read-ahead's signatures are checked by real worker
    processes: every row goes through them, the import records the same, and a registration
    forged in the database stops it (exit 1) before anything is written."""
    from certledger.cli import import_cmd
    from certledger.events.checks import SignatureWorkers

    n = 600
    sid = make_ledger(db_url, tmp_path / "keys", n)
    path = write_csv(tmp_path / "成绩.csv", HEADERS_ZH, score_rows(n))
    monkeypatch.setattr(import_cmd, "PARALLEL_FROM", 100)
    monkeypatch.setattr(SignatureWorkers, "CHUNK", 73)
    checked: list[int] = []
    decoded = SignatureWorkers.decoded
    monkeypatch.setattr(SignatureWorkers, "decoded",
                        lambda self, mapper, stored: checked.append(len(stored)) or decoded(self, mapper, stored))

    ledger = Ledger(parse_database_url(db_url), verify_on_read=False)
    try:
        victim = candidacy_id(sid, candidates(n)[n // 2])
        row = ledger.rows.read(victim, 1)
        ledger.rows.write_state(victim, 1, bytes(row.state).replace(b'"level":"', b'"level":"X', 1))
        before = ledger.rows.count()
    finally:
        ledger.close()
    forged = import_scores(db_url, tmp_path / "keys", path)
    assert forged.exit_code == 1 and str(victim) in forged.stderr and "Traceback" not in forged.output
    assert event_count(db_url) == before and sum(checked) > 0
    ledger = Ledger(parse_database_url(db_url), verify_on_read=False)
    try:
        ledger.rows.write_state(victim, 1, bytes(row.state))  # put back as it was signed
    finally:
        ledger.close()
    checked.clear()
    result = import_scores(db_url, tmp_path / "keys", path)
    assert result.exit_code == 0, result.output
    assert f"{n} recorded, 0 already recorded, 0 refused" in result.stdout
    assert sum(checked) == n  # each candidacy's one recorded event, through the workers
    assert_scores_imported(db_url, sid, n)
