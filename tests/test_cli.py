"""The CLI in-process, as a user runs it: data on stdout, one-line errors, exit codes."""

from __future__ import annotations

import functools
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner, Result

from certledger.cli import session as session_module
from certledger.cli.main import cli
from certledger.events.ledger import Ledger
from certledger.events.storage import parse_database_url
from certledger.signing.keystore import KeyStore
from tests.helpers import TEST_KDF_ROUNDS

PASS = "cli test passphrase"


@pytest.fixture
def run(db_url: str, tmp_path: Path):
    runner = CliRunner()
    keys_dir = tmp_path / "keys"

    def invoke(*args: str, passphrase: str | None = PASS) -> Result:
        env = {"CERTLEDGER_KEY_PASSPHRASE": passphrase} if passphrase else {"CERTLEDGER_KEY_PASSPHRASE": ""}
        result = runner.invoke(cli, ["--db", db_url, "--keys", str(keys_dir), *args], env=env)
        assert "Traceback" not in result.output, result.output
        if result.exception is not None:
            assert isinstance(result.exception, SystemExit), repr(result.exception)
        return result

    return invoke


def count(db_url: str) -> int:
    ledger = Ledger(parse_database_url(db_url), verify_on_read=False)
    try:
        return ledger.rows.count()
    finally:
        ledger.close()


def test_init_add_rotate_revoke_list_verify(run, db_url: str) -> None:
    init = run("init")
    assert init.exit_code == 0, init.output
    root = init.stdout.strip().splitlines()[-1]
    assert root.startswith("ed25519:")
    assert run("parties", "add", "dept.zhujian.henan", "--name", "河南省住房和城乡建设厅", "--kind", "department").exit_code == 0
    first = run("keys", "add", "--party", "dept.zhujian.henan").stdout.strip()
    second = run("keys", "rotate", "--party", "dept.zhujian.henan").stdout.strip()
    assert run("keys", "revoke", second, "--reason", "lost laptop").exit_code == 0

    listed = orjson.loads(run("keys", "list", "--json").stdout)
    status = {row["key_id"]: row["status"] for row in listed}
    assert status == {root: "valid", first: "revoked", second: "revoked"}
    table = run("keys", "list", "--party", "dept.zhujian.henan").stdout
    assert first in table and "revoked" in table

    parties = orjson.loads(run("parties", "list", "--json").stdout)
    assert [p["party"] for p in parties] == ["hrss", "dept.zhujian.henan"]

    verified = run("verify", "--json", "--root-key", root)
    assert verified.exit_code == 0, verified.output
    report = orjson.loads(verified.stdout)["report"]
    assert report["ok"] and report["events"] == 6 and report["revoked_keys"] == 2


def test_user_errors_exit_2_with_one_clear_line_and_record_nothing(run, db_url: str) -> None:
    assert run("init").exit_code == 0
    before = count(db_url)
    cases = [
        (("init",), "already holds a ledger"),
        (("keys", "add", "--party", "nobody"), "party 'nobody' is not registered"),
        (("keys", "revoke", "ed25519:00", "--reason", "x"), "key ed25519:00 is not registered"),
        (("keys", "add", "--party", "hrss", "--valid-from", "next week"), "is not an ISO 8601 date-time"),
        (("parties", "add", "Bad Id", "--name", "x", "--kind", "department"), "party id 'Bad Id' must be"),
        (("parties", "add", "x", "--name", "x", "--kind", "ministry"), "unknown party kind 'ministry'"),
        (("keys", "add", "--party", "hrss", "--valid-from", "2020-01-01"), "T-3:"),
    ]
    for args, message in cases:
        result = run(*args)
        assert result.exit_code == 2, (args, result.output)
        assert "certledger: error: " in result.stderr and message in result.stderr, (args, result.stderr)
    assert count(db_url) == before


def test_a_key_that_may_not_sign_is_refused_with_its_rule(run, db_url: str) -> None:
    assert run("init").exit_code == 0
    run("parties", "add", "exam-center", "--name", "河南省人事考试中心", "--kind", "exam-center")
    center_key = run("keys", "add", "--party", "exam-center").stdout.strip()
    before = count(db_url)
    result = run("--key", center_key, "parties", "add", "x", "--name", "X", "--kind", "postal")
    assert result.exit_code == 2
    assert "T-4:" in result.stderr and "belongs to 'exam-center', not to 'hrss'" in result.stderr
    assert count(db_url) == before


