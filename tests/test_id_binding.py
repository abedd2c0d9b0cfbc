"""Issue 23 item 11 (rule L-7): registration may give the holder's full id number; the ledger
seals only its masked form and a salted commitment, the number and salt are kept outside the
signed log (erasable), and the holder's PDF and credential carry them so that
``cert verify FILE --id-number N`` can say whether N is the holder's. Every test runs on
SQLite and PostgreSQL (the ``life`` fixture), and the ledger verifies after it."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from certledger.cli.main import cli
from certledger.domain.errors import RuleViolation
from certledger.domain.id_number import check_digit, full_id_number, given_id, id_commitment, masked
from certledger.events import credential as vc
from certledger.events import provenance
from certledger.events.holder_secrets import table_name
from tests.lifecycle_world import COMPARISON_OK, PASSPHRASE, LifeWorld

FULL = "410102199001011234"  # a valid GB 11643 number: its check digit is 4
OTHER = "410102199001012018"  # also valid, same region and birth date
NUMBER = "HN2025JZ2-0001"


def test_the_check_digit_is_gb_11643() -> None:
    assert check_digit("11010519491231002") == "X"  # the standard's own example, 11010519491231002X
    assert check_digit(FULL[:17]) == FULL[17] and check_digit(OTHER[:17]) == OTHER[17]
    assert full_id_number(FULL.lower()) == FULL and masked(FULL) == "410102********1234"
    with pytest.raises(RuleViolation, match=r"L-7: 身份证号 \(id number\) '41010219900101123X': its check digit is X, "
                                            r"GB 11643-1999 \(ISO 7064 MOD 11-2\) gives 4"):
        full_id_number("41010219900101123X")
    with pytest.raises(RuleViolation, match="L-7: .*birth date 19901301"):
        full_id_number("410102199013011234")
    with pytest.raises(RuleViolation, match="L-7: .*has 17 characters"):
        given_id("41010219900101123")
    assert given_id("410102********123X").full is None  # the masked form, as before
    assert given_id("4101 0219 9001 0112 34").full == FULL  # spaced as people copy it: a number, checked
    with pytest.raises(RuleViolation, match="L-7: .*check digit"):
        given_id("410102-19900101-123X")  # never kept in clear as if it were masked


def test_the_commitment_is_one_canonical_hash() -> None:
    import hashlib

    salt = bytes(range(16))
    assert id_commitment(salt, FULL) == hashlib.sha256(b"certledger id-number commitment v1\x00" + salt
                                                       + FULL.encode()).hexdigest()
    assert id_commitment(salt, FULL) != id_commitment(bytes(16), FULL)


def _register(life: LifeWorld, sid: Any, candidate: str = "cand.001", **id_given: str):
    return life.ledger.register_candidate(
        "exam-center", sid, candidate=candidate, name="考生甲", city="zhengzhou", comparison=COMPARISON_OK,
        on=date(2025, 3, 10), **id_given)


def _all_states(life: LifeWorld) -> list[bytes]:
    """Every row of the events table, by plain SQL: what an auditor's copy of the log holds."""
    table = life.ledger.database.qualified_table
    with life.ledger.recorder.datastore.transaction(commit=False) as cursor:
        cursor.execute(f"SELECT topic, state FROM {table}")
        return [str(r["topic"]).encode() + b"\x00" + bytes(r["state"]) for r in cursor.fetchall()]


def _every_other_table(life: LifeWorld) -> dict[str, bytes]:
    """Every table of the database but the holder secrets, each row's values as bytes: the
    events, the Merkle log, the registers, whatever a copy of the database gives away."""
    backend = life.ledger.database.backend
    listing = ("SELECT name AS t FROM sqlite_master WHERE type = 'table'" if backend == "sqlite" else
               "SELECT table_name AS t FROM information_schema.tables WHERE table_schema = 'public'")
    found: dict[str, bytes] = {}
    with life.ledger.recorder.datastore.transaction(commit=False) as cursor:
        cursor.execute(listing)
        tables = [r["t"] for r in cursor.fetchall() if r["t"] != table_name(backend)]
        for table in tables:
            cursor.execute(f'SELECT * FROM "{table}"')
            found[table] = b"\x00".join(
                bytes(v) if isinstance(v, (bytes, bytearray, memoryview)) else str(v).encode()
                for r in cursor.fetchall() for v in (r.values() if hasattr(r, "values") else tuple(r)))
    return found


def _secret_rows(life: LifeWorld) -> list[Any]:
    with life.ledger.recorder.datastore.transaction(commit=False) as cursor:
        cursor.execute(f"SELECT id_number, salt FROM {table_name(life.ledger.database.backend)}")
        return list(cursor.fetchall())


