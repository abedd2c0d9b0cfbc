"""The PostgreSQL recorder's COPY path (events/recorders_postgres.py) keeps the library's
guarantees: the rows and notification ids it writes are those the library's pipelined
INSERT writes for the same save; a duplicate (stream, version) raises the library's
IntegrityError and leaves nothing of the save; a trust-head mismatch writes nothing.

PostgreSQL only: SQLite has no COPY. Raw StoredEvents (unsigned) on purpose: these tests
are about the recorder, which must store whatever bytes it is given, untouched; the signed
path through COPY is covered by tests/test_import.py (saves of 200 events, verified).
"""

from __future__ import annotations

import uuid

import pytest
from eventsourcing.persistence import IntegrityError, StoredEvent

from certledger.events import recorders_postgres
from certledger.events.ledger import Ledger
from certledger.events.recorders import TRUST_VERSION, KeyringMoved
from certledger.events.recorders_postgres import COPY_FROM
from certledger.events.storage import parse_database_url

pytestmark = pytest.mark.parametrize("db_url", ["postgres"], indirect=True)

TOPIC = "certledger.domain.memo:Memo.Written"


def batch(streams: int, versions: int, *, seed: int = 0) -> list[StoredEvent]:
    """``streams`` × ``versions`` events, interleaved as a many-aggregate save is, each
    state distinct and holding every byte value (bytea must come back untouched)."""
    ids = [uuid.UUID(int=(seed << 64) + s + 1) for s in range(streams)]
    return [
        StoredEvent(originator_id=ids[s], originator_version=v, topic=TOPIC,
                    state=bytes(range(256)) + f"{seed}/{s}/{v}".encode())
        for v in range(1, versions + 1)
        for s in range(streams)
    ]


def open_recorder(db_url: str) -> tuple[Ledger, object]:
    ledger = Ledger(parse_database_url(db_url), create=True)
    return ledger, ledger.recorder


def stored(recorder: object) -> list[tuple]:
    return [(n.id, n.originator_id, n.originator_version, n.topic, bytes(n.state))
            for n in recorder.select_notifications(start=None, limit=1_000_000)]


def test_copy_writes_what_the_pipelined_insert_writes(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    first = batch(5, 3, seed=1)  # 15 events: the library's INSERT either way
    big = batch(40, 5, seed=2)  # 200 events: COPY
    assert len(first) < COPY_FROM <= len(big)

    ledger, recorder = open_recorder(db_url)
    try:
        ids_first = recorder.insert_events(first)
        ids_big = recorder.insert_events(big)
        by_copy = stored(recorder)
        # The library's path for the same saves, on the same (emptied) table.
        with recorder.datastore.transaction(commit=True) as curs:
            curs.execute(f"TRUNCATE {recorder.events_table_name} RESTART IDENTITY")
        monkeypatch.setattr(recorders_postgres, "COPY_FROM", 10**9)
        assert recorder.insert_events(first) == ids_first
        assert recorder.insert_events(big) == ids_big
        by_insert = stored(recorder)
    finally:
        ledger.close()

    assert by_copy == by_insert
    assert ids_big == list(range(16, 216))
    assert [(s.originator_id, s.originator_version, s.topic, s.state) for s in first + big] == [r[1:] for r in by_copy]


def test_a_duplicate_stream_version_refuses_the_whole_copy(db_url: str) -> None:
    ledger, recorder = open_recorder(db_url)
    try:
        kept = batch(30, 3, seed=3)
        recorder.insert_events(kept)
        before = stored(recorder)

        clash = batch(30, 3, seed=4)
        clash[-1] = StoredEvent(originator_id=kept[7].originator_id, originator_version=kept[7].originator_version,
                                topic=TOPIC, state=b"forged")
        with pytest.raises(IntegrityError, match="duplicate key"):
            recorder.insert_events(clash)
        assert stored(recorder) == before

        twice = batch(30, 3, seed=5)
        twice.append(twice[0])  # the same (stream, version) twice within one save
        with pytest.raises(IntegrityError):
            recorder.insert_events(twice)
        assert stored(recorder) == before

        # The table is not left locked or the connection broken: the next save goes in,
        # its ids right after the kept ones (a failed COPY may burn sequence values, which
        # the library's INSERT does too; the ids stay increasing).
        after = recorder.insert_events(batch(30, 3, seed=6))
        assert len(after) == 90 and after == sorted(after) and after[0] > before[-1][0]
    finally:
        ledger.close()


def test_a_moved_trust_head_refuses_the_copy_and_writes_nothing(db_url: str) -> None:
    ledger, recorder = open_recorder(db_url)
    try:
        with pytest.raises(KeyringMoved, match="trust registry is at version 0, not 3"):
            recorder.insert_events(batch(30, 3, seed=7), **{TRUST_VERSION: 3})
        assert stored(recorder) == []
    finally:
        ledger.close()
