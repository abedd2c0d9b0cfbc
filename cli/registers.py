"""``certledger project``, ``rebuild``, ``diff`` and ``register``: the registers as projections.

The registers are SQL tables beside the events (:mod:`projections.schema`). Recording
commands bring the live set up to date when they finish (:meth:`Session.close`);
``project`` does it explicitly; ``rebuild`` makes a set again from the signed events,
whole or as of a moment; ``diff`` compares two sets; ``register`` exports one register.
Reading commands (``diff``, ``register``) open the database read-only and never write:
when the live set lags the ledger they say so.
"""

from __future__ import annotations

import os
from typing import Any

import click
import orjson

from certledger.cli import terms
from certledger.cli.output import emit_json, emit_table, note, progress_bar
from certledger.cli.session import Session, parse_moment
from certledger.domain.errors import InputError

pass_session = click.make_pass_decorator(Session)


def _lag_note(ledger: Any, set_name: str) -> None:
    from certledger.projections.projector import Sql
    from certledger.projections.schema import LIVE

    sql = Sql(ledger, set_name)
    if sql.name != LIVE:
        return
    position, head = sql.position()[0], sql.head()
    if position < head:
        note(f"note: the registers stand at notification {position}; the ledger holds events up to {head} "
             "(run 'certledger project' to bring them up to date)")


@click.command()
@click.option("--batch", default=500, show_default=True, type=click.IntRange(1, 10_000),
              help="Events applied per transaction.")
@click.option("--follow", is_flag=True, help="Keep following the ledger until interrupted (Ctrl-C): on PostgreSQL woken by each "
                   "commit (LISTEN/NOTIFY), on SQLite polling.")
@click.option("--interval", default=2.0, show_default=True, type=click.FloatRange(0.1, 3600),
              help="With --follow: seconds between polls (PostgreSQL: the longest wait).")
@click.option("--jobs", default=None, type=click.IntRange(1, 64), metavar="N",
              help="Worker processes checking signatures while this one applies events (default: the "
                   "machine's cores; used from 20,000 events on).")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@pass_session
def project(session: Session, batch: int, follow: bool, interval: float, jobs: int | None, as_json: bool) -> None:
    """Bring the live registers up to date with the ledger (each event exactly once)."""
    from certledger.projections.projector import Sql, catch_up, follow as keep_following

    ledger = session.ledger()
    if follow:
        note("following the ledger; Ctrl-C stops")
        keep_following(ledger, interval=interval, on_progress=lambda r: note(
            f"registers at notification {r.position}: {r.applied} events applied"))
        return
    sql = Sql(ledger)
    before = sql.position()[0] if sql.exists() else 0
    with progress_bar(sql.pending(before), "projecting") as bar:
        result = catch_up(ledger, batch=batch, progress=bar.update, jobs=jobs or os.cpu_count() or 1)
    if as_json:
        emit_json({"position": result.position, "applied": result.applied})
    else:
        click.echo(f"registers at notification {result.position}: {result.applied} events applied")


def parse_cut(text: str | None, ledger: Any = None) -> Any:
    """``--as-of``: a notification id, ``checkpoint:SIZE`` (a recorded checkpoint), or a write
    time (ISO 8601; China Standard Time if no offset)."""
    from certledger.projections.projector import Cut

    if text is None:
        return Cut()
    if text.strip().lower().startswith("checkpoint:"):
        return _checkpoint_cut(text.strip().split(":", 1)[1], ledger)
    if text.strip().isdigit():
        return Cut(nid=int(text))
    if len(text.strip()) == 10:  # a bare date is a business date's shape: refuse it
        raise InputError(
            f"--as-of {text!r}: give a notification id or a write time (e.g. {text}T23:59:59+08:00); "
            "a business date is not a cut, because acts are recorded after the day they are dated"
        )
    return Cut(written=parse_moment(text))


def _checkpoint_cut(size_text: str, ledger: Any) -> Any:
    """The events a recorded checkpoint covers: by L-5 exactly those before its own event."""
    from certledger.events.checkpoints import recorded_checkpoints
    from certledger.projections.projector import Cut

    if not size_text.isdigit():
        raise InputError(f"--as-of checkpoint:{size_text}: give the checkpoint's size (tree size), e.g. checkpoint:2324")
    size = int(size_text)
    found = [c for c in recorded_checkpoints(ledger) if c.size == size]
    if not found:
        raise InputError(f"--as-of checkpoint:{size}: no checkpoint of {size} events is recorded ('certledger checkpoint list')")
    return Cut(nid=found[0].notification_id - 1)


@click.command()
@click.option("--into", "into", metavar="NAME",
              help="Write the registers as tables NAME_… beside the live ones (default: rebuild the live registers).")
@click.option("--as-of", "as_of", metavar="NOTIFICATION_ID|checkpoint:SIZE|WRITE_TIME",
              help="Only the events up to this notification id, the events a recorded checkpoint covers "
                   "(checkpoint:SIZE, as 'checkpoint list' shows it), or up to the first event written after "
                   "this time (ISO 8601, China Standard Time if no offset). Needs --into.")
@click.option("--batch", default=5000, show_default=True, type=click.IntRange(1, 10_000),
              help="Events applied per transaction.")
@click.option("--jobs", default=None, type=click.IntRange(1, 64), metavar="N",
              help="Worker processes checking signatures while this one applies events (default: the "
                   "machine's cores; used from 20,000 events on).")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@pass_session
