"""The certificate bundle: one self-contained file that proves an e-certificate (R-13) or a
pass proof (R-14) offline, with nothing but the root key an auditor was given.

What it holds (JSON, ``format`` = :data:`FORMAT`):

- ``sealed``: the document exactly as sealed — the canonical message bytes of the
  ``CertificateIssued`` event (base64) — and the 64-byte HRSS e-seal signature over them.
  R-13: a converted copy has no effect, so only these bytes verify;
- ``document``: a readable copy of the sealed document; it must equal the sealed one;
- ``trust``: the trust registry's stored events from genesis (base64), chained by ``prev``,
  up to exactly the head the checkpoint binds (its ``trust-head`` line: version and digest,
  :mod:`events.trust_head`): the sealing key's registration, every revocation recorded before
  the checkpoint, and the root keys that signed them, back to the genesis root;
- ``inclusion``: the seal event's leaf index, the tree size and the RFC 9162 audit path;
- ``checkpoint``: the signed (and cosigned, where available) checkpoint note of that size.
  Its origin must be the ledger id; only an HRSS key valid when it was made (after the seal
  and after the trust head it binds, by the bundle's own chain) counts as its signer, and
  cosignatures count only by keys of parties L-6 lets cosign, valid then too.

:func:`verify_bundle` checks it with no database and no network, and raises
:class:`BundleError` naming why a file fails (``reason``: :data:`REASONS`). This module
imports neither eventsourcing nor psycopg, so ``certledger cert verify`` starts fast.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson

from certledger.domain.errors import CertLedgerError, ExitCode, InputError, TamperError
from certledger.domain.parties import COSIGNER_KINDS
from certledger.events import merkle, trust_head
from certledger.signing import keys, note

FORMAT = "certledger-certificate-bundle/1"
# uuid5(LEDGER_NAMESPACE, "trust-registry"), as domain.trust defines it (a test holds them
# equal); spelled out so the offline verifier need not import the domain's aggregates.
TRUST_STREAM = "3365d531-f470-5371-95bc-84245f17ed81"
ROOT_PARTY = "hrss"
SEAL_EVENT = "Candidacy.CertificateIssued"

REASONS = {
    "malformed": "the file is not a certificate bundle",
    "wrong-trust": "the bundle's root of trust is not the key you trust",
    "trust-chain": "the chain of trust events does not hold",
    "reformatted": "the document is a converted (re-serialised) copy, not the bytes HRSS sealed",
    "altered": "the document is not what HRSS sealed",
    "key-revoked": "the sealing key was not valid when the document was sealed",
    "checkpoint-signature": "the checkpoint's signature does not verify",
    "proof": "the inclusion proof does not match the checkpoint",
    "tampered": "the database contradicts the status list its checkpoint signed (a row was removed or rewritten)",
    "unproven": "no checkpoint of the ledger signs a status list, so its status cannot be proven",
}


class BundleError(TamperError):
    """A bundle that does not verify; ``reason`` is one of :data:`REASONS`."""

    exit_code = ExitCode.NOT_VERIFIED
    label = "not verified"

    def __init__(self, reason: str, message: str) -> None:
        self.reason = reason
        super().__init__(f"{reason}: {message}")


# -- one stored event, opened without the domain ---------------------------------------------


@dataclass(frozen=True)
class Stored:
    """A stored state: signature ‖ canonical message, parsed."""

    state: bytes
    fields: dict[str, Any]

    @property
    def signature(self) -> bytes:
        return self.state[: keys.SIGNATURE_SIZE]

    @property
    def message(self) -> bytes:
        return self.state[keys.SIGNATURE_SIZE :]

    @property
    def digest(self) -> bytes:
        return hashlib.sha256(self.state).digest()

    @property
    def payload(self) -> dict[str, Any]:
        return self.fields["payload"]

    @property
    def event(self) -> str:
        return str(self.fields.get("topic", "")).rpartition(":")[2]

    @property
    def timestamp(self) -> datetime:
        return _moment(self.payload.get("timestamp"), "the event's write time")


def is_canonical(message: bytes) -> bool:
    """The message is exactly the canonical bytes of what it parses to (events/canonical.py:
    orjson, sorted keys, no whitespace)."""
    try:
        return orjson.dumps(orjson.loads(message), option=orjson.OPT_SORT_KEYS) == message
    except orjson.JSONDecodeError:
        return False


def open_stored(state: bytes, what: str, not_canonical: str = "reformatted") -> Stored:
    if len(state) <= keys.SIGNATURE_SIZE:
        raise BundleError("malformed", f"{what} is too short to hold a signature")
    message = state[keys.SIGNATURE_SIZE :]
    try:
        fields = orjson.loads(message)
    except orjson.JSONDecodeError:
        raise BundleError("malformed", f"{what} is not a signed JSON message") from None
    if not isinstance(fields, dict) or not isinstance(fields.get("payload"), dict):
        raise BundleError("malformed", f"{what} is not a signed event envelope")
    if not is_canonical(message):
        raise BundleError(not_canonical, f"{what} is not in canonical form: {REASONS['reformatted']}")
    return Stored(state, fields)


# -- the trust chain ---------------------------------------------------------------------------


@dataclass
class KeyRecord:
    key_id: str
    party: str
    public_key: bytes
    valid_from: datetime
    added_by: int  # index of the trust event that registered it
    revocations: list[tuple[datetime, int]] = field(default_factory=list)  # (effective, event index)


class TrustChain:
    """The trust registry as the bundle's events record it, replayed just far enough: every
    event is hashed into the ``prev`` chain; signatures are checked for the events whose
    content is used (the keys asked about, their revocations, the root keys behind them)."""

    def __init__(self, states: list[bytes], ledger_id: str, trusted_root: str) -> None:
        if not states:
            raise BundleError("trust-chain", "the bundle holds no trust events")
        self.events = [open_stored(s, f"trust event {i + 1}", "trust-chain") for i, s in enumerate(states)]
        self.ledger_id = ledger_id
        self.keys: dict[str, KeyRecord] = {}
        self.parties: dict[str, tuple[str, int]] = {}  # party id -> (kind, index of its registration)
        self._checked: set[int] = set()
        self._checking: set[int] = set()  # a key's own revocation, signed by it, must not loop
        self._chain()
        genesis = self.events[0]
        self.root_key_id = genesis.payload.get("root_key_id")
        if self.root_key_id != trusted_root:
            raise BundleError(
                "wrong-trust", f"the bundle's ledger was founded by root key {self.root_key_id}, not the trusted {trusted_root}"
            )
        self._index()
        root = self.keys[self.root_key_id]
        if genesis.fields.get("signer") != root.key_id or not keys.signature_holds(
            root.public_key, genesis.signature, genesis.message
        ):
            raise BundleError("trust-chain", "the genesis event is not signed by the root key it registers")
        self._checked.add(0)

    def _chain(self) -> None:
        prev = "0" * 64
        for i, event in enumerate(self.events):
            f = event.fields
            if f.get("stream") != TRUST_STREAM or f.get("version") != i + 1:
                raise BundleError("trust-chain", f"trust event {i + 1} is not version {i + 1} of the trust registry")
            expected_ledger = "0" * 64 if i == 0 else self.ledger_id
            if f.get("ledger") != expected_ledger:
                raise BundleError("trust-chain", f"trust event {i + 1} was not signed for this ledger")
            if f.get("prev") != prev:
                raise BundleError("trust-chain", f"trust event {i + 1} does not chain onto version {i}")
            prev = hashlib.sha256(event.state).hexdigest()
        if hashlib.sha256(self.events[0].state).hexdigest() != self.ledger_id:
            raise BundleError("trust-chain", "the genesis event is not the one the ledger id names")
        if self.events[0].event != "TrustRegistry.Initialised":
            raise BundleError("trust-chain", "the first trust event is not the genesis event")

    def _index(self) -> None:
        for i, event in enumerate(self.events):
            p = event.payload
            if i == 0:
                self._add(str(p.get("root_key_id")), ROOT_PARTY, p.get("root_public_key"), p.get("valid_from"), 0)
            elif event.event == "TrustRegistry.KeyAdded":
                self._add(str(p.get("key_id")), str(p.get("party_id")), p.get("public_key"), p.get("valid_from"), i)
            elif event.event == "TrustRegistry.PartyRegistered":
                self.parties.setdefault(str(p.get("party_id")), (str(p.get("kind")), i))
            elif event.event == "TrustRegistry.KeyRevoked":
                record = self.keys.get(str(p.get("key_id")))
                if record is not None:
                    record.revocations.append((_moment(p.get("effective_at"), "a revocation's time"), i))

    def _add(self, key_id: str, party: str, public_text: Any, valid_from: Any, index: int) -> None:
        try:
            public = keys.public_key_from_text(str(public_text))
        except CertLedgerError as e:
            raise BundleError("trust-chain", f"trust event {index + 1} registers a bad key: {e}") from None
        if keys.key_id_of(public) != key_id:
            raise BundleError("trust-chain", f"trust event {index + 1}: key id {key_id} is not its public key's digest")
        if key_id not in self.keys:  # T-2: a key id registered once; verify flags a second
            self.keys[key_id] = KeyRecord(key_id, party, public, _moment(valid_from, "a key's valid_from"), index)

    def check_event(self, index: int) -> None:
        """Trust event ``index`` is signed by a root key valid at its time (T-1, T-4)."""
        if index in self._checked or index in self._checking:
            return
        self._checking.add(index)
        try:
            self._check_event(index)
        finally:
            self._checking.discard(index)
        self._checked.add(index)

    def _check_event(self, index: int) -> None:
        event = self.events[index]
        signer = self.keys.get(str(event.fields.get("signer")))
        if signer is None or signer.party != ROOT_PARTY or signer.added_by >= index or event.payload.get("actor") != ROOT_PARTY:
            raise BundleError("trust-chain", f"trust event {index + 1} is not signed by a root key registered before it")
        self.check_key(signer.key_id, event.timestamp, before=index)
        if not keys.signature_holds(signer.public_key, event.signature, event.message):
            raise BundleError("trust-chain", f"trust event {index + 1}'s signature does not verify")

    def check_key(self, key_id: str, at: datetime, before: int | None = None) -> KeyRecord:
        """The key is registered (by a checked event) and valid at ``at`` by every revocation
        the chain records — also revocations recorded later with an earlier effective time."""
        record = self.keys.get(key_id)
        if record is None or (before is not None and record.added_by >= before):
            raise BundleError("trust-chain", f"key {key_id} is not registered in the bundle's trust chain")
        self.check_event(record.added_by)
        if at < record.valid_from:
            raise BundleError("key-revoked", f"key {key_id} takes effect {record.valid_from.isoformat()}, after {at.isoformat()}")
        for effective, index in record.revocations:
            self.check_event(index)
            if effective <= at:
                reason = self.events[index].payload.get("reason", "")
                raise BundleError(
                    "key-revoked",
                    f"key {key_id} was revoked from {effective.isoformat()} ({reason}; recorded as trust event "
                    f"{index + 1}), before it sealed the document at {at.isoformat()}",
                )
        return record

    @property
    def head(self) -> tuple[int, str]:
        """(version, digest) of the chain's last event: what the checkpoint must bind."""
        return len(self.events), self.events[-1].digest.hex()

    @property
    def head_written(self) -> datetime:
        return self.events[-1].timestamp

    def may_cosign(self, party: str) -> bool:
        """L-6 by the chain: the party is registered (by a checked event) with a kind that cosigns."""
        kind, index = self.parties.get(party, ("", -1))
        if index < 0 or kind not in {k.value for k in COSIGNER_KINDS}:
            return False
        self.check_event(index)
        return True

    def revocations_of(self, key_id: str) -> list[tuple[datetime, str]]:
        record = self.keys[key_id]
        return [(effective, str(self.events[i].payload.get("reason", ""))) for effective, i in record.revocations]


