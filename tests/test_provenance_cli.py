"""Issue 7 items 6 and 7, as a user runs them: ``cert show NUMBER`` (by index),
``trace NUMBER|CANDIDACY`` (every signed act, with its signature status) and the receipts
every recording command hands back."""

from __future__ import annotations

import functools
import hashlib
from datetime import date
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner, Result
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from certledger.cli import session as session_module
from certledger.cli.main import cli
from certledger.domain.candidacy import Outcome
from certledger.events import envelope
from certledger.events.storage import parse_database_url
from certledger.signing.keystore import KeyStore
from tests.attacks import forge
from tests.helpers import TEST_KDF_ROUNDS
from tests.lifecycle_world import LifeWorld

NUMBER = "HN2025JZ2-0001"
PROOF = "豫考证〔2025〕00001"


def run(db_url: str, *args: str) -> Result:
    result = CliRunner().invoke(cli, ["--db", db_url, *args])
    assert "Traceback" not in result.output, result.output
    return result


@pytest.fixture
def certified(life: LifeWorld) -> LifeWorld:
    """An e-certificate (建造师（二级）, R-13) and a pass proof (建造师（一级）, R-14), one
    appeal on the way, the pass proof then voided under R-12."""
    s1 = life.sitting("jianzaoshi-1")
    [p] = life.passed_and_handed_over(s1, ["cand.002"])
    life.ledger.record_verification("dept.zhujian.henan", p, Outcome.UNQUALIFIED, on=date(2025, 6, 20), condition="major")
    life.publicity_and_announcement(s1)
    life.ledger.lodge_appeal("dept.zhujian.henan", p, "专业与报考专业相近，附学位证明", on=date(2025, 7, 3))
    life.ledger.decide_appeal("dept.zhujian.henan", p, True, "补充材料证明专业相符", on=date(2025, 7, 10))
    life.ledger.issue_pass_proof("hrss", p, PROOF, on=date(2025, 8, 20))
    life.ledger.find_fraud("hrss", p, "伪造学位证书", on=date(2025, 9, 1))
    s2 = life.sitting("jianzaoshi-2")
    [e] = life.qualified(s2, ["cand.001"], exam_code="jianzaoshi-2")
    life.ledger.issue_e_certificate("hrss", e, NUMBER, on=date(2025, 7, 20))
    return life


def test_cert_show_finds_a_certificate_by_its_number(certified: LifeWorld) -> None:
    shown = run(certified.db_url, "cert", "show", NUMBER, "--json")
    assert shown.exit_code == 0, shown.output
    [record] = orjson.loads(shown.stdout)
    assert record["kind"] == "e-certificate" and record["status"] == "valid" and record["holder"] == "考生001"
    assert record["candidacy"] == "jianzaoshi-2:2025:cand.001" and record["issuer"] == "hrss"
    # The notification id and digest are the stored row's.
    row = next(r for page in certified.ledger.rows.raw_pages() for r in page if r.notification_id == record["notification_id"])
    assert record["digest"] == hashlib.sha256(bytes(row.state)).hexdigest()
    assert record["signing_key"] == envelope.open_state(bytes(row.state)).signer
    human = run(certified.db_url, "cert", "show", NUMBER)
    assert "valid 有效" in human.stdout and "电子证书" in human.stdout and "河南省人力资源和社会保障厅 (hrss)" in human.stdout


def test_cert_show_reports_a_void_pass_proof(certified: LifeWorld) -> None:
    [record] = orjson.loads(run(certified.db_url, "cert", "show", PROOF, "--json").stdout)
    assert (record["kind"], record["status"], record["rule"]) == ("pass-proof", "void", "R-12")
    assert "伪造学位证书" in record["reason"]
    missing = run(certified.db_url, "cert", "show", "NO-SUCH-1")
    assert missing.exit_code == 2 and missing.stderr == "certledger: error: no certificate numbered 'NO-SUCH-1' in this ledger\n"


def test_trace_lists_every_signed_act_behind_a_certificate(certified: LifeWorld) -> None:
    traced = run(certified.db_url, "trace", PROOF, "--json")
    assert traced.exit_code == 0, traced.output
    events = orjson.loads(traced.stdout)["events"]
    names = [e["event"] for e in events]
    for expected in ("Candidacy.Registered", "Candidacy.VerificationRecorded", "Candidacy.AppealLodged",
                     "Candidacy.AppealDecided", "Candidacy.CertificateIssued", "Candidacy.FraudFound",
                     "CertificateNumber.Claimed", "ExamSitting.Scheduled"):  # fmt: skip
        assert expected in names, (expected, names)
    assert [e["notification_id"] for e in events] == sorted(e["notification_id"] for e in events)
    assert all(e["signature"] == "verified" for e in events)
    appeal = next(e for e in events if e["event"] == "Candidacy.AppealLodged")
    assert appeal["term"] == "申辩" and appeal["party"] == "dept.zhujian.henan" and appeal["on"] == "2025-07-03"
    assert appeal["details"]["grounds"].startswith("专业与报考专业相近")
    assert appeal["written_at"].endswith("+08:00") and appeal["key_id"].startswith("ed25519:")
    seal = next(e for e in events if e["event"] == "Candidacy.CertificateIssued")
    assert seal["term"] == "合格证明制发" and seal["rules"] == ["R-14"]
    # The same history by the candidacy's reference.
    by_ref = orjson.loads(run(certified.db_url, "trace", "jianzaoshi-1:2025:cand.002", "--json").stdout)
    assert by_ref["events"] == events
    human = run(certified.db_url, "trace", PROOF)
    assert "申辩" in human.stdout and "✓ signature verified" in human.stdout and "every signature verified" in human.stderr
    for python_repr in ("True", "False", "None", "['", "{'"):  # issue 20.13: no Python repr in output
        assert python_repr not in human.stdout, python_repr
    # Units by their official names (issue 23 item 9); --json keeps the party ids.
    assert "by 河南省人力资源和社会保障厅" in human.stdout and "to: 河南省住房和城乡建设厅" in human.stdout
    assert "dept.zhujian.henan" not in human.stdout and "by hrss" not in human.stdout
    assert {e["party"] for e in events} >= {"hrss", "exam-center"}


