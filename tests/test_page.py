"""The verification page (certledger page) in Debian's Chromium from file://, over the demo's
credentials: the verdict element's data-verdict for valid, edited, void with its status list,
offline (status not checked), wrong issuer, unknown cryptosuite and malformed input; and the
same two certificates as bundles (cert export), valid and void, checked against the root of
trust the page pins; screenshots of the valid, void, tampered and bundle cases are saved
under the test's tmp dir."""

from __future__ import annotations

import json
import os
import re
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
    for name in ("credential-e-certificate", "credential-pass-proof-void"):  # the same certificates as bundles
        number = json.loads((credentials / f"{name}.json").read_text(encoding="utf-8"))["credentialSubject"]["certificateNumber"]
        subprocess.run([str(CERTLEDGER), "--db", str(where / "demo" / "ledger.db"), "cert", "export", number,
                        "-o", str(credentials / (name.replace("credential", "bundle") + ".json"))],
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
        # the demo's certificate bundles (cert export), dropped in: checked against the root pinned
        for name, expected, shown in (("bundle-e-certificate", "valid", "证书包有效"), ("bundle-pass-proof-void", "void", "已作废")):
            tab.set_input_files("#files", [str(demo / f"{name}.json")])
            tab.wait_for_function("() => document.getElementById('verdict').dataset.verdict !== ''")
            body = tab.inner_text("body")
            assert tab.get_attribute("#verdict", "data-verdict") == expected, (name, body[-1200:])
            assert shown in body and "包含证明 inclusion: leaf" in body and "events after checkpoint" in body, (name, body[-1200:])
            tab.screenshot(path=str(tmp_path / f"page-{name}.png"), full_page=True)
            tab.evaluate("document.getElementById('verdict').dataset.verdict = ''")
        # a file dropped in through the picker
        tab.set_input_files("#files", [str(demo / "credential-pass-proof-void.json"), str(demo / "status-revocation.json")])
        tab.wait_for_function("() => document.getElementById('verdict').dataset.verdict === 'void'")
        browser.close()
    assert remote == []
    # the CLI gives the same verdicts, against the root of trust the page pins
    root = re.search(r'window\.PINNED_ROOT = "(ed25519:[0-9a-f]{32})"', (demo / "verify.html").read_text(encoding="utf-8")).group(1)
    for name, code in (("bundle-e-certificate", 0), ("bundle-pass-proof-void", 1)):
        done = subprocess.run([str(CERTLEDGER), "cert", "verify", str(demo / f"{name}.json"), "--trust", root], capture_output=True, text=True)
        assert done.returncode == code and ("not verified: void" in done.stderr) == bool(code), (name, done.stderr)
    assert all((tmp_path / f"page-{n}.png").stat().st_size > 1000
               for n in ("valid", "void", "tampered", "bundle-e-certificate", "bundle-pass-proof-void"))
