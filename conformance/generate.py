"""Write the conformance corpus's credential cases (conformance/README.md says the format).

    .venv/bin/python conformance/generate.py [--check]

Deterministic: the keys come from fixed seeds and Ed25519 is deterministic, so the files are
the same bytes every run; ``--check`` (run by the tests) fails if the committed corpus is not
what this script writes. The bundle cases are not made here: a bundle needs a ledger whose
keys are random (``tests/test_conformance.py`` makes them fresh each run and checks the same
verdicts with the same runner).
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from certledger.domain.certificate import SCOPES
from certledger.domain.id_number import id_commitment, masked
from certledger.events import credential as vc
from certledger.events import status_list
from certledger.signing import keys

HERE = Path(__file__).resolve().parent
CST = timezone(timedelta(hours=8))
HOST = vc.DEFAULT_DID_HOST
HOLDER_ID, OTHER_ID = "410102199001011234", "410102199001012018"  # valid GB 11643 numbers


def _key(label: str) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(hashlib.sha256(f"certledger-conformance:{label}".encode()).digest())


def _entry(key: Ed25519PrivateKey, valid_from: datetime, revoked_at: datetime | None = None) -> SimpleNamespace:
    import base64

    raw = keys.raw_public_key(key)
    return SimpleNamespace(key_id=keys.key_id_of(raw), public_key=base64.b64encode(raw).decode(),
                           valid_from=valid_from, revoked_at=revoked_at)


def _document(kind: str, number: str, holder: str) -> dict[str, Any]:
    e_certificate = kind == "e-certificate"
    return {
        "kind": kind, "number": number, "holder": holder, "id_number": "410105********1234",
        "title": "河南省专业技术人员职业资格证书（电子证书）" if e_certificate else "全国专业技术人员职业资格考试合格证明（河南）",
        "exam_code": "jianzaoshi-2" if e_certificate else "jianzaoshi-1",
        "exam": "建造师（二级）" if e_certificate else "建造师（一级）",
        "level": "二级" if e_certificate else "一级", "year": 2025,
        "issued_on": "2025-07-20" if e_certificate else "2025-08-20",
        "scope": SCOPES[kind],
    }


def _signed(document: dict[str, Any], key: Ed25519PrivateKey, at: datetime, index: int, host: str = HOST) -> dict[str, Any]:
    unsigned = vc.credential_for(document, issued_at=at, status_index=index, host=host)
    return vc.signed_credential(unsigned, sign=key.sign, key_id=keys.key_id_of(keys.raw_public_key(key)), host=host)


def _list(void: set[int], count: int, size: int, at: datetime, key: Ed25519PrivateKey) -> dict[str, Any]:
    snapshot = status_list.StatusSnapshot(0, count, frozenset(void))
    return status_list.signed_list(snapshot, host=HOST, origin="c0" * 32, size=size, root=hashlib.sha256(b"%d" % size).digest(),
                                   recorded_at=at, sign=key.sign, key_id=keys.key_id_of(keys.raw_public_key(key)))


def corpus() -> dict[str, bytes]:
    """Every file of the credential corpus, path → bytes."""
    sealing = _key("hrss-sealing")
    retired = _key("hrss-retired")  # revoked 2025-06-01 (a key found on a shared drive)
    stranger = _key("another-issuer")
    began = datetime(2024, 1, 1, 9, 0, tzinfo=CST)
    revoked = datetime(2025, 6, 1, 9, 0, tzinfo=CST)
    did = vc.did_document(HOST, [_entry(sealing, began), _entry(retired, began, revoked)])
    july, august = datetime(2025, 7, 20, 9, 0, tzinfo=CST), datetime(2025, 8, 20, 9, 0, tzinfo=CST)
    ecert = _signed(_document("e-certificate", "HN2025JZ2000001", "张伟"), sealing, july, 0)
    proof = _signed(_document("pass-proof", "豫考证〔2025〕00001", "李娜"), sealing, august, 1)
    void = _signed(_document("pass-proof", "豫考证〔2025〕00002", "王芳"), sealing, august, 2)
    current = _list({2}, 3, 120, datetime(2025, 9, 30, 9, 0, tzinfo=CST), sealing)
    stale = _list(set(), 3, 100, datetime(2025, 8, 31, 9, 0, tzinfo=CST), sealing)
    edited = copy.deepcopy(ecert)
    edited["credentialSubject"]["name"] = "张伟伟"
    suite = copy.deepcopy(ecert)
    suite["proof"]["cryptosuite"] = "eddsa-2099"
    far = _signed(_document("e-certificate", "HN2025JZ2999999", "赵磊"), sealing, july, 200_000)
    # L-7: a registration that gave the full id number; the holder's copy carries it and the
    # salt (fixed here, random in a ledger), so --id-number can be checked against the seal
    salt = hashlib.sha256(b"certledger-conformance:id-salt").digest()[:16]
    holder = SimpleNamespace(id_number=HOLDER_ID, salt=salt)
    bound_document = {**_document("e-certificate", "HN2025JZ2000004", "孙悦"), "id_number": masked(HOLDER_ID),
                      "id_commitment": id_commitment(salt, HOLDER_ID)}
    bound = vc.signed_credential(
        vc.credential_for(bound_document, issued_at=july, status_index=0, host=HOST, holder=holder),
        sign=sealing.sign, key_id=keys.key_id_of(keys.raw_public_key(sealing)), host=HOST)

    cases: dict[str, tuple[dict[str, Any], Any, str | None]] = {
        # name: (expected, credential (dict, or text when malformed), status list file or None)
        "valid-e-certificate": ({"verdict": "valid", "reason": None}, ecert, "status-revocation.json"),
        "valid-pass-proof": ({"verdict": "valid", "reason": None}, proof, "status-revocation.json"),
        "void": ({"verdict": "void", "reason": "revoked"}, void, "status-revocation.json"),
        "void-offline": ({"verdict": "valid", "reason": None, "status": "not checked"}, void, None),
        "stale-status-list": ({"verdict": "valid", "reason": None, "status": "as of an older checkpoint"}, void,
                              "status-stale.json"),
        "key-revoked-before-issue": ({"verdict": "invalid", "reason": "key-revoked"},
                                     _signed(_document("e-certificate", "HN2025JZ2000002", "刘洋"), retired, july, 0), None),
        "key-revoked-after-issue": ({"verdict": "valid", "reason": None},
                                    _signed(_document("e-certificate", "HN2025JZ2000003", "陈静"), retired,
                                            datetime(2025, 5, 20, 9, 0, tzinfo=CST), 0), None),
        "edited-field": ({"verdict": "invalid", "reason": "bad-proof"}, edited, None),
        "wrong-issuer": ({"verdict": "invalid", "reason": "wrong-issuer"},
                         _signed(_document("e-certificate", "HN2025JZ2000001", "张伟"), stranger, july, 0,
                                 host="issuer.other.example"), None),
        "unknown-cryptosuite": ({"verdict": "invalid", "reason": "unknown-cryptosuite"}, suite, None),
        "index-out-of-range": ({"verdict": "unverifiable", "reason": "index-out-of-range", "exceptions": {"digitalbazaar": {
            "verdict": "invalid", "why": "it answers verified: false for every failure, a status it cannot read too"}}},
            far, "status-revocation.json"),
        "valid-id-binding": ({"verdict": "valid", "reason": None, "id_number": {"holder": HOLDER_ID, "other": OTHER_ID}},
                             bound, None),
        "malformed-json": ({"verdict": "invalid", "reason": "malformed"}, '{"@context": ["https://www.w3.org/ns/credentials/v2"], ', None),
    }
    files = {
        "credentials/did.json": _dumps(did),
        "credentials/status-revocation.json": _dumps(current),
        "credentials/status-stale.json": _dumps(stale),
    }
    for name, (expected, credential, listed) in cases.items():
        inputs = {"credential": "credential.json", "did": "../did.json"}
        if listed:
            inputs["status_list"] = f"../{listed}"
        checkers = ["cli", "page", "digitalbazaar"]
        if name == "key-revoked-after-issue":
            # A standard VC verifier takes a key out of assertionMethod as refusing every proof by
            # it; only a checker that reads the DID document's 'revoked' time against the proof's
            # time can accept what the key sealed before (README, "The W3C credential").
            expected = {**expected, "exceptions": {"digitalbazaar": {
                "verdict": "invalid", "why": "the revoked key is not in assertionMethod, so any proof by it is refused"}}}
        files[f"credentials/{name}/credential.json"] = credential.encode() if isinstance(credential, str) else _dumps(credential)
        files[f"credentials/{name}/expected.json"] = _dumps({
            "kind": "credential", **expected, "inputs": inputs, "checkers": checkers,
        })
    return files


def _dumps(value: Any) -> bytes:
    return (json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="fail if the committed corpus differs")
    args = parser.parse_args()
    files = corpus()
    if args.check:
        differ = [p for p, data in files.items() if not (HERE / p).is_file() or (HERE / p).read_bytes() != data]
        if differ:
            print("the committed corpus is not what generate.py writes: " + ", ".join(differ), file=sys.stderr)
            return 1
        return 0
    for path, data in files.items():
        (HERE / path).parent.mkdir(parents=True, exist_ok=True)
        (HERE / path).write_bytes(data)
    print(f"wrote {len(files)} files under {HERE / 'credentials'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
