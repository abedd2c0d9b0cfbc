"""Attacks on recorded checkpoints, their cosignatures, and the checkpoint follower.

Setup goes through our writer; every forgery is plain SQL and ``cryptography``
(tests/attacks/forge.py). The adversary writes any row and holds one low-privilege key (a
candidate's)."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner

from certledger.cli.main import cli
from certledger.events.checkpoints import record_checkpoint
from tests.attacks.forge import Forger, dashed, uuid5, LEDGER_NAMESPACE
from tests.attacks.support import after_newest, assert_fails_at, cli_verify, key_of
from tests.helpers import PASSPHRASE
from tests.lifecycle_world import LifeWorld

EM_DASH = "\u2014"
CHECKPOINTS = dashed(uuid5(LEDGER_NAMESPACE, "merkle-log-checkpoints").replace("-", ""))
TOPIC = "certledger.domain.checkpoints:CheckpointLog."
CANDIDATE = "postal.henan"  # the low-privilege key the attacker holds (candidates hold none, T-6)


def line(name: str, key, text: str) -> str:
    public = key.public_key().public_bytes_raw()
    key_hash = hashlib.sha256(name.encode() + b"\n\x01" + public).digest()[:4]
    return f"{EM_DASH} {name} {base64.b64encode(key_hash + key.sign(text.encode())).decode()}\n"


def body_of(note: str) -> str:
    return note[: note.rfind("\n\n") + 1]


def cosign_forged(life: LifeWorld, f: Forger, checkpoint, signature: str) -> int:
    """Append a CheckpointCosigned event, envelope signed by the candidate's own key."""
    _, key = key_of(life, CANDIDATE)
    payload = {
        "actor": CANDIDATE, "root": checkpoint.root.hex(), "signature": signature,
        "size": checkpoint.size, "timestamp": after_newest(f),
    }  # fmt: skip
    return f.append(CHECKPOINTS, TOPIC + "CheckpointCosigned", payload, key)


def run(*args: str):
    result = CliRunner().invoke(cli, list(args), env={"CERTLEDGER_KEY_PASSPHRASE": PASSPHRASE.decode()})
    assert "Traceback" not in result.output, result.output
    return result


def test_a_checkpoint_forged_with_a_candidates_key_fails(life: LifeWorld) -> None:
    """The candidate records a checkpoint event (as itself, and claiming to be HRSS) whose
    note it signed with its own key as 'hrss'."""
    checkpoint = record_checkpoint(life.ledger)
    _, key = key_of(life, CANDIDATE)
    life.tampered = True
    with Forger(life.db_url) as f:
        size = f.count()
        leaves = [hashlib.sha256(b"\x00" + hashlib.sha256(r.state).digest()).digest() for r in f.rows()]
        root = _root(leaves)
        text = f"{f.ledger_id()}\n{size}\n{base64.b64encode(root).decode()}\n"
        note = text + "\n" + line("hrss", key, text)
        payload = {"actor": "hrss", "note": note, "root": root.hex(), "size": size, "timestamp": after_newest(f)}
        nid = f.append(CHECKPOINTS, TOPIC + "CheckpointRecorded", payload, key)
    assert checkpoint.notification_id < nid
    assert_fails_at(life.db_url, nid)


def _root(leaves: list[bytes]) -> bytes:
    """RFC 9162 MTH, the straightforward recursion."""
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return hashlib.sha256(b"\x01" + _root(leaves[:k]) + _root(leaves[k:])).digest()


