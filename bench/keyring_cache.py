"""Benchmark: opening a ledger (building its keyring) with and without the keyring cache.

    .venv/bin/python bench/keyring_cache.py [--parties 5000] [--runs 5] [--db URL]

Builds a ledger whose trust registry holds ``--parties`` parties with one key each (2 trust
events apiece; witnesses stand in for parties, as candidates are never registered, T-6), then opens it ``--runs`` times with no cache —
the baseline: every trust event replayed and its signature verified — and ``--runs`` times
from a warm cache (events.keyring_cache), and prints the medians and their ratio. The figure
is a ratio measured in one run, so it reads the same on any machine.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from certledger.domain.parties import PartyKind
from certledger.events.keyring_cache import KeyringCache
from certledger.events.ledger import Ledger
from certledger.events.storage import parse_database_url
from certledger.signing.keys import new_private_key, raw_public_key
from certledger.signing.keystore import KeyStore
from certledger.signing.wallet import Wallet


def opened(url: str, cache: KeyringCache | None) -> tuple[float, int]:
    start = time.perf_counter()
    ledger = Ledger(parse_database_url(url), keyring_cache=cache, read_only=True)
    ledger.registry()
    elapsed = (time.perf_counter() - start) * 1000
    read = ledger.trust_events_read
    ledger.close()
    return elapsed, read


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--parties", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--db", help="an empty database URL (default: a temporary SQLite file)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or f"sqlite:///{tmp}/bench.db"
        store = KeyStore(Path(tmp) / "keys", lambda: b"bench", kdf_rounds=1_000)
        ledger = Ledger(parse_database_url(url), Wallet(store), create=True)
        root = new_private_key()
        store.remember(root)
        ledger.initialise(raw_public_key(root), simulated=True)
        parties = []
        for i in range(args.parties):
            party = f"witness.w{i:05d}"
            parties.append((party, f"见证方{i:05d}", PartyKind.WITNESS, ledger.claim(party, new_private_key())))
        ledger.enrol(parties)
        events = ledger.registry().version
        ledger.close()

        cold = [opened(url, None) for _ in range(args.runs)]
        cache = KeyringCache(Path(tmp) / "cache")
        filling = opened(url, cache)
        warm = [opened(url, cache) for _ in range(args.runs)]
        assert all(read == events for _, read in cold) and filling[1] == events
        assert all(read == 0 for _, read in warm), "a warm cache re-verified trust events"
        cold_ms = statistics.median(t for t, _ in cold)
        warm_ms = statistics.median(t for t, _ in warm)
        print(f"trust registry: {events:,} events ({args.parties:,} parties with a key), {url.split(':')[0]}")
        print(f"open, no cache (baseline, full replay): median {cold_ms:8.1f} ms over {args.runs} runs")
        print(f"open, first with cache (replay + write): {filling[0]:8.1f} ms")
        print(f"open, warm cache (0 trust events verified): median {warm_ms:8.1f} ms   ratio {warm_ms / cold_ms:.3f} of baseline")


if __name__ == "__main__":
    main()
