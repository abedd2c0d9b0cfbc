"""Attack 3 (issue 6): backdating with a retired key, and write times that run backwards.

The department's key K1 is rotated out (K2 added, K1 revoked); its private half is still
in the attacker's hands. A 合格 result signed by K1 and stamped just before K1's
revocation must not verify once it is written after the revocation — "a revoked key signs
nothing written after its revocation in ledger order, whatever timestamp it claims"."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from certledger.domain.candidacy import Outcome
from certledger.events.checkpoints import record_checkpoint
from certledger.signing.keys import raw_public_key
from tests.attacks import forge
from tests.attacks.forge import Forger
from tests.attacks.support import CANDIDACY, assert_fails_at, assert_named, cst, key_of, stages

DEPT = "dept.zhujian.henan"


def _rotated(life) -> dict:
    """cand.001 and cand.002 handed over; cand.003 verified 不合格 with K1; then K1 rotated
    out; then cand.001 verified 合格 with K2. cand.002 still awaits its result."""
    _, ids = stages(life, handed=("cand.001", "cand.002", "cand.003"))
    life.ledger.record_verification(DEPT, ids["cand.003"], Outcome.UNQUALIFIED, on=date(2025, 6, 15), condition=_condition(life, ids["cand.003"]))
    k1_id, k1 = key_of(life, DEPT)
    k2 = Ed25519PrivateKey.generate()
    life.store.remember(k2)
    life.ledger.rotate_key(DEPT, life.ledger.claim(DEPT, k2))
    life.ledger.record_verification(DEPT, ids["cand.001"], Outcome.QUALIFIED, on=date(2025, 6, 20))
    with Forger(life.db_url) as f:
        trust = f.stream_rows(forge.TRUST_REGISTRY)
        revocation = trust[-1]
        assert revocation.topic.endswith("KeyRevoked") and revocation.envelope.payload["key_id"] == k1_id
        revoked_at = datetime.fromisoformat(revocation.envelope.payload["effective_at"])
    return {"ids": ids, "k1": k1, "k1_id": k1_id, "revocation_nid": revocation.nid, "revoked_at": revoked_at}


def _condition(life, cid) -> str:
    return life.ledger.candidacy(cid).exam.conditions[0]


def _result(when: datetime, on: str = "2025-06-15") -> dict:
    return {"actor": DEPT, "condition": None, "on": on, "result": "合格", "timestamp": when.isoformat()}


def test_retired_key_backdates_a_result_appended_after_later_events(life) -> None:
    r = _rotated(life)
    life.tampered = True
    with Forger(life.db_url) as f:
        forged = f.append(str(r["ids"]["cand.002"]), f"{CANDIDACY}.VerificationRecorded",
                          _result(r["revoked_at"] - timedelta(milliseconds=1)), r["k1"])
    assert forged > r["revocation_nid"]
    found = assert_fails_at(life.db_url, forged, "T-4", f"was revoked (notification {r['revocation_nid']})")
    assert_named(found, forged, "backdated")
    assert {f.notification_id for f in found} == {forged}


def test_retired_key_signs_a_result_stamped_after_its_revocation(life) -> None:
    r = _rotated(life)
    life.tampered = True
    with Forger(life.db_url) as f:
        when = datetime.fromisoformat(cst(date(2025, 6, 21)))
        forged = f.append(str(r["ids"]["cand.002"]), f"{CANDIDACY}.VerificationRecorded", _result(when, "2025-06-21"), r["k1"])
    assert_fails_at(life.db_url, forged, "T-4", f"key {r['k1_id']} is revoked from")


@pytest.mark.xfail(strict=True, reason=(
    "HOLE: notification ids are not authenticated. Renumbering rows (UPDATE … SET rowid / "
    "notification_id) puts a retired key's backdated event before its revocation in ledger "
    "order; its timestamp fits its neighbours, so verify prints OK."))
def test_retired_key_backdated_result_slid_before_the_revocation_by_renumbering(life) -> None:
    r = _rotated(life)
    life.tampered = True
    with Forger(life.db_url) as f:
        at = r["revocation_nid"]
        added = f.by_nid(at - 1)  # K2's registration, just before the revocation
        assert added.topic.endswith("KeyAdded")
        when = datetime.fromisoformat(added.envelope.payload["timestamp"])
        assert when < r["revoked_at"]
        f.renumber_from(at)
        forged = f.append(str(r["ids"]["cand.002"]), f"{CANDIDACY}.VerificationRecorded", _result(when), r["k1"], nid=at)
        assert f.by_nid(at + 1).topic.endswith("KeyRevoked")
    assert forged < r["revocation_nid"] + 1
    assert_fails_at(life.db_url, forged)


@pytest.mark.xfail(strict=True, reason=(
    "HOLE (no checkpoint): a retired key re-signs, in place, the last event it signed in a "
    "stream (same notification id, same timestamp, before its revocation): 不合格 becomes 合格 "
    "and verify prints OK."))
def test_retired_key_rewrites_its_own_last_result_in_place(life) -> None:
    r = _rotated(life)
    cid = r["ids"]["cand.003"]
    assert life.ledger.candidacy(cid).first_result is Outcome.UNQUALIFIED
    life.tampered = True
    with Forger(life.db_url) as f:
        last = f.stream_rows(str(cid))[-1]
        assert last.topic.endswith("VerificationRecorded")
        f.resign(str(cid), last.version, r["k1"], payload={"result": "合格", "condition": None})
    assert life.ledger.candidacy(cid).first_result is Outcome.QUALIFIED  # what the forgery achieves
    assert_fails_at(life.db_url, last.nid)


def test_after_a_checkpoint_renumbering_a_backdated_result_before_the_revocation_fails(life) -> None:
    """The hole above, once a checkpoint covers the revocation: every row from the slot on
    moves one leaf right, so the checkpoint no longer covers exactly the events before it."""
    r = _rotated(life)
    checkpoint = record_checkpoint(life.ledger)
    life.tampered = True
    with Forger(life.db_url) as f:
        at = r["revocation_nid"]
        when = datetime.fromisoformat(f.by_nid(at - 1).envelope.payload["timestamp"])
        f.renumber_from(at)
        f.append(str(r["ids"]["cand.002"]), f"{CANDIDACY}.VerificationRecorded", _result(when), r["k1"], nid=at)
    assert_fails_at(life.db_url, checkpoint.notification_id + 1, "L-5", "events precede it")


def test_after_a_checkpoint_a_retired_key_rewriting_its_own_last_result_fails(life) -> None:
    r = _rotated(life)
    cid = r["ids"]["cand.003"]
    checkpoint = record_checkpoint(life.ledger)
    life.tampered = True
    with Forger(life.db_url) as f:
        last = f.stream_rows(str(cid))[-1]
        f.resign(str(cid), last.version, r["k1"], payload={"result": "合格", "condition": None})
    assert life.ledger.candidacy(cid).first_result is Outcome.QUALIFIED  # what the forgery achieves
    assert_fails_at(life.db_url, checkpoint.notification_id, "L-5", "root is not the Merkle root")


def test_valid_key_backdates_a_result_by_a_day(life) -> None:
    """No retired key: the rightful department stamps its act a day before the newest
    event in the ledger (beyond the documented skew)."""
    _, ids = stages(life, handed=("cand.001",), qualified=("cand.002",))
    _, dept = key_of(life, DEPT)
    life.tampered = True
    with Forger(life.db_url) as f:
        # Newest event: cand.002's result on 06-20. Stamp cand.001's 06-16 (after its handover).
        forged = f.append(str(ids["cand.001"]), f"{CANDIDACY}.VerificationRecorded",
                          _result(datetime.fromisoformat(cst(date(2025, 6, 16))), "2025-06-16"), dept)
    assert_fails_at(life.db_url, forged, "backdated")


def test_valid_key_stamps_an_act_before_the_streams_previous_event(life) -> None:
    _, ids = stages(life, handed=("cand.001",))
    _, dept = key_of(life, DEPT)
    life.tampered = True
    with Forger(life.db_url) as f:
        # The handover was written 06-15 09:00; the result claims 06-15 08:59:30, within the
        # ledger-wide skew but before its own stream's previous event.
        before = datetime.fromisoformat(cst(date(2025, 6, 15), 9, 0)) - timedelta(seconds=30)
        handover = datetime.fromisoformat(f.stream_rows(str(ids["cand.001"]))[-1].envelope.payload["timestamp"])
        assert before < handover
        forged = f.append(str(ids["cand.001"]), f"{CANDIDACY}.VerificationRecorded", _result(before), dept)
    assert_fails_at(life.db_url, forged, "before the stream's previous event")
