"""The certificate's W3C credential end to end: the demo's ledger, ``certledger did``, ``cert
export --format vc``, ``cert verify CREDENTIAL``, a signed status list, and Digital Bazaar's
verifier (tools/vc-verifier, node) as the independent check."""

from __future__ import annotations

import contextlib
import copy
import json
import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from certledger.cli.main import cli
from certledger.events import credential as vc
from certledger.events import credential_check as check
from certledger.signing.keystore import KeyStore
from tests import conftest

VERIFIER = Path(__file__).parent.parent / "tools" / "vc-verifier"
PASS = "certledger-demo"
VOID = "豫考证〔2025〕00010"  # the demo's ineligible registration: its pass proof is void
VALID = "HN2025JZ2000001"


class World:
    def __init__(self, where: Path, db: str) -> None:
        self.where = where
        self.db = db
        self.keys = where / "certledger-demo" / "keys"
        self.env = {"CERTLEDGER_KEY_PASSPHRASE": PASS}

    def run(self, *args: str, code: int = 0):
        result = CliRunner().invoke(cli, ["--db", str(self.db), "--keys", str(self.keys), *args], env=self.env)
        assert result.exit_code == code, (result.exit_code, result.output, result.exception)
        assert "Traceback" not in result.output
        return result

    def path(self, name: str) -> Path:
        return self.where / name

    def load(self, name: str) -> dict:
        return json.loads(self.path(name).read_text(encoding="utf-8"))

    def save(self, name: str, data: dict) -> Path:
        self.path(name).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        return self.path(name)

    def hrss_key(self, method: str) -> Ed25519PrivateKey:
        key_id = method.split("#", 1)[1].replace("-", ":", 1)
        key = KeyStore(self.keys, lambda: PASS.encode()).private_key("hrss", key_id)
        assert key is not None
        return key

    def status_list(self, revoked: list[int], name: str = "list.json", bits: int = vc.MIN_LIST_BITS) -> Path:
        """A list with known bits, signed by HRSS's sealing key (the status helper's lists,
        computed from the ledger, replace it)."""
        raw = bytearray(bits // 8)
        for i in revoked:
            raw[i // 8] |= 0x80 >> (i % 8)
        method = self.load("valid.json")["proof"]["verificationMethod"]
        key = self.hrss_key(method)
        listed = vc.status_list_credential(
            bytes(raw), host=vc.DEFAULT_DID_HOST, valid_from=datetime(2026, 1, 1, tzinfo=timezone.utc),
            sign=key.sign, verification_method=method,
        )
        return self.save(name, listed)


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """The demo's ledger (on SQLite, or on a fresh PostgreSQL database dropped after), its DID
    document and two exported credentials: a valid e-certificate and a void pass proof."""
    where = tmp_path_factory.mktemp("vc")
    with contextlib.ExitStack() as stack:
        extra = []
        if request.param == "postgres":
            if conftest._pg_problem:
                pytest.skip(conftest._pg_problem)
            name = f"certledger_test_{uuid.uuid4().hex[:16]}"
            with conftest._pg_admin_connect() as conn:
                conn.execute(f'CREATE DATABASE "{name}"')

            def drop() -> None:
                with conftest._pg_admin_connect() as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

            stack.callback(drop)
            extra = ["--db", f"{conftest.PG_ADMIN.rsplit('/', 1)[0]}/{name}"]
        old = Path.cwd()
        os.chdir(where)
        try:
            result = CliRunner().invoke(cli, [*extra, "demo", "--candidates", "40"], env={"CERTLEDGER_KEY_PASSPHRASE": ""})
        finally:
            os.chdir(old)
        assert result.exit_code == 0, result.output
        w = World(where, extra[1] if extra else str(where / "certledger-demo" / "ledger.db"))
        w.run("did", "-o", str(w.path("did.json")))
        w.run("cert", "export", VALID, "--format", "vc", "-o", str(w.path("valid.json")))
        w.run("cert", "export", VOID, "--format", "vc", "-o", str(w.path("void.json")))
        yield w


def _index(credential: dict) -> int:
    return int(credential["credentialStatus"]["statusListIndex"])


def test_the_export_is_a_vc_2_0_credential_by_the_did_and_the_same_every_time(world: World) -> None:
    c = world.load("valid.json")
    assert c["@context"] == ["https://www.w3.org/ns/credentials/v2"]
    assert c["issuer"]["id"] == "did:web:hrss.henan.example" == world.load("did.json")["id"]
    assert c["credentialSubject"]["certificateNumber"] == VALID and c["proof"]["cryptosuite"] == "eddsa-jcs-2022"
    # The demo registers through `certledger import` with a 报考专业 column: the sealed document,
    # and so the credential, name the specialty (issue 23 item 10) and the channel (item 13).
    assert c["credentialSubject"]["specialty"] in ("建筑工程", "公路工程", "水利水电工程", "市政公用工程", "矿业工程", "机电工程")
    assert c["credentialSubject"]["publicationChannel"] == "河南省政务服务网"
    assert c["credentialStatus"]["statusListCredential"] == "https://hrss.henan.example/credentials/status/revocation"
    before = world.path("valid.json").read_bytes()
    world.run("cert", "export", VALID, "--format", "vc", "-o", str(world.path("again.json")))
    assert world.path("again.json").read_bytes() == before
    # the statusListIndex is the CertificateIssued ordinal: distinct for distinct certificates
    assert _index(c) != _index(world.load("void.json"))


def test_the_bundle_export_is_unchanged_by_the_format_option(world: World) -> None:
    world.run("cert", "export", VALID, "-o", str(world.path("bundle.json")))
    assert world.load("bundle.json")["format"] and "@context" not in world.load("bundle.json")


def test_cert_verify_tells_a_credential_and_checks_it(world: World) -> None:
    out = world.run("cert", "verify", str(world.path("valid.json")), "--did", str(world.path("did.json")), "--json")
    report = json.loads(out.stdout)
    assert report["ok"] and report["kind"] == "credential" and report["status"] == "not checked"
    assert any("status" in line for line in report["not_checked"])


def test_the_status_list_reports_the_voided_certificate_revoked(world: World) -> None:
    void, valid = world.load("void.json"), world.load("valid.json")
    world.status_list([_index(void)])
    args = ["--did", str(world.path("did.json")), "--status-list", str(world.path("list.json"))]
    ok = world.run("cert", "verify", str(world.path("valid.json")), *args, "--json")
    assert json.loads(ok.stdout)["status"] == "valid"
    bad = world.run("cert", "verify", str(world.path("void.json")), *args, code=1)
    assert "revoked" in bad.stderr
    assert valid["credentialStatus"]["statusListIndex"] != void["credentialStatus"]["statusListIndex"]


def _refused(world: World, credential: dict, reason: str, *extra: str, code: int = 1) -> None:
    path = world.save("edited.json", credential)
    result = world.run("cert", "verify", str(path), "--did", str(world.path("did.json")), *extra, "--json", code=code)
    assert json.loads(result.stdout)["reason"] == reason, result.output


def test_an_edited_credential_is_refused(world: World) -> None:
    c = world.load("valid.json")
    c["credentialSubject"]["level"] = "一级"
    _refused(world, c, "bad-proof")


def test_an_unknown_cryptosuite_is_refused(world: World) -> None:
    c = world.load("valid.json")
    c["proof"]["cryptosuite"] = "eddsa-2099"
    _refused(world, c, "unknown-cryptosuite")


def test_a_status_index_out_of_range_is_refused(world: World) -> None:
    c = world.load("valid.json")
    world.status_list([], name="short.json", bits=8)
    c["credentialStatus"]["statusListIndex"] = "200000"
    c = vc.signed_credential({k: v for k, v in c.items() if k != "proof"}, sign=world.hrss_key(c["proof"]["verificationMethod"]).sign,
                             key_id=c["proof"]["verificationMethod"].split("#")[1].replace("-", ":", 1), host=vc.DEFAULT_DID_HOST)
    _refused(world, c, "index-out-of-range", "--status-list", str(world.path("short.json")))


def test_a_did_document_of_another_issuer_is_refused(world: World) -> None:
    other = world.load("did.json")
    other_text = json.dumps(other).replace("hrss.henan.example", "evil.example")
    world.path("other-did.json").write_text(other_text)
    result = world.run("cert", "verify", str(world.path("valid.json")), "--did", str(world.path("other-did.json")), code=1)
    assert "wrong-issuer" in result.stderr


def test_a_key_revoked_before_validfrom_is_refused() -> None:
    key = Ed25519PrivateKey.generate()

    class Entry:
        key_id = "ed25519:" + "ab" * 16
        public_key = __import__("base64").b64encode(key.public_key().public_bytes_raw()).decode()
        valid_from = datetime(2025, 1, 1, tzinfo=timezone.utc)
        revoked_at = datetime(2025, 6, 1, tzinfo=timezone.utc)

    doc = vc.did_document("hrss.henan.example", [Entry()])
    assert doc["assertionMethod"] == [] and doc["verificationMethod"][0]["revoked"] == "2025-06-01T00:00:00Z"
    unsigned = vc.credential_for(
        {"kind": "e-certificate", "holder": "张三", "id_number": "41****", "number": "N1", "title": "T", "exam_code": "x",
         "exam": "X", "level": "二级", "year": 2025, "issued_on": "2025-08-20"},
        issued_at=datetime(2025, 8, 20, tzinfo=timezone.utc), status_index=0, host="hrss.henan.example",
    )
    signed = vc.signed_credential(unsigned, sign=key.sign, key_id=Entry.key_id, host="hrss.henan.example")
    with pytest.raises(check.ProofError, match="^key-revoked"):
        check.verify_credential(signed, doc)
    earlier = vc.signed_credential({**unsigned, "validFrom": "2025-03-01T00:00:00Z"}, sign=key.sign,
                                   key_id=Entry.key_id, host="hrss.henan.example")
    assert check.verify_credential(earlier, doc).issuer == "did:web:hrss.henan.example"  # sealed before it


@pytest.mark.parametrize("data", [b"", b"{", b"\xff\xfe", b"[]", b'{"@context": 5}', b"[" * 100000, b'{"@context":["x"]}'])
def test_hostile_credentials_get_a_reason(world: World, data: bytes) -> None:
    with pytest.raises(check.ProofError):
        check.verify_credential(data, world.path("did.json").read_bytes())


@pytest.mark.parametrize("encoded", ["", "zabc", "u!!", "uH4sI", 5, "u" + "A" * 40])
def test_a_damaged_encoded_list_is_malformed(encoded) -> None:
    with pytest.raises(check.ProofError, match="^malformed"):
        vc.decode_list(encoded)


def test_a_gzip_bomb_is_refused_not_inflated() -> None:
    encoded = vc.encode_list(bytes(64 * 1024 * 1024))
    with pytest.raises(check.ProofError, match="inflates to more than"):
        vc.decode_list(encoded)


def test_the_list_encoding_round_trips_and_bit_0_is_the_high_bit() -> None:
    raw = bytes([0b1000_0001]) + bytes(16383)
    bits = vc.decode_list(vc.encode_list(raw))
    assert bits == raw and vc.status_bit(bits, 0) and vc.status_bit(bits, 7) and not vc.status_bit(bits, 1)
    assert vc.list_length(0) == 131072 and vc.list_length(1_500_001) == 1_500_008


# -- the independent verifier -----------------------------------------------------------------


def _node(*args: str) -> tuple[int, list[dict]]:
    node = shutil.which("node")
    if node is None or not (VERIFIER / "node_modules").is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail("node or tools/vc-verifier/node_modules is missing (scripts/_setup.sh runs npm ci)")
        pytest.skip("node or tools/vc-verifier/node_modules is missing (scripts/_setup.sh runs npm ci)")
    done = subprocess.run([node, str(VERIFIER / "verify.js"), *args], capture_output=True, text=True, timeout=120)
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    assert lines, done.stderr
    return done.returncode, lines


def test_digital_bazaar_accepts_our_credentials(world: World) -> None:
    code, lines = _node("--did", str(world.path("did.json")), str(world.path("valid.json")), str(world.path("void.json")))
    assert code == 0 and all(line["verified"] for line in lines), lines


def test_digital_bazaar_refuses_an_edited_credential(world: World) -> None:
    c = world.load("valid.json")
    c["credentialSubject"]["name"] = "李四"
    code, [line] = _node("--did", str(world.path("did.json")), str(world.save("edited-db.json", c)))
    assert code == 1 and line["verified"] is False and line["error"], line


def test_digital_bazaar_reports_the_voided_certificate_revoked(world: World) -> None:
    world.status_list([_index(world.load("void.json"))], name="db-list.json")
    args = ["--did", str(world.path("did.json")), "--status-list", str(world.path("db-list.json"))]
    code, [valid, void] = _node(*args, str(world.path("valid.json")), str(world.path("void.json")))
    assert valid == {"file": str(world.path("valid.json")), "verified": True, "revoked": False, "error": None}
    assert void["verified"] is True and void["revoked"] is True and code == 1


def test_digital_bazaar_refuses_a_revoked_key(world: World) -> None:
    """A DID document that marks the sealing key revoked (out of assertionMethod) makes it refuse."""
    doc = copy.deepcopy(world.load("did.json"))
    method = world.load("valid.json")["proof"]["verificationMethod"]
    doc["assertionMethod"] = [m for m in doc["assertionMethod"] if m != method]
    code, [line] = _node("--did", str(world.save("revoked-did.json", doc)), str(world.path("valid.json")))
    assert code == 1 and line["verified"] is False


def test_the_demo_s_credentials_and_list_pass_digital_bazaar_and_the_void_one_is_revoked(world: World) -> None:
    made = world.where / "certledger-demo" / "credentials"
    files = sorted(str(p) for p in made.glob("credential-*.json"))
    assert [Path(f).name for f in files] == [
        "credential-e-certificate.json", "credential-pass-proof-void.json", "credential-pass-proof.json"]
    code, lines = _node("--did", str(made / "did.json"), "--status-list", str(made / "status-revocation.json"), *files)
    assert {Path(line["file"]).name: (line["verified"], line["revoked"]) for line in lines} == {
        "credential-e-certificate.json": (True, False),
        "credential-pass-proof-void.json": (True, True),
        "credential-pass-proof.json": (True, False),
    } and code == 1


def test_with_db_the_credential_must_be_the_one_the_certificate_makes(world: World) -> None:
    args = ["--did", str(world.path("did.json")), "--db", world.db, "--json"]
    report = json.loads(world.run("cert", "verify", str(world.path("valid.json")), *args).stdout)
    assert any(line.startswith("ledger: the credential is exactly") for line in report["checked"])
    # signed by HRSS's real sealing key, but not what HRSS sealed: a level changed, a name swapped
    c = world.load("valid.json")
    method = c["proof"]["verificationMethod"]
    key_id = method.split("#")[1].replace("-", ":", 1)
    for edit in (lambda s: s.update(level="一级"), lambda s: s.update(name="李四")):
        unsigned = copy.deepcopy({k: v for k, v in c.items() if k != "proof"})
        edit(unsigned["credentialSubject"])
        forged = vc.signed_credential(unsigned, sign=world.hrss_key(method).sign, key_id=key_id, host=vc.DEFAULT_DID_HOST)
        offline = world.run("cert", "verify", str(world.save("forged.json", forged)), "--did", str(world.path("did.json")))
        assert "verified offline" in offline.stderr  # the proof holds: only the ledger tells
        _refused(world, forged, "altered", "--db", world.db)


def test_with_db_a_pinned_did_document_with_another_key_is_refused(world: World) -> None:
    """A DID document forged with the forger's own key, and a credential it signs."""
    c = world.load("valid.json")
    method = c["proof"]["verificationMethod"]
    mine = Ed25519PrivateKey.generate()
    doc = world.load("did.json")
    for m in doc["verificationMethod"]:
        if m["id"] == method:
            m["publicKeyMultibase"] = vc.di.public_key_multibase(mine.public_key().public_bytes_raw())
    forged = vc.signed_credential({k: v for k, v in c.items() if k != "proof"}, sign=mine.sign,
                                  key_id=method.split("#")[1].replace("-", ":", 1), host=vc.DEFAULT_DID_HOST)
    path = world.save("forged-key.json", forged)
    out = world.run("cert", "verify", str(path), "--did", str(world.save("forged-did.json", doc)), "--db", world.db,
                    "--json", code=1)
    assert json.loads(out.stdout)["reason"] == "wrong-key"


def test_a_truncated_credential_is_named_malformed_by_the_cli(world: World) -> None:
    text = world.path("valid.json").read_text(encoding="utf-8")
    world.path("truncated.json").write_text(text[: len(text) // 2], encoding="utf-8")
    out = world.run("cert", "verify", str(world.path("truncated.json")), "--did", str(world.path("did.json")), code=1)
    assert out.stderr.startswith("certledger: not verified: malformed: the credential is not JSON")
