"""One suite, two databases: every ledger test runs on SQLite and on PostgreSQL.

Each test gets a database of its own (a temporary SQLite file, or a PostgreSQL database
created for it and dropped after). In CI (CI=true) an unreachable PostgreSQL fails the run
instead of skipping: those tests must run there.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING
from pathlib import Path

import pytest

from tests.helpers import World, assert_verifies

if TYPE_CHECKING:
    from tests.lifecycle_world import LifeWorld

PG_ADMIN = os.environ.get("CERTLEDGER_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.fixture(autouse=True)
def keyring_cache_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test's own keyring cache directory (events.keyring_cache), not the user's."""
    directory = tmp_path_factory.mktemp("keyring-cache")
    monkeypatch.setenv("CERTLEDGER_CACHE_DIR", str(directory))
    return directory


def _pg_admin_connect():
    import psycopg

    return psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=5)


_pg_problem: str | None = None
try:
    _pg_admin_connect().close()
except Exception as e:  # noqa: BLE001 - any failure means "no server"
    _pg_problem = f"PostgreSQL at {PG_ADMIN} does not answer: {e}"


def pytest_sessionstart(session: pytest.Session) -> None:
    if _pg_problem and IN_CI:
        raise pytest.UsageError(f"CI=true and {_pg_problem}; PostgreSQL tests may not be skipped in CI")


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database URL, dropped after the test."""
    if request.param == "sqlite":
        yield str(tmp_path / "ledger.db")
        return
    if _pg_problem:
        pytest.skip(_pg_problem)
    name = f"certledger_test_{uuid.uuid4().hex[:16]}"
    with _pg_admin_connect() as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    admin = PG_ADMIN.rsplit("/", 1)[0]
    try:
        yield f"{admin}/{name}"
    finally:
        with _pg_admin_connect() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def _verified_after(w, db_url: str, request: pytest.FixtureRequest):
    """Yield the world; afterwards run ``verify`` on its ledger (STYLE #10), unless the test
    failed or tampered with the database on purpose (``w.tampered = True``)."""
    try:
        yield w
        if not w.tampered and not getattr(request.node, "rep_call_failed", True):  # no call: setup failed
            assert_verifies(db_url)
    finally:
        w.close()


@pytest.fixture
def world(db_url: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[World]:
    """An initialised ledger with a few parties and keys, verified after the test."""
    with _verified_after(World.create(db_url, tmp_path / "keys"), db_url, request) as w:
        yield w


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    if report.when == "call":
        item.rep_call_failed = report.failed
    return report


@pytest.fixture
def life(db_url: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator["LifeWorld"]:
    """A ledger with the lifecycle's parties (units and candidates cand.001..cand.008),
    verified after the test."""
    from tests.lifecycle_world import LifeWorld

    with _verified_after(LifeWorld.create(db_url, tmp_path / "keys"), db_url, request) as w:
        yield w
