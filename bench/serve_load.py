"""Benchmark: ``certledger serve`` under load, on loopback only (issue 21).

    .venv/bin/python bench/serve_load.py [--clients 200] [--seconds 30] [--candidates 300] [--db URL]
                                         [--rate REQ_PER_S] [--generators N]

Builds the demo ledger (or uses ``--db``, e.g. the 1M-event ledger), records a checkpoint,
starts ``certledger serve`` on 127.0.0.1 with rate limits off, and runs ``--clients``
concurrent keep-alive clients (a lean HTTP/1.1 client on asyncio streams, in ``--generators``
processes) for ``--seconds``, closed loop (each sends again when answered: saturation) or,
with ``--rate``, open loop on a fixed schedule: each picks a route at
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

from urllib.parse import quote

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


async def _get(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, path: str) -> int:
    """One GET on a keep-alive connection; the status code. A lean HTTP/1.1 client (the
    server always sends Content-Length): the load generator should cost little next to the
    server it shares the machine with (httpx cost several times more per request)."""
    writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode("ascii"))
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    if length:
        await reader.readexactly(length)
    return int(head[9:12])


async def _clients(port: int, routes: dict[str, list[str]], clients: int, seconds: float, rate: float,
                   warmup: float = 0.0) -> dict:
    """``clients`` connections for ``seconds``. Closed loop (``rate`` 0): each sends its next
    request as soon as the last is answered (the server's saturation). Open loop: together
    they send ``rate`` requests a second on a fixed schedule, and a request's time counts from
    when it was due, so a server that falls behind is charged for the wait (no coordinated
    omission). The first ``warmup`` seconds are not counted (the server's caches fill)."""
    times: dict[str, list[float]] = {name: [] for name in routes}
    errors: dict[str, int] = {name: 0 for name in routes}
    start = time.perf_counter()
    counted = start + warmup
    deadline = counted + seconds

    async def client(k: int) -> None:
        rng = random.Random(k)
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        used = time.perf_counter()
        interval = clients / rate if rate > 0 else 0.0
        due = start + rng.random() * interval
        while True:
            if interval:
                await asyncio.sleep(max(0.0, due - time.perf_counter()))
            began = due if interval else time.perf_counter()
            if began >= deadline:
                break
            name = rng.choice(list(routes))
            if time.perf_counter() - used > 4.0:  # the server closes idle keep-alive connections after 5 s
                writer.close()
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
            try:
                ok = await _get(reader, writer, rng.choice(routes[name])) in (200, 404)
            except (OSError, asyncio.IncompleteReadError, ValueError):
                ok = False
                writer.close()
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
            used = time.perf_counter()
            if began >= counted:
                times[name].append(used - began)
                errors[name] += not ok
            due += interval
        writer.close()

    await asyncio.gather(*(client(k) for k in range(clients)))
    return {"times": times, "errors": errors}


def _generator(port: int, routes: dict[str, list[str]], clients: int, seconds: float, rate: float,
               warmup: float) -> dict:
    try:
        import uvloop
        uvloop.install()
    except ImportError:
        pass
    return asyncio.run(_clients(port, routes, clients, seconds, rate, warmup))


def _load(port: int, routes: dict[str, list[str]], clients: int, seconds: float, rate: float, generators: int,
          pid: int, warmup: float) -> dict:
    """The clients split over ``generators`` processes; the server's RSS sampled each second."""
    from concurrent.futures import ProcessPoolExecutor

    shares = [clients // generators + (i < clients % generators) for i in range(generators)]
    rss: list[int] = []
    with ProcessPoolExecutor(generators) as pool:
        futures = [pool.submit(_generator, port, routes, n, seconds, rate * n / clients, warmup) for n in shares if n]
        while not all(f.done() for f in futures):
            rss.append(_rss_kib(pid))
            time.sleep(1)
        parts = [f.result() for f in futures]
    times = {name: [t for p in parts for t in p["times"][name]] for name in routes}
    errors = {name: sum(p["errors"][name] for p in parts) for name in routes}
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


def _cold_lookups(db: str, valid: list[tuple[str, str]]) -> None:
    """What a look-up costs when its answer is not kept (the first for a number, or the first
    after any new event), in this process: the served figures below are mostly kept answers."""
    from certledger.cli.serve_app import Service
    from certledger.events.ledger import Ledger
    from certledger.events.storage import parse_database_url

    ledger = Ledger(parse_database_url(db), read_only=True)
    try:
        service = Service(ledger)
        started = time.perf_counter()
        for number, name in valid:
            service.lookup(number, name)
        cold = (time.perf_counter() - started) / max(1, len(valid))
        started = time.perf_counter()
        for number, name in valid:
            service.lookup(number, name)
        kept = (time.perf_counter() - started) / max(1, len(valid))
    finally:
        ledger.close()
    print(f"look-up in process, {len(valid)} certificates: {cold * 1000:.2f} ms when not kept (replayed from the "
          f"ledger, one at a time under the service's lock: at most {1 / cold:,.0f}/s), {kept * 1000:.3f} ms kept")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--candidates", type=int, default=300)
    parser.add_argument("--db")
    parser.add_argument("--rate", type=float, default=0.0,
                        help="open loop: requests a second, all clients together (0: closed loop, saturation)")
    parser.add_argument("--generators", type=int, default=1, help="load-generator processes")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds of load not counted (caches fill)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="serve-load-"))
    env = {**os.environ, "CERTLEDGER_KEY_PASSPHRASE": "certledger-demo", "CERTLEDGER_KEYS": str(work / "demo" / "keys")}
    db = args.db or str(work / "demo" / "ledger.db")
    if not args.db:
        subprocess.run([CERTLEDGER, "demo", "--dir", str(work / "demo"), "--candidates", str(args.candidates)],
                       env=env, check=True, capture_output=True)
    listing = json.loads(subprocess.run([CERTLEDGER, "--db", db, "register", "certificates", "--json"],
                                        env=env, check=True, capture_output=True, text=True).stdout)
    valid = [(r["number"], r["name"]) for r in listing if r.get("status") == "valid"]  # every one: few repeats
    _cold_lookups(db, valid)
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
            "lookup": [f"/lookup?number={quote(n)}&name={quote(m)}" for n, m in valid],
            "lookup-miss": [f"/lookup?number={quote(n)}&name={quote('某某')}" for n, _ in valid],
            "checkpoint": ["/checkpoint"],
            "index": ["/"],
            "tile": tiles,
            "entries": [t.replace("/tile/0/", "/tile/entries/") for t in tiles],
        }
        mode = f"open loop, {args.rate:.0f} requests/s" if args.rate > 0 else "closed loop (saturation)"
        print(f"certledger serve: {size} leaves in the checkpoint, {args.clients} clients for {args.seconds:.0f} s, "
              f"{mode}, {args.generators} generator process(es), after {args.warmup:.0f} s of warm-up, loopback")
        result = _load(port, routes, args.clients, args.seconds, args.rate, args.generators, server.pid, args.warmup)
        _report("routes (index: a static answer of the same server, the reference):", result, args.seconds)
    finally:
        server.terminate()
        server.wait(timeout=30)
    print("goals: lookup p99 ≤ 50 ms, tile/entries p99 ≤ 20 ms, zero errors, flat RSS")


if __name__ == "__main__":
    main()
