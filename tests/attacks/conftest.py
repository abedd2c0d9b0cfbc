"""A second database on the same backend as ``db_url``, for attacks across two ledgers."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import _pg_admin_connect


@pytest.fixture
def other_db_url(db_url: str, tmp_path: Path) -> Iterator[str]:
    if not db_url.startswith("postgresql://"):
        yield str(tmp_path / "other-ledger.db")
        return
    name = f"certledger_test_{uuid.uuid4().hex[:16]}"
    with _pg_admin_connect() as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{db_url.rsplit('/', 1)[0]}/{name}"
    finally:
        with _pg_admin_connect() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
