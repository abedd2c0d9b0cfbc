"""Extreme times (issue 20 item 6): a row signed by the rightful key with a write time at
the edge of what Python's datetime holds (``9999-12-31T23:59:59.999999+00:00``, whose CST
day is in the year 10000; ``0001-01-01T00:00:00+14:00``, whose UTC moment is in the year 0)
is a finding for every reader — one line naming the row, exit 1 — never an OverflowError
(exit 70). And a business date (``--on``) outside the dates a ledger holds is refused on the
write path, simulated clock or not: the clock does not jump to the year 9999."""

from __future__ import annotations

from datetime import date

import pytest
from click.testing import CliRunner, Result

from certledger.cli.main import cli
from certledger.domain.checkpoints import CHECKPOINTS_ID
from certledger.events.checkpoints import record_checkpoint
from tests.attacks.forge import Forger
from tests.attacks.support import CANDIDACY, assert_fails_at, key_of
from tests.helpers import PASSPHRASE
from tests.lifecycle_world import LifeWorld

NUMBER = "HN2025JZ2-0001"
CANDIDATE = "jianzaoshi-2:2025:cand.001"
EXTREMES = ["9999-12-31T23:59:59.999999+00:00", "0001-01-01T00:00:00+14:00"]


def run(life: LifeWorld, *args: str) -> Result:
    result = CliRunner().invoke(
        cli, ["--db", life.db_url, "--keys", str(life.store.directory), *args],
        env={"CERTLEDGER_KEY_PASSPHRASE": PASSPHRASE.decode()},
    )
    assert "Traceback" not in result.output, result.output
    assert result.exit_code != 70, result.output
    if result.exception is not None:
        assert isinstance(result.exception, SystemExit), repr(result.exception)
    return result


def _certified(life: LifeWorld) -> str:
    s2 = life.sitting("jianzaoshi-2")
    [e] = life.qualified(s2, ["cand.001"], exam_code="jianzaoshi-2")
    life.ledger.issue_e_certificate("hrss", e, NUMBER, on=date(2025, 7, 20))
    return str(e)


def _reported(result: Result, nid_or_stream: str) -> None:
    """A reader that met the row: exit 1, one line on stderr naming the row and its time."""
    assert result.exit_code == 1, result.output
    assert nid_or_stream in result.stderr and "timestamp" in result.stderr, result.stderr
    assert "outside" in result.stderr and "1970-01-01" in result.stderr, result.stderr


@pytest.mark.parametrize("stamp", EXTREMES)
def test_a_rightfully_signed_act_written_at_an_extreme_time_is_a_finding_for_every_reader(life: LifeWorld, stamp: str) -> None:
    cid = _certified(life)
    _, hrss = key_of(life, "hrss")
    life.tampered = True
    with Forger(life.db_url) as f:
        last = f.stream_rows(cid)[-1]
        assert last.topic == f"{CANDIDACY}.CertificateIssued"
        row = f.resign(cid, last.version, hrss, payload={"timestamp": stamp})
    for args in (("trace", NUMBER), ("trace", CANDIDATE), ("project",), ("candidate", "show", CANDIDATE),
                 ("candidate", "show", CANDIDATE, "--replay"), ("cert", "show", NUMBER)):
        result = run(life, *args)
        if args[0] == "trace":  # trace lists every act, the bad one marked, and exits 1
            assert result.exit_code == 1, result.output
            assert "timestamp" in result.output and "outside" in result.output, result.output
        else:
            _reported(result, cid)
    assert_fails_at(life.db_url, row.nid, "timestamp", "outside")


@pytest.mark.parametrize("stamp", EXTREMES)
def test_a_checkpoint_written_at_an_extreme_time_is_a_finding_for_checkpoint_list(life: LifeWorld, stamp: str) -> None:
    life.sitting("jianzaoshi-2")
    record_checkpoint(life.ledger)
    _, hrss = key_of(life, "hrss")
    life.tampered = True
    with Forger(life.db_url) as f:
        stream = str(CHECKPOINTS_ID)
        last = f.stream_rows(stream)[-1]
        assert last.topic.endswith("CheckpointRecorded"), last.topic
        row = f.resign(stream, last.version, hrss, payload={"timestamp": stamp})
    _reported(run(life, "checkpoint", "list"), stream)
    _reported(run(life, "checkpoint", "list", "--json"), stream)
    assert_fails_at(life.db_url, row.nid, "timestamp", "outside")


@pytest.mark.parametrize("on", ["9999-12-31", "0001-01-01", "3000-01-01"])
def test_an_act_dated_outside_the_ledgers_dates_is_refused_on_a_simulated_clock(life: LifeWorld, on: str) -> None:
    _certified(life)
    life.store.save("dept.zhujian.henan", key_of(life, "dept.zhujian.henan")[1])
    before = life.count()
    refused = run(life, "candidate", "void", CANDIDATE, "--as", "dept.zhujian.henan", "--on", on,
                  "--condition", "education", "--finding", "学历证书伪造")
    assert refused.exit_code == 2, refused.output
    if on > "2025":  # (one in the year 1 is refused first for being before the registration)
        assert "L-2" in refused.stderr and on in refused.stderr and "2999-12-31" in refused.stderr, refused.stderr
    assert life.count() == before
    late = run(life, "candidate", "void", CANDIDATE, "--as", "dept.zhujian.henan", "--on", on, "--late", "found late",
               "--condition", "education", "--finding", "学历证书伪造")
    assert late.exit_code == 2, late.output
    if on > "2025":
        assert "L-2" in late.stderr and "2999-12-31" in late.stderr, late.output
    assert life.count() == before


def test_a_forged_business_date_in_the_year_9999_is_a_finding_not_a_crash(life: LifeWorld) -> None:
    """The write time is honest, the business date is not: verify names the row (L-2) and
    the readers report it instead of overflowing on its deadlines."""
    cid = _certified(life)
    _, hrss = key_of(life, "hrss")
    life.tampered = True
    with Forger(life.db_url) as f:
        last = f.stream_rows(cid)[-1]
        row = f.resign(cid, last.version, hrss, payload={"on": "9999-12-31"})
    for args in (("project",), ("candidate", "show", CANDIDATE), ("candidate", "show", CANDIDATE, "--replay"),
                 ("cert", "show", NUMBER), ("trace", NUMBER)):
        result = run(life, *args)
        assert result.exit_code == 1, (args, result.output)
        assert "9999-12-31" in result.output, (args, result.output)
    assert_fails_at(life.db_url, row.nid, "outside")
