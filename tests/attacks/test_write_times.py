"""Write times on a real-clock ledger, forged by the holder of one low-privilege key (a
municipal department's), and a stolen key revoked retroactively. The memo aggregate of
tests/helpers.py stands in for a lifecycle act any party may record."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import pytest

from tests.attacks.forge import Forger
from tests.attacks.support import assert_fails_at, verify
from tests.helpers import World

MUNICIPAL = "dept.zhujian.zhengzhou"


def _memo(actor: str, text: str, when: datetime) -> dict:
    return {"actor": actor, "originator_topic": "tests.helpers:Memo", "text": text,
            "timestamp": when.isoformat(), "value": None}


def test_event_stamped_in_the_future_is_named_not_the_honest_ones_after_it(world: World) -> None:
    key = world.private_key(world.keys[MUNICIPAL])
    world.tampered = True
    with Forger(world.db_url) as f:
        future = datetime.now(timezone.utc) + timedelta(days=1)
        forged = f.append(str(uuid.uuid4()), "tests.helpers:Memo.Written", _memo(MUNICIPAL, "from tomorrow", future), key)
    world.write_memo("exam-center", "an honest act, written now")
    found, _ = verify(world.db_url)
    assert found, "verify said OK"
    assert forged in {x.notification_id for x in found}, [x.describe() for x in found]


def test_stolen_key_revoked_retroactively(world: World) -> None:
    """The thief signs with the municipal key; the root later revokes it from before the
    theft was used: the thief's event stops verifying (T-4), the ones before stay good."""
    kid = world.keys[MUNICIPAL]
    key = world.private_key(kid)
    before = world.write_memo(MUNICIPAL, "honest, before the theft")
    compromised_from = datetime.now(timezone.utc)
    world.tampered = True
    with Forger(world.db_url) as f:
        forged = f.append(str(uuid.uuid4()), "tests.helpers:Memo.Written",
                          _memo(MUNICIPAL, "the thief's", compromised_from + timedelta(milliseconds=5)), key)
    world.ledger.revoke_key(kid, "stolen", effective_at=compromised_from)
    found = assert_fails_at(world.db_url, forged, "T-4", f"key {kid} is revoked from")
    assert str(before) not in {x.stream for x in found}


def test_event_stamped_in_the_future_as_the_ledgers_last_event(world: World) -> None:
    key = world.private_key(world.keys[MUNICIPAL])
    world.tampered = True
    with Forger(world.db_url) as f:
        future = datetime.now(timezone.utc) + timedelta(days=1)
        forged = f.append(str(uuid.uuid4()), "tests.helpers:Memo.Written", _memo(MUNICIPAL, "from tomorrow", future), key)
        assert f.max_nid() == forged
    assert_fails_at(world.db_url, forged)