def test_a_cosignature_by_a_key_no_party_holds_fails(life: LifeWorld) -> None:
    """The cosignature line is by an unregistered 'witness' key."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    checkpoint = record_checkpoint(life.ledger)
    life.tampered = True
    with Forger(life.db_url) as f:
        nid = cosign_forged(life, f, checkpoint, line(CANDIDATE, Ed25519PrivateKey.generate(), body_of(checkpoint.note)))
    assert_fails_at(life.db_url, nid, "L-6")
    # Issue 20.5: `checkpoint list` does not present the forged line as a cosignature.
    listed = run("--db", life.db_url, "checkpoint", "list", "--json")
    assert listed.exit_code == 0, listed.output
    entry = next(c for c in orjson.loads(listed.stdout) if c["size"] == checkpoint.size)
    assert entry["cosigners"] == [] and entry["unverified_cosigners"] == [CANDIDATE]
    assert CANDIDATE not in entry["note"]
    table = run("--db", life.db_url, "checkpoint", "list").stdout
    assert f"{CANDIDATE} (✗ 签名无效 signature does not verify)" in table


def test_a_candidate_cannot_cosign_a_checkpoint(life: LifeWorld) -> None:
    from certledger.domain.errors import CertLedgerError
    from certledger.events.checkpoints import cosign_checkpoint

    checkpoint = record_checkpoint(life.ledger)
    with pytest.raises(CertLedgerError, match="L-6"):
        cosign_checkpoint(life.ledger, CANDIDATE)
    # And a cosignature a candidate forges in with plain SQL fails verify.
    _, key = key_of(life, CANDIDATE)
    life.tampered = True
    with Forger(life.db_url) as f:
        nid = cosign_forged(life, f, checkpoint, line(CANDIDATE, key, body_of(checkpoint.note)))
    assert_fails_at(life.db_url, nid, "L-6")


def test_a_cosignature_smuggling_a_second_signature_line_fails(life: LifeWorld, tmp_path: Path) -> None:
    checkpoint = record_checkpoint(life.ledger)
    _, key = key_of(life, CANDIDATE)
    hrss_public = base64.b64decode(checkpoint.note.rsplit(" ", 1)[1])[:4]  # HRSS's key hash
    bogus = f"{EM_DASH} hrss {base64.b64encode(hrss_public + bytes(64)).decode()}\n"
    life.tampered = True
    with Forger(life.db_url) as f:
        nid = cosign_forged(life, f, checkpoint, line(CANDIDATE, key, body_of(checkpoint.note)) + bogus)
    verified = cli_verify(life.db_url, "--all")
    # What the bogus line does downstream: the recorded note no longer opens under HRSS's key.
    shown = run("--db", life.db_url, "checkpoint", "show", str(checkpoint.size), "-o", str(tmp_path / "kept.note"))
    assert shown.exit_code == 0, shown.output
    kept = run("--db", life.db_url, "verify", "--checkpoint", str(tmp_path / "kept.note"))
    assert kept.exit_code == 1, kept.output  # HRSS's own note, as the ledger shows it, is now refused
    assert verified.exit_code == 1 and f"notification {nid}" in verified.output, verified.output


def test_the_follower_does_not_sign_pre_seeded_leaves(life: LifeWorld) -> None:
    """Before the first checkpoint, the adversary fills the log's leaves table with one fake
    leaf that claims to be the newest event: the follower then skips every real event."""
    life.tampered = True
    with Forger(life.db_url) as f:
        leaves = "merkle_leaves" if f.backend == "sqlite" else "ledger_merkle_leaves"
        newest = f.max_nid()
        f.sql(f"INSERT INTO {leaves} (position, notification_id, hash) VALUES (?, ?, ?)",
              (0, newest, hashlib.sha256(b"not an event").digest()))
        before = f.count()
    from certledger.domain.errors import CertLedgerError

    try:
        signed = record_checkpoint(life.ledger)
    except CertLedgerError:
        signed = None
    with Forger(life.db_url) as f:
        after = f.count()
    # 'certledger checkpoint' is this call plus printing; its key store is the test's here.
    assert signed is None and after == before, f"HRSS signed the root of a {signed.size if signed else '?'}-leaf tree the rows do not give"


def test_the_follower_does_not_sign_leaves_forged_after_the_last_checkpoint(life: LifeWorld) -> None:
    from certledger.domain.errors import CertLedgerError

    first = record_checkpoint(life.ledger)
    sid = life.sitting("jianzaoshi-1")
    life.register(sid, "cand.001")
    life.tampered = True
    with Forger(life.db_url) as f:
        leaves = "merkle_leaves" if f.backend == "sqlite" else "ledger_merkle_leaves"
        # The follower has followed every event the first checkpoint covers; one fake leaf claims
        # the newest row, so the real events between are never followed.
        f.sql(f"INSERT INTO {leaves} (position, notification_id, hash) VALUES (?, ?, ?)",
              (first.size, f.max_nid(), hashlib.sha256(b"not an event").digest()))
        before = f.count()
    try:
        signed = record_checkpoint(life.ledger)
    except CertLedgerError:
        signed = None
    with Forger(life.db_url) as f:
        after = f.count()
    assert signed is None and after == before, f"HRSS signed the root of a {signed.size if signed else '?'}-leaf tree over {before} rows"


def test_verify_catches_a_checkpoint_signed_over_pre_seeded_leaves(life: LifeWorld) -> None:
    """Whatever the follower signed, verify recomputes the tree from the rows (L-5)."""
    life.tampered = True
    with Forger(life.db_url) as f:
        leaves = "merkle_leaves" if f.backend == "sqlite" else "ledger_merkle_leaves"
        f.sql(f"INSERT INTO {leaves} (position, notification_id, hash) VALUES (?, ?, ?)",
              (0, f.max_nid(), hashlib.sha256(b"not an event").digest()))
    from certledger.domain.errors import CertLedgerError

    try:
        record_checkpoint(life.ledger)
    except CertLedgerError:
        return  # refused: nothing signed
    out = cli_verify(life.db_url, "--all")
    assert out.exit_code == 1 and "L-5" in out.output, out.output


# -- checkpoints forged with HRSS's own (stolen) key: the envelope holds, the log pass judges --


def _leaves(f: Forger) -> list[bytes]:
    return [hashlib.sha256(b"\x00" + hashlib.sha256(r.state).digest()).digest() for r in f.rows()]


def _note(origin: str, size: int, root: bytes, key, extensions: tuple[str, ...] = ()) -> str:
    text = f"{origin}\n{size}\n{base64.b64encode(root).decode()}\n" + "".join(e + "\n" for e in extensions)
    return text + "\n" + line("hrss", key, text)


FORGED_CHECKPOINTS = {
    # name: (size, root size, note size, note root size, origin, extensions, note key, words)
    "its size is not its own position": (-1, -1, -1, -1, None, (), "hrss", "precede it"),
    "its root is another tree's": (0, -1, 0, -1, None, (), "hrss", "not the Merkle root"),
    "its note names another root than the event": (0, 0, 0, -1, None, (), "hrss", "names another size or root"),
    "its note names another size than the event": (0, 0, -1, -1, None, (), "hrss", "names another size or root"),
    "its note is for another ledger": (0, 0, 0, 0, "f" * 64, (), "hrss", "not signed by an HRSS key"),
    "its note carries an extension line": (0, 0, 0, 0, None, ("x-extra",), "hrss", "extension lines"),
    "its note is signed by a candidate as hrss": (0, 0, 0, 0, None, (), CANDIDATE, "not signed by an HRSS key"),
}


@pytest.mark.parametrize("case", sorted(FORGED_CHECKPOINTS))
def test_a_checkpoint_forged_with_hrss_key_fails(life: LifeWorld, case: str) -> None:
    size_d, root_d, note_size_d, note_root_d, origin, extensions, note_signer, words = FORGED_CHECKPOINTS[case]
    record_checkpoint(life.ledger)
    sid = life.sitting("jianzaoshi-1")
    life.register(sid, "cand.001")
    _, hrss = key_of(life, "hrss")
    _, note_key = key_of(life, note_signer)
    life.tampered = True
    with Forger(life.db_url) as f:
        leaves = _leaves(f)
        position = len(leaves)
        root = _root(leaves[: position + root_d])
        note = _note(origin or f.ledger_id(), position + note_size_d, _root(leaves[: position + note_root_d]), note_key, extensions)
        payload = {"actor": "hrss", "note": note, "root": root.hex(), "size": position + size_d, "timestamp": after_newest(f)}
        nid = f.append(CHECKPOINTS, TOPIC + "CheckpointRecorded", payload, hrss)
    assert_fails_at(life.db_url, nid, "L-5", words)


TRUST_STREAM = dashed(uuid5(LEDGER_NAMESPACE, "trust-registry").replace("-", ""))


def test_a_checkpoint_binding_an_older_trust_head_fails(life: LifeWorld) -> None:
    """With HRSS's own (stolen) key: a checkpoint whose event and note name the trust
    registry's head before the latest trust event (as if a revocation were not there) — the
    log pass compares both with the registry's head at the checkpoint's position (L-5)."""
    from certledger.domain.parties import PartyKind

    record_checkpoint(life.ledger)
    life.ledger.register_party("witness.audit", "某审计事务所", PartyKind.WITNESS)
    _, hrss = key_of(life, "hrss")
    life.tampered = True
    with Forger(life.db_url) as f:
        trust = f.stream_rows(TRUST_STREAM)
        older = (len(trust) - 1, hashlib.sha256(trust[-2].state).hexdigest())
        leaves = _leaves(f)
        root = _root(leaves)
        note = _note(f.ledger_id(), len(leaves), root, hrss, (f"trust-head {older[0]} {older[1]}",))
        payload = {"actor": "hrss", "note": note, "root": root.hex(), "size": len(leaves), "timestamp": after_newest(f),
                   "trust_version": older[0], "trust_digest": older[1]}  # fmt: skip
        nid = f.append(CHECKPOINTS, TOPIC + "CheckpointRecorded", payload, hrss)
    assert_fails_at(life.db_url, nid, "L-5", "trust registry")
