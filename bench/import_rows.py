"""Benchmark: importing a score sheet, against recording the same acts one by one, in one run.

    .venv/bin/python bench/import_rows.py [--rows 2000] [--backend sqlite|postgres|both]

For each backend, two ledgers with the same sitting and N registered candidates (built by the
test suite's builder, tests/test_import.py); on the first, ``events.importing`` checks and
records an N-row score CSV (Chinese headers); on the second the same acts are recorded one by
one through ``Ledger.release_score`` (what N ``candidate score`` commands do, minus process
start). Prints rows/s (one event per row) for each and the import's speed-up as a ratio; no
absolute target is asserted.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from certledger.domain.candidacy import candidacy_id  # noqa: E402
from certledger.domain.import_rows import import_kind  # noqa: E402
from certledger.events.importing import Importer, read_table  # noqa: E402
from certledger.events.ledger import Ledger  # noqa: E402
from certledger.events.storage import parse_database_url  # noqa: E402
from certledger.signing.keystore import KeyStore  # noqa: E402
from certledger.signing.wallet import Wallet  # noqa: E402
from tests.helpers import PASSPHRASE, TEST_KDF_ROUNDS  # noqa: E402
from tests.lifecycle_world import D  # noqa: E402
from tests.test_import import HEADERS_ZH, drop_database, make_ledger, score_rows, write_csv  # noqa: E402

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432"


def _database(backend: str, work: Path, name: str) -> str:
    if backend == "sqlite":
        return str(work / f"{name}.db")
    import psycopg

    db = f"certledger_bench_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(f"{PG_ADMIN}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{db}"')
    return f"{PG_ADMIN}/{db}"


def _ledger(url: str, keys: Path) -> Ledger:
    return Ledger(parse_database_url(url), Wallet(KeyStore(keys, lambda: PASSPHRASE, kdf_rounds=TEST_KDF_ROUNDS)))


def run(backend: str, rows: int, work: Path) -> None:
    imported, one_by_one = _database(backend, work, "import"), _database(backend, work, "one")
    try:
        sid = make_ledger(imported, work / "keys-a", rows)
        make_ledger(one_by_one, work / "keys-b", rows)
        sheet = score_rows(rows)
        path = write_csv(work / "成绩.csv", HEADERS_ZH, sheet)

        ledger = _ledger(imported, work / "keys-a")
        try:
            started = time.perf_counter()
            importer = Importer(ledger, import_kind("scores"), sid, "exam-center", D)
            outcome, pending = importer.check(read_table(path))
            checked = time.perf_counter()
            importer.write(outcome, pending)
            done = time.perf_counter()
            assert outcome.recorded == rows and not outcome.refused
        finally:
            ledger.close()

        ledger = _ledger(one_by_one, work / "keys-b")
        try:
            base_started = time.perf_counter()
            for cand, result, scores in sheet:
                pairs = dict(p.split("=") for p in scores.split("；"))
                ledger.release_score("exam-center", candidacy_id(sid, cand), result == "合格", pairs, on=D)
            base_done = time.perf_counter()
        finally:
            ledger.close()

        total, base = done - started, base_done - base_started
        print(f"{backend:8} {rows:,} rows: import {rows / total:,.0f} rows/s = events/s "
              f"(check {rows / (checked - started):,.0f} rows/s, write {rows / (done - checked):,.0f} rows/s); "
              f"one by one {rows / base:,.0f} rows/s; import / one-by-one = {base / total:.2f}x")
    finally:
        drop_database(imported)
        drop_database(one_by_one)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    args = parser.parse_args()
    for backend in (["sqlite", "postgres"] if args.backend == "both" else [args.backend]):
        work = Path(tempfile.mkdtemp(prefix="certledger-bench-import-"))
        try:
            run(backend, args.rows, work)
        finally:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
