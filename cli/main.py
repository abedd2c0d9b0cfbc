"""Entry point: ``certledger [--db URL] [--keys DIR] [--key KEY_ID] COMMAND``.

Exit codes: 0 success; 1 the ledger does not verify; 2 bad input or a refused act
(nothing was recorded). User errors print one line, never a traceback.
"""

from __future__ import annotations

from pathlib import Path

import click

from certledger.domain.errors import CertLedgerError


class LedgerGroup(click.Group):
    """Turns our errors into one clear line on stderr and their exit code."""

    def invoke(self, ctx: click.Context):  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except CertLedgerError as e:
            click.echo(f"certledger: error: {e}", err=True)
            ctx.exit(e.exit_code)
        finally:
            session = ctx.obj
            if session is not None and hasattr(session, "close"):
                session.close()


@click.group(cls=LedgerGroup, context_settings={"help_option_names": ["-h", "--help"]})
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


def _register_commands() -> None:
    from certledger.cli import demo, lifecycle, trust, verify

    cli.add_command(trust.init)
    cli.add_command(trust.parties)
    cli.add_command(trust.keys)
    cli.add_command(verify.verify)
    cli.add_command(demo.demo)
    for group in lifecycle.COMMANDS:
        cli.add_command(group)


_register_commands()


def main() -> None:
    cli(prog_name="certledger", auto_envvar_prefix=None)


if __name__ == "__main__":  # pragma: no cover
    main()
