"""``certledger prove inclusion|consistency`` from the stored log (both databases), and
``prove check`` offline: each check named when it fails, no eventsourcing or psycopg loaded."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from certledger.cli.main import cli
from certledger.events.checkpoints import record_checkpoint
from certledger.events.merkle_log import MerkleLog
from certledger.signing.keys import new_private_key, raw_public_key
from certledger.signing.note import Verifier
from tests.helpers import PASSPHRASE, World


def run(world: World | None, *args: str):
    prefix = ["--db", world.db_url, "--keys", str(world.store.directory)] if world else []
    result = CliRunner().invoke(cli, [*prefix, *args], env={"CERTLEDGER_KEY_PASSPHRASE": PASSPHRASE.decode()})
    assert "Traceback" not in result.output, result.output
    return result


def _vkey(world: World) -> str:
    return run(world, "keys", "vkey").output.strip()


def test_inclusion_proofs_check_offline_with_the_hrss_verifier_key(world: World, tmp_path: Path) -> None:
    world.write_memo("exam-center", "a", amendments=1)
    first = record_checkpoint(world.ledger)
    world.write_memo("exam-center", "b")
    latest = record_checkpoint(world.ledger)
    vkey = _vkey(world)
    for nid in (1, 3, first.notification_id):
        path = tmp_path / f"inc{nid}.json"
        assert run(world, "prove", "inclusion", str(nid), "-o", str(path)).exit_code == 0
        document = json.loads(path.read_text())
        assert document["tree_size"] == latest.size and document["checkpoint"] == latest.note
        result = run(None, "prove", "check", str(path), "--vkey", vkey)
        assert result.exit_code == 0 and "OK:" in result.output, result.output
    older = tmp_path / "older.json"
    assert run(world, "prove", "inclusion", "2", "--checkpoint", str(first.size), "-o", str(older)).exit_code == 0
    assert json.loads(older.read_text())["tree_size"] == first.size
    # Unsigned check says what it did not check; a wrong key fails the signature check.
    unsigned = run(None, "prove", "check", str(older))
    # Without a key nothing is proven: exit 2 (bad input), never OK.
    assert unsigned.exit_code == 2 and "NOT checked: checkpoint signature" in unsigned.output, unsigned.output
    assert "OK:" not in unsigned.output and "--vkey" in unsigned.output, unsigned.output
    stranger = Verifier("hrss", raw_public_key(new_private_key())).text
    wrong = run(None, "prove", "check", str(older), "--vkey", stranger)
    assert wrong.exit_code == 1 and "FAIL: checkpoint signature" in wrong.output


@pytest.mark.parametrize("edit, failed", [
    (lambda d: d.update(leaf_index=d["leaf_index"] ^ 1), "inclusion proof"),
    (lambda d: d.update(digest="00" * 32), "inclusion proof"),
    (lambda d: d["proof"].append("00" * 32), "inclusion proof"),
    (lambda d: d.update(tree_size=d["tree_size"] + 1), "checkpoint matches the proof's tree"),
    (lambda d: d.update(root="11" * 32), "checkpoint matches the proof's tree"),
    (lambda d: d.update(ledger="ab" * 32), "checkpoint matches the proof's tree"),
    (lambda d: d.pop("proof"), "format"),  # a missing field is the file's format, checked first
    (lambda d: d.update(leaf_index=True), "format"),
    (lambda d: d.update(proof=["zz" * 32]), "format"),
])
def test_an_altered_inclusion_proof_fails_naming_its_check(world: World, tmp_path: Path, edit, failed: str) -> None:
    world.write_memo("exam-center", "a", amendments=3)
    record_checkpoint(world.ledger)
    path = tmp_path / "p.json"
    assert run(world, "prove", "inclusion", "4", "-o", str(path)).exit_code == 0
    document = json.loads(path.read_text())
    edit(document)
    path.write_text(json.dumps(document))
    result = run(None, "prove", "check", str(path), "--vkey", _vkey(world), "--json")
    assert result.exit_code == 1, result.output
    verdict = json.loads(result.output)
    assert verdict["ok"] is False and verdict["failed"].startswith(failed), verdict


def test_prove_check_names_the_ledger_and_checks_it_when_given(world: World, tmp_path: Path) -> None:
    world.write_memo("exam-center", "a")
    record_checkpoint(world.ledger)
    path = tmp_path / "p.json"
    assert run(world, "prove", "inclusion", "2", "-o", str(path)).exit_code == 0
    vkey, mine = _vkey(world), world.ledger.ledger_id
    shown = run(None, "prove", "check", str(path), "--vkey", vkey)
    assert shown.exit_code == 0 and f"ledger:      {mine} (not compared" in shown.output, shown.output
    assert run(None, "prove", "check", str(path), "--vkey", vkey, "--ledger", mine.upper()).exit_code == 0
    other = run(None, "prove", "check", str(path), "--vkey", vkey, "--ledger", "ab" * 32, "--json")
    assert other.exit_code == 1, other.output
    verdict = json.loads(other.output)
    assert verdict["failed"].startswith("the proof is about the ledger given") and mine in verdict["reason"], verdict
    bad = run(None, "prove", "check", str(path), "--vkey", vkey, "--ledger", "training")
    assert bad.exit_code == 2 and "is not a ledger id" in bad.output, bad.output


def test_consistency_proofs_including_the_empty_tree_and_equal_sizes(world: World, tmp_path: Path) -> None:
    first = record_checkpoint(world.ledger)
    world.write_memo("exam-center", "a", amendments=2)
    latest = record_checkpoint(world.ledger)
    vkey = _vkey(world)
    for old, new in ((first.size, None), (0, None), (latest.size, latest.size), (first.size, first.size)):
        path = tmp_path / f"c{old}-{new}.json"
        args = ["prove", "consistency", str(old), *([str(new)] if new else []), "-o", str(path)]
        assert run(world, *args).exit_code == 0
        result = run(None, "prove", "check", str(path), "--vkey", vkey)
        assert result.exit_code == 0 and "OK:" in result.output, result.output
    document = json.loads((tmp_path / f"c{first.size}-None.json").read_text())
    document["old_root"] = document["new_root"]
    (tmp_path / "bad.json").write_text(json.dumps(document))
    result = run(None, "prove", "check", str(tmp_path / "bad.json"))
    assert result.exit_code == 1 and "FAIL: old checkpoint matches" in result.output, result.output


def test_without_a_covering_checkpoint_prove_refuses_clearly(world: World) -> None:
    result = run(world, "prove", "inclusion", "1")
    assert result.exit_code in (2, 4) and "certledger checkpoint" in result.output, result.output
    record_checkpoint(world.ledger)
    world.write_memo("exam-center", "after")
    MerkleLog(world.reopen()).catch_up()
    nid = world.ledger.rows.head().notification_id
    result = run(world, "prove", "inclusion", str(nid))
    assert result.exit_code == 2 and "no checkpoint covers" in result.output, result.output


def test_a_tampered_stored_log_gives_no_proof(world: World) -> None:
    world.write_memo("exam-center", "a", amendments=3)
    record_checkpoint(world.ledger)
    world.tampered = True
    table = "merkle_leaves" if not world.db_url.startswith("postgresql") else "ledger_merkle_leaves"
    world.ledger.rows._execute(f"UPDATE {table} SET hash = ? WHERE position = 2", [b"\x00" * 32], commit=True)
    result = run(world, "prove", "inclusion", "4")
    assert result.exit_code == 1 and "does not prove" in result.output, result.output


def test_prove_check_loads_neither_eventsourcing_nor_psycopg(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    path.write_text("{}")
    code = (
        "import sys\n"
        "from certledger.cli.main import cli\n"
        "try:\n    cli(['prove', 'check', sys.argv[1]], prog_name='certledger')\n"
        "except SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('eventsourcing', 'psycopg')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "[]", out
