"""Benchmark: cold check of a sealed PDF, as a fresh process (goal ≤ 300 ms, issue 19).

    .venv/bin/python bench/pdf_verify.py [--runs 20]

Seals one e-certificate with the building blocks (bench/cert_document.py's content, a fixed
HRSS key pair and chain), writes it and the root certificate (PEM) to a temporary directory,
then runs, ``--runs`` times each as a fresh process: ``python -c pass`` (the interpreter's
own start, the reference), the lean ``signing.pdf_seal.check_seal`` alone (``python
bench/pdf_verify.py --check FILE ROOT``: Python, the package, ``cryptography``, the check),
and ``certledger cert verify FILE --trust ROOT`` when this checkout's CLI takes PDFs. Prints
the median and worst wall time of each and the ratio to ``python -c pass``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def check(pdf: str, root: str) -> None:
    """The child process: only what a PDF check needs is imported."""
    from certledger.signing.pdf_seal import check_seal

    result = check_seal(Path(pdf).read_bytes(), Path(root).read_bytes())
    print(result.signer_subject, result.signing_time)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--check", nargs=2, metavar=("FILE", "ROOT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.check:
        check(*args.check)
        return

    import hashlib
    import statistics
    import subprocess
    import tempfile
    from datetime import datetime, timezone

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from cert_document import contents  # noqa: E402
    from cert_verify import CERTLEDGER, timed  # noqa: E402

    from certledger.events.document_layout import render_page
    from certledger.signing.pdf_seal import seal_pdf
    from certledger.signing.x509_chain import root_certificate, sealing_certificate

    root_key = Ed25519PrivateKey.from_private_bytes(hashlib.sha256(b"bench root").digest())
    seal_key = Ed25519PrivateKey.from_private_bytes(hashlib.sha256(b"bench seal").digest())
    since = datetime(2024, 1, 1, tzinfo=timezone.utc)
    root = root_certificate(root_key, not_before=since)
    seal = sealing_certificate(seal_key.public_key(), root_key, not_before=since)
    content = contents(2)[1]
    data = seal_pdf(render_page(content), seal_key=seal_key, seal_cert=seal, root_cert=root,
                    signing_time=content.issued_on, document_id=b"\x00" * 16)
    with tempfile.TemporaryDirectory() as tmp:
        pdf, pem = Path(tmp) / "e-certificate.pdf", Path(tmp) / "hrss-root.pem"
        pdf.write_bytes(data)
        pem.write_bytes(root.public_bytes(serialization.Encoding.PEM))
        lean = [sys.executable, str(Path(__file__).resolve()), "--check", str(pdf), str(pem)]
        cli = [CERTLEDGER, "cert", "verify", str(pdf), "--root", str(pem)]
        subprocess.run(lean, check=True, capture_output=True)
        rows = [("python -c pass", [sys.executable, "-c", "pass"]), ("check_seal, fresh process", lean)]
        answer = subprocess.run(cli, capture_output=True, text=True)
        if answer.returncode != 0:  # a benchmark of a failing command would measure nothing
            sys.exit(f"certledger cert verify FILE.pdf failed (exit {answer.returncode}): {answer.stderr.strip()[-300:]}")
        rows.append(("certledger cert verify FILE.pdf", cli))
        times = {name: timed(command, args.runs) for name, command in rows}
    base = statistics.median(times["python -c pass"])
    print(f"sealed PDF: {len(data)} bytes, {args.runs} runs each")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"{name:34} median {median:6.1f} ms   worst {max(values):6.1f} ms   {median / base:4.1f}× python -c pass")
    worst = max(statistics.median(v) for k, v in times.items() if k != "python -c pass")
    print(f"goal ≤ 300 ms: {'met' if worst <= 300 else 'NOT met'} here")


if __name__ == "__main__":
    main()
