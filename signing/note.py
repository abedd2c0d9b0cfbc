"""Signed notes and checkpoints in the C2SP formats (c2sp.org/signed-note,
c2sp.org/tlog-checkpoint), with Ed25519 keys.

Why these formats: a checkpoint (log origin, tree size, root hash) in a signed note is what
transparency logs, witnesses and monitors already exchange; an auditor can check ours with
any implementation of the spec (Go's ``golang.org/x/mod/sumdb/note``, transparency-dev's
``formats``), and a second party cosigns by adding a line. For certledger the origin is the
ledger id, a parameter here.

A note is its text (ending in a newline), a blank line, and one or more signature lines::

    — <key name> base64(4-byte key hash ‖ Ed25519 signature of the text)

where the key hash is the first 4 bytes of SHA-256(key name ‖ 0x0A ‖ 0x01 ‖ public key).
Parsing is strict: valid UTF-8, no control character but newline, the text split from the
signatures at the last blank line, every signature line well formed, canonical base64, no
key signing twice, at most :data:`MAX_SIGNATURES` lines and :data:`MAX_NOTE_BYTES` bytes.
A malformed note raises :class:`InputError`; a signature by a given key that does not
verify, or a note no given key signed, raises :class:`TamperError`. Signatures by keys the
caller did not give are ignored, as the spec requires, and reported as unverified.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from certledger.domain.errors import InputError, TamperError
from certledger.signing.keys import check_public_key, raw_public_key, sign, signature_holds

EM_DASH = "\u2014"
ED25519 = b"\x01"  # the signature type identifier byte of Ed25519 (signed-note, "Signature types")
KEY_HASH_SIZE = 4
HASH_SIZE = 32  # a checkpoint's root: SHA-256
MAX_SIGNATURES = 100  # the spec asks for at least 16; golang.org/x/mod/sumdb/note stops at 100
MAX_NOTE_BYTES = 1 << 20  # room for 16 post-quantum signatures of ~5 kB, as the spec asks
_SIGNATURE_PREFIX = EM_DASH + " "
_CONTROL = re.compile("[\x00-\x09\x0b-\x1f]")
_SIZE = re.compile("0|[1-9][0-9]*")


@dataclass(frozen=True)
class Verifier:
    """A trusted key: the name it signs as and its 32-byte Ed25519 public key."""

    name: str
    public_key: bytes

    def __post_init__(self) -> None:
        check_name(self.name)
        check_public_key(self.public_key)

    @property
    def key_hash(self) -> bytes:
        return key_hash(self.name, self.public_key)

    @property
    def text(self) -> str:
        """The verifier key as Go's note package writes it: ``name+hash+base64(0x01 ‖ key)``."""
        return f"{self.name}+{self.key_hash.hex()}+{_b64(ED25519 + self.public_key)}"

    @classmethod
    def from_text(cls, text: str) -> Verifier:
        """Read a verifier key written as :attr:`text`; its key hash must be the key's."""
        name, _, rest = text.partition("+")
        hash_hex, _, key_b64 = rest.partition("+")
        raw = _b64decode(key_b64, f"verifier key {text!r}")
        if len(raw) != 1 + 32 or raw[:1] != ED25519 or not re.fullmatch("[0-9a-f]{8}", hash_hex):
            raise InputError(f"verifier key {text!r} is not name+hash+base64(0x01 ‖ 32-byte Ed25519 key)")
        verifier = cls(name, raw[1:])
        if verifier.key_hash.hex() != hash_hex:
            raise InputError(f"verifier key {text!r}: its hash is {verifier.key_hash.hex()}, not {hash_hex}")
        return verifier


@dataclass(frozen=True)
class Signature:
    """One signature line of a note."""

    name: str
    key_hash: bytes
    signature: bytes

    @property
    def line(self) -> str:
        return f"{_SIGNATURE_PREFIX}{self.name} {_b64(self.key_hash + self.signature)}\n"


@dataclass(frozen=True)
class Note:
    """An opened note: its text, and who signed it."""

    text: str
    verified: tuple[str, ...]  # the names whose signatures verified, in the note's order
    unverified: tuple[Signature, ...]  # signatures by keys not given: ignored


@dataclass(frozen=True)
class Checkpoint:
    """The body of a checkpoint: which log, how many leaves, their Merkle root."""

    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()


def check_name(name: str) -> None:
    """A key name is non-empty with no Unicode space and no plus (signed-note, "Format")."""
    if not isinstance(name, str) or not name:
        raise InputError("a signed-note key name must be a non-empty string")
    if "+" in name or any(character.isspace() for character in name) or _CONTROL.search(name):
        raise InputError(f"key name {name!r} may not contain spaces, '+' or control characters")


