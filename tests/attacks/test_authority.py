"""Attack 1 (issue 6): authority is re-checked. A candidate holding its own registered key
tries to grant itself the authorities' keys, or to sign the authorities' acts.

Each forged row is signed correctly by the candidate's real key; only the rules (T-1, T-4,
L-1, R-n) can refuse them, and verify must name each one."""

from __future__ import annotations

from datetime import date

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from certledger.domain.candidacy import Outcome
from tests.attacks import forge
from tests.attacks.forge import Forger
from tests.attacks.support import ATTACKER, ATTACKER2, ATTACKER3, CANDIDACY, TRUST, assert_fails_at, assert_named, cst, key_of, stages, verify
from tests.lifecycle_world import D


def _trust_payload(actor: str, party: str, key: Ed25519PrivateKey, when: str, ledger: str) -> dict:
    # The attacker holds each new key, so its proof of possession (T-5) is genuine: T-1 is
    # what must refuse the grant.
    return {"actor": actor, "key_id": forge.key_id(key), "party_id": party, "possession": forge.proof(ledger, party, key),
            "public_key": forge.public_text(key), "timestamp": when, "valid_from": when}


def _self_certify(life, claimed_actor: str) -> tuple[list[int], list[int]]:
    """The candidate grants itself keys of hrss, the exam center and the department, then
    releases its own pass, hands itself over, verifies itself 合格 and issues its e-certificate."""
    sid = life.sitting("jianzaoshi-2")
    cid = life.register(sid, "cand.001", exam_code="jianzaoshi-2")
    life.ledger.release_results("exam-center", sid, on=D)
    _, mine = key_of(life, ATTACKER)
    stolen = {party: Ed25519PrivateKey.generate() for party in ("hrss", "exam-center", "dept.zhujian.henan")}
    life.tampered = True
    with Forger(life.db_url) as f:
        granted = [
            f.append(forge.TRUST_REGISTRY, f"{TRUST}.KeyAdded",
                     _trust_payload(claimed_actor, party, key, cst(D, 9, 40 + i), f.ledger_id()), mine)
            for i, (party, key) in enumerate(stolen.items())
        ]
        c = str(cid)
        used = [
            f.append(c, f"{CANDIDACY}.ScoreReleased", {"actor": "exam-center", "on": "2025-06-14", "passed": True,
                     "scores": [["综合", "99"]], "timestamp": cst(D, 10)}, stolen["exam-center"]),
            f.append(c, f"{CANDIDACY}.HandedOver", {"actor": "hrss", "on": "2025-06-15",
                     "timestamp": cst(date(2025, 6, 15)), "to": "dept.zhujian.henan"}, stolen["hrss"]),
            f.append(c, f"{CANDIDACY}.VerificationRecorded", {"actor": "dept.zhujian.henan", "condition": None,
                     "on": "2025-06-20", "result": "合格", "timestamp": cst(date(2025, 6, 20))}, stolen["dept.zhujian.henan"]),
            f.append(c, f"{CANDIDACY}.CertificateIssued", {"actor": "hrss", "kind": "e-certificate", "number": "E-FAKE-1",
                     "on": "2025-06-21", "timestamp": cst(date(2025, 6, 21))}, stolen["hrss"]),
        ]
    return granted, used


@pytest.mark.parametrize("claimed_actor", [ATTACKER, "hrss"], ids=["as-itself", "claiming-hrss"])
def test_candidate_adds_authority_keys_to_the_trust_registry_and_certifies_itself(life, claimed_actor: str) -> None:
    granted, used = _self_certify(life, claimed_actor)
    why = "T-1" if claimed_actor == ATTACKER else ("T-4", f"belongs to '{ATTACKER}', not to the acting party 'hrss'")
    found = assert_fails_at(life.db_url, granted[0], why)
    for nid in granted:
        assert_named(found, nid, why)
    for nid in used:
        assert_named(found, nid, "T-4", "is not registered")
    assert {f.notification_id for f in found} == {*granted, *used}