# -- the bundle --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Verified:
    """What a bundle proves."""

    document: dict[str, Any]
    ledger_id: str
    seal_key: str
    sealed_at: datetime
    stream: str
    version: int
    leaf_index: int
    tree_size: int
    root: bytes
    checkpoint_signers: tuple[str, ...]
    checkpoint_note: str
    digest: str
    trust_head: tuple[int, str] = (0, "")  # the trust registry version (and digest) the checkpoint binds
    status: dict[str, Any] | None = None  # what the bundled status list says (None: the bundle has none)

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": True,
            "status": self.status,
            "document": self.document,
            "ledger": self.ledger_id,
            "seal_key": self.seal_key,
            "sealed_at": self.sealed_at.isoformat(),
            "event": {"stream": self.stream, "version": self.version, "digest": self.digest},
            "inclusion": {"leaf_index": self.leaf_index, "tree_size": self.tree_size},
            "checkpoint": {
                "size": self.tree_size, "root": self.root.hex(), "signed_by": list(self.checkpoint_signers),
                "trust_head": {"version": self.trust_head[0], "digest": self.trust_head[1]},
            },
        }


def build(
    *, ledger_id: str, seal_state: bytes, trust_states: list[bytes], leaf_index: int, tree_size: int,
    proof: list[bytes], checkpoint_note: str, notification_id: int | None = None,
    status_list: str | None = None, status_index: int | None = None,
) -> dict[str, Any]:  # fmt: skip
    """The bundle's JSON value, from what the ledger and its Merkle log hold; with the status
    list the checkpoint signed and the certificate's index in it, when there is one."""
    sealed = open_stored(seal_state, "the seal event")
    bundle = {
        "format": FORMAT,
        "ledger": ledger_id,
        "document": sealed.payload.get("document"),
        "sealed": {
            "message": _b64(sealed.message),
            "signature": _b64(sealed.signature),
            "key": sealed.fields.get("signer"),
            "notification_id": notification_id,
        },
        "trust": [_b64(s) for s in trust_states],
        "inclusion": {"leaf_index": leaf_index, "tree_size": tree_size, "hashes": [_b64(h) for h in proof]},
        "checkpoint": checkpoint_note,
    }
    if status_list is not None and status_index is not None:
        bundle["status"] = {"index": status_index, "list": status_list}
    return bundle


