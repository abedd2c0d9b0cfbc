"""``certledger cert root-cert``, ``cert document NUMBER`` and ``cert verify FILE.pdf``: HRSS's
root certificate, the sealed PDF document and its check (:mod:`events.document`).

``cert document``'s first run records HRSS's publication act (文书发布, on 河南省政务服务网, 2019
§一(二)(三)) carrying the PDF's SHA-256; every later run re-renders read-only and must give the
same bytes. ``cert verify FILE.pdf`` imports neither the store's libraries nor the domain's
aggregates unless ``--db`` is given.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import click

from certledger.cli.credential import did_host_option
from certledger.cli.session import Session
from certledger.domain.errors import InputError, RuleViolation

pass_session = click.make_pass_decorator(Session)


@click.group()
def cert_commands() -> None:
    """(merged into ``certledger cert`` by :mod:`cli.cert`)"""


def _root_key(session: Session, registry: Any) -> Any:
    from certledger.domain.parties import ROOT_PARTY
    from certledger.events.document import genesis_key

    genesis = genesis_key(registry)
    key = session.keystore().private_key(ROOT_PARTY, genesis.key_id, retired_too=True)  # rotated away: retired
    if key is None:
        raise InputError(f"HRSS's root certificate is signed by its genesis key {genesis.key_id}, and "
                         f"{session.keys_dir} does not hold it")
    return key


@cert_commands.command("root-cert")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write it here (default: stdout).")
@pass_session
def root_cert(session: Session, output: Path | None) -> None:
    """HRSS's root certificate (根证书, X.509 PEM) from the trust registry: the genesis key,
    self-signed, valid from the genesis with no end date; it certifies the sealing keys that
    seal the documents ('cert document'). Give it to any PDF signature validator as the one
    trust anchor. Needs the genesis key in --keys. Read only."""
    from cryptography.hazmat.primitives import serialization

    from certledger.events.document import genesis_key, root_certificate_of

    ledger = session.ledger(read_only=True)
    registry = ledger.registry()
    pem = root_certificate_of(registry, _root_key(session, registry)).public_bytes(serialization.Encoding.PEM)
    if output is None:
        click.echo(pem.decode(), nl=False)
        return
    _write(output, pem)
    click.echo(f"wrote {output}: HRSS's root certificate (根证书) for genesis key {genesis_key(registry).key_id}, "
               f"sha256 {hashlib.sha256(pem).hexdigest()[:16]}…", err=True)


def _write(output: Path, data: bytes) -> None:
    try:
        output.write_bytes(data)
    except OSError as e:
        raise InputError(f"cannot write {output}: {e.strerror}") from None


def render_document(session: Session, ledger: Any, number: str, host: str) -> tuple[Any, Any, bytes]:
    """(found, issued, PDF bytes) for the sealed certificate ``number``; read only."""
    from certledger.events import document as doc
    from certledger.events import provenance
    from certledger.events.holder_secrets import secret_for

    sealed = [f for f in provenance.find_certificate(ledger, number) if f.kind in provenance.SEALED_KINDS]
    if not sealed:
        raise InputError(f"{number} is a paper certificate: only an e-certificate or a pass proof is a sealed document")
    found = sealed[0]
    issued = doc.issued_of(found)
    registry_then = doc.registry_at(ledger, issued.notification_id)
    seal_key = session.keystore().private_key(found.opened.actor, issued.signer, retired_too=True)
    if seal_key is None:
        raise InputError(f"the document is sealed by the key that sealed {number}, {issued.signer}, "
                         f"and {session.keys_dir} does not hold it")
    holder = secret_for(ledger, found.candidacy.id, str(issued.document.get("id_commitment") or ""))
    pdf = doc.render(issued, registry_then, root_key=_root_key(session, ledger.registry()), seal_key=seal_key, host=host,
                     holder=holder)
    return found, issued, pdf


@cert_commands.command("document")
@click.argument("number")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path), help="The PDF to write.")
@click.option("--on", "on", metavar="YYYY-MM-DD",
              help="Business date of the publication (文书发布) if this run records it; default today in China "
                   "Standard Time, or the candidacy's latest act if later.")
@did_host_option
@pass_session
def cert_document(session: Session, number: str, output: Path, on: str | None, did_host: str) -> None:
    """Write the e-certificate or pass proof NUMBER as the sealed PDF HRSS issues: A4, Chinese,
    the sealed fields, the visible e-seal mark and a QR code, signed (PAdES B-B, Ed25519) by the
    key that sealed the certificate, with its X.509 chain from the trust registry.

    The first run records HRSS's act 文书发布 (published on 河南省政务服务网; R-13, R-14) with
    the PDF's SHA-256, signed by HRSS. Every later run re-renders read-only: the bytes are
    identical, or the command refuses and writes nothing. Needs HRSS's sealing and genesis keys
    in --keys."""
    from certledger.cli.lifecycle import DAY
    from certledger.domain.publication import DOCUMENT_CHANNEL
    from certledger.domain.parties import ROOT_PARTY

    def writer() -> Any:
        session.close()  # reopen read-write to record the publication
        return session.ledger()

    day = DAY.convert(on, None, None) if on is not None else None
    found, pdf, digest, recorded = issue(session, session.ledger(read_only=True), number, did_host, day, writer)
    _write(output, pdf)
    what = f"{found.kind} {number}"
    if recorded is None:
        click.echo(f"wrote {output}: {what}, the document published on {found.candidacy.document_published_on} "
                   f"(文书发布, {DOCUMENT_CHANNEL}), sha256 {digest}: identical bytes", err=True)
        return
    click.echo(f"recorded: 文书发布 document published on {DOCUMENT_CHANNEL}: {what}, sha256 {digest} "
               f"[{recorded.isoformat()}, signed by {ROOT_PARTY}]", err=True)
    click.echo(f"wrote {output}; check it with: certledger cert verify {output} --root root.pem [--db URL] "
               f"(certledger cert root-cert -o root.pem writes root.pem)", err=True)


def issue(session: Session, ledger: Any, number: str, host: str, on: Any, writer: Any) -> tuple[Any, bytes, str, Any]:
    """Render NUMBER's document from ``ledger``; record its publication through ``writer()``
    (a read-write ledger) if none is recorded yet, else require the recorded digest. Returns
    (found, PDF bytes, sha256 hex, the publication's date if recorded now, else None)."""
    from certledger.cli.lifecycle import today_in_china
    from certledger.domain.parties import ROOT_PARTY

    found, _, pdf = render_document(session, ledger, number, host)
    digest = hashlib.sha256(pdf).hexdigest()
    candidacy = found.candidacy
    if candidacy.document_sha256 is not None:
        if candidacy.document_sha256 != digest:
            rule = "R-14" if found.kind == "pass-proof" else "R-13"
            raise RuleViolation(rule, f"the document rendered now (sha256 {digest}) is not the one published on "
                                f"{candidacy.document_published_on} (sha256 {candidacy.document_sha256}): HRSS issues "
                                "exactly one document; nothing written (the same keys and --did-host as then?)")
        return found, pdf, digest, None
    day = on or max(d for d in (today_in_china(), candidacy.latest_on, candidacy.certificate_issued_on) if d is not None)
    writer().publish_document(ROOT_PARTY, candidacy.id, digest, on=day)
    return found, pdf, digest, day


def write_demo_documents(session: Session, ledger: Any, numbers: list[str], where: Path,
                         host: str = "hrss.henan.example") -> list[Path]:
    """The demo's documents: each NUMBER's PDF, published, and HRSS's root certificate."""
    from cryptography.hazmat.primitives import serialization

    from certledger.events.document import root_certificate_of

    where.mkdir(parents=True, exist_ok=True)
    written = []
    for number in numbers:
        found, pdf, _, _ = issue(session, ledger, number, host, None, lambda: ledger)
        path = where / f"{found.kind}-{_file_name(number)}.pdf"
        _write(path, pdf)
        written.append(path)
    registry = ledger.registry()
    root = where / "root.pem"
    _write(root, root_certificate_of(registry, _root_key(session, registry)).public_bytes(serialization.Encoding.PEM))
    return [*written, root]


def _file_name(number: str) -> str:
    return "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_") else "_" for ch in number).strip("_") or "document"
