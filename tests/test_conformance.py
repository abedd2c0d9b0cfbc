"""The conformance corpus (conformance/): every checker gives each case its expected verdict.

Checkers: the CLI (``certledger cert verify``), the verification page in Debian's Chromium,
and Digital Bazaar's VC verifier (tools/vc-verifier). The credential cases are committed and
reproducible (``conformance/generate.py --check``); the bundle cases are made from a fresh
ledger here, as a bundle needs one (its keys are random), and run through the CLI and the page
(built from that ledger, its root of trust pinned): the same verdict and reason code.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import orjson
import pytest
from click.testing import CliRunner

from certledger.cli.main import cli
from certledger.events.checkpoints import record_checkpoint
from tests.test_page_crypto import CHROMIUM, IN_CI

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "conformance" / "credentials"
CASES = sorted(p.name for p in CORPUS.iterdir() if (p / "expected.json").is_file())
VERIFIER = ROOT / "tools" / "vc-verifier"


def _expected(case: Path, checker: str) -> dict[str, Any]:
    expected = json.loads((case / "expected.json").read_text(encoding="utf-8"))
    return {**expected, **expected.get("exceptions", {}).get(checker, {})}


def _inputs(case: Path) -> dict[str, Path]:
    return {k: (case / v).resolve() for k, v in json.loads((case / "expected.json").read_text(encoding="utf-8"))["inputs"].items()}


def cli_verdict(args: list[str]) -> tuple[str, str | None]:
    """(verdict, reason) of ``certledger cert verify …``: exit 0 valid; ``revoked``/``void`` void."""
    result = CliRunner().invoke(cli, ["cert", "verify", *args])
    assert "Traceback" not in result.output, result.output
    if result.exit_code == 0:
        return "valid", None
    line = [l for l in result.stderr.splitlines() if "not verified:" in l]
    assert result.exit_code == 1 and line, (result.exit_code, result.output)
    reason = line[-1].split("not verified: ", 1)[1].split(":", 1)[0]
    if reason in ("revoked", "void"):
        return "void", reason
    return ("unverifiable" if reason in UNVERIFIABLE else "invalid"), reason


# the reasons the CLI gives when the document may be genuine but its status cannot be read
UNVERIFIABLE = ("index-out-of-range", "wrong-list", "unproven")


def test_the_committed_corpus_is_what_generate_writes() -> None:
    done = subprocess.run([sys.executable, str(ROOT / "conformance" / "generate.py"), "--check"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("name", CASES)
def test_the_cli_agrees(name: str) -> None:
    case = CORPUS / name
    inputs, expected = _inputs(case), _expected(case, "cli")
    args = [str(inputs["credential"]), "--did", str(inputs["did"])]
    if "status_list" in inputs:
        args += ["--status-list", str(inputs["status_list"])]
    assert cli_verdict(args) == (expected["verdict"], expected["reason"])
    if "id_number" in expected:  # L-7: the holder's number matches the seal, another does not
        assert cli_verdict([*args, "--id-number", expected["id_number"]["holder"]]) == ("valid", None)
        assert cli_verdict([*args, "--id-number", expected["id_number"]["other"]]) == ("invalid", "id-number")


def test_digital_bazaar_agrees() -> None:
    node = shutil.which("node")
    if node is None or not (VERIFIER / "node_modules").is_dir():
        if IN_CI:
            pytest.fail("CI=true and node or tools/vc-verifier/node_modules is missing")
        pytest.skip("node or the verifier's packages are missing")
    for name in CASES:
        case = CORPUS / name
        inputs, expected = _inputs(case), _expected(case, "digitalbazaar")
        args = [node, str(VERIFIER / "verify.js"), "--did", str(inputs["did"])]
        if "status_list" in inputs:
            args += ["--status-list", str(inputs["status_list"])]
        done = subprocess.run([*args, str(inputs["credential"])], capture_output=True, text=True, timeout=60)
        line = json.loads(done.stdout.splitlines()[0])
        got = "void" if line["revoked"] else "valid" if line["verified"] else "invalid"
        assert got == expected["verdict"], (name, line)


def _playwright():
    """Playwright for Debian's Chromium (never a browser download); a missing Chromium skips
    the test, or fails it under CI=true."""
    if not Path(CHROMIUM).exists():
        if IN_CI:
            pytest.fail(f"CI=true and {CHROMIUM} is missing: the browser tests may not be skipped")
        pytest.skip(f"{CHROMIUM} is missing")
    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    from playwright.sync_api import sync_playwright

    return sync_playwright


def test_the_page_agrees(tmp_path: Path) -> None:
    sync_playwright = _playwright()

    page = tmp_path / "verify.html"
    built = CliRunner().invoke(cli, ["page", "--did", str(CORPUS / "did.json"), "-o", str(page)])
    assert built.exit_code == 0, built.output
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        tab = browser.new_page()
        tab.goto(page.as_uri())
        for name in CASES:
            case = CORPUS / name
            inputs, expected = _inputs(case), _expected(case, "page")
            documents = [inputs["credential"].read_text(encoding="utf-8")]
            if "status_list" in inputs:
                documents.append(inputs["status_list"].read_text(encoding="utf-8"))
            tab.evaluate("document.getElementById('verdict').dataset.verdict = ''")
            tab.fill("#paste", "\n---\n".join(documents))
            tab.click("#check")
            tab.wait_for_function("() => document.getElementById('verdict').dataset.verdict !== ''")
            got = tab.get_attribute("#verdict", "data-verdict")
            assert got == expected["verdict"], (name, got, tab.inner_text("body")[-600:])
        browser.close()


# -- bundle cases: made from a fresh ledger, checked by the CLI and the page -----------------------

NUMBER, OTHER = "HN2025JZ2-0001", "HN2025JZ2-0002"


@pytest.fixture
def bundles(life: Any, tmp_path: Path) -> dict[str, Any]:
    sid = life.sitting("jianzaoshi-2")
    one, two = life.qualified(sid, ["cand.001", "cand.002"], exam_code="jianzaoshi-2")
    life.ledger.issue_e_certificate("hrss", one, NUMBER, on=date(2025, 7, 20))
    life.ledger.issue_e_certificate("hrss", two, OTHER, on=date(2025, 7, 20))
    life.ledger.find_ineligible("dept.zhujian.henan", two, "education", "学历不符合报名条件", on=date(2025, 9, 1))
    record_checkpoint(life.ledger)
    made = {}
    for label, number in (("valid", NUMBER), ("void", OTHER)):
        path = tmp_path / f"{label}.json"
        done = CliRunner().invoke(cli, ["--db", life.db_url, "cert", "export", number, "-o", str(path)])
        assert done.exit_code == 0, done.output
        made[label] = orjson.loads(path.read_bytes())
    return {"life": life, "root": life.ledger.registry().keys_of("hrss")[0].key_id, **made}


def test_the_bundle_cases(bundles: dict[str, Any], tmp_path: Path) -> None:

    valid, void = bundles["valid"], bundles["void"]
    edited = json.loads(json.dumps(valid))
    edited["document"]["holder"] += "甲"
    off_by_one = json.loads(json.dumps(valid))
    off_by_one["inclusion"]["leaf_index"] += 1
    other_ledger = json.loads(json.dumps(valid))
    other_ledger["checkpoint"] = other_ledger["checkpoint"].replace(valid["ledger"], "f" * 64, 1)
    import base64

    def message_of(bundle: dict[str, Any]) -> dict[str, Any]:
        return orjson.loads(base64.b64decode(bundle["sealed"]["message"]))

    reformatted = json.loads(json.dumps(valid))
    reformatted["sealed"]["message"] = base64.b64encode(json.dumps(message_of(valid), indent=1).encode()).decode()
    flipped = json.loads(json.dumps(valid))
    signature = bytearray(base64.b64decode(valid["sealed"]["signature"]))
    signature[5] ^= 1
    flipped["sealed"]["signature"] = base64.b64encode(bytes(signature)).decode()
    cut = json.loads(json.dumps(valid))
    cut["trust"] = cut["trust"][:-1]
    status_edited = json.loads(json.dumps(valid))
    status_edited["status"]["list"] = status_edited["status"]["list"].replace('"id"', '"id" ', 1)
    cases = {
        "valid": (valid, ("valid", None)),
        "reformatted-seal": (reformatted, ("invalid", "reformatted")),
        "e-seal-flipped": (flipped, ("invalid", "altered")),
        "trust-chain-cut": (cut, ("invalid", "trust-chain")),
        "status-list-edited": (status_edited, ("invalid", "altered")),
        "no-format": ({**valid, "format": "x"}, ("invalid", "malformed")),
        "no-trust-events": ({**valid, "trust": ""}, ("invalid", "trust-chain")),
        "void": (void, ("void", "void")),
        "edited-field": (edited, ("invalid", "altered")),
        "inclusion-proof-off-by-one": (off_by_one, ("invalid", "proof")),
        "another-ledgers-checkpoint": (other_ledger, ("invalid", "checkpoint-signature")),
        "malformed-json": ("{not json", ("invalid", "malformed")),
    }
    texts = {}
    for name, (bundle, expected) in cases.items():
        path = tmp_path / f"{name}.json"
        path.write_bytes(bundle.encode() if isinstance(bundle, str) else orjson.dumps(bundle))
        texts[name] = path.read_text(encoding="utf-8")
        assert cli_verdict([str(path), "--trust", bundles["root"]]) == expected, name
    page_verdicts(["--db", bundles["life"].db_url], tmp_path, {name: (texts[name], expected) for name, (_, expected) in cases.items()})
    # another root of trust, pinned and given: the bundle's ledger was not founded by it
    other = "ed25519:" + "0" * 32
    assert cli_verdict([str(tmp_path / "valid.json"), "--trust", other]) == ("invalid", "wrong-trust")
    page_verdicts(["page", "--did", str(CORPUS / "did.json"), "--trust", other], tmp_path, {"wrong-root": (texts["valid"], ("invalid", "wrong-trust"))})
    # a page with no root pinned (--did, no --trust) cannot check a bundle, and says so
    page_verdicts(["page", "--did", str(CORPUS / "did.json")], tmp_path, {"no-root": (texts["valid"], ("unverifiable", None))})


def page_verdicts(args: list[str], tmp_path: Path, cases: dict[str, tuple[str, tuple[str, str | None]]]) -> None:
    """Each bundle pasted into the page ``certledger *args page`` builds (``--db URL``: from
    that ledger, its root pinned) gives ``(verdict, reason)``: the CLI's."""
    sync_playwright = _playwright()

    page = tmp_path / "verify.html"
    if "page" not in args:
        args = [*args, "page"]
    built = CliRunner().invoke(cli, [*args, "-o", str(page)])
    assert built.exit_code == 0 and ("root of trust ed25519:" in built.output) == ("--did" not in args or "--trust" in args), built.output
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        tab = browser.new_page()
        remote: list[str] = []
        tab.on("request", lambda r: remote.append(r.url) if not r.url.startswith("file:") else None)
        tab.goto(page.as_uri())
        for name, (text, (verdict, reason)) in cases.items():
            tab.evaluate("document.getElementById('verdict').dataset.verdict = ''")
            tab.fill("#paste", text)
            tab.click("#check")
            tab.wait_for_function("() => document.getElementById('verdict').dataset.verdict !== ''")
            got = (tab.get_attribute("#verdict", "data-verdict"), tab.get_attribute("#verdict", "data-reason") or None)
            assert got == (verdict, reason), (name, got, tab.inner_text("body")[-800:])
        browser.close()
    assert remote == []
