"""Attacks on what a checkpoint covers, and on the checkpoints and the stored log themselves.

Recording the checkpoint is setup, through our writer; the attack is plain SQL and
``cryptography`` (tests/attacks/forge.py)."""

from __future__ import annotations

from datetime import date

from certledger.domain.candidacy import Outcome
from certledger.domain.checkpoints import CHECKPOINTS_ID
from certledger.events.checkpoints import record_checkpoint
from certledger.signing.note import checkpoint_body, sign_note
from tests.attacks.forge import Forger
from tests.attacks.support import CANDIDACY, after_newest, assert_fails_at, key_of, stages

CHECKPOINT_TOPIC = "certledger.domain.checkpoints:CheckpointLog.CheckpointRecorded"

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


def _forge_checkpoint(life, f: Forger, note_of) -> int:
    """Append a checkpoint event signed (envelope) with HRSS's own key, its note made by
    ``note_of(ledger id, size, root)``: what verify must still refuse."""
    from certledger.events.merkle import root as merkle_root, state_leaf

    leaves = [state_leaf(r.state) for r in f.rows()]
    size, root = len(leaves), merkle_root(leaves)
    _, hrss = key_of(life, "hrss")
    return f.append(str(CHECKPOINTS_ID), CHECKPOINT_TOPIC, {
        "actor": "hrss", "size": size, "root": root.hex(), "note": note_of(f.ledger_id(), size, root),
        "timestamp": after_newest(f)}, hrss)


def test_a_checkpoint_whose_note_another_party_signed_fails(life) -> None:
    record_checkpoint(life.ledger)
    _, exam_key = key_of(life, "exam-center")
    life.tampered = True
    with Forger(life.db_url) as f:
        forged = _forge_checkpoint(life, f, lambda ledger, size, root: sign_note(checkpoint_body(ledger, size, root), "hrss", exam_key))
    assert_fails_at(life.db_url, forged, "L-5", "not signed by an HRSS key")


def test_a_checkpoint_whose_note_names_another_tree_fails(life) -> None:
    first = record_checkpoint(life.ledger)
    life.tampered = True
    with Forger(life.db_url) as f:
        forged = _forge_checkpoint(life, f, lambda ledger, size, root: first.note)
    assert_fails_at(life.db_url, forged, "L-5", "names another size or root")
