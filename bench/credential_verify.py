"""Benchmark: cold ``certledger cert verify CREDENTIAL.json`` wall time (goal ≤ 300 ms, issue 19).

    .venv/bin/python bench/credential_verify.py [--runs 20] [--candidates 40]

Builds the demo ledger, which writes its credentials, HRSS's DID document and a signed
revocation list (certledger-demo/credentials), then runs ``certledger cert verify
CREDENTIAL --did did.json --status-list LIST`` as a fresh process ``--runs`` times and prints
the median and worst wall time beside ``python -c pass`` measured in the same run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cert_verify import CERTLEDGER, build_demo, timed  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--candidates", type=int, default=40)
    args = parser.parse_args()
    env = {**os.environ, "CERTLEDGER_KEY_PASSPHRASE": "bench"}
    with tempfile.TemporaryDirectory() as tmp:
        made = build_demo(tmp, args.candidates, env) / "credentials"
        base = [CERTLEDGER, "cert", "verify", str(made / "credential-e-certificate.json"), "--did", str(made / "did.json")]
        with_list = [*base, "--status-list", str(made / "status-revocation.json")]
        subprocess.run(with_list, check=True, capture_output=True)  # it verifies, and the files are cached
        python = timed([sys.executable, "-c", "pass"], args.runs)
        alone = timed(base, args.runs)
        listed = timed(with_list, args.runs)
    for name, times in (("python -c pass", python), ("cert verify CREDENTIAL", alone),
                        ("  … --status-list", listed)):
        print(f"{name:24} median {statistics.median(times):6.1f} ms   worst {max(times):6.1f} ms")
    worst = max(statistics.median(alone), statistics.median(listed))
    print(f"cert verify CREDENTIAL / bare interpreter start: {worst / statistics.median(python):.1f}×; goal: ≤ 300 ms "
          f"({'met' if worst <= 300 else 'NOT met'} here)")


if __name__ == "__main__":
    main()
