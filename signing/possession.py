"""Proof of possession (trust rule T-5): a key is registered only with a signature, made by
that very key, over its own registration.

Why: without it the root could be talked into registering a public key copied from
somewhere else — another party's, or one used in another ledger — and a signed event
copied from that other place would then verify here. With it, only whoever holds the
private key can have it registered, for one party, in one ledger.

The statement signed is the canonical bytes of ::

    {"purpose": "certledger key registration", "ledger": <ledger id>,
     "party": <party id>, "key_id": <key id>}

where the ledger id is the hex SHA-256 of the ledger's genesis event as stored.

The statement is defined here, once (:func:`statement`). Its *bytes* are made by the
caller's canonical encoder, passed as ``encode`` (``certledger.events.canonical.canonical_bytes``):
``signing/`` sits below ``events/`` and does not import it, and canonical bytes are made
in exactly one function. A caller passing another encoder gets proofs that never check,
which every test of the write path would show at once.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from certledger.domain.errors import InputError
from certledger.signing.keys import (
    SIGNATURE_SIZE,
    KeyId,
    check_public_key,
    key_id_of,
    raw_public_key,
    sign,
    signature_holds,
)

PURPOSE = "certledger key registration"

Encode = Callable[[dict[str, str]], bytes]
"""Canonical bytes of a JSON object of strings (``events.canonical.canonical_bytes``)."""


@dataclass(frozen=True)
class KeyClaim:
    """A public key offered for registration, with its holder's proof of possession."""

    public_key: bytes
    proof: str

    @property
    def key_id(self) -> KeyId:
        return key_id_of(self.public_key)


def statement(ledger_id: str, party: str, key_id: str) -> dict[str, str]:
    """What a proof of possession signs."""
    return {"purpose": PURPOSE, "ledger": ledger_id, "party": party, "key_id": key_id}


def prove(private_key: Ed25519PrivateKey, ledger_id: str, party: str, key_id: str, *, encode: Encode) -> str:
    """The proof (standard base64 of the signature) that the holder of ``private_key``
    asks for it to be registered as ``key_id`` of ``party`` in ledger ``ledger_id``."""
    if key_id_of(raw_public_key(private_key)) != key_id:
        raise InputError(f"T-5: {key_id} is not the id of this private key's public key")
    return base64.b64encode(sign(private_key, encode(statement(ledger_id, party, key_id)))).decode("ascii")


def claim(private_key: Ed25519PrivateKey, ledger_id: str, party: str, *, encode: Encode) -> KeyClaim:
    """A freshly generated key's claim: its public half, proved."""
    public = raw_public_key(private_key)
    return KeyClaim(public, prove(private_key, ledger_id, party, key_id_of(public), encode=encode))


def check(public_raw: bytes, proof_b64: str, ledger_id: str, party: str, key_id: str, *, encode: Encode) -> None:
    """None if ``proof_b64`` proves possession of ``public_raw`` (a sound key, named
    ``key_id``) for ``party`` in ledger ``ledger_id``; else raise :class:`InputError`
    naming the problem (T-5)."""
    check_public_key(public_raw)
    if key_id_of(public_raw) != key_id:
        raise InputError(f"T-5: {key_id} is not the id of public key {key_id_of(public_raw)}")
    try:
        signature = base64.b64decode(proof_b64, validate=True)
    except (binascii.Error, ValueError):
        signature = b""
    if len(signature) != SIGNATURE_SIZE:
        raise InputError(f"T-5: the proof of possession of {key_id} is not a base64 Ed25519 signature")
    if not signature_holds(public_raw, signature, encode(statement(ledger_id, party, key_id))):
        raise InputError(
            f"T-5: the proof of possession of {key_id} does not verify: it was not made with "
            f"that key for party {party!r} in this ledger ({ledger_id[:16]}…)"
        )
