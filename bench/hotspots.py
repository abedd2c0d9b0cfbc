"""Where signed append's and verify's time goes, per event (cProfile, one process).

    .venv/bin/python bench/hotspots.py [--events 20000] [--backend sqlite|postgres] [--top 25]

Builds the same interleaved dossier ledger as bench/ledger.py through the real Ledger, profiles
the append, then profiles ``verify`` with one job (``--jobs 1`` keeps everything in this
process, so the profile sees all of it). Prints cumulative and own-time tables, and µs/event for
each phase. cProfile slows Python code more than C code (signatures, SQL): read shares, not
absolute times.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from ledger import Database, make_phases, signed_ledger, timed_append  # noqa: E402

from certledger.events.ledger import Ledger  # noqa: E402
from certledger.events.storage import parse_database_url  # noqa: E402
from certledger.events.verify import Report, verify_ledger  # noqa: E402


def profiled(label: str, events: int, top: int, fn) -> None:
    profile = cProfile.Profile()
    started = time.perf_counter()
    profile.enable()
    fn()
    profile.disable()
    seconds = time.perf_counter() - started
    print(f"\n=== {label}: {events:,} events in {seconds:.2f} s under cProfile = "
          f"{seconds / events * 1e6:.0f} µs/event ===")
    stats = pstats.Stats(profile).strip_dirs()
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(args.backend, Path(tmp))
        try:
            ledger = signed_ledger(db.url, Path(tmp) / "keys")
            phases = make_phases(args.events)
            profiled(f"signed append [{args.backend}]", args.events, args.top,
                     lambda: timed_append(ledger, phases))
            ledger.close()
            reader = Ledger(parse_database_url(db.url), verify_on_read=False, read_only=True)
            report = Report()
            profiled(f"verify --jobs 1 [{args.backend}]", args.events, args.top,
                     lambda: sum(1 for _ in verify_ledger(reader, report, jobs=1)))
            reader.close()
        finally:
            db.drop()


if __name__ == "__main__":
    main()
