"""Issue 7 items 4 and 5: an exported certificate bundle verifies offline with nothing but
the root key, and each way of spoiling it fails with its own reason; plain openssl checks
the e-seal; ``--db`` reports a certificate voided since."""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import subprocess
import sys
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest
from click.testing import CliRunner

from certledger.cli.main import cli
from certledger.cli.provenance import write_openssl_files
from certledger.domain.certificate import DOCUMENT_FIELDS
from certledger.domain.clock import CST
from certledger.domain.trust import TRUST_REGISTRY_ID
from certledger.events import certificate_bundle as cb
from certledger.events import merkle, provenance
from certledger.events.canonical import canonical_bytes
from certledger.events.storage import RawRow
from certledger.signing import note
from certledger.signing.keys import new_private_key, raw_public_key, sign
from tests.lifecycle_world import LifeWorld

NUMBER, OTHER = "HN2025JZ2-0001", "HN2025JZ2-0002"


class MemoryLog:
    """The Merkle log over every row in notification order, computed in the test (RFC 9162
    leaves: SHA-256(0x00 ‖ SHA-256(stored state)))."""

    def __init__(self, life: LifeWorld) -> None:
        rows: list[RawRow] = [r for page in life.ledger.rows.raw_pages() for r in page]
        self.ids = [r.notification_id for r in rows]
        self.leaves = [merkle.leaf_hash(hashlib.sha256(bytes(r.state)).digest()) for r in rows]
        self.subtrees = merkle.perfect_subtree_hashes(self.leaves)

    def size(self) -> int:
        return len(self.leaves)

    def position_of(self, notification_id: int) -> int | None:
        return self.ids.index(notification_id) if notification_id in self.ids else None

    def inclusion_proof(self, position: int, size: int) -> list[bytes]:
        return merkle.inclusion_proof(position, size, lambda level, index: self.subtrees[level, index])

    def root(self, size: int) -> bytes:
        return merkle.root(self.leaves[:size])


class Checkpoint:
    def __init__(self, size: int, root: bytes, note_text: str) -> None:
        self.size, self.root, self.note = size, root, note_text


def hrss_key(life: LifeWorld):
    _, private = life.ledger.wallet.choose(life.ledger.keyring, "hrss", datetime.now(CST))
    return private


def checkpoint_of(life: LifeWorld, log: MemoryLog, signer=None, name: str = "hrss") -> Checkpoint:
    from certledger.events import trust_head
    from certledger.events.checkpoints import trust_head_at

    head = trust_head.line(*trust_head_at(life.ledger, log.ids[-1]))  # what the ledger's checkpoints bind
    body = note.checkpoint_body(life.ledger.ledger_id, log.size(), log.root(log.size()), (head,))
    return Checkpoint(log.size(), log.root(log.size()), note.sign_note(body, name, signer or hrss_key(life)))


@pytest.fixture
def sealed(life: LifeWorld) -> LifeWorld:
    """Two 建造师（二级） e-certificates under HRSS's e-seal (R-13)."""
    sid = life.sitting("jianzaoshi-2")
    one, two = life.qualified(sid, ["cand.001", "cand.002"], exam_code="jianzaoshi-2")
    life.ledger.issue_e_certificate("hrss", one, NUMBER, on=date(2025, 7, 20))
    life.ledger.issue_e_certificate("hrss", two, OTHER, on=date(2025, 7, 20))
    return life


def export(life: LifeWorld, number: str = NUMBER, checkpoint: Checkpoint | None = None) -> dict[str, Any]:
    log = MemoryLog(life)
    [found] = provenance.find_certificate(life.ledger, number)
    return provenance.export_bundle(life.ledger, found, log=log, checkpoint=checkpoint or checkpoint_of(life, log))


def root_key(life: LifeWorld) -> str:
    return life.ledger.registry().keys_of("hrss")[0].key_id


