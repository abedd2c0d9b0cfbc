"""``certledger cert show|export NUMBER`` and ``certledger trace NUMBER|CANDIDACY``: read only.

``cert show`` finds a certificate by its number (an index, not a scan); ``trace`` prints every
signed act behind a certificate or candidacy, like ``git log --show-signature``; ``cert
export`` writes the self-contained bundle that ``cert verify`` checks offline
(:mod:`events.certificate_bundle`).
"""

from __future__ import annotations

import base64
import sys
from pathlib import Path
from typing import Any
from uuid import UUID

import click

from certledger.cli import terms
from certledger.cli.credential import did_host_option
from certledger.cli.status_note import certificate_status_note
from certledger.cli.lifecycle import json_option, load_aggregates, replay_option, resolve_candidacy
from certledger.cli.output import emit_json, emit_table, note
from certledger.cli.session import Session
from certledger.domain.errors import CertLedgerError, ExitCode, InputError
from certledger.events import certificate_bundle, provenance

pass_session = click.make_pass_decorator(Session)
CONVERTED = "本件为再转换版本，不具备同等法律效力"
_STATUS_TERMS = {"valid": "有效", "void": "作废", "superseded": "已由纸质证书替代"}
_KIND_TERMS = {"e-certificate": "电子证书", "pass-proof": "合格证明", "paper": "纸质证书"}


@click.group()
def cert_commands() -> None:
    """(merged into ``certledger cert`` by :mod:`cli.cert`)"""


