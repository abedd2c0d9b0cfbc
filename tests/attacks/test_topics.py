"""A row's topic (and a creation event's ``originator_topic``) names a Python module and
class; resolving it imports that module. Whoever writes rows chooses it, with no key at
all: verify must not import modules named by rows it has not yet found authentic (an
import runs that module's code in the auditor's process)."""

from __future__ import annotations

import sys
from datetime import date

import pytest

from tests.attacks.forge import Forger, canonical
from tests.attacks.support import CANDIDACY, assert_fails_at, cst, stages

CANARY = "tests.attacks._canary"


def _forget_canary() -> None:
    from eventsourcing import utils

    sys.modules.pop(CANARY, None)
    for topic in [t for t in utils._topic_cache if t.startswith(CANARY)]:
        utils._topic_cache.pop(topic, None)  # the library caches what it resolved


@pytest.fixture
def no_canary():
    _forget_canary()
    yield
    _forget_canary()


def _forged(f: Forger, stream: str, version: int, topic: str, payload: dict) -> bytes:
    """An envelope under no key at all: 64 zero bytes where the signature goes."""
    return b"\x00" * 64 + canonical({
        "format": 2, "ledger": f.ledger_id(), "stream": stream, "version": version, "topic": topic,
        "signer": "ed25519:" + "0" * 32, "prev": f.head(stream)[1] if version > 1 else "0" * 64, "payload": payload,
    })


def test_unsigned_row_naming_a_module_as_its_topic_is_not_imported(life, no_canary) -> None:
    _, ids = stages(life, registered=("cand.001",))
    cid = str(ids["cand.001"])
    life.tampered = True
    topic = f"{CANARY}:Anything"
    with Forger(life.db_url) as f:
        version = f.head(cid)[0] + 1
        nid = f.insert(f.stored_stream(cid), version, topic, _forged(f, cid, version, topic, {
            "actor": "exam-center", "timestamp": cst(date(2025, 6, 21))}))
    assert CANARY not in sys.modules
    assert_fails_at(life.db_url, nid)
    assert CANARY not in sys.modules, "verify imported the module a forged row named"


def test_unsigned_registration_naming_a_module_as_its_aggregate_is_not_imported(life, no_canary) -> None:
    sid, _ = stages(life, registered=("cand.001",))
    stream = "0b5e3c4a-6c1f-4c2e-9a51-000000000001"
    life.tampered = True
    with Forger(life.db_url) as f:
        nid = f.insert(f.stored_stream(stream), 1, f"{CANDIDACY}.Registered", _forged(f, stream, 1, f"{CANDIDACY}.Registered", {
            "actor": "cand.002", "candidate": "cand.002", "city": "zhengzhou", "commitment": True,
            "comparison": {"education": "passed", "major": "passed", "work-years": "passed"}, "evidence": {},
            "exam_code": "jianzaoshi-2", "level": "二级", "masked_id": "x", "name": "x", "on": "2025-03-10",
            "originator_topic": f"{CANARY}:Anything", "sitting_id": str(sid), "timestamp": cst(date(2025, 6, 21))}))
    assert CANARY not in sys.modules
    assert_fails_at(life.db_url, nid)
    assert CANARY not in sys.modules, "verify imported the module a forged row named"