def test_a_full_number_is_sealed_as_its_commitment_only(life: LifeWorld) -> None:
    sid = life.sitting("jianzaoshi-2")
    cid = _register(life, sid, id_number=FULL)
    c = life.ledger.candidacy(cid)
    assert c.masked_id == "410102********1234"
    [row] = _secret_rows(life)
    salt = bytes(row["salt"])
    assert row["id_number"] == FULL and len(salt) == 16
    assert c.id_commitment == id_commitment(salt, FULL)
    states = _all_states(life)
    assert any(c.id_commitment.encode() in s for s in states)
    for needle in (FULL.encode(), FULL[6:14].encode(), salt, salt.hex().encode()):
        assert not any(needle in s for s in states), needle


def test_a_bad_check_digit_is_refused_with_nothing_recorded(life: LifeWorld) -> None:
    sid = life.sitting("jianzaoshi-2")
    before = life.count()
    with pytest.raises(RuleViolation, match="L-7: .*check digit is X.*gives 4"):
        _register(life, sid, id_number="41010219900101123X")
    assert life.count() == before and _secret_rows(life) == []


def test_a_bad_check_digit_on_the_command_line_names_the_rule(life: LifeWorld) -> None:
    life.sitting("jianzaoshi-2")
    life.save_keys()
    before = life.count()
    result = _run(life, "candidate", "register", "jianzaoshi-2:2025", "--candidate", "cand.001", "--on", "2025-03-10",
                  "--name", "考生甲", "--id-number", "41010219900101123X", "--city", "zhengzhou",
                  "--compare", "education=passed,major=passed,work-years=passed")
    assert result.exit_code == 2, result.output
    assert "L-7: 身份证号 (id number) '41010219900101123X': its check digit is X" in result.stderr
    assert life.count() == before


def test_a_masked_number_registers_as_before(life: LifeWorld) -> None:
    sid = life.sitting("jianzaoshi-2")
    c = life.ledger.candidacy(_register(life, sid, masked_id="410102********123X"))
    assert c.masked_id == "410102********123X" and c.id_commitment == ""
    assert _secret_rows(life) == []


def _issued(life: LifeWorld, tmp_path: Path, **id_given: str) -> Any:
    """An e-certificate whose registration gave ``id_given``; its PDF, root certificate,
    credential and DID document written through the CLI."""
    sid = life.sitting("jianzaoshi-2")
    cid = _register(life, sid, **id_given)
    life.ledger.release_results("exam-center", sid, on=date(2025, 6, 14))
    life.ledger.release_score("exam-center", cid, True, {"综合": "72"}, on=date(2025, 6, 14))
    life.ledger.hand_over("hrss", cid, on=date(2025, 6, 15))
    life.publicity(sid, "dept.zhujian.henan")
    from certledger.domain.candidacy import Outcome

    life.ledger.record_verification("dept.zhujian.henan", cid, Outcome.QUALIFIED, on=date(2025, 6, 20))
    life.publicity_and_announcement(sid, "dept.zhujian.henan")
    life.ledger.issue_e_certificate("hrss", cid, NUMBER, on=date(2025, 7, 20))
    life.save_keys()
    life.cid = cid
    life.files = {k: tmp_path / v for k, v in
                  {"pdf": "cert.pdf", "root": "root.pem", "vc": "cert.json", "did": "did.json"}.items()}
    for args in (("cert", "document", NUMBER, "-o", str(life.files["pdf"]), "--on", "2025-07-21"),
                 ("cert", "root-cert", "-o", str(life.files["root"])),
                 ("cert", "export", NUMBER, "--format", "vc", "-o", str(life.files["vc"])),
                 ("did", "-o", str(life.files["did"]))):
        result = _run(life, *args)
        assert result.exit_code == 0, result.output
    return life


def _run(life: Any, *args: str):
    result = CliRunner().invoke(cli, ["--db", life.db_url, "--keys", str(life.store.directory), *args],
                                env={"CERTLEDGER_KEY_PASSPHRASE": PASSPHRASE.decode()})
    assert "Traceback" not in result.output, result.output
    return result


def _verify(life: Any, kind: str, *extra: str):
    trust = ("--root", str(life.files["root"])) if kind == "pdf" else ("--did", str(life.files["did"]))
    result = CliRunner().invoke(cli, ["cert", "verify", str(life.files[kind]), *trust, *extra])
    assert "Traceback" not in result.output, result.output
    return result


