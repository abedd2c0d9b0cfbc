"""``certledger did``, ``cert export NUMBER --format vc`` and ``cert verify CREDENTIAL.json``:
HRSS's DID document, a certificate's W3C credential, and its offline check
(:mod:`events.credential`, :mod:`events.credential_check`)."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import click

from certledger.domain.errors import InputError, RuleViolation

did_host_option = click.option(
    "--did-host",
    "did_host",
    envvar="CERTLEDGER_DID_HOST",
    default="hrss.henan.example",
    show_default=True,
    metavar="HOST",
    help="HRSS's web host: the issuer is did:web:HOST, its DID document https://HOST/.well-known/did.json. "
    "Env: CERTLEDGER_DID_HOST.",
)


def dumps(document: dict[str, Any]) -> bytes:
    """Readable JSON, Chinese kept as is (the proof is over JCS, not over these bytes)."""
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8") + b"\n"


def write_or_print(data: bytes, output: Path | None) -> None:
    if output is None:
        click.echo(data.decode("utf-8"), nl=False)
        return
    try:
        output.write_bytes(data)
    except OSError as e:
        raise InputError(f"cannot write {output}: {e.strerror}") from None


def hrss_did_document(ledger: Any, host: str) -> dict[str, Any]:
    from certledger.domain.parties import ROOT_PARTY
    from certledger.events import credential as vc

    return vc.did_document(host, ledger.registry().keys_of(ROOT_PARTY))


@click.command("did")
@did_host_option
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write it here (default: stdout).")
@click.pass_context
def did(ctx: click.Context, did_host: str, output: Path | None) -> None:
    """HRSS's DID document (did:web), from the trust registry: each HRSS key as a Multikey
    verification method; a revoked key kept with its 'revoked' time and out of
    assertionMethod. Publish it at https://HOST/.well-known/did.json. Read only."""
    from certledger.events import credential as vc

    document = hrss_did_document(ctx.obj.ledger(read_only=True), did_host)
    write_or_print(dumps(document), output)
    if output is not None:
        click.echo(f"wrote {output}: {document['id']}, {len(document['verificationMethod'])} keys "
                   f"({len(document['assertionMethod'])} may seal); publish it at {vc.did_document_url(did_host)}",
                   err=True)


@click.command("status-list")
@click.option("--checkpoint", "kept", type=click.Path(dir_okay=False, path_type=Path),
              help="The list of the checkpoint this kept note (checkpoint.note) names, rather than the newest.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write it here (default: stdout).")
@click.option("--json", "as_json", is_flag=True, help="Print what the list says (checkpoint, counts, void indexes) as JSON.")
@click.pass_context
def status_list_command(ctx: click.Context, kept: Path | None, output: Path | None, as_json: bool) -> None:
    """HRSS's signed status list (证书状态列表, a W3C BitstringStatusListCredential) as the
    newest checkpoint signed it: bit i is the i-th certificate sealed, 1 = void (作废). Its
    SHA-256 is in the checkpoint's note, so it is checked (note, digest, proof) before it is
    written. Publish it at https://HOST/credentials/status/revocation. Read only."""
    from certledger.cli.output import emit_json
    from certledger.events import status_list
    from certledger.events.checkpointed_status import checkpoint_list

    ledger = ctx.obj.ledger(read_only=True)
    checkpoint, signed = checkpoint_list(ledger, _read(kept).decode("utf-8", "replace") if kept else None)
    stated = signed["certledgerCheckpoint"]
    snapshot = status_list.snapshot_of_list(signed, 0)
    if as_json:
        emit_json({"checkpoint_size": checkpoint.size, "recorded_at": checkpoint.written_at, "id": signed["id"],
                   "certificates": snapshot.count, "void_indexes": sorted(snapshot.void)})
        if output is None:
            return
    write_or_print(checkpoint.status_list.encode(), output)
    if output is not None:
        click.echo(f"wrote {output}: the status list HRSS signed with checkpoint {checkpoint.size} "
                   f"({stated['recordedAt']}): {snapshot.count} certificates, {len(snapshot.void)} void (作废); "
                   f"publish it at {signed['id']}", err=True)


