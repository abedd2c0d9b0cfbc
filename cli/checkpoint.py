"""``certledger checkpoint`` (检查点), ``checkpoint list``, ``cosign`` (联署) and ``keys vkey``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from certledger.cli.output import NoBar, emit_json, emit_table, note
from certledger.cli.receipts import recording
from certledger.cli.session import Session

pass_session = click.make_pass_decorator(Session)


def _write_note(path: Path | None, text: str) -> None:
    if path is not None:
        path.write_text(text, encoding="utf-8")
        note(f"checkpoint note written to {path}: keep it; 'certledger verify --checkpoint {path}' checks the ledger still holds what it covers")


def _show(recorded: Any, output: Path | None, as_json: bool, done: str) -> None:
    """The note on stdout (or the checkpoint as JSON), the file if asked, ``done`` on stderr."""
    _write_note(output, recorded.note)
    if as_json:
        emit_json(recorded.to_json())
    else:
        click.echo(recorded.note, nl=False)
        note(done)


@click.group(invoke_without_command=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Also write the note to FILE (what an auditor keeps).")
@recording
@click.option("--json", "as_json", is_flag=True, help="Print the receipt and the recorded checkpoint as JSON.")
@click.option("--rebuild-log", is_flag=True,
              help="First recompute the Merkle log's tables from the events (the repair when 'checkpoint' refuses a tampered log).")
@click.pass_context
def checkpoint(ctx: click.Context, output: Path | None, as_json: bool, rebuild_log: bool) -> None:
    """Record a checkpoint (检查点): HRSS signs the Merkle root of every event so far.

    Catches the Merkle log up, recomputes the leaves since the last checkpoint from the
    events and checks the tree extends the last checkpoint, records the signed C2SP
    checkpoint note as an event, and prints the note. One event per checkpoint: record one
    after every batch or working day. 'checkpoint list' shows them."""
    if ctx.invoked_subcommand is not None:
        return
    from certledger.events.checkpoints import record_checkpoint
    from certledger.events.merkle_log import MerkleLog

    session = ctx.find_object(Session)
    ledger = session.ledger()
    ledger.registry()
    log = MerkleLog(ledger)
    if log.ensure_tables():
        note(f"created the Merkle log's tables in {ledger.database.describe()} (a ledger made before them)")
    if rebuild_log:
        total = ledger.rows.count()
        show_bar = sys.stderr.isatty() and not as_json and total > 10_000
        with click.progressbar(length=total, label="rebuilding the log", file=sys.stderr) if show_bar else NoBar() as bar:
            rebuilt = log.rebuild(progress=bar.update)
        note(f"the Merkle log was rebuilt from the events: {rebuilt} leaves")
    pending = log.pending()
    show_bar = sys.stderr.isatty() and not as_json and pending > 10_000
    with click.progressbar(length=pending, label="following the log", file=sys.stderr) if show_bar else NoBar() as bar:
        recorded = record_checkpoint(ledger, progress=bar.update)
    _show(recorded, output, as_json,
          f"checkpoint recorded: {recorded.size} events, root {recorded.root.hex()}, notification {recorded.notification_id}")


@checkpoint.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (with each note).")
@pass_session
def checkpoint_list(session: Session, as_json: bool) -> None:
    """Every recorded checkpoint (检查点), oldest first."""
    from certledger.events.checkpoints import recorded_checkpoints

    recorded = recorded_checkpoints(session.ledger(read_only=True))
    if as_json:
        emit_json([c.to_json() for c in recorded])
        return
    rows: list[dict[str, Any]] = [
        {
            "size 事件数": c.size,
            "root 根哈希": c.root.hex()[:16] + "…",
            "notification": c.notification_id,
            "written (CST) 记录时间": c.to_json()["written_at"],
            "cosigned by 联署方": ", ".join(
                [*c.cosigners, *(f"{p} (✗ 签名无效 signature does not verify)" for p in c.unverified_cosigners)]
            ) or "-",
        }
        for c in recorded
    ]
    emit_table(rows, list(rows[0]) if rows else ["size 事件数"])


@checkpoint.command("show")
@click.argument("size", type=int, required=False)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Also write the note to FILE.")
@pass_session
def checkpoint_show(session: Session, size: int | None, output: Path | None) -> None:
    """Print the note of the checkpoint of SIZE (default the latest), with every cosignature."""
    from certledger.events.checkpoints import checkpoint_of_size

    recorded = checkpoint_of_size(session.ledger(read_only=True), size)
    _write_note(output, recorded.note)
    click.echo(recorded.note, nl=False)


@click.command()
@click.option("--as", "party", required=True, help="The cosigning party (e.g. exam-center, or a registered witness 见证方).")
@click.option("--checkpoint", "size", type=int, help="The size of the checkpoint to cosign (default the latest).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Also write the cosigned note to FILE.")
@recording
@click.option("--json", "as_json", is_flag=True, help="Print the receipt and the cosigned checkpoint as JSON.")
@pass_session
def cosign(session: Session, party: str, size: int | None, output: Path | None, as_json: bool) -> None:
    """Cosign (联署) a checkpoint as PARTY, after checking HRSS's signature and that it
    extends the last checkpoint PARTY cosigned (L-6)."""
    from certledger.events.checkpoints import cosign_checkpoint

    recorded = cosign_checkpoint(session.ledger(), party, size)
    _show(recorded, output, as_json, f"{party} cosigned the checkpoint of {recorded.size} events")


@click.command("vkey")
@click.option("--party", default="hrss", show_default=True, help="Whose keys.")
@click.option("--all", "every", is_flag=True, help="Also keys that are revoked.")
@pass_session
def keys_vkey(session: Session, party: str, every: bool) -> None:
    """Print PARTY's C2SP note verifier keys (name+hash+key), one a line: what checks a
    checkpoint note offline ('certledger prove check --vkey', Go's sumdb/note)."""
    from certledger.events.checkpoints import party_verifiers

    registry = session.ledger(read_only=True).registry()
    registry.party(party)
    entries = [k for k in registry.keys_of(party) if every or k.revoked_at is None]
    live = {k.key_id for k in entries}
    for verifier, entry in zip(party_verifiers(registry, party), registry.keys_of(party)):
        if entry.key_id in live:
            click.echo(verifier.text)

