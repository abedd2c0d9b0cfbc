"""Benchmark: the import's write phase with Ledger.save's own collecting
(events.processing.CollectedEvents) against the library's Application.save (runtime
Protocol checks per aggregate), in the same run.

    .venv/bin/python bench/collect_ab.py [--backend sqlite|postgres] [--events 20000] [--repeat 3]

Each run is bench/scale.py's signed import in a fresh child process; the two kinds
alternate; prints every write-phase rate and main-process CPU time per event (less
disturbed than wall time on a shared machine), and the ratios of the best of each.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent


def child(kind: str, backend: str, events: int) -> None:
    sys.path.insert(0, str(HERE.parent))
    sys.path.insert(0, str(HERE))
    import scale
    from eventsourcing.application import Application

    from certledger.events.ledger import Ledger

    if kind == "library":
        Ledger.save = Application.save
    with tempfile.TemporaryDirectory() as tmp:
        print(json.dumps(scale.signed(backend, events, Path(tmp))))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="postgres")
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", choices=["ours", "library"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.backend, args.events)
        return
    rates: dict[str, list[float]] = {"ours": [], "library": []}
    cpu: dict[str, list[float]] = {"ours": [], "library": []}
    for rep in range(args.repeat):
        for kind in (("ours", "library") if rep % 2 == 0 else ("library", "ours")):
            out = subprocess.run([sys.executable, __file__, "--child", kind, "--backend", args.backend,
                                  "--events", str(args.events)], capture_output=True, text=True, check=True).stdout
            figures = json.loads(out.strip().splitlines()[-1])
            rates[kind].append(figures["write"])
            cpu[kind].append(figures["write_cpu_us"])
    for kind, values in rates.items():
        print(f"{kind:8} write phase events/s: {', '.join(f'{v:,.0f}' for v in values)}; "
              f"main-process CPU µs/event: {', '.join(f'{v:.0f}' for v in cpu[kind])}")
    print(f"best ours / best library: rate {max(rates['ours']) / max(rates['library']):.2f}, "
          f"CPU per event {min(cpu['ours']) / min(cpu['library']):.2f}")


if __name__ == "__main__":
    main()
