"""Entry point: ``certledger [--db URL] [--keys DIR] [--key KEY_ID] COMMAND``.

Every command ends with one of the exit codes of :class:`domain.errors.ExitCode`, listed in
``certledger --help`` and the README. Errors print one line, never a traceback.
"""

from __future__ import annotations

import importlib
import os
import sqlite3
import sys
from pathlib import Path

import click

from certledger.domain.errors import CertLedgerError, ExitCode

EXIT_CODES = {
    ExitCode.OK: "done; the ledger verified",
    ExitCode.NOT_VERIFIED: "the ledger fails verification",
    ExitCode.REFUSED: "bad input, or an act refused: nothing recorded",
    ExitCode.REFUSAL_RECORDED: "an act refused, and the refusal itself recorded (R-18)",
    ExitCode.STORAGE: "the store could not be opened or reached, or holds no ledger",
    ExitCode.INTERNAL: "internal error (a bug in certledger)",
    ExitCode.INTERRUPTED: "interrupted (Ctrl-C)",
    ExitCode.PIPE_CLOSED: "the output's reader stopped reading (e.g. | head): nothing more was printed",
}


def _fail(ctx: click.Context, label: str, message: str, code: int) -> None:
    click.echo(f"certledger: {label}: {message}", err=True)
    ctx.exit(code)


# Each command's module, imported only when that command runs: the offline commands
# (``prove check``, ``cert verify``) must not pay for eventsourcing and psycopg, which the others import.
LAZY_COMMANDS = {
    "init": "certledger.cli.trust:init",
    "parties": "certledger.cli.trust:parties",
    "keys": "certledger.cli.trust:keys",
    "verify": "certledger.cli.verify:verify",
    "checkpoint": "certledger.cli.checkpoint:checkpoint",
    "cosign": "certledger.cli.checkpoint:cosign",
    "prove": "certledger.cli.prove:prove",
    "demo": "certledger.cli.demo:demo",
    "exams": "certledger.cli.lifecycle:exams",
    "sitting": "certledger.cli.acts:sitting",
    "candidate": "certledger.cli.acts:candidate",
    "cert": "certledger.cli.cert:cert",  # cert verify offline; the rest from lifecycle and provenance
    "trace": "certledger.cli.provenance:trace",
    "project": "certledger.cli.registers:project",
    "rebuild": "certledger.cli.registers:rebuild",
    "diff": "certledger.cli.registers:diff",
    "register": "certledger.cli.registers:register",
    "notices": "certledger.cli.notices:notices",
    "rules": "certledger.cli.rules:rules",
    "import": "certledger.cli.import_cmd:import_",
    "serve": "certledger.cli.serve:serve",
    "page": "certledger.cli.page:page",
    "did": "certledger.cli.credential:did",
    "status-list": "certledger.cli.credential:status_list_command",
}


def _store_failed(error: BaseException) -> bool:
    """The store failed under a running command (without importing the library to ask)."""
    if isinstance(error, sqlite3.Error):
        return True
    persistence = sys.modules.get("eventsourcing.persistence")
    return persistence is not None and isinstance(error, persistence.PersistenceError)


class LedgerGroup(click.Group):
    """Turns every way a command can fail into one line on stderr and its exit code, and
    imports each command's module only when it is asked for."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(LAZY_COMMANDS))

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        command = super().get_command(ctx, name)
        if command is None and name in LAZY_COMMANDS:
            module, _, attribute = LAZY_COMMANDS[name].partition(":")
            command = getattr(importlib.import_module(module), attribute)
            self.add_command(command, name)
        return command

    def invoke(self, ctx: click.Context):  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except CertLedgerError as e:
            _fail(ctx, e.label, str(e), e.exit_code)
        except (KeyboardInterrupt, click.Abort):
            _fail(ctx, "interrupted", "stopped before the command finished", ExitCode.INTERRUPTED)
        except BrokenPipeError:
            # `certledger … | head` is normal use, not a bug: say nothing, exit as shells do.
            # Point stdout at /dev/null so the interpreter's final flush does not fail again.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            ctx.exit(ExitCode.PIPE_CLOSED)
        except (click.ClickException, click.exceptions.Exit):
            raise
        except Exception as e:  # noqa: BLE001 - a bug: still one line, no traceback
            if _store_failed(e):
                _fail(ctx, "error", f"the database failed: {' '.join(str(e).split())}", ExitCode.STORAGE)
                return
            _fail(
                ctx,
                "internal error",
                f"{type(e).__name__}: {e} (a bug in certledger; please report it with the command you ran)",
                ExitCode.INTERNAL,
            )
        finally:
            session = ctx.obj
            if session is not None and hasattr(session, "close"):
                session.close()


def _exit_code_help() -> str:
    lines = "\n".join(f"  {int(code):<4} {meaning}" for code, meaning in EXIT_CODES.items())
    return f"\b\nExit codes:\n{lines}"


@click.group(
    cls=LedgerGroup, context_settings={"help_option_names": ["-h", "--help"]}, epilog=_exit_code_help()
)
@click.option(
    "--db",
    "db_url",
    envvar="CERTLEDGER_DB",
    metavar="URL",
    help="Ledger database: a SQLite file (default ./certledger.db) or "
    "postgresql://user@host:port/dbname. Env: CERTLEDGER_DB.",
)
@click.option(
    "--keys",
    "keys_dir",
    envvar="CERTLEDGER_KEYS",
    default="certledger-keys",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Directory of encrypted private keys. Env: CERTLEDGER_KEYS.",
)
@click.option(
    "--key",
    "forced_key",
    metavar="KEY_ID",
    help="Sign with this key (refused if it may not sign the act) instead of the acting "
    "party's newest valid key.",
)
@click.version_option(package_name="certledger")
@click.pass_context
def cli(ctx: click.Context, db_url: str | None, keys_dir: Path, forced_key: str | None) -> None:
    """certledger: a signed, event-sourced ledger of Henan professional-qualification
    certificates (豫人社〔2019〕8号, 豫人社函〔2024〕25号).

    Private-key passphrase: CERTLEDGER_KEY_PASSPHRASE, or a hidden prompt.
    """
    from certledger.cli.session import Session

    ctx.obj = Session(db_url=db_url, keys_dir=keys_dir, forced_key=forced_key)


def main() -> None:
    cli(prog_name="certledger", auto_envvar_prefix=None)


if __name__ == "__main__":  # pragma: no cover
    main()
