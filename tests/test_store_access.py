"""How commands open the store (issue 6): only ``init`` creates tables; reads write nothing;
a store that cannot be opened is one clear line and exit 4. On SQLite and PostgreSQL.

The tests run as root, so file permissions would not stop a write: "writes nothing" is
checked by comparing the files' bytes and mtimes (and the files present) on SQLite, the
stored rows and tables on PostgreSQL, and with a role that may only SELECT.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from eventsourcing.persistence import OperationalError

from certledger.cli.main import cli
from certledger.domain.errors import StorageError
from certledger.domain.parties import PartyKind
from certledger.events.ledger import Ledger
from certledger.events.storage import parse_database_url
from certledger.signing.keystore import KeyStore
from certledger.signing.wallet import Wallet

PASS = "store access passphrase"
READ_COMMANDS = [
    ("verify",),
    ("keys", "list"),
    ("parties", "list", "--json"),
    ("sitting", "show", "jianzaoshi-1:2025"),
    ("candidate", "list", "jianzaoshi-1:2025"),
    ("candidate", "show", "jianzaoshi-1:2025:cand.001"),
]


def certledger(db_url: str, keys: Path, *args: str) -> Result:
    result = CliRunner().invoke(cli, ["--db", db_url, "--keys", str(keys), *args],
                                env={"CERTLEDGER_KEY_PASSPHRASE": PASS})
    assert "Traceback" not in result.output, result.output
    if result.exception is not None:
        assert isinstance(result.exception, SystemExit), repr(result.exception)
    return result


def refused(result: Result, code: int, message: str) -> None:
    assert result.exit_code == code, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], result.stderr


@pytest.fixture
def ledger_url(db_url: str, tmp_path: Path) -> str:
    """A ledger with a sitting and one registered candidate, made through the CLI."""
    keys = tmp_path / "keys"
    steps = [
        ("init",),
        ("parties", "add", "exam-center", "--kind", "exam-center", "--name", "河南省人事考试中心"),
        ("keys", "add", "--party", "exam-center"),
        ("sitting", "schedule", "jianzaoshi-1", "2025", "--exam-end", "2025-05-25", "--as", "hrss", "--on", "2025-03-01"),
        ("candidate", "register", "jianzaoshi-1:2025", "--candidate", "cand.001", "--on", "2025-03-10", "--name", "张伟",
         "--masked-id", "410102********123X", "--city", "zhengzhou", "--level", "一级",
         "--compare", "education=passed,major=passed,work-years=passed"),
    ]
    for step in steps:
        result = certledger(db_url, keys, *step)
        assert result.exit_code == 0, (step, result.output)
    return db_url


def is_postgres(db_url: str) -> bool:
    return db_url.startswith("postgresql://")


@contextmanager
def pg(db_url: str) -> Iterator[Any]:
    import psycopg

    with psycopg.connect(db_url, autocommit=True) as conn:
        yield conn


def snapshot(db_url: str) -> Any:
    """Everything a write could change: the files (SQLite) or the tables and rows (PostgreSQL)."""
    if is_postgres(db_url):
        with pg(db_url) as conn:
            tables = conn.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1"
            ).fetchall()
            rows = []
            if tables:
                rows = conn.execute(
                    "SELECT notification_id, originator_id, originator_version, topic, state "
                    "FROM ledger_events ORDER BY notification_id"
                ).fetchall()
            return tables, rows
    path = Path(db_url)
    return {f.name: (f.read_bytes(), f.stat().st_mtime_ns) for f in sorted(path.parent.iterdir()) if f.is_file()}


# -- 1. reads write nothing; nothing but init creates tables -------------------------------------


def test_read_commands_write_nothing(ledger_url: str, tmp_path: Path) -> None:
    before = snapshot(ledger_url)
    if not is_postgres(ledger_url):
        assert set(before) == {"ledger.db"}  # at rest: no -wal or -shm
    for command in READ_COMMANDS:
        result = certledger(ledger_url, tmp_path / "keys", *command)
        assert result.exit_code == 0, (command, result.output)
    assert "OK: " in certledger(ledger_url, tmp_path / "keys", "verify").stdout
    assert snapshot(ledger_url) == before


def test_a_read_only_ledger_refuses_every_write(ledger_url: str, tmp_path: Path) -> None:
    """The read-only open is enforced by SQLite (mode=ro) and PostgreSQL (read-only
    transactions) themselves, not by the commands' good behaviour."""
    before = snapshot(ledger_url)
    store = KeyStore(tmp_path / "keys", lambda: PASS.encode())
    ledger = Ledger(parse_database_url(ledger_url), Wallet(store), read_only=True)
    try:
        with pytest.raises(StorageError, match="cannot write to .*read-?only"):
            ledger.register_party("dept.zhujian.henan", "河南省住房和城乡建设厅", PartyKind.DEPARTMENT)
    finally:
        ledger.close()
    assert snapshot(ledger_url) == before


