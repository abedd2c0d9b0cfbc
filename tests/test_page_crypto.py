"""The verification page's crypto core (page/verify_core.js) in Debian's Chromium, driven by
Playwright (never a browser download): JCS against RFC 8785's examples and the reference
Python implementation (rfc8785), eddsa-jcs-2022 against the W3C vc-di-eddsa Recommendation's
example byte for byte, and a C2SP checkpoint note with an RFC 9162 inclusion proof forged
with ``cryptography`` — each also refused when off by one byte or one index."""

from __future__ import annotations

import base64
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import rfc8785
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from certledger.events.merkle import inclusion_proof, leaf_hash, perfect_subtree_hashes, root
from certledger.signing.note import Verifier, checkpoint_body, sign_note

ROOT = Path(__file__).resolve().parent.parent
VECTORS = ROOT / "tests" / "vectors" / "vc-di-eddsa"
CORE = ROOT / "page" / "verify_core.js"
CHROMIUM = "/usr/bin/chromium"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    if not Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is None:
        if IN_CI:
            pytest.fail(f"CI=true and {CHROMIUM} is missing: the browser tests may not be skipped (scripts/_system.sh installs it)")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    html = tmp_path_factory.mktemp("page") / "core.html"
    html.write_text(f"<!doctype html><meta charset=utf-8><script>{CORE.read_text()}</script>", encoding="utf-8")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        tab = browser.new_page()
        requests: list[str] = []
        tab.on("request", lambda r: requests.append(r.url))
        tab.goto(html.as_uri())
        yield tab
        assert [r for r in requests if not r.startswith("file:")] == []  # no network request of its own
        browser.close()


def _js(page, expression: str, *args: object) -> object:
    return page.evaluate(expression, list(args))


RFC8785_EXAMPLE = (
    '{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001], '
    '"string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/", "literals": [null, true, false]}'
)


def test_jcs_matches_rfc_8785_and_the_reference_implementation(page) -> None:
    canonical = _js(page, "([t]) => CertLedgerVerify.jcs(JSON.parse(t))", RFC8785_EXAMPLE)
    assert canonical == '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],' \
                        '"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}'
    samples = [
        {"\u20ac": 1, "\r": 2, "\ufb33": 3, "1": 4, "\U0001f600": 5, "\u0080": 6, "\u00f6": 7},  # RFC 8785 §3.2.3 sort
        [0, -0.0, 1e21, 1e-7, 0.000001, 1.2345678901234568e20, 5e-324, 1.7976931348623157e308, -1.5],
        {"证书编号": "HN2025JZ2000001", "nested": {"b": [True, None, "\u2028\u0000\t"], "a": {}}},
    ]
    for sample in samples:
        text = json.dumps(sample, ensure_ascii=False)
        assert _js(page, "([t]) => CertLedgerVerify.jcs(JSON.parse(t))", text) == rfc8785.dumps(sample).decode()


def test_eddsa_jcs_2022_reproduces_the_w3c_example(page) -> None:
    signed = (VECTORS / "signedJCS.json").read_text()
    key = json.loads((VECTORS / "keyPair.json").read_text())["publicKeyMultibase"]
    script = """async ([doc, key]) => {
        const V = CertLedgerVerify, d = JSON.parse(doc);
        const r = await V.verifyEddsaJcs2022(d, async () => V.multikeyEd25519(key));
        const unsecured = Object.assign({}, d); delete unsecured.proof;
        return {r, canon: V.jcs(unsecured)};
    }"""
    out = _js(page, script, signed, key)
    assert out["r"]["verified"] is True, out
    assert out["r"]["hashData"] == (VECTORS / "combinedHashJCS.txt").read_text().strip()
    assert out["canon"] == (VECTORS / "canonDocJCS.txt").read_text().strip()
    edited = json.loads(signed)
    edited["credentialSubject"]["alumniOf"] = "The School of Examples!"
    assert _js(page, script, json.dumps(edited), key)["r"]["verified"] is False
    edited = json.loads(signed)
    edited["proof"]["cryptosuite"] = "eddsa-rdfc-2022"
    refused = _js(page, script, json.dumps(edited), key)["r"]
    assert refused["verified"] is False and "unknown cryptosuite" in refused["reason"]


def test_a_checkpoint_note_and_an_inclusion_proof_verify(page) -> None:
    key = Ed25519PrivateKey.generate()
    while "+" not in Verifier("hrss", key.public_key().public_bytes_raw()).text.split("+", 2)[2]:
        key = Ed25519PrivateKey.generate()  # a key whose base64 holds '+': the split that once failed
    public = key.public_key().public_bytes_raw()
    leaves = [leaf_hash(i.to_bytes(2, "big") * 16) for i in range(300)]
    store = perfect_subtree_hashes(leaves)
    head = root(leaves)
    note = sign_note(checkpoint_body("example.origin", len(leaves), head), "hrss", key)
    vkey = Verifier("hrss", public).text
    script = """async ([note, vkey, index, entry, proof]) => {
        const V = CertLedgerVerify, c = await V.openCheckpoint(note, vkey);
        if (!c.verified) return {c};
        const leaf = await V.leafHash(V.b64decode(entry));
        const ok = await V.verifyInclusion(index, c.size, leaf, proof.map(V.b64decode), c.root);
        return {c: {verified: c.verified, size: c.size, origin: c.origin}, ok};
    }"""

    def run(note_text: str, vkey_text: str, index: int, entry_index: int) -> dict:
        proof = inclusion_proof(index, len(leaves), lambda level, i: store.get((level, i)) or leaf_at(level, i))
        entry = base64.b64encode(entry_index.to_bytes(2, "big") * 16).decode()
        return _js(page, script, note_text, vkey_text, index, entry, [base64.b64encode(p).decode() for p in proof])

    def leaf_at(level: int, i: int) -> bytes:
        assert level == 0
        return leaves[i]

    good = run(note, vkey, 123, 123)
    assert good["c"] == {"verified": True, "size": 300, "origin": "example.origin"} and good["ok"] is True
    assert run(note, vkey, 124, 123)["ok"] is False  # an inclusion proof off by one
    other = Verifier("hrss", Ed25519PrivateKey.generate().public_key().public_bytes_raw()).text
    assert run(note, other, 123, 123)["c"]["verified"] is False  # another key
    forged = note.replace("\n300\n", "\n301\n")
    assert run(forged, vkey, 123, 123)["c"]["verified"] is False