def reason(bundle: dict[str, Any], trusted: str) -> str:
    with pytest.raises(cb.BundleError) as caught:
        cb.verify_bundle(orjson.loads(cb.dumps(bundle)), trusted)
    return caught.value.reason


def resealed_message(bundle: dict[str, Any], change) -> dict[str, Any]:
    """The bundle with its sealed message parsed, changed and re-encoded canonically."""
    fields = orjson.loads(base64.b64decode(bundle["sealed"]["message"]))
    change(fields)
    copy = orjson.loads(cb.dumps(bundle))
    copy["sealed"]["message"] = base64.b64encode(canonical_bytes(fields)).decode()
    return copy


def test_the_trust_stream_constant_is_the_domains() -> None:
    assert cb.TRUST_STREAM == str(TRUST_REGISTRY_ID)


def test_an_exported_certificate_verifies_offline(sealed: LifeWorld, tmp_path: Path) -> None:
    bundle = export(sealed)
    verified = cb.verify_bundle(orjson.loads(cb.dumps(bundle)), root_key(sealed))
    c = sealed.ledger.candidacy(sealed.candidacies["jianzaoshi-2", "cand.001"])
    assert verified.document["number"] == NUMBER and verified.document["holder"] == c.name
    assert verified.document["id_number"] == c.masked_id and verified.document["exam"] == "建造师（二级）"
    assert set(verified.document) == set(DOCUMENT_FIELDS)
    assert verified.document["issuer"] == "河南省人力资源和社会保障厅"
    assert verified.checkpoint_signers == (f"hrss ({root_key(sealed)})",)

    path = tmp_path / "cert.json"
    path.write_bytes(cb.dumps(bundle))
    run = CliRunner().invoke(cli, ["cert", "verify", str(path), "--trust", root_key(sealed), "--json"])
    assert run.exit_code == 0, run.output
    assert orjson.loads(run.stdout)["document"]["number"] == NUMBER
    human = CliRunner().invoke(cli, ["cert", "verify", str(path), "--trust", root_key(sealed)])
    assert human.exit_code == 0 and "OK: e-certificate" in human.stderr and "e-seal" in human.stdout