def test_verify_reads_a_sqlite_ledger_while_a_writer_has_it_open(tmp_path: Path) -> None:
    """With a -wal file beside it (a writer is active), the read-only open still sees the
    writer's committed events."""
    db = str(tmp_path / "ledger.db")
    assert certledger(db, tmp_path / "keys", "init").exit_code == 0
    writer = Ledger(parse_database_url(db))
    try:
        writer.registry()
        assert (tmp_path / "ledger.db-wal").exists()
        listed = certledger(db, tmp_path / "keys", "verify")
        assert listed.exit_code == 0 and "OK: 1 events" in listed.stdout, listed.output
    finally:
        writer.close()


@pytest.mark.parametrize("command", [("verify",), ("keys", "list"), ("parties", "add", "x.y", "--kind", "department",
                                                                     "--name", "X")])
def test_a_database_that_is_not_a_ledger_is_refused_untouched(db_url: str, tmp_path: Path, command: tuple) -> None:
    """No events table: a clear error (exit 4), and no table, no journal switch, no file."""
    if not is_postgres(db_url):
        conn = sqlite3.connect(db_url)  # someone's other database, in rollback-journal mode
        conn.execute("CREATE TABLE invoices (n INTEGER)")
        conn.commit()
        conn.close()
    before = snapshot(db_url)
    result = certledger(db_url, tmp_path / "keys", *command)
    refused(result, 4, "is not a certledger ledger (it has no ")
    assert snapshot(db_url) == before


def test_recording_commands_never_create_tables(db_url: str, tmp_path: Path) -> None:
    """Only init creates the events table; after it, writes work without DDL."""
    keys = tmp_path / "keys"
    if not is_postgres(db_url):
        sqlite3.connect(db_url).close()  # an empty SQLite file
    before = snapshot(db_url)
    refused(certledger(db_url, keys, "sitting", "schedule", "jianzaoshi-1", "2025", "--exam-end", "2025-05-25",
                       "--as", "hrss", "--on", "2025-03-01"), 4, "is not a certledger ledger")
    assert snapshot(db_url) == before
    assert certledger(db_url, keys, "init").exit_code == 0
    assert certledger(db_url, keys, "parties", "add", "exam-center", "--kind", "exam-center",
                      "--name", "河南省人事考试中心").exit_code == 0


