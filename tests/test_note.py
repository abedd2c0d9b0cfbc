"""Signed notes and checkpoints (c2sp.org/signed-note, c2sp.org/tlog-checkpoint).

Known answers come from other implementations, so our format is theirs byte for byte;
openssl checks a signature with nothing of ours; every malformed note is refused with its
own message. No database: these run once, not per backend.
"""

from __future__ import annotations

import base64
import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given
from hypothesis import strategies as st

from certledger.domain.errors import InputError, TamperError
from certledger.signing import keys
from certledger.signing.note import (
    EM_DASH,
    MAX_NOTE_BYTES,
    MAX_SIGNATURES,
    Checkpoint,
    Verifier,
    add_signature,
    checkpoint_body,
    key_hash,
    open_checkpoint,
    open_note,
    parse_checkpoint,
    sign_note,
)

# The example of golang.org/x/mod/sumdb/note (package documentation of note.go, "Example",
# and note_test.go): PeterNeumann's signing key is PRIVATE+KEY+PeterNeumann+c74f20a3+<this>,
# base64(0x01 ‖ Ed25519 seed); EnochRoot's key is the one GenerateKey makes from a reader of
# zeros (the seed of 32 zero bytes), which the documentation uses to add a second signature.
GO_SEED = base64.b64decode("AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz")[1:]
GO_PETER = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_ENOCH = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
GO_TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
GO_PETER_LINE = (
    f"{EM_DASH} PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
)
GO_ENOCH_LINE = (
    f"{EM_DASH} EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n"
)

# The example of the C2SP signed-note spec ("Example" section, C2SP/C2SP at d4c16da5, as
# quoted by the tests of other implementations, e.g. cloudflare's): a note signed by
# another implementation, with its verifier key.
SPEC_KEY = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"
SPEC_NOTE = (
    "This is an example message.\n\n"
    f"{EM_DASH} example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n"
)

# The note at the top of the current signed-note spec (C2SP/C2SP signed-note.md): a text
# with an empty line in it, signed by a key we do not have.
QUASIMODO = (
    "Ognuno sta solo sul cuor della terra\ntrafitto da un raggio di sole:\n\ned è subito sera.\n\n"
    f"{EM_DASH} quasimodo.example/salvatore NnugSzTjtVAewIS+Z/iJhUPeFDkO/5QQ2i5ddnGITLlC+EhfLW9oJKONrMouFSQU0xMcXxj99ihAQwaqP3ZekRwNtIc=\n"
)

LEDGER = "9f" * 32  # a ledger id: the origin of certledger's checkpoints
ROOT = bytes(range(32))


def _peter() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(GO_SEED)


def _enoch() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(bytes(32))


def _verifier(name: str, key: Ed25519PrivateKey) -> Verifier:
    return Verifier(name, keys.raw_public_key(key))


# ---- known answers ----


def test_go_sumdb_note_example_signs_byte_for_byte() -> None:
    peter = Verifier.from_text(GO_PETER)
    assert peter.public_key == keys.raw_public_key(_peter())
    assert key_hash("PeterNeumann", peter.public_key).hex() == "c74f20a3"
    assert peter.text == GO_PETER
    assert sign_note(GO_TEXT, "PeterNeumann", _peter()) == GO_TEXT + "\n" + GO_PETER_LINE


def test_go_sumdb_note_example_cosigns_byte_for_byte() -> None:
    note = GO_TEXT + "\n" + GO_PETER_LINE
    assert Verifier.from_text(GO_ENOCH) == _verifier("EnochRoot", _enoch())
    both = add_signature(note, "EnochRoot", _enoch())
    assert both == note + GO_ENOCH_LINE
    opened = open_note(both, [Verifier.from_text(GO_PETER), Verifier.from_text(GO_ENOCH)])
    assert opened.text == GO_TEXT and opened.verified == ("PeterNeumann", "EnochRoot") and not opened.unverified
    only_enoch = open_note(both, [Verifier.from_text(GO_ENOCH)])
    assert only_enoch.verified == ("EnochRoot",)
    assert [(s.name, s.key_hash.hex()) for s in only_enoch.unverified] == [("PeterNeumann", "c74f20a3")]


def test_the_signed_note_spec_example_opens() -> None:
    verifier = Verifier.from_text(SPEC_KEY)
    assert verifier.key_hash.hex() == "530d903a" and verifier.text == SPEC_KEY
    opened = open_note(SPEC_NOTE, [verifier])
    assert opened.text == "This is an example message.\n" and opened.verified == ("example.com/foo",)
    with pytest.raises(TamperError, match="the signature by example.com/foo \\(530d903a\\) does not verify"):
        open_note(SPEC_NOTE.replace("example message", "example massage"), [verifier])


