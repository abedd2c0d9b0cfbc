"""Attack 6 (issue 6): non-canonical messages. The rightful department key (from the test
key store: "a rightful signer produced ambiguous bytes") signs a verification result whose
bytes are not their canonical form. Two readers could parse such bytes differently
(duplicate keys: first-wins reads 不合格, last-wins 合格), so verify must refuse every one."""

from __future__ import annotations

import json
from datetime import date

import pytest

from tests.attacks.forge import Forger, canonical, message, seal
from tests.attacks.support import CANDIDACY, assert_fails_at, cst, key_of, stages

DEPT = "dept.zhujian.henan"
TOPIC = f"{CANDIDACY}.VerificationRecorded"


def _fields(f: Forger, cid: str, result: str = "合格") -> dict:
    version, prev = f.head(cid)
    return {
        "format": 2, "ledger": f.ledger_id(), "stream": cid, "version": version + 1, "topic": TOPIC,
        "signer": "", "prev": prev,
        "payload": {"actor": DEPT, "condition": None, "on": "2025-06-20", "result": result,
                    "timestamp": cst(date(2025, 6, 20))},
    }


def _spaced(fields: dict) -> bytes:
    return json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(", ", ": ")).encode()


def _duplicate_result(first: str, last: str):
    def build(fields: dict) -> bytes:
        fields["payload"]["result"] = "@@"
        text = canonical(fields).decode()
        return text.replace('"result":"@@"', f'"result":"{first}","result":"{last}"').encode()
    return build


def _unsorted(fields: dict) -> bytes:
    payload = fields.pop("payload")
    reordered = {"payload": dict(reversed(list(payload.items()))), **fields}
    return json.dumps(reordered, ensure_ascii=False, separators=(",", ":")).encode()


def _escaped_unicode(fields: dict) -> bytes:
    return json.dumps(fields, sort_keys=True, ensure_ascii=True, separators=(",", ":")).encode()


def _escaped_ascii(fields: dict) -> bytes:
    return canonical(fields).replace(b'"actor":"dept.', b'"actor":"\\u0064ept.')


def _float_version(fields: dict) -> bytes:
    v = fields["version"]
    return canonical(fields).replace(f'"version":{v}'.encode(), f'"version":{v}.0'.encode())


def _exponent_version(fields: dict) -> bytes:
    v = fields["version"]
    return canonical(fields).replace(f'"version":{v}'.encode(), f'"version":{v}e0'.encode())


VARIANTS = {
    "whitespace": _spaced,
    "trailing-newline": lambda fields: canonical(fields) + b"\n",
    "utf8-bom": lambda fields: b"\xef\xbb\xbf" + canonical(fields),
    "duplicate-result-last-wins-qualified": _duplicate_result("不合格", "合格"),
    "duplicate-result-last-wins-unqualified": _duplicate_result("合格", "不合格"),
    "unsorted-keys": _unsorted,
    "escaped-non-ascii": _escaped_unicode,
    "escaped-ascii": _escaped_ascii,
    "float-version": _float_version,
    "exponent-version": _exponent_version,
}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_rightful_key_signs_non_canonical_bytes(life, variant: str) -> None:
    _, ids = stages(life, handed=("cand.001",))
    cid = str(ids["cand.001"])
    dept_id, dept = key_of(life, DEPT)
    life.tampered = True
    with Forger(life.db_url) as f:
        fields = _fields(f, cid)
        fields["signer"] = dept_id
        # The same fields, canonically: the forger's control (this one would verify).
        honest = message(**{k: v for k, v in fields.items() if k != "format"})
        signed = VARIANTS[variant](json.loads(json.dumps(fields)))
        assert signed != honest
        nid = f.insert(f.stored_stream(cid), fields["version"], TOPIC, seal(dept, signed))
    if variant.startswith("duplicate-result"):
        first_wins = json.loads(signed, object_pairs_hook=lambda pairs: dict(reversed(pairs)))
        last_wins = json.loads(signed)
        assert first_wins["payload"]["result"] != last_wins["payload"]["result"]  # the ambiguity
    # A BOM is refused one step earlier, as not JSON at all: refused either way.
    expected = {"utf8-bom": ("canonical", "not valid JSON"), "float-version": ("canonical", "version 4.0 is not a positive integer")}
    assert_fails_at(life.db_url, nid, expected.get(variant, "canonical"))
