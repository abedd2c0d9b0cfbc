"""Attack 2 (issue 6): stream ids with aliases. SQLite stores a stream id as text, so one
stream can be spelled many ways (dashed, upper case, in braces, urn:uuid:…). Moving a
candidacy's last events to another spelling hid a fraud finding from the application;
copies under another spelling listed a candidate twice. PostgreSQL's uuid column has one
spelling only."""

from __future__ import annotations

from datetime import date

import psycopg
import pytest

from tests.attacks.forge import Forger, dashed
from tests.attacks.support import assert_fails_at, assert_named, assert_ok, stages, verify

SPELLINGS = {
    "dashed": lambda h: dashed(h),
    "upper": lambda h: h.upper(),
    "braces": lambda h: "{" + dashed(h) + "}",
    "urn": lambda h: "urn:uuid:" + dashed(h),
    "dashed-upper": lambda h: dashed(h).upper(),
}


def _fraud_found(life) -> tuple[object, list[int]]:
    _, ids = stages(life, qualified=("cand.001",))
    cid = ids["cand.001"]
    life.ledger.find_fraud("dept.zhujian.henan", cid, "forged diploma", on=date(2025, 6, 22))
    life.ledger.refer_to_judiciary("dept.zhujian.henan", cid, "郑州市公安局", on=date(2025, 6, 23))
    assert life.ledger.candidacy(cid).is_void
    with Forger(life.db_url) as f:
        last_two = [r.nid for r in f.stream_rows(str(cid))][-2:]
    return cid, last_two


@pytest.mark.parametrize("spelling", ["dashed", "upper", "braces"])
def test_sqlite_last_two_events_of_a_candidacy_moved_to_an_alias(life, db_url: str, spelling: str) -> None:
    if not db_url.endswith(".db"):
        pytest.skip("SQLite only: PostgreSQL's uuid column has one spelling (see the PostgreSQL test)")
    cid, last_two = _fraud_found(life)
    life.tampered = True
    with Forger(life.db_url) as f:
        for nid in last_two:
            f.set_stream(nid, SPELLINGS[spelling](cid.hex))
    found = assert_fails_at(life.db_url, last_two[0], "not spelled canonically", "alias")
    assert_named(found, last_two[1], "not spelled canonically", "alias")
    assert {f.notification_id for f in found} == set(last_two)


@pytest.mark.parametrize("spelling", sorted(SPELLINGS))
def test_sqlite_copy_of_a_registration_under_another_spelling(life, db_url: str, spelling: str) -> None:
    if not db_url.endswith(".db"):
        pytest.skip("SQLite only")
    _, ids = stages(life, qualified=("cand.001",))
    cid = ids["cand.001"]
    life.tampered = True
    with Forger(life.db_url) as f:
        copies = []
        for row in f.stream_rows(str(cid)):
            copies.append(f.insert(SPELLINGS[spelling](cid.hex), row.version, row.topic, row.state))
    found = assert_fails_at(life.db_url, copies[0], "alias")
    for nid in copies:
        assert_named(found, nid, "not spelled canonically")
    assert {f.notification_id for f in found} == set(copies)


def test_sqlite_trust_registry_event_copied_under_an_alias(life, db_url: str) -> None:
    """The trust pass reads the canonical spelling only; an aliased trust row must still be
    reported (not silently skipped)."""
    if not db_url.endswith(".db"):
        pytest.skip("SQLite only")
    life.tampered = True
    with Forger(life.db_url) as f:
        from tests.attacks import forge

        last = f.stream_rows(forge.TRUST_REGISTRY)[-1]
        alias = f.insert(forge.TRUST_REGISTRY.upper(), last.version + 1, last.topic, last.state)
    assert_fails_at(life.db_url, alias, "alias")


def test_postgres_has_one_spelling_per_stream(life, db_url: str) -> None:
    if db_url.endswith(".db"):
        pytest.skip("PostgreSQL only")
    cid, last_two = _fraud_found(life)
    life.tampered = True
    with Forger(life.db_url) as f:
        row = f.by_nid(last_two[0])
        for spelling in ("upper", "braces", "dashed-upper"):
            # Another spelling is the same uuid: the copy collides with the original row.
            with pytest.raises(psycopg.errors.UniqueViolation):
                f.insert(SPELLINGS[spelling](cid.hex), row.version, row.topic, row.state)
        with pytest.raises(psycopg.errors.InvalidTextRepresentation):
            f.insert(SPELLINGS["urn"](cid.hex), row.version, row.topic, row.state)
        for nid in last_two:
            f.set_stream(nid, SPELLINGS["braces"](cid.hex).upper())
        # The database stored the one canonical uuid: nothing moved, and verify says so.
        assert [r.stream for r in f.stream_rows(str(cid))][-2:] == [str(cid), str(cid)]
        assert [r.nid for r in f.stream_rows(str(cid))][-2:] == last_two
    assert_ok(life.db_url)
    assert life.ledger.candidacy(cid).is_void
    found, _ = verify(life.db_url)
    assert found == []
