"""The holder's 身份证号 (resident identity number, GB 11643-1999) and its binding (rule L-7).

Registration may give the full 18-character number. The ledger never keeps it in clear: it
keeps the masked form (``410102********123X``, as notices and registers show it) and a
salted commitment, :func:`id_commitment` — SHA-256 over one canonical byte string, defined
here once. The number and its 16-byte salt stay outside the signed log, in an erasable
store (``events.holder_secrets``), and go onto the holder's own copy of the document, so a
relying party who sees the holder's ID card can recompute the commitment the e-seal covers.

Why the salt is not in the ledger: with the masked form public, only ~10^8 numbers remain
(8 hidden digits; the check digit is fixed by them), which anyone can hash in seconds.

Pure: no files, no randomness (the caller draws the salt), no clock.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import date

from certledger.domain.errors import InputError, RuleViolation

RULE = "L-7"
COMMITMENT_DOMAIN = b"certledger id-number commitment v1\x00"
SALT_BYTES = 16
# GB 11643-1999 (ISO 7064 MOD 11-2): weight of each of the first 17 digits, and the check
# character for the weighted sum modulo 11.
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_FULL = re.compile(r"[0-9]{17}[0-9X]")
_MASKED = re.compile(r"[0-9]{6}\*{8}[0-9]{3}[0-9X]")
_COMMITMENT = re.compile(r"[0-9a-f]{64}")
FIELD = "身份证号 (id number)"


def check_digit(first17: str) -> str:
    """The GB 11643-1999 check character of the first 17 digits."""
    return _CHECK[sum(int(d) * w for d, w in zip(first17, _WEIGHTS)) % 11]


def full_id_number(text: str) -> str:
    """``text`` as a full 18-character number (a final ``x`` read as ``X``), or RuleViolation
    L-7 naming what is wrong: its length, its characters, its birth date or its check digit."""
    number = text.strip().upper()
    if len(number) != 18:
        raise RuleViolation(RULE, f"{FIELD} {number!r} has {len(number)} characters: a full number has 18 "
                                  "(17 digits and a check digit, GB 11643-1999)")
    if not _FULL.fullmatch(number):
        raise RuleViolation(RULE, f"{FIELD} {number!r}: a full number is 17 digits and a check digit 0-9 or X "
                                  "(GB 11643-1999)")
    try:
        date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise RuleViolation(RULE, f"{FIELD} {number!r}: its birth date {number[6:14]} (digits 7-14) is no "
                                  "calendar day (GB 11643-1999)") from None
    expected = check_digit(number[:17])
    if number[17] != expected:
        raise RuleViolation(RULE, f"{FIELD} {number!r}: its check digit is {number[17]}, GB 11643-1999 (ISO 7064 "
                                  f"MOD 11-2) gives {expected} for the first 17 digits; a typo, or a spreadsheet "
                                  "that stored the number as a number (format the column as text)")
    return number


def masked(number: str) -> str:
    """The masked form notices and registers show: the region code (6 digits), 8 asterisks
    for the birth date, the last 4 characters."""
    return number[:6] + "*" * 8 + number[14:]


@dataclass(frozen=True)
class GivenId:
    """An id number as registration is given it: its masked form, and the full number if
    it was given in full (None: only the masked form was, and nothing binds the holder)."""

    masked: str
    full: str | None = None


def given_id(text: str) -> GivenId:
    """Read a registration's id number: a full number (checked, L-7) or, as before, its
    masked form (anything with an asterisk: kept as given). Digits alone that are not a
    valid full number are refused rather than kept as a "masked" number in clear."""
    value = text.strip()
    if not value:
        raise InputError("a candidate needs a (masked or full) id number, 身份证号")
    if "*" in value:
        return GivenId(value)
    compact = re.sub(r"[\s-]", "", value)  # 4101 0219 9001 0112 34, as people copy it
    if re.fullmatch(r"[0-9]{10,}[0-9Xx]?", compact):
        number = full_id_number(compact)
        return GivenId(masked(number), number)
    return GivenId(value)  # a placeholder such as tests' "x": neither a number nor a mask


def id_commitment(salt: bytes, number: str) -> str:
    """The commitment the ledger seals (hex): SHA-256 of the domain tag, the 16-byte salt and
    the full number in ASCII, concatenated. Defined once: registration, the documents and
    every check call this."""
    if len(salt) != SALT_BYTES:
        raise InputError(f"an id-number salt is {SALT_BYTES} bytes, not {len(salt)}")
    return hashlib.sha256(COMMITMENT_DOMAIN + salt + number.encode("ascii")).hexdigest()


def binds(commitment: str, salt: bytes, number: str) -> bool:
    """Whether ``number`` (full, checked) with ``salt`` gives ``commitment``."""
    return hmac.compare_digest(id_commitment(salt, number), commitment)


def check_commitment(commitment: str, masked_id: str) -> None:
    """A registration's commitment: 64 lowercase hex digits, beside a masked form derived
    from a full number (6 digits, 8 asterisks, 4 characters)."""
    if not _COMMITMENT.fullmatch(commitment):
        raise InputError(f"an id-number commitment is 64 lowercase hex digits (SHA-256), not {commitment[:80]!r}")
    if not _MASKED.fullmatch(masked_id):
        raise InputError(f"an id-number commitment goes with the masked form of a full number "
                         f"(e.g. 410102********123X), not {masked_id!r}")


def salt_hex(salt: bytes) -> str:
    return salt.hex()


def salt_of(text: object) -> bytes:
    """A salt as documents carry it (32 hex digits), or InputError."""
    if not isinstance(text, str) or not re.fullmatch(r"[0-9a-f]{%d}" % (2 * SALT_BYTES), text):
        raise InputError(f"an id-number salt is {2 * SALT_BYTES} lowercase hex digits, not {str(text)[:80]!r}")
    return bytes.fromhex(text)
