"""events.processing.CollectedEvents collects what the library's ProcessingEvent collects,
in the same order (aggregates, bare events and None mixed), and a Ledger's save through it
writes and verifies as before (the ``world`` fixture verifies every ledger it made)."""

from __future__ import annotations

from eventsourcing.application import ProcessingEvent

from certledger.events.processing import CollectedEvents
from tests.helpers import Memo, World


def _collected(cls: type, make: callable) -> tuple[list, list, dict]:
    objs = make()
    processing = cls()
    processing.collect_events(*objs, trust_version=7)
    return ([(e.originator_id, e.originator_version, type(e).__name__) for e in processing.events],
            list(processing.aggregates), processing.saved_kwargs)


def test_the_same_events_in_the_same_order_as_the_library() -> None:
    ids = [Memo.write(actor="a", text=f"m{i}", value=i).id for i in range(3)]

    def make() -> list:
        memos = [Memo.write(actor="a", text=f"m{i}", value=i, id=ids[i]) for i in range(3)]
        memos[0].amend(actor="a", text="again")
        loose = Memo.write(actor="b", text="loose", value=0, id=ids[2]).collect_events()[0]
        return [memos[1], None, loose, memos[0], memos[2]]

    library, ours = _collected(ProcessingEvent, make), _collected(CollectedEvents, make)
    assert ours == library
    assert [v for _, v, _ in ours[0]] == [1, 1, 1, 2, 1] and ours[2] == {"trust_version": 7}


def test_a_save_of_many_aggregates_writes_every_event(world: World) -> None:
    before = world.count()
    memos = [Memo.write(actor="dept.zhujian.henan", text=f"m{i}", value=i) for i in range(70)]
    for memo in memos[::2]:
        memo.amend(actor="dept.zhujian.henan", text="amended")
    recordings = world.ledger.save(*memos)
    assert world.count() - before == len(recordings) == 105
    assert [r.domain_event.originator_id for r in recordings][:3] == [memos[0].id, memos[0].id, memos[1].id]


def test_a_save_reads_the_heads_it_lacks_in_one_query(world: World) -> None:
    """Streams whose last digest the mapper no longer holds (its cache is bounded) are
    chained from heads read in one query, not one query each; verify (the fixture) checks
    every chain link."""
    memos = [Memo.write(actor="dept.zhujian.henan", text=f"m{i}", value=i) for i in range(70)]
    world.ledger.save(*memos)
    world.ledger.mapper_.heads.clear()
    fetched = []
    one_by_one = world.ledger.mapper_.fetch_stored
    world.ledger.mapper_.fetch_stored = lambda stream, version: fetched.append(stream) or one_by_one(stream, version)
    for memo in memos:
        memo.amend(actor="dept.zhujian.henan", text="amended")
        memo.amend(actor="dept.zhujian.henan", text="twice")
    world.ledger.save(*memos)
    assert fetched == []
    assert all(world.ledger.mapper_.holds_head(m.id, 3) for m in memos)
