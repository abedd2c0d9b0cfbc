"""The stored Merkle log (events/merkle_log.py) on SQLite and PostgreSQL: its proofs equal a
plain recursive RFC 9162 implementation's, and the follower survives gaps, races and re-runs."""

from __future__ import annotations

import hashlib
import threading
from uuid import uuid4

import pytest

from certledger.events.merkle import state_leaf, verify_consistency, verify_inclusion
from certledger.events.merkle_log import MerkleLog
from tests.helpers import Memo, World

# -- RFC 9162 §2.1, written out recursively: MTH, PATH, PROOF/SUBPROOF ------------------------


def _h(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def _k(n: int) -> int:
    """The largest power of two smaller than n (n > 1)."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def mth(leaves: list[bytes]) -> bytes:
    n = len(leaves)
    if n == 0:
        return _h(b"")
    if n == 1:
        return leaves[0]
    k = _k(n)
    return _h(b"\x01" + mth(leaves[:k]) + mth(leaves[k:]))


def path(m: int, leaves: list[bytes]) -> list[bytes]:
    n = len(leaves)
    if n == 1:
        return []
    k = _k(n)
    if m < k:
        return path(m, leaves[:k]) + [mth(leaves[k:])]
    return path(m - k, leaves[k:]) + [mth(leaves[:k])]


def subproof(m: int, leaves: list[bytes], whole: bool) -> list[bytes]:
    n = len(leaves)
    if m == n:
        return [] if whole else [mth(leaves)]
    k = _k(n)
    if m <= k:
        return subproof(m, leaves[:k], whole) + [mth(leaves[k:])]
    return subproof(m - k, leaves[k:], False) + [mth(leaves[:k])]


def proof(m: int, leaves: list[bytes]) -> list[bytes]:
    return [] if m in (0, len(leaves)) else subproof(m, leaves, True)


# -- a ledger of a little over 256 events (one tile row at level 8) ------------------------


def _fill(world: World, count: int) -> None:
    memos = [Memo(actor="exam-center", text=f"备忘 {i}", value=i) for i in range(count)]
    for start in range(0, count, 100):
        world.ledger.save(*memos[start : start + 100])


def _leaves(world: World) -> list[bytes]:
    return [state_leaf(r.state) for page in world.ledger.rows.raw_pages() for r in page]


def test_stored_proofs_are_the_recursive_rfc_9162_ones(world: World) -> None:
    _fill(world, 290)
    log = MerkleLog(world.ledger)
    assert log.catch_up() == world.count()
    leaves = _leaves(world)
    n = len(leaves)
    assert n > 256 and log.size() == n
    for size in range(0, n + 1):
        assert log.root(size) == mth(leaves[:size]), size
        for index in sorted({0, size // 2, size - 1} & set(range(size))):
            got = log.inclusion_proof(index, size)
            assert got == path(index, leaves[:size]), (index, size)
            verify_inclusion(leaves[index], index, size, got, mth(leaves[:size]))
        for old in sorted({0, 1, size // 3, 256, size - 1, size} & set(range(size + 1))):
            got = log.consistency_proof(old, size)
            assert got == proof(old, leaves[:size]), (old, size)
            verify_consistency(old, size, mth(leaves[:old]), mth(leaves[:size]), got)
    assert log.leaf(7) == leaves[7]
    assert log.notification_id_at(log.position_of(12)) == 12


def test_a_rerun_appends_nothing_and_later_events_extend_the_same_tree(world: World) -> None:
    log = MerkleLog(world.ledger)
    first = log.catch_up()
    root = log.root(first)
    assert log.catch_up() == 0 and log.size() == first
    _fill(world, 20)
    assert log.catch_up(batch=7) == 20
    assert log.root(first) == root and log.root(first + 20) == mth(_leaves(world))


def test_two_followers_at_once_never_fork(world: World) -> None:
    _fill(world, 300)
    ledgers = [world.reopen() for _ in range(2)]
    errors: list[BaseException] = []

    def follow(ledger) -> None:
        try:
            MerkleLog(ledger).catch_up(batch=16)
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=follow, args=(ledger,)) for ledger in ledgers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for ledger in ledgers:
        ledger.close()
    assert errors == []
    log = MerkleLog(world.ledger)
    assert log.size() == world.count() and log.root(log.size()) == mth(_leaves(world))


def test_a_gap_in_notification_ids_is_skipped(world: World) -> None:
    log = MerkleLog(world.ledger)
    log.catch_up()
    if world.db_url.startswith("postgresql://"):
        import psycopg

        # A rolled-back insert consumes an id, as a failed save does.
        with psycopg.connect(world.db_url) as conn:
            conn.execute("INSERT INTO ledger_events (originator_id, originator_version, topic, state) "
                         "VALUES (gen_random_uuid(), 1, 'x', 'x')")
            conn.rollback()
    else:
        # SQLite hands out max(rowid)+1, so only a deleted row leaves a gap (verify flags that
        # deletion; the follower must still count the rows that are there).
        world.tampered = True
        _fill(world, 1)
        doomed = _last_memo(world)
        _fill(world, 1)
        world.ledger.rows.delete(*doomed)
    followed = log.size()
    _fill(world, 3)
    assert log.catch_up() == world.count() - followed
    ids = [log.notification_id_at(p) for p in range(log.size())]
    assert any(b > a + 1 for a, b in zip(ids[followed - 1 :], ids[followed:]))  # the gap
    assert log.root(log.size()) == mth(_leaves(world))


def _last_memo(world: World):
    row = world.ledger.rows.head()
    from uuid import UUID

    return UUID(row.stream), row.version


def test_a_row_whose_state_is_not_bytes_is_one_leaf_and_no_crash(world: World) -> None:
    world.tampered = True
    world.ledger.rows.insert(uuid4(), 1, "x", b"")
    if world.db_url.startswith("postgresql://"):
        import psycopg

        with psycopg.connect(world.db_url) as conn:
            conn.execute("UPDATE ledger_events SET state = NULL WHERE topic = 'x'")
    else:
        import sqlite3

        conn = sqlite3.connect(world.db_url)
        conn.execute("UPDATE stored_events SET state = 'text, not bytes' WHERE topic = 'x'")
        conn.commit()
        conn.close()
    log = MerkleLog(world.ledger)
    assert log.catch_up() == world.count()
    assert log.leaf(log.size() - 1) == state_leaf(None) == state_leaf(b"")


def test_asking_past_the_end_is_refused(world: World) -> None:
    from certledger.domain.errors import InputError

    log = MerkleLog(world.ledger)
    n = log.catch_up()
    with pytest.raises(InputError, match=f"holds {n} leaves, not {n + 1}"):
        log.inclusion_proof(0, n + 1)
    with pytest.raises(InputError, match="not in the Merkle log"):
        log.position_of(10**9)
