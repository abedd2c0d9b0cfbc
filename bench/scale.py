"""Benchmark: a sitting's import at provincial scale, signed, against plain eventsourcing and
raw Ed25519, in the same run.

    .venv/bin/python bench/scale.py [--events 1000000] [--backend sqlite|postgres|both] [--repeat 2]

For each backend, N events in the shape ``certledger import`` writes: N/2 registrations
(``tests/test_import.make_ledger``: Candidacy.register, then ``Ledger.save`` of 200
candidacies per transaction, what ``import registrations`` does) and N/2 released scores
(``events.importing.Importer``: check every row, then write 200 per transaction). Printed:

- the import rate end to end (domain checks, signing, inserts) and its write rate (the time
  inside ``Ledger.save``: canonical bytes, signatures, chaining, the insert, the commit);
- plain eventsourcing (no signatures, the library's own recorder and JSON transcoder) saving
  the same number of events, 200 per transaction (bench/ledger.py's dossiers);
- raw Ed25519 sign rate (`keys.sign`: libsodium, one core) × cores, and the ratio of both import
  rates to it (target of issue 10: >= 0.5);
- on PostgreSQL, the same import with COPY switched off (the library's pipelined INSERT),
  and COPY's speed-up of the write phase;
- the peak RSS of the process that imported.

Each measurement runs in a fresh child process (so peak RSS is its own) on a fresh
database. A small warm-up of both kinds runs first and is not reported; then the kinds
alternate (unsigned, signed; signed, unsigned; …) ``--repeat`` times, and the best and the
worst of each figure are printed. Raw sign is measured before each repetition.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import ledger as ledger_bench  # noqa: E402  (bench/ledger.py: Database, make_phases, timed_append, raw_rates)

from certledger.domain.import_rows import import_kind  # noqa: E402
from certledger.events.importing import ROWS_PER_SAVE, Importer, read_table  # noqa: E402
from certledger.events.ledger import Ledger  # noqa: E402
from certledger.events.storage import parse_database_url  # noqa: E402
from certledger.signing.keystore import KeyStore  # noqa: E402
from certledger.signing.wallet import Wallet  # noqa: E402
from tests.helpers import PASSPHRASE, TEST_KDF_ROUNDS  # noqa: E402
from tests.lifecycle_world import D  # noqa: E402
from tests.test_import import HEADERS_ZH, make_ledger, score_rows, write_csv  # noqa: E402


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def signed(backend: str, events: int, work: Path, *, copy: bool = True) -> dict[str, float]:
    """The import, in this process: registrations then scores, timing Ledger.save apart.
    ``copy=False`` (PostgreSQL): every save through the library's pipelined INSERT."""
    if not copy:
        from certledger.events import recorders_postgres

        recorders_postgres.COPY_FROM = 10**9
    saving = [0.0, 0.0]  # wall seconds, this process's CPU seconds
    original_save = Ledger.save

    def timed_save(self, *args, **kwargs):  # the write phase: everything inside save
        started, cpu = time.perf_counter(), time.process_time()
        try:
            return original_save(self, *args, **kwargs)
        finally:
            saving[0] += time.perf_counter() - started
            saving[1] += time.process_time() - cpu

    Ledger.save = timed_save
    db = ledger_bench.Database(backend, work)
    try:
        n = events // 2
        started = time.perf_counter()
        sid = make_ledger(db.url, work / "keys", n)
        sheet = write_csv(work / "成绩.csv", HEADERS_ZH, score_rows(n))
        ledger = Ledger(parse_database_url(db.url),
                        Wallet(KeyStore(work / "keys", lambda: PASSPHRASE, kdf_rounds=TEST_KDF_ROUNDS)))
        try:
            importer = Importer(ledger, import_kind("scores"), sid, "exam-center", D)
            outcome, pending = importer.check(read_table(sheet))
            importer.write(outcome, pending)
            seconds = time.perf_counter() - started
            if outcome.recorded != n or outcome.refused:
                raise SystemExit(f"the import recorded {outcome.recorded} of {n} rows: a bug")
            written = ledger.rows.count()
        finally:
            ledger.close()
    finally:
        Ledger.save = original_save
        db.drop()
    return {"events": written, "import": written / seconds, "write": written / saving[0],
            "write_cpu_us": saving[1] / written * 1e6, "peak": _peak_mb()}