def certificate_credential(session: Any, ledger: Any, found: Any, host: str) -> dict[str, Any]:
    """The signed credential of a sealed certificate: signed by the key that sealed it,
    deterministic (events/credential.py says why nothing is stored)."""
    from certledger.events import credential as vc
    from certledger.events import status_list
    from certledger.events.holder_secrets import secret_for
    from certledger.signing.keys import sign

    opened = found.opened
    document = opened.payload.get("document")
    if not isinstance(document, dict):
        raise InputError(f"{found.number}'s seal event carries no document")
    index = status_list.status_index(ledger.rows, found.issued.notification_id)
    holder = secret_for(ledger, found.candidacy.id, str(document.get("id_commitment") or ""))
    if document.get("id_commitment") and holder is None:
        raise RuleViolation("L-7", f"{found.number}'s document seals a commitment to the holder's full id number, and "
                            "the holder's credential carries the number and its salt; they are no longer kept (erased "
                            "from the holder secrets), so it cannot be made again: the copy issued before still verifies")
    unsigned = vc.credential_for(document, issued_at=opened.timestamp, status_index=index, host=host, holder=holder)
    key = session.keystore().private_key(opened.actor, opened.signer, retired_too=True)  # re-makes what it sealed
    if key is None:
        raise InputError(f"the credential is signed by the key that sealed {found.number}, {opened.signer}, "
                         f"and {session.keys_dir} does not hold it")
    return vc.signed_credential(unsigned, sign=lambda message: sign(key, message), key_id=opened.signer, host=host)


def export_credential(session: Any, number: str, output: Path, host: str) -> None:
    from certledger.events import provenance

    ledger = session.ledger(read_only=True)
    sealed = [f for f in provenance.find_certificate(ledger, number) if f.kind in provenance.SEALED_KINDS]
    if not sealed:
        raise InputError(f"{number} is a paper certificate: only an e-certificate or a pass proof becomes a credential")
    credential = certificate_credential(session, ledger, sealed[0], host)
    write_or_print(dumps(credential), output)
    click.echo(f"wrote {output}: {sealed[0].kind} {number} as a W3C credential (eddsa-jcs-2022), status index "
               f"{credential['credentialStatus']['statusListIndex']}", err=True)
    click.echo(f"verify it with: certledger cert verify {output} --did did.json [--status-list LIST.json]", err=True)


def run_verify(data: Any, did_path: Path | None, status_path: Path | None, as_json: bool,
               db_url: str | None = None, kept_note: str | None = None, id_number: str | None = None) -> None:
    """``cert verify CREDENTIAL.json --did DID.json [--status-list LIST.json] [--db URL]
    [--id-number N]``."""
    from certledger.cli.output import emit_json
    from certledger.events import credential_check as check

    if did_path is None:
        raise InputError("a credential is checked against HRSS's DID document: give --did did.json "
                         "(certledger did -o did.json writes it; --trust is for bundles)")
    try:
        result = check.verify_credential(data, _read(did_path), _read(status_path) if status_path else None)
        if db_url is not None:
            matches_ledger(result, db_url, kept_note)
        found = None if id_number is None else _id_check(result, id_number)
    except check.ProofError as e:
        if as_json:
            emit_json({"ok": False, "kind": "credential", "reason": e.reason, "message": str(e)})
        raise
    if as_json:
        shown = result.to_json()
        if found is not None:
            shown["id_number"] = found.to_json()
            shown["ok"] = shown["ok"] and found.result == "matches"
        emit_json(shown)
    else:
        s = result.subject
        click.echo(f"{s.get('certificateTitle')}  (credential, {s.get('certificateKind')})")
        for label, value in [("number", s.get("certificateNumber")), ("holder", f"{s.get('name')}  (id {s.get('maskedIdNumber')})"),
                             ("exam", " ".join(str(v) for v in (s.get("examName"), s.get("level"), s.get("specialty"), s.get("examYear")) if v)),
                             ("issued on", s.get("issuedOn")), ("status", result.status)]:
            click.echo(f"  {label:<12} {value}")
        for line in result.checked:
            click.echo(f"  checked      {line}")
        for line in result.not_checked:
            click.echo(f"  not checked  {line}")
    if result.status == "revoked":
        raise check.ProofError("revoked", f"the credential verifies, but the status list records "
                               f"{result.subject.get('certificateNumber')} as revoked (作废)")
    if found is not None and found.result != "matches":
        raise check.ProofError("id-number" if found.result == "does not match" else "no-id-commitment",
                               f"L-7: the credential verifies, but {found.line}")
    if result.proven is not None and result.proven["status"] != "not covered":
        where = f", and its status against checkpoint {result.proven['checkpoint_size']} of the ledger (not after it)"
    elif result.proven is not None:
        where = ", against the ledger; its status is not covered by any checkpoint yet"
    else:
        where = " offline" + ("" if result.status == "valid" else ", status not checked")
    click.echo(f"OK: credential {result.subject.get('certificateNumber')} verified{where}", err=True)


