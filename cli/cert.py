"""``certledger cert …``: the lifecycle's certificate acts (:mod:`cli.lifecycle`), look-up and
export (:mod:`cli.provenance`), and ``cert verify``, which checks an exported bundle offline.

This group is light on purpose: ``cert verify FILE`` imports neither the store's libraries
nor the domain's aggregates (cold start ≤ 250 ms); the other subcommands load their
modules when they run.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import click

from certledger.domain.errors import CertLedgerError, InputError

_ELSEWHERE = ("certledger.cli.provenance", "certledger.cli.acts", "certledger.cli.document")


class CertGroup(click.Group):
    def _groups(self) -> list[click.Group]:
        modules = [importlib.import_module(m) for m in _ELSEWHERE]
        return [m.cert_commands if hasattr(m, "cert_commands") else m.cert for m in modules]

    def list_commands(self, ctx: click.Context) -> list[str]:
        names = set(super().list_commands(ctx))
        for group in self._groups():
            names.update(group.list_commands(ctx))
        return sorted(names)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        found = super().get_command(ctx, name)
        if found is not None:
            return found
        for group in self._groups():
            found = group.get_command(ctx, name)
            if found is not None:
                return found
        return None


@click.group(cls=CertGroup)
def cert() -> None:
    """Certificates: e-certificates, pass proofs, paper, reissues; look-up by number, export
    and offline verification of a sealed certificate.

    CANDIDACY is EXAM:YEAR:cand.NNN or its UUID; NUMBER is a certificate number."""


@cert.command("verify")
@click.argument("bundle", metavar="FILE", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--trust",
    "trust",
    metavar="ROOT_KEY_ID|PEM",
    help="For a bundle: the HRSS root key you trust (the genesis key that founded the ledger, not a sealing or "
    "checkpoint key): its key id (ed25519:…, as 'certledger init' printed it"
    ") or its public key PEM file.",
)
@click.option(
    "--did",
    "did_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="For a credential: HRSS's DID document you trust (did.json, from 'certledger did').",
)
@click.option(
    "--status-list",
    "status_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="For a credential: HRSS's signed status-list credential; without it the status is not checked.",
)
@click.option(
    "--root",
    "root_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="For a PDF: HRSS's root certificate you trust (root.pem, from 'certledger cert root-cert').",
)
@click.option(
    "--db",
    "db_url",
    metavar="URL",
    help="Also ask this ledger: the certificate's current status (void under R-11/R-12), later revocations "
    "of the sealing key, and that its latest checkpoint is consistent with the bundle's.",
)
@click.option(
    "--checkpoint",
    "kept",
    type=click.Path(dir_okay=False, path_type=Path),
    help="With --db: a checkpoint note you kept (certledger checkpoint -o FILE); the status is then what that "
    "checkpoint's signed list proves, and the database must still hold it.",
)
@click.option(
    "--id-number",
    "id_number",
    metavar="NUMBER",
    help="For a PDF or a credential: the full id number (身份证号) on the holder's ID card; says whether it is the "
    "one the document's seal binds (L-7): exit 1 when it does not, or when the document binds none (registered "
    "with the masked number only).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def cert_verify(
    bundle: Path, trust: str | None, did_path: Path | None, status_path: Path | None, root_path: Path | None,
    db_url: str | None, kept: Path | None, id_number: str | None, as_json: bool
) -> None:
    """Verify FILE offline: an exported certificate bundle (--trust ROOT: the e-seal over the
    document exactly as sealed (R-13), the sealing key's registration and validity back to the
    trusted root, the inclusion proof and the signed checkpoint), or a W3C credential (--did
    did.json [--status-list LIST]: its eddsa-jcs-2022 proof, issuer and key, and its status).
    or an issued PDF document (--root root.pem: the PAdES e-seal under HRSS's root certificate,
    nothing after the signed revision, the QR text; with --db, whether it is the document HRSS
    published). With --id-number N (PDF or credential): whether N is the holder's id number the seal
    binds (L-7). Exit 0 if it holds; 1 naming why not; 2 for what is not such a file."""
    head = _head(bundle)
    if id_number is not None:
        from certledger.cli.id_check import given_number

        id_number = given_number(id_number)  # a malformed number: refused before the file is read (exit 2)
    if kept is not None and db_url is None:
        raise InputError("--checkpoint is the note a --db check is held to: give --db URL too")
    kept_note = None
    if kept is not None:
        from certledger.cli.verify import read_note  # the store's libraries: only with --db

        kept_note = read_note(kept)
    if head.startswith(b"%PDF-") or bundle.suffix.lower() == ".pdf":  # a .pdf that is not one: refused as such
        from certledger.cli.document_check import run_verify as run_pdf

        run_pdf(bundle, bundle.read_bytes(), root_path, db_url, as_json, kept_note, id_number)
        return
    if _is_credential(bundle):
        from certledger.cli.credential import run_verify

        run_verify(bundle.read_bytes(), did_path, status_path, as_json, db_url, kept_note, id_number)
        return
    from certledger.cli.bundle_check import run

    if id_number is not None:
        raise InputError("--id-number is checked on the holder's copy, which carries the salt: the PDF (cert document) "
                         "or the credential (cert export --format vc); a bundle carries the commitment only")
    if trust is None:
        raise InputError("a bundle is checked against the root key you trust: give --trust ROOT_KEY_ID|PEM")
    run(bundle, _trusted_root(trust), db_url, as_json, kept_note)


def _head(path: Path) -> bytes:
    try:
        with path.open("rb") as f:
            return f.read(8)
    except OSError as e:
        raise InputError(f"cannot read {path}: {e.strerror}") from None


def _is_credential(path: Path) -> bool:
    """A W3C credential (JSON with @context / type VerifiableCredential), not a bundle."""
    try:
        head = path.read_bytes()
    except OSError as e:
        raise InputError(f"cannot read {path}: {e.strerror}") from None
    if b"@context" not in head and b"VerifiableCredential" not in head:
        return False
    from certledger.events.credential_check import is_credential, load_json

    try:
        return is_credential(load_json(head, str(path)))
    except CertLedgerError:  # not JSON: a damaged credential if it names a JSON-LD context
        return b'"@context"' in head


def _trusted_root(text: str) -> str:
    """A key id as typed, or the key id of a public key PEM file."""
    if text.startswith("ed25519:"):
        return text
    path = Path(text)
    try:
        is_file = path.is_file()
    except (OSError, ValueError):  # a name too long, or with a NUL, is no file either
        is_file = False
    if not is_file:
        shown = text if len(text) <= 80 else text[:77] + "…"
        raise InputError(f"--trust {shown!r} is neither a key id (ed25519:…) nor a public key file")
    from certledger.signing.keys import key_id_of, load_public_key_file

    return key_id_of(load_public_key_file(path))
