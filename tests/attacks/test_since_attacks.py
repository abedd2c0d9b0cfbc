"""Attacks on ``verify --since KEPT.note``: what it does not re-verify must not be able to
change how the events it does re-verify are judged.

The adversary writes any row and holds one low-privilege key (here the municipal 住建
department's, which may record verification results for Zhengzhou candidates: 省（市）).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from certledger.domain.candidacy import Outcome
from certledger.events.checkpoints import record_checkpoint
from tests.attacks.forge import Forger
from tests.attacks.support import cli_verify, key_of
from tests.lifecycle_world import D, LifeWorld

UNIT = "dept.zhujian.zhengzhou"
TOO_LATE = date(2025, 7, 20)  # D is 2025-06-14: a national exam's results are due 15 days after


def _kept(life: LifeWorld, tmp_path: Path) -> Path:
    path = tmp_path / "kept.note"
    path.write_text(record_checkpoint(life.ledger).note)
    return path


def test_since_replays_a_new_event_against_a_rewritten_covered_sitting(life: LifeWorld, tmp_path: Path) -> None:
    sid = life.sitting("jianzaoshi-1")
    (cid,) = life.passed_and_handed_over(sid, ["cand.001"])
    kept = _kept(life, tmp_path)
    life.tampered = True
    _, key = key_of(life, UNIT)
    with Forger(life.db_url) as f:
        released = [r for r in f.stream_rows(str(sid)) if r.topic.endswith("ResultsReleased")]
        assert len(released) == 1
        row = released[0]
        # The sitting's results-release date moved a month on, re-sealed with the unit's own
        # key: a covered row of a stream no new event continues.
        f.resign(str(sid), row.version, key, payload={"on": "2025-07-14"})
    # The unit records a result five weeks after D (R-6: due 15 days after D). Written
    # through the ledger, which reads the forged sitting (it is signed by a registered key).
    from certledger.events.ledger import Ledger
    from certledger.events.storage import parse_database_url
    from certledger.signing.wallet import Wallet

    writer = Ledger(parse_database_url(life.db_url), Wallet(life.store), verify_on_read=False)
    try:
        writer.record_verification(UNIT, cid, Outcome.QUALIFIED, on=TOO_LATE)
    finally:
        writer.close()
    full = cli_verify(life.db_url, "--all")
    assert full.exit_code == 1, full.output  # a full verify sees the forged sitting
    since = cli_verify(life.db_url, "--all", "--since", str(kept))
    assert since.exit_code == 1, since.output
    assert "R-6" in since.output or "sitting" in since.output, since.output


def test_an_empty_kept_note_is_not_silently_ignored(life: LifeWorld, tmp_path: Path) -> None:
    record_checkpoint(life.ledger)
    empty = tmp_path / "kept.note"
    empty.write_text("")
    result = cli_verify(life.db_url, "--since", str(empty))
    assert result.exit_code in (1, 2) and "OK:" not in result.output, result.output


def test_a_truncated_kept_note_fails_both_ways(life: LifeWorld, tmp_path: Path) -> None:
    note = record_checkpoint(life.ledger).note
    cut = tmp_path / "kept.note"
    cut.write_text(note.split("\n\n")[0] + "\n")
    for option in ("--since", "--checkpoint"):
        result = cli_verify(life.db_url, option, str(cut))
        assert result.exit_code == 1 and "does not hold" in result.output, (option, result.output)


@pytest.mark.xfail(strict=True, reason="GAP: --since cannot prove a consulted stream ABSENT from the covered rows: a "
                   "covered claim row moved to another stream (its stream column rewritten, its state and leaf "
                   "unchanged) leaves the number unclaimed, and a second certificate under it passes --since")
def test_since_cannot_see_a_covered_claim_moved_out_of_its_stream(life: LifeWorld, tmp_path: Path) -> None:
    from uuid import uuid4

    from certledger.domain.certificate_number import certificate_number_id
    from certledger.events.ledger import Ledger
    from certledger.events.storage import parse_database_url
    from certledger.signing.wallet import Wallet
    from tests.test_rules import verified

    _, nat = verified(life, "jianzaoshi-1", ("cand.001", "cand.002"))
    on = date(2025, 7, 15)
    life.ledger.issue_pass_proof("hrss", nat["cand.001"], "HN-P-1", on=on)
    kept = _kept(life, tmp_path)
    life.tampered = True
    claim = str(certificate_number_id("pass-proof", "HN-P-1"))
    with Forger(life.db_url) as f:
        (row,) = f.stream_rows(claim)
        f.set_stream(row.nid, f.stored_stream(str(uuid4())))
    writer = Ledger(parse_database_url(life.db_url), Wallet(life.store), verify_on_read=False)
    try:
        writer.issue_pass_proof("hrss", nat["cand.002"], "HN-P-1", on=on)  # L-3 sees no claim
    finally:
        writer.close()
    assert cli_verify(life.db_url, "--all").exit_code == 1  # a full verify sees the moved row
    assert cli_verify(life.db_url, "--all", "--since", str(kept)).exit_code == 1
