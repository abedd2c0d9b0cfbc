"""``cert verify FILE.pdf``: the issued document's offline check (the PAdES e-seal under HRSS's
root certificate, nothing after the signed revision, the QR text) and, with ``--db``, whether
it is the document HRSS published (:mod:`events.document`). Light on purpose: the store's
libraries load only for ``--db``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import click

from certledger.domain.errors import CertLedgerError, InputError, TamperError

MAX_PDF_BYTES = 16 * 1024 * 1024  # an issued document is some 100 kB
KIND_TERMS = {"e-certificate": "电子证书", "pass-proof": "合格证明"}
STATUS_TERMS = {"void": "void (作废)", "superseded": "superseded by the paper certificate (已由纸质证书替代)"}
_BYTE_RANGE = re.compile(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]")


def _info(data: bytes) -> dict[str, str]:
    import io

    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        info = PdfFileReader(io.BytesIO(data), strict=False).trailer_view.get("/Info")
        found = {} if info is None else info.get_object()
        return {k: str(found[k]) for k in ("/Title", "/Subject", "/Keywords") if k in found}
    except Exception as e:  # noqa: BLE001 - a damaged file: the seal check named it already
        raise InputError(f"not a readable PDF: {type(e).__name__}") from None


def _signed_to_the_end(data: bytes) -> None:
    ranges = _BYTE_RANGE.findall(data)
    if len(ranges) != 1:
        raise TamperError(f"the PDF carries {len(ranges)} signature byte ranges; the issued document has one e-seal")
    start, first, second, length = (int(x) for x in ranges[0])
    if start != 0 or second + length != len(data):
        raise TamperError(f"the PDF has {len(data) - second - length} bytes after the signed revision "
                          "(an incremental update or appended data): not the document as sealed")


def check_pdf(data: bytes, root_pem: bytes, db_url: str | None, kept_note: str | None = None,
              id_number: str | None = None) -> dict[str, Any]:
    """The PDF's checks; raises InputError (not a PDF) or TamperError (does not hold).

    The PDF carries no status list (the document is sealed once, at issue), so offline its
    status is not checked; with ``--db`` it comes from the status list the newest checkpoint
    (or the auditor's kept note) signs, never from a replay alone."""
    from certledger.events import document as doc
    from certledger.signing.pdf_seal import check_seal

    if not data.startswith(b"%PDF-"):
        raise InputError("not a PDF: the file does not start with %PDF-")
    if len(data) > MAX_PDF_BYTES:
        raise InputError(f"a PDF of {len(data)} bytes: the issued documents are far smaller (limit {MAX_PDF_BYTES})")
    seal = check_seal(data, root_pem)
    _signed_to_the_end(data)
    info = _info(data)
    if "/Subject" not in info:
        raise TamperError("the sealed PDF carries no QR text (/Subject): not a certledger document")
    qr = doc.parse_qr(info["/Subject"])
    checked = [*seal.checked, f"QR code text under the seal: {qr.text}"]
    not_checked = [line for line in seal.not_checked if "status" not in line]
    result: dict[str, Any] = {
        "ok": True, "kind": "pdf", "title": info.get("/Title"), "number": qr.number, "sha256": seal.sha256,
        "qr": qr.text, "sealed_by": seal.signer_subject, "sealed_at": seal.signing_time, "issued_document": None,
    }
    if db_url is not None:
        not_checked = [line for line in not_checked if "ledger" not in line]
        result.update(_against_ledger(qr, seal.sha256, db_url, checked, not_checked, kept_note))
    else:
        result["status"] = "not checked"
        not_checked.append("status: not checked offline, the PDF carries no status list (--db answers it from the "
                           "list a checkpoint signs; the credential with --status-list answers it offline)")
    if id_number is not None:
        from certledger.cli import id_check

        binding = doc.parse_id_binding(info["/Keywords"]) if info.get("/Keywords") else None
        found = id_check.check(id_number, binding.commitment if binding else None, binding.salt if binding else None)
        result["id_number"] = found.to_json()
        (checked if found.result == id_check.MATCHES else not_checked).append(found.line)
    result["checked"], result["not_checked"] = checked, not_checked
    return result


def _against_ledger(qr: Any, sha256: str, db_url: str, checked: list[str], not_checked: list[str],
                    kept_note: str | None) -> dict[str, Any]:
    from certledger.events import document as doc
    from certledger.events import provenance
    from certledger.events.checkpointed_status import proven_status
    from certledger.events.ledger import Ledger
    from certledger.events.storage import parse_database_url

    ledger = Ledger(parse_database_url(db_url), read_only=True)
    try:
        try:
            found = [f for f in provenance.find_certificate(ledger, qr.number) if f.kind in provenance.SEALED_KINDS]
        except InputError as e:
            raise TamperError(f"not the issued document: {e}") from None
        if not found:
            raise TamperError(f"not the issued document: {qr.number} is not an e-certificate or pass proof here")
        issued = doc.issued_of(found[0])
        if issued.event_digest.hex() != qr.event_sha256:
            raise TamperError(f"not the issued document: its QR code names sealed event sha256 {qr.event_sha256}, "
                              f"the ledger's {found[0].kind} {qr.number} is {issued.event_digest.hex()}")
        candidacy = found[0].candidacy
        if candidacy.document_sha256 is None:
            raise TamperError(f"not the issued document: HRSS has published no document for {qr.number} "
                              "(cert document records the publication)")
        if candidacy.document_sha256 != sha256:
            raise TamperError(f"not the issued document: its sha256 {sha256} is not the published one, "
                              f"{candidacy.document_sha256} (文书发布 {candidacy.document_published_on}); it may "
                              "merely look like it")
        try:
            status = proven_status(ledger, found[0], kept_note)
        except InputError as e:  # no checkpoint signs a list: a replay alone proves nothing
            raise TamperError(f"the status cannot be proven against this ledger: {e}") from None
    finally:
        ledger.close()
    checked.append(f"ledger: the QR code names {found[0].kind} {qr.number}'s sealed event")
    checked.append(f"ledger: the PDF's sha256 is the one HRSS published on {candidacy.document_published_on} "
                   "(文书发布, 河南省政务服务网): the issued document")
    proven = status["proven"]
    if proven.void is None:
        not_checked.append(f"ledger status: {proven.describe()}; the replay says {status['status']}, which no "
                           "checkpoint proves yet")
    else:
        checked.append(f"ledger status: {proven.describe()}")
    if status["status"] == "void":
        checked.append(f"ledger: void (作废) since {status['since']} ({status['rule']}: {status['reason']})")
    not_checked.append(f"ledger: {proven.not_covered()}")
    return {"issued_document": True, "document_kind": found[0].kind, "published_on": candidacy.document_published_on,
            "status": status["status"], "proven": proven.to_json()}


def run_verify(path: Path, data: bytes, root_path: Path | None, db_url: str | None, as_json: bool,
               kept_note: str | None = None, id_number: str | None = None) -> None:
    """``cert verify FILE.pdf --root ROOT.pem [--db URL [--checkpoint NOTE]] [--json]``: exit 0
    when the seal holds (and, with --db, it is the issued document and valid); 1 when not."""
    from certledger.cli.output import emit_json

    try:
        if root_path is None:
            raise InputError("a PDF is checked against HRSS's root certificate: give --root root.pem "
                             "(certledger cert root-cert -o root.pem writes it)")
        try:
            root_pem = root_path.read_bytes()
        except OSError as e:
            raise InputError(f"cannot read {root_path}: {e.strerror}") from None
        result = check_pdf(data, root_pem, db_url, kept_note, id_number)
    except CertLedgerError as e:
        if as_json:
            emit_json({"ok": False, "kind": "pdf", "reason": type(e).__name__, "message": str(e)})
        raise
    kind = result.get("document_kind")
    shown = f"{kind} {KIND_TERMS[kind]}" if kind else "document"
    status = result["status"]
    matched = result.get("id_number", {}).get("result", "matches") == "matches"
    if status not in ("valid", "not checked") or not matched:
        result["ok"] = False
    if as_json:
        emit_json(result)
    else:
        _print(path, result, shown)
    if not matched:
        raise TamperError(f"L-7: {path}: {result['id_number']['message']}")
    if status not in ("valid", "not checked"):
        raise TamperError(f"the issued {shown} {result['number']} is sealed and published, but the ledger records it as "
                          f"{STATUS_TERMS.get(status, status)}")


def _verdict(result: dict[str, Any], shown: str) -> str:
    if not result["issued_document"]:
        return (f"OK offline: a {shown} sealed by HRSS (电子印章), number {result['number']}; whether it is the issued "
                "document, and its status, need --db")
    proven = result["proven"]
    if result["status"] != "valid":
        return f"NOT VALID: the issued {shown} {result['number']} is {STATUS_TERMS.get(result['status'], result['status'])}"
    where = (f"its status valid as of checkpoint {proven['checkpoint_size']} of the ledger (not after it)"
             if proven["status"] != "not covered" else
             "its status valid by the replay only: no checkpoint covers it yet")
    return f"OK: the issued {shown} {result['number']}, sealed by HRSS (电子印章) and published (文书发布); {where}"


def _print(path: Path, result: dict[str, Any], shown: str) -> None:
    verdict = _verdict(result, shown)
    click.echo(f"{path}: PDF document (文书), {result.get('title') or 'untitled'}")
    click.echo(verdict)
    click.echo(f"  sha256       {result['sha256']}")
    click.echo(f"  sealed at    {result['sealed_at'].astimezone(_cst()).isoformat() if result['sealed_at'] else '—'}")
    for line in result["checked"]:
        click.echo(f"  checked      {line}")
    for line in result["not_checked"]:
        click.echo(f"  not checked  {line}")


def _cst() -> Any:
    from certledger.domain.clock import CST

    return CST
