"""Benchmark: the Merkle log — follower catch-up, proofs, and ``verify --since``.

    .venv/bin/python bench/merkle.py [--events 100000] [--backend sqlite|postgres|both] [--new 1000]

On a signed ledger of N events (built as bench/ledger.py builds its own), in one run:
- follower catch-up rate (``MerkleLog.catch_up`` from nothing), against a plain read of
  every row in the same run (the floor: the follower reads each state once);
- inclusion and consistency proof times from the stored log, warm (median and worst of
  200 random proofs), goal <= 20 ms;
- ``verify --since`` of a checkpoint kept before ``--new`` more events, against a full
  ``verify`` of the same ledger (both in a fresh child process, one core).
Issue 7 asks for 1M events on PostgreSQL: ``--events 1000000 --backend postgres``.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from ledger import Database, make_phases, signed_ledger, timed_append  # noqa: E402

from certledger.events.checkpoints import record_checkpoint  # noqa: E402
from certledger.events.ledger import Ledger  # noqa: E402
from certledger.events.merkle import verify_consistency, verify_inclusion  # noqa: E402
from certledger.events.merkle_log import MerkleLog  # noqa: E402

PROOFS = 200


def build(url: str, events: int, keys: Path) -> Ledger:
    ledger = signed_ledger(url, keys)
    timed_append(ledger, make_phases(events))
    return ledger


def timed(fn) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def proof_times(log: MerkleLog, size: int, rng: random.Random) -> tuple[list[float], list[float]]:
    root = log.root(size)
    inclusion, consistency = [], []
    for _ in range(PROOFS):
        index = rng.randrange(size)
        started = time.perf_counter()
        proof = log.inclusion_proof(index, size)
        inclusion.append(time.perf_counter() - started)
        verify_inclusion(log.leaf(index), index, size, proof, root)
        old = rng.randrange(1, size)
        started = time.perf_counter()
        proof = log.consistency_proof(old, size)
        consistency.append(time.perf_counter() - started)
        verify_consistency(old, size, log.root(old), root, proof)
    return inclusion, consistency


def verify_in_child(url: str, since: str | None) -> tuple[float, int, int]:
    """(seconds, events re-verified, bad) of verify in a fresh process, one core."""
    code = (
        "import json, sys\n"
        f"sys.path.insert(0, {str(Path(__file__).resolve().parent)!r})\n"
        "import dossier  # declares the bench's acts\n"
        "from certledger.events.ledger import Ledger\n"
        "from certledger.events.storage import parse_database_url\n"
        "from certledger.events.verify import Report, verify_ledger\n"
        f"ledger = Ledger(parse_database_url({url!r}), verify_on_read=False, read_only=True)\n"
        "report = Report()\n"
        f"bad = sum(1 for _ in verify_ledger(ledger, report, since_note={since!r}))\n"
        "print(json.dumps([report.seconds, report.events, bad]))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    seconds, events, bad = json.loads(out.strip().splitlines()[-1])
    return seconds, events, bad


def bench_backend(backend: str, events: int, new: int, workdir: Path) -> None:
    db = Database(backend, workdir)
    try:
        started = time.perf_counter()
        ledger = build(db.url, events, workdir / f"keys-{backend}")
        built = time.perf_counter() - started
        n = ledger.rows.count()
        print(f"\n[{backend}] {n:,} signed events (built in {built:,.0f} s)")

        read = timed(lambda: sum(len(page) for page in ledger.rows.raw_pages(10_000)))
        log = MerkleLog(ledger)
        follow = timed(log.catch_up)
        print(f"  plain read of every row      : {n / read:10,.0f} rows/s")
        print(f"  follower catch-up            : {n / follow:10,.0f} leaves/s   ratio to the plain read {read / follow:5.2f}")

        inclusion, consistency = proof_times(log, log.size(), random.Random(7))
        for label, times in (("inclusion proof", inclusion), ("consistency proof", consistency)):
            print(f"  {label:<29}: median {statistics.median(times) * 1000:6.2f} ms, worst {max(times) * 1000:6.2f} ms "
                  f"over {PROOFS} (goal <= 20 ms)")

        kept = record_checkpoint(ledger).note
        timed_append(ledger, make_phases(new))
        catch = timed(lambda: record_checkpoint(ledger))
        print(f"  checkpoint after {new:,} more  : {catch * 1000:8.0f} ms (catch-up, consistency check, sign, record)")
        ledger.close()

        full_seconds, full_events, bad = verify_in_child(db.url, None)
        since_seconds, since_events, since_bad = verify_in_child(db.url, kept)
        if bad or since_bad:
            raise SystemExit(f"verify found {bad}/{since_bad} bad events in the benchmark's ledger: a bug")
        print(f"  full verify                  : {full_seconds:8.1f} s for {full_events:,} events")
        print(f"  verify --since (kept note)   : {since_seconds:8.2f} s for {since_events:,} events   "
              f"ratio to full {since_seconds / full_seconds:6.4f}")
    finally:
        db.drop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--new", type=int, default=1_000)
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    args = parser.parse_args()
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    with tempfile.TemporaryDirectory() as tmp:
        for backend in backends:
            bench_backend(backend, args.events, args.new, Path(tmp))


if __name__ == "__main__":
    main()