def _bundled_status(bundle: dict[str, Any], checkpoint: note.Checkpoint) -> dict[str, Any] | None:
    """The status the bundle's list gives (None: the bundle carries none). The list is the
    checkpoint's when its SHA-256 is the one the signed note names (events/status_line.py):
    HRSS's note signature then covers it, no second proof needed. The index is the
    exporter's claim, not signed: ``--db`` checks it."""
    from certledger.events import status_line

    part = bundle.get("status")
    if part is None:
        return None
    if not isinstance(part, dict) or not isinstance(part.get("list"), str) or type(part.get("index")) is not int:
        raise BundleError("malformed", "the bundle's status is not {index, list}")
    try:
        bound = status_line.parse(checkpoint.extensions)
    except InputError as e:
        raise BundleError("checkpoint-signature", str(e)) from None
    if bound is None or status_line.list_digest(part["list"]) != bound[1]:
        raise BundleError("altered", "the bundle's status list is not the one its checkpoint's signed note names")
    try:
        listed = orjson.loads(part["list"])
        encoded = listed["credentialSubject"]["encodedList"]
        stated = listed["certledgerCheckpoint"]
    except (orjson.JSONDecodeError, KeyError, TypeError) as e:
        raise BundleError("malformed", f"the bundle's status list is not a status-list credential ({e})") from None
    from certledger.events.credential import decode_list, status_bit
    from certledger.signing.data_integrity import ProofError

    try:
        void = status_bit(decode_list(encoded), part["index"])
    except ProofError as e:
        raise BundleError("malformed", f"the bundle's status: {e}") from None
    return {"index": part["index"], "void": void, "checkpoint_size": checkpoint.size,
            "recorded_at": stated.get("recordedAt") if isinstance(stated, dict) else None}


