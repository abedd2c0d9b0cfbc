"""What every command shares: where the ledger and the keys are, and how to open them."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING

import click

from certledger.domain.errors import InputError
from certledger.events.storage import Database, parse_database_url
from certledger.signing.keystore import KeyStore

if TYPE_CHECKING:  # imported when first used: offline commands never load the ledger's stack
    from certledger.events.ledger import Ledger

PASSPHRASE_ENV = "CERTLEDGER_KEY_PASSPHRASE"
CHINA_STANDARD_TIME = timezone(timedelta(hours=8), "CST")


@dataclass
class Session:
    db_url: str | None
    keys_dir: Path
    forced_key: str | None
    _passphrase: bytes | None = field(default=None, repr=False)
    _ledger: "Ledger | None" = None

    @property
    def database(self) -> Database:
        return parse_database_url(self.db_url)

    def passphrase(self, *, confirm: bool = False) -> bytes:
        if self._passphrase is None:
            from_env = os.environ.get(PASSPHRASE_ENV)
            if from_env:
                self._passphrase = from_env.encode()
            elif sys.stdin.isatty():
                text = click.prompt(
                    f"Passphrase for the keys in {self.keys_dir}",
                    hide_input=True,
                    confirmation_prompt=confirm,
                    err=True,
                )
                self._passphrase = text.encode()
            else:
                raise InputError(
                    f"the private keys need a passphrase: set {PASSPHRASE_ENV} "
                    "(no terminal to ask on)"
                )
        return self._passphrase

    def keystore(self, *, confirm: bool = False, kdf_rounds: int | None = None) -> KeyStore:
        """The key store; files written at today's KDF strength unless ``kdf_rounds``."""
        passphrase = lambda: self.passphrase(confirm=confirm)  # noqa: E731
        warn = lambda text: click.echo(f"certledger: warning: {text}", err=True)  # noqa: E731
        if kdf_rounds is None:
            return KeyStore(self.keys_dir, passphrase, warn=warn)
        return KeyStore(self.keys_dir, passphrase, kdf_rounds=kdf_rounds, warn=warn)

    def ledger(
        self, *, create: bool = False, read_only: bool = False, verify_on_read: bool = True, confirm: bool = False
    ) -> "Ledger":
        """Open the ledger: ``create`` for ``init`` (and the demo) only, which may make the
        tables (and the SQLite file); ``read_only`` for every command that only reads, so
        that it writes nothing, whoever controlled the database. Recording commands open
        read-write, and still never create tables: see :func:`events.storage.open_settings`."""
        if self._ledger is None:
            from certledger.events.keyring_cache import KeyringCache
            from certledger.events.ledger import Ledger
            from certledger.signing.wallet import Wallet

            wallet = Wallet(self.keystore(confirm=confirm), forced_key=self.forced_key)
            self._ledger = Ledger(
                self.database, wallet, verify_on_read=verify_on_read, read_only=read_only, create=create,
                keyring_cache=KeyringCache(),  # the reader's own file; verify does not use it
            )
        return self._ledger

    def close(self) -> None:
        if self._ledger is not None:
            if self._ledger.recorded:
                _catch_up(self._ledger)
            self._ledger.close()
            self._ledger = None


def parse_moment(text: str | None) -> datetime | None:
    """An ISO 8601 moment; without an offset it is read as China Standard Time (+08:00)."""
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise InputError(f"{text!r} is not an ISO 8601 date-time (e.g. 2025-06-20T09:00+08:00)") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=CHINA_STANDARD_TIME)
    return moment


def _catch_up(ledger: Ledger) -> None:
    """After a recording command: bring the live registers up to date (one small catch-up).
    The act is recorded already, so a failure here is a note, not the command's failure."""
    from eventsourcing.persistence import PersistenceError

    from certledger.domain.errors import CertLedgerError
    from certledger.projections.projector import catch_up

    try:
        catch_up(ledger)
    except (CertLedgerError, PersistenceError) as e:
        click.echo(f"certledger: note: the act is recorded, but the registers were not brought up to date "
                   f"({e}); run 'certledger project'", err=True)
