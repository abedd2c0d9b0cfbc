"""``cert verify FILE.pdf``: the sealed document's status (issue 19 item 3). The PDF is sealed
once, at issue, and carries no status list; with ``--db`` its status comes from the list a
checkpoint signs, so a deleted void row (plain SQL, tests/attacks/forge.py) cannot make a void
certificate's document pass.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from certledger.cli.main import cli
from tests.attacks.forge import Forger
from tests.lifecycle_world import PASSPHRASE

NUMBER = "HN2025JZ2-0001"


def _run(life: Any, *args: str):
    result = CliRunner().invoke(cli, ["--db", life.db_url, "--keys", str(life.store.directory), *args],
                                env={"CERTLEDGER_KEY_PASSPHRASE": PASSPHRASE.decode()})
    assert "Traceback" not in result.output, result.output
    return result


def _verify(life: Any, pdf: Path, root: Path, *extra: str):
    result = CliRunner().invoke(cli, ["cert", "verify", str(pdf), "--root", str(root), *extra])
    assert "Traceback" not in result.output, result.output
    return result


@pytest.fixture
def published(life: Any, tmp_path: Path) -> Any:
    """An e-certificate, its document published (文书发布) and HRSS's root certificate written."""
    sid = life.sitting("jianzaoshi-2")
    (one,) = life.qualified(sid, ["cand.001"], exam_code="jianzaoshi-2")
    life.ledger.issue_e_certificate("hrss", one, NUMBER, on=date(2025, 7, 20))
    life.stream = one
    life.save_keys()
    life.pdf, life.root = tmp_path / "cert.pdf", tmp_path / "root.pem"
    for args in (("cert", "document", NUMBER, "-o", str(life.pdf), "--on", "2025-07-21"),
                 ("cert", "root-cert", "-o", str(life.root))):
        result = _run(life, *args)
        assert result.exit_code == 0, result.output
    return life


def _checkpoint(life: Any, *args: str) -> None:
    """Through the CLI, whose simulated clock follows the publication it recorded."""
    result = _run(life, "checkpoint", *args)
    assert result.exit_code == 0, result.output


def _void(life: Any) -> None:
    life.ledger.find_ineligible("dept.zhujian.henan", life.stream, "education", "学历不符合报名条件", on=date(2025, 9, 1))


def test_offline_the_pdf_says_its_status_is_not_checked(published: Any) -> None:
    result = _verify(published, published.pdf, published.root, "--json")
    assert result.exit_code == 0, result.output
    shown = json.loads(result.stdout)
    assert shown["status"] == "not checked" and shown["issued_document"] is None
    assert any("status: not checked offline" in line for line in shown["not_checked"])


def test_with_db_the_status_is_what_the_checkpoint_proves(published: Any) -> None:
    _checkpoint(published)
    result = _verify(published, published.pdf, published.root, "--db", published.db_url)
    assert result.exit_code == 0, result.output
    assert "OK: the issued e-certificate 电子证书 HN2025JZ2-0001" in result.stdout
    assert "valid as of checkpoint" in result.stdout and "valid (有效) at index 0" in result.stdout
    assert "not checked  ledger: events after checkpoint" in result.stdout


def test_without_a_checkpoint_the_status_is_unproven(published: Any) -> None:
    result = _verify(published, published.pdf, published.root, "--db", published.db_url)
    assert result.exit_code == 1 and "status cannot be proven" in result.stderr, result.output


def test_a_void_certificate_s_document_fails(published: Any) -> None:
    _void(published)
    _checkpoint(published)
    result = _verify(published, published.pdf, published.root, "--db", published.db_url, "--json")
    assert result.exit_code == 1, result.output
    shown = json.loads(result.stdout)
    assert shown["ok"] is False and shown["status"] == "void" and shown["proven"]["status"] == "void"
    assert "records it as void (作废)" in result.stderr


def test_deleting_the_covered_void_row_is_found(published: Any) -> None:
    _void(published)
    _checkpoint(published)
    with Forger(published.db_url) as f:
        [(nid,)] = f.sql(f"SELECT {f.nid_column} FROM {f.table} WHERE topic LIKE ?", ("%Candidacy.IneligibilityFound",))
        f.delete(nid)
    published.tampered = True
    result = _verify(published, published.pdf, published.root, "--db", published.db_url)
    assert result.exit_code == 1, result.output
    assert "records HN2025JZ2-0001 as void" in result.stderr and "OK" not in result.stdout


def test_a_kept_note_before_the_void_names_the_void_as_not_covered(published: Any, tmp_path: Path) -> None:
    kept = tmp_path / "kept.note"
    _checkpoint(published, "-o", str(kept))
    _void(published)
    _checkpoint(published)
    result = _verify(published, published.pdf, published.root, "--db", published.db_url, "--checkpoint", str(kept),
                     "--json")
    assert result.exit_code == 1, result.output
    shown = json.loads(result.stdout)
    assert shown["proven"]["kept_note"] is True and shown["proven"]["status"] == "valid"
    assert shown["status"] == "void"  # the replay's, after the kept checkpoint: named, not proven


def test_checkpoint_needs_db(published: Any, tmp_path: Path) -> None:
    kept = tmp_path / "kept.note"
    kept.write_text("x", encoding="utf-8")
    result = _verify(published, published.pdf, published.root, "--checkpoint", str(kept))
    assert result.exit_code == 2 and "give --db" in result.stderr