def dumps(bundle: dict[str, Any]) -> bytes:
    return orjson.dumps(bundle, option=orjson.OPT_INDENT_2) + b"\n"


def loads(data: bytes) -> dict[str, Any]:
    try:
        bundle = orjson.loads(data)
    except orjson.JSONDecodeError as e:
        raise BundleError("malformed", f"not JSON ({e})") from None
    if not isinstance(bundle, dict) or bundle.get("format") != FORMAT:
        raise BundleError("malformed", f"not a {FORMAT} file")
    return bundle


def verify_bundle(bundle: dict[str, Any], trusted_root: str) -> Verified:
    """Check everything the bundle claims, offline; raise :class:`BundleError` naming why not."""
    try:
        ledger_id = str(bundle["ledger"])
        sealed_part = bundle["sealed"]
        message = _unb64(sealed_part["message"], "the sealed document")
        signature = _unb64(sealed_part["signature"], "the e-seal signature")
        trust_states = [_unb64(s, "a trust event") for s in bundle["trust"]]
        inclusion = bundle["inclusion"]
        leaf_index, tree_size = inclusion["leaf_index"], inclusion["tree_size"]
        hashes = [_unb64(h, "a proof hash") for h in inclusion["hashes"]]
        checkpoint_note = bundle["checkpoint"]
        readable = bundle.get("document")
    except (KeyError, TypeError) as e:
        raise BundleError("malformed", f"a part is missing or of the wrong type ({e})") from None
    if type(leaf_index) is not int or type(tree_size) is not int or not isinstance(checkpoint_note, str):
        raise BundleError("malformed", "the inclusion proof's index and size are not integers")
    if len(signature) != keys.SIGNATURE_SIZE:
        raise BundleError("malformed", "the e-seal signature is not 64 bytes")

    # 1. The root of trust, and the chain of trust events from it.
    chain = TrustChain(trust_states, ledger_id, trusted_root)

    # 2. The document exactly as sealed, then the seal over it.
    seal = open_stored(signature + message, "the sealed document")
    f, payload = seal.fields, seal.payload
    if seal.event != SEAL_EVENT or payload.get("actor") != ROOT_PARTY or not isinstance(payload.get("document"), dict):
        raise BundleError("altered", "the sealed message is not an HRSS CertificateIssued event with its document")
    if f.get("ledger") != ledger_id:
        raise BundleError("altered", "the sealed document names another ledger")
    seal_key = str(f.get("signer"))
    record = chain.keys.get(seal_key)
    if record is None or record.party != ROOT_PARTY:
        raise BundleError("trust-chain", f"the sealing key {seal_key} is not an HRSS key of the bundle's trust chain")
    chain.check_event(record.added_by)
    if not keys.signature_holds(record.public_key, signature, message):
        raise BundleError("altered", f"the e-seal by {seal_key} does not verify: {REASONS['altered']} (a field was changed)")
    if readable is not None and readable != payload["document"]:
        changed = sorted(k for k in set(readable) | set(payload["document"]) if readable.get(k) != payload["document"].get(k)) if isinstance(readable, dict) else ["document"]
        raise BundleError(
            "altered", f"field {', '.join(changed)} of the readable copy differs from the sealed document: trust only the sealed bytes"
        )
    sealed_at = seal.timestamp
    chain.check_key(seal_key, sealed_at)

    # 3. The checkpoint: signed by an HRSS key of the chain valid when it was made (cosigners:
    #    keys of parties L-6 lets cosign), for this ledger, binding exactly the chain's head.
    checkpoint, signers = _open_checkpoint(checkpoint_note, chain, ledger_id, sealed_at)
    _check_trust_head(checkpoint, chain)

    # 4. The seal event is in the log the checkpoint commits to.
    if tree_size != checkpoint.size:
        raise BundleError("proof", f"the proof is for a tree of {tree_size} events, the checkpoint for {checkpoint.size}")
    try:
        merkle.verify_inclusion(merkle.leaf_hash(seal.digest), leaf_index, tree_size, hashes, checkpoint.root)
    except CertLedgerError as e:
        raise BundleError("proof", f"{REASONS['proof']}: {e}") from None

    return Verified(
        document=payload["document"], ledger_id=ledger_id, seal_key=seal_key, sealed_at=sealed_at,
        stream=str(f.get("stream")), version=int(f.get("version", 0)), leaf_index=leaf_index, tree_size=tree_size,
        root=checkpoint.root, checkpoint_signers=signers, checkpoint_note=checkpoint_note,
        digest=seal.digest.hex(), trust_head=chain.head, status=_bundled_status(bundle, checkpoint),
    )  # fmt: skip