def test_cert_verify_runs_without_the_store_libraries(sealed: LifeWorld, tmp_path: Path) -> None:
    """Offline means offline: the command path imports neither eventsourcing nor psycopg."""
    path = tmp_path / "cert.json"
    path.write_bytes(cb.dumps(export(sealed)))
    code = (
        "import sys\n"
        "from certledger.cli import main\n"
        f"sys.argv = ['certledger', 'cert', 'verify', {str(path)!r}, '--trust', {root_key(sealed)!r}]\n"
        "try:\n    main.main()\nexcept SystemExit as e:\n    code = e.code\n"
        "loaded = [m for m in sys.modules if m.split('.')[0] in ('eventsourcing', 'psycopg', 'psycopg_pool')]\n"
        "print(code, loaded)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1] == "0 []", done.stdout + done.stderr


@pytest.mark.parametrize("field", DOCUMENT_FIELDS)
def test_each_altered_field_fails_as_altered(sealed: LifeWorld, field: str) -> None:
    bundle = export(sealed)

    def alter(fields: dict[str, Any]) -> None:
        value = fields["payload"]["document"][field]
        fields["payload"]["document"][field] = value + 1 if isinstance(value, int) else value + "X"

    assert reason(resealed_message(bundle, alter), root_key(sealed)) == "altered"


def test_an_altered_readable_copy_is_named(sealed: LifeWorld) -> None:
    bundle = export(sealed)
    bundle["document"]["holder"] = "冒名者"
    with pytest.raises(cb.BundleError, match="altered: field holder of the readable copy"):
        cb.verify_bundle(bundle, root_key(sealed))


def test_a_reserialised_copy_fails_as_reformatted(sealed: LifeWorld) -> None:
    """R-13: a converted version has no effect — the same fields, other bytes."""
    bundle = export(sealed)
    fields = orjson.loads(base64.b64decode(bundle["sealed"]["message"]))
    copies = (
        orjson.dumps(fields, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS),  # pretty-printed
        json.dumps(fields, sort_keys=True, separators=(",", ":")).encode(),  # 张 → \u5f20
        orjson.dumps(dict(reversed(fields.items()))),  # other key order
    )
    for pretty in copies:
        copy = orjson.loads(cb.dumps(bundle))
        copy["sealed"]["message"] = base64.b64encode(pretty).decode()
        assert reason(copy, root_key(sealed)) == "reformatted"


def test_a_wrong_trust_key_fails(sealed: LifeWorld, tmp_path: Path) -> None:
    bundle = export(sealed)
    stranger = "ed25519:" + hashlib.sha256(raw_public_key(new_private_key())).hexdigest()[:32]
    assert reason(bundle, stranger) == "wrong-trust"
    path = tmp_path / "cert.json"
    path.write_bytes(cb.dumps(bundle))
    run = CliRunner().invoke(cli, ["cert", "verify", str(path), "--trust", stranger, "--json"])
    assert run.exit_code == 1 and orjson.loads(run.stdout)["reason"] == "wrong-trust"
    assert run.stderr.startswith("certledger: not verified: wrong-trust:")
    # Something that is neither a key id nor a file (here: JSON pasted by mistake, longer
    # than a file name may be) is bad input, one line, not an internal error.
    pasted = CliRunner().invoke(cli, ["cert", "verify", str(path), "--trust", "{'report': " + "x" * 400 + "}"])
    assert pasted.exit_code == 2 and "is neither a key id" in pasted.stderr and len(pasted.stderr.splitlines()) == 1


def _forged_trust_event(life: LifeWorld, bundle: dict[str, Any], payload: dict[str, Any], signer, signer_id: str) -> str:
    """The next trust registry event, forged with plain cryptography as a compromised root
    key holder could: it chains onto the bundle's last trust event."""
    last = base64.b64decode(bundle["trust"][-1])
    previous = orjson.loads(last[64:])
    message = canonical_bytes(
        {
            "format": 2, "ledger": life.ledger.ledger_id, "stream": str(TRUST_REGISTRY_ID),
            "version": previous["version"] + 1, "topic": "certledger.domain.trust:TrustRegistry.KeyRevoked",
            "signer": signer_id, "prev": hashlib.sha256(last).hexdigest(), "payload": payload,
        }
    )  # fmt: skip
    return base64.b64encode(sign(signer, message) + message).decode()


def test_a_key_revoked_before_sealing_fails_even_when_the_revocation_is_recorded_later(sealed: LifeWorld) -> None:
    old_key = root_key(sealed)
    old_private = hrss_key(sealed)
    new_private = new_private_key()
    sealed.store.remember(new_private)
    new_id, revoked = sealed.ledger.rotate_key("hrss", sealed.ledger.claim("hrss", new_private))
    assert revoked == [old_key]
    # Rotated after the seal: the old key still vouches for what it sealed before.
    bundle = export(sealed, checkpoint=checkpoint_of(sealed, MemoryLog(sealed), signer=new_private))
    assert cb.verify_bundle(bundle, old_key).seal_key == old_key
    # Later, the old key is found compromised from a moment before the seal.
    sealed_at = datetime.fromisoformat(orjson.loads(base64.b64decode(bundle["sealed"]["message"]))["payload"]["timestamp"])
    revocation = {
        "actor": "hrss", "key_id": old_key, "effective_at": (sealed_at - timedelta(days=30)).isoformat(),
        "reason": "private key found on a shared drive",
        "timestamp": (sealed_at + timedelta(days=400)).isoformat(),
    }  # fmt: skip
    bundle["trust"].append(_forged_trust_event(sealed, bundle, revocation, new_private, new_id))
    with pytest.raises(cb.BundleError, match="key-revoked: key .* was revoked from .*before it sealed the document"):
        cb.verify_bundle(bundle, old_key)
    del old_private


def test_a_swapped_proof_fails(sealed: LifeWorld) -> None:
    mine, theirs = export(sealed), export(sealed, OTHER)
    swapped = orjson.loads(cb.dumps(mine))
    swapped["inclusion"] = theirs["inclusion"]
    assert reason(swapped, root_key(sealed)) == "proof"
    shifted = orjson.loads(cb.dumps(mine))
    shifted["inclusion"]["leaf_index"] = theirs["inclusion"]["leaf_index"]
    assert reason(shifted, root_key(sealed)) == "proof"


def test_a_bad_checkpoint_signature_fails(sealed: LifeWorld) -> None:
    bundle = export(sealed)
    lines = bundle["checkpoint"].split("\n")
    other_root = base64.b64encode(hashlib.sha256(b"another tree").digest()).decode()
    bundle["checkpoint"] = "\n".join([lines[0], lines[1], other_root, *lines[3:]])
    assert reason(bundle, root_key(sealed)) == "checkpoint-signature"
    # Signed, but not by an HRSS key of the chain.
    stranger = export(sealed, checkpoint=checkpoint_of(sealed, MemoryLog(sealed), signer=new_private_key()))
    assert reason(stranger, root_key(sealed)) == "checkpoint-signature"


def test_db_status_needs_a_checkpoint_that_signs_it(sealed: LifeWorld, tmp_path: Path) -> None:
    path = tmp_path / "cert.json"
    path.write_bytes(cb.dumps(export(sealed)))
    unproven = CliRunner().invoke(cli, ["cert", "verify", str(path), "--trust", root_key(sealed), "--db", sealed.db_url])
    assert unproven.exit_code == 1 and "unproven" in unproven.stderr, unproven.output


def test_db_reports_a_voided_certificate(sealed: LifeWorld, tmp_path: Path) -> None:
    from certledger.events.checkpoints import record_checkpoint

    path = tmp_path / "cert.json"
    path.write_bytes(cb.dumps(export(sealed)))
    record_checkpoint(sealed.ledger)
    ok = CliRunner().invoke(cli, ["cert", "verify", str(path), "--trust", root_key(sealed), "--db", sealed.db_url])
    assert ok.exit_code == 0, ok.output
    assert "status now valid" in ok.stdout and "valid (有效) at index 0 of the status list HRSS signed" in ok.stdout
    assert "its status against checkpoint" in ok.stderr
    cid = sealed.candidacies["jianzaoshi-2", "cand.001"]
    sealed.ledger.find_ineligible("dept.zhujian.henan", cid, "education", "学历不符合报名条件", on=date(2025, 9, 1))
    void = CliRunner().invoke(cli, ["cert", "verify", str(path), "--trust", root_key(sealed), "--db", sealed.db_url, "--json"])
    assert void.exit_code == 1, void.output
    report = orjson.loads(void.stdout.split("\n}\n")[0] + "\n}")
    assert report["ledger_now"]["status"] == "void" and report["ledger_now"]["rule"] == "R-11"
    assert "the ledger now records the certificate as void" in void.stderr


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")
def test_openssl_checks_the_e_seal(sealed: LifeWorld, tmp_path: Path) -> None:
    """Exactly the README's command, on the files `cert export --openssl-dir` writes."""
    bundle = export(sealed)
    write_openssl_files(bundle, tmp_path)
    command = ["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", "hrss.pem", "-rawin", "-in", "doc.bin", "-sigfile", "seal.sig"]
    done = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0 and "Signature Verified Successfully" in done.stdout, done.stdout + done.stderr
    document = (tmp_path / "doc.bin").read_bytes()
    (tmp_path / "doc.bin").write_bytes(document.replace(NUMBER.encode(), b"HN2025JZ2-9999"))
    forged = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True)
    assert forged.returncode != 0 and "Signature Verification Failure" in forged.stdout + forged.stderr