def _id_check(result: Any, id_number: str) -> Any:
    """``--id-number``: the number against the credential's idCommitment and idNumberSalt,
    which its proof covers (L-7); the line goes to checked or not checked."""
    from certledger.cli import id_check
    from certledger.domain.id_number import salt_of
    from certledger.events.credential_check import ProofError

    subject = result.subject
    salt = subject.get("idNumberSalt")
    try:
        salt_bytes = None if salt is None else salt_of(salt)
    except InputError as e:
        raise ProofError("malformed", f"idNumberSalt: {e}") from None
    found = id_check.check(id_number, subject.get("idCommitment"), salt_bytes)
    (result.checked if found.result == id_check.MATCHES else result.not_checked).append(found.line)
    return found


def matches_ledger(result: Any, db_url: str, kept_note: str | None = None) -> None:
    """``--db``: the credential must be exactly the one the ledger's certificate makes
    (:func:`events.credential.credential_for`, the one definition) and its key the registry's
    HRSS key; else ProofError ``altered`` / ``wrong-key``. Read only. The status comes from
    the status list the newest checkpoint (or the kept note) signs, never from a replay alone,
    which cannot see a deleted void row (:mod:`events.checkpointed_status`)."""
    from certledger.domain.parties import ROOT_PARTY
    from certledger.events import credential as vc
    from certledger.events import provenance, status_list
    from certledger.domain.errors import TamperError
    from certledger.events.checkpointed_status import proven_status
    from certledger.events.credential_check import ProofError
    from certledger.events.ledger import Ledger
    from certledger.events.storage import parse_database_url
    credential = result.credential
    subject = result.subject
    host = result.issuer.removeprefix("did:web:").replace("%3A", ":")
    ledger = Ledger(parse_database_url(db_url), read_only=True)
    try:
        try:
            found = [f for f in provenance.find_certificate(ledger, str(subject.get("certificateNumber")))
                     if f.kind == subject.get("certificateKind")]
        except InputError as e:
            raise ProofError("altered", f"the ledger has no such certificate: {e}") from None
        if not found:
            raise ProofError("altered", f"the ledger has no {subject.get('certificateKind')} {subject.get('certificateNumber')}")
        opened = found[0].opened
        index = status_list.status_index(ledger.rows, found[0].issued.notification_id)
        expected = vc.credential_for(opened.payload.get("document") or {}, issued_at=opened.timestamp,
                                     status_index=index, host=host)
        unsigned = vc.without_holder_fields({k: v for k, v in credential.items() if k != "proof"})
        if unsigned != expected:
            differ = sorted(k for k in set(unsigned) | set(expected) if unsigned.get(k) != expected.get(k))
            raise ProofError("altered", f"the credential is not the one the ledger's certificate makes "
                             f"(differs in {', '.join(differ)}): signed by an HRSS key, yet not what HRSS sealed")
        _holder_fields_bind(subject)
        if result.verification_method != vc.verification_method_id(result.issuer, opened.signer):
            raise ProofError("wrong-key", f"the credential is signed by {result.verification_method}, the certificate "
                             f"was sealed by {opened.signer}")
        entry = ledger.registry().key(opened.signer)
        if entry.party_id != ROOT_PARTY or base64.b64decode(entry.public_key) != result.public_key:
            raise ProofError("wrong-key", f"the pinned DID document's key for {opened.signer} is not the ledger's")
        try:
            status = proven_status(ledger, found[0], kept_note)
        except TamperError as e:
            raise ProofError("tampered", str(e)) from None
        except InputError as e:
            raise ProofError("unproven", f"the status cannot be proven against this ledger: {e}") from None
    finally:
        ledger.close()
    result.checked.append(f"ledger: the credential is exactly the one {db_url.rsplit('/', 1)[-1]}'s certificate "
                          f"makes, its key the registry's {opened.signer}")
    proven = status["proven"]
    result.proven = proven.to_json()
    if proven.void is not None:
        result.not_checked = [line for line in result.not_checked if not line.startswith("status: no status list given")]
        result.checked.append(f"ledger status: {proven.describe()}")
    else:
        result.not_checked.append(f"ledger status: {proven.describe()}; the replay says {status['status']}, which no "
                                  "checkpoint proves yet")
    if status["status"] == "void":
        result.status = "revoked"
        result.checked.append(f"ledger: void since {status['since']} ({status['rule']}: {status['reason']})")
    elif result.status == "not checked" and proven.void is False:
        result.status = "valid"
    result.not_checked.append(f"ledger: {proven.not_covered()}")


