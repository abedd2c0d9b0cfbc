"""The signed envelope every stored event travels in.

A stored event's ``state`` is the 64-byte Ed25519 signature followed by the *message*: the
canonical bytes (:func:`events.canonical.canonical_bytes`) of ::

    {"format": 1, "stream": "<uuid>", "version": n, "topic": "<event class topic>",
     "signer": "ed25519:…", "prev": "<hex SHA-256 of the stream's previous state>",
     "payload": {…the event's fields, including "actor" and "timestamp"…}}

The signature covers the message, so it binds the payload to its place (stream, version,
topic), to its signer, and to its predecessor. The digest that the next event's ``prev``
names is SHA-256 of the whole stored state, signature included. So a flipped byte, a
moved or copied row, a swapped or deleted version, or a changed signer all fail.

In SQL the message is readable as ``substr(state, 65)``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import orjson

from certledger.domain.errors import CertLedgerError, TamperError
from certledger.domain.trust import TRUST_REGISTRY_ID
from certledger.events.canonical import canonical_bytes
from certledger.signing import keys
from certledger.signing.keyring import Keyring

FORMAT = 1
GENESIS_PREV = "0" * 64
_FIELDS = ("format", "stream", "version", "topic", "signer", "prev", "payload")


def digest(state: bytes) -> str:
    return hashlib.sha256(state).hexdigest()


def message_bytes(
    *, stream: UUID, version: int, topic: str, signer: str, prev: str, payload: dict[str, Any]
) -> bytes:
    """The signed message. ``payload`` must already be lowered (to_canonical_value)."""
    return canonical_bytes(
        {
            "format": FORMAT,
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


def open_state(state: bytes) -> Opened:
    if len(state) <= keys.SIGNATURE_SIZE:
        raise TamperError(f"stored state is {len(state)} bytes: too short to hold a signature")
    message = state[keys.SIGNATURE_SIZE :]
    try:
        fields = orjson.loads(message)
    except orjson.JSONDecodeError as e:
        raise TamperError(f"signed message is not valid JSON ({e})") from None
    if not isinstance(fields, dict) or any(f not in fields for f in _FIELDS):
        raise TamperError("signed message lacks the envelope fields")
    if fields["format"] != FORMAT:
        raise TamperError(f"unknown envelope format {fields['format']!r}")
    payload = fields["payload"]
    if not isinstance(payload, dict) or not isinstance(payload.get("timestamp"), str):
        raise TamperError("signed message has no payload timestamp")
    try:
        datetime.fromisoformat(payload["timestamp"])
    except ValueError:
        raise TamperError(f"payload timestamp {payload['timestamp']!r} is not ISO 8601") from None
    return Opened(
        signature=state[: keys.SIGNATURE_SIZE],
        message=message,
        stream=fields["stream"],
        version=fields["version"],
        topic=fields["topic"],
        signer=fields["signer"],
        prev=fields["prev"],
        payload=payload,
    )


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
        return payload.get("root_key_id", ""), payload.get("root_public_key", "")
    return None


def signing_key(opened: Opened, keyring: Keyring, pinned_root: str | None = None) -> tuple[bytes | None, str | None]:
    """The public key to check ``opened``'s signature with, and why that key may not sign
    it (None if it may). The key is None when there is nothing to check against."""
    genesis = genesis_key(opened.stream, opened.version, opened.payload)
    if genesis is not None:
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
    problem = keyring.problem(opened.signer, opened.actor, opened.timestamp)
    if opened.signer not in keyring:
        return None, problem
    return keyring.public_key(opened.signer), problem


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
