"""The read-only HTTP service behind ``certledger serve`` (Starlette, run by uvicorn).

Routes (GET and HEAD only; there is no write route at all):

- ``/checkpoint``: the latest recorded checkpoint note (C2SP signed note, HRSS's signature
  and any cosignatures), ``text/plain``;
- ``/tile/<L>/<N>[.p/<W>]`` and ``/tile/entries/<N>[.p/<W>]``: the log as C2SP tlog-tiles
  (:mod:`events.tiles`), only inside the latest checkpoint's tree; full tiles immutable;
- ``/credentials/status/revocation``: the status list (证书状态列表) the latest checkpoint
  signed, exactly as stored (its SHA-256 is in that checkpoint's note), ``application/vc+json``;
- ``/lookup?number=…&name=…``: certificate look-up (证书查询) by number **and** holder's name,
  answering only public fields; a wrong name and an unknown number get the same answer, so
  the service does not tell which numbers exist.

Why these guards: the service faces anyone. Request bodies are refused (413) before the app
reads them, URLs are bounded (414), every path is parsed by a strict grammar before it
reaches SQL, clients are rate-limited per address (429), and any failure becomes one JSON
line and a 4xx/5xx answer, never a traceback. The ledger is opened read-only (SQLite
``mode=ro``; PostgreSQL read-only transactions), so no request can write, whatever it is.
"""

from __future__ import annotations

import json
import sys
import threading
import time
import unicodedata
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from certledger.domain import clock
from certledger.domain.errors import CertLedgerError, InputError
from certledger.events.tiles import TileRef, TileStore, covered, parse_tile_path

MAX_URL = 2048  # bytes of path + query
MAX_NUMBER = 64  # a certificate number is ~20 characters
MAX_NAME = 64
CHECKPOINT_TTL = 2.0  # seconds a read checkpoint is reused (a note is small; reading it checks signatures)
TILE_CACHE = 4096  # full tiles kept in memory (≤ 8 KiB each): immutable, so never stale
ANSWER_CACHE = 10_000  # look-up answers kept, each valid only while the ledger's head is unchanged
IMMUTABLE = "public, max-age=31536000, immutable"
SHORT = "public, max-age=5"
NOT_FOUND = "no certificate matches this number and name (查无此证)"
PUBLIC_FIELDS = ("number", "kind", "title", "holder", "id_number", "exam_name", "level", "year",
                 "status", "rule", "since", "issued_on", "issuer_name")


def log_line(**fields: Any) -> None:
    """One structured log line (JSON) on stderr."""
    fields = {"time": datetime.now(clock.CST).isoformat(timespec="milliseconds"), **fields}
    sys.stderr.write(json.dumps(fields, ensure_ascii=False, default=str) + "\n")
    sys.stderr.flush()


class _Buckets:
    """Token buckets per client address: ``rate`` requests a second, bursts of ``burst``.
    At most ``clients`` addresses are remembered (the oldest forgotten first), so a flood of
    addresses cannot grow memory without bound."""

    def __init__(self, rate: float, burst: float, clients: int = 10_000) -> None:
        self.rate, self.burst, self.clients = rate, burst, clients
        self._state: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def allow(self, client: str) -> bool:
        if self.rate <= 0:
            return True
        now = time.monotonic()
        with self._lock:
            tokens, then = self._state.pop(client, (self.burst, now))
            tokens = min(self.burst, tokens + (now - then) * self.rate)
            allowed = tokens >= 1
            self._state[client] = (tokens - 1 if allowed else tokens, now)
            while len(self._state) > self.clients:
                self._state.popitem(last=False)
            return allowed


