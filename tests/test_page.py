"""The verification page (certledger page) in Debian's Chromium from file://, over the demo's
credentials: the verdict element's data-verdict for valid, edited, void with its status list,
offline (status not checked), wrong issuer, unknown cryptosuite and malformed input;
screenshots of the valid, void and tampered cases are saved under the test's tmp dir."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_page_crypto import CHROMIUM, IN_CI

CERTLEDGER = Path(sys.executable).with_name("certledger")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    where = tmp_path_factory.mktemp("page-demo")
    env = {**os.environ, "CERTLEDGER_KEY_PASSPHRASE": "certledger-demo"}
    subprocess.run([str(CERTLEDGER), "demo", "--dir", str(where / "demo"), "--candidates", "40"],
                   env=env, check=True, capture_output=True)
    credentials = where / "demo" / "credentials"
    subprocess.run([str(CERTLEDGER), "--db", str(where / "demo" / "ledger.db"), "page", "-o", str(credentials / "verify.html")],
                   env=env, check=True, capture_output=True)
    return credentials


def test_the_page_gives_one_verdict_per_case(demo: Path, tmp_path: Path) -> None:
    if not Path(CHROMIUM).exists():
        if IN_CI:
            pytest.fail(f"CI=true and {CHROMIUM} is missing: the browser tests may not be skipped")
        pytest.skip(f"{CHROMIUM} is missing")
    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    from playwright.sync_api import sync_playwright

    text = lambda name: (demo / name).read_text(encoding="utf-8")  # noqa: E731
    ecert, void, status = text("credential-e-certificate.json"), text("credential-pass-proof-void.json"), text("status-revocation.json")
    edited = json.loads(ecert)
    edited["credentialSubject"]["name"] += "甲"
    other_issuer = json.loads(ecert)
    other_issuer["issuer"]["id"] = "did:web:evil.example"
    suite = json.loads(ecert)
    suite["proof"]["cryptosuite"] = "eddsa-2099"
    cases = {
        "valid": ([ecert], "valid", "status not checked (offline)"),
        "valid-pass-proof-with-status": ([text("credential-pass-proof.json"), status], "valid", "status bit"),
        "void": ([void, status], "void", "已作废"),
        "void-offline": ([void], "valid", "status not checked (offline)"),
        "tampered": ([json.dumps(edited, ensure_ascii=False)], "invalid", "签名无效"),
        "wrong-issuer": ([json.dumps(other_issuer, ensure_ascii=False)], "invalid", "wrong issuer"),
        "unknown-cryptosuite": ([json.dumps(suite)], "invalid", "unknown cryptosuite"),
        "malformed": (["{not json"], "invalid", "malformed JSON"),
    }
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        tab = browser.new_page()
        remote: list[str] = []
        tab.on("request", lambda r: remote.append(r.url) if not r.url.startswith("file:") else None)
        tab.goto((demo / "verify.html").as_uri())
        for name, (documents, expected, shown) in cases.items():
            tab.fill("#paste", "\n---\n".join(documents))
            tab.click("#check")
            tab.wait_for_function("() => document.getElementById('verdict').dataset.verdict !== ''")
            got = tab.get_attribute("#verdict", "data-verdict")
            body = tab.inner_text("body")
            assert got == expected, (name, got, body[-800:])
            assert shown in body, (name, body[-800:])
            if name in ("valid", "void", "tampered"):
                tab.screenshot(path=str(tmp_path / f"page-{name}.png"), full_page=True)
            tab.evaluate("document.getElementById('verdict').dataset.verdict = ''")
        # a file dropped in through the picker
        tab.set_input_files("#files", [str(demo / "credential-pass-proof-void.json"), str(demo / "status-revocation.json")])
        tab.wait_for_function("() => document.getElementById('verdict').dataset.verdict === 'void'")
        browser.close()
    assert remote == []
    assert all((tmp_path / f"page-{n}.png").stat().st_size > 1000 for n in ("valid", "void", "tampered"))
