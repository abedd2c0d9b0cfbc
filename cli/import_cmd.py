"""``certledger import KIND FILE --sitting REF --as PARTY --on DATE``: an exam center's or
department's spreadsheet recorded as acts (events.importing does the work)."""

from __future__ import annotations

import os
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

import click

from certledger.cli.lifecycle import as_option, json_option, on_option, pass_session, resolve_sitting
from certledger.cli.output import emit_json, note
from certledger.cli.session import Session
from certledger.domain.errors import InputError
from certledger.domain.import_rows import KINDS, describe_columns, import_kind
from certledger.domain.source import source_id
from certledger.events.checks import SignatureWorkers
from certledger.events.importing import Importer, ImportResult, Table, read_table, refusals_csv


_COLUMNS_HELP = "\b\nColumns (our name=accepted headers):\n" + "\n".join(
    f"  {k}: {describe_columns(v)}" for k, v in KINDS.items()
)


class _Bar:
    """A progress bar with rows/s and ETA on a terminal's stderr; nothing when piped."""

    def __init__(self, length: int, label: str) -> None:
        self.shown = sys.stderr.isatty() and length > 0
        self.started = time.monotonic()
        self.done = 0
        self.bar: Any = None
        if self.shown:
            self.bar = click.progressbar(length=length, label=label, file=sys.stderr, show_eta=True,
                                         show_pos=True, item_show_func=lambda rate: rate)

    def __enter__(self) -> "_Bar":
        if self.bar is not None:
            self.bar.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.__exit__(*exc)

    def update(self, n: int) -> None:
        self.done += n
        if self.bar is not None:
            rate = self.done / max(time.monotonic() - self.started, 1e-6)
            self.bar.update(n, f"{rate:,.0f} rows/s")


@click.command("import", epilog=_COLUMNS_HELP)
@click.argument("kind", type=click.Choice(sorted(KINDS)), metavar="KIND")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE.csv|FILE.xlsx")
@click.option("--sitting", "sitting_ref", required=True, metavar="SITTING", help="The sitting, EXAM:YEAR, e.g. jianzaoshi-1:2025.")
@click.option("--refused", "refused_path", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE.csv",
              help="Where to write the refused rows (row, source id, column, rule, message); default the input's name plus .refused.csv (成绩.xlsx.refused.csv), beside it.")
@click.option("--accept-valid", is_flag=True,
              help="Record the rows that pass even when others are refused (default: any refused row records nothing).")
@json_option
@as_option
@on_option
@pass_session
def import_(session: Session, kind: str, path: Path, sitting_ref: str, refused_path: Path | None,
            accept_valid: bool, as_json: bool, actor: str, on: date) -> None:
    """Record a spreadsheet's rows as acts of KIND: registrations (报名, exam-center), scores
    (成绩发布, exam-center), handovers (移交, hrss), verifications (资格核查结果, the verification
    unit), mailings (预约邮寄, hrss). Every row is checked against the
    rules first; refused rows go to a CSV and, unless --accept-valid, nothing is written.
    Re-running a file (after an interruption, even kill -9) records only what is missing.

    One summary line, not a receipt per row (a sitting has tens of thousands); each event's
    receipt is in the ledger (``trace``)."""
    spec = import_kind(kind)
    table = read_table(path)
    ledger = session.ledger()
    sid = resolve_sitting(ledger, sitting_ref)
    importer = Importer(ledger, spec, sid, actor, on)
    started = time.monotonic()
    outcome, pending = check_table(importer, table)
    if outcome.refused:
        target = refused_path or path.with_name(path.name + ".refused.csv")
        try:
            target.write_text(refusals_csv(outcome.refused, outcome.digest), encoding="utf-8")
        except OSError as e:
            raise InputError(f"{len(outcome.refused):,} rows refused, and their report cannot be written to "
                             f"{target} ({e.strerror or e}); nothing was recorded") from None
        first = min(outcome.refused, key=lambda r: r.row)
        summary = (f"{len(outcome.refused):,} of {outcome.rows:,} rows refused (listed in {target}); first: "
                   f"row {first.row} [{first.rule}] {first.message}")
        if not accept_valid:
            raise InputError(f"{summary}; nothing was recorded (--accept-valid records the other rows)")
        note(summary)
    checked = time.monotonic()
    write_rows(importer, outcome, pending)
    seconds = time.monotonic() - started
    writing = max(time.monotonic() - checked, 1e-6)
    note(f"{kind} ({spec.term}) from {path.name} (sha256 {outcome.digest[:16]}…): {outcome.recorded:,} recorded "
         f"({outcome.recorded / writing:,.0f} rows/s writing, {outcome.rows / max(seconds, 1e-6):,.0f} rows/s in all), "
         f"{outcome.already:,} already recorded, {len(outcome.refused):,} refused")
    source = source_id(outcome.digest, 2).rsplit("#", 1)[0]
    if as_json:
        emit_json({"kind": kind, "term": spec.term, "file": str(path), "source": source, "rows": outcome.rows,
                   "recorded": outcome.recorded, "already_recorded": outcome.already, "refused": len(outcome.refused),
                   "seconds": round(seconds, 3)})
        return
    click.echo(f"{outcome.recorded} recorded, {outcome.already} already recorded, {len(outcome.refused)} refused, "
               f"source {source}")



# Rows: below this, worker processes cost more to start than they save (measured: 10,000 score
# rows checked at 3.8k rows/s with 2 workers against 4.8k without; 40,000 at 4.9k against 4.3k).
PARALLEL_FROM = 20_000


def check_table(importer: Importer, table: Table) -> tuple[ImportResult, list[Any]]:
    """Every row checked (no write), with a progress bar on a terminal. For a big table the
    signatures of the candidacies' recorded events, read to check each row against, are
    checked by worker processes (one per core) while this one checks the rows."""
    jobs = os.cpu_count() or 1
    workers = SignatureWorkers(jobs) if jobs > 1 and len(table.rows) >= PARALLEL_FROM else None
    importer.ledger.signature_workers = workers
    try:
        with _Bar(len(table.rows), f"checking {importer.kind.term} {importer.kind.kind}") as bar:
            return importer.check(table, bar.update)
    finally:
        importer.ledger.signature_workers = None
        if workers is not None:
            workers.close()


def write_rows(importer: Importer, outcome: ImportResult, pending: list[Any]) -> ImportResult:
    """The checked rows recorded, with a progress bar on a terminal."""
    with _Bar(len(pending), f"recording {importer.kind.term} {importer.kind.kind}") as bar:
        return importer.write(outcome, pending, bar.update)