def test_a_file_that_is_not_a_database_is_refused(tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("not a database\n" * 100)
    before = snapshot(str(text))
    for command in [("verify",), ("parties", "add", "x.y", "--kind", "department", "--name", "X"), ("init",)]:
        refused(certledger(str(text), tmp_path / "keys", *command), 4, "notes.txt: file is not a database")
    assert snapshot(str(text)) == before and not (tmp_path / "keys").exists()


def test_a_missing_sqlite_file_is_not_created(tmp_path: Path) -> None:
    for command in [("verify",), ("keys", "list"), ("parties", "add", "x.y", "--kind", "department", "--name", "X")]:
        refused(certledger(str(tmp_path / "nope.db"), tmp_path / "keys", *command), 4, "no ledger at ")
    refused(certledger(str(tmp_path / "no-dir" / "new.db"), tmp_path / "keys", "init"), 4, "there is no directory ")
    assert list(tmp_path.iterdir()) == []


# -- PostgreSQL: roles, read-only databases, connection options -------------------------------


postgres_only = pytest.mark.parametrize("db_url", ["postgres"], indirect=True)


@contextmanager
def role(db_url: str, grants: Callable[[str], list[str]]) -> Iterator[str]:
    """A login role with only the given grants; the URL that connects as it."""
    name = f"certledger_role_{uuid.uuid4().hex[:10]}"
    dbname = db_url.rsplit("/", 1)[1]
    with pg(db_url) as conn:
        conn.execute(f'CREATE ROLE "{name}" LOGIN')
        conn.execute(f'GRANT CONNECT ON DATABASE "{dbname}" TO "{name}"')
        conn.execute(f'GRANT USAGE ON SCHEMA public TO "{name}"')
        for grant in grants(name):
            conn.execute(grant)
    try:
        yield db_url.replace("postgresql://postgres@", f"postgresql://{name}@")
    finally:
        with pg(db_url) as conn:
            conn.execute(f'DROP OWNED BY "{name}"')
            conn.execute(f'REVOKE CONNECT ON DATABASE "{dbname}" FROM "{name}"')
            conn.execute(f'DROP ROLE "{name}"')


@postgres_only
def test_an_auditor_role_that_may_only_select_verifies(ledger_url: str, tmp_path: Path) -> None:
    before = snapshot(ledger_url)
    with role(ledger_url, lambda r: [f'GRANT SELECT ON ledger_events TO "{r}"']) as auditor:
        for command in READ_COMMANDS:
            result = certledger(auditor, tmp_path / "keys", *command)
            assert result.exit_code == 0, (command, result.output)
        refused(certledger(auditor, tmp_path / "keys", "parties", "add", "x.y", "--kind", "department", "--name", "X"),
                4, "permission denied")
    assert snapshot(ledger_url) == before


@postgres_only
def test_a_clerk_role_without_create_records_acts(ledger_url: str, tmp_path: Path) -> None:
    """Recording commands run no DDL: a role that may not create anything can record."""
    with role(ledger_url, lambda r: [
        f'GRANT SELECT, INSERT, UPDATE ON ledger_events TO "{r}"',
        f'GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO "{r}"',
    ]) as clerk:
        result = certledger(clerk, tmp_path / "keys", "parties", "add", "dept.zhujian.henan", "--kind", "department",
                            "--name", "河南省住房和城乡建设厅")
        assert result.exit_code == 0, result.output
    assert "dept.zhujian.henan" in certledger(ledger_url, tmp_path / "keys", "parties", "list").stdout


@postgres_only
def test_a_database_set_read_only_still_verifies(ledger_url: str, tmp_path: Path) -> None:
    dbname = ledger_url.rsplit("/", 1)[1]
    with pg(ledger_url) as conn:
        conn.execute(f'ALTER DATABASE "{dbname}" SET default_transaction_read_only = on')
    before = snapshot(ledger_url)
    result = certledger(ledger_url, tmp_path / "keys", "verify")
    assert result.exit_code == 0 and "OK: " in result.stdout, result.output
    refused(certledger(ledger_url, tmp_path / "keys", "parties", "add", "x.y", "--kind", "department", "--name", "X"),
            4, "read-only transaction")
    assert snapshot(ledger_url) == before


@postgres_only
def test_concurrent_opens_do_not_collide(ledger_url: str) -> None:
    """Many commands opening the ledger at once: no DDL, so no 'tuple concurrently updated'."""
    from concurrent.futures import ThreadPoolExecutor

    def open_and_read(_: int) -> int:
        ledger = Ledger(parse_database_url(ledger_url))
        try:
            return len(ledger.registry().parties)
        finally:
            ledger.close()

    with ThreadPoolExecutor(8) as pool:
        assert set(pool.map(open_and_read, range(16))) == {2}


@postgres_only
def test_url_options_reach_every_connection(ledger_url: str) -> None:

    def setting(url: str, name: str, **kwargs: bool) -> str:
        ledger = Ledger(parse_database_url(url), **kwargs)
        try:
            with ledger.recorder.datastore.transaction(commit=False) as cursor:
                cursor.execute(f"SELECT current_setting('{name}') AS value")
                return cursor.fetchall()[0]["value"]
        finally:
            ledger.close()

    assert setting(f"{ledger_url}?application_name=audit-7", "application_name") == "audit-7"
    assert setting(ledger_url, "application_name") == "certledger"
    assert setting(ledger_url, "default_transaction_read_only", read_only=True) == "on"
    assert setting(ledger_url, "default_transaction_read_only") == "off"
    assert setting(f"{ledger_url}?options=-c%20statement_timeout%3D7000", "statement_timeout", read_only=True) == "7s"


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("postgresql://postgres@127.0.0.1:1/certledger", "Connection refused"),
        ("postgresql://postgres@127.0.0.1:5432/certledger_no_such_db", 'database "certledger_no_such_db" does not exist'),
        ("postgresql://certledger_no_such_role@127.0.0.1:5432/postgres", 'role "certledger_no_such_role" does not exist'),
        ("postgresql://postgres@127.0.0.1:5432/postgres?sslmode=require", "server does not support SSL"),
    ],
)
def test_an_unreachable_store_gives_the_servers_reason(url: str, reason: str, tmp_path: Path) -> None:
    from tests.conftest import _pg_problem

    if _pg_problem:
        pytest.skip(_pg_problem)
    for command in [("verify",), ("keys", "list"), ("init",)]:
        result = certledger(url, tmp_path / "keys", *command)
        refused(result, 4, reason)
        assert "couldn't get a connection" not in result.output
    assert not (tmp_path / "keys").exists()


