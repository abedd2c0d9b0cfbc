"""``certledger init``, ``parties …`` and ``keys …``: the root's trust registry."""

from __future__ import annotations

from pathlib import Path

import click

from certledger.cli import terms
from certledger.cli.output import emit_json, emit_table, note
from certledger.cli.receipts import recording
from certledger.cli.session import Session, parse_moment
from certledger.domain.errors import InputError
from certledger.domain.parties import ROOT_PARTY, check_party_id, party_kind
from certledger.events.canonical import canonical_bytes
from certledger.events.ledger import utc_now
from certledger.projections.trust import key_rows, party_rows
from certledger.domain.units import all_units, unit_name
from certledger.signing.keys import (
    key_id_of,
    load_private_key,
    load_public_key_file,
    new_private_key,
    raw_public_key,
)
from certledger.signing import possession
from certledger.signing.possession import KeyClaim

pass_session = click.make_pass_decorator(Session)


@click.command()
@recording
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
    note(f"ledger created in {ledger.database.describe()}; ledger id {ledger.ledger_id}")
    note(f"root key {key_id} saved to {store.path_for(ROOT_PARTY, key_id)}")
    note("give auditors the root key id to pin: certledger verify --root-key " + key_id)
    click.echo(key_id)


@click.group()
def parties() -> None:
    """Parties that act in the ledger (departments, exam center, associations, …)."""


@parties.command("add")
@recording
@click.argument("party_id")
@click.option("--name", required=True, help="Official name, e.g. 河南省住房和城乡建设厅.")
@click.option("--kind", required=True, help="hrss, exam-center, department, association (协会), society (学会), postal, witness, …")
@pass_session
def parties_add(session: Session, party_id: str, name: str, kind: str) -> None:
    """Register PARTY_ID (signed by the root)."""
    check_party_id(party_id)
    session.ledger().register_party(party_id, name, party_kind(kind))
    note(f"registered party {party_id}")


@parties.command("seed")
@recording
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
        entries.append((party, name, kind, ledger.claim(party, key)))
    try:
        key_ids = ledger.enrol(entries) if entries else []
    except BaseException:
        for party, *_, claim in entries:
            store.path_for(party, claim.key_id).unlink(missing_ok=True)
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
        emit_table([terms.party_row(r) for r in rows], ["party", "kind", "name 名称", "valid_keys", "registered_at"])


@click.group()
def keys() -> None:
    """Signing keys of the parties: list, add, prove, rotate, revoke."""


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
        emit_table([terms.key_row(r) for r in rows], ["key_id", "party", "status", "valid_from", "revoked_at"])


@keys.command("add")
@recording
@click.option("--party", required=True, help="The party the key signs for.")
@click.option(
    "--public-key",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="Register this public key (PEM or base64) held by the party itself, "
    "instead of generating a key pair into the key store. Needs --proof.",
)
@click.option(
    "--proof",
    metavar="FILE_OR_TEXT",
    help="The key holder's proof of possession (T-5), as printed by 'certledger keys prove': "
    "the text itself or a file holding it.",
)
@click.option("--valid-from", help="When the key takes effect (ISO 8601; default now).")
@pass_session
def keys_add(
    session: Session, party: str, public_key: Path | None, proof: str | None, valid_from: str | None
) -> None:
    """Register a new signing key for a party (signed by the root)."""
    moment = parse_moment(valid_from)
    if public_key is not None and proof is None:
        raise InputError(
            "T-5: --public-key needs --proof: the key holder runs "
            f"'certledger keys prove --party {party} --private-key THEIR_KEY.pem' and sends you its output"
        )
    if public_key is None and proof is not None:
        raise InputError("--proof goes with --public-key: a generated key proves itself")
    ledger = session.ledger()
    ledger.registry().party(party)
    if public_key is not None:
        claim = KeyClaim(load_public_key_file(public_key), _proof_text(proof))
        key_id = ledger.add_key(party, claim, valid_from=moment)
    else:
        key_id = _with_new_key(session, party, lambda claim: ledger.add_key(party, claim, valid_from=moment))
    note(f"added key {key_id} for {party}")
    click.echo(key_id)


