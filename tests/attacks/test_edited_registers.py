"""Edited registers (issue 20 item 3): the registers are SQL rows nobody signs. After a plain
SQL edit of a ``reg_*`` row, the readers that answer from them say so on stderr (where the
answer comes from, and that ``--replay`` checks it), ``--replay`` shows the signed truth,
and ``verify --registers`` fails, naming the first row that differs; it leaves no scratch
tables behind."""

from __future__ import annotations

from click.testing import CliRunner, Result

from certledger.cli.main import cli
from tests.attacks.forge import Forger
from tests.lifecycle_world import LifeWorld
from tests.test_provenance_cli import PROOF, certified  # noqa: F401 - the fixture

VOIDED = "jianzaoshi-1:2025:cand.002"  # holds PROOF, void under R-12
SOURCE = "answered from registers at notification"


def run(life: LifeWorld, *args: str) -> Result:
    result = CliRunner().invoke(cli, ["--db", life.db_url, *args])
    assert "Traceback" not in result.output and result.exit_code != 70, result.output
    return result


def _tables(f: Forger) -> set[str]:
    if f.backend == "sqlite":
        return {r[0] for r in f.sql("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")}
    return {r[0] for r in f.sql("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")}


def _projected(life: LifeWorld) -> int:
    done = run(life, "project")
    assert done.exit_code == 0, done.output
    return life.count()


def test_readers_from_the_registers_say_so_and_replay_does_not(certified: LifeWorld) -> None:
    head = _projected(certified)
    for args in (("cert", "show", PROOF), ("candidate", "show", VOIDED), ("candidate", "list", "jianzaoshi-1:2025")):
        shown = run(certified, *args)
        assert shown.exit_code == 0, shown.output
        assert f"{SOURCE} {head}, not re-verified; --replay to check" in shown.stderr, (args, shown.stderr)
        assert shown.stderr.count(SOURCE) == 1
        replayed = run(certified, *args, "--replay")
        assert replayed.exit_code == 0 and SOURCE not in replayed.stderr, replayed.output


def test_verify_registers_passes_on_honest_registers_and_leaves_no_scratch_set(certified: LifeWorld) -> None:
    head = _projected(certified)
    with Forger(certified.db_url) as f:
        before = _tables(f)
    checked = run(certified, "verify", "--registers")
    assert checked.exit_code == 0, checked.output
    assert f"registers:        equal a replay of the events up to notification {head}" in checked.stdout
    with Forger(certified.db_url) as f:
        assert _tables(f) == before


def test_a_void_certificate_edited_valid_in_the_states_register(certified: LifeWorld) -> None:
    """The attack: remove the void from the candidacy's stored state with one UPDATE."""
    head = _projected(certified)
    certified.tampered = True
    with Forger(certified.db_url) as f:
        [(stream, state)] = f.sql("SELECT stream, state FROM reg_states WHERE kind = 'Candidacy' AND state LIKE ?",
                                  ["%" + PROOF + "%"])
        start = state.index(',"void_on"')
        edited = state[:start] + "}"
        f.sql("UPDATE reg_states SET state = ? WHERE stream = ?", [edited, stream])
        before = _tables(f)
    shown = run(certified, "cert", "show", PROOF)
    assert "valid 有效" in shown.stdout, shown.output  # the edit, shown as fact ...
    assert f"{SOURCE} {head}, not re-verified; --replay to check" in shown.stderr  # ... but said where it came from
    assert "作废" in run(certified, "cert", "show", PROOF, "--replay").stdout
    assert run(certified, "verify").exit_code == 0  # the events are untouched
    checked = run(certified, "verify", "--registers")
    assert checked.exit_code == 1, checked.output
    assert checked.stdout.startswith(f"BAD registers at notification {head}: register states (")
    assert f"row stream={stream}" in checked.stdout and "differs from the replay" in checked.stdout, checked.stdout
    assert "FAIL:" in checked.stdout and "rows differ from a replay" in checked.stdout
    with Forger(certified.db_url) as f:
        assert _tables(f) == before


def test_a_certificate_row_edited_and_a_row_deleted_are_named(certified: LifeWorld) -> None:
    _projected(certified)
    certified.tampered = True
    with Forger(certified.db_url) as f:
        f.sql("UPDATE reg_certificates SET status = 'valid', status_reason = NULL WHERE number = ?", [PROOF])
    checked = run(certified, "verify", "--registers", "--json")
    assert checked.exit_code == 1, checked.output
    import orjson

    registers = orjson.loads(checked.stdout)["registers"]
    assert registers["ok"] is False and registers["differences"] == 1
    assert "register certificates (" in registers["first"] and PROOF in registers["first"]
    assert "status: valid in the registers, void by replay" in registers["first"], registers["first"]
    with Forger(certified.db_url) as f:
        f.sql("DELETE FROM reg_certificates WHERE number = ?", [PROOF])
    missing = run(certified, "verify", "--registers")
    assert missing.exit_code == 1 and "is missing from the registers" in missing.stdout, missing.stdout


def test_verify_registers_without_registers_says_so(life: LifeWorld) -> None:
    life.sitting("jianzaoshi-2")
    checked = run(life, "verify", "--registers")
    assert checked.exit_code == 0, checked.output
    assert "registers:        none in this database" in checked.stdout
