"""``certledger prove inclusion|consistency`` (from the ledger) and ``prove check`` (offline).

``prove check`` reads a proof file and a verifier key: no database, no network,
and it imports neither eventsourcing nor psycopg (:mod:`events.proof_file`)."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import click
import orjson

from certledger.cli.output import emit_json, note
from certledger.cli.session import Session
from certledger.domain.errors import ExitCode, InputError, TamperError

pass_session = click.make_pass_decorator(Session)


@click.group()
def prove() -> None:
    """Merkle proofs (RFC 9162) against recorded checkpoints, and their offline check."""


def _emit(document: dict[str, Any], output: Path | None) -> None:
    if output is None:
        emit_json(document)
        return
    output.write_bytes(orjson.dumps(document, option=orjson.OPT_INDENT_2) + b"\n")
    note(f"proof written to {output}; check it anywhere with: certledger prove check {output} --vkey VKEY "
         f"--ledger {document['ledger']}")


def _covering(recorded: list[Any], position: int, size: int | None, notification_id: int) -> Any:
    if size is not None:
        chosen = [c for c in recorded if c.size == size]
        if not chosen:
            raise InputError(f"no checkpoint of size {size} is recorded ('certledger checkpoint list')")
        if position >= size:
            raise InputError(f"the checkpoint of size {size} does not cover notification {notification_id} (leaf {position})")
        return chosen[0]
    covering = [c for c in recorded if c.size > position]
    if not covering:
        raise InputError(
            f"no checkpoint covers notification {notification_id} yet: record one with 'certledger checkpoint'"
        )
    return covering[-1]


@prove.command("inclusion")
@click.argument("event", metavar="EVENT", type=int)
@click.option("--checkpoint", "size", type=int, help="Against the checkpoint of this size (default the latest covering EVENT).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write the proof file here.")
@click.option("--json", "as_json", is_flag=True, help="Print the proof as JSON (the default without -o).")
@pass_session
def prove_inclusion(session: Session, event: int, size: int | None, output: Path | None, as_json: bool) -> None:
    """Prove that event EVENT (a notification id) is in a recorded checkpoint's tree."""
    from certledger.events import envelope
    from certledger.events.checkpoints import recorded_checkpoints
    from certledger.events.merkle import state_leaf, verify_inclusion
    from certledger.events.merkle_log import open_log
    from certledger.events.proof_file import inclusion_document

    ledger = session.ledger(read_only=True)
    log = open_log(ledger)
    row = ledger.rows.at(event)
    if row is None:
        raise InputError(f"there is no event with notification id {event}")
    position = log.position_of(event)
    checkpoint = _covering(recorded_checkpoints(ledger), position, size, event)
    proof = log.inclusion_proof(position, checkpoint.size)
    try:  # the stored log is not trusted: the proof must hold against the signed root
        verify_inclusion(state_leaf(row.state), position, checkpoint.size, proof, checkpoint.root)
    except TamperError as e:
        raise TamperError(f"the stored Merkle log does not prove notification {event} in the checkpoint of "
                          f"{checkpoint.size} events ({e}): run 'certledger verify'") from None
    digest = envelope.digest(row.state) if isinstance(row.state, bytes) else envelope.digest(b"")
    _emit(inclusion_document(
        ledger=ledger.ledger_id, notification_id=event, leaf_index=position, digest=digest,
        tree_size=checkpoint.size, root=checkpoint.root, proof=proof, checkpoint=checkpoint.note,
    ), output)