@keys.command("prove")
@click.option("--party", required=True, help="The party the key is to sign for.")
@click.option(
    "--private-key",
    required=True,
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="Your private key (PKCS#8 PEM; if encrypted, its passphrase is CERTLEDGER_KEY_PASSPHRASE or asked for).",
)
@click.option(
    "--ledger-id",
    help="The ledger's id (printed by 'init'), to prove without access to the database; "
    "default: read from --db.",
)
@pass_session
def keys_prove(session: Session, party: str, private_key: Path, ledger_id: str | None) -> None:
    """Print a proof of possession of your key for PARTY in this ledger (T-5), for the root
    to pass to 'keys add --public-key … --proof …'. The private key never leaves you."""
    encrypted = b"ENCRYPTED" in private_key.read_bytes()[:64]
    key = load_private_key(private_key, session.passphrase() if encrypted else None)
    if ledger_id is None:
        ledger_id = session.ledger().ledger_id
        if ledger_id is None:
            raise InputError(f"{session.database.describe()} holds no ledger yet: nothing to prove for")
    elif len(ledger_id) != 64 or any(c not in "0123456789abcdef" for c in ledger_id):
        raise InputError(f"--ledger-id {ledger_id!r} is not a ledger id (64 lowercase hex digits)")
    proof = possession.prove(
        key, ledger_id, check_party_id(party), key_id_of(raw_public_key(key)), encode=canonical_bytes
    )
    note(f"proof of possession of {key_id_of(raw_public_key(key))} for {party} in ledger {ledger_id}")
    click.echo(proof)


@keys.command("rotate")
@recording
@click.option("--party", required=True)
@click.option("--destroy-old", is_flag=True, help="Delete the old keys' private files instead of retiring them.")
@pass_session
def keys_rotate(session: Session, party: str, destroy_old: bool) -> None:
    """Give a party a new key and revoke its current ones from now on. Their private
    files leave the working store: moved to <keys>/<party>/retired/ (or deleted)."""
    ledger = session.ledger()
    ledger.registry().party(party)
    new_id, old = _with_new_key(session, party, lambda claim: ledger.rotate_key(party, claim))
    note(f"{party} now signs with {new_id}; revoked: {', '.join(old) or 'none'}")
    for key_id in old:
        _retire(session, party, key_id, destroy_old)
    _retire_taken_effect(session)
    click.echo(new_id)


@keys.command("revoke")
@recording
@click.argument("key_id")
@click.option("--reason", required=True, help="Why, e.g. 'private key lost'.")
@click.option(
    "--effective",
    help="From when (ISO 8601; default now). Earlier than now for a compromised key: "
    "what it signed since then stops verifying.",
)
@click.option("--destroy", is_flag=True, help="Delete its private file, if the store holds it, instead of retiring it.")
@pass_session
def keys_revoke(session: Session, key_id: str, reason: str, effective: str | None, destroy: bool) -> None:
    """Revoke KEY_ID (signed by the root). If the key store holds its private file, it is
    moved to <keys>/<party>/retired/ (or deleted, --destroy) once the revocation has taken
    effect: at once, unless --effective lies in the future."""
    ledger = session.ledger()
    ledger.revoke_key(key_id, reason, effective_at=parse_moment(effective))
    entry = ledger.registry().key(key_id)
    note(f"revoked {key_id}")
    if entry.revoked_at is not None and entry.revoked_at > utc_now():
        note(f"its private key stays in the store: the key signs until {entry.revoked_at.isoformat()}")
    else:
        _retire(session, entry.party_id, key_id, destroy)
    _retire_taken_effect(session)


def _retire_taken_effect(session: Session) -> None:
    """Keys revoked earlier from a moment that has now come (``--effective`` in the future, or
    revoked by the API, as the demo does) leave the working store too."""
    for line in session.keystore().retire_revoked(session.ledger().registry().keys.values(), utc_now()):
        note(line)


def _retire(session: Session, party: str, key_id: str, destroy: bool) -> None:
    """Take a key that no longer signs out of the working key store, and say what was done."""
    done = session.keystore().retire(party, key_id, destroy=destroy)
    note(done or f"no private key of {key_id} in {session.keys_dir}: nothing to retire")


def _proof_text(proof: str) -> str:
    """--proof is the proof itself, or a file holding it."""
    path = Path(proof)
    if len(proof) < 200 and path.is_file():
        return path.read_text(encoding="ascii", errors="replace").strip()
    return proof.strip()


def _with_new_key(session: Session, party: str, register):
    """Generate a key into the store and register it, proved (T-5). If registering fails
    before the key reached the ledger, remove its file again: no orphan private keys."""
    store = session.keystore(confirm=True)
    key = new_private_key()
    key_id = store.save(party, key)
    try:
        return register(session.ledger().claim(party, key))
    except BaseException:
        if key_id not in session.ledger().registry().keys:
            store.path_for(party, key_id).unlink(missing_ok=True)
        raise


def _register_vkey() -> None:
    from certledger.cli.checkpoint import keys_vkey

    keys.add_command(keys_vkey)


_register_vkey()