def key_hash(name: str, public_key: bytes) -> bytes:
    """The 4-byte key hash (key ID) of an Ed25519 key: SHA-256(name ‖ 0x0A ‖ 0x01 ‖ key)[:4]."""
    check_name(name)
    if len(public_key) != 32:
        raise InputError(f"an Ed25519 public key is 32 bytes, not {len(public_key)}")
    return hashlib.sha256(name.encode() + b"\n" + ED25519 + public_key).digest()[:KEY_HASH_SIZE]


def checkpoint_body(origin: str, size: int, root: bytes, extensions: tuple[str, ...] = ()) -> bytes:
    """The text of a checkpoint: ``origin\\nsize\\nbase64(root)\\n``, then each extension
    line. The origin is held to the rules of a key name (the spec's SHOULD: the log's key
    name matches it); an extension line is non-empty text on one line."""
    check_name(origin)
    if type(size) is not int or not 0 <= size < 2**64:
        raise InputError(f"a checkpoint's tree size is an integer from 0 to 2**64-1, not {size!r}")
    if not isinstance(root, (bytes, bytearray)) or len(root) != HASH_SIZE:
        raise InputError(f"a checkpoint's root hash is {HASH_SIZE} bytes")
    for extension in extensions:
        if not isinstance(extension, str) or not extension or "\n" in extension or _CONTROL.search(extension):
            raise InputError(f"a checkpoint's extension line is non-empty text on one line, not {extension!r}")
    return (f"{origin}\n{size}\n{_b64(bytes(root))}\n" + "".join(e + "\n" for e in extensions)).encode()


def parse_checkpoint(text: str | bytes) -> Checkpoint:
    """The fields of a checkpoint's text, parsed strictly (c2sp.org/tlog-checkpoint)."""
    text = _decode(text)
    if not text.endswith("\n"):
        raise InputError("checkpoint: its text does not end in a newline")
    lines = text[:-1].split("\n")
    if len(lines) < 3:
        raise InputError("checkpoint: it has fewer than three lines (origin, tree size, root hash)")
    origin, size_text, root_text, *extensions = lines
    if not origin:
        raise InputError("checkpoint: the origin line is empty")
    if len(size_text) > 20 or not _SIZE.fullmatch(size_text) or int(size_text) >= 2**64:
        raise InputError(f"checkpoint: tree size {size_text!r} is not a decimal number without leading zeros")
    root = _b64decode(root_text, "checkpoint: the root hash")
    if len(root) != HASH_SIZE:
        raise InputError(f"checkpoint: the root hash is {len(root)} bytes, not {HASH_SIZE}")
    if "" in extensions:
        raise InputError("checkpoint: an extension line is empty")
    return Checkpoint(origin, int(size_text), root, tuple(extensions))


def sign_note(body: str | bytes, name: str, private_key: Ed25519PrivateKey) -> str:
    """The note of ``body`` signed by ``private_key`` as ``name``."""
    text = _decode(body)
    _check_text(text)
    return text + "\n" + _signature(text, name, private_key).line


def add_signature(note: str | bytes, name: str, private_key: Ed25519PrivateKey) -> str:
    """``note`` with one more signature line, by ``private_key`` as ``name`` (cosigning).

    The existing signatures are not checked here: a cosigner opens the note with
    :func:`open_note` first, and signs only what it has checked."""
    note = _decode(note)
    text, signatures = _split(note)
    added = _signature(text, name, private_key)
    if any((s.name, s.key_hash) == (added.name, added.key_hash) for s in signatures):
        raise InputError(f"the note is already signed by {name} ({added.key_hash.hex()})")
    return note + added.line


def signature_line(text: str | bytes, name: str, private_key: Ed25519PrivateKey) -> str:
    """One signature line over a note's ``text`` (what a cosigner adds to the note)."""
    text = _decode(text)
    _check_text(text)
    return _signature(text, name, private_key).line


def unsigned_text(note: str | bytes) -> str:
    """The text of a note, parsed strictly, its signatures NOT checked (for a reader that
    checks them separately, or says it did not)."""
    text, _ = _split(_decode(note))
    return text


def open_note(note: str | bytes, verifiers: Iterable[Verifier]) -> Note:
    """Parse ``note`` and check every signature by a key in ``verifiers``.

    Raises :class:`InputError` if the note is malformed or two verifiers share a name and
    key hash; :class:`TamperError` if a signature by a given key does not verify (the spec
    lets a client reject the whole note then; we do) or no given key signed it."""
    text, signatures = _split(_decode(note))
    known: dict[tuple[str, bytes], Verifier] = {}
    for verifier in verifiers:
        if (verifier.name, verifier.key_hash) in known:
            raise InputError(f"two verifier keys share name {verifier.name} and key hash {verifier.key_hash.hex()}")
        known[verifier.name, verifier.key_hash] = verifier
    message = text.encode()
    verified: list[str] = []
    unverified: list[Signature] = []
    for signature in signatures:
        verifier = known.get((signature.name, signature.key_hash))
        if verifier is None:
            unverified.append(signature)
        elif signature_holds(verifier.public_key, signature.signature, message):
            verified.append(signature.name)
        else:
            raise TamperError(
                f"signed note: the signature by {signature.name} ({signature.key_hash.hex()}) does not verify"
            )
    if not verified:
        names = ", ".join(f"{s.name} ({s.key_hash.hex()})" for s in unverified)
        raise TamperError(f"signed note: no signature by a trusted key (signed by: {names})")
    return Note(text, tuple(verified), tuple(unverified))