@pytest.mark.parametrize(
    ("query", "reason"),
    [("foo=bar", 'invalid connection option "foo"'), ("connect_timeout=abc", "connect_timeout"),
     ("dbname=other", "give dbname in the URL itself")],
)
def test_bad_connection_options_are_bad_input(query: str, reason: str, tmp_path: Path) -> None:
    refused(certledger(f"postgresql://postgres@127.0.0.1:5432/postgres?{query}", tmp_path / "keys", "verify"),
            2, reason)


def test_a_password_never_appears_in_an_error(tmp_path: Path) -> None:
    result = certledger("postgresql://someone:s3cret@127.0.0.1:5432/", tmp_path / "keys", "verify")
    refused(result, 2, "names no database")
    assert "s3cret" not in result.output


def test_each_command_opens_the_store_as_it_needs(ledger_url: str, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """Reads read-only, recording commands read-write without creating, init alone creating."""
    import certledger.events.ledger as ledger_module

    opened: list[tuple[bool, bool]] = []
    real = ledger_module.open_settings

    def spy(database: Any, *, read_only: bool = False, create: bool = False) -> dict[str, str]:
        opened.append((read_only, create))
        return real(database, read_only=read_only, create=create)

    monkeypatch.setattr(ledger_module, "open_settings", spy)
    for command in READ_COMMANDS:
        assert certledger(ledger_url, tmp_path / "keys", *command).exit_code == 0
    assert opened == [(True, False)] * len(READ_COMMANDS)
    opened.clear()
    assert certledger(ledger_url, tmp_path / "keys", "parties", "add", "x.y", "--kind", "department",
                      "--name", "X").exit_code == 0
    refused(certledger(ledger_url, tmp_path / "keys", "init"), 2, "already holds a ledger")
    assert opened == [(False, False), (False, True)]


@postgres_only
def test_no_connection_waits_forever(ledger_url: str) -> None:
    """Every connection carries a statement timeout (unless the URL sets its own), the
    library's idle-in-transaction and lock timeouts, and TCP keepalives; a statement that
    outlasts its timeout is cancelled by the server, not waited on."""

    ledger = Ledger(parse_database_url(ledger_url))
    try:
        with ledger.recorder.datastore.get_connection() as conn:
            values = {n: conn.execute(f"SELECT current_setting('{n}') AS v").fetchone()["v"]
                      for n in ("statement_timeout", "idle_in_transaction_session_timeout")}
            conninfo = conn.info.get_parameters()
    finally:
        ledger.close()
    assert values == {"statement_timeout": "2min", "idle_in_transaction_session_timeout": "5s"}
    # The client's own socket options (the server's settings of the same names are its side).
    assert (conninfo["keepalives"], conninfo["keepalives_idle"], conninfo["tcp_user_timeout"]) == ("1", "30", "60000")

    short = Ledger(parse_database_url(f"{ledger_url}?options=-c%20statement_timeout%3D200"))
    try:
        with pytest.raises(OperationalError, match="statement timeout"):
            with short.recorder.datastore.get_connection() as conn:
                conn.execute("SELECT pg_sleep(5)")
    finally:
        short.close()