def _holder_fields_bind(subject: Any) -> None:
    """The holder's copy's number and salt (L-7), checked by the commitment the ledger sealed
    (the ledger itself does not hold them): both or neither, and they give idCommitment."""
    from certledger.domain.id_number import binds, salt_of
    from certledger.events.credential_check import ProofError

    number, salt = subject.get("idNumber"), subject.get("idNumberSalt")
    if number is None and salt is None:
        return
    try:
        if not isinstance(number, str) or not subject.get("idCommitment") or not binds(
                str(subject["idCommitment"]), salt_of(salt), number):
            raise ProofError("altered", "the credential's idNumber and idNumberSalt do not give the idCommitment "
                             "the ledger sealed (L-7)")
    except (InputError, UnicodeEncodeError) as e:
        raise ProofError("altered", f"the credential's idNumber/idNumberSalt are malformed: {e}") from None


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as e:
        raise InputError(f"cannot read {path}: {e.strerror}") from None



def write_demo_credentials(session: Any, ledger: Any, where: Path, host: str = "hrss.henan.example") -> list[Path]:
    """The demo's credentials: one e-certificate, one pass proof, one void pass proof, HRSS's
    DID document and the status list the newest checkpoint signed; returns the files written."""
    from certledger.events import provenance, status_list
    from certledger.events.checkpointed_status import checkpoint_list

    checkpoint, signed = checkpoint_list(ledger)
    void = status_list.snapshot_of_list(signed, 0).void
    chosen: dict[tuple[str, bool], str] = {}
    for index, nid, document in status_list.issued_documents(ledger.rows):
        if nid <= checkpoint.notification_id:
            chosen.setdefault((str(document.get("kind")), index in void), str(document.get("number")))
    where.mkdir(parents=True, exist_ok=True)
    did_path = where / "did.json"
    did_path.write_bytes(dumps(hrss_did_document(ledger, host)))
    written = [did_path]
    for (kind, is_void), number in sorted(chosen.items()):
        [found] = [f for f in provenance.find_certificate(ledger, number) if f.kind == kind]
        path = where / f"credential-{kind}{'-void' if is_void else ''}.json"
        path.write_bytes(dumps(certificate_credential(session, ledger, found, host)))
        written.append(path)
    list_path = where / "status-revocation.json"
    list_path.write_bytes(checkpoint.status_list.encode())
    return [*written, list_path]

