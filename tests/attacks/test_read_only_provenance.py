"""Read commands never write (preamble): prove, cert show/export/verify --db, trace,
checkpoint list/show, keys vkey and verify (--checkpoint, --since) leave a SQLite ledger
byte for byte as it was, create no journal or WAL file beside it, and do not catch the
Merkle log up — even when the log lags the events."""

from __future__ import annotations

import hashlib
import os
import stat
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from certledger.cli.main import cli
from certledger.events.checkpoints import cosign_checkpoint, record_checkpoint
from tests.helpers import PASSPHRASE
from tests.lifecycle_world import LifeWorld

NUMBER = "HN2025JZ2-0001"


def snapshot(directory: Path) -> dict[str, tuple[str, int]]:
    return {
        p.name: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
        for p in sorted(directory.iterdir()) if p.is_file()
    }  # fmt: skip


def test_read_commands_write_nothing_to_a_read_only_sqlite_ledger(life: LifeWorld, db_url: str, tmp_path: Path) -> None:
    if not db_url.endswith(".db"):
        pytest.skip("a SQLite file")
    sid = life.sitting("jianzaoshi-2")
    one, two = life.qualified(sid, ["cand.001", "cand.002"], exam_code="jianzaoshi-2")
    life.ledger.issue_e_certificate("hrss", one, NUMBER, on=date(2025, 7, 20))
    first = record_checkpoint(life.ledger)
    cosign_checkpoint(life.ledger, "exam-center")
    life.ledger.issue_e_certificate("hrss", two, "HN2025JZ2-0002", on=date(2025, 7, 20))  # after the log
    kept = tmp_path / "out" / "kept.note"
    kept.parent.mkdir()
    kept.write_text(first.note)
    root = life.ledger.registry().keys_of("hrss")[0].key_id
    life.ledger.close()
    path = Path(db_url)
    out = kept.parent
    exported = out / "cert.json"
    assert CliRunner().invoke(cli, ["--db", db_url, "cert", "export", NUMBER, "-o", str(exported)]).exit_code == 0
    os.chmod(path, stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    before = snapshot(path.parent)
    assert set(before) == {path.name}, before  # every writer closed: no -wal or -shm left
    commands = [
        ["verify"], ["verify", "--checkpoint", str(kept)], ["verify", "--since", str(kept)],
        ["prove", "inclusion", "3", "-o", str(out / "p.json")], ["prove", "consistency", str(first.size)],
        ["cert", "show", NUMBER], ["trace", NUMBER], ["checkpoint", "list"], ["checkpoint", "show"],
        ["keys", "vkey"], ["cert", "export", NUMBER, "-o", str(out / "again.json")],
        ["cert", "verify", str(exported), "--trust", root, "--db", db_url],
        ["prove", "inclusion", str(10_000)],  # no such event: refused, still nothing written
    ]  # fmt: skip
    for command in commands:
        result = CliRunner().invoke(cli, ["--db", db_url, *command], env={"CERTLEDGER_KEY_PASSPHRASE": PASSPHRASE.decode()})
        assert "Traceback" not in result.output and "a bug in certledger" not in result.output, (command, result.output)
        assert snapshot(path.parent) == before, f"{' '.join(command)} changed {path.parent}"
