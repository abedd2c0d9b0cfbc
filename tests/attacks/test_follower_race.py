"""Two followers at once must not fork the stored Merkle log (merkle_log: the writer lock,
and the position primary key): afterwards every event is exactly one leaf, in notification
order, and the stored root is the root recomputed from the rows."""

from __future__ import annotations

import hashlib
import threading

from certledger.events.ledger import Ledger
from certledger.events.merkle_log import MerkleLog
from certledger.events.storage import parse_database_url
from certledger.signing.wallet import Wallet
from tests.attacks.forge import Forger
from tests.helpers import World


def _root(leaves: list[bytes]) -> bytes:
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return hashlib.sha256(b"\x01" + _root(leaves[:k]) + _root(leaves[k:])).digest()


def test_two_followers_and_a_writer_at_once_do_not_fork_the_log(world: World) -> None:
    for i in range(40):
        world.write_memo("exam-center", f"before {i}")
    MerkleLog(world.ledger).ensure_tables()
    followers = [Ledger(parse_database_url(world.db_url), Wallet(world.store)) for _ in range(2)]
    errors: list[BaseException] = []
    start = threading.Barrier(3)

    def follow(ledger: Ledger) -> None:
        try:
            start.wait()
            for _ in range(30):
                MerkleLog(ledger).catch_up(batch=3)
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    def write() -> None:
        try:
            start.wait()
            for i in range(30):
                world.write_memo("exam-center", f"during {i}")
        except BaseException as e:  # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=follow, args=(f,)) for f in followers] + [threading.Thread(target=write)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        for f in followers:
            f.close()
    # A follower may lose a race on the lock (a store error), never write a second fork.
    assert all("duplicate" in str(e).lower() or "unique" in str(e).lower() or "locked" in str(e).lower() for e in errors), errors
    MerkleLog(world.ledger).catch_up()
    with Forger(world.db_url) as f:
        rows = f.rows()
        leaves_table = "merkle_leaves" if f.backend == "sqlite" else "ledger_merkle_leaves"
        stored = f.sql(f"SELECT position, notification_id, hash FROM {leaves_table} ORDER BY position")
    assert [p for p, _, _ in stored] == list(range(len(rows)))
    assert [n for _, n, _ in stored] == [r.nid for r in rows]
    recomputed = [hashlib.sha256(b"\x00" + hashlib.sha256(r.state).digest()).digest() for r in rows]
    assert [bytes(h) for _, _, h in stored] == recomputed
    assert MerkleLog(world.ledger).root(len(rows)) == _root(recomputed)