def test_candidate_signs_a_score_a_result_and_an_e_certificate_as_itself(life) -> None:
    _, ids = stages(life, registered=("cand.001",), handed=("cand.002",), qualified=("cand.003",))
    registered, handed, cid3 = ids["cand.001"], ids["cand.002"], ids["cand.003"]
    life.tampered = True
    with Forger(life.db_url) as f:
        when = cst(date(2025, 6, 21))
        score = f.append(str(registered), f"{CANDIDACY}.ScoreReleased", {"actor": ATTACKER, "on": "2025-06-21",
                         "passed": True, "scores": [["综合", "99"]], "timestamp": when}, key_of(life, ATTACKER)[1])
        result = f.append(str(handed), f"{CANDIDACY}.VerificationRecorded", {"actor": ATTACKER2, "condition": None,
                          "on": "2025-06-21", "result": "合格", "timestamp": when}, key_of(life, ATTACKER2)[1])
        certificate = f.append(str(cid3), f"{CANDIDACY}.CertificateIssued", {"actor": ATTACKER3, "kind": "e-certificate",
                               "number": "E-SELF-3", "on": "2025-06-21", "timestamp": when}, key_of(life, ATTACKER3)[1])
    found = assert_fails_at(life.db_url, score, "L-1", f"not '{ATTACKER}'")
    assert_named(found, result, "R-1", f"not '{ATTACKER2}'")
    assert_named(found, certificate, "R-13", f"not '{ATTACKER3}'")
    assert {f.notification_id for f in found} == {score, result, certificate}


def test_candidate_key_signs_acts_naming_the_exam_center_department_and_hrss(life) -> None:
    _, ids = stages(life, registered=("cand.001",), handed=("cand.002",))
    registered, handed = ids["cand.001"], ids["cand.002"]
    _, mine = key_of(life, ATTACKER)
    life.tampered = True
    with Forger(life.db_url) as f:
        when = cst(date(2025, 6, 21))
        score = f.append(str(registered), f"{CANDIDACY}.ScoreReleased", {"actor": "exam-center", "on": "2025-06-21",
                         "passed": True, "scores": [["综合", "99"]], "timestamp": when}, mine)
        result = f.append(str(handed), f"{CANDIDACY}.VerificationRecorded", {"actor": "dept.zhujian.henan",
                          "condition": None, "on": "2025-06-21", "result": "合格", "timestamp": when}, mine)
        certificate = f.append(str(handed), f"{CANDIDACY}.CertificateIssued", {"actor": "hrss", "kind": "e-certificate",
                               "number": "E-2", "on": "2025-06-21", "timestamp": cst(date(2025, 6, 21), 10)}, mine)
    found = assert_fails_at(life.db_url, score, "T-4", f"belongs to '{ATTACKER}', not to the acting party 'exam-center'")
    assert_named(found, result, "T-4", "not to the acting party 'dept.zhujian.henan'")
    assert_named(found, certificate, "T-4", "not to the acting party 'hrss'")


def test_candidate_revokes_the_departments_key_and_nothing_changes(life) -> None:
    sid = life.sitting("jianzaoshi-2")
    (cid,) = life.passed_and_handed_over(sid, ["cand.001"], exam_code="jianzaoshi-2")
    life.publicity(sid)  # the provincial exam's announcement sets its results deadline
    dept_id, dept = key_of(life, "dept.zhujian.henan")
    _, mine = key_of(life, ATTACKER)
    life.tampered = True
    with Forger(life.db_url) as f:
        for actor in (ATTACKER, "hrss"):
            f.append(forge.TRUST_REGISTRY, f"{TRUST}.KeyRevoked", {
                "actor": actor, "effective_at": cst(date(2025, 6, 15), 10), "key_id": dept_id,
                "reason": "compromised", "timestamp": cst(date(2025, 6, 15), 10)}, mine)
        revocations = [r.nid for r in f.stream_rows(forge.TRUST_REGISTRY)][-2:]
        # The department then records its result with the key the forgery tried to revoke.
        honest = f.append(str(cid), f"{CANDIDACY}.VerificationRecorded", {"actor": "dept.zhujian.henan",
                          "condition": None, "on": "2025-06-20", "result": "合格", "timestamp": cst(date(2025, 6, 20))}, dept)
    found, report = verify(life.db_url)
    assert_named(found, revocations[0], "T-1")
    assert_named(found, revocations[1], "T-4", f"belongs to '{ATTACKER}'")
    assert honest not in {f.notification_id for f in found}, "a refused revocation took effect"
    assert report.revoked_keys == 0


