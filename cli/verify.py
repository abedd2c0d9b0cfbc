"""``certledger verify``: every signature, every chain, every key's validity."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from typing import Any

import click

from certledger.cli import interrupts
from certledger.cli.output import NoBar, emit_json, note
from certledger.cli.session import Session
from certledger.domain.errors import CertLedgerError, ExitCode, InputError
from certledger.events.envelope import FORMAT as ENVELOPE_FORMAT
from certledger.events.verify import Report, tool_version, verify_ledger

pass_session = click.make_pass_decorator(Session)

# Below this, starting worker processes (about a third of a second) costs more than it saves.
PARALLEL_FROM = 20_000

_KEY_ID = re.compile(r"ed25519:[0-9a-f]{32}")


class KeyIdType(click.ParamType):
    """A key id, ``ed25519:`` and 32 hex digits; anything else is bad input (exit 2), so a
    mistyped pin is never taken for a root key the ledger merely does not have."""

    name = "key id"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        text = str(value).strip().lower()
        if not _KEY_ID.fullmatch(text):
            raise InputError(f"--root-key {value!r} is not a key id: write ed25519: and 32 hex digits")
        return text


@click.command()
@click.option("--all", "report_all", is_flag=True, help="Name every bad event, not only the first.")
@click.option("--root-key", type=KeyIdType(), metavar="KEY_ID", help="Require the ledger's root key to be this one.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option(
    "--jobs",
    type=click.IntRange(0, 64),
    default=0,
    help="Processes checking signatures (default 0: one per core for ledgers over "
    f"{PARALLEL_FROM:,} events, else 1).",
)
@click.option(
    "--checkpoint",
    "kept",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    metavar="FILE",
    help="A checkpoint note you kept (certledger checkpoint -o FILE): the ledger must still hold exactly "
    "the events it covers.",
)
@click.option(
    "--since",
    "since",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    metavar="FILE",
    help="Verify only the events recorded after this kept checkpoint note, tied to it by Merkle proofs.",
)
@click.option(
    "--registers",
    "check_registers",
    is_flag=True,
    help="Also prove the live registers (what cert show, candidate show … answer from) equal a replay of the "
    "signed events up to their position, naming the first row that differs. Writes a scratch register set "
    "beside them and drops it.",
)
@pass_session
def verify(
    session: Session, report_all: bool, root_key: str | None, as_json: bool, jobs: int, kept: Path | None, since: Path | None,
    check_registers: bool = False,
) -> None:
    """Check the whole ledger. Exit 0 if every event verifies, 1 naming the bad ones.

    It opens the ledger read-only: whatever the database holds, verify writes nothing (with
    --registers, only a scratch register set, dropped at the end; never an event)."""
    kept_note = read_note(kept) if kept is not None else None
    since_note = read_note(since) if since is not None else None
    # The checks below are the verification; reading must not refuse what it should report.
    ledger = session.ledger(read_only=True, verify_on_read=False)
    report = Report(store=ledger.database.store_json())
    findings = []
    show_bar = sys.stderr.isatty() and not as_json
    total = ledger.rows.count()
    if jobs == 0:
        jobs = auto_jobs(total, since_note)
    with (
        click.progressbar(length=total, label="verifying", file=sys.stderr) if show_bar else NoBar() as bar,
        interrupts.only_here() if jobs > 1 else NoBar(),
    ):
        for finding in verify_ledger(
            ledger, report, pinned_root=root_key, progress=bar.update, jobs=jobs, kept_checkpoint=kept_note, since_note=since_note
        ):
            findings.append(finding)
            if not report_all:
                break
    events_ok = not findings and report.ok
    registers = _registers(session, root_key) if check_registers and events_ok else None
    if as_json:
        out = {"report": report.to_json(), "findings": [f.to_json() for f in findings]}
        if check_registers:
            out["registers"] = registers.to_json() if registers is not None else None
        emit_json(out)
    else:
        for finding in findings:
            click.echo("BAD " + finding.describe())
        if registers is not None and not registers.ok:
            click.echo(f"BAD registers at notification {registers.position}: {registers.first()}")
        print_summary(report, complete=report_all or not findings,
                      registers_differ=registers is not None and not registers.ok)
        if check_registers:
            click.echo(f"  registers:        {_registers_line(registers, events_ok)}")
    if not events_ok or (registers is not None and not registers.ok):
        sys.exit(ExitCode.NOT_VERIFIED)


def _registers(session: Session, root_key: str | None) -> Any:
    """The live registers against a replay (None: there are none), on a second connection
    opened for writing the scratch set, every signature checked as the replay reads it."""
    from certledger.events.ledger import Ledger
    from certledger.projections.replay_check import check_registers

    ledger = Ledger(session.database, verify_on_read=True, pinned_root=root_key)
    try:
        return check_registers(ledger)
    finally:
        ledger.close()


def _registers_line(registers: Any, events_ok: bool) -> str:
    if not events_ok:
        return "not checked: the events do not verify"
    if registers is None:
        return "none in this database (certledger project builds them)"
    if registers.ok:
        return (f"equal a replay of the events up to notification {registers.position} "
                f"({registers.rows} rows, every register and column)")
    return f"{len(registers.changes)} rows differ from a replay up to notification {registers.position}: FAIL"


def auto_jobs(total: int, since_note: str | None) -> int:
    """``--jobs auto``: worker processes pay for themselves only over many events to check;
    with ``--since``, only the events after the kept note are checked."""
    to_check = total - _covered_size(since_note) if since_note is not None else total
    return (os.cpu_count() or 1) if to_check > PARALLEL_FROM else 1


def _covered_size(note_text: str) -> int:
    """How many events a kept note says it covers, read without checking it (``verify_since``
    checks it); 0 for a note that does not parse, so a bad note is reported, not mis-sized."""
    from certledger.signing.note import parse_checkpoint, unsigned_text

    try:
        return parse_checkpoint(unsigned_text(note_text)).size
    except CertLedgerError:
        return 0


def read_note(path: Path) -> str:
    """The kept note's text; an unreadable or empty file is bad input (exit 2), never taken
    for "no note given" (a verify that silently checked nothing would exit 0)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(f"cannot read the checkpoint note {path}: {e}") from None
    if not text.strip():
        raise InputError(f"the checkpoint note {path} is empty: give the note you kept (certledger checkpoint -o FILE)")
    return text