def test_missing_passphrase_without_a_terminal_is_a_clear_error(run, db_url: str) -> None:
    result = run("init", passphrase=None)
    assert result.exit_code == 2
    assert "set CERTLEDGER_KEY_PASSPHRASE" in result.stderr


def test_verify_fails_with_exit_1_naming_the_tampered_event(run, db_url: str) -> None:
    assert run("init").exit_code == 0
    run("parties", "add", "exam-center", "--name", "河南省人事考试中心", "--kind", "exam-center")
    ledger = Ledger(parse_database_url(db_url), verify_on_read=False)
    registry_id = ledger.registry().id
    row = ledger.rows.read(registry_id, 2)
    ledger.rows.write_state(registry_id, 2, row.state.replace("人事".encode(), "人士".encode()))
    ledger.close()

    result = run("verify")
    assert result.exit_code == 1
    assert f"BAD notification {row.notification_id}: stream {registry_id} version 2" in result.stdout
    assert "signature does not verify" in result.stdout and result.stdout.rstrip().splitlines()[-1].startswith("FAIL")
    as_json = orjson.loads(run("verify", "--all", "--json").stdout)
    assert as_json["report"]["ok"] is False
    assert [(f["version"], f["notification_id"]) for f in as_json["findings"]] == [(2, row.notification_id)]
    # Ordinary commands refuse to act on a ledger whose registry does not verify.
    refused = run("keys", "list")
    assert refused.exit_code == 1 and "signature does not verify" in refused.stderr


def test_commands_on_a_missing_sqlite_file_create_nothing(tmp_path: Path) -> None:
    missing = tmp_path / "nope.db"
    result = CliRunner().invoke(cli, ["--db", str(missing), "keys", "list"])
    assert result.exit_code == 2 and "no ledger at" in result.stderr
    assert not missing.exists()


def test_bad_database_url_is_named(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["--db", "mysql://x/y", "verify"])
    assert result.exit_code == 2 and "database URL 'mysql://x/y'" in result.stderr


def test_demo_runs_the_whole_lifecycle_and_verifies(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    result = runner.invoke(cli, ["demo", "--reset", "--candidates", "40"], env={"CERTLEDGER_KEY_PASSPHRASE": ""})
    assert result.exit_code == 0, result.output
    summary = [line for line in result.stdout.splitlines() if line.startswith("OK: ")]
    assert summary and " 0 bad;" in summary[0], result.stdout
    for rule in ("R-6:", "R-8:", "R-11:", "R-13:", "R-17:", "T-4:"):
        assert f"refused: {rule}" in result.stderr or f"refused to sign for 'hrss': {rule}" in result.stderr, rule
    assert "each named its rule and recorded nothing" in result.stderr
    assert (tmp_path / "certledger.db").exists()
    again = runner.invoke(cli, ["verify", "--json"])
    events = orjson.loads(again.stdout)["report"]["events"]
    assert again.exit_code == 0 and str(events) in summary[0]
    assert runner.invoke(cli, ["demo"]).exit_code == 2  # does not overwrite without --reset


def test_parties_seed_registers_every_unit_of_the_table_once(run, db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # 275 new keys: written at the tests' low KDF cost, explicitly (the CLI's default is
    # full strength, ~0.1-0.3 s a key; tests/test_cli_keys.py checks it).
    monkeypatch.setattr(session_module, "KeyStore", functools.partial(KeyStore, kdf_rounds=TEST_KDF_ROUNDS))
    assert run("init").exit_code == 0
    assert run("parties", "add", "exam-center", "--name", "河南省人事考试中心", "--kind", "exam-center").exit_code == 0
    seeded = run("parties", "seed", "--json")
    assert seeded.exit_code == 0, seeded.output
    rows = orjson.loads(seeded.stdout)
    parties = {row["party"]: row for row in rows}
    assert "exam-center" not in parties  # registered before: left alone
    assert parties["dept.zhujian.jiyuan"]["name"] == "济源示范区住房和城乡建设局"
    assert parties["dept.tongxin.henan"]["name"] == "河南省通信管理局"
    assert "dept.tongxin.zhengzhou" not in parties  # 省 only: no municipal unit
    assert parties["national.dept.weijian"]["kind"] == "national-department"
    assert len(rows) == 275
    again = run("parties", "seed", "--json")
    assert again.exit_code == 0 and orjson.loads(again.stdout) == []
