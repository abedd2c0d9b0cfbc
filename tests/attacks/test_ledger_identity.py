"""Attack 5 (issue 6): ledger identity, and what deletions can and cannot be seen.

- An event is bound to its ledger (the genesis digest): copied into another ledger that
  registered the same public key, it must fail.
- A whole ledger swapped for another: fails when ``--root-key`` pins the original; passes
  unpinned, but the report must say the root is not pinned.
- Deleting a middle version leaves a version gap: must fail. Deleting a stream's tail, a
  whole stream, the ledger's tail or the trust registry's last event leaves a consistent,
  shorter history: caught once a recorded checkpoint covers it (L-5). Deleting everything
  after the latest checkpoint, that checkpoint included, is caught only by a checkpoint
  note the auditor kept (``verify --checkpoint FILE``).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import orjson
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from certledger.domain.parties import PartyKind
from certledger.events.checkpoints import record_checkpoint
from certledger.events.ledger import Ledger
from certledger.events.storage import parse_database_url
from certledger.signing.keys import new_private_key, raw_public_key
from certledger.signing.keystore import KeyStore
from certledger.signing.wallet import Wallet
from tests.attacks import forge
from tests.attacks.forge import Forger
from tests.attacks.support import (
    CANDIDACY, TRUST, after_newest, assert_fails_at, assert_named, assert_ok, cli_verify, describe, key_of,
    stages, verify,
)
from tests.helpers import PASSPHRASE, TEST_KDF_ROUNDS, World

# -- one event, two ledgers -------------------------------------------------------------------


def _ledger_sharing_the_exam_centers_key(world: World, url: str, keys_dir: Path) -> str:
    """Another ledger (its own root) that registered the very public key world's exam
    center signs with. Returns its ledger id."""
    store = KeyStore(keys_dir, lambda: PASSPHRASE, kdf_rounds=TEST_KDF_ROUNDS)
    other = Ledger(parse_database_url(url), Wallet(store), create=True)
    try:
        root = new_private_key()
        store.remember(root)
        other.initialise(raw_public_key(root))
        other.register_party("exam-center", "河南省人事考试中心", PartyKind.EXAM_CENTER)
        # The other ledger's root registers the same key, with a proof made by its holder.
        other.add_key("exam-center", other.claim("exam-center", world.private_key(world.keys["exam-center"])))
        return other.ledger_id
    finally:
        other.close()


def test_event_copied_into_another_ledger_that_registered_the_same_key(world: World, other_db_url: str, tmp_path: Path) -> None:
    other_id = _ledger_sharing_the_exam_centers_key(world, other_db_url, tmp_path / "other-keys")
    memo = world.write_memo("exam-center", "合格名单", amendments=1)
    world.tampered = True
    with Forger(world.db_url) as source, Forger(other_db_url) as target:
        assert source.ledger_id() != other_id
        copied = [target.insert(r.stream, r.version, r.topic, r.state) for r in source.stream_rows(str(memo))]
    found = assert_fails_at(other_db_url, copied[0], "signed for ledger", other_id[:16])
    for nid in copied:
        assert_named(found, nid, "signed for ledger")
    assert {f.notification_id for f in found} == set(copied)


# -- a whole ledger swapped ------------------------------------------------------------------


def _swap_in(world: World, other_db_url: str, keys_dir: Path) -> tuple[str, str]:
    """Replace every row of world's ledger with another ledger's rows (another root).
    Returns (original root key id, substitute root key id)."""
    original = world.keys["hrss"]
    other = World.create(other_db_url, keys_dir)
    try:
        other.write_memo("exam-center", "冒名合格名单", amendments=2)
        substitute = other.keys["hrss"]
    finally:
        other.close()
    world.write_memo("exam-center", "合格名单")
    world.tampered = True
    with Forger(world.db_url) as target, Forger(other_db_url) as source:
        rows = source.rows()
        target.delete_all()
        for r in rows:
            target.insert(r.stream, r.version, r.topic, r.state, nid=r.nid)
        assert target.ledger_id() == source.ledger_id()
    assert original != substitute
    return original, substitute


def test_whole_ledger_replaced_by_another_root_fails_when_the_root_is_pinned(world: World, other_db_url: str, tmp_path: Path) -> None:
    original, substitute = _swap_in(world, other_db_url, tmp_path / "other-keys")
    found = assert_fails_at(world.db_url, 1, "not the pinned root", pinned_root=original)
    assert substitute in " ".join(found[0].problems)


def test_whole_ledger_replaced_unpinned_passes_but_reports_the_root_as_unpinned(world: World, other_db_url: str, tmp_path: Path) -> None:
    original, substitute = _swap_in(world, other_db_url, tmp_path / "other-keys")
    report = assert_ok(world.db_url)
    assert report.pinned_root_key is None and report.genesis_root_key == substitute
    result = cli_verify(world.db_url)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("OK:")
    assert "root key pinned:  no (pass --root-key: an unpinned ledger may be a substitute)" in result.output
    assert f"genesis root key: {substitute}" in result.output and original not in result.output
    as_json = orjson.loads(cli_verify(world.db_url, "--json").output)
    assert as_json["report"]["pinned_root_key"] is None
    assert as_json["report"]["genesis_root_key"] == substitute


# -- deletions ---------------------------------------------------------------------------------


def _fraud_case(life) -> tuple[object, object]:
    _, ids = stages(life, qualified=("cand.001", "cand.002"))
    life.ledger.find_fraud("dept.zhujian.henan", ids["cand.001"], "forged diploma", on=date(2025, 6, 22))
    return ids["cand.001"], ids["cand.002"]


def test_deleting_a_middle_version_of_a_candidacy_fails(life) -> None:
    fraud, _ = _fraud_case(life)
    life.tampered = True
    with Forger(life.db_url) as f:
        rows = f.stream_rows(str(fraud))
        f.delete(rows[2].nid)  # the handover: the result and the fraud finding remain
    found = assert_fails_at(life.db_url, rows[3].nid, "version 3 of this stream is missing")
    assert rows[4].nid in {x.notification_id for x in found}


def test_deleting_the_first_version_of_a_candidacy_fails(life) -> None:
    fraud, _ = _fraud_case(life)
    life.tampered = True
    with Forger(life.db_url) as f:
        rows = f.stream_rows(str(fraud))
        f.delete(rows[0].nid)
    assert_fails_at(life.db_url, rows[1].nid, "version 1 of this stream is missing")


def test_deleting_a_middle_trust_registry_event_fails(life) -> None:
    life.tampered = True
    with Forger(life.db_url) as f:
        trust = f.stream_rows(forge.TRUST_REGISTRY)
        assert trust[2].topic.endswith("KeyAdded")
        f.delete(trust[2].nid)  # the exam center's key
    assert_fails_at(life.db_url, trust[3].nid, "version 3 of this stream is missing")


def test_deleting_the_genesis_fails(life) -> None:
    life.tampered = True
    with Forger(life.db_url) as f:
        f.delete(f.genesis().nid)
    result = cli_verify(life.db_url, "--all")
    assert result.exit_code != 0 and "OK" not in result.output, result.output
    assert "no valid genesis event" in result.output


# -- deletions, once a checkpoint covers them (recording it is setup, through our writer) -----


def test_after_a_checkpoint_deleting_a_candidacys_last_event_fails(life) -> None:
    fraud, _ = _fraud_case(life)
    checkpoint = record_checkpoint(life.ledger)
    life.tampered = True
    with Forger(life.db_url) as f:
        last = f.stream_rows(str(fraud))[-1]
        f.delete(last.nid)
    assert not life.ledger.candidacy(fraud).is_void  # what the deletion achieves
    assert_fails_at(life.db_url, checkpoint.notification_id, "L-5", "events precede it")


def test_after_a_checkpoint_deleting_a_whole_candidacy_fails(life) -> None:
    fraud, _ = _fraud_case(life)
    checkpoint = record_checkpoint(life.ledger)
    life.tampered = True
    with Forger(life.db_url) as f:
        for r in f.stream_rows(str(fraud)):
            f.delete(r.nid)
    assert_fails_at(life.db_url, checkpoint.notification_id, "L-5", "events precede it")


def test_deleting_the_events_before_the_latest_checkpoint_fails(life) -> None:
    _fraud_case(life)
    record_checkpoint(life.ledger)
    stages(life, "zaojia-2", qualified=("cand.003",))
    latest = record_checkpoint(life.ledger)
    life.tampered = True
    with Forger(life.db_url) as f:
        for r in [r for r in f.rows() if r.nid < latest.notification_id][-3:]:
            f.delete(r.nid)
    assert_fails_at(life.db_url, latest.notification_id, "L-5", "events precede it")


def test_deleting_the_tail_after_the_latest_checkpoint_is_caught_only_by_a_kept_note(life, tmp_path: Path) -> None:
    """The limit of checkpoints kept inside the database: the attacker deletes the last
    checkpoint too, with everything after the one before it. The ledger left is consistent;
    the note an auditor kept of the later checkpoint shows what is gone."""
    _fraud_case(life)
    earlier = record_checkpoint(life.ledger)
    stages(life, "zaojia-2", qualified=("cand.003",))
    kept = tmp_path / "kept.note"
    kept.write_text(record_checkpoint(life.ledger).note)
    life.tampered = True
    with Forger(life.db_url) as f:
        for r in f.rows():
            if r.nid > earlier.notification_id:
                f.delete(r.nid)
    assert_ok(life.db_url)  # what a database alone can show
    found, report = verify(life.db_url, kept_checkpoint=kept.read_text())
    assert not report.ok and any("events were removed" in p for x in found for p in x.problems), describe(found)
    result = cli_verify(life.db_url, "--checkpoint", str(kept))
    assert result.exit_code == 1 and "events were removed" in result.output, result.output


def test_deleting_every_event_but_the_genesis_is_caught_by_a_kept_note(life, tmp_path: Path) -> None:
    _fraud_case(life)
    kept = tmp_path / "kept.note"
    kept.write_text(record_checkpoint(life.ledger).note)
    life.tampered = True
    with Forger(life.db_url) as f:
        genesis = f.genesis().nid
        for r in f.rows():
            if r.nid != genesis:
                f.delete(r.nid)
        assert f.count() == 1
    result = cli_verify(life.db_url, "--checkpoint", str(kept))
    assert result.exit_code == 1 and "events were removed" in result.output, result.output


def test_after_a_checkpoint_deleting_the_trust_registrys_last_event_fails(life) -> None:
    """Deleting a root key's revocation (after rotation) would un-revoke it, and the old root
    key would grant keys: the checkpoint recorded after the rotation names the deletion."""
    _, ids = stages(life, registered=("cand.001",))
    old_id, old_root = key_of(life, "hrss")
    new_root = new_private_key()
    life.store.remember(new_root)
    life.ledger.rotate_key("hrss", life.ledger.claim("hrss", new_root))
    checkpoint = record_checkpoint(life.ledger)
    mine = Ed25519PrivateKey.generate()
    life.tampered = True
    with Forger(life.db_url) as f:
        revocation = f.stream_rows(forge.TRUST_REGISTRY)[-1]
        assert revocation.topic.endswith("KeyRevoked") and revocation.envelope.payload["key_id"] == old_id
        f.delete(revocation.nid)
        when = after_newest(f)
        granted = f.append(forge.TRUST_REGISTRY, f"{TRUST}.KeyAdded", {
            "actor": "hrss", "key_id": forge.key_id(mine), "party_id": "exam-center",
            "possession": forge.proof(f.ledger_id(), "exam-center", mine),
            "public_key": forge.public_text(mine), "timestamp": when, "valid_from": when}, old_root)
        f.append(str(ids["cand.001"]), f"{CANDIDACY}.ScoreReleased", {
            "actor": "exam-center", "on": "2025-06-14", "passed": True, "scores": [["综合", "99"]],
            "timestamp": after_newest(f)}, mine)
    assert granted  # the old root's grant, then the score under the granted key
    assert_fails_at(life.db_url, checkpoint.notification_id, "L-5", "events precede it")
