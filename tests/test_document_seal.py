"""The sealed document (issue 19 item 1, 4): layout, PAdES e-seal, QR, determinism, bad input.

These tests use fixed keys, not a ledger: the ledger wiring (`cert document`, the publication
act) is not built yet. The seal is checked by pyHanko's validator with the HRSS root as the
only trust anchor (pyhanko_accepts) and by the lean check_seal (tests/test_seal_check.py). poppler's pdfsig (22.12, NSS) answers "Document isn't signed or corrupted
data" for an Ed25519 CMS signature: Debian's NSS cannot verify EdDSA in CMS, so pdfsig is not
used as a second validator (see test_pdfsig_cannot_check_ed25519).
"""

from __future__ import annotations

import hashlib
import io
import shutil
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from certledger.domain.errors import CertLedgerError, InputError, TamperError
from certledger.events.document_layout import DocumentContent, render_page
from certledger.signing.pdf_seal import check_seal, seal_pdf
from certledger.signing.x509_chain import root_certificate, sealing_certificate

CST = timezone(timedelta(hours=8))
VALID_FROM = datetime(2024, 1, 1, tzinfo=timezone.utc)


def _keys():
    return (
        Ed25519PrivateKey.from_private_bytes(hashlib.sha256(b"root").digest()),
        Ed25519PrivateKey.from_private_bytes(hashlib.sha256(b"seal").digest()),
    )


def _document(kind: str = "certificate", root_key=None) -> tuple[bytes, bytes]:
    root_key_, seal_key = _keys()
    root_key = root_key or root_key_
    content = DocumentContent(
        kind=kind,
        holder_name="张三",
        id_number_masked="410***********1234",
        qualification="一级建造师",
        level_or_specialty="建筑工程",
        number="HN-2024-000001",
        issued_on=datetime(2024, 5, 6, 9, 0, tzinfo=CST),
        qr_payload="CL1:HN-2024-000001",
        check_line="扫描二维码或登录河南省政务服务网核验。",
    )
    root = root_certificate(root_key, not_before=VALID_FROM)
    seal = sealing_certificate(seal_key.public_key(), root_key, not_before=VALID_FROM)
    sealed = seal_pdf(
        render_page(content),
        seal_key=seal_key,
        seal_cert=seal,
        root_cert=root,
        signing_time=content.issued_on,
        document_id=b"\x07" * 16,
    )
    return sealed, root.public_bytes(serialization.Encoding.PEM)


def pyhanko_accepts(data: bytes, root_pem: bytes) -> bool:
    """pyHanko 0.38's verdict: one signature, intact, valid, trusted, covering the whole file."""
    from asn1crypto import x509 as asn1_x509
    from cryptography import x509
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    root = x509.load_pem_x509_certificate(root_pem)
    try:
        signatures = PdfFileReader(io.BytesIO(data), strict=False).embedded_signatures
        if len(signatures) != 1:
            return False
        context = ValidationContext(
            trust_roots=[asn1_x509.Certificate.load(root.public_bytes(serialization.Encoding.DER))],
            moment=signatures[0].self_reported_timestamp,
        )
        status = validate_pdf_signature(signatures[0], context)
    except Exception:
        return False
    return bool(status.intact and status.valid and status.trusted
                and status.coverage == SignatureCoverageLevel.ENTIRE_FILE)


@pytest.mark.parametrize("kind", ["certificate", "pass_proof"])
def test_seal_validates_against_the_hrss_root(kind: str) -> None:
    sealed, root_pem = _document(kind)
    assert pyhanko_accepts(sealed, root_pem)  # the independent validator
    result = check_seal(sealed, root_pem)
    assert "电子印章" in result.signer_subject
    assert result.signing_time == datetime(2024, 5, 6, 9, 0, tzinfo=CST)
    assert result.not_checked  # it names what it does not cover


def test_another_root_is_refused() -> None:
    sealed, _ = _document()
    other = root_certificate(Ed25519PrivateKey.generate(), not_before=VALID_FROM)
    with pytest.raises(TamperError, match="root"):
        check_seal(sealed, other.public_bytes(serialization.Encoding.PEM))


def test_same_inputs_give_identical_bytes() -> None:
    assert _document()[0] == _document()[0]


