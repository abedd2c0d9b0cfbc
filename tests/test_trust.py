"""The trust registry on both databases: parties and keys, and the T-rules' refusals."""

from __future__ import annotations

from datetime import timedelta

import pytest

from certledger.domain.errors import InputError, RuleViolation, SigningError
from certledger.domain.parties import ROOT_PARTY, PartyKind
from certledger.events import ledger as ledger_module
from certledger.events.ledger import utc_now
from certledger.signing.keys import new_private_key, raw_public_key
from tests.helpers import PARTIES, Memo, World


def test_a_fresh_ledger_holds_root_parties_and_keys(world: World) -> None:
    registry = world.reopen().registry()
    assert set(registry.parties) == {ROOT_PARTY, *PARTIES}
    assert registry.party("dept.zhujian.henan").kind is PartyKind.DEPARTMENT
    assert registry.key(world.keys["exam-center"]).party_id == "exam-center"
    assert world.count() == 1 + 2 * len(PARTIES)


def test_a_second_init_is_refused(world: World) -> None:
    before = world.count()
    with pytest.raises(InputError, match="already holds a ledger"):
        world.ledger.initialise(raw_public_key(new_private_key()))
    assert world.count() == before


def test_only_the_root_registers_parties(world: World) -> None:
    registry = world.ledger.registry()
    with pytest.raises(RuleViolation, match="T-1: only the root party"):
        registry.register_party(actor="exam-center", party_id="x", name="X", kind=PartyKind.POSTAL, at=utc_now())


def test_a_party_and_a_key_are_registered_once(world: World) -> None:
    before = world.count()
    with pytest.raises(RuleViolation, match="T-2: party 'exam-center' is already registered"):
        world.ledger.register_party("exam-center", "again", PartyKind.EXAM_CENTER)
    key = world.ledger.registry().key(world.keys["exam-center"])
    with pytest.raises(RuleViolation, match="T-2: key .* is already registered"):
        world.ledger.add_key("dept.zhujian.henan", world.ledger.claim("dept.zhujian.henan", world.private_key(key.key_id)))
    assert world.count() == before


def test_keys_cannot_be_backdated_or_revoked_before_they_took_effect(world: World) -> None:
    before = world.count()
    with pytest.raises(RuleViolation, match="T-3: .* before it is registered"):
        world.add_key("exam-center", valid_from=utc_now() - timedelta(days=1))
    key_id = world.keys["exam-center"]
    valid_from = world.ledger.registry().key(key_id).valid_from
    with pytest.raises(RuleViolation, match="T-3: .* before it took effect"):
        world.ledger.revoke_key(key_id, "test", effective_at=valid_from - timedelta(seconds=1))
    assert world.count() == before


def test_root_keys_cannot_be_revoked_retroactively(world: World) -> None:
    with pytest.raises(RuleViolation, match="T-3: root key .* retroactively"):
        world.ledger.revoke_key(world.keys[ROOT_PARTY], "x", effective_at=utc_now() - timedelta(minutes=1))


def test_unknown_party_and_key_are_named(world: World) -> None:
    with pytest.raises(InputError, match="party 'nobody' is not registered"):
        world.add_key("nobody")
    with pytest.raises(InputError, match="key ed25519:ffff is not registered"):
        world.ledger.revoke_key("ed25519:ffff", "x")


def test_rotation_revokes_the_old_key_and_signs_with_the_new(world: World) -> None:
    old = world.keys["dept.zhujian.zhengzhou"]
    new_key = new_private_key()
    world.store.save("dept.zhujian.zhengzhou", new_key)
    new_id, revoked = world.ledger.rotate_key("dept.zhujian.zhengzhou", world.ledger.claim("dept.zhujian.zhengzhou", new_key))
    assert revoked == [old]
    registry = world.reopen().registry()
    assert registry.key(old).revoked_at is not None
    assert registry.key(new_id).revoked_at is None
    memo = world.write_memo("dept.zhujian.zhengzhou", "after rotation")
    assert world.ledger.rows.read(memo, 1).state[64:].find(new_id.encode()) > 0


