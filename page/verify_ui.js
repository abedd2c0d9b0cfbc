// certledger verification page: reading the input and giving one verdict (plain JS).
// The DID document is pinned when the page is built (window.PINNED_DID); nothing is fetched.
(function () {
  "use strict";
  const V = window.CertLedgerVerify;
  const DID = window.PINNED_DID;
  const ROOT = window.PINNED_ROOT;
  const LABEL = {
    valid: "有效 valid", void: "无效（已作废） void", invalid: "无效 invalid", unverifiable: "无法验证 cannot verify",
  };

  function parse(text) {
    try { return JSON.parse(text); } catch (e) { return undefined; }
  }
  function kind(doc) {
    if (!doc || typeof doc !== "object" || Array.isArray(doc)) return "unknown";
    const types = [].concat(doc.type || []);
    if (types.includes("BitstringStatusListCredential")) return "status-list";
    if (doc.credentialSubject && doc.proof) return "credential";
    if (doc.format === "certledger-certificate-bundle/1" || doc.checkpoint || doc.inclusion || doc.bundle_format) return "bundle";
    return "unknown";
  }
  function methodFor(id) {
    return (DID.verificationMethod || []).find((m) => m.id === id);
  }
  async function checkProof(doc) {
    return V.verifyEddsaJcs2022(doc, async (id) => {
      const m = methodFor(id);
      return m ? V.multikeyEd25519(m.publicKeyMultibase) : null;
    });
  }
  async function statusBit(list, index) {
    const encoded = list.credentialSubject && list.credentialSubject.encodedList;
    if (typeof encoded !== "string" || encoded[0] !== "u") throw new Error("encodedList is not multibase base64url");
    const b64 = encoded.slice(1).replace(/-/g, "+").replace(/_/g, "/");
    const packed = V.b64decode(b64 + "=".repeat((4 - (b64.length % 4)) % 4));
    const stream = new Blob([packed]).stream().pipeThrough(new DecompressionStream("gzip"));
    const bits = new Uint8Array(await new Response(stream).arrayBuffer());
    if (!(index >= 0 && index < bits.length * 8)) throw new Error("status index " + index + " is outside the list");
    return (bits[index >> 3] >> (7 - (index & 7))) & 1;
  }

  // verdict(texts) -> {verdict, reason, checked: [...], notChecked: [...]}
  async function verdict(texts) {
    const checked = [], notChecked = [];
    const docs = texts.map(parse);
    if (docs.some((d) => d === undefined)) return { verdict: "invalid", code: "malformed", reason: "输入不是 JSON malformed JSON", checked, notChecked };
    const credentials = docs.filter((d) => kind(d) === "credential");
    const lists = docs.filter((d) => kind(d) === "status-list");
    const bundles = texts.filter((t, i) => kind(docs[i]) === "bundle");
    if (bundles.length) {
      if (bundles.length !== 1 || docs.length !== 1) {
        return { verdict: "unverifiable", reason: "请只提供一个证书包 give one certificate bundle, on its own", checked, notChecked };
      }
      return bundleVerdict(bundles[0]);
    }
    if (credentials.length !== 1) {
      return { verdict: "unverifiable", reason: "请提供一份电子证书凭证 give exactly one credential", checked, notChecked };
    }
    const c = credentials[0];
    const proof = c.proof || {};
    const issuer = typeof c.issuer === "string" ? c.issuer : (c.issuer || {}).id;
    if (issuer !== DID.id) return { verdict: "invalid", reason: "签发者不是 " + DID.id + " wrong issuer: " + issuer, checked, notChecked };
    checked.push("issuer is " + DID.id + " (DID document pinned in this page)");
    if (proof.cryptosuite !== "eddsa-jcs-2022") {
      return { verdict: "invalid", reason: "未知密码套件 unknown cryptosuite " + JSON.stringify(proof.cryptosuite), checked, notChecked };
    }
    const method = methodFor(proof.verificationMethod);
    if (!method || String(proof.verificationMethod).split("#")[0] !== DID.id) {
      return { verdict: "invalid", reason: "签名密钥不属于签发者 key not in the issuer's DID document", checked, notChecked };
    }
    const result = await checkProof(c);
    if (!result.verified) return { verdict: "invalid", reason: "签名无效（内容被改动？） " + result.reason, checked, notChecked };
    checked.push("eddsa-jcs-2022 proof by " + proof.verificationMethod);
    if (method.revoked && Date.parse(method.revoked) <= Date.parse(proof.created)) {
      return { verdict: "invalid", reason: "签名时密钥已吊销 key revoked before issue (" + method.revoked + ")", checked, notChecked };
    }
    if (method.revoked) checked.push("key revoked at " + method.revoked + ", after the proof was made");
    const entry = c.credentialStatus;
    if (!entry) {
      notChecked.push("status: the credential names no status list");
    } else if (!lists.length) {
      notChecked.push("状态未核验（离线） status not checked (offline): give the status list to check it");
    } else {
      const list = lists.find((l) => l.id === entry.statusListCredential);
      if (!list) return { verdict: "unverifiable", reason: "状态列表不是此凭证所指 the status list given is not the one the credential names", checked, notChecked };
      const listed = await checkProof(list);
      const listIssuer = typeof list.issuer === "string" ? list.issuer : (list.issuer || {}).id;
      if (!listed.verified || listIssuer !== DID.id) {
        return { verdict: "unverifiable", reason: "状态列表签名无效 the status list's proof does not verify: " + listed.reason, checked, notChecked };
      }
      let bit;
      try { bit = await statusBit(list, Number(entry.statusListIndex)); } catch (e) {
        return { verdict: "unverifiable", reason: String(e.message || e), checked, notChecked };
      }
      const cp = list.certledgerCheckpoint || null;
      const when = cp ? "with checkpoint " + cp.size + " (检查点, " + cp.recordedAt + ")" : (list.validFrom || (list.proof || {}).created || "");
      checked.push("status bit " + entry.statusListIndex + " in the status list signed " + when);
      notChecked.push("status changes after that list was signed " + (cp ? "(events after checkpoint " + cp.size + ")" : ""));
      if (bit) return { verdict: "void", reason: "已作废 revoked in the status list", checked, notChecked };
    }
    notChecked.push("inclusion in the ledger's log (give the bundle to certledger cert verify)");
    return { verdict: "valid", reason: "凭证有效 the credential verifies", checked, notChecked };
  }

  // A certificate bundle (certledger cert export), checked as `certledger cert verify BUNDLE
  // --trust ROOT` checks it (verify_bundle.js); the verdict carries the CLI's reason code.
  async function bundleVerdict(text) {
    const B = window.CertLedgerBundle;
    if (typeof ROOT !== "string" || !ROOT) {
      return { verdict: "unverifiable", reason: "本页未固定信任根 no root key is pinned in this page (build it with certledger page from the ledger, or --trust)", checked: [], notChecked: [] };
    }
    let v;
    try { v = await B.verifyBundle(text, ROOT); } catch (e) {
      if (!(e instanceof B.BundleError)) throw e;
      return { verdict: "invalid", code: e.reason, reason: "证书包无效 " + (B.REASONS[e.reason] || e.reason) + " — " + e.message, checked: [], notChecked: [] };
    }
    const d = v.document || {};
    const what = (d.kind || "") + " " + (d.number || "") + " " + (d.holder || "");
    if (v.status && v.status.void) {
      return { verdict: "void", code: "void", reason: "已作废 " + what + ": the status list HRSS signed with checkpoint " + v.status.checkpointSize + " records it as void", checked: v.checked, notChecked: v.notChecked };
    }
    return { verdict: "valid", code: null, reason: "证书包有效 the bundle verifies: " + what, checked: v.checked, notChecked: v.notChecked };
  }

  function show(result) {
    const box = document.getElementById("verdict");
    box.dataset.verdict = result.verdict;
    box.dataset.reason = result.code || "";
    box.setAttribute("aria-live", "polite");
    box.textContent = LABEL[result.verdict] + " — " + result.reason;
    const list = (id, items) => {
      const ul = document.getElementById(id);
      ul.replaceChildren(...items.map((t) => { const li = document.createElement("li"); li.textContent = t; return li; }));
    };
    list("checked", result.checked);
    list("not-checked", result.notChecked);
  }
  async function run(texts) {
    try { show(await verdict(texts)); } catch (e) {
      show({ verdict: "unverifiable", reason: "无法验证 " + String(e.message || e), checked: [], notChecked: [] });
    }
  }
  async function readFiles(files) { return Promise.all(Array.from(files).map((f) => f.text())); }

  window.CertLedgerPage = { verdict, run };
  document.getElementById("check").addEventListener("click", () => {
    const text = document.getElementById("paste").value.trim();
    // Several documents may be pasted, separated by a blank line and '---'.
    run(text.split(/\n---\n/).map((t) => t.trim()).filter(Boolean));
  });
  document.getElementById("files").addEventListener("change", async (e) => run(await readFiles(e.target.files)));
  const drop = document.getElementById("drop");
  drop.addEventListener("dragover", (e) => { e.preventDefault(); });
  drop.addEventListener("drop", async (e) => { e.preventDefault(); run(await readFiles(e.dataTransfer.files)); });
  document.getElementById("pinned").textContent = DID.id + " · " + (DID.verificationMethod || []).length + " keys";
  document.getElementById("pinned-root").textContent = ROOT || "未固定 none (bundles cannot be checked)";
})();