def test_one_changed_byte_is_refused() -> None:
    sealed, root_pem = _document()
    # a byte inside the page content (a signed range), not the signature's hex
    at = sealed.index(b"stream") + 40
    edited = sealed[:at] + bytes([sealed[at] ^ 0x01]) + sealed[at + 1 :]
    with pytest.raises(CertLedgerError):
        check_seal(edited, root_pem)


def test_a_page_added_after_sealing_is_refused() -> None:
    from pypdf import PdfWriter

    sealed, root_pem = _document()
    writer = PdfWriter(io.BytesIO(sealed), incremental=True)
    writer.add_blank_page()
    out = io.BytesIO()
    writer.write(out)
    appended = out.getvalue()
    assert appended.startswith(sealed)  # an incremental update: the sealed bytes are intact
    with pytest.raises(TamperError, match="after sealing"):
        check_seal(appended, root_pem)


def test_qr_decodes_from_the_page_at_150_dpi(tmp_path: Path) -> None:
    import zxingcpp
    from PIL import Image

    sealed, _ = _document()
    path = tmp_path / "d.pdf"
    path.write_bytes(sealed)
    subprocess.run(["pdftoppm", "-r", "150", "-png", str(path), str(tmp_path / "p")], check=True)
    (png,) = tmp_path.glob("p*.png")
    assert [r.text for r in zxingcpp.read_barcodes(Image.open(png))] == ["CL1:HN-2024-000001"]


def test_the_cjk_font_is_an_embedded_subset(tmp_path: Path) -> None:
    sealed, _ = _document()
    path = tmp_path / "d.pdf"
    path.write_bytes(sealed)
    fonts = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout
    line = next(l for l in fonts.splitlines() if "NotoSerifCJK" in l)
    assert "+NotoSerifCJKSC" in line and line.split()[-5:-2] == ["yes", "yes", "yes"]


@pytest.mark.parametrize(
    "data", [b"", b"hello, not a pdf", b"%PDF-1.7\n" + b"\x00" * 50]
)
def test_bad_input_is_a_clear_error(data: bytes) -> None:
    _, root_pem = _document()
    with pytest.raises((InputError, TamperError)):
        check_seal(data, root_pem)