class Guard:
    """ASGI middleware: methods, URL and body bounds, rate limits, one log line a request,
    and a last net under every error."""

    def __init__(self, app: Any, *, rate: float, lookup_rate: float, access_log: bool = True) -> None:
        self.app = app
        self.general = _Buckets(rate, max(1.0, rate * 2))
        self.lookups = _Buckets(lookup_rate, max(1.0, lookup_rate * 4))
        self.access_log = access_log

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = {"code": 0}

        async def sending(message: dict) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        refusal = self._refusal(scope)
        try:
            if refusal is not None:
                await _plain(refusal[0], refusal[1], scope, receive, sending)
            else:
                await self.app(scope, receive, sending)
        except Exception as e:  # the last net: one line, a 500, never a traceback
            log_line(event="error", path=scope.get("path", "")[:200], error=f"{type(e).__name__}: {str(e)[:200]}")
            if not status["code"]:
                await _plain(500, "internal error", scope, receive, sending)
        if self.access_log:
            client = (scope.get("client") or ("-", 0))[0]
            log_line(event="request", method=scope.get("method"), path=scope.get("path", "")[:200],
                     status=status["code"], ms=round((time.perf_counter() - started) * 1000, 2), client=client)

    def _refusal(self, scope: dict) -> tuple[int, str] | None:
        method = scope.get("method", "")
        if method not in ("GET", "HEAD"):
            return 405, "read-only service: GET and HEAD only"
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length", b"0")
        if b"transfer-encoding" in headers or not length.isdigit() or int(length) > 0:
            return 413, "request bodies are not accepted"
        if len(scope.get("raw_path") or b"") + len(scope.get("query_string") or b"") > MAX_URL:
            return 414, "URL too long"
        client = (scope.get("client") or ("-", 0))[0]
        if not self.general.allow(client):
            return 429, "too many requests: slow down"
        if scope.get("path") == "/lookup" and not self.lookups.allow(client):
            return 429, "too many look-ups: slow down"
        return None


async def _plain(code: int, text: str, scope: dict, receive: Callable, send: Callable) -> None:
    headers = {"Retry-After": "1"} if code == 429 else None
    await PlainTextResponse(text + "\n", status_code=code, headers=headers)(scope, receive, send)


