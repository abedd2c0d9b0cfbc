"""No dead ends (issue 9): from every candidacy state a random sequence of acts reaches, either
the domain says the stage is final (:func:`domain.stage.stage`), or some act it names is
accepted, by some party, on some later date — or time alone makes the stage final.

The walk reuses the property model of tests/test_properties.py (random acts by right and wrong
parties on random dates, every rule checked after each step). At the end, each candidacy's
stage is read on the latest date of the walk; the acts it names are tried on copies of the
model, by every party of the sitting (and HRSS, and the candidate), on later dates drawn from
the deadlines, with and without an exception (一般) where the act takes one.
"""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from certledger.domain import clock
from certledger.domain.acts import late_entry
from certledger.domain.calendar import add_days
from certledger.domain.candidacy import Candidacy, Outcome, ReissueKind, RequestEnd
from certledger.domain.errors import CertLedgerError
from certledger.domain.stage import stage
from certledger.domain.units import HRSS
from certledger.events.ledger import SIMULATION_START as LEDGER_SIMULATION_START
from tests.test_properties import (PLANS, SITTING_ACTS, Command, Model, _handed_over, _run, actor_pool,  # noqa: F401
                                   draw_command, draw_model, simulated_clock)

EXCEPTION = "例外：经负责单位批准"


def _args(act: str, model: Model, c: Candidacy, on: date) -> list[dict[str, Any]]:
    """Plausible arguments of ``act``: the norm first, then a departure where the act takes one."""
    tag = f"{model.sitting.exam_code}-{c.candidate}"
    return {
        "release_score": [{"passed": True, "scores": {"综合": "72"}}],
        "hand_over": [{}, {"exception": EXCEPTION}],
        "record_verification": [{"result": Outcome.QUALIFIED, "condition": None}],
        # The period already published (the second publisher must give the same), or a new one.
        # A provincial exam's first publisher announces its results deadline (R-10).
        "publish_publicity": [dict(zip(("starts", "ends"), model.sitting.publicity or (on, add_days(on, 9))),
                                   **({"verification_due": add_days(on, 15)}
                                      if model.sitting.exam.provincial and not model.sitting.publicity_published_by else {}))],
        "announce_verification_results": [{}, {"exception": EXCEPTION}],
        "record_supplementary": [{"result": Outcome.QUALIFIED, "condition": None},
                                 {"result": Outcome.QUALIFIED, "condition": None, "exception": EXCEPTION}],
        "lodge_appeal": [{"grounds": "材料齐全"}],
        "decide_appeal": [{"upheld": True, "reason": "属实"}, {"upheld": True, "reason": "属实", "exception": EXCEPTION}],
        "issue_e_certificate": [{"certificate_no": f"E-{tag}"}],
        "issue_pass_proof": [{"proof_no": f"P-{tag}"}],
        "receive_paper_certificate": [{"certificate_no": f"Z-{tag}"}],
        "reserve_mailing": [{"address_ref": "addr"}, {"address_ref": "addr", "exception": EXCEPTION}],
        "record_delivery_failed": [{"reason": "到付拒收"}],
        "withdraw_mailing": [{"reason": "改为现场领取"}],
        "end_reissue": [{"outcome": o, "reason": "理由"} for o in RequestEnd],
        "request_reissue": [{"kind": k, "reason": "遗失"} for k in ReissueKind],
        "refer_to_judiciary": [{"authority": "公安局"}],
    }.get(act, [{}])


def _later_dates(model: Model, c: Candidacy, now: date) -> list[date]:
    s = model.sitting
    days = {now, add_days(now, 1), add_days(now, 10), add_days(now, 40), add_days(now, 400), s.custody_until,
            add_days(s.custody_until, 1)}
    for d in (s.verification_due, s.supplementary_due, s.appeal_due, s.results_announced_on, s.supplementary_announced_on):
        if d is not None:
            days |= {d, add_days(d, 1), add_days(d, 31)}
    return sorted(d for d in days if d >= now)


def _accepted(model: Model, act: str, actor: str, on: date, candidate: str, args: dict[str, Any],
              late: str | None = None) -> bool:
    trial = copy.deepcopy(model)
    try:
        with late_entry(late):
            trial.perform(Command(act, actor, on, None if act in SITTING_ACTS else candidate, args))
    except CertLedgerError:
        return False
    return True


