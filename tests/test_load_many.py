"""``load_many``: the batched read that imports and bulk acts use judges every row exactly as
loading one aggregate at a time does."""

from __future__ import annotations

import pytest

from certledger.domain.candidacy import Candidacy, candidacy_id
from certledger.domain.errors import CertLedgerError
from tests.lifecycle_world import CANDIDATES, LifeWorld


def test_load_many_equals_loading_one_by_one(life: LifeWorld) -> None:
    sid = life.sitting()
    ids = life.passed_and_handed_over(sid, CANDIDATES[:5])
    never = candidacy_id(sid, "cand.999")
    loaded = life.ledger.load_many([ids[3], never, *ids, sid], Candidacy)
    assert sorted(loaded) == sorted(ids)  # no events: left out; the sitting: not a candidacy
    for cid in ids:
        one = life.ledger.candidacy(cid)
        assert vars(loaded[cid]) == vars(one)
        assert loaded[cid].version == 3  # registered, scored, handed over


def test_load_many_refuses_a_forged_row_as_loading_one_does(life: LifeWorld) -> None:
    sid = life.sitting()
    ids = life.passed_and_handed_over(sid, CANDIDATES[:3])
    row = life.ledger.rows.read(ids[1], 2)
    forged = row.state.replace(b'"passed":true', b'"passed":false')
    assert forged != row.state
    life.ledger.rows.write_state(ids[1], 2, forged)  # real SQL: an UPDATE of the stored state
    life.tampered = True
    with pytest.raises(CertLedgerError) as one:
        life.reopen().candidacy(ids[1])
    with pytest.raises(CertLedgerError) as many:
        life.reopen().load_many(ids, Candidacy)
    assert type(many.value) is type(one.value)
    assert "signature" in str(many.value)


def test_load_many_on_a_day_equals_loading_each_on_that_day(life: LifeWorld) -> None:
    from datetime import date

    sid = life.sitting()
    ids = life.qualified(sid, CANDIDATES[:3])  # registered 03-10, scored 06-14, handed over 06-15, 合格 06-20
    for day in (date(2025, 3, 9), date(2025, 3, 10), date(2025, 6, 14), date(2025, 6, 19), date(2025, 12, 31)):
        many = life.ledger.load_many(ids, Candidacy, on=day)
        one = {cid: life.ledger.candidacy_on(cid, day) for cid in ids}
        assert {cid: vars(c) for cid, c in many.items()} == {cid: vars(c) for cid, c in one.items() if c is not None}, day
    assert life.ledger.load_many(ids, Candidacy, on=date(2025, 3, 9)) == {}  # registered later


def test_the_sitting_lists_each_candidacy_once_found_by_its_signed_registration(life: LifeWorld) -> None:
    sid, other = life.sitting(), life.sitting("jianzaoshi-2")
    ids = [life.register(sid, c) for c in CANDIDATES[:3]]
    life.register(other, CANDIDATES[3], exam_code="jianzaoshi-2")
    assert list(life.ledger.candidacies_of(sid)) == ids  # registration order; the other sitting's left out