class Service:
    """What the routes read: the ledger (opened read-only by the caller), behind one lock
    (the library's repository is not made for concurrent use; the work per request is small)."""

    def __init__(self, ledger: Any) -> None:
        self.ledger = ledger
        self.tiles = TileStore(ledger)
        self.lock = threading.Lock()
        self._checkpoint: tuple[float, Any] = (0.0, None)
        self._refreshing = False
        self._cache: OrderedDict[TileRef, bytes] = OrderedDict()
        self._status: tuple[int, str | None] = (-1, None)
        # number -> (the ledger's head when answered, the records): any new event makes every
        # kept answer stale, so a cached answer is the one a fresh read would give.
        self._answers: OrderedDict[str, tuple[int, list[dict[str, Any]] | None]] = OrderedDict()

    def fresh_checkpoint(self) -> Any:
        """The checkpoint as last read, answered on the event loop with no thread hop, or None
        before the first read. Once it is older than ``CHECKPOINT_TTL`` one background thread
        reads it again while requests go on being answered with the one in hand (a note is
        only ever replaced by a newer one, so that answer was true a moment ago)."""
        read_at, recorded = self._checkpoint
        if recorded is not None and time.monotonic() - read_at > CHECKPOINT_TTL and not self._refreshing:
            self._refreshing = True
            threading.Thread(target=self._refresh, name="checkpoint-refresh", daemon=True).start()
        return recorded

    def _refresh(self) -> None:
        try:
            self.checkpoint()
        except Exception as e:  # noqa: BLE001 - a damaged store: the next request reads it and answers 503
            self._checkpoint = (0.0, None)
            log_line(event="ledger-error", path="(checkpoint refresh)", error=str(e)[:300])
        finally:
            self._refreshing = False

    def cached_tile(self, ref: TileRef) -> bytes | None:
        """A full tile already in memory, inside the fresh checkpoint's tree, or None."""
        recorded = self.fresh_checkpoint()
        if recorded is None or not ref.full or not covered(ref, recorded.size):
            return None
        return self._cache.get(ref)

    def checkpoint(self) -> Any:
        from certledger.events.checkpoints import latest_checkpoint

        read_at, recorded = self._checkpoint
        if recorded is None or time.monotonic() - read_at > CHECKPOINT_TTL:
            with self.lock:
                recorded = latest_checkpoint(self.ledger)
            self._checkpoint = (time.monotonic(), recorded)
        return recorded

    def status_list(self) -> str | None:
        """The status list the latest checkpoint signed, checked (note, digest, proof) once
        per checkpoint (events/checkpointed_status.py)."""
        from certledger.events.checkpointed_status import checkpoint_list

        recorded = self.checkpoint()
        if recorded is None or recorded.status_list is None:
            return None
        if self._status[0] != recorded.size:
            with self.lock:
                checkpoint, _ = checkpoint_list(self.ledger)
            self._status = (checkpoint.size, checkpoint.status_list)
        return self._status[1]

    def tile(self, ref: TileRef) -> bytes | None:
        recorded = self.checkpoint()
        if recorded is None or not covered(ref, recorded.size):
            return None
        if ref in self._cache:
            return self._cache[ref]
        with self.lock:
            data = self.tiles.entries(ref) if ref.level is None else self.tiles.hashes(ref)
        if ref.full:
            self._cache[ref] = data
            while len(self._cache) > TILE_CACHE:
                self._cache.popitem(last=False)
        return data

    def kept_records(self, number: str) -> tuple[bool, list[dict[str, Any]] | None]:
        """(True, the records) when an answer for ``number`` is kept and the ledger's head has
        not moved since; (False, None) otherwise. Runs on the event loop without the lock:
        one read of the dict (atomic) and the recorder's head query, which its connection
        pool serves to any thread (waiting for the lock here stalled the loop behind slow
        look-ups, and skipping when it was busy sent most look-ups to threads under load)."""
        kept = self._answers.get(number)
        if kept is None or kept[0] != (self.ledger.recorder.max_notification_id() or 0):
            return False, None
        return True, kept[1]

    def records(self, number: str) -> list[dict[str, Any]] | None:
        """The certificates of that number as the ledger reads now (None: no such number),
        kept for the next look-up while the head stays where it is."""
        from certledger.cli.lifecycle import load_aggregates
        from certledger.events import provenance

        def load(aggregate_id: Any, kind: type) -> Any:
            found = load_aggregates(self.ledger, [aggregate_id], kind, None, None, False).get(aggregate_id)
            return found if found is not None else provenance.load_one(self.ledger, aggregate_id, kind)

        with self.lock:
            head = self.ledger.recorder.max_notification_id() or 0
            kept = self._answers.get(number)
            if kept is not None and kept[0] == head:
                self._answers.move_to_end(number)
                return kept[1]
            try:
                found = provenance.find_certificate(self.ledger, number, load=load)
                records = [provenance.certificate_record(self.ledger, f) for f in found]
            except InputError:
                records = None
            self._answers[number] = (head, records)
            while len(self._answers) > ANSWER_CACHE:
                self._answers.popitem(last=False)
            return records

    def lookup(self, number: str, name: str) -> dict[str, Any] | None:
        return public_answer(self.records(number), name)


def public_answer(records: list[dict[str, Any]] | None, name: str) -> dict[str, Any] | None:
    """The public fields of the certificates whose holder is ``name``, or None: a wrong name
    and an unknown number get the same answer."""
    if records is None:
        return None
    wanted = _name(name)
    matching = [r for r in records if _name(str(r["holder"])) == wanted]
    if not matching:
        return None
    return {
        "certificates": [
            {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in r.items() if k in PUBLIC_FIELDS}
            for r in matching
        ],
        "source": "the ledger's registers (or a replay of its signed events) as the service reads them; "
                  "not proven against a checkpoint: check the credential or bundle itself for that",
    }


def _name(text: str) -> str:
    return unicodedata.normalize("NFC", "".join(text.split()))


