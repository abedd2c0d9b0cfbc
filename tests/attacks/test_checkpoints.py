"""Attacks on what a checkpoint covers, and on the checkpoints and the stored log themselves.

Recording the checkpoint is setup, through our writer; the attack is plain SQL and
``cryptography`` (tests/attacks/forge.py)."""

from __future__ import annotations

from datetime import date

from certledger.domain.candidacy import Outcome
from certledger.events.checkpoints import record_checkpoint
from tests.attacks.forge import Forger
from tests.attacks.support import CANDIDACY, assert_fails_at, key_of, stages

DEPT = "dept.zhujian.henan"


def test_after_a_checkpoint_a_stolen_valid_key_rewriting_a_streams_last_event_fails(life) -> None:
    """Without a checkpoint, re-signing the last event of a stream with its party's own
    (stolen, still valid) key leaves nothing to see; the checkpoint's root changes."""
    _, ids = stages(life, handed=("cand.001",))
    life.ledger.record_verification(DEPT, ids["cand.001"], Outcome.QUALIFIED, on=date(2025, 6, 20))
    checkpoint = record_checkpoint(life.ledger)
    _, stolen = key_of(life, DEPT)
    life.tampered = True
    with Forger(life.db_url) as f:
        last = f.stream_rows(str(ids["cand.001"]))[-1]
        assert last.topic == f"{CANDIDACY}.VerificationRecorded"
        f.resign(str(ids["cand.001"]), last.version, stolen, payload={"result": "不合格", "condition": "学历不符"})
    assert_fails_at(life.db_url, checkpoint.notification_id, "L-5", "root is not the Merkle root")


def test_after_a_checkpoint_two_events_swapped_in_ledger_order_fail(life) -> None:
    _, ids = stages(life, handed=("cand.001", "cand.002"))
    checkpoint = record_checkpoint(life.ledger)
    life.tampered = True
    with Forger(life.db_url) as f:
        a = f.stream_rows(str(ids["cand.001"]))[-1].nid
        b = f.stream_rows(str(ids["cand.002"]))[-1].nid
        column, table = f.nid_column, f.table
        f.sql(f"UPDATE {table} SET {column} = -5 WHERE {column} = ?", (a,))
        f.sql(f"UPDATE {table} SET {column} = ? WHERE {column} = ?", (a, b))
        f.sql(f"UPDATE {table} SET {column} = ? WHERE {column} = -5", (b,))
    assert_fails_at(life.db_url, checkpoint.notification_id, "L-5", "root is not the Merkle root")


def test_a_checkpoint_whose_note_was_swapped_for_another_fails(life) -> None:
    """A checkpoint event cannot be edited without HRSS's key; but its note is only text in
    the payload, so the envelope check alone would not say which note: verify checks the
    note's own signature and body against the event."""
    first = record_checkpoint(life.ledger)
    stages(life, handed=("cand.001",))
    second = record_checkpoint(life.ledger)
    life.tampered = True
    with Forger(life.db_url) as f:
        row = f.by_nid(second.notification_id)
        # A forger holding no HRSS key can only re-sign with one it holds: the envelope fails T-4.
        _, exam_key = key_of(life, "exam-center")
        f.resign(row.stream, row.version, exam_key, payload={"note": first.note})
    assert_fails_at(life.db_url, second.notification_id)