@prove.command("consistency")
@click.argument("old_size", type=int)
@click.argument("new_size", type=int, required=False)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write the proof file here.")
@click.option("--json", "as_json", is_flag=True, help="Print the proof as JSON (the default without -o).")
@pass_session
def prove_consistency(session: Session, old_size: int, new_size: int | None, output: Path | None, as_json: bool) -> None:
    """Prove that the checkpoint of NEW_SIZE events (default the latest) extends the one of
    OLD_SIZE unchanged (0: the empty tree)."""
    from certledger.events.checkpoints import checkpoint_of_size
    from certledger.events.merkle import EMPTY_ROOT, verify_consistency
    from certledger.events.merkle_log import open_log
    from certledger.events.proof_file import consistency_document

    ledger = session.ledger(read_only=True)
    new = checkpoint_of_size(ledger, new_size)
    old = checkpoint_of_size(ledger, old_size) if old_size else None
    if old is not None and old.size > new.size:
        raise InputError(f"the old checkpoint ({old.size} events) is larger than the new one ({new.size})")
    old_root = old.root if old is not None else EMPTY_ROOT
    proof = open_log(ledger).consistency_proof(old_size, new.size)
    try:
        verify_consistency(old_size, new.size, old_root, new.root, proof)
    except TamperError as e:
        raise TamperError(f"the stored Merkle log does not prove checkpoint {new.size} extends checkpoint "
                          f"{old_size} ({e}): run 'certledger verify'") from None
    _emit(consistency_document(
        ledger=ledger.ledger_id, old_size=old_size, new_size=new.size, old_root=old_root, new_root=new.root,
        proof=proof, old_checkpoint=old.note if old else None, new_checkpoint=new.note,
    ), output)


_LEDGER_ID = re.compile(r"[0-9a-f]{64}")


def _ledger_id(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    text = value.strip().lower()
    if not _LEDGER_ID.fullmatch(text):
        raise InputError(f"--ledger {value!r} is not a ledger id: 64 hex digits (certledger verify prints it)")
    return text


@prove.command("check")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--vkey", "vkeys", multiple=True, metavar="VKEY", help="A C2SP verifier key (certledger keys vkey); repeatable.")
@click.option("--key", "pem", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="HRSS's public key as a PEM file.")
@click.option("--ledger", metavar="ID", callback=_ledger_id,
              help="The ledger id the proof must be about (its checkpoint's origin; certledger verify prints it).")
@click.option("--json", "as_json", is_flag=True, help="Print the verdict as JSON.")
def prove_check(file: Path, vkeys: tuple[str, ...], pem: Path | None, ledger: str | None, as_json: bool) -> None:
    """Check a proof file offline (no database): the RFC 9162 proof, that its checkpoint
    names the same tree (and, with --ledger, your ledger), and the checkpoint's signature.
    Prints the ledger the proof is about. Exit 0 if it holds, 1 naming the check that
    failed, 2 if no key was given (--vkey or --key): without one the proof proves nothing."""
    from certledger.events.proof_file import check_document, load
    from certledger.signing.note import Verifier

    verifiers = [Verifier.from_text(v.strip()) for v in vkeys]
    if pem is not None:
        from certledger.signing.keys import load_public_key_file

        verifiers.append(Verifier("hrss", load_public_key_file(pem)))
    verdict = check_document(load(file.read_bytes()), verifiers, ledger=ledger)
    if as_json:
        emit_json(verdict.to_json())
    else:
        click.echo(f"  ledger:      {verdict.ledger or '(not read)'}"
                   + ("" if ledger is not None or verdict.ledger is None else " (not compared: give --ledger ID)"))
        for passed in verdict.passed:
            click.echo(f"  ok:          {passed}")
        for unchecked in verdict.unchecked:
            click.echo(f"  NOT checked: {unchecked}")
        if verdict.ok:
            click.echo(f"OK: {file} holds ({verdict.kind}) for ledger {verdict.ledger}")
        elif verdict.failed is not None:
            click.echo(f"FAIL: {verdict.failed}: {verdict.reason}")
    if verdict.failed is not None:
        sys.exit(ExitCode.NOT_VERIFIED)
    if verdict.unchecked:
        raise InputError("the checkpoint signature was not checked: give HRSS's verifier key (--vkey VKEY, "
                         "certledger keys vkey) or public key (--key PEM); without it the proof proves nothing")
