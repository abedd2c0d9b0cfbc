"""The ``certledger`` command: a thin click shell over the Ledger application."""


def run() -> None:
    """The console script. Here, not in :mod:`cli.main`, so that Ctrl-C while the commands
    are still being imported is also one line and exit 130, not a traceback."""
    import sys

    try:
        from certledger.cli.main import main

        main()
    except KeyboardInterrupt:
        sys.stderr.write("certledger: interrupted\n")
        sys.exit(130)  # ExitCode.INTERRUPTED, not imported: it may be what was interrupted