def test_root_rotation_hands_over_signing_of_the_registry(world: World) -> None:
    old_root = world.keys[ROOT_PARTY]
    new_root = new_private_key()
    world.store.save(ROOT_PARTY, new_root)
    new_id, _ = world.ledger.rotate_key(ROOT_PARTY, world.ledger.claim(ROOT_PARTY, new_root))
    world.ledger.register_party("postal.henan", "中国邮政集团有限公司河南省分公司", PartyKind.POSTAL)
    registry = world.reopen().registry()
    last = world.ledger.rows.read(registry.id, registry.version)
    assert new_id.encode() in last.state and old_root.encode() not in last.state


def test_a_revoked_party_key_no_longer_signs(world: World) -> None:
    key_id = world.keys["exam-center"]
    world.ledger.revoke_key(key_id, "retired")
    before = world.count()
    with pytest.raises(SigningError, match="'exam-center' has no key valid at"):
        world.write_memo("exam-center", "after revocation")
    assert world.count() == before


def test_a_key_takes_effect_at_its_valid_from(world: World) -> None:
    future = world.add_key("dept.zhujian.henan", valid_from=utc_now() + timedelta(days=1))
    world.signing_with(future)
    before = world.count()
    with pytest.raises(SigningError, match="T-4: key .* takes effect at"):
        world.write_memo("dept.zhujian.henan", "too early")
    assert world.count() == before


def test_enrol_registers_many_parties_with_keys_in_one_go(world: World) -> None:
    keys = [new_private_key() for _ in range(5)]
    for i, key in enumerate(keys):
        world.store.save(f"witness.w{i}", key)
    before = world.count()
    ids = world.ledger.enrol(
        [(f"witness.w{i}", f"见证方{i}", PartyKind.WITNESS, world.ledger.claim(f"witness.w{i}", k)) for i, k in enumerate(keys)]
    )
    assert world.count() == before + 10
    assert world.reopen().registry().key(ids[3]).party_id == "witness.w3"
    world.write_memo("witness.w3", "申辩")
    with pytest.raises(RuleViolation, match="T-2"):
        world.ledger.enrol([("witness.w9", "x", PartyKind.WITNESS, world.ledger.claim("witness.w9", keys[0]))])
    assert world.count() == before + 11


def test_enrol_saves_in_bounded_transactions_and_checks_everything_first(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A small bound stands in for the real one (a save of tens of thousands of events
    # deadlocks psycopg's pipeline on PostgreSQL): 12 parties are 24 events, 3 saves.
    monkeypatch.setattr(ledger_module, "MAX_EVENTS_PER_SAVE", 10)
    version = world.ledger.registry().version
    claims = [(f"witness.w{i}", f"见证方{i}", PartyKind.WITNESS, world.ledger.claim(f"witness.w{i}", new_private_key())) for i in range(12)]
    # One party twice, in the last save's share: refused before anything is saved.
    bad = [*claims, ("witness.w0", "重复", PartyKind.WITNESS, world.ledger.claim("witness.w0", new_private_key()))]
    before = world.count()
    with pytest.raises(RuleViolation, match="T-2"):
        world.ledger.enrol(bad)
    assert world.count() == before
    world.ledger.enrol(claims)
    assert world.count() == before + 24
    assert world.reopen().registry().version == version + 24


def test_a_save_above_the_bound_is_refused_whole(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ledger_module, "MAX_EVENTS_PER_SAVE", 3)
    before = world.count()
    memos = [Memo(actor="exam-center", text=f"memo {i}", value=None) for i in range(4)]
    with pytest.raises(InputError, match="at most 3 may be saved at once; nothing was written"):
        world.ledger.save(*memos)
    assert world.count() == before


def test_candidates_are_never_registered_they_act_through_the_platforms(world: World) -> None:
    """T-6: the registry holds units, not candidates (a provincial sitting would otherwise put
    a million keys on every command's path); candidates act through the platforms of record."""
    key = new_private_key()
    before = world.count()
    for party, kind in (("cand.001", PartyKind.CANDIDATE), ("cand.002", PartyKind.DEPARTMENT),
                        ("someone", PartyKind.CANDIDATE)):
        with pytest.raises(RuleViolation, match=r"T-6: .*candidates hold no keys; their acts are signed by the platform"):
            world.ledger.enrol([(party, "考生", kind, world.ledger.claim(party, key))])
    assert world.count() == before
