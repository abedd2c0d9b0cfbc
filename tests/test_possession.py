"""Proof of possession (T-5): a key is registered only with a signature by that key over
its registration — this ledger, this party, this key id."""

from __future__ import annotations

import base64
import copy
import hashlib
from pathlib import Path

import pytest

from certledger.domain.errors import InputError, RuleViolation, StorageError
from certledger.domain.parties import PartyKind
from certledger.domain.trust import TRUST_REGISTRY_ID
from certledger.events.canonical import canonical_bytes
from certledger.events.ledger import Ledger, utc_now
from certledger.events.storage import parse_database_url
from certledger.signing import keys, possession
from certledger.signing.possession import KeyClaim
from tests.helpers import World

LEDGER = "ab" * 32
IDENTITY = (1).to_bytes(32, "little")
FORGED = IDENTITY + bytes(32)  # R = identity, S = 0: "verifies" under the identity for any message


def _proof(key, party: str = "exam-center", ledger: str = LEDGER) -> str:
    return possession.prove(key, ledger, party, keys.key_id_of(keys.raw_public_key(key)), encode=canonical_bytes)


def test_the_statement_is_the_canonical_bytes_of_four_named_strings() -> None:
    assert canonical_bytes(possession.statement(LEDGER, "exam-center", "ed25519:00")) == (
        b'{"key_id":"ed25519:00","ledger":"' + LEDGER.encode() + b'","party":"exam-center",'
        b'"purpose":"certledger key registration"}'
    )


def test_a_proof_checks_for_its_ledger_party_and_key_and_nothing_else() -> None:
    key, other = keys.new_private_key(), keys.new_private_key()
    public, key_id = keys.raw_public_key(key), keys.key_id_of(keys.raw_public_key(key))
    proof = _proof(key)
    possession.check(public, proof, LEDGER, "exam-center", key_id, encode=canonical_bytes)
    wrong = [
        ((public, proof, "cd" * 32, "exam-center", key_id), "does not verify"),  # another ledger
        ((public, proof, LEDGER, "postal.henan", key_id), "does not verify"),  # another party
        ((public, _proof(other), LEDGER, "exam-center", key_id), "does not verify"),  # another key's proof
        ((keys.raw_public_key(other), proof, LEDGER, "exam-center", key_id), "is not the id of public key"),
        ((public, "not base64!", LEDGER, "exam-center", key_id), "not a base64 Ed25519 signature"),
        ((public, base64.b64encode(b"short").decode(), LEDGER, "exam-center", key_id), "not a base64"),
        ((IDENTITY, base64.b64encode(FORGED).decode(), LEDGER, "exam-center", keys.key_id_of(IDENTITY)), "small order"),
    ]
    for args, message in wrong:
        with pytest.raises(InputError, match=f"T-5: .*{message}"):
            possession.check(*args, encode=canonical_bytes)


def test_prove_refuses_a_key_id_that_is_not_the_keys() -> None:
    with pytest.raises(InputError, match="T-5: ed25519:00 is not the id"):
        possession.prove(keys.new_private_key(), LEDGER, "exam-center", "ed25519:00", encode=canonical_bytes)


def test_the_domain_requires_a_proof(world: World) -> None:
    registry = world.ledger.registry()
    with pytest.raises(RuleViolation, match="T-5: key ed25519:00 comes with no proof of possession"):
        registry.add_key(
            actor="hrss", party_id="exam-center", key_id="ed25519:00", public_key="x", possession=" ", at=utc_now()
        )


def test_the_ledger_id_is_the_digest_of_the_stored_genesis(world: World, db_url: str, tmp_path: Path) -> None:
    genesis = world.ledger.rows.read(TRUST_REGISTRY_ID, 1).state
    assert world.ledger.ledger_id == hashlib.sha256(genesis).hexdigest()
    assert world.reopen().ledger_id == world.ledger.ledger_id


def test_no_ledger_id_before_init_and_no_weak_root_key(db_url: str) -> None:
    empty = Ledger(parse_database_url(db_url), create=True)
    try:
        assert empty.ledger_id is None
        with pytest.raises(StorageError, match="holds no ledger yet"):
            empty.claim("exam-center", keys.new_private_key())
        with pytest.raises(InputError, match="T-5: .* small order"):
            empty.initialise(IDENTITY)
        assert empty.rows.count() == 0 and empty.ledger_id is None
    finally:
        empty.close()