def _moves_on(model: Model, c: Candidacy, now: date) -> tuple[bool, str]:
    """Whether the candidacy's stage is final or can be moved on from ``now``."""
    parties = sorted({*actor_pool(model.plan, model.candidacies), HRSS, c.candidate})
    tried = []
    for on in _later_dates(model, c, now):
        where = stage(c, model.sitting, on)
        if where.final:
            return True, f"final on {on}: {where.name}"
        tried.append(f"{on}: {where.name} -> {where.next}")
        for act in where.next:
            for args in _args(act, model, c, on):
                for actor in parties:
                    if _accepted(model, act, actor, on, c.candidate, args):
                        return True, f"{act} by {actor} on {on}"
                    # The second publisher of a joint publicity that has started signs it as a
                    # late entry (补录, L-2), dated its first day.
                    first_day = model.sitting.publicity[0] if model.sitting.publicity else None
                    if act == "publish_publicity" and first_day is not None and first_day < on:
                        if _accepted(model, act, actor, first_day, c.candidate, args, late="联合公示补录"):
                            return True, f"{act} by {actor}, dated {first_day}, recorded late"
    return False, "; ".join(tried)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_every_reachable_state_is_final_or_has_a_lawful_next_act(data: st.DataObject) -> None:
    n = data.draw(st.integers(1, 2), label="candidates")
    model = draw_model(data, PLANS, 2025, [f"cand.{i:03d}" for i in range(1, n + 1)])
    for _ in range(data.draw(st.integers(3, 50), label="steps")):
        model.apply(draw_command(data, model))
    now = max(e.on for events in model.history.values() for e in events)
    for c in model.candidacies.values():
        ok, how = _moves_on(model, c, now)
        assert ok, model.explain(f"dead end for {c.candidate} from {now}: {how}")


def _stuck(model: Model, candidate: str) -> None:
    c = model.candidacies[candidate]
    now = max(e.on for events in model.history.values() for e in events)
    ok, how = _moves_on(model, c, now)
    assert ok, model.explain(f"dead end for {candidate} from {now}: {how}")


def test_a_late_results_announcement_leaves_the_unqualified_an_appeal() -> None:
    """Issue 23 item 1: 不合格 on 06-20, the results announcement published late (08-20, a signed
    R-8 departure): the 申辩 it opens is still received, on the next day, with no exception."""
    model = _handed_over()
    unit = "dept.zhujian.henan"
    _run(model, Command("record_verification", unit, date(2025, 6, 20), "cand.001",
                        {"result": Outcome.UNQUALIFIED, "condition": "work-years"}))
    period = {"starts": date(2025, 6, 16), "ends": date(2025, 6, 25)}
    _run(model, Command("publish_publicity", HRSS, date(2025, 6, 16), args=period),
         Command("publish_publicity", unit, date(2025, 6, 16), args=period),
         Command("announce_verification_results", unit, date(2025, 8, 20), args={"exception": EXCEPTION}))
    where = stage(model.candidacies["cand.001"], model.sitting, date(2025, 8, 21))
    assert not where.final and "lodge_appeal" in where.next, where
    assert _accepted(model, "lodge_appeal", unit, date(2025, 8, 21), "cand.001", {"grounds": "材料齐全"})
    _stuck(model, "cand.001")


def test_a_reserved_certificate_does_not_wait_five_years_for_the_custody_transfer() -> None:
    """Issue 23 item 2: reserved for mailing and at the unit, the certificate used to have one way
    out, the custody transfer five years on. Within days, the post records its failed delivery
    (投递失败／退回) or the candidate withdraws (撤销预约), and the unit hands it out on site."""
    for ending, by, reason in (("record_delivery_failed", "postal.henan", "到付拒收"),
                               ("withdraw_mailing", HRSS, "改为现场领取"),
                               ("withdraw_mailing", "dept.zhujian.zhengzhou", "改为现场领取")):
        with clock.using(clock.SimulatedClock(LEDGER_SIMULATION_START)):  # L-4 dates each case afresh
            _reserved_then_ended(ending, by, reason)


def _reserved_then_ended(ending: str, by: str, reason: str) -> None:
    unit, city_unit = "dept.zhujian.henan", "dept.zhujian.zhengzhou"
    model = _handed_over()
    _run(model, Command("record_verification", city_unit, date(2025, 6, 20), "cand.001",
                        {"result": Outcome.QUALIFIED, "condition": None}))
    period = {"starts": date(2025, 6, 16), "ends": date(2025, 6, 25)}
    _run(model, Command("publish_publicity", HRSS, date(2025, 6, 16), args=period),
         Command("publish_publicity", unit, date(2025, 6, 16), args=period),
         Command("announce_verification_results", unit, date(2025, 7, 2)),
         Command("reserve_mailing", HRSS, date(2025, 7, 10), "cand.001", {"address_ref": "addr"}),
         Command("receive_paper_certificate", unit, date(2025, 11, 3), "cand.001", {"certificate_no": "Z-1"}))
    c = model.candidacies["cand.001"]
    assert stage(c, model.sitting, date(2025, 11, 5)).name == "reserved for mailing"
    assert not _accepted(model, "hand_out", city_unit, date(2025, 11, 5), "cand.001", {})
    _run(model, Command(ending, by, date(2025, 11, 5), "cand.001", {"reason": reason}))
    where = stage(model.candidacies["cand.001"], model.sitting, date(2025, 11, 6))
    assert not where.final and "hand_out" in where.next, where
    assert _accepted(model, "hand_out", city_unit, date(2025, 11, 6), "cand.001", {})
    assert not _accepted(model, "deliver_by_post", "postal.henan", date(2025, 11, 6), "cand.001", {})
