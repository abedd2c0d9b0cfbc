"""Benchmark: cold ``certledger cert verify`` wall time (goal ≤ 250 ms, issue 7).

    .venv/bin/python bench/cert_verify.py [--runs 20] [--candidates 300] [--db URL]

Builds the demo ledger (or uses ``--db``), records a checkpoint, exports one e-certificate,
then runs ``certledger cert verify FILE --trust ROOT`` as a fresh process ``--runs`` times
and prints the median and worst wall time, beside two baselines measured in the same run:
a bare ``python -c pass`` (the interpreter's own start) and ``certledger --version`` (the
console script and click), so the figure can be read on any machine as a ratio.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parents[1]
CERTLEDGER = str(Path(sys.executable).with_name("certledger"))


def timed(command: list[str], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append((time.perf_counter() - start) * 1000)
    return times


def cli(*args: str, env: dict[str, str]) -> str:
    done = subprocess.run([CERTLEDGER, *args], check=True, capture_output=True, text=True, env=env)
    return done.stdout


def build_demo(tmp: str, candidates: int, env: dict[str, str]) -> Path:
    """A demo ledger of ``candidates`` in ``tmp``/demo (the benchmarks' common input)."""
    demo = Path(tmp) / "demo"
    subprocess.run([CERTLEDGER, "demo", "--dir", str(demo), "--candidates", str(candidates)],
                   check=True, capture_output=True, env=env)  # fmt: skip
    return demo


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--candidates", type=int, default=300)
    args = parser.parse_args()
    env = {**os.environ, "CERTLEDGER_KEY_PASSPHRASE": "bench"}
    with tempfile.TemporaryDirectory() as tmp:
        demo = build_demo(tmp, args.candidates, env)
        db = str(demo / "ledger.db")
        cli("--db", db, "--keys", str(demo / "keys"), "checkpoint", env=env)
        rows = orjson.loads(cli("--db", db, "candidate", "list", "jianzaoshi-2:2025", "--json", env=env))
        # list --json gives the certificate as fields (kind, number, …), not display text
        number = next(r["certificate"]["number"] for r in rows if (r["certificate"] or {}).get("kind") == "e-certificate")
        bundle = Path(tmp) / "cert.json"
        cli("--db", db, "cert", "export", number, "-o", str(bundle), env=env)
        root = orjson.loads(cli("--db", db, "verify", "--json", env=env))["report"]["genesis_root_key"]
        command = [CERTLEDGER, "cert", "verify", str(bundle), "--trust", root]
        subprocess.run(command, check=True, capture_output=True)  # it verifies, and the files are cached
        python = timed([sys.executable, "-c", "pass"], args.runs)
        version = timed([CERTLEDGER, "--version"], args.runs)
        verify = timed(command, args.runs)
        size = bundle.stat().st_size
    print(f"bundle: {size:,} bytes ({args.candidates} candidates in the demo ledger)")
    for name, times in (("python -c pass", python), ("certledger --version", version), ("certledger cert verify", verify)):
        print(f"{name:24} median {statistics.median(times):6.1f} ms   worst {max(times):6.1f} ms")
    ratio = statistics.median(verify) / statistics.median(python)
    print(f"cert verify / bare interpreter start: {ratio:.1f}×; goal: ≤ 250 ms "
          f"({'met' if statistics.median(verify) <= 250 else 'NOT met'} here)")


if __name__ == "__main__":
    main()
