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
