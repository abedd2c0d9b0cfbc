"""Attacks on ``certledger cert verify FILE --trust ROOT`` (offline) and ``prove check FILE``.

The forgeries are made with plain ``cryptography``, ``hashlib`` and JSON: the RFC 9162 leaf
and node hashes and the C2SP signed-note lines are written out here, not taken from
certledger. Scenario of the first two: HRSS's first key K1 leaked; HRSS rotated to K2, which
revoked K1 from the moment of rotation (the ledger refuses to revoke a root key
retroactively). The thief still holds K1.
"""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from certledger.cli.main import cli
from certledger.events.checkpoints import record_checkpoint
from tests.attacks.forge import canonical
from tests.lifecycle_world import LifeWorld

NUMBER = "HN2025JZ2-0001"
EM_DASH = "\u2014"


# -- RFC 9162 and C2SP signed notes, by hand ---------------------------------------------------


def leaf(state: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + hashlib.sha256(state).digest()).digest()


def note_line(name: str, key: Ed25519PrivateKey, text: str) -> str:
    public = key.public_key().public_bytes_raw()
    key_hash = hashlib.sha256(name.encode() + b"\n\x01" + public).digest()[:4]
    return f"{EM_DASH} {name} {base64.b64encode(key_hash + key.sign(text.encode())).decode()}\n"


def signed_checkpoint(origin: str, size: int, root: bytes, key: Ed25519PrivateKey, name: str = "hrss") -> str:
    text = f"{origin}\n{size}\n{base64.b64encode(root).decode()}\n"
    return text + "\n" + note_line(name, key, text)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


# -- the ledger ----------------------------------------------------------------------------------


@pytest.fixture
def exported(life: LifeWorld, tmp_path: Path) -> tuple[LifeWorld, dict[str, Any], Ed25519PrivateKey]:
    """An e-certificate sealed by K1, then K1 rotated out (revoked from now on); a
    checkpoint by K2 and the bundle the CLI exports. Returns (life, bundle, K1)."""
    from certledger.signing.keys import new_private_key

    sid = life.sitting("jianzaoshi-2")
    (one,) = life.qualified(sid, ["cand.001"], exam_code="jianzaoshi-2")
    life.ledger.issue_e_certificate("hrss", one, NUMBER, on=date(2025, 7, 20))
    k1_entry = life.ledger.registry().keys_of("hrss")[0]
    k1 = life.store._loaded[k1_entry.key_id]
    k2 = new_private_key()
    life.store.remember(k2)
    life.ledger.rotate_key("hrss", life.ledger.claim("hrss", k2))
    record_checkpoint(life.ledger)
    out = tmp_path / "cert.json"
    done = CliRunner().invoke(cli, ["--db", life.db_url, "cert", "export", NUMBER, "-o", str(out)])
    assert done.exit_code == 0, done.output
    return life, orjson.loads(out.read_bytes()), k1


def root_key(life: LifeWorld) -> str:
    return life.ledger.registry().keys_of("hrss")[0].key_id


def cert_verify(bundle: dict[str, Any], trust: str, tmp_path: Path, name: str = "forged.json"):
    path = tmp_path / name
    path.write_bytes(orjson.dumps(bundle, option=orjson.OPT_INDENT_2))
    result = CliRunner().invoke(cli, ["cert", "verify", str(path), "--trust", trust])
    assert "Traceback" not in result.output, result.output
    return result


def _trust_event(state_b64: str) -> dict[str, Any]:
    return orjson.loads(base64.b64decode(state_b64)[64:])


def forge_with_stolen_key(bundle: dict[str, Any], k1: Ed25519PrivateKey, *, written: datetime,
                          truncate: bool) -> dict[str, Any]:
    """A certificate for someone else, sealed by the stolen K1 at ``written``, alone in a
    one-leaf tree whose checkpoint K1 signs; the trust chain cut before K1's revocation if
    ``truncate``."""
    fields = orjson.loads(base64.b64decode(bundle["sealed"]["message"]))
    fields["payload"]["document"]["holder"] = "冒名者"
    fields["payload"]["document"]["number"] = "HN2025JZ2-9999"
    fields["payload"]["timestamp"] = written.isoformat()
    message = canonical(fields)
    signature = k1.sign(message)
    forged = json.loads(json.dumps(bundle))
    forged["document"] = fields["payload"]["document"]
    forged["sealed"]["message"], forged["sealed"]["signature"] = b64(message), b64(signature)
    forged["inclusion"] = {"leaf_index": 0, "tree_size": 1, "hashes": []}
    forged["checkpoint"] = signed_checkpoint(bundle["ledger"], 1, leaf(signature + message), k1)
    if truncate:
        revoked = [i for i, s in enumerate(bundle["trust"]) if _trust_event(s)["topic"].endswith("KeyRevoked")]
        forged["trust"] = bundle["trust"][: revoked[0]]
    return forged