def _open_checkpoint(
    text: str, chain: TrustChain, ledger_id: str, sealed_at: datetime
) -> tuple[note.Checkpoint, tuple[str, ...]]:
    """The checkpoint, once a signature by an HRSS key of the chain, valid when the checkpoint
    was made, holds on it; cosignatures by keys of parties that may cosign (L-6), valid then
    too, are checked and named. The checkpoint covers the seal and binds the chain's head, so
    it was made after both: a key revoked by then does not count (a thief's key cannot
    vouch for its own tree)."""
    lines = set()  # (key name, key hash) of each signature line
    for line in text.split("\n"):
        if line.startswith(note.EM_DASH + " ") and line.count(" ") == 2:
            _, name, value = line.split(" ")
            try:
                lines.add((name, base64.b64decode(value, validate=True)[: note.KEY_HASH_SIZE]))
            except (binascii.Error, ValueError):
                continue
    owners: dict[str, KeyRecord] = {}
    verifiers = []
    for record in chain.keys.values():
        for name, key_hash in lines:
            try:
                if name == record.party and note.key_hash(name, record.public_key) == key_hash:
                    verifiers.append(note.Verifier(name, record.public_key))
                    owners[name, key_hash] = record
            except CertLedgerError:
                continue
    try:
        opened = note.open_note(text, verifiers)
        checkpoint = note.parse_checkpoint(opened.text)
    except (InputError, TamperError) as e:
        raise BundleError("checkpoint-signature", f"{REASONS['checkpoint-signature']}: {e}") from None
    if checkpoint.origin != ledger_id:
        raise BundleError("checkpoint-signature", f"the checkpoint is for log {checkpoint.origin!r}, not this ledger {ledger_id}")
    made_after = max(sealed_at, chain.head_written)
    signers, refused = [], []
    for name, key_hash in _verified_lines(text, opened):
        record = owners[name, key_hash]
        if record.party != ROOT_PARTY and not chain.may_cosign(record.party):
            refused.append(f"{record.party} ({record.key_id}) may not cosign a checkpoint (L-6)")
            continue
        try:
            chain.check_key(record.key_id, made_after)
        except BundleError as e:
            refused.append(f"{record.party} ({record.key_id}): {e}")
            continue
        signers.append((record.party, f"{record.party} ({record.key_id})"))
    if not any(party == ROOT_PARTY for party, _ in signers):
        why = "; ".join(refused) or "no signature line is by an HRSS key of the trust chain"
        raise BundleError(
            "checkpoint-signature",
            f"the checkpoint is not signed by an HRSS key the trust chain shows valid when it was made "
            f"(after the seal and the trust head, {made_after.isoformat()}): {why}",
        )
    return checkpoint, tuple(label for _, label in signers)