# -- with the ledger's own Merkle log and checkpoints (events/merkle_log.py, events/checkpoints.py)


def test_export_refuses_until_a_checkpoint_covers_the_seal(sealed: LifeWorld, tmp_path: Path) -> None:
    from certledger.events.checkpoints import record_checkpoint

    out = tmp_path / "cert.json"
    refused = CliRunner().invoke(cli, ["--db", sealed.db_url, "cert", "export", NUMBER, "-o", str(out)])
    assert refused.exit_code in (2, 4) and "certledger checkpoint" in refused.stderr, refused.output
    assert not out.exists()
    record_checkpoint(sealed.ledger)
    done = CliRunner().invoke(cli, ["--db", sealed.db_url, "cert", "export", NUMBER, "-o", str(out)])
    assert done.exit_code == 0, done.output
    verified = CliRunner().invoke(cli, ["cert", "verify", str(out), "--trust", root_key(sealed), "--json"])
    assert verified.exit_code == 0, verified.output
    assert orjson.loads(verified.stdout)["checkpoint"]["size"] == orjson.loads(out.read_bytes())["inclusion"]["tree_size"]


def test_a_cosigned_checkpoint_names_both_signers_and_the_ledger_stays_consistent(sealed: LifeWorld, tmp_path: Path) -> None:
    from certledger.events.checkpoints import cosign_checkpoint, record_checkpoint

    record_checkpoint(sealed.ledger)
    cosign_checkpoint(sealed.ledger, "exam-center")
    out = tmp_path / "cert.json"
    assert CliRunner().invoke(cli, ["--db", sealed.db_url, "cert", "export", NUMBER, "-o", str(out)]).exit_code == 0
    verified = cb.verify_bundle(cb.loads(out.read_bytes()), root_key(sealed))
    assert [s.split(" ")[0] for s in verified.checkpoint_signers] == ["hrss", "exam-center"]
    # The ledger grows and checkpoints again: --db checks the new checkpoint extends the bundle's.
    cid = sealed.candidacies["jianzaoshi-2", "cand.002"]
    sealed.ledger.find_ineligible("dept.zhujian.henan", cid, "education", "学历不符合", on=date(2025, 9, 1))
    record_checkpoint(sealed.ledger)
    now = CliRunner().invoke(cli, ["cert", "verify", str(out), "--trust", root_key(sealed), "--db", sealed.db_url, "--json"])
    assert now.exit_code == 0, now.output
    report = orjson.loads(now.stdout)["ledger_now"]
    assert report["status"] == "valid" and "(proof verified)" in report["checkpoint"]
    assert f"consistent with the bundle's size {verified.tree_size}" in report["checkpoint"]


