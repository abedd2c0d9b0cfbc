"""``certledger page``: the self-contained verification page (核验页), with HRSS's DID document pinned."""

from __future__ import annotations

import json
from pathlib import Path

import click

from certledger.cli.session import Session
from certledger.domain.errors import InputError

PAGE = Path(__file__).resolve().parent.parent / "page"
pass_session = click.make_pass_decorator(Session)


def build_page(did_document: dict) -> str:
    """The page: page/verify.html with the JS inlined and the DID document pinned. The JSON is
    escaped so that no '<' of a hostile document can close the script element."""
    if not (PAGE / "verify.html").is_file():
        raise InputError(f"the page's sources are not in {PAGE} (install certledger from its repository, editable)")
    pinned = json.dumps(did_document, ensure_ascii=True).replace("<", "\\u003c").replace(">", "\\u003e")
    html = (PAGE / "verify.html").read_text(encoding="utf-8")
    for marker, text in (("/*PINNED_DID*/null", pinned),
                         ("/*VERIFY_CORE*/", (PAGE / "verify_core.js").read_text(encoding="utf-8")),
                         ("/*VERIFY_UI*/", (PAGE / "verify_ui.js").read_text(encoding="utf-8"))):
        html = html.replace(marker, text.replace("</script", "<\\/script"))
    return html


@click.command("page")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path), help="The HTML file to write.")
@click.option("--did", "did_file", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="Pin this DID document (default: HRSS's, from the ledger's trust registry).")
@click.option("--did-host", envvar="CERTLEDGER_DID_HOST", default="hrss.henan.example", show_default=True)
@pass_session
def page(session: Session, output: Path, did_file: Path | None, did_host: str) -> None:
    """Write the verification page: one static HTML file that checks a credential's
    eddsa-jcs-2022 proof and status offline in any browser, HRSS's DID document pinned."""
    if did_file is not None:
        try:
            document = json.loads(did_file.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError) as e:
            raise InputError(f"{did_file} is not a JSON DID document: {e}") from None
    else:
        from certledger.cli.credential import hrss_did_document

        document = hrss_did_document(session.ledger(read_only=True), did_host)
    if not isinstance(document, dict) or not isinstance(document.get("id"), str):
        raise InputError("the DID document has no id")
    try:
        output.write_text(build_page(document), encoding="utf-8")
    except OSError as e:
        raise InputError(f"cannot write {output}: {e.strerror}") from None
    click.echo(f"wrote {output}: open it in a browser (file:// works), issuer {document['id']} pinned", err=True)
