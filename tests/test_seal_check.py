"""The lean e-seal check (signing.pdf_seal.check_seal, no pyHanko) against pyHanko's validator.

pyHanko's validator, with the HRSS root as its only trust anchor and whole-file coverage
required, is the independent check: on good, edited, re-signed and incrementally updated files
the two must agree, and on hostile or truncated input the lean check raises the project's
errors, never anything else, and never accepts what pyHanko refuses.
"""

from __future__ import annotations

import hashlib
import io
import random
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from certledger.domain.errors import CertLedgerError, InputError, TamperError
from certledger.signing.pdf_seal import check_seal, seal_pdf
from certledger.signing.x509_chain import root_certificate, sealing_certificate
from tests.test_document_seal import VALID_FROM, _document, _keys, pyhanko_accepts


def lean_accepts(data: bytes, root_pem: bytes) -> bool:
    try:
        check_seal(data, root_pem)
    except CertLedgerError:
        return False
    return True  # anything else propagates and fails the test


@pytest.fixture(scope="module")
def sealed() -> tuple[bytes, bytes]:
    return _document()


def _incremental(sealed_bytes: bytes) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter(io.BytesIO(sealed_bytes), incremental=True)
    writer.add_blank_page()
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_both_accept_the_issued_document(sealed) -> None:
    data, root_pem = sealed
    assert pyhanko_accepts(data, root_pem) and lean_accepts(data, root_pem)


def test_both_refuse_an_incremental_update(sealed) -> None:
    data, root_pem = sealed
    appended = _incremental(data)
    assert appended.startswith(data)
    assert not pyhanko_accepts(appended, root_pem)
    with pytest.raises(TamperError, match="after sealing"):
        check_seal(appended, root_pem)
    # even a single byte appended is refused (pyHanko too: not the entire file)
    assert not lean_accepts(data + b"\n", root_pem) and not pyhanko_accepts(data + b"\n", root_pem)


def test_both_refuse_another_root(sealed) -> None:
    data, _ = sealed
    other = root_certificate(Ed25519PrivateKey.generate(), not_before=VALID_FROM)
    other_pem = other.public_bytes(serialization.Encoding.PEM)
    assert not pyhanko_accepts(data, other_pem) and not lean_accepts(data, other_pem)


def test_both_refuse_a_seal_by_a_key_the_root_did_not_certify() -> None:
    # an attacker's own chain whose root has HRSS's names but another key
    root_key, _ = _keys()
    attacker = Ed25519PrivateKey.from_private_bytes(hashlib.sha256(b"attacker").digest())
    forged, _ = _document(root_key=attacker)
    hrss = root_certificate(root_key, not_before=VALID_FROM).public_bytes(serialization.Encoding.PEM)
    assert not pyhanko_accepts(forged, hrss) and not lean_accepts(forged, hrss)


def test_both_refuse_edits_anywhere_in_the_signed_bytes(sealed) -> None:
    data, root_pem = sealed
    rng = random.Random(19)
    gap_start = data.index(b"/Contents <") + len(b"/Contents ")
    gap_end = data.index(b">", gap_start) + 1
    positions = [p for p in rng.sample(range(len(data)), 60) if not gap_start <= p < gap_end]
    for at in positions[:40]:
        edited = data[:at] + bytes([data[at] ^ 0x20]) + data[at + 1 :]
        lean = lean_accepts(edited, root_pem)
        assert not lean, at
        assert lean == pyhanko_accepts(edited, root_pem), at


def test_hostile_input_raises_only_project_errors(sealed) -> None:
    data, root_pem = sealed
    rng = random.Random(7)
    gap_start = data.index(b"/Contents <") + len(b"/Contents ")
    gap_end = data.index(b">", gap_start) + 1
    cases = [data[:n] for n in (0, 5, 9, 100, len(data) // 2, gap_start + 3, gap_end, len(data) - 1)]
    # inside the CMS hex: flips, nonsense hex, a shortened container
    for _ in range(60):
        at = rng.randrange(gap_start + 1, gap_end - 1)
        cases.append(data[:at] + rng.choice(b"0123456789abcdefG ") .to_bytes(1, "big") + data[at + 1 :])
    cases.append(data[: gap_start + 1] + b"30" + data[gap_start + 3 :])
    cases.append(data.replace(b"/ByteRange [0 ", b"/ByteRange [1 ", 1))
    cases.append(data.replace(b"/ByteRange [", b"/ByteRange [0 0 0 0] /X [", 1))
    cases.append(data + data)
    cases.append(b"%PDF-1.7\n/ByteRange [0 10 20 99999999999]\n%%EOF")
    cases.append(b"%PDF-1.7\n/Contents <zz>/ByteRange [0 9 13 0]")
    for case in cases:
        try:
            check_seal(case, root_pem)
        except CertLedgerError as exc:
            assert str(exc) and "\n" not in str(exc)
            continue
        # accepted: only if pyHanko accepts it too (a change of the hex padding's case, say)
        assert pyhanko_accepts(case, root_pem), case[:60]


def test_truncated_is_an_input_error(sealed) -> None:
    data, root_pem = sealed
    with pytest.raises(InputError, match="truncated"):
        check_seal(data[: len(data) - 10], root_pem)


def test_a_retired_key_still_vouches_for_what_it_sealed_while_valid() -> None:
    # the seal is checked at its signing time (/M), as pyHanko is given moment=/M
    from datetime import datetime, timezone

    from certledger.events.document_layout import DocumentContent, render_page

    root_key, seal_key = _keys()
    root = root_certificate(root_key, not_before=VALID_FROM)
    window = sealing_certificate(seal_key.public_key(), root_key, not_before=VALID_FROM,
                                 not_after=datetime(2024, 12, 31, tzinfo=timezone.utc))
    root_pem = root.public_bytes(serialization.Encoding.PEM)
    for when, ok in ((datetime(2024, 6, 1, tzinfo=timezone.utc), True),
                     (datetime(2025, 6, 1, tzinfo=timezone.utc), False)):
        content = DocumentContent(kind="certificate", holder_name="王五", id_number_masked="410***********9999",
                                  qualification="一级建造师", level_or_specialty="建筑工程", number="HN-1",
                                  issued_on=when, qr_payload="CL1:HN-1", check_line="核验。")
        data = seal_pdf(render_page(content), seal_key=seal_key, seal_cert=window, root_cert=root,
                        signing_time=when, document_id=b"\x02" * 16)
        assert lean_accepts(data, root_pem) is ok
        assert pyhanko_accepts(data, root_pem) is ok


def test_the_check_imports_neither_pyhanko_nor_asn1crypto(sealed, tmp_path: Path) -> None:
    data, root_pem = sealed
    (tmp_path / "d.pdf").write_bytes(data)
    (tmp_path / "root.pem").write_bytes(root_pem)
    code = (
        "import sys, pathlib; from certledger.signing.pdf_seal import check_seal; "
        f"p = pathlib.Path({str(tmp_path)!r}); "
        "check_seal((p / 'd.pdf').read_bytes(), (p / 'root.pem').read_bytes()); "
        "bad = [m for m in sys.modules if m.split('.')[0] in ('pyhanko', 'pyhanko_certvalidator', 'asn1crypto', 'fpdf', 'fontTools')]; "
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