def test_the_readme_openssl_command_on_a_cli_export(sealed: LifeWorld, tmp_path: Path) -> None:
    from certledger.events.checkpoints import record_checkpoint

    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl command")
    record_checkpoint(sealed.ledger)
    out = tmp_path / "cert.json"
    exported = CliRunner().invoke(
        cli, ["--db", sealed.db_url, "cert", "export", NUMBER, "-o", str(out), "--openssl-dir", str(tmp_path / "seal")]
    )
    assert exported.exit_code == 0, exported.output
    command = "openssl pkeyutl -verify -pubin -inkey seal/hrss.pem -rawin -in seal/doc.bin -sigfile seal/seal.sig"
    done = subprocess.run(command.split(), cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0 and "Signature Verified Successfully" in done.stdout, done.stdout + done.stderr


def test_a_trust_chain_with_an_event_left_out_fails(sealed: LifeWorld) -> None:
    """Leaving out a trust event (say, a revocation) breaks the ``prev`` chain."""
    bundle = export(sealed)
    assert len(bundle["trust"]) > 2
    del bundle["trust"][1]
    assert reason(bundle, root_key(sealed)) == "trust-chain"


def test_the_trust_chain_ends_exactly_at_the_head_its_checkpoint_binds(sealed: LifeWorld) -> None:
    """L-5: the checkpoint names the trust registry's head; export carries the chain up to it
    (not later trust events), and a chain longer or shorter than that head fails."""
    from certledger.domain.parties import PartyKind

    early = checkpoint_of(sealed, MemoryLog(sealed))
    sealed.ledger.register_party("witness.audit", "某审计事务所", PartyKind.WITNESS)
    bundle = export(sealed, checkpoint=early)  # made after the registration, for the early checkpoint
    assert cb.verify_bundle(orjson.loads(cb.dumps(bundle)), root_key(sealed)).tree_size == early.size
    later = export(sealed)  # its checkpoint binds the registration
    assert len(later["trust"]) == len(bundle["trust"]) + 1
    longer = dict(bundle, trust=later["trust"])
    assert reason(longer, root_key(sealed)) == "trust-chain"
    shorter = dict(later, trust=later["trust"][:-1])
    assert reason(shorter, root_key(sealed)) == "trust-chain"


def test_a_checkpoint_whose_origin_only_contains_the_ledger_id_fails(sealed: LifeWorld) -> None:
    from certledger.events import trust_head
    from certledger.events.checkpoints import trust_head_at

    log = MemoryLog(sealed)
    head = trust_head.line(*trust_head_at(sealed.ledger, log.ids[-1]))
    body = note.checkpoint_body("x" + sealed.ledger.ledger_id, log.size(), log.root(log.size()), (head,))
    checkpoint = Checkpoint(log.size(), log.root(log.size()), note.sign_note(body, "hrss", hrss_key(sealed)))
    assert reason(export(sealed, checkpoint=checkpoint), root_key(sealed)) == "checkpoint-signature"


def test_a_postal_key_signing_the_checkpoint_does_not_count(sealed: LifeWorld) -> None:
    """L-6 offline: only HRSS keys and keys of parties that may cosign are named as signers
    (the postal company may not; candidates hold no keys at all, T-6)."""
    bundle = export(sealed)
    postal = sealed.ledger.registry().keys_of("postal.henan")[0]
    cosigned = note.add_signature(bundle["checkpoint"], "postal.henan", sealed.store._loaded[postal.key_id])
    verified = cb.verify_bundle(orjson.loads(cb.dumps(dict(bundle, checkpoint=cosigned))), root_key(sealed))
    assert [s.split(" ")[0] for s in verified.checkpoint_signers] == ["hrss"]


def test_the_page_gives_the_reason_verify_bundle_gives(sealed: LifeWorld, tmp_path: Path) -> None:
    """The verification page (page/verify_bundle.js, in Chromium) against verify_bundle, case by
    case: the spoiled bundles above, and a revocation recorded after the seal, effective before."""
    from tests.test_conformance import CORPUS, page_verdicts

    root = root_key(sealed)
    fresh = export(sealed)
    cases: dict[str, dict[str, Any]] = {"valid": fresh, "other": export(sealed, OTHER)}
    for field in ("holder", "number", "issued_on"):
        cases[f"resealed-{field}"] = resealed_message(
            fresh, lambda f, k=field: f["payload"]["document"].__setitem__(k, str(f["payload"]["document"][k]) + "X"))
    fields = orjson.loads(base64.b64decode(fresh["sealed"]["message"]))
    for label, copy in (("escaped", json.dumps(fields, sort_keys=True, separators=(",", ":")).encode()),
                        ("reordered", orjson.dumps(dict(reversed(fields.items()))))):
        cases[f"reformatted-{label}"] = {**fresh, "sealed": {**fresh["sealed"], "message": base64.b64encode(copy).decode()}}
    cases["readable-holder"] = {**fresh, "document": {**fresh["document"], "holder": "冒名者"}}
    cases["swapped-proof"] = {**fresh, "inclusion": cases["other"]["inclusion"]}
    cases["no-proof-hashes"] = {**fresh, "inclusion": {**fresh["inclusion"], "hashes": []}}
    cases["bigger-tree"] = {**fresh, "inclusion": {**fresh["inclusion"], "tree_size": fresh["inclusion"]["tree_size"] + 1}}
    lines = fresh["checkpoint"].split("\n")
    cases["checkpoint-root-changed"] = {**fresh, "checkpoint": "\n".join(
        [lines[0], lines[1], base64.b64encode(hashlib.sha256(b"another tree").digest()).decode(), *lines[3:]])}
    cases["checkpoint-by-a-stranger"] = export(sealed, checkpoint=checkpoint_of(sealed, MemoryLog(sealed), signer=new_private_key()))
    cases["checkpoint-unsigned"] = {**fresh, "checkpoint": fresh["checkpoint"].split("\n\n")[0] + "\n"}
    cases["trust-event-left-out"] = {**fresh, "trust": fresh["trust"][:1] + fresh["trust"][2:]}
    cases["trust-event-flipped"] = {**fresh, "trust": [fresh["trust"][0][:-4] + ("AAAA" if fresh["trust"][0][-4:] != "AAAA" else "BBBB"), *fresh["trust"][1:]]}
    cases["seal-key-unknown"] = resealed_message(fresh, lambda f: f.__setitem__("signer", "ed25519:" + "1" * 32))
    cases["missing-part"] = {k: v for k, v in fresh.items() if k != "inclusion"}
    postal = sealed.ledger.registry().keys_of("postal.henan")[0]
    cases["postal-cosigned"] = {**fresh, "checkpoint": note.add_signature(fresh["checkpoint"], "postal.henan", sealed.store._loaded[postal.key_id])}
    # the root key rotated after the seal, then found compromised from before it (a later revocation)
    new_private = new_private_key()
    sealed.store.remember(new_private)
    new_id, _ = sealed.ledger.rotate_key("hrss", sealed.ledger.claim("hrss", new_private))
    rotated = export(sealed, checkpoint=checkpoint_of(sealed, MemoryLog(sealed), signer=new_private))
    cases["rotated-after-the-seal"] = rotated
    sealed_at = datetime.fromisoformat(orjson.loads(base64.b64decode(rotated["sealed"]["message"]))["payload"]["timestamp"])
    revocation = {"actor": "hrss", "key_id": root, "effective_at": (sealed_at - timedelta(days=30)).isoformat(),
                  "reason": "private key found on a shared drive", "timestamp": (sealed_at + timedelta(days=400)).isoformat()}
    revoked = orjson.loads(cb.dumps(rotated))
    revoked["trust"].append(_forged_trust_event(sealed, revoked, revocation, new_private, new_id))
    cases["revoked-before-the-seal"] = revoked

    expected: dict[str, tuple[str, tuple[str, str | None]]] = {}
    for name, bundle in cases.items():
        text = cb.dumps(bundle).decode()
        try:
            cb.verify_bundle(cb.loads(text.encode()), root)
            expected[name] = (text, ("valid", None))
        except cb.BundleError as e:
            expected[name] = (text, ("invalid", e.reason))
    got = {name: verdict for name, (_, verdict) in expected.items()}
    assert got["valid"] == got["rotated-after-the-seal"] == ("valid", None)
    assert got["revoked-before-the-seal"] == ("invalid", "key-revoked") and got["swapped-proof"] == ("invalid", "proof")
    assert len({reason for _, reason in got.values()}) >= 7, got  # the cases reach most of the reasons
    page_verdicts(["page", "--did", str(CORPUS / "did.json"), "--trust", root], tmp_path, expected)
