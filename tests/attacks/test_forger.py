"""The forger is right about the spec: on an honest ledger it recomputes every stored
message, digest, ledger id and key id byte for byte, and an event it forges with the
rightful key and content verifies. So when an attack below fails verify, it fails for the
attack, not because the forger writes something the ledger would never contain."""

from __future__ import annotations

import base64
from datetime import date

from certledger.events.ledger import Ledger
from certledger.events.storage import parse_database_url
from tests.attacks import forge
from tests.attacks.forge import Forger, canonical, digest, open_state
from tests.attacks.support import ATTACKER, ATTACKER2, ATTACKER3, CANDIDACY, assert_ok, cst, key_of, verify


def test_forger_recomputes_every_honest_message_digest_and_id(life) -> None:
    sid = life.sitting("jianzaoshi-2")
    life.qualified(sid, ["cand.001", "cand.002"], exam_code="jianzaoshi-2")
    with Forger(life.db_url) as f:
        rows = f.rows()
        assert len(rows) > 40
        heads: dict[str, str] = {}
        for row in rows:
            env = open_state(row.state)
            # Canonical JSON by RFC 8785's reference implementation equals the stored bytes.
            assert canonical(env.fields) == env.message, row.nid
            assert f.stored_stream(env["stream"]) == row.stream
            assert env["prev"] == heads.get(env["stream"], forge.ZEROS), row.nid
            heads[env["stream"]] = digest(row.state)
        ledger_id = f.ledger_id()
        registered = {
            open_state(r.state).payload["key_id"]: open_state(r.state).payload["public_key"]
            for r in f.stream_rows(forge.TRUST_REGISTRY)
            if r.topic.endswith("KeyAdded")
        }
    ledger = Ledger(parse_database_url(life.db_url), verify_on_read=False)
    try:
        assert ledger.ledger_id == ledger_id
    finally:
        ledger.close()
    for kid, text in registered.items():
        assert forge.key_id(base64.b64decode(text)) == kid
    assert key_of(life, ATTACKER)[0] == forge.key_id(key_of(life, ATTACKER)[1])


def test_a_rightful_event_forged_by_hand_verifies(life) -> None:
    """Control: the department's own key, the right act, the right date: OK."""
    sid = life.sitting("jianzaoshi-2")
    (cid,) = life.passed_and_handed_over(sid, ["cand.001"], exam_code="jianzaoshi-2")
    life.publicity(sid)  # the provincial exam's announcement sets its results deadline
    _, dept = key_of(life, "dept.zhujian.henan")
    life.tampered = True
    with Forger(life.db_url) as f:
        f.append(str(cid), f"{CANDIDACY}.VerificationRecorded", {
            "actor": "dept.zhujian.henan", "condition": None, "on": "2025-06-20", "result": "合格",
            "timestamp": cst(date(2025, 6, 20)),
        }, dept)
    assert_ok(life.db_url)
    assert life.ledger.candidacy(cid).first_result.value == "合格"
    found, _ = verify(life.db_url)
    assert found == []