def open_checkpoint(
    note: str | bytes, verifiers: Iterable[Verifier], *, origin: str | None = None
) -> tuple[Checkpoint, Note]:
    """:func:`open_note`, then :func:`parse_checkpoint` of its text; with ``origin``, the
    checkpoint must be for that log (for certledger: the ledger id)."""
    if origin is not None:
        # The origin first: a note kept from another ledger is signed by that ledger's HRSS key,
        # and "its signature does not verify" would hide the plain reason.
        claimed = parse_checkpoint(unsigned_text(note)).origin
        if claimed != origin:
            raise TamperError(f"this note is from another ledger (origin {claimed}), not this ledger ({origin})")
    opened = open_note(note, verifiers)
    checkpoint = parse_checkpoint(opened.text)
    return checkpoint, opened


def _signature(text: str, name: str, private_key: Ed25519PrivateKey) -> Signature:
    check_name(name)
    return Signature(name, key_hash(name, raw_public_key(private_key)), sign(private_key, text.encode()))


def _split(note: str) -> tuple[str, list[Signature]]:
    """The text and the signature lines of a note, parsed strictly (nothing verified)."""
    _check_characters(note, "signed note")
    split = note.rfind("\n\n")
    if split < 0:
        raise InputError("signed note: no blank line between the text and the signatures")
    text, block = note[: split + 1], note[split + 2 :]
    if not block:
        raise InputError("signed note: no signature lines after the blank line")
    if not block.endswith("\n"):
        raise InputError("signed note: the last signature line does not end in a newline")
    lines = block[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise InputError(f"signed note: {len(lines)} signature lines, more than {MAX_SIGNATURES}")
    signatures = [_signature_line(line, number) for number, line in enumerate(lines, 1)]
    seen = set()
    for signature in signatures:
        if (signature.name, signature.key_hash) in seen:
            raise InputError(f"signed note: key {signature.name} ({signature.key_hash.hex()}) signs it twice")
        seen.add((signature.name, signature.key_hash))
    return text, signatures


def _signature_line(line: str, number: int) -> Signature:
    if not line.startswith(_SIGNATURE_PREFIX):
        raise InputError(f"signed note: signature line {number} does not start with an em dash and a space")
    name, space, encoded = line[len(_SIGNATURE_PREFIX) :].partition(" ")
    if not space:
        raise InputError(f"signed note: signature line {number} has no space between key name and signature")
    try:
        check_name(name)
    except InputError as e:
        raise InputError(f"signed note: signature line {number}: {e}") from None
    raw = _b64decode(encoded, f"signed note: signature line {number}")
    if len(raw) <= KEY_HASH_SIZE:
        raise InputError(f"signed note: signature line {number} holds no signature after its key hash")
    return Signature(name, raw[:KEY_HASH_SIZE], raw[KEY_HASH_SIZE:])


def _check_text(text: str) -> None:
    _check_characters(text, "note text")
    if not text.endswith("\n"):
        raise InputError("note text: it must end in a newline")


def _check_characters(text: str, what: str) -> None:
    if len(text.encode()) > MAX_NOTE_BYTES:
        raise InputError(f"{what}: longer than {MAX_NOTE_BYTES} bytes")
    bad = _CONTROL.search(text)
    if bad:
        raise InputError(
            f"{what}: control character U+{ord(bad.group()):04X} at offset {bad.start()} (only newline is allowed)"
        )


def _decode(value: str | bytes) -> str:
    """Text as a str of valid UTF-8 (a lone surrogate in a str is not)."""
    try:
        if isinstance(value, (bytes, bytearray)):
            return bytes(value).decode("utf-8")
        if isinstance(value, str):
            value.encode("utf-8")
            return value
    except UnicodeError:
        raise InputError("a signed note must be valid UTF-8") from None
    raise InputError(f"a signed note is text, not {type(value).__name__}")


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _b64decode(text: str, what: str) -> bytes:
    """Standard base64 (RFC 4648 §4), padded, in its one canonical form."""
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise InputError(f"{what} is not standard base64") from None
    if _b64(raw) != text:
        raise InputError(f"{what} is not canonical base64")
    return raw
