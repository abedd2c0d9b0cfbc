"""The CLI in-process, as a user runs it: data on stdout, one-line errors, exit codes."""

from __future__ import annotations

import functools
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner, Result
from eventsourcing.persistence import OperationalError

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
    assert "signature does not verify" in result.stdout
    assert [line for line in result.stdout.splitlines() if line.startswith("FAIL: ")] == ["FAIL: 2 events (stopped at the first bad one; --all for every one), 1 bad"]
    assert f"ledger id:        {ledger.ledger_id}" in result.stdout
    as_json = orjson.loads(run("verify", "--all", "--json").stdout)
    assert as_json["report"]["ok"] is False
    assert [(f["version"], f["notification_id"]) for f in as_json["findings"]] == [(2, row.notification_id)]
    # Ordinary commands refuse to act on a ledger whose registry does not verify.
    refused = run("keys", "list")
    assert refused.exit_code == 1 and "signature does not verify" in refused.stderr


def test_commands_on_a_missing_sqlite_file_create_nothing(tmp_path: Path) -> None:
    missing = tmp_path / "nope.db"
    result = CliRunner().invoke(cli, ["--db", str(missing), "keys", "list"])
    assert result.exit_code == 4 and "no ledger at" in result.stderr
    assert not missing.exists()


def test_exit_codes_are_documented(tmp_path: Path) -> None:
    from certledger.cli.main import EXIT_CODES
    from certledger.domain.errors import ExitCode

    shown = CliRunner().invoke(cli, ["--help"]).stdout
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    assert set(EXIT_CODES) == set(ExitCode)
    for code, meaning in EXIT_CODES.items():
        assert f"  {int(code):<4} {meaning}" in shown
        assert f"\n| {int(code)} | " in readme


def test_a_root_key_that_is_not_a_key_id_is_bad_input(run, db_url: str) -> None:
    assert run("init").exit_code == 0
    for bad in ("abc", "ed25519:xyz", "ed25519:" + "0" * 31):
        result = run("verify", "--root-key", bad)
        assert result.exit_code == 2 and "is not a key id" in result.stderr and result.stdout == ""
    other = run("verify", "--root-key", "ed25519:" + "0" * 32)
    assert other.exit_code == 1 and "FAIL" in other.stdout


@pytest.mark.parametrize(
    ("raised", "code", "line"),
    [(KeyboardInterrupt(), 130, "certledger: interrupted: "),
     (RuntimeError("boom"), 70, "certledger: internal error: RuntimeError: boom (a bug in certledger"),
     (OperationalError("server closed the connection\nunexpectedly"), 4,
      "certledger: error: the database failed: server closed the connection unexpectedly")],
)
def test_an_interrupt_a_failing_store_or_a_bug_is_one_line_without_traceback(
    run, db_url: str, monkeypatch: pytest.MonkeyPatch, raised: BaseException, code: int, line: str
) -> None:
    assert run("init").exit_code == 0

    def fail(*args: object, **kwargs: object):
        raise raised

    monkeypatch.setattr("certledger.cli.verify.verify_ledger", fail)
    result = run("verify")
    assert result.exit_code == code and result.stderr.startswith(line), result.output
    assert len(result.stderr.strip().splitlines()) == 1


def test_bad_database_url_is_named(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["--db", "mysql://x/y", "verify"])
    assert result.exit_code == 2 and "database URL 'mysql://x/y'" in result.stderr


def files_under(root: Path) -> dict[str, tuple[bytes, int]]:
    return {str(f.relative_to(root)): (f.read_bytes(), f.stat().st_mtime_ns) for f in sorted(root.rglob("*")) if f.is_file()}


def user_ledger(root: Path) -> dict[str, str]:
    """A user's own ledger and keys, exported as the README says; returns that environment."""
    root.mkdir()
    env = {"CERTLEDGER_DB": str(root / "mine.db"), "CERTLEDGER_KEYS": str(root / "my-keys"),
           "CERTLEDGER_KEY_PASSPHRASE": PASS}
    assert CliRunner().invoke(cli, ["init"], env=env).exit_code == 0
    return env