def test_the_holder_s_copies_carry_the_number_and_salt(life: LifeWorld, tmp_path: Path) -> None:
    _issued(life, tmp_path, id_number=FULL)
    [found] = provenance.find_certificate(life.ledger, NUMBER)
    document = found.opened.payload["document"]
    assert document["id_number"] == "410102********1234" and len(document["id_commitment"]) == 64
    [row] = _secret_rows(life)
    subject = json.loads(life.files["vc"].read_text())["credentialSubject"]
    assert subject["idNumber"] == FULL and subject["idNumberSalt"] == bytes(row["salt"]).hex()
    assert subject["idCommitment"] == document["id_commitment"] and subject["maskedIdNumber"] == document["id_number"]
    pdf = life.files["pdf"].read_bytes()
    from certledger.cli.document_check import _info
    from certledger.events.document import parse_id_binding

    binding = parse_id_binding(_info(pdf)["/Keywords"])
    assert (binding.number, binding.salt, binding.commitment) == (FULL, bytes(row["salt"]), document["id_commitment"])
    # with --db the rest of the credential is exactly what the ledger makes, the holder's two
    # fields checked by the sealed commitment instead
    assert _run(life, "checkpoint").exit_code == 0 and _run(life, "project").exit_code == 0
    result = _verify(life, "vc", "--db", life.db_url, "--id-number", FULL)
    assert result.exit_code == 0 and "身份证号 matches" in result.output, result.output
    # nothing but the holder secrets holds the number or its salt: not the events, not the
    # Merkle log, not the registers
    tables = _every_other_table(life)
    assert {"reg_position"} <= set(tables) or {"stored_events"} <= set(tables), sorted(tables)
    for needle in (FULL.encode(), bytes(row["salt"]), bytes(row["salt"]).hex().encode()):
        assert not [t for t, data in tables.items() if needle in data], needle
    # every later `cert document` gives the same bytes (the salt is kept, not drawn again)
    again = _run(life, "cert", "document", NUMBER, "-o", str(tmp_path / "again.pdf"))
    assert again.exit_code == 0 and (tmp_path / "again.pdf").read_bytes() == pdf, again.output


@pytest.mark.parametrize("kind", ["pdf", "vc"])
def test_verify_says_whether_the_id_number_matches(life: LifeWorld, tmp_path: Path, kind: str) -> None:
    _issued(life, tmp_path, id_number=FULL)
    right = _verify(life, kind, "--id-number", FULL)
    assert right.exit_code == 0, right.output
    assert "身份证号 matches (身份证号一致): 410102********1234" in right.output
    wrong = _verify(life, kind, "--id-number", OTHER, "--json")
    assert wrong.exit_code == 1, wrong.output
    shown = json.loads(wrong.stdout)
    assert shown["ok"] is False and shown["id_number"]["result"] == "does not match"
    assert "身份证号 does not match (身份证号不一致)" in wrong.stderr
    malformed = _verify(life, kind, "--id-number", "41010219900101123X")
    assert malformed.exit_code == 2 and "L-7:" in malformed.stderr and "check digit" in malformed.stderr


@pytest.mark.parametrize("kind", ["pdf", "vc"])
def test_a_masked_registration_s_documents_bind_nothing(life: LifeWorld, tmp_path: Path, kind: str) -> None:
    _issued(life, tmp_path, masked_id="410102********1234")
    [found] = provenance.find_certificate(life.ledger, NUMBER)
    assert "id_commitment" not in found.opened.payload["document"]
    assert "idCommitment" not in json.loads(life.files["vc"].read_text())["credentialSubject"]
    assert _verify(life, kind).exit_code == 0
    result = _verify(life, kind, "--id-number", FULL)
    assert result.exit_code == 1, result.output
    assert "the binding is not available (身份证号未绑定)" in result.output


def test_erasing_the_number_keeps_the_issued_copies_verifiable(life: LifeWorld, tmp_path: Path) -> None:
    _issued(life, tmp_path, id_number=FULL)
    erased = _run(life, "candidate", "erase-id", "jianzaoshi-2:2025:cand.001")
    assert erased.exit_code == 0 and "erased: jianzaoshi-2:2025:cand.001's full id number" in erased.stderr
    assert _secret_rows(life) == []
    assert _run(life, "candidate", "erase-id", "jianzaoshi-2:2025:cand.001").exit_code == 2  # nothing left
    assert _verify(life, "pdf", "--id-number", FULL).exit_code == 0  # the copy carries them itself
    assert _verify(life, "vc", "--id-number", FULL).exit_code == 0
    again = _run(life, "cert", "document", NUMBER, "-o", str(tmp_path / "again.pdf"))
    assert again.exit_code == 2 and "L-7:" in again.stderr and "erased" in again.stderr
    assert not (tmp_path / "again.pdf").exists()


