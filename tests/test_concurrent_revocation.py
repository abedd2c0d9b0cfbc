"""Two writers on one database: B revokes a key that A, already running, would sign with.

A never records an event under the revoked key: it re-reads the trust registry before it
chooses a key, and if a revocation lands after that — between choosing and committing —
its recorder refuses the insert inside the write transaction, A refreshes and signs again
with a key still valid, or refuses clearly. Both databases.
"""

from __future__ import annotations

from collections.abc import Iterator

import orjson
import pytest

from certledger.domain.errors import SigningError
from certledger.events.ledger import ConflictError, Ledger, utc_now
from certledger.events.recorders import TRUST_VERSION, KeyringMoved
from tests.helpers import Memo, World


@pytest.fixture
def b(world: World) -> Iterator[Ledger]:
    """A second writer on the world's database: another process, as far as A can tell."""
    other = world.reopen()
    yield other
    other.close()


def _signer(ledger: Ledger, stream, version: int = 1) -> str:
    return orjson.loads(ledger.rows.read(stream, version).state[64:])["signer"]


def _revoke_after_choosing(
    monkeypatch: pytest.MonkeyPatch, a: Ledger, b: Ledger, party: str, act=None
) -> list[str]:
    """Once A has chosen a key for ``party``, make B revoke it (or ``act(b)``): the race
    window between A's refresh and A's commit."""
    chosen: list[str] = []
    choose = a.wallet.choose

    def choose_then_lose_it(keyring, actor, moment, now=None):
        key_id, key = choose(keyring, actor, moment, now)
        if actor == party and not chosen:
            chosen.append(key_id)
            if act is None:
                b.revoke_key(key_id, "revoked by another process meanwhile")
            else:
                act(b)
        return key_id, key

    monkeypatch.setattr(a.wallet, "choose", choose_then_lose_it)
    return chosen


def test_a_running_writer_sees_a_revocation_made_by_another(world: World, b: Ledger) -> None:
    a = world.ledger
    first = world.keys["exam-center"]
    second = world.add_key("exam-center")
    assert _signer(a, world.write_memo("exam-center", "with the newest key")) == second
    b.revoke_key(second, "laptop stolen")
    assert _signer(a, world.write_memo("exam-center", "after B revoked it")) == first
    b.revoke_key(first, "retired")
    before = world.count()
    with pytest.raises(SigningError, match="'exam-center' has no key valid at"):
        world.write_memo("exam-center", "no key left")
    assert world.count() == before


def test_a_revocation_between_choosing_and_commit_makes_a_sign_again(
    world: World, b: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    older = world.keys["exam-center"]
    newer = world.add_key("exam-center")
    chosen = _revoke_after_choosing(monkeypatch, world.ledger, b, "exam-center")
    before = world.count()
    memo = world.write_memo("exam-center", "signed while B revokes")
    assert chosen == [newer]  # A chose the newest key, then B revoked it
    assert _signer(world.ledger, memo) == older  # refused in the transaction, signed again
    assert world.count() == before + 2  # B's revocation and A's memo, nothing more
    assert world.ledger.registry().key(newer).revoked_at is not None


def test_a_revocation_of_the_only_key_between_choosing_and_commit_is_refused(
    world: World, b: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    chosen = _revoke_after_choosing(monkeypatch, world.ledger, b, "dept.zhujian.henan")
    before = world.count()
    with pytest.raises(SigningError, match="'dept.zhujian.henan' has no key valid at"):
        world.write_memo("dept.zhujian.henan", "signed while B revokes")
    assert chosen == [world.keys["dept.zhujian.henan"]]
    assert world.count() == before + 1  # only B's revocation


def test_the_recorder_refuses_a_stale_keyring_inside_the_transaction(world: World) -> None:
    """The guard itself: an insert signed against an older trust version writes nothing."""
    a = world.ledger
    memo = Memo(actor="exam-center", text="x", value=None)
    stored = [a.mapper.to_stored_event(e) for e in memo.collect_events()]
    head = a.registry().version
    before = world.count()
    with pytest.raises(KeyringMoved, match=f"trust registry is at version {head}, not {head - 1}"):
        a.recorder.insert_events(stored, **{TRUST_VERSION: head - 1})
    assert world.count() == before
    a.recorder.insert_events(stored, **{TRUST_VERSION: head})
    assert world.count() == before + 1


def test_a_trust_change_racing_another_is_refused_not_retried(
    world: World, b: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = world.keys["dept.zhujian.henan"]
    _revoke_after_choosing(monkeypatch, world.ledger, b, "hrss", act=lambda b: b.revoke_key(other, "by B"))
    before = world.count()
    with pytest.raises(ConflictError, match="nothing was written, try again"):
        world.add_key("dept.zhujian.zhengzhou")
    assert world.count() == before + 1  # B's revocation only
    assert world.ledger.registry().key(other).revoked_at is not None


def test_a_forced_key_whose_revocation_took_effect_signs_nothing_even_for_an_earlier_event(world: World) -> None:
    key_id = world.keys["exam-center"]
    before_revocation = utc_now()
    world.ledger.revoke_key(key_id, "retired")
    world.signing_with(key_id)
    with pytest.raises(SigningError, match=f"T-4: key {key_id} was revoked at .*: it signs nothing more"):
        world.ledger.wallet.choose(world.ledger.keyring, "exam-center", before_revocation)
    # as verify sees it, the key was valid at that moment: only the writer's clock refuses it
    assert world.ledger.keyring.problem(key_id, "exam-center", before_revocation) is None
    world.signing_with(None)
