"""A status no deleted row can fake (issue 19 item 3): every checkpoint signs the status list;
``verify`` recomputes it; ``cert verify --db`` and the replay readers answer from it.

The attacker edits the database with plain SQL (tests/attacks/forge.py) and holds no HRSS key.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import orjson
import pytest
from click.testing import CliRunner

from certledger.cli.main import cli
from certledger.domain.candidacy import VOIDING_EVENTS, Candidacy
from certledger.events import status_list
from certledger.events.checkpoints import latest_checkpoint, record_checkpoint
from certledger.events.credential import decode_list, status_bit
from tests.attacks.forge import Forger
from tests.attacks.support import assert_ok, verify

NUMBER, OTHER = "HN2025JZ2-0001", "HN2025JZ2-0002"


@pytest.fixture
def voided(life: Any) -> Any:
    """Two e-certificates; the first voided (R-11) and a checkpoint after, then a bundle and
    a credential of the void one exported."""
    sid = life.sitting("jianzaoshi-2")
    one, two = life.qualified(sid, ["cand.001", "cand.002"], exam_code="jianzaoshi-2")
    life.ledger.issue_e_certificate("hrss", one, NUMBER, on=date(2025, 7, 20))
    life.ledger.issue_e_certificate("hrss", two, OTHER, on=date(2025, 7, 20))
    life.ledger.find_ineligible("dept.zhujian.henan", one, "education", "学历不符合报名条件", on=date(2025, 9, 1))
    record_checkpoint(life.ledger)
    life.void_stream = one
    return life


def _run(*args: str):
    result = CliRunner().invoke(cli, list(args))
    assert "Traceback" not in result.output, result.output
    return result


def _void_row(life: Any) -> int:
    with Forger(life.db_url) as f:
        rows = f.sql(f"SELECT {f.nid_column}, topic FROM {f.table} WHERE topic LIKE ?", ("%Candidacy.IneligibilityFound",))
    [(nid, _)] = rows
    return nid


def test_the_checkpoint_signs_the_void_bit_and_verify_recomputes_it(voided: Any) -> None:
    checkpoint = latest_checkpoint(voided.ledger)
    signed = json.loads(checkpoint.status_list)
    bits = decode_list(signed["credentialSubject"]["encodedList"])
    assert status_bit(bits, 0) and not status_bit(bits, 1)
    assert signed["certledgerCheckpoint"]["size"] == checkpoint.size and signed["certledgerCheckpoint"]["certificates"] == 2
    assert f"status-list 2 {status_list.list_digest(checkpoint.status_list)}" in checkpoint.note
    report = assert_ok(voided.db_url)
    assert report.log.checkpoints == 1


def test_a_status_list_that_differs_from_the_events_fails_verify(voided: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """HRSS's recorder (its key, its signature) signs a list that leaves the void certificate
    valid: verify, replaying the events, refuses it and names the index."""
    honest = status_list.StatusTracker.snapshot

    def forged(self, covered):
        snapshot = honest(self, covered)
        return status_list.StatusSnapshot(snapshot.covered, snapshot.count, frozenset())

    voided.ledger.find_fraud("hrss", voided.candidacies["jianzaoshi-2", "cand.002"], "伪造学历", on=date(2025, 9, 2))
    monkeypatch.setattr(status_list.StatusTracker, "snapshot", forged)
    record_checkpoint(voided.ledger)
    monkeypatch.undo()
    voided.tampered = True
    found, report = verify(voided.db_url)
    problems = " ".join(p for f in found for p in f.problems)
    assert not report.ok
    assert "is not the one the events it covers make" in problems and "leaves index 0, 1 valid" in problems, problems


def test_deleting_the_covered_void_row_fails_cert_verify_db_and_the_replay_readers(voided: Any, tmp_path: Path) -> None:
    life = voided
    bundle = tmp_path / "cert.json"
    assert _run("--db", life.db_url, "cert", "export", NUMBER, "-o", str(bundle)).exit_code == 0
    root = life.ledger.registry().keys_of("hrss")[0].key_id
    before = _run("cert", "verify", str(bundle), "--trust", root, "--db", life.db_url)
    assert before.exit_code == 1 and "void" in before.stderr  # honest: void, and said so

    with Forger(life.db_url) as f:
        f.delete(_void_row(life))  # the attack: one DELETE
    life.tampered = True

    after = _run("cert", "verify", str(bundle), "--trust", root, "--db", life.db_url)
    assert after.exit_code == 1, after.output
    assert "tampered" in after.stderr and "records HN2025JZ2-0001 as void" in after.stderr
    assert "OK" not in after.stderr
    for reader in (["cert", "show", NUMBER, "--replay"], ["trace", NUMBER],
                   ["candidate", "show", "jianzaoshi-2:2025:cand.001", "--replay"]):
        read = _run("--db", life.db_url, *reader)
        assert read.exit_code != 0 and "records HN2025JZ2-0001 as void" in read.stderr, (reader, read.output)
    found, report = verify(life.db_url)
    assert not report.ok


def test_a_void_recorded_after_the_checkpoint_is_named_as_not_covered(life: Any, tmp_path: Path) -> None:
    sid = life.sitting("jianzaoshi-2")
    (one,) = life.qualified(sid, ["cand.001"], exam_code="jianzaoshi-2")
    life.ledger.issue_e_certificate("hrss", one, NUMBER, on=date(2025, 7, 20))
    record_checkpoint(life.ledger)
    bundle = tmp_path / "cert.json"
    assert _run("--db", life.db_url, "cert", "export", NUMBER, "-o", str(bundle)).exit_code == 0
    life.ledger.find_ineligible("dept.zhujian.henan", one, "education", "学历不符合报名条件", on=date(2025, 9, 1))
    root = life.ledger.registry().keys_of("hrss")[0].key_id
    void = _run("cert", "verify", str(bundle), "--trust", root, "--db", life.db_url, "--json")
    assert void.exit_code == 1
    report = orjson.loads(void.stdout.split("\n}\n")[0] + "\n}")
    assert report["ledger_now"]["status"] == "void" and "recorded after checkpoint" in report["ledger_now"]["reason"]
    assert report["ledger_now"]["proven"]["status"] == "valid" and report["ledger_now"]["proven"]["events_after_checkpoint"] >= 1
    with Forger(life.db_url) as f:
        f.delete(_void_row(life))  # removed from the end, after the checkpoint: only a kept note would see it
    life.tampered = True
    ok = _run("cert", "verify", str(bundle), "--trust", root, "--db", life.db_url)
    assert ok.exit_code == 0
    assert "not covered" in ok.stderr and "events after checkpoint" in ok.stderr  # never an unqualified OK


def test_voiding_events_are_the_only_ones_that_set_void_on() -> None:
    """status_list replays only streams with a VOIDING_EVENTS row: any other handler that set
    ``void_on`` would leave a bit stale. Read the handlers' source to hold them to it."""
    import re

    import certledger.domain.candidacy as module

    source = Path(module.__file__).read_text(encoding="utf-8")
    handlers = re.split(r'\n    @event\("', source)[1:]
    setting = {h.split('"', 1)[0] for h in handlers if "self.void_on = " in h.split("\n    @", 1)[0]}
    assert setting == set(VOIDING_EVENTS)
    assert issubclass(Candidacy, object)


