"""Benchmark: ``verify`` on a demo-shaped ledger, against raw Ed25519 verify × cores, same run.

    .venv/bin/python bench/verify_scale.py [--events 100000] [--backend sqlite|postgres|both] [--repeat 2]
    .venv/bin/python bench/verify_scale.py --events 1000000
    .venv/bin/python bench/verify_scale.py --baseline-cli /work/main/.venv/bin/certledger   # before/after, same runs

The ledger is the demo's (`certledger demo --candidates N`: trust events, two sittings, many
candidacy streams, predecessors across pages), about 5.63 events per candidate. It is built
once per size and backend and reused: SQLite under ``$TMPDIR/certledger-verify-scale/``,
PostgreSQL in the database ``certledger_verify_scale_<N>`` on 127.0.0.1 (``--rebuild`` drops
both). Each run, alternating the order and repeating (after a warm-up verify):

- raw Ed25519 verify rate (one core, a stored event's message size) × cores, by cryptography
  (the yardstick the issues name) and by libsodium (what ``verify`` uses since it was added);
- ``certledger verify --json --jobs 1`` and ``--jobs <cores>`` as a user runs them (a fresh
  process; with ``--baseline-cli`` another checkout's too, interleaved), their events/s, its ratio to raw × cores (issue 10: ≥ 0.85), and the peak RSS of
  the verify process and of its workers (``resource.getrusage(RUSAGE_CHILDREN)`` of a
  wrapper process per run; issue 10: flat from 100k to 1M events);
- from the ``--jobs 1`` run, the ceiling of any parallel verify: the share of one event's work
  that is the signature (perfect parallelism of everything else can reach no more of raw x cores).

Nothing is asserted: figures are printed beside their baseline.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CLI = str(Path(sys.executable).with_name("certledger"))
EVENTS_PER_CANDIDATE = 112_564 / 20_000  # measured: demo --candidates 20000
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"

# Runs the command in a child and reports its own peak RSS and its children's (the workers
# are the verify process's children, so RUSAGE_CHILDREN of this wrapper covers the largest).
_WRAPPER = (
    "import json, resource, subprocess, sys, time\n"
    "t = time.perf_counter()\n"
    "done = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
    "seconds = time.perf_counter() - t\n"
    "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
    "print(json.dumps({'rc': done.returncode, 'seconds': seconds, 'peak_kb': peak, 'out': done.stdout, 'err': done.stderr[-2000:]}))\n"
)


def _use(cli: str) -> None:
    global CLI
    CLI = cli


def raw_verify_rate(seconds: float = 1.0, library: str = "cryptography") -> float:
    """Ed25519 verifications per second on one core, of a stored event's message size, by
    ``cryptography`` (OpenSSL: the yardstick the issues name) or ``libsodium`` (PyNaCl: what
    ``signature_holds`` uses, about twice as fast here)."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = Ed25519PrivateKey.generate()
    message = os.urandom(700)  # about a stored event's message
    signature = key.sign(message)
    if library == "libsodium":
        from nacl.bindings import crypto_sign_open

        public_raw, signed = key.public_key().public_bytes_raw(), signature + message

        def check() -> None:
            crypto_sign_open(signed, public_raw)
    else:
        public = key.public_key()

        def check() -> None:
            public.verify(signature, message)

    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for _ in range(200):
            check()
        n += 200
    return n / (time.perf_counter() - start)


def _psql(sql: str, db: str = "postgres") -> str:
    done = subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", db, "-tAc", sql],
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"psql failed: {done.stderr.strip()}")
    return done.stdout.strip()


def ledger_for(backend: str, events: int, rebuild: bool) -> str:
    """The --db of a demo-shaped ledger of about ``events`` events, built if not cached."""
    candidates = max(40, round(events / EVENTS_PER_CANDIDATE))
    home = Path(tempfile.gettempdir()) / "certledger-verify-scale"
    home.mkdir(exist_ok=True)
    directory = home / f"{backend}-{events}"
    if backend == "sqlite":
        db = str(directory / "ledger.db")
        if rebuild or not Path(db).exists():
            _build(["demo", "--reset", "--dir", str(directory), "--candidates", str(candidates)], events)
        return db
    name = f"certledger_verify_scale_{events}"
    url = f"postgresql://postgres@127.0.0.1:5432/{name}"
    exists = _psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'") == "1"
    if exists and rebuild:
        _psql(f"DROP DATABASE {name}")
        exists = False
    if not exists:
        _psql(f"CREATE DATABASE {name}")
        directory.mkdir(exist_ok=True)
        _build(["--db", url, "demo", "--dir", str(directory), "--candidates", str(candidates)], events)
    return url


