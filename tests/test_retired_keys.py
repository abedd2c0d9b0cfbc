"""Issue 20 item 15, second half: a revoked private key leaves the working key store (moved to
``<party>/retired/``, as the README promises), whoever revokes it: ``keys revoke``, ``keys
rotate``, or the demo, which rotates two keys and revokes a compromised one through the
application API."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner

from certledger.cli.main import cli
from tests.test_cli import run  # noqa: F401 - the fixture


def _working_files(keys: Path) -> dict[str, Path]:
    """key id -> private key file, for the files in the working store (not retired/)."""
    return {p.stem.replace("_", ":", 1): p for p in keys.glob("*/*.pem")}


def test_the_demo_leaves_no_revoked_private_key_in_the_working_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    built = runner.invoke(cli, ["demo", "--reset", "--candidates", "40"], env={"CERTLEDGER_KEY_PASSPHRASE": ""})
    assert built.exit_code == 0, built.output
    demo = tmp_path / "certledger-demo"
    listed = runner.invoke(cli, ["--db", str(demo / "ledger.db"), "keys", "list", "--json"])
    assert listed.exit_code == 0, listed.output
    status = {k["key_id"]: k for k in orjson.loads(listed.stdout)}
    revoked = {k for k, entry in status.items() if entry["revoked_at"] is not None}
    assert len(revoked) >= 3  # 郑州住建's rotated key, 卫健委's compromised one, the old root key
    working = _working_files(demo / "keys")
    assert not revoked & set(working), f"revoked keys still in the working store: {sorted(revoked & set(working))}"
    retired = {p.stem.replace("_", ":", 1) for p in (demo / "keys").glob("*/retired/*.pem")}
    assert revoked <= retired, sorted(revoked - retired)
    assert working, "the keys that still sign stay"
    assert "moved the private key of" in built.stderr


def test_a_key_revoked_from_a_moment_ahead_leaves_the_store_at_the_next_keys_command_after_it(run, tmp_path: Path) -> None:
    import time
    from datetime import datetime, timedelta, timezone

    from tests.test_cli_keys import _setup

    _setup(run)
    store = tmp_path / "keys" / "exam-center"
    soon = run("keys", "add", "--party", "exam-center").stdout.strip()
    other = run("keys", "add", "--party", "exam-center").stdout.strip()
    effective = (datetime.now(timezone.utc) + timedelta(seconds=2)).isoformat()
    scheduled = run("keys", "revoke", soon, "--reason", "end of term", "--effective", effective)
    assert scheduled.exit_code == 0 and "its private key stays in the store" in scheduled.stderr, scheduled.output
    assert (store / (soon.replace(":", "_") + ".pem")).exists()
    time.sleep(2.5)
    revoked = run("keys", "revoke", other, "--reason", "laptop lost")
    assert revoked.exit_code == 0, revoked.output
    assert f"moved the private key of {soon}" in revoked.stderr and f"moved the private key of {other}" in revoked.stderr
    assert sorted(p.name for p in store.glob("*.pem")) == []
    assert {p.name for p in (store / "retired").glob("*.pem")} >= {f"{k.replace(':', '_')}.pem" for k in (soon, other)}


def test_the_root_certificate_is_still_made_after_the_genesis_key_is_rotated_away(run, tmp_path: Path) -> None:
    """The genesis key signs HRSS's root certificate (cert root-cert); rotated away, it is
    retired, not lost: the certificate is made from retired/, and no event is signed with it."""
    assert run("init").exit_code == 0
    before = run("cert", "root-cert")
    assert before.exit_code == 0, before.output
    rotated = run("keys", "rotate", "--party", "hrss")
    assert rotated.exit_code == 0 and "moved the private key of" in rotated.stderr, rotated.output
    assert not _working_files(tmp_path / "keys").keys() & {k for k in [rotated.stderr.split("moved the private key of ")[1].split()[0]]}
    after = run("cert", "root-cert")
    assert after.exit_code == 0, after.output
    assert after.stdout == before.stdout  # the same certificate, deterministic
    assert run("verify").exit_code == 0
