"""The signed envelope every stored event travels in.

A stored event's ``state`` is the 64-byte Ed25519 signature followed by the *message*: the
canonical bytes (:func:`events.canonical.canonical_bytes`) of ::

    {"format": 2, "ledger": "<ledger id>", "stream": "<uuid>", "version": n,
     "topic": "<event class topic>", "signer": "ed25519:…",
     "prev": "<hex SHA-256 of the stream's previous state>",
     "payload": {…the event's fields, including "actor" and "timestamp"…}}

The signature covers the message, so it binds the payload to its place (stream, version,
topic), to its ledger, to its signer, and to its predecessor. The digest that the next
event's ``prev`` names is SHA-256 of the whole stored state, signature included. So a
flipped byte, a moved or copied row, a swapped or deleted version, a changed signer, or an
event copied in from another ledger all fail.

The *ledger id* is the digest of the genesis event's stored state (the genesis event
itself names 64 zeros). A message is accepted only in exactly its canonical form: no
whitespace, keys sorted, no key twice, no float, so that every reader parses the same
signed bytes into the same fields. The payload's ``timestamp`` is ISO 8601 with its offset,
on a day between 1970-01-01 and 2999-12-31 (:data:`domain.clock.FIRST_DAY`, ``LAST_DAY``).

In SQL the message is readable as ``substr(state, 65)``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import orjson

from certledger.domain import clock
from certledger.domain.errors import CertLedgerError, NotCanonical, TamperError
from certledger.domain.trust import TRUST_REGISTRY_ID
from certledger.events.canonical import canonical_bytes, in_subset
from certledger.signing import keys
from certledger.signing.keyring import Keyring

FORMAT = 2
GENESIS_PREV = "0" * 64
NO_LEDGER = "0" * 64  # what the genesis event names as its ledger: the id is its own digest
_FIELDS = frozenset(("format", "ledger", "stream", "version", "topic", "signer", "prev", "payload"))
_HEX = frozenset("0123456789abcdef")


def digest(state: bytes) -> str:
    return hashlib.sha256(state).hexdigest()


def message_bytes(
    *, ledger: str, stream: UUID, version: int, topic: str, signer: str, prev: str, payload: dict[str, Any]
) -> bytes:
    """The signed message. ``payload`` must already be lowered (to_canonical_value)."""
    return canonical_bytes(
        {
            "format": FORMAT,
            "ledger": ledger,
            "stream": str(stream),
            "version": version,
            "topic": topic,
            "signer": signer,
            "prev": prev,
            "payload": payload,
        },
        lowered=True,
    )


@dataclass(frozen=True)
class Opened:
    """A stored state split into its signature and parsed message (nothing checked yet)."""

    signature: bytes
    message: bytes
    ledger: str
    stream: str
    version: int
    topic: str
    signer: str
    prev: str
    payload: dict[str, Any]

    @property
    def actor(self) -> str:
        return self.payload.get("actor", "")

    @property
    def timestamp(self) -> datetime:
        return datetime.fromisoformat(self.payload["timestamp"])


def open_state(state: bytes, *, strict: bool = True) -> Opened:
    """Split and parse a stored state. Raises :class:`TamperError` (never anything else)
    for any bytes that are not a well-formed, canonical format-2 envelope.

    ``strict=False`` leaves out the slow half of the canonical check (floats, integers out
    of range, non-ASCII keys: :func:`canonical_problem`), for a caller that runs it
    elsewhere — ``verify`` does, in its worker processes; the quick half (whitespace, key
    order, a key given twice) always runs."""
    if not isinstance(state, (bytes, bytearray, memoryview)):
        raise TamperError(f"stored state is {type(state).__name__}, not bytes")
    state = bytes(state)
    if len(state) <= keys.SIGNATURE_SIZE:
        raise TamperError(f"stored state is {len(state)} bytes: too short to hold a signature")
    message = state[keys.SIGNATURE_SIZE :]
    try:
        fields = orjson.loads(message)
    except orjson.JSONDecodeError as e:
        raise TamperError(f"signed message is not valid JSON ({e})") from None
    if not isinstance(fields, dict) or set(fields) != _FIELDS:
        if isinstance(fields, dict) and fields.get("format") == 1:
            raise TamperError("envelope format 1 (certledger 0.1) binds no ledger id; this ledger must be written anew")
        raise TamperError("signed message does not have exactly the envelope fields")
    if orjson.dumps(fields, option=orjson.OPT_SORT_KEYS) != message:
        raise TamperError(NOT_CANONICAL)
    if strict:
        problem = canonical_problem(message, fields)
        if problem:
            raise TamperError(problem)
    if fields["format"] != FORMAT:
        raise TamperError(f"unknown envelope format {fields['format']!r}")
    _check_types(fields)
    return Opened(
        signature=state[: keys.SIGNATURE_SIZE],
        message=message,
        ledger=fields["ledger"],
        stream=fields["stream"],
        version=fields["version"],
        topic=fields["topic"],
        signer=fields["signer"],
        prev=fields["prev"],
        payload=fields["payload"],
    )


NOT_CANONICAL = "signed message is not in canonical form (whitespace, key order, escapes or a key given twice)"


def canonical_problem(message: bytes, fields: Any = None) -> str | None:
    """Why ``message`` is not exactly the canonical bytes of what it parses to, or None.
    ``fields``: what ``message`` parses to, if the caller parsed it already."""
    try:
        parsed = orjson.loads(message) if fields is None else fields
    except orjson.JSONDecodeError as e:
        return f"signed message is not valid JSON ({e})"
    if in_subset(parsed):  # then its canonical bytes are orjson's sorted output (events/canonical.py)
        return None if orjson.dumps(parsed, option=orjson.OPT_SORT_KEYS) == message else NOT_CANONICAL
    try:
        canonical = canonical_bytes(parsed)
    except NotCanonical as e:
        return f"signed message is not canonical: {e}"
    except orjson.JSONDecodeError as e:
        return f"signed message is not valid JSON ({e})"
    return None if canonical == message else NOT_CANONICAL


def _check_types(fields: dict[str, Any]) -> None:
    for name in ("ledger", "prev"):
        value = fields[name]
        if not (isinstance(value, str) and len(value) == 64 and set(value) <= _HEX):
            raise TamperError(f"envelope field {name!r} is not a hex SHA-256 digest")
    for name in ("stream", "topic", "signer"):
        if not isinstance(fields[name], str) or not fields[name]:
            raise TamperError(f"envelope field {name!r} is not a string")
    version = fields["version"]
    if type(version) is not int or version < 1:
        raise TamperError(f"envelope version {version!r} is not a positive integer")
    payload = fields["payload"]
    if not isinstance(payload, dict):
        raise TamperError("envelope payload is not an object")
    if not isinstance(payload.get("actor"), str) or not payload["actor"]:
        raise TamperError("payload names no acting party ('actor')")
    stamp = payload.get("timestamp")
    try:
        moment = datetime.fromisoformat(stamp) if isinstance(stamp, str) else None
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None or moment.utcoffset() is None:
        raise TamperError(f"payload timestamp {stamp!r} is not an ISO 8601 time with its offset")
    problem = clock.out_of_range(moment)
    if problem:
        raise TamperError(f"payload timestamp {problem}")


def check_ledger(opened: Opened, ledger_id: str | None) -> None:
    """The event names the ledger it was signed for (the genesis event names none)."""
    if genesis_key(opened.stream, opened.version, opened.payload) is not None:
        if opened.ledger != NO_LEDGER:
            raise TamperError("the genesis event names a ledger: it must name none (64 zeros)")
        return
    if ledger_id is not None and opened.ledger != ledger_id:
        raise TamperError(f"event was signed for ledger {opened.ledger[:16]}…, not this ledger {ledger_id[:16]}…")


def check_placement(opened: Opened, stream: UUID, version: int, topic: str) -> None:
    """The row the event sits in must be the place it was signed for."""
    if opened.stream != str(stream):
        raise TamperError(f"row is in stream {stream} but was signed for stream {opened.stream}")
    if opened.version != version:
        raise TamperError(f"row is version {version} but was signed as version {opened.version}")
    if opened.topic != topic:
        raise TamperError(f"row has topic {topic} but was signed as {opened.topic}")


def genesis_key(stream: UUID | str, version: int, payload: dict[str, Any]) -> tuple[str, str] | None:
    """For the ledger's first event, the root key (id, public key) it carries and is
    signed with; None for every other event."""
    if version == 1 and str(stream) == str(TRUST_REGISTRY_ID):
        key_id, public = payload.get("root_key_id"), payload.get("root_public_key")
        return (key_id if isinstance(key_id, str) else "", public if isinstance(public, str) else "")
    return None


def signing_key(opened: Opened, keyring: Keyring, pinned_root: str | None = None) -> tuple[bytes | None, str | None]:
    """The public key to check ``opened``'s signature with, and why that key may not sign
    it (None if it may). The key is None when there is nothing to check against."""
    genesis = genesis_key(opened.stream, opened.version, opened.payload)
    if genesis is not None:
        return genesis_signing_key(opened, genesis, pinned_root)
    problem = keyring.problem(opened.signer, opened.actor, opened.timestamp)
    if opened.signer not in keyring:
        return None, problem
    return keyring.public_key(opened.signer), problem


def genesis_signing_key(
    opened: Opened, genesis: tuple[str, str], pinned_root: str | None = None
) -> tuple[bytes | None, str | None]:
    """The genesis event is signed by the root key it registers (and, if pinned, is that one)."""
    key_id, public_text = genesis
    try:
        public = keys.public_key_from_text(public_text)
    except CertLedgerError as e:
        return None, f"genesis event carries a bad root key: {e}"
    if keys.key_id_of(public) != key_id or opened.signer != key_id:
        return None, "genesis event is not signed by the root key it registers"
    if pinned_root is not None and key_id != pinned_root:
        return public, f"root key is {key_id}, not the pinned root {pinned_root}"
    return public, None


def signature_problem(key_problem: str | None, signature_holds: bool) -> str | None:
    """One message for the key's problem and the signature's: a valid signature by a key
    that may not sign is a different story from a forged one."""
    if signature_holds:
        return key_problem
    if key_problem:
        return f"{key_problem}; and the signature does not verify"
    return "signature does not verify"


def check_signed(opened: Opened, keyring: Keyring, pinned_root: str | None = None) -> None:
    """The signature verifies under a key that may sign for the actor at the event's time."""
    public, problem = signing_key(opened, keyring, pinned_root)
    if public is None:
        raise TamperError(problem or "no key to verify with")
    problem = signature_problem(problem, keys.signature_holds(public, opened.signature, opened.message))
    if problem:
        raise TamperError(problem)