def test_the_bundle_carries_the_checkpoint_s_list_offline(voided: Any, tmp_path: Path) -> None:
    life = voided
    root = life.ledger.registry().keys_of("hrss")[0].key_id
    void, valid = tmp_path / "void.json", tmp_path / "valid.json"
    assert _run("--db", life.db_url, "cert", "export", NUMBER, "-o", str(void)).exit_code == 0
    assert _run("--db", life.db_url, "cert", "export", OTHER, "-o", str(valid)).exit_code == 0
    offline = _run("cert", "verify", str(void), "--trust", root)
    assert offline.exit_code == 1 and "records the certificate as void" in offline.stderr
    ok = _run("cert", "verify", str(valid), "--trust", root)
    assert ok.exit_code == 0 and "status valid as of checkpoint" in ok.stderr, ok.output
    bundle = orjson.loads(void.read_bytes())
    listed = json.loads(bundle["status"]["list"])
    listed["credentialSubject"]["encodedList"] = json.loads(orjson.loads(valid.read_bytes())["status"]["list"])[
        "credentialSubject"]["encodedList"]  # the same list: nothing changes
    bundle["status"]["list"] = status_list.list_text(dict(listed, id=listed["id"] + "x"))  # a list the note does not name
    void.write_bytes(orjson.dumps(bundle))
    altered = _run("cert", "verify", str(void), "--trust", root)
    assert altered.exit_code == 1 and "altered" in altered.stderr and "not the one its checkpoint's signed note names" in altered.stderr
    shifted = orjson.loads(valid.read_bytes())
    shifted["status"]["index"] = 0 if shifted["status"]["index"] else 1
    valid.write_bytes(orjson.dumps(shifted))
    moved = _run("cert", "verify", str(valid), "--trust", root, "--db", life.db_url)
    assert moved.exit_code == 1 and "status index" in moved.stderr, moved.output


def test_cert_verify_db_holds_the_status_to_a_kept_note(voided: Any, tmp_path: Path) -> None:
    life = voided
    bundle, kept, forged = tmp_path / "cert.json", tmp_path / "kept.note", tmp_path / "forged.note"
    assert _run("--db", life.db_url, "cert", "export", OTHER, "-o", str(bundle)).exit_code == 0
    note = latest_checkpoint(life.ledger).note
    kept.write_text(note, encoding="utf-8")
    root = life.ledger.registry().keys_of("hrss")[0].key_id
    held = _run("cert", "verify", str(bundle), "--trust", root, "--db", life.db_url, "--checkpoint", str(kept), "--json")
    assert held.exit_code == 0, held.output
    report = orjson.loads(held.stdout.split("\n}\n")[0] + "\n}")
    assert report["ledger_now"]["proven"]["kept_note"] is True and report["ledger_now"]["proven"]["status"] == "valid"
    lines = note.split("\n")
    lines[1] = str(int(lines[1]) + 1)  # another size, its signature no longer over the body
    forged.write_text("\n".join(lines), encoding="utf-8")
    refused = _run("cert", "verify", str(bundle), "--trust", root, "--db", life.db_url, "--checkpoint", str(forged))
    assert refused.exit_code == 1 and "kept checkpoint does not hold" in refused.stderr, refused.output
    alone = _run("cert", "verify", str(bundle), "--trust", root, "--checkpoint", str(kept))
    assert alone.exit_code == 2 and "give --db" in alone.stderr