def k1_revoked_at(bundle: dict[str, Any]) -> datetime:
    (revocation,) = [_trust_event(s) for s in bundle["trust"] if _trust_event(s)["topic"].endswith("KeyRevoked")]
    return datetime.fromisoformat(revocation["payload"]["effective_at"])


def test_the_honest_bundle_verifies_and_a_seal_after_the_revocation_fails(exported, tmp_path: Path) -> None:
    """Control: the exported bundle holds; K1 sealing after its revocation, with the whole
    trust chain in the file, is refused (key-revoked)."""
    life, bundle, k1 = exported
    assert cert_verify(bundle, root_key(life), tmp_path, "honest.json").exit_code == 0
    late = forge_with_stolen_key(bundle, k1, written=k1_revoked_at(bundle) + timedelta(days=1), truncate=False)
    result = cert_verify(late, root_key(life), tmp_path)
    assert result.exit_code == 1 and "key-revoked" in result.output, result.output


def test_a_trust_chain_cut_before_the_revocation_hides_it(exported, tmp_path: Path) -> None:
    life, bundle, k1 = exported
    forged = forge_with_stolen_key(bundle, k1, written=k1_revoked_at(bundle) + timedelta(days=1), truncate=True)
    result = cert_verify(forged, root_key(life), tmp_path)
    assert result.exit_code == 1, result.output
    assert "trust-chain" in result.output or "key-revoked" in result.output, result.output


def test_a_checkpoint_signed_by_a_revoked_hrss_key_is_refused(exported, tmp_path: Path) -> None:
    life, bundle, k1 = exported
    sealed_at = datetime.fromisoformat(orjson.loads(base64.b64decode(bundle["sealed"]["message"]))["payload"]["timestamp"])
    # Backdated between the honest seal and K1's revocation (the simulated clock rotates the
    # key milliseconds after the seal: one second later would already be after it).
    forged = forge_with_stolen_key(bundle, k1, written=sealed_at + (k1_revoked_at(bundle) - sealed_at) / 2, truncate=False)
    result = cert_verify(forged, root_key(life), tmp_path)
    assert result.exit_code == 1 and "checkpoint-signature" in result.output, result.output


MALFORMED = {
    "not JSON": lambda b: "\x00\xff",
    "nested too deeply": lambda b: "[" * 100_000 + "]" * 100_000,
    "no sealed part": lambda b: {k: v for k, v in b.items() if k != "sealed"},
    "trust is text": lambda b: dict(b, trust="abc"),
    "inclusion is a list": lambda b: dict(b, inclusion=[]),
    "hashes are null": lambda b: dict(b, inclusion=dict(b["inclusion"], hashes=None)),
    "negative leaf index": lambda b: dict(b, inclusion=dict(b["inclusion"], leaf_index=-1)),
    "a 2 MiB checkpoint": lambda b: dict(b, checkpoint="a" * (2 << 20)),
    "a trust event that is a JSON list": lambda b: dict(b, trust=[b64(bytes(64) + b"[1]")]),
    "a trust event nested too deeply": lambda b: dict(b, trust=[b64(bytes(64) + b"[" * 5000 + b"]" * 5000)]),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_a_malformed_bundle_is_one_clear_line_and_exit_1(exported, tmp_path: Path, case: str) -> None:
    life, bundle, _ = exported
    value = MALFORMED[case](bundle)
    path = tmp_path / "bad.json"
    path.write_text(value if isinstance(value, str) else json.dumps(value))
    result = CliRunner().invoke(cli, ["cert", "verify", str(path), "--trust", root_key(life)])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and "a bug in certledger" not in result.output, result.output
    assert result.stderr.startswith("certledger: not verified: "), result.output