def _build(args: list[str], events: int) -> None:
    print(f"building a demo ledger of ~{events:,} events: certledger {' '.join(args)}", flush=True)
    start = time.perf_counter()
    done = subprocess.run([CLI, *args], capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"demo failed ({done.returncode}): {done.stderr.strip()[-800:]}")
    print(f"  built in {time.perf_counter() - start:.0f} s", flush=True)


def run_verify(db: str, jobs: int, cli: str | None = None) -> dict:
    env = {**os.environ, "XDG_CACHE_HOME": tempfile.mkdtemp(prefix="certledger-bench-cache-")}
    wrapper = subprocess.run([sys.executable, "-c", _WRAPPER, cli or CLI, "--db", db, "verify", "--json", "--jobs", str(jobs)],
                             capture_output=True, text=True, env=env)
    result = json.loads(wrapper.stdout)
    if result["rc"] != 0:
        raise SystemExit(f"verify --jobs {jobs} on {db} failed ({result['rc']}): {result['err']}")
    report = json.loads(result["out"])["report"]
    return {"events": report["events"], "seconds": result["seconds"], "peak_mb": result["peak_kb"] / 1024}


def bench(backend: str, events: int, repeat: int, cores: int, rebuild: bool, baseline: str | None) -> None:
    db = ledger_for(backend, events, rebuild)
    warm = run_verify(db, cores)
    print(f"{backend}: {warm['events']:,} events ({db})", flush=True)
    clis = {"this": CLI, **({"baseline": baseline} if baseline else {})}
    for n in range(repeat):
        runs = [(label, jobs) for label in clis for jobs in (1, cores)]
        if n % 2:
            runs.reverse()  # alternate the order, as the load on the machine moves
        raw, sodium = raw_verify_rate(), raw_verify_rate(library="libsodium")
        figures = {run: run_verify(db, run[1], clis[run[0]]) for run in runs}
        raw = (raw + raw_verify_rate()) / 2  # before and after
        sodium = (sodium + raw_verify_rate(library="libsodium")) / 2
        ceiling = raw * cores
        for label, jobs in sorted(figures):
            f = figures[(label, jobs)]
            rate = f["events"] / f["seconds"]
            print(f"  run {n + 1} {label:>8} verify --jobs {jobs}: {f['seconds']:6.1f} s {rate:8,.0f} ev/s = "
                  f"{rate / ceiling:.2f} of raw verify x {cores} (cryptography {raw:,.0f}/s x {cores}), "
                  f"{rate / (sodium * cores):.2f} of libsodium's ({sodium:,.0f}/s x {cores}); "
                  f"peak RSS {f['peak_mb']:.0f} MB", flush=True)
            if jobs == 1:
                _ceiling(f, raw, sodium, label)


def _ceiling(single: dict, raw: float, sodium: float, label: str) -> None:
    """What the one-process run says about any parallel verify: it spends ``per_event`` of one
    core on each event, of which the signature (libsodium's, as ``signature_holds`` checks it)
    is ``1/sodium``. Spread perfectly over N cores (no merging, no waiting) verify would reach
    N/per_event events/s, i.e. ``(1/raw)/per_event`` of raw (cryptography) x N, whatever N
    is: the ratio the 0.85 goal asks for cannot exceed it."""
    per_event = single["seconds"] / single["events"]
    signature = 1 / sodium
    print(f"           {label:>8} ceiling: {per_event * 1e6:.0f} us of one core per event, of which Ed25519 "
          f"{signature * 1e6:.0f} us and the rest (reading, parsing, canonical form, rule replay) "
          f"{(per_event - signature) * 1e6:.0f} us: even with every step parallel, at most "
          f"{(1 / raw) / per_event:.2f} of raw verify x cores", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="the cores to compare against")
    parser.add_argument("--rebuild", action="store_true", help="build the ledgers again")
    parser.add_argument("--cli", default=CLI, help="the certledger to measure")
    parser.add_argument("--baseline-cli", help="another checkout's certledger, measured in the same runs (before/after)")
    args = parser.parse_args()
    _use(args.cli)
    backends = ("sqlite", "postgres") if args.backend == "both" else (args.backend,)
    print(f"raw Ed25519 verify, one core: cryptography {raw_verify_rate():,.0f}/s, libsodium "
          f"{raw_verify_rate(library='libsodium'):,.0f}/s; {args.jobs} cores", flush=True)
    for backend in backends:
        bench(backend, args.events, args.repeat, args.jobs, args.rebuild, args.baseline_cli)


if __name__ == "__main__":
    main()
