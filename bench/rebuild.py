"""Benchmark: rebuilding the registers, against reading the same rows back, in one run.

    .venv/bin/python bench/rebuild.py [--candidates 2000] [--backend sqlite|postgres|both]

Builds the demo's full lifecycle for N candidates (about 8 events each, plus two trust
events per party), then times, on the same ledger: a raw read of every row in
notification order (the floor), the two steps no rebuild can skip — decoding each row and
folding each sitting's and candidacy's events through ``mutate`` — without any SQL (the floor
of a rebuild written in Python: issue 8's 100,000 events/s unsigned is 10 µs per event),
a rebuild with signature checks off, a rebuild with them on
in one process, the same with ``--jobs N`` worker processes checking signatures (what
``certledger rebuild`` does from 20,000 events on), and ``verify --jobs N``. Prints events/s,
each as a ratio of the raw read rate, and the signed rebuilds against verify's rate (issue 8:
"with signature checking on at least the verify rate"); no absolute target is asserted. For the 1M-event figure, build the ledger once
with ``certledger demo --candidates 178000 --dir DIR`` and pass ``--ledger DIR/ledger.db``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from certledger.cli.demo import DemoRun
from certledger.events.ledger import Ledger
from certledger.events.storage import parse_database_url
from certledger.projections import states
from certledger.projections.projector import Sql, _decode, rebuild
from certledger.signing.keystore import KeyStore
from certledger.signing.wallet import Wallet

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
CLI = str(Path(sys.executable).with_name("certledger"))


def _build(url: str, keys: Path, candidates: int) -> int:
    store = KeyStore(keys, lambda: b"bench", kdf_rounds=1_000)
    ledger = Ledger(parse_database_url(url), Wallet(store), create=True)
    try:
        run = DemoRun(ledger, store, candidates, keys.parent)
        run.say = lambda text: None  # type: ignore[method-assign]
        run.trust()
        run.lifecycle()
        return ledger.rows.count()
    finally:
        ledger.close()


def _time(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _measure(url: str, events: int, jobs: int) -> None:
    def raw() -> None:
        ledger = Ledger(parse_database_url(url), verify_on_read=False)
        try:
            assert sum(len(page) for page in ledger.rows.raw_pages(2000)) == events
        finally:
            ledger.close()

    def projected(check: bool, jobs: int = 1) -> None:
        ledger = Ledger(parse_database_url(url), verify_on_read=check)
        try:
            assert rebuild(ledger, "bench", jobs=jobs).applied == events
        finally:
            ledger.close()

    def stages() -> tuple[float, float]:
        """Seconds to decode every row (signature checks off, as the unsigned rebuild does),
        and to decode and fold each sitting and candidacy through ``mutate`` (the states
        register's work, no SQL): the floor under any rebuild of these registers in Python."""
        ledger = Ledger(parse_database_url(url), verify_on_read=False)
        try:
            start = time.perf_counter()
            decoded = [_decode(ledger, {"nid": r.notification_id, "originator_id": r.stream,
                                        "originator_version": r.version, "topic": r.topic, "state": r.state})
                       for page in ledger.rows.raw_pages(2000) for r in page]
            decoding = time.perf_counter() - start
            aggregates: dict = {}
            for event in decoded:
                if states.kind_of(event.domain) is not None:
                    aggregates[event.key] = event.domain.mutate(aggregates.get(event.key))
            return decoding, time.perf_counter() - start
        finally:
            ledger.close()

    def verify() -> None:
        done = subprocess.run([CLI, "--db", url, "verify", "--json", "--jobs", str(jobs)], capture_output=True)
        assert done.returncode == 0, done.stderr.decode()[-500:]

    base = events / _time(raw)
    decoding, folding = stages()
    decoded, folded = events / decoding, events / folding
    off = events / _time(lambda: projected(False))
    on = events / _time(lambda: projected(True))
    parallel = events / _time(lambda: projected(True, jobs))
    verified = events / _time(verify)
    print(f"  raw read                     {base:>10,.0f} events/s  1.00")
    print(f"  read + decode                {decoded:>10,.0f} events/s  {decoded / base:.2f} of raw "
          f"({1e6 / decoded:.1f} us/event)")
    print(f"  read + decode + fold         {folded:>10,.0f} events/s  {folded / base:.2f} of raw "
          f"({1e6 / folded:.1f} us/event: a rebuild in one process cannot beat this, nor one on N cores N times it)")
    print(f"  rebuild, no checks           {off:>10,.0f} events/s  {off / base:.2f} of raw "
          f"({1e6 / off:.1f} us/event; issue 8's 100,000/s is 10 us)")
    print(f"  rebuild, signed              {on:>10,.0f} events/s  {on / base:.2f} of raw, {on / verified:.2f} of verify")
    print(f"  rebuild, signed, --jobs {jobs:<4} {parallel:>10,.0f} events/s  {parallel / base:.2f} of raw, "
          f"{parallel / verified:.2f} of verify")
    print(f"  verify --jobs {jobs:<14} {verified:>10,.0f} events/s  {verified / base:.2f} of raw")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--candidates", type=int, default=2000)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                        help="Worker processes for the parallel rebuild and for verify (the goal's yardstick).")
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--ledger", type=Path, help="Measure a copy of this SQLite ledger instead of building one "
                                                     "(e.g. certledger demo --candidates 178000: ~1M events).")
    parser.add_argument("--url", help="Measure this PostgreSQL ledger in place (its register set 'bench' is "
                                      "written, then dropped), e.g. one `certledger --db URL demo` built.")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="certledger-bench-"))
    try:
        if args.url is not None:
            ledger = Ledger(parse_database_url(args.url), verify_on_read=False)
            try:
                events = ledger.rows.count()
            finally:
                ledger.close()
            print(f"PostgreSQL, {events:,} events (in place):")
            try:
                _measure(args.url, events, args.jobs)
            finally:
                ledger = Ledger(parse_database_url(args.url), verify_on_read=False)
                try:
                    Sql(ledger, "bench").drop()
                finally:
                    ledger.close()
            return
        if args.ledger is not None:
            url = str(work / "ledger.db")
            shutil.copyfile(args.ledger, url)
            ledger = Ledger(parse_database_url(url), verify_on_read=False)
            try:
                events = ledger.rows.count()
            finally:
                ledger.close()
            print(f"SQLite, {events:,} events (a copy of {args.ledger}):")
            _measure(url, events, args.jobs)
            return
        if args.backend in ("sqlite", "both"):
            url = str(work / "ledger.db")
            events = _build(url, work / "keys-sqlite", args.candidates)
            print(f"SQLite, {events:,} events:")
            _measure(url, events, args.jobs)
        if args.backend in ("postgres", "both"):
            import psycopg

            name = f"certledger_bench_{uuid.uuid4().hex[:12]}"
            with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{name}"')
            try:
                url = f"{PG_ADMIN.rsplit('/', 1)[0]}/{name}"
                events = _build(url, work / "keys-pg", args.candidates)
                print(f"PostgreSQL, {events:,} events:")
                _measure(url, events, args.jobs)
            finally:
                with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
