"""The one root error type and its few subclasses.

The CLI catches :class:`CertLedgerError` only, prints its message and exits non-zero; any
other exception is a bug and keeps its traceback.
"""

from __future__ import annotations


class CertLedgerError(Exception):
    """Root of every error certledger raises on purpose. The message says what is wrong."""

    exit_code = 2


class InputError(CertLedgerError):
    """The user's input is malformed or refers to something that does not exist."""


class RuleViolation(CertLedgerError):
    """A rule of the notices (R-n) or of the trust registry refuses the act."""

    def __init__(self, rule: str, message: str) -> None:
        self.rule = rule
        super().__init__(f"{rule}: {message}")


class NotCanonical(CertLedgerError):
    """A value cannot be put into canonical bytes (float, huge integer, non-ASCII key…)."""


class SigningError(CertLedgerError):
    """No usable key to sign with, or the chosen key may not sign this event."""


class TamperError(CertLedgerError):
    """A stored event does not verify: bad signature, broken chain, wrong key, moved row."""

    exit_code = 1


class StorageError(CertLedgerError):
    """The database cannot be reached, or holds no certledger ledger."""