def rebuild(session: Session, into: str | None, as_of: str | None, batch: int, jobs: int | None,
            as_json: bool) -> None:
    """Rebuild registers from the signed events, checking every signature on the way."""
    from certledger.projections import schema
    from certledger.projections.projector import Sql, rebuild as run_rebuild

    target = into or schema.LIVE
    prefix = schema.set_prefix(target)
    if as_of is not None and prefix == schema.set_prefix(schema.LIVE):
        raise InputError("--as-of writes the registers as they stood then: name a set with --into NAME "
                         "(the live registers always follow the whole ledger)")
    ledger = session.ledger()
    cut = parse_cut(as_of, ledger)
    sql = Sql(ledger, target)
    # An interrupted rebuild with the same cut left the set marked unfinished: carry on from its position.
    start = sql.position()[0] if sql.unfinished() == cut.as_of() else 0
    if start:
        note(f"resuming the unfinished rebuild of register set {sql.name!r} from notification {start}")
    with progress_bar(sql.pending(start, cut.nid), f"rebuilding {sql.name}") as bar:
        result = run_rebuild(ledger, target, cut=cut, batch=batch, progress=bar.update, jobs=jobs or os.cpu_count() or 1)
    events = sql.position()[1]
    if as_json:
        emit_json({"set": sql.name, "position": result.position, "applied": result.applied, "events": events,
                   "resumed_from": start or None})
    else:
        click.echo(f"register set {sql.name!r} rebuilt from {events} events, up to notification "
                   f"{result.position}; tables {prefix}…")


@click.command()
@click.argument("a")
@click.argument("b")
@click.option("--json", "as_json", is_flag=True, help="Print the differences as JSON.")
@pass_session
def diff(session: Session, a: str, b: str, as_json: bool) -> None:
    """Compare register sets A and B ('live' or a name given to rebuild --into): each changed
    row and field, and the signed events that explain it. Reads only."""
    from certledger.projections.diff import diff as run_diff

    ledger = session.ledger(read_only=True)
    for name in (a, b):
        _lag_note(ledger, name)
    result = run_diff(ledger, a, b)
    if as_json:
        emit_json(result.as_json())
        return
    click.echo(f"A = {a} (at notification {result.a_position}), B = {b} (at notification {result.b_position})")
    if result.same:
        click.echo("no differences")
        return
    if result.a_position == result.b_position:
        note("both sets stand at the same notification: the signed events give each row one value, so a row "
             "that differs was changed outside the projector")
    for change in result.changes:  # people read names and terms; --json keeps the ids and keys
        row = change.label or ", ".join(f"{k}={v}" for k, v in change.key.items())
        click.echo(f"\n{change.term} {change.register}: {row}: {terms.DIFF_CHANGE.get(change.change, change.change)}")
        for f in change.fields:
            click.echo(f"  {terms.header(f['field'])}: {terms.plain(f['a'])} → {terms.plain(f['b'])}")
        for e in change.events:
            click.echo(f"  event #{e['nid']} {terms.act_shown(e['term'], e['event'])} dated {terms.plain(e['on'])} "
                       f"by {terms.unit(e['party'])} (key {e['signer']}), written {e['written']}")
    click.echo(f"\n{len(result.changes)} rows differ")


@click.command("register")
@click.argument("name")
@click.option("--set", "set_name", default="live", show_default=True, metavar="SET",
              help="Which register set: live, or a name given to rebuild --into.")
@click.option("--csv", "as_csv", is_flag=True, help="CSV (UTF-8) with a header row.")
@click.option("--bom", is_flag=True, help="With --csv: start with a byte-order mark, for spreadsheet programs.")
@click.option("--jsonl", "as_jsonl", is_flag=True, help="One JSON object per line.")
@click.option("--json", "as_json", is_flag=True, help="One JSON array.")
@pass_session
def register(session: Session, name: str, set_name: str, as_csv: bool, bom: bool, as_jsonl: bool, as_json: bool) -> None:
    """Export one register (证书台账 certificates, 资格核查 verification, 预约邮寄 mailing, 保管
    custody, 处理 sanctions, 补办/信息修改 requests, 例外与补录 exceptions, sittings,
    candidacies, sitting_statistics). Reads only."""
    from certledger.projections import schema
    from certledger.projections.projector import Sql

    if sum((as_csv, as_jsonl, as_json)) > 1:
        raise InputError("choose one of --csv, --jsonl, --json")
    if bom and not as_csv:
        raise InputError("--bom goes with --csv")
    table = schema.register_name(name)
    ledger = session.ledger(read_only=True)
    sql = Sql(ledger, set_name)
    sql.require()
    _lag_note(ledger, set_name)
    rows = sql.rows(table)
    columns = list(rows[0]) if rows else (
        list(schema.BY_NAME[table].all_columns) if table in schema.BY_NAME else []
    )
    if as_json:
        emit_json(rows)
    elif as_jsonl:
        for row in rows:
            click.echo(orjson.dumps(row).decode())
    elif as_csv:
        from certledger.events.spreadsheet import csv_text

        text = csv_text(columns, ([row.get(c, "") for c in columns] for row in rows), bom=bom)
        click.echo(text, nl=False)
    else:
        emit_table(rows, columns)


COMMANDS = (project, rebuild, diff, register)
