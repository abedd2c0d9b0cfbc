"""``certledger serve`` as a real process on 127.0.0.1, on SQLite and PostgreSQL, followed by
an independent tlog-tiles client (tools/tlog_client.py, written against the C2SP spec and
importing nothing from certledger); hostile requests get 4xx and write nothing."""

from __future__ import annotations

import hashlib
import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from certledger.events.tiles import TileRef, parse_tile_path, tile_path
from certledger.domain.errors import InputError

ROOT = Path(__file__).resolve().parent.parent
CLIENT = ROOT / "tools" / "tlog_client.py"
CERTLEDGER = Path(sys.executable).with_name("certledger")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    result = subprocess.run([str(CERTLEDGER), *args], env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    return result


def _snapshot(db_url: str) -> str:
    """What the database holds, to show that serving wrote nothing."""
    if "://" not in db_url:
        return hashlib.sha256(Path(db_url).read_bytes()).hexdigest()
    import psycopg

    with psycopg.connect(db_url) as conn:
        rows = conn.execute("SELECT count(*), max(notification_id) FROM ledger_events").fetchone()
        leaves = conn.execute("SELECT count(*) FROM ledger_merkle_leaves").fetchone()
    return f"{rows}{leaves}"


@pytest.fixture
def served(db_url: str, tmp_path: Path) -> Iterator[dict]:
    env = {**os.environ, "CERTLEDGER_KEY_PASSPHRASE": "certledger-demo", "CERTLEDGER_KEYS": str(tmp_path / "demo" / "keys")}
    _run("--db", db_url, "demo", "--dir", str(tmp_path / "demo"), "--candidates", "40", env=env)
    old_note = tmp_path / "demo" / "checkpoint.note"
    _run("--db", db_url, "checkpoint", env=env)  # a newer checkpoint than the auditor kept
    vkey = _run("--db", db_url, "keys", "vkey", env=env).stdout.split()[0]
    port = _free_port()
    before = _snapshot(db_url)
    serve_url = _reader_role(db_url) if "://" in db_url else db_url  # PostgreSQL: the README's SELECT-only role
    process = subprocess.Popen(
        [str(CERTLEDGER), "--db", serve_url, "serve", "--port", str(port), "--lookup-rate", "20"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                httpx.get(f"{base}/checkpoint", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        yield {"base": base, "vkey": vkey, "old": old_note, "db": db_url, "process": process, "env": env}
    finally:
        process.terminate()  # SIGTERM: a clean shutdown
        _, err = process.communicate(timeout=20)
    assert process.returncode == 0, err[-2000:]
    assert "Traceback" not in err, err[-3000:]
    lines = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    assert lines[-1]["event"] == "stop" and any(line["event"] == "request" for line in lines)
    if serve_url != db_url:
        import psycopg

        role = serve_url.split("//", 1)[1].split("@", 1)[0]
        with psycopg.connect(db_url, autocommit=True) as conn:
            conn.execute(f"DROP OWNED BY {role}")
            conn.execute(f"DROP ROLE {role}")
    assert _snapshot(db_url) == before


def _reader_role(db_url: str) -> str:
    """A role that may only SELECT (README, "An auditor needs only a role…", with the log's
    and registers' tables too); dropped with the test database."""
    import psycopg

    role = "reader_" + hashlib.sha256(db_url.encode()).hexdigest()[:12]
    database = db_url.rsplit("/", 1)[1]
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute(f"DROP ROLE IF EXISTS {role}")
        conn.execute(f"CREATE ROLE {role} LOGIN")
        conn.execute(f'GRANT CONNECT ON DATABASE "{database}" TO {role}')
        conn.execute(f"GRANT USAGE ON SCHEMA public TO {role}")
        conn.execute(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role}")
    host = db_url.split("@", 1)[1]
    return f"postgresql://{role}@{host}"


def _client(*args: str) -> dict:
    result = subprocess.run([sys.executable, str(CLIENT), *args], capture_output=True, text=True, timeout=120)
    return {"code": result.returncode, **json.loads(result.stdout)}


def test_an_independent_client_follows_the_tiles_and_checks_consistency_and_inclusion(served: dict) -> None:
    report = _client(served["base"], "--vkey", served["vkey"], "--old", str(served["old"]), "--leaf", "100")
    assert report["code"] == 0 and report["ok"], report
    assert report["root_from_tiles"] == "matches" and report["signature"] == "verified"
    assert report["consistency"]["from"] < report["consistency"]["to"] == report["size"]
    assert report["consistency"]["proof_hashes"] > 0 and report["inclusion"]["verified"]
    # another key, or a note of another log, is refused by the client
    other = "hrss+00000000+" + "A" + "Q" * 43
    assert _client(served["base"], "--vkey", other)["code"] == 1


def test_the_checkpoint_and_tiles_are_served_with_cache_headers(served: dict) -> None:
    base = served["base"]
    note = httpx.get(f"{base}/checkpoint")
    assert note.status_code == 200 and note.headers["cache-control"] == "no-cache"
    size = int(note.text.split("\n")[1])
    full = httpx.get(f"{base}/tile/0/000")
    assert full.status_code == 200 and len(full.content) == 32 * 256
    assert "immutable" in full.headers["cache-control"]
    partial = httpx.get(f"{base}/tile/0/001.p/{size - 256}")
    assert partial.status_code == 200 and "immutable" not in partial.headers["cache-control"]
    assert httpx.get(f"{base}/tile/0/001").status_code == 404  # past the signed tree
    assert httpx.get(f"{base}/tile/0/001.p/{size - 255}").status_code == 404
    did = httpx.get(f"{base}/.well-known/did.json")
    assert did.status_code == 200 and did.json()["id"] == "did:web:hrss.henan.example"
    listed = httpx.get(f"{base}/credentials/status/revocation")
    assert listed.status_code == 200 and listed.headers["content-type"].startswith("application/vc+json")
    digest = hashlib.sha256(listed.content).hexdigest()
    assert f"status-list {listed.json()['certledgerCheckpoint']['certificates']} {digest}\n" in note.text  # the note binds it
    assert listed.json()["certledgerCheckpoint"]["size"] == size
    page = httpx.get(f"{base}/verify.html")
    assert page.status_code == 200 and "did:web:hrss.henan.example" in page.text and "default-src 'none'" in page.headers["content-security-policy"]
    assert re.search(r'window\.PINNED_ROOT = "ed25519:[0-9a-f]{32}";', page.text), "the page pins the ledger's root of trust"
    bundle = httpx.get(f"{base}/tile/entries/000").content
    assert len(bundle) == 256 * 34 and bundle[:2] == b"\x00\x20"
    assert hashlib.sha256(b"\x00" + bundle[2:34]).digest() == full.content[:32]


HOSTILE = [
    "/tile/../../etc/passwd", "/tile/0/../../ledger.db", "/tile/0/%2e%2e/000", "/tile/0/-1", "/tile/0/1",
    "/tile/0/0001", "/tile/0/x000/001", "/tile/64/000", "/tile/00/000", "/tile/0/000.p/0", "/tile/0/000.p/256",
    "/tile/0/000.p/010", "/tile/entries/abc", "/tile/0/" + "x999/" * 30 + "000", "/tile/0/000.p/1/extra",
]


def test_hostile_tile_paths_get_4xx(served: dict) -> None:
    for path in HOSTILE:
        response = httpx.get(served["base"] + path)
        assert 400 <= response.status_code < 500, (path, response.status_code, response.text)


def test_bad_requests_get_4xx_and_lookups_reveal_nothing(served: dict) -> None:
    base, db = served["base"], served["db"]
    assert httpx.post(f"{base}/checkpoint", content=b"x" * 10).status_code == 405
    assert httpx.request("GET", f"{base}/lookup", content=b"x" * 100_000).status_code == 413
    assert httpx.get(f"{base}/lookup?number=" + "9" * 5000).status_code == 414
    assert httpx.get(f"{base}/lookup?number=1").status_code == 400
    assert httpx.get(f"{base}/lookup?number=1&name=" + "张" * 100).status_code == 400
    number, name = _a_certificate(db, served["env"])
    found = httpx.get(f"{base}/lookup", params={"number": number, "name": name})
    assert found.status_code == 200, found.text
    record = found.json()["certificates"][0]
    assert record["number"] == number and record["holder"] == name and "*" in record["id_number"]
    assert "candidacy" not in record and "digest" not in record and "not proven" in found.json()["source"]
    wrong_name = httpx.get(f"{base}/lookup", params={"number": number, "name": name + "甲"})
    unknown = httpx.get(f"{base}/lookup", params={"number": number[:-1] + ("1" if number[-1] != "1" else "2"), "name": name})
    assert wrong_name.status_code == unknown.status_code == 404
    assert wrong_name.content == unknown.content  # nothing tells which numbers exist


def test_a_flood_of_lookups_is_rate_limited(served: dict) -> None:
    with httpx.Client() as client:
        codes = [client.get(f"{served['base']}/lookup", params={"number": "X", "name": "Y"}).status_code for _ in range(150)]
    assert 429 in codes and set(codes) <= {404, 429}


def _a_certificate(db_url: str, env: dict[str, str]) -> tuple[str, str]:
    listing = json.loads(_run("--db", db_url, "register", "certificates", "--json", env=env).stdout)
    rows = listing if isinstance(listing, list) else listing.get("rows", [])
    row = next(r for r in rows if r.get("status") == "valid")
    return row["number"], row["name"]


def test_tile_paths_parse_exactly_as_the_spec_writes_them() -> None:
    assert parse_tile_path("0/x001/x234/067") == TileRef(0, 1234067, 256)
    assert parse_tile_path("entries/001.p/16") == TileRef(None, 1, 16)
    for ref in (TileRef(2, 0, 256), TileRef(0, 1234067, 7), TileRef(None, 999, 255), TileRef(1, 1000, 256)):
        assert parse_tile_path(tile_path(ref)) == ref
    for bad in ("0/1234", "0/x1234/000", "0/000.p/", "1/", "entries/x000/001"):
        with pytest.raises(InputError):
            parse_tile_path(bad)


def test_a_kept_look_up_answer_is_dropped_when_the_ledger_moves_on(db_url: str, tmp_path: Path) -> None:
    """The service keeps look-up answers only while the ledger's head is unchanged: once a
    certificate is declared void, the very next look-up says so (no stale 有效)."""
    from certledger.cli.serve_app import Service
    from certledger.events.ledger import Ledger
    from certledger.events.storage import parse_database_url

    env = {**os.environ, "CERTLEDGER_KEY_PASSPHRASE": "certledger-demo", "CERTLEDGER_KEYS": str(tmp_path / "demo" / "keys")}
    _run("--db", db_url, "demo", "--dir", str(tmp_path / "demo"), "--candidates", "40", env=env)
    listing = json.loads(_run("--db", db_url, "register", "certificates", "--json", env=env).stdout)
    cert = next(r for r in listing if r["kind"] == "e-certificate" and r["status"] == "valid")
    ledger = Ledger(parse_database_url(db_url))
    try:
        service = Service(ledger)
        first = service.lookup(cert["number"], cert["name"])
        assert first is not None and first["certificates"][0]["status"] == "valid"
        assert service.lookup(cert["number"], cert["name"]) == first  # kept: the head has not moved
        ref = f"{cert['exam_code']}:{cert['year']}:{cert['candidate']}"
        _run("--db", db_url, "candidate", "void", ref, "--condition", "work-years", "--finding", "社保记录不符",
             "--as", "hrss", env=env)
        after = service.lookup(cert["number"], cert["name"])
        assert after is not None and after["certificates"][0]["status"] == "void"
    finally:
        ledger.close()