def test_parallel_verify_names_the_same_forgeries(life) -> None:
    """--jobs: signatures checked in worker processes give the very same findings."""
    granted, used = _self_certify(life, "hrss")
    serial, _ = verify(life.db_url)
    parallel, report = verify(life.db_url, jobs=2)
    assert parallel == serial and {f.notification_id for f in parallel} == {*granted, *used}
    assert report.findings == len(granted) + len(used)


def test_municipal_department_oversteps_its_city_and_level(life) -> None:
    """The low-privilege key of a municipal department (郑州市住建局) signs as itself: a
    result for a Luoyang candidate (R-1: only the province or Luoyang) and the sitting's
    verification results announcement (R-7: the provincial unit's)."""
    sid = life.sitting("jianzaoshi-1")
    luoyang = life.register(sid, "cand.001", city="luoyang")
    zhengzhou = life.register(sid, "cand.002")
    life.ledger.release_results("exam-center", sid, on=D)
    for cid in (luoyang, zhengzhou):
        life.ledger.release_score("exam-center", cid, True, {"综合": "72"}, on=D)
        life.ledger.hand_over("hrss", cid, on=date(2025, 6, 15))
    municipal = "dept.zhujian.zhengzhou"
    _, key = key_of(life, municipal)
    life.ledger.record_verification(municipal, zhengzhou, Outcome.QUALIFIED, on=date(2025, 6, 20))  # its own: fine
    life.tampered = True
    with Forger(life.db_url) as f:
        result = f.append(str(luoyang), f"{CANDIDACY}.VerificationRecorded", {"actor": municipal, "condition": None,
                          "on": "2025-06-20", "result": "合格", "timestamp": cst(date(2025, 6, 20), 10)}, key)
        announced = f.append(str(sid), "certledger.domain.sitting:ExamSitting.VerificationResultsAnnounced",
                             {"actor": municipal, "on": "2025-06-20", "timestamp": cst(date(2025, 6, 20), 11)}, key)
    found = assert_fails_at(life.db_url, result, "R-1", "not 'dept.zhujian.zhengzhou'")
    assert_named(found, announced, "R-7", "not 'dept.zhujian.zhengzhou'")
    assert {x.notification_id for x in found} == {result, announced}


def test_a_non_platform_party_signs_a_candidates_registration_and_appeal(life) -> None:
    """Forged rows: the postal company's own key signs a registration (R-2: the exam center's
    网上报名系统 only) and a municipal unit of another city a 申辩 (R-7: a unit that may decide
    it). ``verify`` replays the acts under their rules and names both."""
    _, ids = stages(life, registered=("cand.001",), handed=("cand.002",))
    _, postal = key_of(life, ATTACKER)
    _, luoyang = key_of(life, "dept.zhujian.luoyang")
    life.tampered = True
    with Forger(life.db_url) as f:
        # cand.001's registration, re-signed by the postal company naming itself the actor.
        registered = f.resign(str(ids["cand.001"]), 1, postal, payload={"actor": ATTACKER}).nid
        appeal = f.append(str(ids["cand.002"]), f"{CANDIDACY}.AppealLodged", {
            "actor": "dept.zhujian.luoyang", "grounds": "x", "on": "2025-07-05",
            "timestamp": cst(date(2025, 7, 5))}, luoyang)
    found = assert_fails_at(life.db_url, registered, "R-2", f"not '{ATTACKER}'")
    assert_named(found, appeal, "R-7")