def _log_lines(report: Report) -> list[tuple[str, str]]:
    log = report.log.to_json()
    latest = log["latest_checkpoint"]
    lines = [
        ("merkle root", f"{log['tree_root']} over {log['tree_size']} events (recomputed)"),
        ("checkpoints", f"{log['checkpoints_checked']} checked (检查点), {log['cosignatures_checked']} cosignatures"
         + (f"; latest covers {latest['size']} events, root {latest['root'][:16]}…" if latest else "; none recorded")),
    ]
    if report.since is not None:
        s = report.since
        lines.append(("since", f"events after the kept checkpoint of {s['kept_size']} (notification "
                      f"{s['boundary_notification_id']}): re-verified; {s['streams_pinned']} older streams pinned by "
                      f"inclusion proofs; NOT re-verified: {s['not_re_verified']}"))
        lines.append(("consistency", s["consistency_with_latest_checkpoint"] or "-"))
    kept = log["kept_checkpoint"]
    if kept is not None:
        verdict = {True: "holds", False: "FAILS", None: "not reached"}[kept.get("ok")]
        lines.append(("kept checkpoint", f"{verdict}: {kept.get('size', '?')} events" + (f", root {kept['root'][:16]}…" if "root" in kept else "")))
    return lines


def _not_covered(report: Report) -> str:
    after = report.log.to_json()["events_after_latest_checkpoint"]
    if report.log.kept is not None and report.log.kept.get("ok"):
        return (f"events after the kept checkpoint's {report.log.kept['size']} are covered only by recorded "
                "checkpoints; rows removed after the latest one are not seen (README)")
    return (f"{after} event{'' if after == 1 else 's'} after the latest checkpoint: rows removed from the end after it are not seen "
            "without a kept note (certledger verify --checkpoint FILE, README)")


def _store_line(store: dict[str, str] | None) -> str:
    if not store:
        return "-"
    if store["backend"] == "sqlite":
        return f"SQLite file {store['path']}, table {store['table']}"
    return (f"PostgreSQL database {store['database']} on {store['host']}:{store['port']}, schema {store['schema']} "
            f"(table {store['table']})")


def print_summary(report: Report, *, complete: bool, registers_differ: bool = False) -> None:
    """The verdict on one line, then what exactly was verified (STYLE: data on stdout)."""
    checked = f"{report.events} events" + ("" if complete else " (stopped at the first bad one; --all for every one)")
    status = "OK" if report.ok and not report.findings and not registers_differ else "FAIL"
    click.echo(f"{status}: {checked}, {report.findings} bad" + ("; the registers differ from a replay" if registers_differ else ""))
    rate = f" ({report.events / report.seconds:,.0f} events/s)" if report.seconds else ""
    lines = [
        ("read", _store_line(report.store)),
        ("ledger id", report.ledger_id or "(none)"),
        ("head", f"notification {report.head_notification_id}, digest {report.head_digest}"),
        ("genesis root key", report.genesis_root_key or "(none)"),
        ("current root key", ", ".join(report.current_root_keys) or "(none)"),
        ("root key pinned", report.pinned_root_key or "no (pass --root-key: an unpinned ledger may be a substitute)"),
        ("parties, keys", f"{report.parties} parties, {report.keys} keys ({report.revoked_keys} revoked)"),
        *_log_lines(report),
        ("clock", "SIMULATED: a demo or test ledger, its times are not real" if report.clock == "simulated" else "system"),
        ("verified", f"{report.verified_at} by certledger {tool_version()}, envelope format {ENVELOPE_FORMAT}{rate}"),
    ]
    for label, value in lines:
        click.echo(f"  {label + ':':<18}{value}")
    click.echo(f"  not covered:      {_not_covered(report)}")
    if report.events == 0:
        note("the ledger holds no events")

