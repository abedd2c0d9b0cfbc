"""``verify --jobs N`` splits the streams between worker processes, each replaying its own
streams' acts against its copy of the sittings and claims they consult: the findings must be
exactly those of one process — same rows, same problems, same order — on a ledger forged in
many different ways at once (stolen authority, a forged sitting act its candidacies then
consult, a flipped byte, a deleted version, a backdated act), whatever the page size."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from tests.attacks.forge import Forger
from tests.attacks.support import ATTACKER, SITTING, CANDIDACY, cli_verify, cst, key_of, verify
from tests.attacks.test_authority import _self_certify
from certledger.events.checkpoints import record_checkpoint
from certledger.events.ledger import Ledger
from certledger.events.storage import parse_database_url
from certledger.events.verify import Finding, Report, verify_ledger


def _forged_in_many_ways(life, kept: Path | None = None) -> None:
    national = life.sitting("jianzaoshi-1")
    honest = life.qualified(national, [f"cand.{i:03d}" for i in range(10, 16)])
    if kept is not None:  # the auditor keeps a checkpoint of the honest ledger
        kept.write_text(record_checkpoint(life.ledger).note)
    _, mine = key_of(life, ATTACKER)
    _, center = key_of(life, "exam-center")
    _self_certify(life, "hrss")  # T-4: grants of authorities' keys, then acts signed with them
    with Forger(life.db_url) as f:
        # A sitting act only HRSS may record, signed by the postal company: refused, and
        # applied as stored, so every worker's copy of the sitting must include it.
        f.append(str(national), f"{SITTING}.ResultsReleased", {"actor": ATTACKER, "on": "2025-06-30",
                 "timestamp": cst(date(2025, 6, 30))}, mine)
        if kept is None:  # (--since refuses a ledger whose covered rows were edited)
            # A byte flipped in one candidacy's result, one version deleted from another.
            flipped = f.row(str(honest[1]), 4)
            f.set_state(flipped.nid, flipped.state.replace(b'"on":"2025-06-20"', b'"on":"2025-06-21"', 1))
            f.delete(f.row(str(honest[2]), 2).nid)
        # A score released by the exam center's real key, dated months before the ledger's newest.
        f.append(str(honest[3]), f"{CANDIDACY}.ScoreReleased", {"actor": "exam-center", "on": "2025-03-11",
                 "passed": True, "scores": [["综合", "60"]], "timestamp": cst(date(2025, 3, 11))}, center)
        # And a candidacy act after the forged sitting act, judged against the sitting as it reads.
        f.append(str(honest[4]), f"{CANDIDACY}.HandedOver", {"actor": "hrss", "on": "2025-07-01",
                 "timestamp": cst(date(2025, 7, 1)), "to": "dept.zhujian.henan"}, center)


def _paged(db_url: str, jobs: int, page_size: int) -> list[Finding]:
    ledger = Ledger(parse_database_url(db_url), verify_on_read=False)
    try:
        return list(verify_ledger(ledger, Report(), jobs=jobs, page_size=page_size))
    finally:
        ledger.close()


def test_parallel_findings_are_those_of_one_process(life) -> None:
    _forged_in_many_ways(life)
    serial, report = verify(life.db_url)
    problems = " | ".join(p for f in serial for p in f.problems)
    for kind in ("T-4", "L-1", "R-4", "signature does not verify", "is missing", "backdated"):
        assert kind in problems, f"{kind!r} not among the findings: {problems}"
    assert report.findings == len(serial) >= 8
    for jobs in (2, 3):
        parallel, parallel_report = verify(life.db_url, jobs=jobs)
        assert [f.describe() for f in parallel] == [f.describe() for f in serial], f"--jobs {jobs}"
        assert parallel == serial
        assert (parallel_report.events, parallel_report.trust_events) == (report.events, report.trust_events)
    # Small pages: predecessors and consulted sittings lie pages back, several pages in flight.
    assert _paged(life.db_url, 1, 3) == serial
    assert _paged(life.db_url, 2, 3) == serial


def test_parallel_cli_json_findings_are_identical(life) -> None:
    _forged_in_many_ways(life)
    outputs = {}
    for jobs in ("1", "2"):
        result = cli_verify(life.db_url, "--all", "--json", "--jobs", jobs)
        assert result.exit_code == 1, result.output
        outputs[jobs] = json.loads(result.output)
    assert outputs["1"]["findings"] == outputs["2"]["findings"] and len(outputs["1"]["findings"]) >= 8
    same = ("events", "trust_events", "bad_events", "head", "merkle_log")
    assert {k: outputs["1"]["report"][k] for k in same} == {k: outputs["2"]["report"][k] for k in same}


def test_parallel_since_is_that_of_one_process(life, tmp_path: Path) -> None:
    """--since: the streams the rules consulted (pinned to the kept note) come back from the
    workers too; the report and findings are those of one process."""
    kept = tmp_path / "kept.note"
    _forged_in_many_ways(life, kept)
    outputs = {}
    for jobs in ("1", "2"):
        result = cli_verify(life.db_url, "--all", "--json", "--since", str(kept), "--jobs", jobs)
        assert result.exit_code == 1, result.output
        outputs[jobs] = json.loads(result.output)
    assert outputs["1"]["findings"] == outputs["2"]["findings"] and outputs["1"]["findings"]
    assert outputs["1"]["report"]["since"] == outputs["2"]["report"]["since"]
    assert outputs["1"]["report"]["since"]["streams_pinned"] > 0
