"""Benchmark: one BitstringStatusListCredential for 1.5M certificates, built and signed
(goal ≤ 2 s, issue 19).

    .venv/bin/python bench/status_list.py [--certificates 1500000] [--revoked 0.01] [--runs 5]

Times what a checkpoint does with its list, :func:`events.status_list.signed_list` (the
bitstring of the void set, GZIP, multibase, JCS, SHA-256, Ed25519, the stored text and its
digest) and its check (verify the proof, inflate, read one bit), beside a
reference measured in the same run: hashing the same bitstring with SHA-256. The void set here
is random at the given rate; finding it in the ledger is incremental at each checkpoint
(only candidacies with a voiding act since the last one are replayed).
"""

from __future__ import annotations

import argparse
import hashlib
import random
import statistics
import time
from datetime import datetime, timezone

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from certledger.events import credential as vc
from certledger.events import credential_check as check
from certledger.events import status_list
from certledger.signing import keys


def _ms(action, runs: int) -> tuple[list[float], object]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = action()
        times.append((time.perf_counter() - start) * 1000)
    return times, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--certificates", type=int, default=1_500_000)
    parser.add_argument("--revoked", type=float, default=0.01, help="share of certificates void")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    rng = random.Random(19)
    length = vc.list_length(args.certificates)
    raw = bytearray(length // 8)
    for i in rng.sample(range(args.certificates), int(args.certificates * args.revoked)):
        raw[i // 8] |= 0x80 >> (i % 8)
    bits = bytes(raw)
    key = Ed25519PrivateKey.generate()
    method = vc.verification_method_id(vc.did_of(vc.DEFAULT_DID_HOST), keys.key_id_of(keys.raw_public_key(key)))
    when = datetime(2026, 12, 7, tzinfo=timezone.utc)

    snapshot = status_list.StatusSnapshot(0, args.certificates, frozenset(
        i for i in range(args.certificates) if raw[i // 8] >> (7 - i % 8) & 1))

    def build():
        # what a checkpoint does (events/status_list.py): the bits of the snapshot, the signed
        # list, its stored JCS text and the digest the note names
        signed = status_list.signed_list(snapshot, host=vc.DEFAULT_DID_HOST, origin="0" * 64, size=args.certificates,
                                         root=bytes(32), recorded_at=when, sign=lambda m: keys.sign(key, m),
                                         key_id=keys.key_id_of(keys.raw_public_key(key)))
        status_list.list_digest(status_list.list_text(signed))
        return signed

    reference, _ = _ms(lambda: hashlib.sha256(bits).digest(), args.runs)
    built, listed = _ms(build, args.runs)
    did = {"id": vc.did_of(vc.DEFAULT_DID_HOST), "assertionMethod": [method], "verificationMethod": [
        {"id": method, "type": "Multikey", "controller": vc.did_of(vc.DEFAULT_DID_HOST),
         "publicKeyMultibase": vc.di.public_key_multibase(keys.raw_public_key(key))}]}

    def read():
        check._verify_signed(listed, check._Keys(did), "the status list")
        return vc.status_bit(vc.decode_list(listed["credentialSubject"]["encodedList"]), args.certificates - 1)

    checked, _ = _ms(read, args.runs)
    size = len(listed["credentialSubject"]["encodedList"])
    print(f"status list: {args.certificates:,} certificates, {length:,} bits, {args.revoked:.0%} revoked; "
          f"encodedList {size:,} characters")
    for name, times in (("sha256 of the bits", reference), ("build + sign", built), ("verify + read a bit", checked)):
        print(f"{name:22} median {statistics.median(times):8.1f} ms   worst {max(times):8.1f} ms")
    median = statistics.median(built)
    print(f"build + sign / sha256 of the bits: {median / statistics.median(reference):.0f}×; goal: ≤ 2 s "
          f"({'met' if median <= 2000 else 'NOT met'} here)")


if __name__ == "__main__":
    main()
