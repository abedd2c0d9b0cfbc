"""Attacks on ``certledger prove check FILE`` (offline): a forged proof must not pass, and a
malformed file is one clear line with a documented exit code (1: the file does not hold,
2: bad input), never "a bug in certledger" (70)."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from certledger.cli.main import cli
from certledger.events.checkpoints import record_checkpoint
from tests.helpers import World


@pytest.fixture
def proof(world: World, tmp_path: Path) -> dict[str, Any]:
    world.write_memo("exam-center", "proved")
    record_checkpoint(world.ledger)
    out = tmp_path / "proof.json"
    done = CliRunner().invoke(cli, ["--db", world.db_url, "prove", "inclusion", "3", "-o", str(out)])
    assert done.exit_code == 0, done.output
    return json.loads(out.read_text())


def check(tmp_path: Path, document: Any = None, *args: str, raw: str | None = None):
    path = tmp_path / "check.json"
    path.write_text(raw if raw is not None else json.dumps(document))
    result = CliRunner().invoke(cli, ["prove", "check", str(path), *args])
    assert "Traceback" not in result.output, result.output
    return result


def forged(genuine: dict[str, Any]) -> dict[str, Any]:
    """A one-leaf tree holding a digest nobody recorded; the checkpoint's body rewritten to
    name it, HRSS's signature line left as it was (it no longer verifies)."""
    digest = hashlib.sha256(b"a certificate HRSS never sealed").digest()
    root = hashlib.sha256(b"\x00" + digest).digest()
    lines = genuine["checkpoint"].split("\n")
    note = "\n".join([lines[0], "1", base64.b64encode(root).decode(), *lines[3:]])
    return dict(genuine, digest=digest.hex(), root=root.hex(), proof=[], leaf_index=0, tree_size=1, checkpoint=note)


def test_a_forged_proof_fails_when_the_hrss_key_is_given(world: World, proof, tmp_path: Path) -> None:
    vkey = CliRunner().invoke(cli, ["--db", world.db_url, "keys", "vkey"]).output.strip()
    assert check(tmp_path, proof, "--vkey", vkey).exit_code == 0
    result = check(tmp_path, forged(proof), "--vkey", vkey)
    assert result.exit_code == 1 and "checkpoint signature" in result.output, result.output


def test_a_forged_proof_never_exits_0(proof, tmp_path: Path) -> None:
    result = check(tmp_path, forged(proof))
    assert result.exit_code != 0 and "OK" not in result.output, result.output


@pytest.mark.parametrize("case", ["no tree_size", "no root", "non-hex root", "deeply nested"])
def test_a_malformed_proof_file_is_a_clear_failure(proof, tmp_path: Path, case: str) -> None:
    if case == "deeply nested":
        result = check(tmp_path, raw="[" * 100_000 + "]" * 100_000)
    else:
        document = dict(proof)
        if case == "no tree_size":
            del document["tree_size"]
        elif case == "no root":
            del document["root"]
        else:
            document["root"] = "zz" * 32
        result = check(tmp_path, document)
    assert result.exit_code in (1, 2), result.output
    assert "a bug in certledger" not in result.output, result.output


def test_a_proof_from_another_ledger_under_the_same_root_key_is_named(world: World, other_db_url: str, tmp_path: Path) -> None:
    """HRSS runs a second (e.g. training) ledger founded with the same root key; a proof of
    an event there, checked with HRSS's verifier key, must at least say it is not the
    auditor's ledger."""
    from certledger.events.ledger import Ledger
    from certledger.events.storage import parse_database_url
    from certledger.signing.keys import raw_public_key
    from certledger.signing.wallet import Wallet
    from tests.helpers import Memo

    vkey = CliRunner().invoke(cli, ["--db", world.db_url, "keys", "vkey"]).output.strip()
    root = world.private_key(world.keys["hrss"])
    other = Ledger(parse_database_url(other_db_url), Wallet(world.store), create=True)
    try:
        other.initialise(raw_public_key(root))
        other.save(Memo(actor="hrss", text="a training entry", value=None))
        record_checkpoint(other)
        other_id = other.ledger_id
    finally:
        other.close()
    out = tmp_path / "other.json"
    assert CliRunner().invoke(cli, ["--db", other_db_url, "prove", "inclusion", "2", "-o", str(out)]).exit_code == 0
    result = CliRunner().invoke(cli, ["prove", "check", str(out), "--vkey", vkey])
    assert result.exit_code != 0 or other_id in result.output, result.output
