"""``certledger notices render``: the public notices, rendered from the live registers.

Reads only. A notice is rendered from registers that stand at the ledger's last event, or
not at all: a notice from lagging registers would publish a state that is already out of
date. The output's SHA-256 goes to stderr, so what is published can be named (and, later,
signed into the publishing act).
"""

from __future__ import annotations

from pathlib import Path

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
@pass_session
def render(session: Session, kind: str, sitting_ref: str, fmt: str, output: Path | None) -> None:
    """Render notice KIND for a sitting: """ \
        """publicity (考试成绩合格公示和考后资格核查公告, R-5), results (考后资格核查结果公告, R-7), """ \
        """custody-roster (登记造册, R-17). Same registers, same bytes; the SHA-256 goes to stderr.
    Refused (exit 2) when the registers lag the ledger; exit 4 when there are none."""
    from certledger.events.lifecycle import parse_sitting_ref
    from certledger.projections import notices as n
    from certledger.projections.projector import Sql

    kind = n.kind_of(kind)
    sid = parse_sitting_ref(sitting_ref)
    ledger = session.ledger(read_only=True)
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
    sitting = ledger.sitting(sid)
    due = n.Deadlines(*(d.isoformat() if d else None
                        for d in (sitting.verification_due, sitting.supplementary_due, sitting.mailing_due)))
    content = n.render(n.build(kind, src, due), fmt)
    if output is None:
        click.echo(content, nl=False)  # bytes go to the binary stream as they are
    else:
        output.write_bytes(content)
    note(f"sha256:{n.digest(content)}  {kind} {sitting_ref} ({fmt}, registers at notification {position})")