def test_truncated_pdf_is_a_clear_error() -> None:
    sealed, root_pem = _document()
    with pytest.raises(CertLedgerError):
        check_seal(sealed[: len(sealed) // 2], root_pem)


@pytest.mark.skipif(shutil.which("pdfsig") is None, reason="poppler-utils not installed")
def test_pdfsig_cannot_check_ed25519(tmp_path: Path) -> None:
    # Records a limitation, not our behaviour: Debian's poppler/NSS does not verify EdDSA in
    # CMS. If this starts failing, pdfsig has learnt Ed25519: make it a second validator.
    sealed, _ = _document()
    path = tmp_path / "d.pdf"
    path.write_bytes(sealed)
    out = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True).stdout
    assert "Signature Validation: Signature is Valid" not in out


def test_the_embedded_glyphs_are_the_fonts_own(tmp_path: Path) -> None:
    # the subset is assembled by document_layout (not fontTools' subsetter): every glyph it
    # embeds must draw exactly as in the installed face, and the ToUnicode text must read back
    from fontTools.cffLib import CFFFontSet
    from fontTools.pens.recordingPen import RecordingPen
    from fontTools.ttLib import TTFont
    from pypdf import PdfReader

    from certledger.events.document_layout import FONT_INDEX_SC, FONT_PATH

    sealed, _ = _document("pass_proof")
    (tmp_path / "d.pdf").write_bytes(sealed)
    text = subprocess.run(["pdftotext", str(tmp_path / "d.pdf"), "-"], check=True, capture_output=True, text=True).stdout
    assert "有效期至全国统一印制的纸质证书颁发之日止" in "".join(text.split())
    assert "张三" in text and "一级建造师" in text
    page = PdfReader(io.BytesIO(sealed)).pages[0]
    (font,) = page["/Resources"]["/Font"].values()
    descriptor = font.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"]
    cff = CFFFontSet()
    cff.decompile(io.BytesIO(descriptor["/FontFile3"].get_object().get_data()), None)
    embedded = cff[cff.fontNames[0]].CharStrings
    original = TTFont(FONT_PATH, fontNumber=FONT_INDEX_SC, lazy=True)["CFF "].cff
    original = original[original.fontNames[0]].CharStrings
    names = list(embedded.keys())
    assert len(names) > 40 and names[0] == ".notdef"
    for name in names:
        a, b = RecordingPen(), RecordingPen()
        embedded[name].draw(a)
        original[name].draw(b)
        assert a.value == b.value, name
        assert embedded[name].width == original[name].width, name


def test_bytes_do_not_depend_on_what_was_rendered_before() -> None:
    # the face and its glyphs are cached per process: a document must not carry glyphs or
    # state from the documents before it
    first = _document("certificate")[0]
    _document("pass_proof")
    assert _document("certificate")[0] == first


def test_the_seal_template_gives_pyhankos_own_bytes() -> None:
    # seal_pdf splices each document's digest and signature into a CMS pyHanko made once;
    # the result must be byte for byte what pyHanko's own signing path writes
    from certledger.signing import pdf_seal

    root_key, seal_key = _keys()
    root = root_certificate(root_key, not_before=VALID_FROM)
    seal = sealing_certificate(seal_key.public_key(), root_key, not_before=VALID_FROM)
    for kind, number in (("certificate", "HN-2024-000001"), ("pass_proof", "豫考证〔2025〕00104")):
        content = DocumentContent(
            kind=kind, holder_name="李四", id_number_masked="410***********0000",
            qualification="一级建造师", level_or_specialty="市政公用工程", number=number,
            issued_on=datetime(2025, 3, 1, 10, 0, tzinfo=CST), qr_payload=f"CL1:{number}",
            check_line="扫描二维码核验。",
        )
        page = render_page(content)
        args = dict(seal_key=seal_key, seal_cert=seal, root_cert=root,
                    signing_time=content.issued_on, document_id=b"\x01" * 16)
        fast = seal_pdf(page, **args)
        assert fast == pdf_seal.seal_pdf(page, **args, _template=False)
        assert fast == seal_pdf(page, **args)
        check_seal(fast, root.public_bytes(serialization.Encoding.PEM))


def _pyhanko_cli(path: Path, root: Path) -> subprocess.CompletedProcess[str]:
    """pyHanko's own command line, as the README tells a user to run it."""
    command = Path(sys.executable).parent / "pyhanko"
    return subprocess.run([str(command), "sign", "validate", "--no-revocation-check", "--trust", str(root),
                           "--trust-replace", "--validation-time", "claimed", str(path)],
                          capture_output=True, text=True, timeout=120)


def test_pyhankos_command_line_accepts_the_seal_and_refuses_an_edit_or_a_page(tmp_path: Path) -> None:
    from pypdf import PdfWriter

    sealed, root_pem = _document()
    root = tmp_path / "root.pem"
    root.write_bytes(root_pem)
    (tmp_path / "d.pdf").write_bytes(sealed)
    accepted = _pyhanko_cli(tmp_path / "d.pdf", root)
    assert accepted.returncode == 0 and ":INTACT:TRUSTED,UNTOUCHED" in accepted.stdout, accepted.stdout + accepted.stderr

    at = sealed.index(b"stream") + 40
    (tmp_path / "edited.pdf").write_bytes(sealed[:at] + bytes([sealed[at] ^ 0x01]) + sealed[at + 1:])
    edited = _pyhanko_cli(tmp_path / "edited.pdf", root)
    assert edited.returncode != 0 and ":INVALID" in edited.stdout, edited.stdout + edited.stderr

    writer = PdfWriter(io.BytesIO(sealed), incremental=True)
    writer.add_blank_page()
    with (tmp_path / "page.pdf").open("wb") as f:
        writer.write(f)
    paged = _pyhanko_cli(tmp_path / "page.pdf", root)
    assert paged.returncode != 0 and "ILLEGAL_MODIFICATIONS" in paged.stdout, paged.stdout  # a page after the seal

    other = tmp_path / "other.pem"
    other.write_bytes(root_certificate(Ed25519PrivateKey.generate(), not_before=VALID_FROM)
                      .public_bytes(serialization.Encoding.PEM))
    untrusted = _pyhanko_cli(tmp_path / "d.pdf", other)
    assert untrusted.returncode != 0, untrusted.stdout
