"""``certledger page``: the self-contained verification page (核验页), with HRSS's DID document pinned."""

from __future__ import annotations

import json
from pathlib import Path

import click

from certledger.cli.session import Session
from certledger.domain.errors import InputError

PAGE = Path(__file__).resolve().parent.parent / "page"
pass_session = click.make_pass_decorator(Session)


def build_page(did_document: dict, root_key: str | None = None) -> str:
    """The page: page/verify.html with the JS inlined, the DID document pinned (credentials)
    and the ledger's genesis root key id (bundles: what ``cert verify --trust`` takes). The
    JSON is escaped so that no '<' of a hostile document can close the script element."""
    if not (PAGE / "verify.html").is_file():
        raise InputError(f"the page's sources are not in {PAGE} (install certledger from its repository, editable)")
    if root_key is not None and not (isinstance(root_key, str) and root_key.startswith("ed25519:")):
        raise InputError(f"the root of trust to pin is a key id (ed25519:…), not {root_key!r}")
    escape = lambda value: json.dumps(value, ensure_ascii=True).replace("<", "\\u003c").replace(">", "\\u003e")  # noqa: E731
    html = (PAGE / "verify.html").read_text(encoding="utf-8")
    for marker, text in (("/*PINNED_DID*/null", escape(did_document)), ("/*PINNED_ROOT*/null", escape(root_key)),
                         ("/*VERIFY_CORE*/", (PAGE / "verify_core.js").read_text(encoding="utf-8")),
                         ("/*VERIFY_BUNDLE*/", (PAGE / "verify_bundle.js").read_text(encoding="utf-8")),
                         ("/*VERIFY_UI*/", (PAGE / "verify_ui.js").read_text(encoding="utf-8"))):
        html = html.replace(marker, text.replace("</script", "<\\/script"))
    return html


def genesis_root_key(ledger: object) -> str:
    """The key id of the root key that founded the ledger (its genesis event): the root of
    trust ``cert verify --trust`` takes and a bundle's chain starts from."""
    return ledger.registry().keys_of("hrss")[0].key_id  # type: ignore[attr-defined]


@click.command("page")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path), help="The HTML file to write.")
@click.option("--did", "did_file", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="Pin this DID document (default: HRSS's, from the ledger's trust registry).")
@click.option("--did-host", envvar="CERTLEDGER_DID_HOST", default="hrss.henan.example", show_default=True)
@click.option("--trust", "trust", metavar="ROOT_KEY_ID|PEM",
              help="Pin this root of trust for bundles (default: the ledger's genesis root key; none with --did).")
@pass_session
def page(session: Session, output: Path, did_file: Path | None, did_host: str, trust: str | None) -> None:
    """Write the verification page: one static HTML file that checks, offline in any browser,
    a credential's eddsa-jcs-2022 proof and status (HRSS's DID document pinned) and a
    certificate bundle from 'cert export' (the ledger's root of trust pinned)."""
    root_key = None
    if trust is not None:
        from certledger.cli.cert import _trusted_root

        root_key = _trusted_root(trust)
    if did_file is not None:
        try:
            document = json.loads(did_file.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError) as e:
            raise InputError(f"{did_file} is not a JSON DID document: {e}") from None
    else:
        from certledger.cli.credential import hrss_did_document

        ledger = session.ledger(read_only=True)
        document = hrss_did_document(ledger, did_host)
        root_key = root_key or genesis_root_key(ledger)
    if not isinstance(document, dict) or not isinstance(document.get("id"), str):
        raise InputError("the DID document has no id")
    try:
        output.write_text(build_page(document, root_key), encoding="utf-8")
    except OSError as e:
        raise InputError(f"cannot write {output}: {e.strerror}") from None
    click.echo(f"wrote {output}: open it in a browser (file:// works), issuer {document['id']} pinned"
               + (f", root of trust {root_key} pinned" if root_key else ", no root of trust pinned (bundles: --trust)"), err=True)