def _text(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


@cert_commands.command("show")
@click.argument("number")
@replay_option
@json_option
@pass_session
def cert_show(session: Session, number: str, replay: bool, as_json: bool) -> None:
    """Find a certificate by its NUMBER (e-certificate, pass proof or paper): holder, exam,
    status (valid; void under R-11/R-12; superseded by paper), issued on, issuer, signing
    key, notification id and digest of the event that issued it."""
    ledger = session.ledger(read_only=True)

    def load(aggregate_id: UUID, kind: type) -> Any:  # the registers' stored state when they are at the head
        found = load_aggregates(ledger, [aggregate_id], kind, None, None, replay).get(aggregate_id)
        return found if found is not None else provenance.load_one(ledger, aggregate_id, kind)  # its clear error

    records = [
        {k: _text(v) for k, v in provenance.certificate_record(ledger, f).items()}
        for f in provenance.find_certificate(ledger, number, load=load)
    ]
    for r in records:
        certificate_status_note(ledger, r["number"] if r["kind"] in provenance.SEALED_KINDS else None, r["kind"])
    if as_json:
        emit_json(records)
        return
    for i, r in enumerate(records):
        if i:
            click.echo()
        status = r["status"] + (f" — {r['rule']} since {r['since']}: {r['reason']}" if r["rule"] else "")
        rows = [
            ("number 证书编号", r["number"]),
            ("kind 类别", f"{r['kind']} {_KIND_TERMS[r['kind']]}" + (f" · {r['title']}" if r["title"] else "")),
            ("holder 持证人", f"{r['holder']} ({r['id_number']})"),
            ("exam 考试", f"{r['exam_name']} {r['level']} {r['year']} ({r['exam']})"),
            ("candidacy 报考", r["candidacy"]),
            ("status 状态", f"{status} {_STATUS_TERMS[r['status']]}"),
            ("issued on 发证日期", r["issued_on"]),
            ("issuer 发证单位", f"{r['issuer_name']} ({r['issuer']})"),
            ("signing key 签名密钥", r["signing_key"]),
            ("notification id", r["notification_id"]),
            ("digest (sha256)", r["digest"]),
        ]
        emit_table([{"field": k, "value": v} for k, v in rows], ["field", "value"])
        if r["kind"] in provenance.SEALED_KINDS:
            # 2019 §一(二): "其他任何形式的电子证书再转换版本，不具备同等法律效力" (issue 23 item 14)
            click.echo(f"{CONVERTED} — a converted rendering, not the sealed document: the sealed PDF is "
                       f"'certledger cert document {r['number']} -o FILE.pdf', the credential 'cert export --format vc'")


@click.command()
@click.argument("ref", metavar="NUMBER|CANDIDACY")
@json_option
@pass_session
def trace(session: Session, ref: str, as_json: bool) -> None:
    """The whole signed history behind a certificate NUMBER or a CANDIDACY, oldest first:
    registration, results, verification rounds, appeals (申辩), seal, mailing or hand-out,
    custody, sanctions, refusals — each with its business date, write time (China Standard
    Time), party, key id, signature status, notification id and digest. Read only."""
    ledger = session.ledger(read_only=True)
    candidacy_id = _candidacy_of(ledger, ref)
    lines = provenance.trace(ledger, candidacy_id)
    bad = sum(line.signature != "verified" for line in lines)
    if as_json:
        emit_json({"candidacy": str(candidacy_id), "ok": not bad, "bad_signatures": bad,
                   "events": [line.to_json() for line in lines]})
        _status_note(ledger, candidacy_id)
        if bad:
            sys.exit(ExitCode.NOT_VERIFIED)
        return
    for line in lines:
        mark = "✓" if line.signature == "verified" else "✗"
        click.echo(f"event #{line.notification_id}  {line.event}  {line.term}  [{line.scope} v{line.version}]")
        click.echo(f"  on {line.on or '-'}  written {line.written_at.strftime('%Y-%m-%d %H:%M:%S')} CST  by {terms.unit(line.party)}")
        click.echo(f"  {mark} signature {line.signature}: key {line.key_id}")
        click.echo(f"  sha256:{line.digest}" + (f"  rules {', '.join(line.rules)}" if line.rules else ""))
        details = _details(line.details)
        if details:
            click.echo(f"  {details}")
        click.echo()
    note(f"{len(lines)} event(s); " + ("every signature verified" if not bad else f"{bad} signature(s) do NOT verify"))
    _status_note(ledger, candidacy_id)
    if bad:  # a failed check is a failed trace, for scripts too (exit 1, as verify)
        sys.exit(ExitCode.NOT_VERIFIED)


def _status_note(ledger: Any, candidacy_id: UUID) -> None:
    """After the history: what the newest checkpoint proves of its certificate's status
    (cli/status_note.py); a database that contradicts it fails the trace."""
    try:
        candidacy = ledger.candidacy(candidacy_id)
    except CertLedgerError as e:
        note(f"status: not checked against the checkpoint: the candidacy cannot be replayed ({e})")
        return
    certificate_status_note(ledger, candidacy.certificate_no, candidacy.certificate_kind)


def _details(details: dict[str, Any]) -> str:
    parts = []
    for key, value in details.items():
        text = terms.plain(value)
        parts.append(f"{key}: {text if len(text) <= 80 else text[:77] + '…'}")
    return "; ".join(parts)


def _candidacy_of(ledger: Any, ref: str) -> UUID:
    if ref.count(":") == 2 or _is_uuid(ref):
        return resolve_candidacy(ledger, ref)
    try:
        return provenance.candidacy_of_number(ledger, ref)
    except InputError:
        raise InputError(
            f"{ref!r} is neither a candidacy (EXAM:YEAR:cand.NNN or its UUID) nor a certificate number in this ledger"
        ) from None


def _is_uuid(text: str) -> bool:
    try:
        UUID(text)
    except ValueError:
        return False
    return True


@cert_commands.command("export")
@click.argument("number")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path), help="The bundle file to write.")
@click.option(
    "--openssl-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Also write doc.bin (the document exactly as sealed), seal.sig (the e-seal) and hrss.pem "
    "(the sealing key) here, for 'openssl pkeyutl -verify -rawin'.",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["bundle", "vc"]),
    default="bundle",
    show_default=True,
    help="bundle: certledger's own bundle; vc: a W3C Verifiable Credential (Data Model 2.0, eddsa-jcs-2022), "
    "signed by the key that sealed the certificate (its passphrase is needed; the same bytes on every export).",
)
@did_host_option
@pass_session
def cert_export(session: Session, number: str, output: Path, openssl_dir: Path | None, output_format: str,
                did_host: str) -> None:
    """Write the e-certificate or pass proof NUMBER as one self-contained bundle: the document
    exactly as sealed and its HRSS e-seal, the trust events back to the genesis root, the
    inclusion proof and the signed checkpoint. 'certledger cert verify FILE --trust ROOT'
    checks it offline. With --format vc, as a W3C credential instead ('certledger cert verify
    FILE --did did.json')."""
    if output_format == "vc":
        if openssl_dir is not None:
            raise InputError("--openssl-dir is for the bundle format")
        from certledger.cli.credential import export_credential

        export_credential(session, number, output, did_host)
        return
    ledger = session.ledger(read_only=True)
    sealed = [f for f in provenance.find_certificate(ledger, number) if f.kind in provenance.SEALED_KINDS]
    if not sealed:
        raise InputError(f"{number} is a paper certificate: only an e-certificate or a pass proof carries the HRSS e-seal")
    bundle = provenance.export_bundle(ledger, sealed[0])
    output.write_bytes(certificate_bundle.dumps(bundle))
    note(f"wrote {output}: {sealed[0].kind} {number}, leaf {bundle['inclusion']['leaf_index']} of checkpoint size "
         f"{bundle['inclusion']['tree_size']}")
    if openssl_dir is not None:
        write_openssl_files(bundle, openssl_dir)
        note(f"wrote doc.bin, seal.sig and hrss.pem to {openssl_dir}: "
             f"openssl pkeyutl -verify -pubin -inkey {openssl_dir}/hrss.pem -rawin -in {openssl_dir}/doc.bin -sigfile {openssl_dir}/seal.sig")
    ledger_id = bundle["ledger"]
    note(f"verify it with: certledger cert verify {output} --trust <root key id of ledger {ledger_id[:16]}…>")


def write_openssl_files(bundle: dict[str, Any], directory: Path) -> None:
    """doc.bin, seal.sig and hrss.pem: what plain openssl needs to check the e-seal."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    from certledger.signing.keys import public_key_from_text

    key_id = bundle["sealed"]["key"]
    public_text = provenance.public_key_text_of(bundle, key_id)
    pem = Ed25519PublicKey.from_public_bytes(public_key_from_text(public_text)).public_bytes(
        Encoding.PEM, PublicFormat.SubjectPublicKeyInfo
    )
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "doc.bin").write_bytes(base64.b64decode(bundle["sealed"]["message"]))
    (directory / "seal.sig").write_bytes(base64.b64decode(bundle["sealed"]["signature"]))
    (directory / "hrss.pem").write_bytes(pem)