def test_a_changed_holder_secret_is_not_rendered(life: LifeWorld, tmp_path: Path) -> None:
    sid = life.sitting("jianzaoshi-2")
    _register(life, sid, id_number=FULL)
    with life.ledger.recorder.datastore.transaction(commit=True) as cursor:
        cursor.execute(f"UPDATE {table_name(life.ledger.database.backend)} SET id_number = "
                       + ("?" if life.ledger.database.backend == "sqlite" else "%s"), [OTHER])
    from certledger.domain.candidacy import candidacy_id
    from certledger.domain.errors import TamperError
    from certledger.events.holder_secrets import secret_for

    cid = candidacy_id(sid, "cand.001")
    with pytest.raises(TamperError, match="L-7: the holder secret kept"):
        secret_for(life.ledger, cid, life.ledger.candidacy(cid).id_commitment)


def test_the_import_takes_a_full_number_and_refuses_a_bad_one(life: LifeWorld, tmp_path: Path) -> None:
    import csv

    life.sitting("jianzaoshi-2")
    life.save_keys()
    sheet = tmp_path / "报名.csv"
    with sheet.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["考生编号", "姓名", "身份证号", "报考地市"])
        writer.writerow(["cand.001", "考生甲", FULL, "zhengzhou"])
        writer.writerow(["cand.002", "考生乙", "410102********777X", "zhengzhou"])
        writer.writerow(["cand.003", "考生丙", "41010219900101123X", "zhengzhou"])
    args = ("import", "registrations", str(sheet), "--sitting", "jianzaoshi-2:2025", "--as", "exam-center",
            "--on", "2025-03-10")
    before = life.count()
    refused = _run(life, *args)
    assert refused.exit_code == 2 and "row 4 [L-7] L-7: id_number: 身份证号 (id number) '41010219900101123X'" in refused.output
    assert life.count() == before and _secret_rows(life) == []
    listed = (tmp_path / "报名.csv.refused.csv").read_text(encoding="utf-8-sig")
    assert ",id_number,L-7," in listed, listed
    args = (*args, "--accept-valid")
    first = _run(life, *args)
    assert first.exit_code == 0 and "2 recorded" in first.output, first.output  # the bad row refused, the rest recorded
    from certledger.domain.candidacy import candidacy_id
    from certledger.events.lifecycle import parse_sitting_ref

    sid = parse_sitting_ref("jianzaoshi-2:2025")
    one, two = (life.ledger.candidacy(candidacy_id(sid, c)) for c in ("cand.001", "cand.002"))
    assert one.masked_id == "410102********1234" and len(one.id_commitment) == 64 and two.id_commitment == ""
    assert [r["id_number"] for r in _secret_rows(life)] == [FULL]
    assert not any(FULL.encode() in s for s in _all_states(life))
    count = life.count()
    again = _run(life, *args)  # a re-run: the two recorded rows are recognised, nothing written twice
    assert life.count() == count and len(_secret_rows(life)) == 1, again.output
    assert "already recorded" in again.output or "2 already" in again.output, again.output


def test_a_registration_recorded_before_these_fields_still_verifies(life: LifeWorld) -> None:
    """A Registered event written before ``specialty`` and ``id_commitment`` existed carries
    neither; verify's replay reads each as its command's default ("") — the fixture verifies
    the ledger after the test — while a field that is there and differs is still named."""
    from certledger.domain.candidacy import Candidacy
    from certledger.events.replay import _difference

    sitting = life.ledger.sitting(life.sitting("jianzaoshi-2"))
    with life.ledger.acting():
        c = Candidacy.register(actor="exam-center", sitting=sitting, candidate="cand.001", name="考生甲",
                               masked_id="410102********1234", city="zhengzhou", level="", commitment=True,
                               comparison=COMPARISON_OK, evidence={}, on=date(2025, 3, 10))
    [registered] = c._pending_events
    for name in ("id_commitment", "specialty"):  # as an older certledger wrote it, then signed
        registered.__dict__.pop(name)
    life.ledger.save(c)
    import copy

    produced = copy.copy(registered)
    produced.__dict__.update(id_commitment="", specialty="")
    assert _difference([produced], registered, Candidacy.register.__func__) is None
    produced.__dict__.update(id_commitment="ab" * 32)
    assert "id_commitment is None, the act gives 'abab" in _difference([produced], registered, Candidacy.register.__func__)
