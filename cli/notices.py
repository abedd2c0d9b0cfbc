"""``certledger notices render``: the public notices, rendered from the live registers.

Reads only. A notice is rendered from registers that stand at the ledger's last event, or
not at all: a notice from lagging registers would publish a state that is already out of
date. The output's SHA-256 goes to stderr, so what is published can be named (and, later,
signed into the publishing act).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from certledger.cli.output import note
from certledger.cli.session import Session
from certledger.domain.errors import InputError

pass_session = click.make_pass_decorator(Session)




@click.group()
def notices() -> None:
    """Public notices (公告) rendered from the registers."""


@notices.command("render")
@click.argument("kind", metavar="KIND")
@click.option("--sitting", "sitting_ref", required=True, metavar="EXAM:YEAR",
              help="The sitting, e.g. jianzaoshi-1:2025 (or its id).")
@click.option("--format", "fmt", type=click.Choice(["txt", "html", "csv"]), default="txt", show_default=True,
              help="txt: the announcement as text; html: a printable page; csv: the table only.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file instead of stdout.")
@click.option("--published", is_flag=True,
              help="The notice as its publishing act signed it (from the ledger, not the registers), its "
                   "digest checked; stderr names who published it, when, and where in the log.")
@click.option("--by", "publisher", metavar="PARTY",
              help="With --published: the publisher's (the joint publicity has two), default the last.")
@click.option("--bom", is_flag=True, help="With --format csv: start with a byte-order mark, for spreadsheet programs.")
@pass_session
def render(session: Session, kind: str, sitting_ref: str, fmt: str, output: Path | None, published: bool,
           publisher: str | None, bom: bool) -> None:
    """Render notice KIND for a sitting: publicity (考试成绩合格公示和考后资格核查公告, R-5),
    report (核查结果报送, R-6), results (考后资格核查结果公告, R-7), supplementary-report
    (补充资格核查结果, R-9), supplementary-results (补充资格核查结果公告, R-9), custody-roster
    (登记造册, R-17). Same registers, same bytes; the SHA-256 goes to stderr. Refused (exit 2)
    when the registers lag the ledger; exit 4 when there are none."""
    if bom and fmt != "csv":
        raise InputError("--bom goes with --format csv")
    from certledger.events.lifecycle import parse_sitting_ref
    from certledger.projections import notices as n
    from certledger.projections.projector import Sql

    kind = n.kind_of(kind)
    sid = parse_sitting_ref(sitting_ref)
    ledger = session.ledger(read_only=True)
    if published:
        if bom:
            raise InputError("--bom is for a notice rendered from the registers; --published gives the signed bytes")
        _published(ledger, kind, sid, sitting_ref, fmt, output, publisher)
        return
    if publisher is not None:
        raise InputError("--by names the publisher of a --published notice")
    sql = Sql(ledger)
    sql.require()  # no registers at all: StorageError, exit 4
    position, head = sql.position()[0], sql.head()
    if position < head:
        raise InputError(
            f"the registers stand at notification {position} but the ledger holds events up to {head}: "
            "run 'certledger project' first (a notice is rendered only from up-to-date registers)"
        )
    src = n.load(sql, str(sid))
    if src is None:
        raise InputError(f"no sitting {sitting_ref} in the registers ('certledger sitting schedule' creates one)")
    content = n.render(n.build(kind, src, n.deadlines_of(ledger.sitting(sid))), fmt)
    if bom:
        content = "\ufeff".encode() + content
    _write(content, output)
    note(f"sha256:{n.digest(content)}  {kind} {sitting_ref} ({fmt}, registers at notification {position})")


def _write(content: bytes, output: Path | None) -> None:
    if output is None:
        click.echo(content, nl=False)  # bytes go to the binary stream as they are
    else:
        output.write_bytes(content)


def _published(ledger: Any, kind: str, sid: Any, sitting_ref: str, fmt: str, output: Path | None,
               publisher: str | None) -> None:
    """The notice a publishing act signed: read from the sitting's signed events."""
    from certledger.events import envelope
    from certledger.projections import notices as n

    event_name = n.PUBLISHED_BY[kind]
    signed = [e for e in ledger.repository.event_store.get(sid)
              if type(e).__name__ == event_name and getattr(e, "notice", None) is not None
              and (publisher is None or e.actor == publisher)]
    if not signed:
        by = f" by {publisher}" if publisher else ""
        raise InputError(f"no {kind} notice{by} is signed into {sitting_ref}'s events (not published yet, or "
                         "published before certledger signed notices: render it from the registers)")
    event = signed[-1]
    notice = n.from_content(kind, event.notice)
    text = n.render(notice, "txt")
    row = ledger.rows.read(sid, event.originator_version)
    signer = envelope.open_state(row.state).signer
    where = (f"published by {event.actor} on {event.on.isoformat()}, signed with {signer}, notification "
             f"{row.notification_id}, written {event.timestamp.isoformat()}")
    if n.digest(text) != event.notice["digest"]:
        raise InputError(f"the signed {kind} notice ({where}) renders to sha256:{n.digest(text)}, not the "
                         f"sha256:{event.notice['digest']} signed with it: this certledger renders it differently")
    _write(text if fmt == "txt" else n.render(notice, fmt), output)
    note(f"sha256:{event.notice['digest']}  {kind} {sitting_ref}: the notice {where}; its text renders to the "
         "signed digest")