def unsigned(backend: str, events: int, work: Path) -> dict[str, float]:
    from eventsourcing.application import Application

    ledger_bench.AGGREGATES_PER_SAVE = ROWS_PER_SAVE
    db = ledger_bench.Database(backend, work)
    try:
        plain = Application(env=dict(parse_database_url(db.url).env))
        try:
            seconds = ledger_bench.timed_append(plain, ledger_bench.make_phases(events))
        finally:
            plain.close()
    finally:
        db.drop()
    return {"events": events, "import": events / seconds, "write": events / seconds, "peak": _peak_mb()}


KINDS = {
    "unsigned": unsigned,
    "signed": signed,
    "signed-insert": lambda backend, events, work: signed(backend, events, work, copy=False),
}


def in_child(kind: str, backend: str, events: int) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", kind, "--backend", backend, "--events", str(events)],
        check=True, capture_output=True, text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def _span(values: list[float]) -> str:
    return f"{max(values):9,.0f}" + (f" (worst {min(values):,.0f})" if len(values) > 1 else "")


def bench_backend(backend: str, events: int, repeat: int, cores: int) -> None:
    kinds = ["unsigned", "signed"] + (["signed-insert"] if backend == "postgres" else [])
    for kind in kinds:  # warm-up: imports, caches, the server's buffers
        in_child(kind, backend, 2_000)
    figures: dict[str, list[dict[str, float]]] = {kind: [] for kind in kinds}
    raw: list[float] = []
    for rep in range(repeat):
        raw.append(ledger_bench.raw_rates()[0])
        for kind in (kinds if rep % 2 == 0 else kinds[::-1]):
            figures[kind].append(in_child(kind, backend, events))
    ceiling = max(raw) * cores
    s, u = figures["signed"], figures["unsigned"]
    print(f"\n[{backend}] {s[0]['events']:,} signed events ({events:,} asked), {ROWS_PER_SAVE} per save, "
          f"best of {repeat}, kinds alternating")
    print(f"  {f'raw Ed25519 sign x {cores} cores':<37}: {ceiling:9,.0f} events/s  (one core {_span(raw)})")
    print(f"  {'unsigned eventsourcing saves':<37}: {_span([f['write'] for f in u])} events/s; peak RSS {max(f['peak'] for f in u):,.0f} MB")
    print(f"  {'signed write phase, main-process CPU':<37}: {min(f['write_cpu_us'] for f in s):9.0f} µs/event (best)")
    for figure, label in (("import", "signed import, end to end"), ("write", "signed import, write phase")):
        rates = [f[figure] for f in s]
        print(f"  {label:<37}: {_span(rates)} events/s  ratio to raw sign x cores {max(rates) / ceiling:5.2f} "
              f"(target >= 0.5); to unsigned {max(rates) / max(f['write'] for f in u):5.2f}")
    if "signed-insert" in figures:
        insert = [f["write"] for f in figures["signed-insert"]]
        insert_cpu = min(f["write_cpu_us"] for f in figures["signed-insert"])
        print(f"  {'write phase, library INSERT (no COPY)':<37}: {_span(insert)} events/s  "
              f"COPY / INSERT {max(f['write'] for f in s) / max(insert):5.2f}; "
              f"main-process CPU {insert_cpu:.0f} µs/event")
    print(f"  {'peak RSS of the signed import':<37}: {max(f['peak'] for f in s):,.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--child", choices=list(KINDS), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        with tempfile.TemporaryDirectory() as tmp:
            print(json.dumps(KINDS[args.child](args.backend, args.events, Path(tmp))))
        return
    cores = os.cpu_count() or 1
    for backend in (["sqlite", "postgres"] if args.backend == "both" else [args.backend]):
        bench_backend(backend, args.events, args.repeat, cores)


if __name__ == "__main__":
    main()
