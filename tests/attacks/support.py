"""What the attack tests share: running verify (the API and the CLI) on a ledger the forger
has edited, and finding the keys the attacker holds."""

from __future__ import annotations

import os
from datetime import date, datetime, timedelta, timezone
from typing import Any

from click.testing import CliRunner, Result
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from certledger.cli.main import cli
from certledger.events.ledger import Ledger
from certledger.events.storage import parse_database_url
from certledger.events.verify import Finding, Report, verify_ledger
from tests.attacks.forge import Forger, open_state

CANDIDACY = "certledger.domain.candidacy:Candidacy"
SITTING = "certledger.domain.sitting:ExamSitting"
TRUST = "certledger.domain.trust:TrustRegistry"


def verify(db_url: str, *, pinned_root: str | None = None, jobs: int | None = None, kept_checkpoint: str | None = None) -> tuple[list[Finding], Report]:
    """Every finding of ``verify_ledger`` on a freshly opened ledger (``--all``); with
    ``CERTLEDGER_TEST_VERIFY_JOBS=2`` every attack test runs the parallel verify instead."""
    if jobs is None:
        jobs = int(os.environ.get("CERTLEDGER_TEST_VERIFY_JOBS", "1"))
    ledger = Ledger(parse_database_url(db_url), verify_on_read=False)
    report = Report()
    try:
        found = verify_ledger(ledger, report, pinned_root=pinned_root, jobs=jobs, kept_checkpoint=kept_checkpoint)
        return list(found), report
    finally:
        ledger.close()


def cli_verify(db_url: str, *args: str) -> Result:
    result = CliRunner().invoke(cli, ["--db", db_url, "verify", *args], env={"CERTLEDGER_KEY_PASSPHRASE": "x"})
    assert "Traceback" not in result.output, result.output
    if result.exception is not None:
        assert isinstance(result.exception, SystemExit), repr(result.exception)
    return result


def describe(found: list[Finding]) -> list[str]:
    return [f.describe() for f in found]


def finding_at(found: list[Finding], nid: int) -> Finding:
    matches = [f for f in found if f.notification_id == nid]
    assert matches, f"verify did not name notification {nid}: {describe(found)}"
    return matches[0]


def assert_named(found: list[Finding], nid: int, *words: str) -> Finding:
    """Verify names notification ``nid``, and one of its problems contains every word (each
    word may be a tuple of alternatives)."""
    finding = finding_at(found, nid)
    text = " | ".join(finding.problems)
    for word in words:
        options = word if isinstance(word, tuple) else (word,)
        assert any(o in text for o in options), f"notification {nid}: none of {options} in: {text}"
    return finding


def assert_ok(db_url: str, **kwargs: Any) -> Report:
    found, report = verify(db_url, **kwargs)
    assert found == [] and report.ok, describe(found)
    return report


def assert_fails_at(db_url: str, nid: int, *words: str, **kwargs: Any) -> list[Finding]:
    """Verify fails, naming ``nid`` for the given reason; the CLI agrees (exit 1, BAD line)."""
    found, report = verify(db_url, **kwargs)
    assert not report.ok, "verify said OK"
    assert_named(found, nid, *words)
    pinned = kwargs.get("pinned_root")
    result = cli_verify(db_url, "--all", *(("--root-key", pinned) if pinned else ()))
    assert result.exit_code == 1, result.output
    assert f"BAD notification {nid}:" in result.output, result.output
    assert "FAIL:" in result.output
    return found


# -- keys the attacker (or a rightful signer) holds ----------------------------------------


# The one low-privilege key the threat model grants the attacker: the postal company's.
# (Candidates hold no keys, T-6.) Where an attack needs several keys, the others are units
# with no part in the exam attacked.
ATTACKER = "postal.henan"
ATTACKER2 = "national.exam-center"
ATTACKER3 = "dept.weijian.zhengzhou"


def key_of(life: Any, party: str, index: int = -1) -> tuple[str, Ed25519PrivateKey]:
    """(key id, private key) of one of ``party``'s registered keys, from the test key store."""
    entries = life.ledger.registry().keys_of(party)
    entry = entries[index]
    return entry.key_id, life.store._loaded[entry.key_id]


# -- times ------------------------------------------------------------------------------------


def newest_timestamp(forger: Forger) -> datetime:
    return max(datetime.fromisoformat(open_state(r.state).payload["timestamp"]) for r in forger.rows())


def after_newest(forger: Forger, ms: int = 1) -> str:
    """A write time just after the newest event already in the ledger (not backdated)."""
    return (newest_timestamp(forger) + timedelta(milliseconds=ms)).isoformat()


CST = timezone(timedelta(hours=8))


def cst(day: date, hour: int = 9, minute: int = 30) -> str:
    """A write time on ``day`` in China Standard Time, as the ledger writes it."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=CST).isoformat()


def stages(life: Any, exam_code: str = "jianzaoshi-2", *, registered: tuple[str, ...] = (),
           handed: tuple[str, ...] = (), qualified: tuple[str, ...] = (),
           unit: str = "dept.zhujian.henan") -> tuple[Any, dict[str, Any]]:
    """A sitting with results released on D and candidacies at three stages: registered
    only; scored and handed over (06-15); verified 合格 (06-20). Returns (sitting id,
    candidate -> candidacy id)."""
    from certledger.domain.candidacy import Outcome
    from tests.lifecycle_world import D

    sid = life.sitting(exam_code)
    ids = {c: life.register(sid, c, exam_code=exam_code) for c in (*registered, *handed, *qualified)}
    life.ledger.release_results("exam-center", sid, on=D)
    for c in (*handed, *qualified):
        life.ledger.release_score("exam-center", ids[c], True, {"综合": "72"}, on=D)
        life.ledger.hand_over("hrss", ids[c], on=date(2025, 6, 15))
    if (handed or qualified) and life.ledger.sitting(sid).exam.provincial:
        life.publicity(sid, unit)  # a provincial exam's announcement sets the results deadline
    for c in qualified:
        life.ledger.record_verification(unit, ids[c], Outcome.QUALIFIED, on=date(2025, 6, 20))
    return sid, ids


def assert_not_ok(db_url: str, **kwargs: Any) -> None:
    """Verify does not say OK (for deletions, where the deleted row cannot be named), and
    the CLI exits 1."""
    found, report = verify(db_url, **kwargs)
    assert not report.ok, "verify said OK"
    result = cli_verify(db_url, "--all")
    assert result.exit_code == 1 and "OK:" not in result.output, result.output