def test_demo_runs_the_whole_lifecycle_and_verifies(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """In its own marked directory; a user's exported CERTLEDGER_DB/KEYS survive byte for byte."""
    monkeypatch.chdir(tmp_path)
    env = user_ledger(tmp_path / "user")
    users_files = files_under(tmp_path / "user")
    runner = CliRunner()
    demo_env = {**env, "CERTLEDGER_KEY_PASSPHRASE": ""}
    result = runner.invoke(cli, ["demo", "--reset", "--candidates", "40"], env=demo_env)
    assert result.exit_code == 0, result.output
    summary = [line for line in result.stdout.splitlines() if line.startswith("OK: ")]
    assert summary and summary[0].endswith(", 0 bad"), result.stdout
    assert "clock:            SIMULATED" in result.stdout
    for rule in ("R-6:", "R-8:", "R-11:", "R-13:", "R-17:", "T-4:"):
        assert f"refused: {rule}" in result.stderr or f"refused to sign for 'hrss': {rule}" in result.stderr, rule
    assert "each named its rule and recorded nothing" in result.stderr
    assert "the demo ignores CERTLEDGER_DB" in result.stderr
    assert files_under(tmp_path / "user") == users_files
    demo_db = tmp_path / "certledger-demo" / "ledger.db"
    assert demo_db.exists() and (tmp_path / "certledger-demo" / ".certledger-demo").is_file()
    assert f"certledger --db {Path('certledger-demo') / 'ledger.db'} candidate list" in result.stdout
    again = runner.invoke(cli, ["--db", str(demo_db), "verify", "--json"])
    events = orjson.loads(again.stdout)["report"]["events"]
    assert again.exit_code == 0 and str(events) in summary[0]
    kept = tmp_path / "certledger-demo" / "checkpoint.note"
    assert f"its note is in {Path('certledger-demo') / 'checkpoint.note'}" in result.stderr
    held = runner.invoke(cli, ["--db", str(demo_db), "verify", "--checkpoint", str(kept), "--json"])
    log = orjson.loads(held.stdout)["report"]["merkle_log"]
    assert held.exit_code == 0 and log["kept_checkpoint"]["ok"] is True and log["checkpoints_checked"] == 3
    assert log["cosignatures_checked"] == 1 and "— exam-center " in kept.read_text()
    before = demo_db.read_bytes()
    rerun = runner.invoke(cli, ["demo"], env=demo_env)
    assert rerun.exit_code == 2 and "--reset" in rerun.stderr  # does not overwrite without --reset
    assert demo_db.read_bytes() == before
    reset = runner.invoke(cli, ["demo", "--reset", "--candidates", "40"], env=demo_env)  # its own: reset
    assert reset.exit_code == 0 and demo_db.read_bytes() != before, reset.output
    assert files_under(tmp_path / "user") == users_files


@pytest.mark.parametrize("args", [("--dir", "user", "--reset"), ("--dir", "user"), ("--dir", "user/my-keys", "--reset")])
def test_demo_refuses_a_directory_it_did_not_create(args: tuple, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    env = user_ledger(tmp_path / "user")
    users_files = files_under(tmp_path / "user")
    result = CliRunner().invoke(cli, ["demo", *args], env=env)
    assert result.exit_code == 2 and "is not a demo directory" in result.stderr, result.output
    assert "nothing was changed" in result.stderr and "Traceback" not in result.output
    assert files_under(tmp_path / "user") == users_files and not (tmp_path / "certledger-demo").exists()


def test_demo_resets_only_its_own_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    refused = CliRunner().invoke(cli, ["--db", str(tmp_path / "x.db"), "demo", "--reset"])
    assert refused.exit_code == 2 and "--reset deletes only the demo's own ledger" in refused.stderr
    assert list(tmp_path.iterdir()) == []


def test_parties_seed_registers_every_unit_of_the_table_once(run, db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # 275 new keys: written at the tests' low KDF cost, explicitly (the CLI's default is
    # full strength, ~0.1-0.3 s a key; tests/test_cli_keys.py checks it).
    monkeypatch.setattr(session_module, "KeyStore", functools.partial(KeyStore, kdf_rounds=TEST_KDF_ROUNDS))
    assert run("init").exit_code == 0
    assert run("parties", "add", "exam-center", "--name", "河南省人事考试中心", "--kind", "exam-center").exit_code == 0
    seeded = run("parties", "seed", "--json")
    assert seeded.exit_code == 0, seeded.output
    seed = orjson.loads(seeded.stdout)
    rows = seed["result"]
    assert seed["receipts"] and {r["event"] for r in seed["receipts"]} <= {"TrustRegistry.PartyRegistered", "TrustRegistry.KeyAdded"}
    parties = {row["party"]: row for row in rows}
    assert "exam-center" not in parties  # registered before: left alone
    assert parties["dept.zhujian.jiyuan"]["name"] == "济源示范区住房和城乡建设局"
    assert parties["dept.tongxin.henan"]["name"] == "河南省通信管理局"
    assert "dept.tongxin.zhengzhou" not in parties  # 省 only: no municipal unit
    assert parties["national.dept.weijian"]["kind"] == "national-department"
    assert len(rows) == 275
    again = run("parties", "seed", "--json")
    assert again.exit_code == 0 and orjson.loads(again.stdout) == {"receipts": [], "result": []}


def test_output_into_a_closed_pipe_is_not_an_error(tmp_path: Path) -> None:
    """``certledger … | head`` is normal use: when the reader has gone, the command stops
    quietly with 141 (128 + SIGPIPE), not an internal error (70) and no traceback."""
    import shutil
    import subprocess
    import sys

    script = shutil.which("certledger") or str(Path(sys.executable).with_name("certledger"))
    process = subprocess.Popen([script, "exams", "list", "--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               cwd=tmp_path)
    process.stdout.close()  # the reader leaves before a byte is written
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=60) == 141, stderr
    assert stderr == ""