def test_the_identity_point_with_its_forged_proof_is_not_registered(world: World) -> None:
    """Without T-5 this registers a key under which anyone signs anything."""
    forged_proof = base64.b64encode(FORGED).decode()
    assert keys.signature_holds(IDENTITY, FORGED, b"anything") is False
    before = world.count()
    with pytest.raises(InputError, match="T-5: public key 0100.* is a point of small order"):
        world.ledger.add_key("exam-center", KeyClaim(IDENTITY, forged_proof))
    assert world.count() == before
    assert keys.key_id_of(IDENTITY) not in world.ledger.registry().keys


def test_a_key_without_a_valid_proof_is_refused_and_nothing_recorded(world: World) -> None:
    key = keys.new_private_key()
    before = world.count()
    for claim in (
        KeyClaim(keys.raw_public_key(key), _proof(key, ledger=world.ledger.ledger_id, party="postal.henan")),
        KeyClaim(keys.raw_public_key(key), _proof(key, ledger="cd" * 32)),
        KeyClaim(keys.raw_public_key(key), _proof(keys.new_private_key(), ledger=world.ledger.ledger_id)),
    ):
        with pytest.raises(InputError, match="T-5: the proof of possession of .* does not verify"):
            world.ledger.add_key("exam-center", claim)
        with pytest.raises(InputError, match="T-5"):
            world.ledger.rotate_key("exam-center", claim)
        with pytest.raises(InputError, match="T-5"):
            world.ledger.enrol([("witness.w1", "见证方", PartyKind.WITNESS, claim)])
    assert world.count() == before


def test_a_key_proved_in_one_ledger_cannot_be_registered_in_another(world: World, tmp_path: Path) -> None:
    """An event copied from another ledger can't be made valid here by registering its
    signer's public key: the copied proof names the other ledger."""
    other = World.create(str(tmp_path / "other.db"), tmp_path / "other-keys")
    try:
        key_id = other.keys["exam-center"]
        entry = other.ledger.registry().key(key_id)
        proof = _recorded_proof(other, key_id)  # as the other ledger recorded it
        before = world.count()
        with pytest.raises(InputError, match="T-5: the proof of possession .* does not verify"):
            world.ledger.add_key("exam-center", KeyClaim(keys.public_key_from_text(entry.public_key), proof))
        assert world.count() == before
    finally:
        other.close()


def _recorded_proof(w: World, key_id: str) -> str:
    for stored in w.ledger.recorder.select_events(TRUST_REGISTRY_ID):
        event = w.ledger.mapper.to_domain_event(stored)
        if getattr(event, "key_id", None) == key_id and hasattr(event, "possession"):
            return event.possession
    raise AssertionError(f"no KeyAdded for {key_id}")


def test_every_recorded_key_carries_a_proof_that_checks(world: World) -> None:
    ledger_id = world.ledger.ledger_id
    checked = 0
    for stored in world.ledger.recorder.select_events(TRUST_REGISTRY_ID, gt=1):
        event = world.ledger.mapper.to_domain_event(stored)
        if type(event).__name__ == "KeyAdded":
            public = keys.public_key_from_text(event.public_key)
            possession.check(public, event.possession, ledger_id, event.party_id, event.key_id, encode=canonical_bytes)
            checked += 1
    assert checked == len(world.keys) - 1  # every key but the root's (genesis proves that one)


def test_a_key_added_without_a_proof_loads_but_verify_does_not_count_it(world: World) -> None:
    """A KeyAdded recorded without a possession field still loads (reading never breaks on
    it), but verify refuses it under T-5: a key nobody proved to hold registers nothing.
    (Envelope format 2 and T-5 came together: no honest format-2 ledger has such an event.)"""
    registry = copy.deepcopy(world.ledger.registry())
    key = keys.new_private_key()
    world.store.save("exam-center", key)
    claim = world.ledger.claim("exam-center", key)
    registry.add_key(
        actor="hrss",
        party_id="exam-center",
        key_id=claim.key_id,
        public_key=keys.public_key_text(claim.public_key),
        possession=claim.proof,
        at=utc_now(),
    )
    [pending] = registry._pending_events
    del pending.__dict__["possession"]
    world.ledger.save(registry)
    reopened = world.reopen()
    assert reopened.registry().key(claim.key_id).party_id == "exam-center"
    row = reopened.rows.read(TRUST_REGISTRY_ID, reopened.registry().version)
    assert b'"possession"' not in row.state
    reopened.close()
    world.tampered = True  # the after-test verify would (rightly) fail: checked here instead
    from certledger.events.verify import Report, verify_ledger

    checker = Ledger(parse_database_url(world.db_url), verify_on_read=False, read_only=True)
    try:
        findings = list(verify_ledger(checker, Report()))
    finally:
        checker.close()
    assert [f.notification_id for f in findings] == [row.notification_id]
    assert "T-5" in findings[0].problems[0]
