"""Benchmark: signed append and verify against plain eventsourcing and raw Ed25519.

    .venv/bin/python bench/ledger.py [--events 20000] [--backend sqlite|postgres|both]

Everything is measured in the same run, and printed as rates and ratios:
- raw Ed25519 sign and verify rates of this machine (cryptography, one core), and the
  machine's cores;
- signed append (the Ledger, signing Mapper) vs plain eventsourcing append of the same
  events (default JSON transcoder, no signatures), same batch sizes;
- ``verify`` — a full replay of every act under its rules, not only signatures — in a child
  process, with one and with all cores, against raw verify × cores, and its peak RSS.
The streams interleave as a sitting's do: every dossier is opened, then every dossier gets
its first note, and so on, so replay keeps many streams' states at once.
Targets (issue 6): verify >= 0.85 of raw verify × cores; memory flat in the event count.
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
sys.path.insert(0, str(Path(__file__).resolve().parent))

from typing import Any  # noqa: E402

from eventsourcing.application import Application  # noqa: E402

from dossier import Dossier  # noqa: E402

from certledger.events.ledger import Ledger  # noqa: E402
from certledger.events.storage import parse_database_url  # noqa: E402
from certledger.domain.parties import PartyKind  # noqa: E402
from certledger.signing.keys import new_private_key, raw_public_key, sign, verify  # noqa: E402
from certledger.signing.keystore import KeyStore  # noqa: E402
from certledger.signing.wallet import Wallet  # noqa: E402

EVENTS_PER_AGGREGATE = 10
AGGREGATES_PER_SAVE = 10


def make_phases(count: int) -> list[list[list[Dossier]]]:
    """Phases of batches: in phase k every dossier records its k-th event."""
    dossiers = []
    for i in range(count // EVENTS_PER_AGGREGATE):
        d = Dossier.open(actor="dept.zhujian.henan", name=f"张{i}", id_number=f"4101**********{i % 10000:04d}", exam="建造师（二级）")
        dossiers.append(d)
    phases = [_batches(dossiers)]
    for step in range(EVENTS_PER_AGGREGATE - 1):
        for d in dossiers:
            d.note(actor="dept.zhujian.henan", step=f"step-{step}", result="合格")
        phases.append(_batches(dossiers))
    return phases


def _batches(dossiers: list[Dossier]) -> list[list[Any]]:
    """Each dossier's pending event, taken now, in saves of AGGREGATES_PER_SAVE."""
    pending = [event for d in dossiers for event in d.collect_events()]
    return [pending[i : i + AGGREGATES_PER_SAVE] for i in range(0, len(pending), AGGREGATES_PER_SAVE)]


def timed_append(app: Application, phases: list[list[list[Any]]]) -> float:
    started = time.perf_counter()
    for batches in phases:
        for batch in batches:
            app.recorder.insert_events([app.mapper.to_stored_event(e) for e in batch])
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


def signed_ledger(url: str, keys: Path) -> Ledger:
    """A new ledger with HRSS and the department that writes the bench's dossiers."""
    store = KeyStore(keys, lambda: b"bench")
    ledger = Ledger(parse_database_url(url), Wallet(store), create=True)
    root = new_private_key()
    store.remember(root)
    ledger.initialise(raw_public_key(root))
    ledger.register_party("dept.zhujian.henan", "河南省住房和城乡建设厅", PartyKind.DEPARTMENT)
    dept = new_private_key()
    store.remember(dept)
    ledger.add_key("dept.zhujian.henan", ledger.claim("dept.zhujian.henan", dept))
    return ledger


def bench_backend(backend: str, events: int, workdir: Path, raw_verify: float, cores: int) -> None:
    unsigned_db, signed_db = Database(backend, workdir), Database(backend, workdir)
    try:
        env = dict(parse_database_url(unsigned_db.url).env)
        plain = Application(env=env)
        unsigned_seconds = timed_append(plain, make_phases(events))
        plain.close()

        ledger = signed_ledger(signed_db.url, workdir / "keys")
        signed_seconds = timed_append(ledger, make_phases(events))
        ledger.close()

        unsigned_rate = events / unsigned_seconds
        signed_rate = events / signed_seconds
        print(f"\n[{backend}] {events:,} events, streams of {EVENTS_PER_AGGREGATE} interleaved, {AGGREGATES_PER_SAVE} events per save")
        print(f"  unsigned eventsourcing append : {unsigned_rate:9,.0f} events/s")
        print(f"  signed append                 : {signed_rate:9,.0f} events/s   "
              f"ratio to unsigned {signed_rate / unsigned_rate:5.2f}")
        ceiling = raw_verify * cores
        for jobs in (1, cores):
            rate, peak_mb, bad = verify_in_child(signed_db.url, jobs)
            if bad:
                raise SystemExit(f"verify found {bad} bad events in the benchmark's ledger: a bug")
            label = f"verify (replay), {jobs} process{'es' if jobs > 1 else ''}"
            print(f"  {label:<30}: {rate:9,.0f} events/s   ratio to raw verify x {cores} cores "
                  f"{rate / ceiling:5.2f} (target >= 0.85); peak RSS {peak_mb:,.0f} MB")
    finally:
        unsigned_db.drop()
        signed_db.drop()


def verify_in_child(url: str, jobs: int) -> tuple[float, float, int]:
    """Run verify in a fresh process: its rate, its peak RSS in MB (workers excluded), and
    how many bad events it found."""
    import json
    import subprocess

    code = (
        "import json, resource, sys\n"
        f"sys.path.insert(0, {str(Path(__file__).resolve().parent)!r})\n"
        "import dossier  # declares the bench's acts: verify builds only declared events\n"
        "from certledger.events.ledger import Ledger\n"
        "from certledger.events.storage import parse_database_url\n"
        "from certledger.events.verify import Report, verify_ledger\n"
        f"ledger = Ledger(parse_database_url({url!r}), verify_on_read=False, read_only=True)\n"
        "report = Report()\n"
        f"bad = sum(1 for _ in verify_ledger(ledger, report, jobs={jobs}))\n"
        "peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024\n"
        "print(json.dumps([report.events / report.seconds, peak, bad]))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    rate, peak, bad = json.loads(out.strip().splitlines()[-1])
    return rate, peak, bad


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--per-save", type=int, default=10,
                        help="aggregates (one event each) per save; at most MAX_EVENTS_PER_SAVE")
    args = parser.parse_args()
    globals()["AGGREGATES_PER_SAVE"] = args.per_save  # read by _batches and the report
    sign_rate, verify_rate = raw_rates()
    cores = os.cpu_count() or 1
    print(f"raw Ed25519 (cryptography, one core): sign {sign_rate:,.0f}/s, verify {verify_rate:,.0f}/s; {cores} cores")
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    with tempfile.TemporaryDirectory() as tmp:
        for backend in backends:
            bench_backend(backend, args.events, Path(tmp), verify_rate, cores)


if __name__ == "__main__":
    main()
