"""Issue 20 item 1: PostgreSQL's search_path. The default path is ``"$user", public``: a
schema named after the connecting role comes first. The attacker who controls the database
creates ``postgres`` (the role the tests, and many installs, connect as) holding a clean
copy of the ledger's tables, then deletes a void from ``public.ledger_events``. Unqualified
SQL would read the clean copy (``verify`` OK) while the library, which writes ``public.``,
reads the edited one (``cert verify --db``: valid). Every command must read one schema,
``public``, and refuse a database where the ledger's tables are visible in another schema on
the path; ``verify`` names the schema it read.

PostgreSQL only (SQLite has no schemas): skipped on SQLite, never skipped on PostgreSQL
(conftest: under CI=true an unreachable server fails the run).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import orjson
import psycopg
import pytest
from click.testing import CliRunner, Result

from certledger.cli.main import cli
from certledger.events.checkpoints import record_checkpoint
from tests.lifecycle_world import LifeWorld

NUMBER = "HN2025JZ2-0001"
TABLES = ("ledger_events", "ledger_merkle_leaves", "ledger_merkle_nodes")


@pytest.fixture
def voided(life: LifeWorld, tmp_path: Path) -> tuple[LifeWorld, Path, str]:
    """An e-certificate exported while valid, then voided; a checkpoint after each."""
    if not life.db_url.startswith("postgresql://"):
        pytest.skip("PostgreSQL only: SQLite has no schemas")
    sid = life.sitting("jianzaoshi-2")
    [one] = life.qualified(sid, ["cand.001"], exam_code="jianzaoshi-2")
    life.ledger.issue_e_certificate("hrss", one, NUMBER, on=date(2025, 7, 20))
    record_checkpoint(life.ledger)
    bundle = tmp_path / "cert.json"
    done = run("--db", life.db_url, "cert", "export", NUMBER, "-o", str(bundle))
    assert done.exit_code == 0, done.output
    life.ledger.find_ineligible("dept.zhujian.henan", one, "education", "学历不符合报名条件", on=date(2025, 9, 1))
    record_checkpoint(life.ledger)
    root = life.ledger.registry().keys_of("hrss")[0].key_id
    return life, bundle, root


def run(*args: str) -> Result:
    result = CliRunner().invoke(cli, list(args))
    assert "Traceback" not in result.output, result.output
    if result.exception is not None:
        assert isinstance(result.exception, SystemExit), repr(result.exception)
    return result


def split(db_url: str, schema: str = "postgres") -> None:
    """The attack, in plain SQL: a clean copy in ``schema``, the void deleted from public."""
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
        for table in TABLES:
            conn.execute(f'CREATE TABLE "{schema}".{table} (LIKE public.{table} INCLUDING ALL)')
            conn.execute(f'INSERT INTO "{schema}".{table} SELECT * FROM public.{table}')
        deleted = conn.execute(
            "DELETE FROM public.ledger_events WHERE topic LIKE '%IneligibilityFound' RETURNING notification_id"
        ).fetchall()
        assert len(deleted) == 1


def refused_for_the_split(result: Result, schema: str = "postgres") -> None:
    assert result.exit_code == 4, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert f"schema {schema}" in lines[0] and "public" in lines[0] and "ledger_events" in lines[0], lines[0]
    assert "OK" not in result.stdout and "valid" not in result.stdout


def test_a_clean_copy_in_the_user_schema_is_refused_by_every_reader(voided: tuple[LifeWorld, Path, str]) -> None:
    life, bundle, root = voided
    life.tampered = True
    before = run("--db", life.db_url, "cert", "verify", str(bundle), "--trust", root, "--db", life.db_url, "--json")
    assert before.exit_code == 1 and "void" in before.stderr, before.output  # the void is seen, before the attack
    split(life.db_url)
    refused_for_the_split(run("--db", life.db_url, "verify"))
    refused_for_the_split(run("--db", life.db_url, "verify", "--checkpoint", str(_kept_note(life))))
    refused_for_the_split(run("cert", "verify", str(bundle), "--trust", root, "--db", life.db_url))
    refused_for_the_split(run("--db", life.db_url, "trace", NUMBER))


def test_the_split_is_refused_when_the_role_s_path_puts_another_schema_first(voided: tuple[LifeWorld, Path, str]) -> None:
    """Not only "$user": a path the database or role sets (ALTER DATABASE … SET search_path)."""
    life, bundle, root = voided
    life.tampered = True
    split(life.db_url, "shadow")
    dbname = life.db_url.rsplit("/", 1)[1]
    with psycopg.connect(life.db_url, autocommit=True) as conn:
        conn.execute(f'ALTER DATABASE "{dbname}" SET search_path = shadow, public')
    refused_for_the_split(run("--db", life.db_url, "verify"), "shadow")
    refused_for_the_split(run("cert", "verify", str(bundle), "--trust", root, "--db", life.db_url), "shadow")


def test_a_schema_off_the_path_is_never_read_and_verify_names_the_schema_it_read(voided: tuple[LifeWorld, Path, str]) -> None:
    """A copy in a schema that is not on the path is harmless: nothing reads it; verify reads
    public.ledger_events, says so, and finds the deleted void (the kept note covers it)."""
    life, bundle, root = voided
    life.tampered = True
    note = _kept_note(life)
    split(life.db_url, "elsewhere")
    found = run("--db", life.db_url, "verify", "--checkpoint", str(note))
    assert found.exit_code == 1, found.output
    assert "public.ledger_events" in found.stdout, found.stdout
    as_json = run("--db", life.db_url, "verify", "--json")
    assert orjson.loads(as_json.stdout)["report"]["store"]["schema"] == "public"
    assert orjson.loads(as_json.stdout)["report"]["store"]["table"] == "public.ledger_events"


def test_an_untouched_ledger_verify_names_schema_public(voided: tuple[LifeWorld, Path, str]) -> None:
    life, _, _ = voided
    result = run("--db", life.db_url, "verify")
    assert result.exit_code == 0, result.output
    assert "schema public" in result.stdout and "public.ledger_events" in result.stdout, result.stdout


def _kept_note(life: LifeWorld) -> Path:
    path = Path(life.db_url.rsplit("/", 1)[1] + ".note")
    from certledger.events.checkpoints import latest_checkpoint

    path = Path("/tmp") / path
    path.write_text(latest_checkpoint(life.ledger).note, encoding="utf-8")
    return path


def test_every_connection_reads_schema_public_whatever_the_environment_says(
    voided: tuple[LifeWorld, Path, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The library's pool (which our raw SQL shares) runs with search_path pinned, and no
    variable of the library's in the environment moves it to another schema."""
    from certledger.events.ledger import Ledger
    from certledger.events.storage import parse_database_url

    life, _, _ = voided
    monkeypatch.setenv("LEDGER_POSTGRES_SCHEMA", "elsewhere")
    monkeypatch.setenv("POSTGRES_SCHEMA", "elsewhere")
    for read_only in (True, False):
        ledger = Ledger(parse_database_url(life.db_url), verify_on_read=False, read_only=read_only)
        try:
            assert ledger.recorder.datastore.schema == "public"
            with ledger.recorder.datastore.transaction(commit=False) as cursor:
                cursor.execute("SELECT current_setting('search_path') AS p, current_schema() AS s")
                row = cursor.fetchone()
            assert (row["p"], row["s"]) == ("public,pg_temp", "public")
        finally:
            ledger.close()
