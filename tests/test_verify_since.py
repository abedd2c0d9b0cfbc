"""``verify --checkpoint FILE`` and ``verify --since FILE`` on both databases."""

from __future__ import annotations

from pathlib import Path

import orjson
from click.testing import CliRunner

from certledger.cli.main import cli
from certledger.events.checkpoints import record_checkpoint
from tests.attacks.forge import Forger
from tests.helpers import PASSPHRASE, World


def verify(world: World, *args: str):
    result = CliRunner().invoke(cli, ["--db", world.db_url, "verify", "--all", *args],
                                env={"CERTLEDGER_KEY_PASSPHRASE": PASSPHRASE.decode()})
    assert "Traceback" not in result.output, result.output
    return result


def _kept(world: World, tmp_path: Path) -> Path:
    path = tmp_path / "kept.note"
    path.write_text(record_checkpoint(world.ledger).note)
    return path


def test_since_verifies_only_the_new_events_and_says_what_it_pinned(world: World, tmp_path: Path) -> None:
    memo = world.write_memo("exam-center", "covered", amendments=1)
    kept = _kept(world, tmp_path)
    covered = world.count() - 1  # the kept checkpoint event itself is the first new one
    with world.ledger.acting():
        stored = world.ledger.repository.get(memo)
        stored.amend(actor="exam-center", text="after the kept note")
    world.ledger.save(stored)
    world.write_memo("dept.zhujian.henan", "new")
    record_checkpoint(world.ledger)
    result = verify(world, "--since", str(kept), "--json")
    assert result.exit_code == 0, result.output
    report = orjson.loads(result.stdout)["report"]
    assert report["events"] == world.count() - covered
    assert report["since"]["streams_pinned"] == 3  # the memo, the checkpoints and the trust registry
    assert report["since"]["consistency_with_latest_checkpoint"].startswith("holds")
    assert report["merkle_log"]["checkpoints_checked"] == 2  # the kept one's own event, and the next
    text = verify(world, "--since", str(kept)).output
    assert "NOT re-verified" in text and "OK:" in text
    assert verify(world, "--checkpoint", str(kept)).exit_code == 0


def test_since_catches_a_rewritten_covered_event_by_its_inclusion_proof(world: World, tmp_path: Path) -> None:
    memo = world.write_memo("exam-center", "covered")
    kept = _kept(world, tmp_path)
    with world.ledger.acting():
        stored = world.ledger.repository.get(memo)
        stored.amend(actor="exam-center", text="new")
    world.ledger.save(stored)
    world.tampered = True
    # Re-sign the covered memo in place with its own (stolen) key, and the new amendment
    # after it, so the chain between them still holds.
    with Forger(world.db_url) as f:
        key = world.private_key(world.keys["exam-center"])
        f.resign(str(memo), 1, key, payload={"text": "rewritten"})
        f.resign(str(memo), 2, key, prev=_digest(f, memo, 1))
    result = verify(world, "--since", str(kept))
    assert result.exit_code == 1 and "not in the kept checkpoint's tree" in result.output, result.output
    full = verify(world, "--checkpoint", str(kept))
    assert full.exit_code == 1 and "kept checkpoint" in full.output, full.output


def _digest(f: Forger, memo, version: int) -> str:
    from tests.attacks.forge import digest

    return digest(f.row(str(memo), version).state)


def test_since_catches_covered_events_removed(world: World, tmp_path: Path) -> None:
    world.write_memo("exam-center", "a")
    world.write_memo("exam-center", "b")
    kept = _kept(world, tmp_path)
    world.write_memo("exam-center", "c")
    world.tampered = True
    with Forger(world.db_url) as f:
        f.delete(f.rows()[-4].nid)  # memo "a": covered, in a stream nothing continues
    result = verify(world, "--since", str(kept))
    assert result.exit_code == 1, result.output
    assert "removed or inserted" in result.output or "not those the kept checkpoint covers" in result.output, result.output


def test_a_kept_note_of_another_ledger_or_altered_is_refused(world: World, tmp_path: Path) -> None:
    kept = _kept(world, tmp_path)
    lines = kept.read_text().split("\n")
    altered = tmp_path / "altered.note"
    altered.write_text("\n".join([lines[0], str(int(lines[1]) + 1), *lines[2:]]))
    for option in ("--since", "--checkpoint"):
        result = verify(world, option, str(altered))
        assert result.exit_code == 1 and "does not hold" in result.output, result.output


def test_a_note_kept_from_another_ledger_says_so(world: World, tmp_path: Path) -> None:
    """Issue 20.14: not "its signature does not verify" (it is another HRSS key) but the reason."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from certledger.signing.note import checkpoint_body, sign_note

    other = tmp_path / "other.note"
    other.write_text(sign_note(checkpoint_body("f" * 64, 3, bytes(32)), "hrss", Ed25519PrivateKey.generate()))
    for option in ("--since", "--checkpoint"):
        result = verify(world, option, str(other))
        assert result.exit_code == 1, result.output
        assert f"this note is from another ledger (origin {'f' * 64})" in result.output, result.output


def test_an_empty_kept_note_is_bad_input_for_both_options(world: World, tmp_path: Path) -> None:
    record_checkpoint(world.ledger)
    blank = tmp_path / "blank.note"
    blank.write_text(" \n\n")
    for option in ("--since", "--checkpoint"):
        result = verify(world, option, str(blank))
        assert result.exit_code == 2, (option, result.output)
        assert "is empty" in result.output and "OK:" not in result.output, (option, result.output)


def test_since_pins_the_sitting_a_new_result_is_judged_against(life, tmp_path: Path) -> None:
    """A verification result recorded after the kept note is judged against its candidacy's
    sitting (R-6's due date), a stream no new event continues: it is pinned too."""
    from datetime import date

    from certledger.domain.candidacy import Outcome

    sid = life.sitting("jianzaoshi-1")
    (cid,) = life.passed_and_handed_over(sid, ["cand.001"])
    kept = tmp_path / "kept.note"
    kept.write_text(record_checkpoint(life.ledger).note)
    life.ledger.record_verification("dept.zhujian.zhengzhou", cid, Outcome.QUALIFIED, on=date(2025, 6, 20))
    result = CliRunner().invoke(cli, ["--db", life.db_url, "verify", "--since", str(kept), "--json"])
    assert result.exit_code == 0, result.output
    since = orjson.loads(result.stdout)["report"]["since"]
    # the candidacy, its sitting (consulted only), the checkpoints' stream and the trust registry
    assert since["streams_pinned"] == 4, since


def test_since_picks_its_workers_from_the_new_events_not_the_whole_ledger(world: World, tmp_path: Path) -> None:
    """A 1M-event ledger with 2 new events is checked in one process: starting workers to
    check two events made --since twice as slow as one process."""
    from certledger.cli.verify import PARALLEL_FROM, auto_jobs

    kept = _kept(world, tmp_path).read_text()
    covered = world.count() - 1
    huge = covered + PARALLEL_FROM + 1
    assert auto_jobs(huge, None) == auto_jobs(10**6, None)  # the whole ledger: workers when cores allow
    assert auto_jobs(covered + 2, kept) == 1  # two new events after the kept note
    assert auto_jobs(huge, kept) == auto_jobs(10**6, None)  # many new events: workers again
    assert auto_jobs(covered + 2, "not a note") == 1
