// certledger verification page: the certificate bundle (证书包) that `certledger cert export`
// writes, checked offline with WebCrypto (Ed25519, SHA-256). A port of verify_bundle in
// events/certificate_bundle.py, check for check and in the same order, so that the page and
// `certledger cert verify BUNDLE --trust ROOT` give the same verdict and reason code:
//   1. the trust chain from the pinned root key (genesis), chained by prev, each event used
//      signed by a root key valid at its time;
//   2. the sealed document's exact bytes (canonical), the e-seal by an HRSS key of the chain
//      valid when it sealed, the readable copy equal to the sealed one;
//   3. the checkpoint note (C2SP signed note) signed by an HRSS key of the chain valid when it
//      was made, for this ledger, binding exactly the chain's head (trust-head line);
//   4. the RFC 9162 inclusion proof of the seal event (tree size = the checkpoint's);
//   5. the status list the checkpoint's note names (void → 无效（已作废）).
// Uses window.CertLedgerVerify (verify_core.js) for base64, SHA-256, Ed25519, JCS, RFC 9162.
(function (global) {
  "use strict";
  const V = global.CertLedgerVerify;
  const enc = new TextEncoder();
  const dec = new TextDecoder("utf-8", { fatal: true });
  const FORMAT = "certledger-certificate-bundle/1";
  const TRUST_STREAM = "3365d531-f470-5371-95bc-84245f17ed81";
  const ROOT_PARTY = "hrss";
  const SEAL_EVENT = "Candidacy.CertificateIssued";
  const COSIGNER_KINDS = ["witness", "exam-center", "department", "association", "society"];
  const EM_DASH = "\u2014";
  const ZERO64 = "0".repeat(64);
  // events/certificate_bundle.py REASONS, with the official Chinese beside them
  const REASONS = {
    "malformed": "文件不是证书包 the file is not a certificate bundle",
    "wrong-trust": "证书包的信任根不是本页固定的根密钥 the bundle's root of trust is not the key you trust",
    "trust-chain": "信任链不成立 the chain of trust events does not hold",
    "reformatted": "文书是转换（重新序列化）的副本，不是人社厅盖章的字节 the document is a converted (re-serialised) copy, not the bytes HRSS sealed",
    "altered": "文书不是人社厅所盖章的内容 the document is not what HRSS sealed",
    "key-revoked": "盖章时签章密钥无效 the sealing key was not valid when the document was sealed",
    "checkpoint-signature": "检查点签名不成立 the checkpoint's signature does not verify",
    "proof": "包含证明与检查点不符 the inclusion proof does not match the checkpoint",
  };

  class BundleError extends Error {
    constructor(reason, message) { super(reason + ": " + message); this.reason = reason; }
  }
  const fail = (reason, message) => { throw new BundleError(reason, message); };

  // -- small helpers ---------------------------------------------------------------------
  const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
  const has = (o, k) => Object.prototype.hasOwnProperty.call(o, k);
  const str = (v) => (v === undefined || v === null ? "None" : String(v));  // Python's str() of a missing field
  // Standard base64, as Python's b64decode(validate=True): the alphabet, then padding, whole quanta.
  function unb64(text, what) {
    if (typeof text !== "string" || text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) fail("malformed", what + " is not base64");
    return V.b64decode(text);
  }
  // Canonical base64 (signing/note.py _b64decode): decodes and encodes back to the same text.
  function canonicalB64(text) {
    if (text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return null;
    const raw = V.b64decode(text);
    return V.b64encode(raw) === text ? raw : null;
  }
  const isInt = (v) => typeof v === "number" && Number.isInteger(v);
  // An ISO 8601 time with an offset, as datetime.fromisoformat reads the ledger's times, to
  // microseconds since the epoch (exact in a double up to year ~2255).
  function moment(value, what) {
    const m = typeof value === "string" &&
      /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,6}))?)?(Z|[+-]\d{2}:?\d{2}(?::?\d{2}(?:\.\d{1,6})?)?)?$/.exec(value);
    if (!m) fail("malformed", what + " " + JSON.stringify(value) + " is not an ISO 8601 time");
    if (!m[8]) fail("malformed", what + " " + JSON.stringify(value) + " has no offset");
    const [y, mo, d, h, mi, s] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i] || 0));
    if (mo < 1 || mo > 12 || d < 1 || d > new Date(Date.UTC(y, mo, 0)).getUTCDate() || h > 23 || mi > 59 || s > 59)
      fail("malformed", what + " " + JSON.stringify(value) + " is not an ISO 8601 time");
    let offset = 0;
    if (m[8] !== "Z") {
      const o = /^([+-])(\d{2}):?(\d{2})(?::?(\d{2}))?/.exec(m[8]);
      offset = (o[1] === "-" ? -1 : 1) * ((Number(o[2]) * 60 + Number(o[3])) * 60 + Number(o[4] || 0)) * 1e6;
    }
    const date = new Date(0);
    date.setUTCFullYear(y, mo - 1, d);
    date.setUTCHours(h, mi, s, 0);
    return { us: date.getTime() * 1000 + Number((m[7] || "").padEnd(6, "0")) - offset, text: value };
  }
  // Python's == on JSON values (1 == 1.0 and key order do not matter).
  function same(a, b) {
    if (Array.isArray(a) || Array.isArray(b)) return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((v, i) => same(v, b[i]));
    if (isObject(a) || isObject(b)) {
      if (!isObject(a) || !isObject(b)) return false;
      const ka = Object.keys(a), kb = Object.keys(b);
      return ka.length === kb.length && ka.every((k) => has(b, k) && same(a[k], b[k]));
    }
    return a === b;
  }
  // events/canonical.py: orjson, sorted keys, no whitespace. For the JSON the ledger writes
  // (strings, integers below 2^53, no floats) that is JCS, which verify_core.js implements.
  function isCanonical(bytes) {
    let text;
    try { text = dec.decode(bytes); return V.jcs(JSON.parse(text)) === text; } catch (e) { return false; }
  }
  // libsodium's public-key check (signing/keys.py check_public_key, rule T-5): a small-order
  // or non-canonical key never verifies anything there, so it does not here either.
  const P = (1n << 255n) - 19n;
  const D = (((-121665n * modpow(121666n, P - 2n, P)) % P) + P) % P;
  const SMALL_ORDER_Y = [0n, 1n, P - 1n,
    2707385501144840649318225287225658788936804267575313519463743609750303402022n,
    55188659117513257062467267217118295137698188065244968500265048394206261417927n];
  function modpow(b, e, m) { let r = 1n; b %= m; while (e > 0n) { if (e & 1n) r = (r * b) % m; b = (b * b) % m; e >>= 1n; } return r; }
  function soundKey(raw) {
    if (raw.length !== 32) return false;
    let y = 0n;
    for (let i = 31; i >= 0; i--) y = (y << 8n) | BigInt(raw[i]);
    y &= (1n << 255n) - 1n;
    if (y >= P || SMALL_ORDER_Y.includes(y)) return false;
    const x2 = (((y * y - 1n) % P + P) % P) * modpow((D * y * y + 1n) % P, P - 2n, P) % P;
    return x2 === 0n || modpow(x2, (P - 1n) / 2n, P) === 1n;
  }
  async function signatureHolds(publicKey, signature, message) {
    if (signature.length !== 64 || !soundKey(publicKey)) return false;
    try { return await V.ed25519Verify(publicKey, signature, message); } catch (e) { return false; }
  }
  async function keyId(publicKey) { return "ed25519:" + V.hex(await V.sha256(publicKey)).slice(0, 32); }

  // -- one stored event: signature ‖ canonical message -----------------------------------
  async function openStored(state, what, notCanonical) {
    if (state.length <= 64) fail("malformed", what + " is too short to hold a signature");
    const message = state.slice(64);
    let fields;
    try { fields = JSON.parse(dec.decode(message)); } catch (e) { fail("malformed", what + " is not a signed JSON message"); }
    if (!isObject(fields) || !isObject(fields.payload)) fail("malformed", what + " is not a signed event envelope");
    if (!isCanonical(message)) fail(notCanonical, what + " is not in canonical form: " + REASONS.reformatted);
    const topic = str(has(fields, "topic") ? fields.topic : "");
    return {
      state, fields, payload: fields.payload, signature: state.slice(0, 64), message,
      digest: await V.sha256(state), event: topic.slice(topic.lastIndexOf(":") + 1),
      timestamp() { return moment(fields.payload.timestamp, "the event's write time"); },
    };
  }

  // -- the trust chain (TrustChain) ----------------------------------------------------------
  async function trustChain(states, ledgerId, trustedRoot) {
    if (!states.length) fail("trust-chain", "the bundle holds no trust events");
    const events = [];
    for (let i = 0; i < states.length; i++) events.push(await openStored(states[i], "trust event " + (i + 1), "trust-chain"));
    const chain = { events, keys: new Map(), parties: new Map(), checked: new Set(), checking: new Set() };
    // _chain
    let prev = ZERO64;
    for (let i = 0; i < events.length; i++) {
      const f = events[i].fields;
      if (f.stream !== TRUST_STREAM || f.version !== i + 1) fail("trust-chain", `trust event ${i + 1} is not version ${i + 1} of the trust registry`);
      if (f.ledger !== (i === 0 ? ZERO64 : ledgerId)) fail("trust-chain", `trust event ${i + 1} was not signed for this ledger`);
      if (f.prev !== prev) fail("trust-chain", `trust event ${i + 1} does not chain onto version ${i}`);
      prev = V.hex(events[i].digest);
    }
    if (V.hex(events[0].digest) !== ledgerId) fail("trust-chain", "the genesis event is not the one the ledger id names");
    if (events[0].event !== "TrustRegistry.Initialised") fail("trust-chain", "the first trust event is not the genesis event");
    const genesis = events[0];
    const rootKeyId = genesis.payload.root_key_id;
    if (rootKeyId !== trustedRoot) fail("wrong-trust", `the bundle's ledger was founded by root key ${str(rootKeyId)}, not the trusted ${trustedRoot}`);
    // _index
    async function add(id, party, publicText, validFrom, index) {
      let pub;
      try { pub = unb64(String(publicText), "a public key"); } catch (e) { pub = null; }
      if (!pub || pub.length !== 32) fail("trust-chain", `trust event ${index + 1} registers a bad key`);
      if (await keyId(pub) !== id) fail("trust-chain", `trust event ${index + 1}: key id ${id} is not its public key's digest`);
      if (!chain.keys.has(id)) chain.keys.set(id, { keyId: id, party, publicKey: pub, validFrom: moment(validFrom, "a key's valid_from"), addedBy: index, revocations: [] });
    }
    for (let i = 0; i < events.length; i++) {
      const e = events[i], p = e.payload;
      if (i === 0) await add(str(p.root_key_id), ROOT_PARTY, p.root_public_key, p.valid_from, 0);
      else if (e.event === "TrustRegistry.KeyAdded") await add(str(p.key_id), str(p.party_id), p.public_key, p.valid_from, i);
      else if (e.event === "TrustRegistry.PartyRegistered") { if (!chain.parties.has(str(p.party_id))) chain.parties.set(str(p.party_id), [str(p.kind), i]); }
      else if (e.event === "TrustRegistry.KeyRevoked") {
        const record = chain.keys.get(str(p.key_id));
        if (record) record.revocations.push([moment(p.effective_at, "a revocation's time"), i]);
      }
    }
    const root = chain.keys.get(rootKeyId);
    if (genesis.fields.signer !== root.keyId || !(await signatureHolds(root.publicKey, genesis.signature, genesis.message)))
      fail("trust-chain", "the genesis event is not signed by the root key it registers");
    chain.checked.add(0);

    chain.checkEvent = async (index) => {
      if (chain.checked.has(index) || chain.checking.has(index)) return;
      chain.checking.add(index);
      try {
        const event = events[index];
        const signer = chain.keys.get(str(event.fields.signer));
        if (!signer || signer.party !== ROOT_PARTY || signer.addedBy >= index || event.payload.actor !== ROOT_PARTY)
          fail("trust-chain", `trust event ${index + 1} is not signed by a root key registered before it`);
        await chain.checkKey(signer.keyId, event.timestamp(), index);
        if (!(await signatureHolds(signer.publicKey, event.signature, event.message))) fail("trust-chain", `trust event ${index + 1}'s signature does not verify`);
      } finally { chain.checking.delete(index); }
      chain.checked.add(index);
    };
    chain.checkKey = async (id, at, before) => {
      const record = chain.keys.get(id);
      if (!record || (before !== undefined && record.addedBy >= before)) fail("trust-chain", `key ${id} is not registered in the bundle's trust chain`);
      await chain.checkEvent(record.addedBy);
      if (at.us < record.validFrom.us) fail("key-revoked", `key ${id} takes effect ${record.validFrom.text}, after ${at.text}`);
      for (const [effective, index] of record.revocations) {
        await chain.checkEvent(index);
        if (effective.us <= at.us) {
          fail("key-revoked", `key ${id} was revoked from ${effective.text} (${str(events[index].payload.reason ?? "")}; recorded as trust event ${index + 1}), before it sealed the document at ${at.text}`);
        }
      }
      return record;
    };
    chain.mayCosign = async (party) => {
      const [kind, index] = chain.parties.get(party) || ["", -1];
      if (index < 0 || !COSIGNER_KINDS.includes(kind)) return false;
      await chain.checkEvent(index);
      return true;
    };
    chain.head = () => [events.length, V.hex(events[events.length - 1].digest)];
    chain.headWritten = () => events[events.length - 1].timestamp();
    return chain;
  }

  // -- the signed note (signing/note.py open_note, strict) --------------------------------------
  function splitNote(note) {
    if (/[\x00-\x09\x0b-\x1f]/.test(note)) throw new Error("signed note: a control character (only newline is allowed)");
    if (enc.encode(note).length > (1 << 20)) throw new Error("signed note: longer than 1 MiB");
    const split = note.lastIndexOf("\n\n");
    if (split < 0) throw new Error("signed note: no blank line between the text and the signatures");
    const text = note.slice(0, split + 1), block = note.slice(split + 2);
    if (!block) throw new Error("signed note: no signature lines after the blank line");
    if (!block.endsWith("\n")) throw new Error("signed note: the last signature line does not end in a newline");
    const lines = block.slice(0, -1).split("\n");
    if (lines.length > 100) throw new Error("signed note: more than 100 signature lines");
    const seen = new Set();
    const signatures = lines.map((line, n) => {
      if (!line.startsWith(EM_DASH + " ")) throw new Error(`signed note: signature line ${n + 1} does not start with an em dash and a space`);
      const rest = line.slice(2), space = rest.indexOf(" ");
      if (space < 0) throw new Error(`signed note: signature line ${n + 1} has no space between key name and signature`);
      const name = rest.slice(0, space), raw = canonicalB64(rest.slice(space + 1));
      if (!validName(name)) throw new Error(`signed note: signature line ${n + 1}: bad key name`);
      if (!raw) throw new Error(`signed note: signature line ${n + 1} is not canonical base64`);
      if (raw.length <= 4) throw new Error(`signed note: signature line ${n + 1} holds no signature after its key hash`);
      const sig = { name, keyHash: V.hex(raw.slice(0, 4)), signature: raw.slice(4) };
      if (seen.has(sig.name + " " + sig.keyHash)) throw new Error(`signed note: key ${name} (${sig.keyHash}) signs it twice`);
      seen.add(sig.name + " " + sig.keyHash);
      return sig;
    });
    return { text, signatures };
  }
  function validName(name) { return typeof name === "string" && name.length > 0 && !name.includes("+") && !/[\s\x00-\x1f\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/.test(name); }
  async function keyHash(name, publicKey) { return V.hex((await V.sha256(join(enc.encode(name + "\n"), Uint8Array.of(1), publicKey))).slice(0, 4)); }
  function join(...parts) { const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0)); let at = 0; for (const p of parts) { out.set(p, at); at += p.length; } return out; }
  function parseCheckpoint(text) {
    if (!text.endsWith("\n")) throw new Error("checkpoint: its text does not end in a newline");
    const lines = text.slice(0, -1).split("\n");
    if (lines.length < 3) throw new Error("checkpoint: it has fewer than three lines (origin, tree size, root hash)");
    const [origin, sizeText, rootText, ...extensions] = lines;
    if (!origin) throw new Error("checkpoint: the origin line is empty");
    if (sizeText.length > 20 || !/^(0|[1-9][0-9]*)$/.test(sizeText) || BigInt(sizeText) >= (1n << 64n)) throw new Error(`checkpoint: tree size ${sizeText} is not a decimal number`);
    const root = canonicalB64(rootText);
    if (!root) throw new Error("checkpoint: the root hash is not canonical base64");
    if (root.length !== 32) throw new Error(`checkpoint: the root hash is ${root.length} bytes, not 32`);
    if (extensions.includes("")) throw new Error("checkpoint: an extension line is empty");
    return { origin, size: Number(sizeText), root, extensions };
  }

  // _open_checkpoint
  async function openBundledCheckpoint(text, chain, ledgerId, sealedAt) {
    const lines = [];
    for (const line of text.split("\n")) {
      if (line.startsWith(EM_DASH + " ") && line.split(" ").length === 3) {
        const [, name, value] = line.split(" ");
        let raw;
        try { raw = unb64(value, "a signature"); } catch (e) { continue; }
        lines.push([name, V.hex(raw.slice(0, 4))]);
      }
    }
    const owners = new Map(), verifiers = new Map();
    for (const record of chain.keys.values()) {
      for (const [name, hash] of lines) {
        if (name === record.party && validName(name) && await keyHash(name, record.publicKey) === hash) {
          verifiers.set(name + " " + hash, record);
          owners.set(name + " " + hash, record);
        }
      }
    }
    let opened, checkpoint;
    try {
      const { text: body, signatures } = splitNote(text);
      const verified = [];
      for (const s of signatures) {
        const v = verifiers.get(s.name + " " + s.keyHash);
        if (!v) continue;
        if (!(await signatureHolds(v.publicKey, s.signature, enc.encode(body)))) throw new Error(`signed note: the signature by ${s.name} (${s.keyHash}) does not verify`);
        verified.push(s.name + " " + s.keyHash);
      }
      if (!verified.length) throw new Error("signed note: no signature by a trusted key");
      opened = verified;
      checkpoint = parseCheckpoint(body);
    } catch (e) {
      if (e instanceof BundleError) throw e;
      fail("checkpoint-signature", REASONS["checkpoint-signature"] + ": " + (e.message || e));
    }
    if (checkpoint.origin !== ledgerId) fail("checkpoint-signature", `the checkpoint is for log '${checkpoint.origin}', not this ledger ${ledgerId}`);
    const written = chain.headWritten();
    const madeAfter = sealedAt.us >= written.us ? sealedAt : written;
    const signers = [], refused = [];
    for (const line of opened) {
      const record = owners.get(line);
      if (record.party !== ROOT_PARTY && !(await chain.mayCosign(record.party))) {
        refused.push(`${record.party} (${record.keyId}) may not cosign a checkpoint (L-6)`);
        continue;
      }
      try { await chain.checkKey(record.keyId, madeAfter); } catch (e) {
        if (!(e instanceof BundleError)) throw e;
        refused.push(`${record.party} (${record.keyId}): ${e.message}`);
        continue;
      }
      signers.push([record.party, `${record.party} (${record.keyId})`]);
    }
    if (!signers.some(([party]) => party === ROOT_PARTY)) {
      fail("checkpoint-signature", "the checkpoint is not signed by an HRSS key the trust chain shows valid when it was made " +
        `(after the seal and the trust head, ${madeAfter.text}): ` + (refused.join("; ") || "no signature line is by an HRSS key of the trust chain"));
    }
    return { checkpoint, signers: signers.map(([, label]) => label) };
  }

  // events/status_line.py parse: [count, digest] or null; throws on a malformed line
  function statusLine(extensions) {
    const lines = extensions.filter((e) => e.startsWith("status-list "));
    if (!lines.length) return null;
    const m = lines.length === 1 ? /^status-list (0|[1-9][0-9]{0,18}) ([0-9a-f]{64})$/.exec(lines[0]) : null;
    if (!m) throw new Error("the checkpoint's status-list line is not 'status-list <count> <sha256>'");
    return [Number(m[1]), m[2]];
  }
  // _check_trust_head (events/trust_head.py parse)
  function checkTrustHead(checkpoint, chain) {
    const ext = checkpoint.extensions;
    let found = ext.length >= 1 && ext.length <= 2 ? /^trust-head ([1-9][0-9]{0,18}) ([0-9a-f]{64})$/.exec(ext[0]) : null;
    try {
      if (found && ext.length === 2) { statusLine(ext.slice(1)); if (!ext[1].startsWith("status-list ")) found = null; }
    } catch (e) {
      fail("trust-chain", "the checkpoint does not bind the trust registry's head (" + e.message + ")");
    }
    if (!found) fail("trust-chain", "the checkpoint does not bind the trust registry's head, so the trust chain cannot be tied to it");
    const [ends, last] = chain.head();
    if (Number(found[1]) !== ends || found[2] !== last) {
      fail("trust-chain", `the bundle's trust chain ends at version ${ends} (sha256 ${last.slice(0, 16)}…), but the checkpoint binds ` +
        `version ${found[1]} (sha256 ${found[2].slice(0, 16)}…): trust events were left out or added`);
    }
  }

  // RFC 9162 §2.1.3.2 with merkle.py's checks: 32-byte hashes, the proof of exactly the right length.
  function inclusionLength(index, size) {
    // the RFC's inner (bit length of index XOR size-1) and border (ones above it) parts
    const last = size - 1;
    const x = BigInt(index) ^ BigInt(last), inner = x === 0n ? 0 : x.toString(2).length;
    let border = 0;
    for (let n = Math.floor(index / 2 ** inner); n > 0; n = Math.floor(n / 2)) border += n % 2;
    return inner + border;
  }

  // _bundled_status
  async function bundledStatus(bundle, checkpoint) {
    if (!has(bundle, "status") || bundle.status === null) return null;
    const part = bundle.status;
    if (!isObject(part) || typeof part.list !== "string" || !isInt(part.index)) fail("malformed", "the bundle's status is not {index, list}");
    let bound;
    try { bound = statusLine(checkpoint.extensions); } catch (e) { fail("checkpoint-signature", e.message); }
    if (bound === null || V.hex(await V.sha256(enc.encode(part.list))) !== bound[1]) fail("altered", "the bundle's status list is not the one its checkpoint's signed note names");
    let listed;
    try { listed = JSON.parse(part.list); } catch (e) { fail("malformed", "the bundle's status list is not a status-list credential (not JSON)"); }
    if (!isObject(listed) || !isObject(listed.credentialSubject) || !has(listed.credentialSubject, "encodedList") || !has(listed, "certledgerCheckpoint"))
      fail("malformed", "the bundle's status list is not a status-list credential");
    const encoded = listed.credentialSubject.encodedList, stated = listed.certledgerCheckpoint;
    if (typeof encoded !== "string" || encoded[0] !== "u") fail("malformed", "the bundle's status: encodedList is not a multibase base64url ('u…') string");
    let bits;
    try {
      const b64 = encoded.slice(1).replace(/-/g, "+").replace(/_/g, "/");
      const packed = V.b64decode(b64 + "=".repeat((4 - (b64.length % 4)) % 4));
      const stream = new Blob([packed]).stream().pipeThrough(new DecompressionStream("gzip"));
      bits = new Uint8Array(await new Response(stream).arrayBuffer());
    } catch (e) { fail("malformed", "the bundle's status: encodedList is not base64url GZIP"); }
    const index = part.index;
    if (!(index >= 0 && index < bits.length * 8)) fail("malformed", `the bundle's status: statusListIndex ${index} is outside the list's ${bits.length * 8} bits`);
    const isVoid = ((bits[index >> 3] >> (7 - (index & 7))) & 1) === 1;
    return { index, void: isVoid, checkpointSize: checkpoint.size, recordedAt: isObject(stated) ? stated.recordedAt ?? null : null };
  }

  // verify_bundle: resolves to what the bundle proves, or rejects with a BundleError.
  async function verifyBundle(text, trustedRoot) {
    let bundle;
    try { bundle = JSON.parse(text); } catch (e) { fail("malformed", "not JSON (" + e.message + ")"); }
    if (!isObject(bundle) || bundle.format !== FORMAT) fail("malformed", "not a " + FORMAT + " file");
    const part = (o, k) => { if (!isObject(o) || !has(o, k)) fail("malformed", "a part is missing or of the wrong type ('" + k + "')"); return o[k]; };
    // what Python's for-loop takes: a list, a string's characters, an object's keys
    const list = (v, k) => {
      if (Array.isArray(v)) return v;
      if (typeof v === "string") return [...v];
      if (isObject(v)) return Object.keys(v);
      fail("malformed", "a part is missing or of the wrong type ('" + k + "')");
    };
    const ledgerId = str(part(bundle, "ledger"));
    const sealedPart = part(bundle, "sealed");
    const message = unb64(part(sealedPart, "message"), "the sealed document");
    const signature = unb64(part(sealedPart, "signature"), "the e-seal signature");
    const trustStates = list(part(bundle, "trust"), "trust").map((s) => unb64(s, "a trust event"));
    const inclusion = part(bundle, "inclusion");
    const leafIndex = part(inclusion, "leaf_index"), treeSize = part(inclusion, "tree_size");
    const hashes = list(part(inclusion, "hashes"), "hashes").map((h) => unb64(h, "a proof hash"));
    const checkpointNote = part(bundle, "checkpoint");
    const readable = has(bundle, "document") ? bundle.document : null;
    if (!isInt(leafIndex) || !isInt(treeSize) || typeof checkpointNote !== "string") fail("malformed", "the inclusion proof's index and size are not integers");
    if (signature.length !== 64) fail("malformed", "the e-seal signature is not 64 bytes");
    const checked = [];

    // 1. The root of trust, and the chain of trust events from it.
    const chain = await trustChain(trustStates, ledgerId, trustedRoot);

    // 2. The document exactly as sealed, then the seal over it.
    const seal = await openStored(join(signature, message), "the sealed document", "reformatted");
    const f = seal.fields, payload = seal.payload;
    if (seal.event !== SEAL_EVENT || payload.actor !== ROOT_PARTY || !isObject(payload.document))
      fail("altered", "the sealed message is not an HRSS CertificateIssued event with its document");
    if (f.ledger !== ledgerId) fail("altered", "the sealed document names another ledger");
    const sealKey = str(f.signer);
    const record = chain.keys.get(sealKey);
    if (!record || record.party !== ROOT_PARTY) fail("trust-chain", `the sealing key ${sealKey} is not an HRSS key of the bundle's trust chain`);
    await chain.checkEvent(record.addedBy);
    if (!(await signatureHolds(record.publicKey, signature, message))) fail("altered", `the e-seal by ${sealKey} does not verify: ${REASONS.altered} (a field was changed)`);
    if (readable !== null && !same(readable, payload.document)) {
      const changed = isObject(readable) ? [...new Set([...Object.keys(readable), ...Object.keys(payload.document)])].filter((k) => !same(readable[k], payload.document[k])).sort() : ["document"];
      fail("altered", `field ${changed.join(", ")} of the readable copy differs from the sealed document: trust only the sealed bytes`);
    }
    const sealedAt = seal.timestamp();
    await chain.checkKey(sealKey, sealedAt);
    checked.push(`信任链 trust chain: ${chain.events.length} events from the pinned root key ${trustedRoot}, chained by digest; each event used signed by a root key valid then`);
    checked.push(`电子印章 e-seal by HRSS key ${sealKey} over the exact sealed bytes, valid at sealing time ${sealedAt.text}`);
    checked.push("可读副本 readable copy equal to the sealed document");

    // 3. The checkpoint.
    const { checkpoint, signers } = await openBundledCheckpoint(checkpointNote, chain, ledgerId, sealedAt);
    checkTrustHead(checkpoint, chain);
    checked.push(`检查点 checkpoint of ${checkpoint.size} events for ledger ${ledgerId.slice(0, 16)}…, signed by ${signers.join(", ")}, binding the trust chain's head (version ${chain.head()[0]})`);

    // 4. The seal event is in the log the checkpoint commits to.
    if (treeSize !== checkpoint.size) fail("proof", `the proof is for a tree of ${treeSize} events, the checkpoint for ${checkpoint.size}`);
    const what = `inclusion proof of leaf ${leafIndex} in a tree of ${treeSize}`;
    if (!(leafIndex >= 0 && leafIndex < treeSize)) fail("proof", `${REASONS.proof}: leaf index ${leafIndex} is outside a tree of ${treeSize}`);
    if (hashes.some((h) => h.length !== 32)) fail("proof", `${REASONS.proof}: a hash of the ${what} is not 32 bytes`);
    if (hashes.length !== inclusionLength(leafIndex, treeSize)) fail("proof", `${REASONS.proof}: an ${what} has ${hashes.length} hashes, not ${inclusionLength(leafIndex, treeSize)}`);
    if (!(await V.verifyInclusion(leafIndex, treeSize, await V.leafHash(seal.digest), hashes, checkpoint.root)))
      fail("proof", `${REASONS.proof}: ${what} does not hold`);
    checked.push(`包含证明 inclusion: leaf ${leafIndex} of ${treeSize} (RFC 9162), root ${V.hex(checkpoint.root).slice(0, 16)}…`);

    const status = await bundledStatus(bundle, checkpoint);
    const notChecked = [];
    if (status) {
      checked.push(`状态 status bit ${status.index} in the status list HRSS's checkpoint ${status.checkpointSize} names (${status.recordedAt}): ${status.void ? "void 已作废" : "valid 有效"}`);
      notChecked.push(`检查点之后的事件 events after checkpoint ${status.checkpointSize} (certledger cert verify --db checks the ledger now)`);
      notChecked.push("the status index is the exporter's claim (--db checks it)");
    } else {
      notChecked.push("状态未核验 status not checked: the bundle carries no status list");
    }
    return { document: payload.document, ledgerId, sealKey, sealedAt: sealedAt.text, status, signers, checked, notChecked };
  }

  global.CertLedgerBundle = { verifyBundle, BundleError, REASONS, FORMAT };
})(typeof window !== "undefined" ? window : globalThis);
