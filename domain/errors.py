"""The one root error type, its few subclasses, and the exit code each one ends a command with.

The CLI catches :class:`CertLedgerError`, prints its message as one line and exits with its
``exit_code``; anything else escaping a command is a bug, reported as an internal error.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """The exit codes of every ``certledger`` command (README, ``certledger --help``)."""

    OK = 0  # done; the ledger verified
    NOT_VERIFIED = 1  # the ledger fails verification
    REFUSED = 2  # bad input, or an act refused: nothing recorded
    REFUSAL_RECORDED = 3  # an act refused, and the refusal itself recorded
    STORAGE = 4  # the store could not be opened or reached, or holds no ledger
    INTERNAL = 70  # a bug: an unexpected error (EX_SOFTWARE)
    INTERRUPTED = 130  # Ctrl-C
    PIPE_CLOSED = 141  # whoever read the output stopped reading (| head): 128 + SIGPIPE, as shells report it


class CertLedgerError(Exception):
    """Root of every error certledger raises on purpose. The message says what is wrong."""

    exit_code = ExitCode.REFUSED
    label = "error"  # printed as "certledger: <label>: <message>"


class InputError(CertLedgerError):
    """The user's input is malformed or refers to something that does not exist."""


class RuleViolation(CertLedgerError):
    """A rule of the notices (R-n) or of the trust registry refuses the act."""

    def __init__(self, rule: str, message: str) -> None:
        self.rule = rule
        super().__init__(f"{rule}: {message}")


class RefusalRecorded(CertLedgerError):
    """An act was refused, and the rule wants the refusal itself on record (R-18): it is."""

    exit_code = ExitCode.REFUSAL_RECORDED
    label = "refused"


class NotCanonical(CertLedgerError):
    """A value cannot be put into canonical bytes (float, huge integer, non-ASCII key…)."""


class SigningError(CertLedgerError):
    """No usable key to sign with, or the chosen key may not sign this event."""


class TamperError(CertLedgerError):
    """A stored event does not verify: bad signature, broken chain, wrong key, moved row."""

    exit_code = ExitCode.NOT_VERIFIED


class StorageError(CertLedgerError):
    """The database cannot be opened or reached, or holds no certledger ledger."""

    exit_code = ExitCode.STORAGE
