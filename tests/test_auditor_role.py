"""Issue 20 item 10: the README's read-only auditor role can do every read command. The test
runs the README's own SQL (so the documentation cannot drift from what works), connects as
that role, and runs the auditor's commands; the role cannot write; with the README's one
extra grant it can ``rebuild --into`` a set of its own and ``diff`` it against ``live``.

PostgreSQL only (roles and grants): skipped on SQLite, never skipped on PostgreSQL (under
CI=true an unreachable server fails the run, conftest)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import orjson
import psycopg
import pytest
from click.testing import CliRunner, Result

from certledger.cli.main import cli
from certledger.events.checkpoints import record_checkpoint
from certledger.projections.projector import catch_up
from tests.lifecycle_world import LifeWorld

README = Path(__file__).resolve().parent.parent / "README.md"
NUMBER = "HN2025JZ2-0001"


def readme_sql(heading: str) -> list[str]:
    """The statements of the README's ```sql block whose first line is ``-- <heading>``."""
    for block in re.findall(r"```sql\n(.*?)```", README.read_text(encoding="utf-8"), re.S):
        lines = block.strip().splitlines()
        if lines and lines[0].strip().startswith(f"-- {heading}"):
            return [s.strip() for s in "\n".join(lines[1:]).split(";") if s.strip()]
    raise AssertionError(f"the README has no sql block headed '-- {heading}'")


def run(*args: str) -> Result:
    result = CliRunner().invoke(cli, list(args), env={"CERTLEDGER_KEY_PASSPHRASE": "x"})
    assert "Traceback" not in result.output, result.output
    if result.exception is not None:
        assert isinstance(result.exception, SystemExit), repr(result.exception)
    return result


@pytest.fixture
def audited(life: LifeWorld, tmp_path: Path) -> Iterator[tuple[LifeWorld, str, str]]:
    """A ledger with an e-certificate, a checkpoint and live registers, and the README's
    auditor role on it: (world, the auditor's URL, the role's name)."""
    if not life.db_url.startswith("postgresql://"):
        pytest.skip("PostgreSQL only: roles and grants")
    sid = life.sitting("jianzaoshi-2")
    one, two = life.qualified(sid, ["cand.001", "cand.002"], exam_code="jianzaoshi-2")
    life.ledger.issue_e_certificate("hrss", one, NUMBER, on=date(2025, 7, 20))
    record_checkpoint(life.ledger)
    life.ledger.issue_e_certificate("hrss", two, "HN2025JZ2-0002", on=date(2025, 7, 20))
    record_checkpoint(life.ledger)
    catch_up(life.ledger)
    role = f"auditor_{uuid.uuid4().hex[:12]}"
    dbname = life.db_url.rsplit("/", 1)[1]
    with psycopg.connect(life.db_url, autocommit=True) as conn:
        owner = conn.execute("SELECT current_user").fetchone()[0]
        for statement in readme_sql("auditor: every read command"):
            conn.execute(statement.replace("auditor", role).replace("PASSWORD '…'", "")
                         .replace("DATABASE certledger", f'DATABASE "{dbname}"')
                         .replace("FOR ROLE certledger", f'FOR ROLE "{owner}"'))
    host = life.db_url.split("@", 1)[1]
    try:
        yield life, f"postgresql://{role}@{host}", role
    finally:
        life.close()  # the fixture's own connections go before the role's objects do
        with psycopg.connect(life.db_url, autocommit=True) as conn:
            conn.execute(f'DROP OWNED BY "{role}"')
            conn.execute(f'DROP ROLE "{role}"')


def test_the_readme_auditor_role_runs_every_read_command(audited: tuple[LifeWorld, str, str], tmp_path: Path) -> None:
    life, url, _ = audited
    root = life.ledger.registry().keys_of("hrss")[0].key_id
    ref = f"jianzaoshi-2:2025:cand.001"
    note = tmp_path / "kept.note"
    listed = run("--db", url, "checkpoint", "list", "--json")
    assert listed.exit_code == 0, listed.output
    first, latest = orjson.loads(listed.stdout)[0], orjson.loads(listed.stdout)[-1]
    note.write_text(latest["note"], encoding="utf-8")
    bundle, proof = tmp_path / "cert.json", tmp_path / "proof.json"
    commands = [
        ("verify",),
        ("verify", "--checkpoint", str(note)),
        ("verify", "--since", str(note)),
        ("trace", NUMBER),
        ("cert", "show", NUMBER),
        ("cert", "show", NUMBER, "--replay"),
        ("cert", "export", NUMBER, "-o", str(bundle)),
        ("prove", "inclusion", "1", "-o", str(proof)),
        ("prove", "consistency", str(first["size"])),
        ("register", "certificates", "--csv"),
        ("register", "candidacies", "--json"),
        ("diff", "live", "live"),
        ("candidate", "show", ref),
        ("candidate", "show", ref, "--replay"),
        ("candidate", "list", "jianzaoshi-2:2025"),
        ("sitting", "show", "jianzaoshi-2:2025"),
        ("keys", "list"),
        ("parties", "list"),
        ("did",),
        ("notices", "render", "publicity", "--sitting", "jianzaoshi-2:2025"),
        ("page", "-o", str(tmp_path / "page.html")),
    ]
    for command in commands:
        result = run("--db", url, *command)
        assert result.exit_code == 0, (command, result.output)
    checked = run("cert", "verify", str(bundle), "--trust", root, "--db", url)
    assert checked.exit_code == 0 and "status now valid" in checked.stdout, checked.output
    assert "OK" in run("--db", url, "verify").stdout


def test_the_auditor_role_cannot_read_the_holders_id_numbers(audited: tuple[LifeWorld, str, str]) -> None:
    """L-7: the README's grants leave the holder secrets out; every read command still works."""
    _, url, _ = audited
    with psycopg.connect(url, autocommit=True) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SELECT id_number FROM ledger_holder_secrets")


def test_the_auditor_role_writes_nothing(audited: tuple[LifeWorld, str, str]) -> None:
    life, url, _ = audited
    record_checkpoint(life.ledger)  # an event to project: with none, project has nothing to write
    before = life.count()
    for command in [("project",), ("rebuild",), ("rebuild", "--into", "mine"), ("checkpoint",)]:
        result = run("--db", url, "--keys", "/nonexistent", *command)
        assert result.exit_code == 4, (command, result.output)
        assert "permission denied" in result.stderr or "must be owner" in result.stderr, (command, result.stderr)
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert life.count() == before


def test_with_create_on_the_schema_the_auditor_rebuilds_into_a_set_of_its_own(audited: tuple[LifeWorld, str, str]) -> None:
    life, url, role = audited
    with psycopg.connect(life.db_url, autocommit=True) as conn:
        for statement in readme_sql("auditor: rebuild --into NAME"):
            conn.execute(statement.replace("auditor", role))
    rebuilt = run("--db", url, "rebuild", "--into", "audit")
    assert rebuilt.exit_code == 0, rebuilt.output
    compared = run("--db", url, "diff", "live", "audit")
    assert compared.exit_code == 0 and "no differences" in compared.stdout, compared.output
    assert run("--db", url, "register", "certificates", "--set", "audit", "--json").exit_code == 0
    # Still no write to the ledger's tables or the live registers.
    record_checkpoint(life.ledger)
    assert run("--db", url, "project").exit_code == 4
    assert run("--db", url, "rebuild").exit_code == 4
