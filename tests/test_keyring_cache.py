"""The keyring cache (events.keyring_cache): a second command loads the trust registry from the
reader's own cache file without re-verifying a trust event; a new trust event is picked up and
only it verified; a damaged, stale or forged cache is rebuilt by full replay, never trusted."""

from __future__ import annotations

import json
import stat
from pathlib import Path

from certledger.events.keyring_cache import KeyringCache, _checksum
from certledger.events.ledger import Ledger
from certledger.events.storage import parse_database_url
from certledger.signing.wallet import Wallet
from tests.helpers import Memo, World


def _open(world: World, cache: KeyringCache, **kwargs) -> Ledger:
    return Ledger(parse_database_url(world.db_url), Wallet(world.store), keyring_cache=cache, **kwargs)


def _rewrite(path: Path, change) -> None:
    """Edit the cache as someone who knows its format would: checksum recomputed."""
    document = json.loads(path.read_text(encoding="utf-8"))
    change(document["body"])
    document["checksum"] = _checksum(document["body"])
    path.write_text(json.dumps(document), encoding="utf-8")


def _keys(ledger: Ledger) -> dict[str, tuple[str, str, str | None]]:
    return {k: (e.party_id, e.public_key, e.revoked_at and e.revoked_at.isoformat()) for k, e in ledger.registry().keys.items()}


def test_second_open_reads_no_trust_event(world: World, tmp_path: Path) -> None:
    cache = KeyringCache(tmp_path / "cache")
    trust_events = world.ledger.registry().version
    first = _open(world, cache)
    assert first.trust_events_read == trust_events  # nothing cached yet: full replay
    path = cache.path(first.ledger_id)
    assert path.exists() and stat.S_IMODE(path.stat().st_mode) == 0o600
    first.close()

    second = _open(world, cache)
    try:
        assert second.trust_events_read == 0
        assert _keys(second) == _keys(world.ledger)
        assert second.registry().parties == world.ledger.registry().parties
        # It signs and chains on from the cached registry: the write verifies.
        second.save(Memo(actor="exam-center", text="from cache", value=1))
    finally:
        second.close()


def test_new_trust_event_is_the_only_one_verified(world: World, tmp_path: Path) -> None:
    cache = KeyringCache(tmp_path / "cache")
    _open(world, cache).close()
    world.add_key("exam-center")
    world.ledger.revoke_key(world.keys["dept.zhujian.henan"], "compromised")
    later = _open(world, cache)
    try:
        assert later.trust_events_read == 2
        assert _keys(later) == _keys(world.ledger)
    finally:
        later.close()
    again = _open(world, cache)
    try:
        assert again.trust_events_read == 0  # the cache moved to the new head
    finally:
        again.close()


def test_damaged_cache_is_rebuilt(world: World, tmp_path: Path) -> None:
    cache = KeyringCache(tmp_path / "cache")
    first = _open(world, cache)
    full, path = first.trust_events_read, cache.path(first.ledger_id)
    first.close()
    text = path.read_text(encoding="utf-8")
    # A key handed to another party, checksum left as it was.
    assert '"party_id": "exam-center"' in text
    path.write_text(text.replace('"party_id": "exam-center"', '"party_id": "dept.zhujian.henan"', 1), encoding="utf-8")
    rebuilt = _open(world, cache)
    try:
        assert rebuilt.trust_events_read == full
        assert _keys(rebuilt) == _keys(world.ledger)
    finally:
        rebuilt.close()
    path.write_text("not json", encoding="utf-8")
    again = _open(world, cache)
    try:
        assert again.trust_events_read == full and _keys(again) == _keys(world.ledger)
    finally:
        again.close()


def test_cache_whose_head_is_not_in_the_ledger_is_rebuilt(world: World, tmp_path: Path) -> None:
    cache = KeyringCache(tmp_path / "cache")
    first = _open(world, cache)
    full, path = first.trust_events_read, cache.path(first.ledger_id)
    first.close()

    def forged_key(body):  # a forged key, the checksum made to match, but the head digest kept
        key = body["registry"]["keys"][0]
        key["party_id"] = "dept.zhujian.henan" if key["party_id"] != "dept.zhujian.henan" else "exam-center"
        body["head_digest"] = "0" * 64

    _rewrite(path, forged_key)
    rebuilt = _open(world, cache)
    try:
        assert rebuilt.trust_events_read == full and _keys(rebuilt) == _keys(world.ledger)
    finally:
        rebuilt.close()

    _rewrite(path, lambda body: body["registry"].update(version=body["registry"]["version"] + 50))
    gone = _open(world, cache)  # no trust event at that version: the head is gone
    try:
        assert gone.trust_events_read == full and _keys(gone) == _keys(world.ledger)
    finally:
        gone.close()


def test_verify_does_not_use_the_cache(world: World, tmp_path: Path) -> None:
    cache = KeyringCache(tmp_path / "cache")
    _open(world, cache).close()
    checker = _open(world, cache, verify_on_read=False, read_only=True)
    try:
        assert checker.trust_events_read == world.ledger.registry().version
    finally:
        checker.close()
