"""Benchmark: ``certledger serve`` under load, on loopback only (issue 21).

    .venv/bin/python bench/serve_load.py [--clients 200] [--seconds 30] [--candidates 300] [--db URL]

Builds the demo ledger (or uses ``--db``, e.g. the 1M-event ledger), records a checkpoint,
starts ``certledger serve`` on 127.0.0.1 with rate limits off, and runs ``--clients``
concurrent keep-alive clients (httpx, asyncio) for ``--seconds``: each picks a route at
random — certificate look-up (a valid number and name, a wrong name), the checkpoint, a
full hash tile, an entry bundle. Prints p50/p99 per route, errors (any non-2xx/404 answer
or transport failure) and the server's RSS sampled every second (flat memory: last ≈ first
after warm-up). Goals: look-up p99 ≤ 50 ms, tiles p99 ≤ 20 ms, zero errors, flat memory.
The "index" route (a static JSON answer of the same server) is the reference measured in
the same run: the other routes' figures read as ratios to it on any machine.
Prints, never asserts. Loopback only: the host is fixed to 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

CERTLEDGER = str(Path(sys.executable).with_name("certledger"))


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


async def _load(base: str, routes: dict[str, list[str]], clients: int, seconds: float, pid: int | None) -> dict:
    times: dict[str, list[float]] = {name: [] for name in routes}
    errors: dict[str, int] = {name: 0 for name in routes}
    rss: list[int] = []
    deadline = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)

    async def client(http: httpx.AsyncClient) -> None:
        rng = random.Random()
        while time.monotonic() < deadline:
            name = rng.choice(list(routes))
            url = rng.choice(routes[name])
            started = time.perf_counter()
            try:
                response = await http.get(url)
                ok = response.status_code in (200, 404)
            except httpx.HTTPError:
                ok = False
            times[name].append(time.perf_counter() - started)
            errors[name] += not ok

    async def sample() -> None:
        while pid is not None and time.monotonic() < deadline:
            rss.append(_rss_kib(pid))
            await asyncio.sleep(1)

    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as http:
        await asyncio.gather(sample(), *(client(http) for _ in range(clients)))
    return {"times": times, "errors": errors, "rss": rss}


def _report(title: str, result: dict, seconds: float) -> None:
    print(title)
    for name, values in result["times"].items():
        if not values:
            continue
        q = statistics.quantiles(values, n=100) if len(values) > 1 else values * 99
        print(f"  {name:<14} {len(values):>7} req  {len(values) / seconds:>7.0f}/s  p50 {q[49] * 1000:7.1f} ms"
              f"  p99 {q[98] * 1000:7.1f} ms  errors {result['errors'][name]}")
    if result["rss"]:
        r = result["rss"]
        print(f"  server RSS: first {r[0] / 1024:.1f} MiB, max {max(r) / 1024:.1f} MiB, last {r[-1] / 1024:.1f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--candidates", type=int, default=300)
    parser.add_argument("--db")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="serve-load-"))
    env = {**os.environ, "CERTLEDGER_KEY_PASSPHRASE": "certledger-demo", "CERTLEDGER_KEYS": str(work / "demo" / "keys")}
    db = args.db or str(work / "demo" / "ledger.db")
    if not args.db:
        subprocess.run([CERTLEDGER, "demo", "--dir", str(work / "demo"), "--candidates", str(args.candidates)],
                       env=env, check=True, capture_output=True)
    listing = json.loads(subprocess.run([CERTLEDGER, "--db", db, "register", "certificates", "--json"],
                                        env=env, check=True, capture_output=True, text=True).stdout)
    valid = [(r["number"], r["name"]) for r in listing if r.get("status") == "valid"][:50]
    port = _port()
    server = subprocess.Popen([CERTLEDGER, "--db", db, "serve", "--port", str(port), "--rate", "0",
                               "--lookup-rate", "0", "--no-access-log"], env=env, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                note = httpx.get(f"{base}/checkpoint", timeout=1).text
                break
            except httpx.TransportError:
                time.sleep(0.1)
        size = int(note.split("\n")[1])
        full = max(1, size // 256)
        tiles = [f"/tile/0/{i:03d}" if i < 1000 else f"/tile/0/x{i // 1000:03d}/{i % 1000:03d}" for i in range(min(full, 999))]
        routes = {
            "lookup": [f"/lookup?number={n}&name={m}" for n, m in valid],
            "lookup-miss": [f"/lookup?number={n}&name=某某" for n, _ in valid],
            "checkpoint": ["/checkpoint"],
            "index": ["/"],
            "tile": tiles,
            "entries": [t.replace("/tile/0/", "/tile/entries/") for t in tiles],
        }
        print(f"certledger serve: {size} leaves in the checkpoint, {args.clients} clients for {args.seconds:.0f} s, loopback")
        _report("ledger routes:", asyncio.run(_load(base, routes, args.clients, args.seconds, server.pid)), args.seconds)
    finally:
        server.terminate()
        server.wait(timeout=30)
    print("goals: lookup p99 ≤ 50 ms, tile/entries p99 ≤ 20 ms, zero errors, flat RSS")


if __name__ == "__main__":
    main()
