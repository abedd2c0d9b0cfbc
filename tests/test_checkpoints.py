"""Checkpoints (L-5) and cosignatures (L-6): recorded through the CLI and the API on both
databases, their notes checked with nothing but the C2SP note format and the public keys."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner

from certledger.cli.main import cli
from certledger.domain.checkpoints import CHECKPOINTS_ID
from certledger.domain.errors import RuleViolation
from certledger.events.checkpoints import (
    checkpoint_of_size, cosign_checkpoint, latest_checkpoint, party_verifiers, record_checkpoint, recorded_checkpoints,
)
from certledger.events.merkle import root, state_leaf
from certledger.events.merkle_log import MerkleLog
from certledger.events.recorders import CHECKPOINT_AFTER, LogMoved
from certledger.signing.note import Verifier, checkpoint_body, open_checkpoint
from tests.helpers import PASSPHRASE, World


def run(world: World, *args: str):
    result = CliRunner().invoke(
        cli, ["--db", world.db_url, "--keys", str(world.store.directory), *args],
        env={"CERTLEDGER_KEY_PASSPHRASE": PASSPHRASE.decode()},
    )
    assert "Traceback" not in result.output, result.output
    return result


def _leaves(world: World) -> list[bytes]:
    return [state_leaf(r.state) for page in world.ledger.rows.raw_pages() for r in page]


def test_the_checkpoint_command_prints_a_note_hrss_signed_over_every_event_before_it(world: World, tmp_path: Path) -> None:
    world.write_memo("exam-center", "合格名单", amendments=2)
    kept = tmp_path / "kept.note"
    result = run(world, "checkpoint", "-o", str(kept))
    assert result.exit_code == 0, result.output
    assert kept.read_text() in result.output
    vkeys = run(world, "keys", "vkey").output.split()
    checkpoint, opened = open_checkpoint(kept.read_text(), [Verifier.from_text(v) for v in vkeys], origin=world.ledger.ledger_id)
    assert opened.verified == ("hrss",)
    rows = _leaves(world)
    # It covers exactly the events before it: the checkpoint event is the next leaf.
    assert checkpoint.size == len(rows) - 1 and checkpoint.root == root(rows[:-1])
    listed = orjson.loads(run(world, "checkpoint", "list", "--json").output)
    assert [c["size"] for c in listed] == [checkpoint.size]
    assert listed[0]["notification_id"] == world.ledger.rows.head().notification_id


def test_checkpoints_cover_the_ones_before_and_cosignatures_merge_into_the_note(world: World) -> None:
    first = record_checkpoint(world.ledger)
    world.write_memo("exam-center", "x")
    second = record_checkpoint(world.ledger)
    assert second.size == first.size + 2  # the first checkpoint and the memo
    cosigned = cosign_checkpoint(world.ledger, "exam-center")
    assert cosigned.cosigners == ("exam-center",)
    registry = world.ledger.registry()
    _, opened = open_checkpoint(cosigned.note, party_verifiers(registry, "hrss") + party_verifiers(registry, "exam-center"))
    assert opened.verified == ("hrss", "exam-center")
    assert [c.size for c in recorded_checkpoints(world.ledger)] == [first.size, second.size]
    assert latest_checkpoint(world.ledger).note == cosigned.note
    with pytest.raises(RuleViolation, match="L-6: exam-center has cosigned"):
        cosign_checkpoint(world.ledger, "exam-center")
    with pytest.raises(RuleViolation, match="L-6: HRSS signs every checkpoint"):
        cosign_checkpoint(world.ledger, "hrss")
    result = run(world, "cosign", "--as", "dept.zhujian.henan", "--checkpoint", str(first.size))
    assert result.exit_code == 0, result.output
    assert checkpoint_of_size(world.ledger, first.size).cosigners == ("dept.zhujian.henan",)


def test_a_checkpoint_computed_before_another_event_landed_is_refused_inside_the_transaction(world: World) -> None:
    record_checkpoint(world.ledger)
    log = MerkleLog(world.ledger)
    log.catch_up()
    size = log.size()
    stale = log.notification_id_at(size - 1)
    world.write_memo("exam-center", "arrived meanwhile")
    aggregate = world.ledger.repository.get(CHECKPOINTS_ID)
    body = checkpoint_body(world.ledger.ledger_id, size, log.root(size))
    with world.ledger.acting():
        aggregate.record(actor="hrss", size=size, root=log.root(size).hex(), note=body.decode() + "\n— hrss x\n", status_list="{}",
                         trust_version=1, trust_digest=world.ledger.ledger_id)
    before = world.count()
    with pytest.raises(LogMoved, match="L-5"):
        world.ledger.save(aggregate, **{CHECKPOINT_AFTER: stale})
    assert world.count() == before
    # The command itself catches up and signs again.
    assert record_checkpoint(world.ledger).size == before


def test_only_hrss_records_a_checkpoint_and_each_covers_more(world: World) -> None:
    first = record_checkpoint(world.ledger)
    aggregate = world.ledger.repository.get(CHECKPOINTS_ID)
    with pytest.raises(RuleViolation, match="L-5: only 'hrss' may record a checkpoint"):
        aggregate.record(actor="exam-center", size=first.size + 5, root="0" * 64, note="x")
    with pytest.raises(RuleViolation, match="L-5: a checkpoint covers more events"):
        aggregate.record(actor="hrss", size=first.size, root="0" * 64, note="x")


def test_the_cli_refuses_cleanly_without_a_ledger(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "none.db"), "checkpoint"], env={"CERTLEDGER_KEY_PASSPHRASE": "x"})
    assert result.exit_code == 4 and "Traceback" not in result.output


def test_a_rewritten_leaf_is_refused_before_signing_and_rebuild_log_repairs_it(world: World) -> None:
    """The follower recomputes the leaves since the last checkpoint from the rows before HRSS
    signs (L-5); 'checkpoint --rebuild-log' recomputes the log's tables from the events."""
    from tests.attacks.forge import Forger

    first = record_checkpoint(world.ledger)
    world.write_memo("exam-center", "x")
    MerkleLog(world.ledger).catch_up()
    with Forger(world.db_url) as f:
        leaves = "merkle_leaves" if f.backend == "sqlite" else "ledger_merkle_leaves"
        f.sql(f"UPDATE {leaves} SET hash = ? WHERE position = ?", (bytes(32), first.size + 1))
        before = f.count()
    refused = run(world, "checkpoint")
    assert refused.exit_code == 1, refused.output
    assert f"does not match the events at leaf {first.size + 1}" in refused.output and "--rebuild-log" in refused.output
    with Forger(world.db_url) as f:
        assert f.count() == before  # nothing recorded
    repaired = run(world, "checkpoint", "--rebuild-log")
    assert repaired.exit_code == 0, repaired.output
    assert "rebuilt from the events" in repaired.output
    assert latest_checkpoint(world.ledger).size == before
