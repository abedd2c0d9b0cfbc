"""``certledger serve``: the ledger, read-only, over HTTP (routes: :mod:`cli.serve_app`)."""

from __future__ import annotations

import click

from certledger.cli.session import Session
from certledger.domain.errors import InputError

pass_session = click.make_pass_decorator(Session)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on.")
@click.option("--rate", default=200.0, show_default=True, type=click.FloatRange(0),
              help="Requests a second allowed per client address (bursts of twice that); 0: no limit.")
@click.option("--lookup-rate", default=5.0, show_default=True, type=click.FloatRange(0),
              help="Certificate look-ups a second per client address (bursts of four times that); 0: no limit.")
@click.option("--no-access-log", is_flag=True, help="Log only errors, not one JSON line per request.")
@click.option("--did-host", envvar="CERTLEDGER_DID_HOST", default="hrss.henan.example", show_default=True,
              help="The issuer's did:web host (/.well-known/did.json, the page's pinned DID document).")
@pass_session
def serve(session: Session, host: str, port: int, rate: float, lookup_rate: float, no_access_log: bool,
          did_host: str) -> None:
    """Serve the ledger read-only over HTTP (只读服务): the latest checkpoint and the log as
    C2SP tlog-tiles (/checkpoint, /tile/…, /tile/entries/…) and certificate look-up by
    number and holder's name (/lookup?number=…&name=…, 证书查询, public fields only).

    The ledger is opened read-only (SQLite mode=ro; PostgreSQL read-only transactions: it
    works under the README's read-only role). GET and HEAD only; bodies, long URLs, bad
    tile paths and floods get 4xx. Logs are JSON lines on stderr. Ctrl-C or SIGTERM stops
    it cleanly."""
    import uvicorn

    from certledger.cli.serve_app import build_app, log_line

    ledger = session.ledger(read_only=True)
    app = build_app(ledger, rate=rate, lookup_rate=lookup_rate, access_log=not no_access_log, did_host=did_host)
    config = uvicorn.Config(
        app, host=host, port=port, log_config=None, access_log=False, lifespan="off",
        server_header=False, h11_max_incomplete_event_size=16 * 1024, limit_concurrency=1000,
        timeout_keep_alive=5, timeout_graceful_shutdown=5,
    )
    server = _Server(config)
    log_line(event="start", host=host, port=port, database=session.database.describe())
    try:
        server.run()
        if server.stopped_by is not None:
            log_line(event="signal", signal=server.stopped_by)
    except OSError as e:
        raise InputError(f"cannot listen on {host}:{port}: {e.strerror or e}") from None
    finally:
        log_line(event="stop")


def _server_class() -> type:
    import contextlib
    import signal

    import uvicorn

    class Server(uvicorn.Server):
        """uvicorn's server, stopping on SIGINT or SIGTERM after the requests in flight,
        then returning (exit 0) instead of re-raising the signal as uvicorn does."""

        stopped_by: str | None = None

        @contextlib.contextmanager
        def capture_signals(self):  # type: ignore[override]
            def stop(number: int, frame: object) -> None:
                self.stopped_by = signal.Signals(number).name
                self.should_exit = True

            previous = {s: signal.signal(s, stop) for s in (signal.SIGINT, signal.SIGTERM)}
            try:
                yield
            finally:
                for number, handler in previous.items():
                    signal.signal(number, handler)

    return Server


def _Server(config: object) -> object:
    return _server_class()(config)