def _verified_lines(text: str, opened: note.Note) -> list[tuple[str, bytes]]:
    """(name, key hash) of each signature line whose signature verified."""
    ignored = {(s.name, s.key_hash) for s in opened.unverified}
    found = []
    for line in text[len(opened.text) + 1 :].splitlines():
        name, _, value = line[len(note.EM_DASH) + 1 :].partition(" ")
        key_hash = base64.b64decode(value)[: note.KEY_HASH_SIZE]
        if (name, key_hash) not in ignored:
            found.append((name, key_hash))
    return found


def _check_trust_head(checkpoint: note.Checkpoint, chain: TrustChain) -> None:
    """The bundle's trust chain ends exactly at the head the checkpoint binds (L-5): a chain
    cut before a revocation, or one with events added, does not."""
    try:
        version, digest = trust_head.parse(checkpoint.extensions)
    except InputError as e:
        raise BundleError("trust-chain", f"the checkpoint does not bind the trust registry's head, so the trust chain cannot be tied to it ({e})") from None
    ends, last = chain.head
    if (version, digest) != (ends, last):
        raise BundleError(
            "trust-chain",
            f"the bundle's trust chain ends at version {ends} (sha256 {last[:16]}…), but the checkpoint binds "
            f"version {version} (sha256 {digest[:16]}…): trust events were left out or added",
        )


def _moment(value: Any, what: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise BundleError("malformed", f"{what} {value!r} is not an ISO 8601 time") from None
    if moment.tzinfo is None:
        raise BundleError("malformed", f"{what} {value!r} has no offset")
    return moment


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _unb64(text: Any, what: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError, TypeError):
        raise BundleError("malformed", f"{what} is not base64") from None
