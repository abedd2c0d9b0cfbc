// certledger verification page: the crypto core (plain JS, no dependencies, no network).
// Everything the page checks offline with WebCrypto (Ed25519, SHA-256):
//  - JCS, RFC 8785, for JSON values (as parsed by JSON.parse);
//  - W3C Data Integrity eddsa-jcs-2022 proofs (vc-di-eddsa §3.3: verify);
//  - Multikey / multibase base58btc Ed25519 keys;
//  - C2SP signed notes (Ed25519) and checkpoints (c2sp.org/tlog-checkpoint);
//  - RFC 9162 §2.1.3.2 inclusion proof verification.
// Written against the specifications only; it shares no code with the Python side.
(function (global) {
  "use strict";
  const enc = new TextEncoder();

  // -- JCS (RFC 8785) -------------------------------------------------------------------
  // Numbers: ECMAScript Number serialisation (RFC 8785 §3.2.2.3) = JSON.stringify of a finite
  // number; strings: JSON.stringify's escaping (§3.2.2.2); object members sorted by their
  // names as UTF-16 code units (§3.2.3) = the default Array.prototype.sort order.
  function jcs(value) {
    if (value === null || typeof value === "boolean") return JSON.stringify(value);
    if (typeof value === "number") {
      if (!Number.isFinite(value)) throw new Error("JCS: NaN and Infinity are not JSON");
      return JSON.stringify(value);
    }
    if (typeof value === "string") return JSON.stringify(value);
    if (Array.isArray(value)) return "[" + value.map(jcs).join(",") + "]";
    if (typeof value === "object") {
      const keys = Object.keys(value).sort();
      return "{" + keys.map((k) => JSON.stringify(k) + ":" + jcs(value[k])).join(",") + "}";
    }
    throw new Error("JCS: not a JSON value");
  }

  // -- encodings ------------------------------------------------------------------------
  const B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
  function base58btcDecode(text) {
    let n = 0n;
    for (const ch of text) {
      const digit = B58.indexOf(ch);
      if (digit < 0) throw new Error("not base58btc");
      n = n * 58n + BigInt(digit);
    }
    const body = [];
    while (n > 0n) { body.push(Number(n & 0xffn)); n >>= 8n; }
    const zeros = text.length - text.replace(/^1+/, "").length;
    return Uint8Array.from([...new Array(zeros).fill(0), ...body.reverse()]);
  }
  function b64decode(text) {
    const bin = atob(text);
    return Uint8Array.from(bin, (c) => c.charCodeAt(0));
  }
  function b64encode(bytes) { return btoa(String.fromCharCode(...bytes)); }
  function hex(bytes) { return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(""); }
  function concat(...parts) {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) { out.set(p, at); at += p.length; }
    return out;
  }
  function equal(a, b) { return a.length === b.length && a.every((v, i) => v === b[i]); }
  async function sha256(bytes) { return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes)); }
  async function ed25519Verify(publicKey, signature, message) {
    const key = await crypto.subtle.importKey("raw", publicKey, { name: "Ed25519" }, false, ["verify"]);
    return crypto.subtle.verify({ name: "Ed25519" }, key, signature, message);
  }

  // A Multikey's publicKeyMultibase: 'z' base58btc of 0xed 0x01 ‖ 32-byte Ed25519 key.
  function multikeyEd25519(multibase) {
    if (typeof multibase !== "string" || multibase[0] !== "z") throw new Error("not a base58btc multibase key");
    const raw = base58btcDecode(multibase.slice(1));
    if (raw.length !== 34 || raw[0] !== 0xed || raw[1] !== 0x01) throw new Error("not an Ed25519 Multikey");
    return raw.slice(2);
  }

  // -- eddsa-jcs-2022 (vc-di-eddsa §3.3.2 verify, §3.3.4 hashing, §3.3.5 proof config) ------
  // Returns {verified, reason, hashData}.
  async function verifyEddsaJcs2022(document, publicKeyFor) {
    if (!document || typeof document !== "object" || Array.isArray(document)) return { verified: false, reason: "not a JSON object" };
    const proof = document.proof;
    if (!proof || typeof proof !== "object" || Array.isArray(proof)) return { verified: false, reason: "no proof" };
    if (proof.type !== "DataIntegrityProof") return { verified: false, reason: "proof type is not DataIntegrityProof" };
    if (proof.cryptosuite !== "eddsa-jcs-2022") return { verified: false, reason: "unknown cryptosuite " + JSON.stringify(proof.cryptosuite) };
    if (typeof proof.proofValue !== "string" || proof.proofValue[0] !== "z") return { verified: false, reason: "proofValue is not base58btc" };
    const unsecured = Object.assign({}, document);
    delete unsecured.proof;
    const config = Object.assign({}, proof);
    delete config.proofValue;
    if (document["@context"] !== undefined) {
      if (jcs(config["@context"] === undefined ? document["@context"] : config["@context"]) !== jcs(document["@context"]))
        return { verified: false, reason: "the proof's @context is not the document's" };
      config["@context"] = document["@context"];
    }
    let signature, publicKey;
    try {
      signature = base58btcDecode(proof.proofValue.slice(1));
      publicKey = await publicKeyFor(proof.verificationMethod);
    } catch (e) {
      return { verified: false, reason: String(e.message || e) };
    }
    if (!publicKey) return { verified: false, reason: "unknown verification method " + proof.verificationMethod };
    if (signature.length !== 64) return { verified: false, reason: "the signature is not 64 bytes" };
    const hashData = concat(await sha256(enc.encode(jcs(config))), await sha256(enc.encode(jcs(unsecured))));
    const ok = await ed25519Verify(publicKey, signature, hashData);
    return { verified: ok, reason: ok ? "proof verified" : "the proof's signature does not verify (edited?)", hashData: hex(hashData) };
  }

  // -- C2SP signed note and checkpoint --------------------------------------------------
  async function keyHash(name, publicKey) {
    return (await sha256(concat(enc.encode(name + "\n"), Uint8Array.of(1), publicKey))).slice(0, 4);
  }
  function parseVkey(vkey) {
    // name+hash+key, where the base64 key may itself hold '+': split at the first two only.
    const text = vkey.trim(), first = text.indexOf("+"), second = text.indexOf("+", first + 1);
    if (first < 0 || second < 0) throw new Error("not a verifier key (name+hash+key)");
    const name = text.slice(0, first), hash = text.slice(first + 1, second), key = text.slice(second + 1);
    const raw = b64decode(key);
    if (raw.length !== 33 || raw[0] !== 1) throw new Error("not an Ed25519 verifier key");
    return { name, hash, publicKey: raw.slice(1) };
  }
  // Returns {verified, reason, origin, size, root}.
  async function openCheckpoint(note, vkey) {
    const { name, hash, publicKey } = parseVkey(vkey);
    const expected = await keyHash(name, publicKey);
    if (hex(expected) !== hash) return { verified: false, reason: "the verifier key's hash does not match its key" };
    const split = note.indexOf("\n\n");
    if (split < 0) return { verified: false, reason: "the note has no signatures" };
    const text = note.slice(0, split + 1);
    const lines = note.slice(split + 2).replace(/\n$/, "").split("\n");
    let verified = false;
    for (const line of lines) {
      if (!line.startsWith("\u2014 ")) return { verified: false, reason: "malformed signature line" };
      const space = line.lastIndexOf(" ");
      if (line.slice(2, space) !== name) continue;
      const raw = b64decode(line.slice(space + 1));
      if (!equal(raw.slice(0, 4), expected)) continue;
      verified = await ed25519Verify(publicKey, raw.slice(4), enc.encode(text));
      if (!verified) return { verified: false, reason: "the checkpoint's signature does not verify" };
    }
    if (!verified) return { verified: false, reason: "the checkpoint carries no signature by " + name };
    const body = text.split("\n");
    if (!/^(0|[1-9][0-9]*)$/.test(body[1])) return { verified: false, reason: "bad tree size" };
    const root = b64decode(body[2]);
    if (root.length !== 32) return { verified: false, reason: "bad root hash" };
    return { verified: true, reason: "checkpoint signed by " + name, origin: body[0], size: Number(body[1]), root };
  }

  // -- RFC 9162 ------------------------------------------------------------------------
  async function leafHash(entry) { return sha256(concat(Uint8Array.of(0), entry)); }
  async function nodeHash(l, r) { return sha256(concat(Uint8Array.of(1), l, r)); }
  // RFC 9162 §2.1.3.2. Returns true when the proof leads from the leaf hash to root.
  async function verifyInclusion(index, size, leaf, proof, root) {
    if (!(index >= 0 && index < size)) return false;
    let fn = index, sn = size - 1, r = leaf;
    for (const p of proof) {
      if (sn === 0) return false;
      if (fn % 2 === 1 || fn === sn) {
        r = await nodeHash(p, r);
        if (fn % 2 === 0) { while (fn % 2 === 0 && fn !== 0) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); } }
      } else {
        r = await nodeHash(r, p);
      }
      fn = Math.floor(fn / 2); sn = Math.floor(sn / 2);
    }
    return sn === 0 && equal(r, root);
  }

  global.CertLedgerVerify = {
    jcs, base58btcDecode, b64decode, b64encode, hex, sha256, multikeyEd25519, verifyEddsaJcs2022,
    openCheckpoint, leafHash, nodeHash, verifyInclusion, ed25519Verify,
  };
})(typeof window !== "undefined" ? window : globalThis);
