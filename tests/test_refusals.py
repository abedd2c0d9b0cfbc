"""A write that may not happen is refused with a clear error, and nothing is recorded."""

from __future__ import annotations

import pytest
from eventsourcing.domain import Aggregate

from certledger.domain.errors import NotCanonical, SigningError
from certledger.domain.parties import PartyKind
from certledger.signing.keys import new_private_key
from tests.helpers import Memo, World


def test_unknown_key_is_refused(world: World) -> None:
    stray = world.store.remember(new_private_key())  # in the store, never registered
    world.signing_with(stray)
    before = world.count()
    with pytest.raises(SigningError, match=f"T-4: key {stray} is not registered"):
        world.write_memo("exam-center", "x")
    assert world.count() == before


def test_revoked_key_is_refused(world: World) -> None:
    key_id = world.keys["exam-center"]
    world.ledger.revoke_key(key_id, "lost")
    world.signing_with(key_id)
    before = world.count()
    with pytest.raises(SigningError, match=f"T-4: key {key_id} was revoked at .*\\(lost\\)"):
        world.write_memo("exam-center", "x")
    assert world.count() == before


def test_wrong_partys_key_is_refused(world: World) -> None:
    world.signing_with(world.keys["dept.zhujian.zhengzhou"])
    before = world.count()
    with pytest.raises(SigningError, match="belongs to 'dept.zhujian.zhengzhou', not to 'exam-center'"):
        world.write_memo("exam-center", "x")
    assert world.count() == before


def test_a_party_without_a_private_key_here_cannot_sign(world: World) -> None:
    world.ledger.register_party("postal.henan", "邮政", PartyKind.POSTAL)
    before = world.count()
    with pytest.raises(SigningError, match="'postal.henan' has no key valid at"):
        world.write_memo("postal.henan", "x")
    assert world.count() == before


def test_float_in_the_payload_is_refused(world: World) -> None:
    before = world.count()
    with pytest.raises(NotCanonical, match=r"float 86.5 at \$\.value is not allowed"):
        world.write_memo("exam-center", "score", value=86.5)
    assert world.count() == before


def test_a_refused_event_in_a_batch_writes_none_of_the_batch(world: World) -> None:
    memo_id = world.write_memo("exam-center", "v1")
    memo = world.ledger.repository.get(memo_id)
    memo.amend(actor="exam-center", text="fine")
    memo.amend(actor="exam-center", text=1.5)  # type: ignore[arg-type]
    before = world.count()
    with pytest.raises(NotCanonical):
        world.ledger.save(memo)
    assert world.count() == before
    # The stream still takes a correctly chained next event (verified after the test).
    again = world.ledger.repository.get(memo_id)
    again.amend(actor="exam-center", text="v2")
    world.ledger.save(again)
    assert world.ledger.repository.get(memo_id).text == "v2"


class Anonymous(Aggregate):
    """An aggregate whose events name no acting party."""


def test_an_event_without_an_actor_cannot_be_signed(world: World) -> None:
    before = world.count()
    with pytest.raises(SigningError, match="names no acting party"):
        world.ledger.save(Anonymous())
    assert world.count() == before


def test_events_read_back_are_the_events_written(world: World) -> None:
    memo_id = world.write_memo("dept.zhujian.henan", "二级建造师 合格", amendments=2, value={"n": 3, "tags": ["a"]})
    memo = world.reopen().repository.get(memo_id)
    assert isinstance(memo, Memo)
    assert memo.text == "二级建造师 合格 (amended 2)" and memo.value == {"n": 3, "tags": ["a"]}
    assert memo.version == 3 and memo.created_on.tzinfo is not None