def build_app(ledger: Any, *, rate: float = 200.0, lookup_rate: float = 5.0, access_log: bool = True,
              did_host: str = "hrss.henan.example") -> Any:
    """The ASGI app over an open read-only ledger (wrapped in :class:`Guard`)."""
    service = Service(ledger)

    def did_document() -> dict[str, Any]:
        from certledger.cli.credential import hrss_did_document

        with service.lock:
            return hrss_did_document(ledger, did_host)

    def did(request: Request) -> Response:
        return JSONResponse(did_document(), media_type="application/did+json", headers={"Cache-Control": SHORT})

    def page(request: Request) -> Response:
        from certledger.cli.page import build_page, genesis_root_key

        with service.lock:
            root_key = genesis_root_key(ledger)
        return Response(build_page(did_document(), root_key), media_type="text/html; charset=utf-8",
                        headers={"Cache-Control": SHORT, "Content-Security-Policy":
                                 "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'"})

    # Routes that usually answer from memory are coroutines, run on the event loop; whatever
    # reads the database goes to a worker thread (run_in_threadpool), as Starlette does for
    # plain functions, so a slow read never holds up the loop.
    async def checkpoint(request: Request) -> Response:
        recorded = service.fresh_checkpoint() or await run_in_threadpool(service.checkpoint)
        if recorded is None:
            return PlainTextResponse("this ledger has no checkpoint yet\n", status_code=404)
        return Response(recorded.note, media_type="text/plain; charset=utf-8",
                        headers={"Cache-Control": "no-cache"})

    async def tile(request: Request) -> Response:
        try:
            ref = parse_tile_path(request.path_params["path"])
        except InputError as e:
            return PlainTextResponse(f"{e}\n", status_code=400)
        data = service.cached_tile(ref)
        if data is None:
            data = await run_in_threadpool(service.tile, ref)
        if data is None:
            return PlainTextResponse("no such tile in the latest checkpoint's tree\n", status_code=404)
        return Response(data, media_type="application/octet-stream",
                        headers={"Cache-Control": IMMUTABLE if ref.full else SHORT})

    def revocation(request: Request) -> Response:
        listed = service.status_list()
        if listed is None:
            return PlainTextResponse("no checkpoint signs a status list yet\n", status_code=404)
        return Response(listed, media_type="application/vc+json", headers={"Cache-Control": "no-cache"})

    async def lookup(request: Request) -> Response:
        number = request.query_params.get("number", "").strip()
        name = request.query_params.get("name", "").strip()
        if not number or not name:
            return _json({"error": "give both the certificate number and the holder's name (number=…&name=…)"}, 400)
        if len(number) > MAX_NUMBER or len(name) > MAX_NAME or not number.isprintable() or not name.isprintable():
            return _json({"error": "the number or the name is too long or holds control characters"}, 400)
        kept, records = service.kept_records(number)
        if not kept:
            records = await run_in_threadpool(service.records, number)
        answer = public_answer(records, name)
        if answer is None:
            return _json({"error": NOT_FOUND}, 404)
        return _json(answer, 200)

    async def index(request: Request) -> Response:
        return _json({
            "service": "certledger (read-only) 河南省专业技术人员职业资格证书 账本",
            "routes": ["/checkpoint", "/tile/<L>/<N>[.p/<W>]", "/tile/entries/<N>[.p/<W>]",
                       "/lookup?number=…&name=…",
                       "/.well-known/did.json", "/credentials/status/revocation", "/verify.html"],
        }, 200)

    app = Starlette(
        routes=[
            Route("/", index, methods=["GET", "HEAD"]),
            Route("/checkpoint", checkpoint, methods=["GET", "HEAD"]),
            Route("/tile/{path:path}", tile, methods=["GET", "HEAD"]),
            Route("/lookup", lookup, methods=["GET", "HEAD"]),
            Route("/.well-known/did.json", did, methods=["GET", "HEAD"]),
            Route("/credentials/status/revocation", revocation, methods=["GET", "HEAD"]),
            Route("/verify.html", page, methods=["GET", "HEAD"]),
        ],
        exception_handlers={CertLedgerError: _ledger_error},
    )
    return Guard(app, rate=rate, lookup_rate=lookup_rate, access_log=access_log)


async def _ledger_error(request: Request, error: Exception) -> Response:
    # A store someone damaged (a missing or malformed stored hash): say so, as a 503.
    log_line(event="ledger-error", path=request.url.path[:200], error=str(error)[:300])
    return _json({"error": f"the ledger cannot answer this: {str(error)[:300]}"}, 503)


def _json(body: dict[str, Any], code: int) -> Response:
    return JSONResponse(body, status_code=code, headers={"Cache-Control": "no-store"})