def test_trace_details_print_values_as_people_read_them() -> None:
    from certledger.cli.provenance import _details

    shown = _details({"commitment": True, "evidence": None, "scores": ["科目", "69"], "x": {"a": False}})
    assert shown == "commitment: 是 yes; evidence: —; scores: 科目, 69; x: a=否 no"


def test_trace_shows_a_forged_signature_instead_of_stopping(certified: LifeWorld) -> None:
    """A row re-signed by a stranger is shown as BAD, and the rest of the history still prints."""
    cid = certified.candidacies["jianzaoshi-2", "cand.001"]
    with forge.Forger(certified.db_url) as forger:
        victim = forger.row(str(cid), 2)
        message = victim.state[64:]
        forger.set_state(victim.nid, forge.seal(Ed25519PrivateKey.generate(), message))
    certified.tampered = True
    traced = run(certified.db_url, "trace", NUMBER, "--json")
    assert traced.exit_code == 1, traced.output  # a failed check fails the trace (issue 20.4)
    answer = orjson.loads(traced.stdout)
    assert answer["ok"] is False and answer["bad_signatures"] == 1
    events = answer["events"]
    bad = [e for e in events if e["signature"] != "verified"]
    assert len(bad) == 1 and bad[0]["signature"].startswith("BAD: ")
    assert len(events) > 3
    human = run(certified.db_url, "trace", NUMBER)
    assert human.exit_code == 1 and "✗ signature BAD" in human.output
    assert "1 signature(s) do NOT verify" in human.output


def test_receipts_name_the_rows_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, db_url: str) -> None:
    monkeypatch.setattr(session_module, "KeyStore", functools.partial(KeyStore, kdf_rounds=TEST_KDF_ROUNDS))
    runner = CliRunner()

    def cmd(*args: str) -> Result:
        result = runner.invoke(cli, ["--db", db_url, "--keys", str(tmp_path / "keys"), *args],
                               env={"CERTLEDGER_KEY_PASSPHRASE": "receipts"})  # fmt: skip
        assert result.exit_code == 0, result.output
        return result

    init = cmd("init", "--simulated-clock")
    assert init.stderr.count("receipt: #") == 1 and "TrustRegistry.Initialised" in init.stderr
    added = orjson.loads(cmd("parties", "add", "exam-center", "--kind", "exam-center", "--name", "河南省人事考试中心", "--json").stdout)
    assert [r["event"] for r in added["receipts"]] == ["TrustRegistry.PartyRegistered"]
    cmd("keys", "add", "--party", "exam-center")
    scheduled = orjson.loads(
        cmd("sitting", "schedule", "jianzaoshi-1", "2025", "--exam-end", "2025-05-25", "--as", "hrss", "--on", "2025-03-01", "--json").stdout
    )
    assert scheduled["result"] == "jianzaoshi-1:2025"
    [receipt] = scheduled["receipts"]
    # Each receipt is the stored row: its notification id, stream, version and digest.
    from certledger.events.ledger import Ledger

    ledger = Ledger(parse_database_url(db_url), read_only=True)
    try:
        row = ledger.rows.head()
        assert row is not None and receipt["notification_id"] == row.notification_id
        assert receipt["stream"] == str(row.stream).replace("-", "") or receipt["stream"] == str(ledger.sitting(receipt["stream"]).id)
        assert receipt["version"] == 1 and receipt["event"] == "ExamSitting.Scheduled"
        assert receipt["digest"] == hashlib.sha256(bytes(row.state)).hexdigest()
    finally:
        ledger.close()
    # People get one line per event on stderr; stdout keeps the reference for scripts.
    released = cmd("sitting", "release", "jianzaoshi-1:2025", "--as", "exam-center", "--on", "2025-06-14")
    assert released.stdout == "" and "receipt: #" in released.stderr and "ExamSitting.ResultsReleased" in released.stderr
    # A checkpoint is a recording command too: the note on stdout, its receipts on stderr.
    checkpointed = cmd("checkpoint")
    assert checkpointed.stdout.startswith(ledger.ledger_id or "") and "CheckpointLog.CheckpointRecorded" in checkpointed.stderr
    recorded = orjson.loads(cmd("checkpoint", "--json").stdout)
    assert [r["event"] for r in recorded["receipts"]] == ["CheckpointLog.CheckpointRecorded"]
    assert recorded["result"]["notification_id"] == recorded["receipts"][0]["notification_id"]
