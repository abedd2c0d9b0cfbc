"""``certledger init``, ``parties …`` and ``keys …``: the root's trust registry."""

from __future__ import annotations

from pathlib import Path

import click

from certledger.cli.output import emit_json, emit_table, note
from certledger.cli.session import Session, parse_moment
from certledger.domain.parties import ROOT_PARTY, check_party_id, party_kind
from certledger.events.ledger import utc_now
from certledger.projections.trust import key_rows, party_rows
from certledger.domain.units import all_units, unit_name
from certledger.signing.keys import key_id_of, load_public_key_file, new_private_key, raw_public_key

pass_session = click.make_pass_decorator(Session)


@click.command()
@click.option("--name", default="河南省人力资源和社会保障厅", show_default=True, help="The root party's name.")
@click.option(
    "--simulated-clock",
    is_flag=True,
    help="For demos and tests only: record times on a simulated clock that moves to each act's "
    "business date, so acts dated in the future can be recorded. The genesis event says so, "
    "and verify reports it: such a ledger is never a real one.",
)
@pass_session
def init(session: Session, name: str, simulated_clock: bool) -> None:
    """Create the ledger and the HRSS root key (the genesis event)."""
    session.passphrase(confirm=True)  # ask before anything is created
    ledger = session.ledger(create=True, confirm=True)
    ledger.ensure_empty()
    store = session.keystore()
    key = new_private_key()
    key_id = store.save(ROOT_PARTY, key)
    try:
        ledger.initialise(raw_public_key(key), root_name=name, simulated=simulated_clock)
    except BaseException:
        store.path_for(ROOT_PARTY, key_id).unlink(missing_ok=True)
        raise
    note(f"ledger created in {ledger.database.describe()}")
    note(f"root key {key_id} saved to {store.path_for(ROOT_PARTY, key_id)}")
    note("give auditors the root key id to pin: certledger verify --root-key " + key_id)
    click.echo(key_id)


@click.group()
def parties() -> None:
    """Parties that act in the ledger (departments, exam center, associations, …)."""


@parties.command("add")
@click.argument("party_id")
@click.option("--name", required=True, help="Official name, e.g. 河南省住房和城乡建设厅.")
@click.option("--kind", required=True, help="hrss, exam-center, department, association, postal, …")
@pass_session
def parties_add(session: Session, party_id: str, name: str, kind: str) -> None:
    """Register PARTY_ID (signed by the root)."""
    check_party_id(party_id)
    session.ledger().register_party(party_id, name, party_kind(kind))
    note(f"registered party {party_id}")


@parties.command("seed")
@click.option("--json", "as_json", is_flag=True, help="Print the enrolled parties as JSON.")
@pass_session
def parties_seed(session: Session, as_json: bool) -> None:
    """Register every unit of the 2019 table that is not registered yet, each with a new key:
    the exam center, each department at the province and (省（市）) in each municipality and
    济源示范区, the association, the postal company, the national end of the R-19 route."""
    ledger = session.ledger()
    registered = ledger.registry().parties
    missing = [party for party in all_units() if party not in registered]
    store = session.keystore(confirm=True)
    entries = []
    for party in missing:
        name, kind = unit_name(party)
        key = new_private_key()
        store.save(party, key)
        entries.append((party, name, kind, raw_public_key(key)))
    try:
        key_ids = ledger.enrol(entries) if entries else []
    except BaseException:
        for party, *_, public in entries:
            store.path_for(party, key_id_of(public)).unlink(missing_ok=True)
        raise
    rows = [{"party": e[0], "name": e[1], "kind": e[2].value, "key_id": k} for e, k in zip(entries, key_ids)]
    if as_json:
        emit_json(rows)
    note(f"registered {len(rows)} units ({len(all_units()) - len(rows)} were registered already)")


@parties.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_session
def parties_list(session: Session, as_json: bool) -> None:
    """List the registered parties."""
    rows = party_rows(session.ledger(read_only=True).registry(), utc_now())
    if as_json:
        emit_json(rows)
    else:
        emit_table(rows, ["party", "kind", "name", "valid_keys", "registered_at"])


@click.group()
def keys() -> None:
    """Signing keys of the parties: list, add, rotate, revoke."""


@keys.command("list")
@click.option("--party", help="Only this party's keys.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_session
def keys_list(session: Session, party: str | None, as_json: bool) -> None:
    """List keys with their validity."""
    registry = session.ledger(read_only=True).registry()
    if party is not None:
        registry.party(party)
    rows = key_rows(registry, utc_now(), party)
    if as_json:
        emit_json(rows)
    else:
        emit_table(rows, ["key_id", "party", "status", "valid_from", "revoked_at"])


@keys.command("add")
@click.option("--party", required=True, help="The party the key signs for.")
@click.option(
    "--public-key",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="Register this public key (PEM or base64) held by the party itself, "
    "instead of generating a key pair into the key store.",
)
@click.option("--valid-from", help="When the key takes effect (ISO 8601; default now).")
@pass_session
def keys_add(session: Session, party: str, public_key: Path | None, valid_from: str | None) -> None:
    """Register a new signing key for a party (signed by the root)."""
    moment = parse_moment(valid_from)
    ledger = session.ledger()
    ledger.registry().party(party)
    if public_key is not None:
        key_id = ledger.add_key(party, load_public_key_file(public_key), valid_from=moment)
    else:
        key_id = _with_new_key(session, party, lambda pub: ledger.add_key(party, pub, valid_from=moment))
    note(f"added key {key_id} for {party}")
    click.echo(key_id)


@keys.command("rotate")
@click.option("--party", required=True)
@pass_session
def keys_rotate(session: Session, party: str) -> None:
    """Give a party a new key and revoke its current ones from now on."""
    ledger = session.ledger()
    ledger.registry().party(party)
    new_id, old = _with_new_key(session, party, lambda pub: ledger.rotate_key(party, pub))
    note(f"{party} now signs with {new_id}; revoked: {', '.join(old) or 'none'}")
    click.echo(new_id)


@keys.command("revoke")
@click.argument("key_id")
@click.option("--reason", required=True, help="Why, e.g. 'private key lost'.")
@click.option(
    "--effective",
    help="From when (ISO 8601; default now). Earlier than now for a compromised key: "
    "what it signed since then stops verifying.",
)
@pass_session
def keys_revoke(session: Session, key_id: str, reason: str, effective: str | None) -> None:
    """Revoke KEY_ID (signed by the root)."""
    session.ledger().revoke_key(key_id, reason, effective_at=parse_moment(effective))
    note(f"revoked {key_id}")


def _with_new_key(session: Session, party: str, register):
    """Generate a key into the store and register it. If registering fails before the key
    reached the ledger, remove its file again: no orphan private keys."""
    store = session.keystore(confirm=True)
    key = new_private_key()
    key_id = store.save(party, key)
    try:
        return register(raw_public_key(key))
    except BaseException:
        if key_id not in session.ledger().registry().keys:
            store.path_for(party, key_id).unlink(missing_ok=True)
        raise