def test_a_note_signed_only_by_unknown_keys_is_refused_and_says_who_signed_it() -> None:
    """The text is split from its signatures at the *last* blank line; the signature is by
    a key we were not given, so it is ignored, and nothing trusted is left."""
    with pytest.raises(TamperError, match="no signature by a trusted key \\(signed by: quasimodo.example/salvatore \\("):
        open_note(QUASIMODO, [Verifier.from_text(SPEC_KEY)])


def test_a_key_with_the_right_name_or_the_right_hash_but_not_both_is_not_asked() -> None:
    note = sign_note(GO_TEXT, "PeterNeumann", _peter())
    impostor = Ed25519PrivateKey.generate()
    with pytest.raises(TamperError, match="no signature by a trusted key"):
        open_note(note, [_verifier("PeterNeumann", impostor)])
    with pytest.raises(TamperError, match="no signature by a trusted key"):
        open_note(note, [_verifier("PeterNeumann2", _peter())])


@pytest.mark.skipif(shutil.which("openssl") is None, reason="no openssl on PATH")
def test_openssl_verifies_the_signature_over_the_checkpoint_text(tmp_path: Path) -> None:
    """The signature in the note is plain Ed25519 over the note text: openssl, knowing
    nothing of notes, agrees."""
    key = keys.new_private_key()
    body = checkpoint_body(LEDGER, 1234, ROOT)
    note = sign_note(body, "hrss", key)
    raw = base64.b64decode(note.splitlines()[-1].split(" ")[2])
    assert raw[:4] == key_hash("hrss", keys.raw_public_key(key))
    (tmp_path / "body").write_bytes(body)
    (tmp_path / "sig").write_bytes(raw[4:])
    (tmp_path / "pub.pem").write_bytes(
        key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    command = ["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", "pub.pem", "-rawin", "-in", "body", "-sigfile", "sig"]
    result = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 0 and "Signature Verified Successfully" in result.stdout, result
    (tmp_path / "body").write_bytes(body.replace(b"1234", b"1235"))
    assert subprocess.run(command, cwd=tmp_path, capture_output=True).returncode != 0


# ---- checkpoints ----


def test_a_checkpoint_body_is_origin_size_and_base64_root() -> None:
    body = checkpoint_body(LEDGER, 70000, ROOT)
    assert body == f"{LEDGER}\n70000\n{base64.b64encode(ROOT).decode()}\n".encode()
    assert parse_checkpoint(body) == Checkpoint(LEDGER, 70000, ROOT)
    assert checkpoint_body(LEDGER, 0, ROOT).split(b"\n")[1] == b"0"


@given(
    origin=st.text(st.characters(codec="utf-8", exclude_categories=("Z", "C"), exclude_characters="+"), min_size=1),
    size=st.integers(0, 2**64 - 1),
    root=st.binary(min_size=32, max_size=32),
)
def test_sign_open_round_trip(origin: str, size: int, root: bytes) -> None:
    log, witness = keys.new_private_key(), keys.new_private_key()
    note = sign_note(checkpoint_body(origin, size, root), origin, log)
    cosigned = add_signature(note, "witness.example", witness)
    verifiers = [_verifier(origin, log), _verifier("witness.example", witness)]
    checkpoint, opened = open_checkpoint(cosigned, verifiers, origin=origin)
    assert checkpoint == Checkpoint(origin, size, root)
    assert opened.verified == (origin, "witness.example")


def test_extension_lines_are_kept_and_the_origin_is_checked() -> None:
    key = keys.new_private_key()
    text = checkpoint_body(LEDGER, 5, ROOT) + b"extension one\nextension two\n"
    checkpoint, _ = open_checkpoint(sign_note(text, "hrss", key), [_verifier("hrss", key)], origin=LEDGER)
    assert checkpoint.extensions == ("extension one", "extension two")
    with pytest.raises(TamperError, match=rf"this note is from another ledger \(origin {LEDGER}\), not this ledger \(another\)"):
        open_checkpoint(sign_note(text, "hrss", key), [_verifier("hrss", key)], origin="another")
    # Also when the note is signed by a key this ledger does not know (the other ledger's HRSS):
    with pytest.raises(TamperError, match="this note is from another ledger"):
        open_checkpoint(sign_note(text, "hrss", keys.new_private_key()), [_verifier("hrss", key)], origin="another")


ROOT64 = base64.b64encode(ROOT).decode()


@pytest.mark.parametrize(
    "text, message",
    [
        (f"{LEDGER}\n5\n{ROOT64}", "does not end in a newline"),
        (f"{LEDGER}\n5\n", "fewer than three lines"),
        (f"\n5\n{ROOT64}\n", "the origin line is empty"),
        (f"{LEDGER}\n05\n{ROOT64}\n", "tree size '05' is not a decimal number"),
        (f"{LEDGER}\n-5\n{ROOT64}\n", "tree size '-5' is not"),
        (f"{LEDGER}\n+5\n{ROOT64}\n", "tree size '\\+5' is not"),
        (f"{LEDGER}\n 5\n{ROOT64}\n", "tree size ' 5' is not"),
        (f"{LEDGER}\n٥\n{ROOT64}\n", "tree size '٥' is not"),  # an Arabic-Indic five: a digit to int()
        (f"{LEDGER}\n{2**64}\n{ROOT64}\n", f"tree size '{2**64}' is not"),
        (f"{LEDGER}\n{'9' * 5000}\n{ROOT64}\n", "tree size '9999"),
        (f"{LEDGER}\n5\n{ROOT.hex()}\n", "the root hash is 48 bytes, not 32"),  # hex is base64 too
        (f"{LEDGER}\n5\n{ROOT64[:-1]}\n", "the root hash is not standard base64"),
        (f"{LEDGER}\n5\n{ROOT64[:-2]}9=\n", "the root hash is not canonical base64"),
        (f"{LEDGER}\n5\n{base64.b64encode(ROOT[:31]).decode()}\n", "the root hash is 31 bytes, not 32"),
        (f"{LEDGER}\n5\n{ROOT64}\n\nextension\n", "an extension line is empty"),
    ],
)
def test_malformed_checkpoints_are_refused(text: str, message: str) -> None:
    with pytest.raises(InputError, match=f"checkpoint: .*{message}"):
        parse_checkpoint(text)


def test_a_checkpoint_body_is_made_only_from_sound_fields() -> None:
    for origin in ("", "two words", "a+b", "line\nbreak"):
        with pytest.raises(InputError, match="key name"):
            checkpoint_body(origin, 1, ROOT)
    with pytest.raises(InputError, match="tree size is an integer from 0 to 2\\*\\*64-1, not -1"):
        checkpoint_body(LEDGER, -1, ROOT)
    with pytest.raises(InputError, match="root hash is 32 bytes"):
        checkpoint_body(LEDGER, 1, ROOT.hex().encode())


# ---- malformed notes ----


def _note() -> str:
    return sign_note(GO_TEXT, "PeterNeumann", _peter())


SIG = GO_PETER_LINE[len(f"{EM_DASH} PeterNeumann ") : -1]
MALFORMED = [
    (GO_TEXT + GO_PETER_LINE, "no blank line between the text and the signatures"),
    (GO_TEXT + "\n", "no signature lines after the blank line"),
    (GO_TEXT + "\n" + GO_PETER_LINE[:-1], "the last signature line does not end in a newline"),
    (GO_TEXT + "\n" + GO_PETER_LINE + "\n", "no signature lines after the blank line"),
    (GO_TEXT + "\n" + f"- PeterNeumann {SIG}\n", "signature line 1 does not start with an em dash and a space"),
    (GO_TEXT + "\n" + f"{EM_DASH}PeterNeumann {SIG}\n", "signature line 1 does not start with an em dash"),
    (GO_TEXT + "\n" + GO_PETER_LINE + f"{EM_DASH} PeterNeumann{SIG}\n", "signature line 2 has no space"),
    (GO_TEXT + "\n" + f"{EM_DASH}  {SIG}\n", "signature line 1: a signed-note key name must be a non-empty"),
    (GO_TEXT + "\n" + f"{EM_DASH} Peter+Neumann {SIG}\n", "signature line 1: key name 'Peter\\+Neumann' may not"),
    (GO_TEXT + "\n" + f"{EM_DASH} Peter\u00a0Neumann {SIG}\n", "signature line 1: key name .* may not contain spaces"),
    (GO_TEXT + "\n" + f"{EM_DASH} PeterNeumann {SIG} \n", "signature line 1 is not standard base64"),
    (GO_TEXT + "\n" + f"{EM_DASH} PeterNeumann {SIG[:-1]}\n", "signature line 1 is not standard base64"),
    (GO_TEXT + "\n" + f"{EM_DASH} PeterNeumann {SIG[:-2]}N=\n", "signature line 1 is not canonical base64"),
    (GO_TEXT + "\n" + f"{EM_DASH} PeterNeumann x08gow==\n", "signature line 1 holds no signature after its key hash"),
    (GO_TEXT + "\n" + GO_PETER_LINE + GO_PETER_LINE, "key PeterNeumann \\(c74f20a3\\) signs it twice"),
    (GO_TEXT.replace("\n", "\r\n", 1) + "\n" + GO_PETER_LINE, "control character U\\+000D at offset 56"),
    (GO_TEXT.replace(" ", "\t", 1) + "\n" + GO_PETER_LINE, "control character U\\+0009 at offset 2"),
    ("\x00" + GO_TEXT + "\n" + GO_PETER_LINE, "control character U\\+0000 at offset 0"),
    ((GO_TEXT + "\n" + GO_PETER_LINE).encode().replace(b"If", b"I\xff"), "must be valid UTF-8"),
    ("I\ud800" + GO_TEXT + "\n" + GO_PETER_LINE, "must be valid UTF-8"),
    (None, "a signed note is text, not NoneType"),
]


@pytest.mark.parametrize("note, message", MALFORMED)
def test_each_malformed_note_is_refused_with_its_reason(note: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        open_note(note, [Verifier.from_text(GO_PETER)])


def test_notes_too_large_or_with_too_many_signatures_are_refused() -> None:
    lines = "".join(f"{EM_DASH} witness{i} {SIG}\n" for i in range(MAX_SIGNATURES + 1))
    with pytest.raises(InputError, match=f"101 signature lines, more than {MAX_SIGNATURES}"):
        open_note(GO_TEXT + "\n" + lines, [])
    at_most = "".join(f"{EM_DASH} witness{i} {SIG}\n" for i in range(MAX_SIGNATURES - 1))
    assert open_note(GO_TEXT + "\n" + GO_PETER_LINE + at_most, [Verifier.from_text(GO_PETER)]).verified
    with pytest.raises(InputError, match=f"longer than {MAX_NOTE_BYTES} bytes"):
        open_note("x" * MAX_NOTE_BYTES + _note(), [])


def test_a_text_that_cannot_be_a_note_is_not_signed() -> None:
    with pytest.raises(InputError, match="note text: it must end in a newline"):
        sign_note("no newline", "hrss", _peter())
    with pytest.raises(InputError, match="note text: control character U\\+000D"):
        sign_note("a\r\n", "hrss", _peter())
    with pytest.raises(InputError, match="key name 'two words' may not contain spaces"):
        sign_note(GO_TEXT, "two words", _peter())
    with pytest.raises(InputError, match="the note is already signed by PeterNeumann \\(c74f20a3\\)"):
        add_signature(_note(), "PeterNeumann", _peter())
    with pytest.raises(InputError, match="no blank line"):
        add_signature(GO_TEXT, "EnochRoot", _enoch())


def test_a_note_whose_text_has_blank_lines_round_trips() -> None:
    """The text may hold empty lines, even end in one: it is cut at the *last* blank line."""
    for text in ("a\n\nb\n", "a\n\n", "\n"):
        opened = open_note(sign_note(text, "hrss", _peter()), [_verifier("hrss", _peter())])
        assert opened.text == text


def test_verification_failures() -> None:
    note, peter = _note(), Verifier.from_text(GO_PETER)
    with pytest.raises(TamperError, match="the signature by PeterNeumann \\(c74f20a3\\) does not verify"):
        open_note(note.replace("answer", "Answer"), [peter])
    forged = note.replace(SIG, base64.b64encode(bytes.fromhex("c74f20a3") + bytes(64)).decode())
    with pytest.raises(TamperError, match="the signature by PeterNeumann \\(c74f20a3\\) does not verify"):
        open_note(forged, [peter])
    with pytest.raises(TamperError, match="no signature by a trusted key \\(signed by: PeterNeumann \\(c74f20a3\\)\\)"):
        open_note(note, [])
    with pytest.raises(InputError, match="two verifier keys share name PeterNeumann and key hash c74f20a3"):
        open_note(note, [peter, Verifier.from_text(GO_PETER)])


def test_verifier_keys_are_read_strictly() -> None:
    for text, message in [
        ("PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "its hash is c74f20a3, not c74f20a4"),
        ("PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "is not name\\+hash\\+base64"),
        ("PeterNeumann+c74f20a3+Apc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "not standard base64"),
        ("PeterNeumann+c74f20a3+" + base64.b64encode(b"\x02" + bytes(32)).decode(), "is not name\\+hash\\+base64"),
        ("+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "key name must be a non-empty"),
    ]:
        with pytest.raises(InputError, match=message):
            Verifier.from_text(text)
    identity = (1).to_bytes(32, "little")  # a key of small order: T-5 refuses it here too
    with pytest.raises(InputError, match="T-5: public key .* is a point of small order"):
        Verifier("weak", identity)
