"""Benchmark: signed append and verify against plain eventsourcing and raw Ed25519.

    .venv/bin/python bench/ledger.py [--events 20000] [--backend sqlite|postgres|both]

Everything is measured in the same run, and printed as rates and ratios:
- raw Ed25519 sign and verify rates of this machine (cryptography, one core);
- signed append (the Ledger, signing Mapper) vs plain eventsourcing append of the same
  events (default JSON transcoder, no signatures), same batch sizes;
- ``verify`` rate vs the raw verify rate.
Targets for tuning (issue 2): verify >= 85 % of raw verify; signed append within 25 % of
unsigned.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from eventsourcing.application import Application  # noqa: E402
from eventsourcing.domain import Aggregate, event  # noqa: E402

from certledger.events.ledger import Ledger  # noqa: E402
from certledger.events.storage import parse_database_url  # noqa: E402
from certledger.events.verify import Report, verify_ledger  # noqa: E402
from certledger.domain.parties import PartyKind  # noqa: E402
from certledger.signing.keys import new_private_key, raw_public_key, sign, verify  # noqa: E402
from certledger.signing.keystore import KeyStore  # noqa: E402
from certledger.signing.wallet import Wallet  # noqa: E402

EVENTS_PER_AGGREGATE = 10
AGGREGATES_PER_SAVE = 10


class Dossier(Aggregate):
    """A candidate's file: created, then amended; the shape of a lifecycle stream."""

    @event("Opened")
    def __init__(self, *, actor: str, name: str, id_number: str, exam: str) -> None:
        self.name = name

    @event("Noted")
    def note(self, *, actor: str, step: str, result: str) -> None:
        self.last = result


def make_batches(count: int) -> list[list[Dossier]]:
    aggregates = []
    for i in range(count // EVENTS_PER_AGGREGATE):
        d = Dossier(actor="dept.zhujian.henan", name=f"张{i}", id_number=f"4101**********{i % 10000:04d}", exam="建造师（二级）")
        for step in range(EVENTS_PER_AGGREGATE - 1):
            d.note(actor="dept.zhujian.henan", step=f"step-{step}", result="合格")
        aggregates.append(d)
    return [aggregates[i : i + AGGREGATES_PER_SAVE] for i in range(0, len(aggregates), AGGREGATES_PER_SAVE)]


def timed_append(app: Application, batches: list[list[Dossier]]) -> float:
    started = time.perf_counter()
    for batch in batches:
        app.save(*batch)
    return time.perf_counter() - started


def raw_rates(n: int = 5000) -> tuple[float, float]:
    key = new_private_key()
    public = raw_public_key(key)
    message = os.urandom(300)
    started = time.perf_counter()
    signatures = [sign(key, message) for _ in range(n)]
    sign_rate = n / (time.perf_counter() - started)
    started = time.perf_counter()
    for signature in signatures:
        verify(public, signature, message)
    return sign_rate, n / (time.perf_counter() - started)


class Database:
    """A fresh database for one measurement, removed afterwards."""

    def __init__(self, backend: str, workdir: Path) -> None:
        self.backend = backend
        self.name = f"certledger_bench_{uuid.uuid4().hex[:12]}"
        if backend == "sqlite":
            self.url = str(workdir / f"{self.name}.db")
        else:
            import psycopg

            with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
                c.execute(f'CREATE DATABASE "{self.name}"')
            self.url = f"postgresql://postgres@127.0.0.1:5432/{self.name}"

    def drop(self) -> None:
        if self.backend == "postgres":
            import psycopg

            with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
                c.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def bench_backend(backend: str, events: int, workdir: Path, raw_verify: float) -> None:
    unsigned_db, signed_db = Database(backend, workdir), Database(backend, workdir)
    try:
        env = dict(parse_database_url(unsigned_db.url).env)
        plain = Application(env=env)
        unsigned_seconds = timed_append(plain, make_batches(events))
        plain.close()

        store = KeyStore(workdir / "keys", lambda: b"bench")
        ledger = Ledger(parse_database_url(signed_db.url), Wallet(store))
        root = new_private_key()
        store.remember(root)
        ledger.initialise(raw_public_key(root))
        ledger.register_party("dept.zhujian.henan", "河南省住房和城乡建设厅", PartyKind.DEPARTMENT)
        dept = new_private_key()
        store.remember(dept)
        ledger.add_key("dept.zhujian.henan", ledger.claim("dept.zhujian.henan", dept))
        signed_seconds = timed_append(ledger, make_batches(events))
        ledger.close()

        checker = Ledger(parse_database_url(signed_db.url), verify_on_read=False)
        report = Report()
        bad = list(verify_ledger(checker, report))
        jobs = os.cpu_count() or 1
        parallel = Report()
        bad += list(verify_ledger(checker, parallel, jobs=jobs))
        checker.close()
        assert not bad, bad[0].describe()

        unsigned_rate = events / unsigned_seconds
        signed_rate = events / signed_seconds
        verify_rate = report.events / report.seconds
        print(f"\n[{backend}] {events} events, {AGGREGATES_PER_SAVE * EVENTS_PER_AGGREGATE} events per save")
        print(f"  unsigned eventsourcing append : {unsigned_rate:9,.0f} events/s")
        print(f"  signed append                 : {signed_rate:9,.0f} events/s   "
              f"ratio to unsigned {signed_rate / unsigned_rate:5.2f} (target >= 0.80)")
        parallel_rate = parallel.events / parallel.seconds
        print(f"  verify, one process           : {verify_rate:9,.0f} events/s   "
              f"ratio to raw verify {verify_rate / raw_verify:5.2f} (target >= 0.85)")
        print(f"  {f'verify, {jobs} worker processes':<30}: {parallel_rate:9,.0f} events/s   "
              f"ratio to raw verify {parallel_rate / raw_verify:5.2f}")
    finally:
        unsigned_db.drop()
        signed_db.drop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    args = parser.parse_args()
    sign_rate, verify_rate = raw_rates()
    print(f"raw Ed25519 (cryptography, one core): sign {sign_rate:,.0f}/s, verify {verify_rate:,.0f}/s")
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    with tempfile.TemporaryDirectory() as tmp:
        for backend in backends:
            bench_backend(backend, args.events, Path(tmp), verify_rate)


if __name__ == "__main__":
    main()
