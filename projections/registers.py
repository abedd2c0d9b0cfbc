"""How each event changes the registers: one small function per event class name.

Handlers read the event's fields by name with defaults (``_f``), so an event that gains a
field (an exception's reason, a new Order 31 article list) still applies, and a field they
know nothing of is ignored. An event with no handler changes no register (key events,
certificate-number claims). Any act carrying a non-empty ``exception`` (or
``exception_reason``) field is entered in the exceptions register, whatever its class.

Handlers see rows through :class:`Rows`-like ``state``: ``get(table, key)`` and
``put(table, row)``; the projector stamps each row it puts with the event's notification
id, signer, business date and write time.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from enum import Enum
from typing import Any, Protocol
from uuid import UUID

CST = timezone(timedelta(hours=8), "CST")
HRSS = "hrss"

QUALIFIED, UNQUALIFIED, PENDING, FORFEITED = "合格", "不合格", "报考条件待核查", "视为放弃"


class State(Protocol):
    def get(self, table: str, key: tuple[Any, ...]) -> dict[str, Any] | None: ...
    def put(self, table: str, row: dict[str, Any]) -> None: ...


class Event:
    """One decoded, signature-checked event as the handlers see it."""

    def __init__(self, nid: int, name: str, stream: UUID, fields: dict[str, Any], signer: str,
                 written: datetime, domain: Any = None) -> None:
        self.nid, self.name, self.stream, self.fields, self.signer = nid, name, stream, fields, signer
        self.written = written
        self.domain = domain  # the domain event itself, which the states register folds
        self.key = str(stream)  # the stream as the registers key it (made once: handlers use it often)

    def f(self, name: str, default: Any = None) -> Any:
        """A field as a register value: dates ISO, enums their value, UUIDs text."""
        return sql_value(self.fields.get(name, default))

    @property
    def on(self) -> str | None:
        return self.f("on")

    @property
    def actor(self) -> str:
        return str(self.fields.get("actor") or "")


def sql_value(value: Any) -> Any:
    if isinstance(value, Enum):  # before str: our enums are str subclasses
        return sql_value(value.value)
    if value is None or isinstance(value, (str, int)):
        return int(value) if isinstance(value, bool) else value
    if isinstance(value, datetime):
        return value.astimezone(CST).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, (tuple, list)):
        return ", ".join(str(sql_value(v)) for v in value)
    return str(value)


HANDLERS: dict[str, Callable[[State, Event], None]] = {}


def handles(*names: str) -> Callable[[Callable[[State, Event], None]], Callable[[State, Event], None]]:
    def register(fn: Callable[[State, Event], None]) -> Callable[[State, Event], None]:
        for name in names:
            HANDLERS[name] = fn
        return fn

    return register


def apply(state: State, event: Event) -> None:
    handler = HANDLERS.get(event.name)
    if handler is not None:
        handler(state, event)
    reason = event.fields.get("exception") or event.fields.get("exception_reason")
    if reason:
        _exception(state, event, "exception", event.name, sql_value(reason))
    if event.name != "LateEntryRecorded":
        _close_late_entry(state, event)


# -- helpers ----------------------------------------------------------------------------------


def _exam_name(code: str | None) -> str | None:
    from certledger.domain.exams import exam

    try:
        return exam(code).name if code else None
    except Exception:  # noqa: BLE001 - an exam the code no longer knows still has its code
        return code


def _condition(code: Any) -> str | None:
    from certledger.domain.exams import CONDITIONS

    if code is None:
        return None
    code = sql_value(code)
    return f"{code} {CONDITIONS[code]}" if code in CONDITIONS else code


def _candidacy(state: State, e: Event) -> dict[str, Any]:
    row = state.get("candidacies", (e.key,))
    if row is None:  # verify reports an event on a stream never registered; keep what we can
        row = {"candidacy": e.key}
    return row


def _holder(c: dict[str, Any]) -> dict[str, Any]:
    names = ("sitting", "candidate", "name", "masked_id", "exam_code", "exam_name", "level", "year")
    return {"candidacy": c.get("candidacy"), **{n: c.get(n) for n in names}}


def _row(state: State, table: str, key: tuple[Any, ...], c: dict[str, Any]) -> dict[str, Any]:
    row = state.get(table, key)
    return dict(row) if row is not None else _holder(c)


def _exception(state: State, e: Event, kind: str, act: str | None, reason: Any) -> None:
    sitting = state.get("sittings", (e.key,))
    c = None if sitting else state.get("candidacies", (e.key,))
    subject = (c or {}).get("candidate") or (
        f"{sitting.get('exam_name')} {sitting.get('year')}" if sitting else e.key
    )
    state.put("exceptions", {
        "nid": e.nid, "stream": e.key,
        "sitting": (sitting or c or {}).get("sitting"), "candidacy": (c or {}).get("candidacy"),
        "subject": subject, "kind": kind, "act": act, "party": e.actor, "dated_on": e.on, "reason": reason,
    })


def _aggregate_row(state: State, e: Event) -> tuple[str, dict[str, Any]] | None:
    for table, key in (("candidacies", (e.key,)), ("sittings", (e.key,))):
        row = state.get(table, key)
        if row is not None:
            return table, row
    return None


def _close_late_entry(state: State, e: Event) -> None:
    """The act after a late entry (补录) is the act it was for: name it in its row."""
    found = _aggregate_row(state, e)
    if found is None or not found[1].get("late_nid"):
        return
    table, row = found
    late = state.get("exceptions", (row["late_nid"],))
    if late is not None and late.get("act") is None:
        state.put("exceptions", {**late, "act": e.name})
    state.put(table, {**row, "late_nid": None})


@handles("LateEntryRecorded")
def late_entry(state: State, e: Event) -> None:
    _exception(state, e, "late-entry", None, e.f("reason"))
    found = _aggregate_row(state, e)
    if found is not None:
        state.put(found[0], {**found[1], "late_nid": e.nid})


# -- sittings ---------------------------------------------------------------------------------


def _sitting(state: State, e: Event) -> dict[str, Any]:
    return dict(state.get("sittings", (e.key,)) or {"sitting": e.key})


@handles("Scheduled")
def scheduled(state: State, e: Event) -> None:
    from certledger.domain.calendar import add_years
    from certledger.domain.sitting import CUSTODY_YEARS

    end = e.fields.get("exam_end")
    state.put("sittings", {
        "sitting": e.key, "exam_code": e.f("exam_code"), "exam_name": _exam_name(e.f("exam_code")),
        "year": e.f("year"), "exam_end": sql_value(end), "scheduled_on": e.on,
        "custody_due_on": sql_value(add_years(end, CUSTODY_YEARS)) if isinstance(end, date) else None,
    })


def _sitting_date(column: str) -> Callable[[State, Event], None]:
    def handler(state: State, e: Event) -> None:
        state.put("sittings", {**_sitting(state, e), column: e.on})

    return handler


for _name, _column in (
    ("ResultsReleased", "results_released_on"),
    ("VerificationResultsReported", "results_reported_on"),
    ("VerificationResultsAnnounced", "results_announced_on"),
    ("SupplementaryResultsSubmitted", "supplementary_submitted_on"),
    ("SupplementaryResultsAnnounced", "supplementary_announced_on"),
):
    HANDLERS[_name] = _sitting_date(_column)


@handles("PublicityPublished")
def publicity(state: State, e: Event) -> None:
    row = _sitting(state, e)
    by = [p for p in (row.get("publicity_by") or "").split(", ") if p] + [e.actor]
    state.put("sittings", {**row, "publicity_starts": e.f("starts"), "publicity_ends": e.f("ends"),
                           "publicity_by": ", ".join(by)})


@handles("CustodyTransferred")
def custody_transferred(state: State, e: Event) -> None:
    row = _sitting(state, e)
    state.put("sittings", {**row, "custody_transferred_on": e.on})
    for cid in e.fields.get("roster") or ():
        c = state.get("candidacies", (str(cid),))
        if c is None or not c.get("paper_no"):
            continue
        custody = state.get("custody", (c["paper_no"],))
        if custody is not None:
            # "since" stays the day custody began (the paper certificate's arrival): the roster's
            # 保管起始日; the transfer is the sitting's custody_transferred_on.
            state.put("custody", {**custody, "custodian": HRSS, "status": "transferred"})
        cert = state.get("certificates", ("paper", c["paper_no"]))
        if cert is not None:
            state.put("certificates", {**cert, "custodian": HRSS})


# -- candidacies ------------------------------------------------------------------------------


@handles("Registered")
def registered(state: State, e: Event) -> None:
    sitting = state.get("sittings", (e.f("sitting_id"),)) or {}
    state.put("candidacies", {
        "candidacy": e.key, "sitting": e.f("sitting_id"), "candidate": e.f("candidate"),
        "name": e.f("name"), "masked_id": e.f("masked_id"), "exam_code": e.f("exam_code"),
        "exam_name": _exam_name(e.f("exam_code")), "level": e.f("level"), "year": sitting.get("year"),
        "city": e.f("city"), "registered_on": e.on, "request_seq": 0,
    })


@handles("ScoreReleased")
def score_released(state: State, e: Event) -> None:
    state.put("candidacies", {**_candidacy(state, e), "passed": e.f("passed"), "scored_on": e.on})


@handles("HandedOver")
def handed_over(state: State, e: Event) -> None:
    c = _candidacy(state, e)
    row = _row(state, "verification", (c["candidacy"],), c)
    state.put("verification", {**row, "city": c.get("city"), "unit": e.f("to"), "handed_over_on": e.on,
                               "status": None})


def _status(v: dict[str, Any]) -> str | None:
    """The verification status the recorded acts give (a result not reported by its
    deadline also counts as 报考条件待核查 under R-6: that depends on the day asked)."""
    if v.get("forfeited_on"):
        return FORFEITED
    if v.get("supplementary_result"):
        return v["supplementary_result"]
    if v.get("appeal_decision") == "upheld":
        return QUALIFIED
    return v.get("first_result")


def _verification(state: State, e: Event, **changes: Any) -> None:
    c = _candidacy(state, e)
    row = {**_row(state, "verification", (c["candidacy"],), c), **changes}
    state.put("verification", {**row, "status": _status(row)})


@handles("VerificationRecorded")
def verification_recorded(state: State, e: Event) -> None:
    _verification(state, e, first_result=e.f("result"), first_condition=_condition(e.fields.get("condition")),
                  first_by=e.actor, first_on=e.on)


@handles("AppealLodged")
def appeal_lodged(state: State, e: Event) -> None:
    _verification(state, e, appeal_grounds=e.f("grounds"), appeal_lodged_on=e.on)


@handles("AppealDecided")
def appeal_decided(state: State, e: Event) -> None:
    upheld = e.fields.get("upheld")
    _verification(state, e, appeal_decision="upheld" if upheld else "rejected", appeal_reason=e.f("reason"),
                  appeal_decided_by=e.actor, appeal_decided_on=e.on)


@handles("SupplementaryVerificationRecorded")
def supplementary(state: State, e: Event) -> None:
    _verification(state, e, supplementary_result=e.f("result"),
                  supplementary_condition=_condition(e.fields.get("condition")), supplementary_by=e.actor,
                  supplementary_on=e.on)


@handles("Forfeited")
def forfeited(state: State, e: Event) -> None:
    _verification(state, e, forfeited_by=e.actor, forfeited_on=e.on)


# -- sanctions ----------------------------------------------------------------------------------


def _void_certificates(state: State, c: dict[str, Any], e: Event, reason: str) -> None:
    for kind, number in ((c.get("certificate_kind"), c.get("certificate_no")), ("paper", c.get("paper_no"))):
        if kind and number:
            cert = state.get("certificates", (kind, number))
            if cert is not None and cert.get("status") != "void":
                state.put("certificates", {**cert, "status": "void", "status_reason": reason})
    if c.get("paper_no"):
        custody = state.get("custody", (c["paper_no"],))
        if custody is not None and custody.get("status") in ("held", "transferred"):
            state.put("custody", {**custody, "status": "void", "ended_on": e.on})


def _sanction(state: State, e: Event, kind: str, rule: str, reason: str, consequences: str, **fields: Any) -> None:
    c = _candidacy(state, e)
    if not c.get("void_on"):
        c = {**c, "void_on": e.on, "void_reason": reason}
        state.put("candidacies", c)
    _void_certificates(state, c, e, f"{rule}: {reason}")
    row = _row(state, "sanctions", (c["candidacy"], kind), c)
    state.put("sanctions", {**row, "kind": kind, "rule": rule, "finding": e.f("finding"), "found_by": e.actor,
                            "found_on": e.on, "consequences": consequences, **fields})


@handles("IneligibilityFound")
def ineligible(state: State, e: Event) -> None:
    condition = _condition(e.fields.get("condition"))
    _sanction(
        state, e, "ineligibility", "R-11", f"{condition}: {e.f('finding')}",
        "registration void, fees not refunded; all subject scores of the sitting void; "
        "any certificate or pass proof issued void",
        condition=condition,
    )


@handles("FraudFound")
def fraud(state: State, e: Event) -> None:
    # One finding cites Art. 10 and Art. 12 together ("articles"); older events one "article".
    articles = e.fields.get("articles") or e.fields.get("article")
    article = None if articles is None else str(sql_value(articles))
    _sanction(
        state, e, "fraud", "R-12", f"fraud (Order No. 31 Art. {article}): {e.f('finding')}",
        e.f("consequences") or f"人社部令第31号 Art. {article}: scores and certificate void; "
        "entry in the exam integrity record (诚信档案)",
        article=article,
    )


@handles("ReferredToJudiciary")
def referred(state: State, e: Event) -> None:
    c = _candidacy(state, e)
    row = _row(state, "sanctions", (c["candidacy"], "fraud"), c)
    state.put("sanctions", {**row, "kind": "fraud", "rule": row.get("rule") or "R-12",
                            "referred_to": e.f("authority"), "referred_by": e.actor, "referred_on": e.on})


# -- certificates, mailing, custody --------------------------------------------------------------


@handles("CertificateIssued")
def certificate_issued(state: State, e: Event) -> None:
    c = _candidacy(state, e)
    kind, number = e.f("kind"), e.f("number")
    state.put("candidacies", {**c, "certificate_kind": kind, "certificate_no": number})
    state.put("certificates", {**_holder(c), "kind": kind, "number": number, "issuer": e.actor,
                               "issued_on": e.on, "status": "valid",
                               "delivery": "download" if kind == "e-certificate" else None})


@handles("PaperCertificateReceived")
def paper_received(state: State, e: Event) -> None:
    c = _candidacy(state, e)
    number = e.f("certificate_no")
    c = {**c, "paper_no": number}
    state.put("candidacies", c)
    state.put("certificates", {**_holder(c), "kind": "paper", "number": number, "issuer": "national",
                               "issued_on": e.on, "status": "valid", "custodian": e.actor})
    sitting = state.get("sittings", (c.get("sitting"),)) or {}
    state.put("custody", {**_holder(c), "number": number, "custodian": e.actor, "since": e.on,
                          "due_for_transfer_on": sitting.get("custody_due_on"), "status": "held"})
    mailing = state.get("mailing", (c["candidacy"],))
    if mailing is not None:
        state.put("mailing", {**mailing, "paper_no": number})


@handles("MailingReserved")
def mailing_reserved(state: State, e: Event) -> None:
    c = _candidacy(state, e)
    state.put("mailing", {**_row(state, "mailing", (c["candidacy"],), c), "paper_no": c.get("paper_no"),
                          "address_ref": e.f("address_ref"), "cash_on_delivery": e.f("cash_on_delivery"),
                          "reserved_on": e.on, "ended_by": None, "ended_on": None, "ended_reason": None,
                          "status": "reserved"})


def _claimed(state: State, e: Event, delivery: str) -> None:
    c = _candidacy(state, e)
    number = c.get("paper_no")
    if not number:
        return
    cert = state.get("certificates", ("paper", number))
    if cert is not None:
        state.put("certificates", {**cert, "delivery": delivery, "claimed_on": e.on, "custodian": None})
    # 2019 §一(四): the pass proof holds "在国家印制的纸质证书发放之前", until the paper
    # certificate is handed out or delivered, not when it reaches the unit (issue 23 item 5)
    if c.get("certificate_kind") == "pass-proof" and c.get("certificate_no"):
        proof = state.get("certificates", ("pass-proof", c["certificate_no"]))
        if proof is not None and proof.get("status") == "valid":
            how = "delivered by post" if delivery == "post" else "handed out"
            state.put("certificates", {**proof, "status": "superseded",
                                       "status_reason": f"paper certificate {number} {how} {e.on}"})
    custody = state.get("custody", (number,))
    if custody is not None:
        state.put("custody", {**custody, "status": "delivered" if delivery == "post" else "handed-out",
                              "ended_on": e.on})


@handles("DeliveredByPost")
def delivered(state: State, e: Event) -> None:
    _claimed(state, e, "post")
    c = _candidacy(state, e)
    mailing = state.get("mailing", (c["candidacy"],))
    if mailing is not None:
        state.put("mailing", {**mailing, "delivered_by": e.actor, "delivered_on": e.on, "status": "delivered"})


@handles("DeliveryFailed", "MailingReservationWithdrawn")
def mailing_ended(state: State, e: Event) -> None:
    """投递失败／退回 or 撤销预约: the reservation ends undelivered; the certificate stays in
    custody (保管) for hand-out on site. A later reservation starts the row again."""
    c = _candidacy(state, e)
    mailing = state.get("mailing", (c["candidacy"],))
    if mailing is not None:
        status = "returned" if e.name == "DeliveryFailed" else "withdrawn"
        state.put("mailing", {**mailing, "ended_by": e.actor, "ended_on": e.on, "ended_reason": e.f("reason"),
                              "status": status})


@handles("HandedOutOnSite")
def handed_out(state: State, e: Event) -> None:
    _claimed(state, e, "on-site")


# -- reissue and information change -------------------------------------------------------------


def _next_request(state: State, e: Event) -> tuple[dict[str, Any], int]:
    c = _candidacy(state, e)
    seq = int(c.get("request_seq") or 0) + 1
    c = {**c, "request_seq": seq}
    state.put("candidacies", c)
    return c, seq


@handles("ReissueRequested")
def reissue_requested(state: State, e: Event) -> None:
    c, seq = _next_request(state, e)
    route = [str(p) for p in e.fields.get("route") or ()]
    state.put("requests", {**_holder(c), "seq": seq, "kind": e.f("kind"), "reason": e.f("reason"),
                           "received_by": e.actor, "received_on": e.on, "route": " → ".join(route),
                           "holder": route[0] if route else e.actor, "hops": "",
                           "status": "arrived" if len(route) <= 1 else "on its way", "rule": "R-19",
                           "ended_on": None})


@handles("ReissueForwarded")
def reissue_forwarded(state: State, e: Event) -> None:
    c = _candidacy(state, e)
    seq = int(c.get("request_seq") or 0)
    row = state.get("requests", (c["candidacy"], seq))
    if row is None:
        return
    to = e.f("to")
    hops = [h for h in (row.get("hops") or "").split("; ") if h] + [f"{e.on} {e.actor} → {to}"]
    end = (row.get("route") or "").split(" → ")[-1]
    arrived = to == end
    state.put("requests", {**row, "holder": to, "hops": "; ".join(hops),
                           "status": "arrived" if arrived else "on its way"})


@handles("ReissueEnded")
def reissue_ended(state: State, e: Event) -> None:
    """Every request ends (issue 9): 办结 completed, 不予办理 refused, 撤回 withdrawn."""
    c = _candidacy(state, e)
    seq = int(c.get("request_seq") or 0)
    row = state.get("requests", (c["candidacy"], seq))
    if row is None:
        return
    state.put("requests", {**row, "status": str(sql_value(e.fields.get("outcome"))), "ended_on": e.on,
                           "end_reason": e.f("reason"), "ended_by": e.actor})


@handles("ReissueRefused")
def reissue_refused(state: State, e: Event) -> None:
    c, seq = _next_request(state, e)
    state.put("requests", {**_holder(c), "seq": seq, "kind": e.f("kind"), "reason": e.f("reason"),
                           "received_by": e.actor, "received_on": e.on, "route": None, "holder": None,
                           "hops": "", "status": "refused", "rule": e.f("rule"), "ended_on": e.on,
                           "ended_by": e.actor, "end_reason": e.f("reason")})
