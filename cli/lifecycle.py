"""``certledger exams|sitting|candidate|cert …``: every act of the certificate lifecycle.

A thin shell over the application services of :mod:`events.lifecycle`: each act is
``ledger.<act>(actor, ref, …, on=date)``, performed by the party given with ``--as`` (the
ledger signs the event with that party's key) on the business date ``--on``. The domain
checks the rules (R-n) and refuses before anything is recorded; the group in
:mod:`cli.main` prints the refusal as one line and exits 2.

References: a sitting is ``EXAM:YEAR`` (``jianzaoshi-1:2025``) or its UUID; a candidacy is
``EXAM:YEAR:cand.NNN`` (``jianzaoshi-1:2025:cand.001``) or its UUID.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from datetime import date, datetime
from typing import Any, TypeVar
from uuid import UUID

import click

from certledger.cli import terms
from certledger.cli.output import emit_json, emit_table, note
from certledger.cli.receipts import recording
from certledger.cli.session import CHINA_STANDARD_TIME, Session
from certledger.domain.acts import late_entry
from certledger.domain.candidacy import Candidacy, Outcome
from certledger.domain.departures import Departure, departures_of
from certledger.domain.errors import InputError
from certledger.domain.exams import EXAMS
from certledger.domain.sitting import ExamSitting
from certledger.domain.stage import stage
from certledger.domain.units import paper_units, provincial_unit, verification_units
from certledger.events.ledger import Ledger
from certledger.events.lifecycle import parse_candidacy_ref, parse_sitting_ref
from certledger.projections import states

pass_session = click.make_pass_decorator(Session)
F = TypeVar("F", bound=Callable[..., Any])

# -- shared options -------------------------------------------------------------------------

_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def today_in_china() -> date:
    return datetime.now(CHINA_STANDARD_TIME).date()


class Day(click.ParamType):
    """A business date, strictly ISO ``YYYY-MM-DD``; anything else is an InputError."""

    name = "date"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> date:
        if isinstance(value, date):
            return value
        option = param.opts[0] if param is not None and param.opts else "date"
        text = str(value).strip()
        if not _ISO_DAY.fullmatch(text):
            raise InputError(f"{option} {value!r} is not a date: write YYYY-MM-DD, e.g. 2025-06-14")
        try:
            return date.fromisoformat(text)
        except ValueError as e:
            raise InputError(f"{option} {value!r} is not a valid date ({e})") from None


DAY = Day()




as_option = click.option(
    "--as",
    "actor",
    required=True,
    metavar="PARTY",
    help="The acting party (hrss, exam-center, dept.zhujian.henan, …); the event is signed with its key. "
    "Candidates hold no keys: their acts are signed by the platform of record.",
)


def platform_act(platform: str, what: str) -> Callable[[F], F]:
    """Like :func:`act`, for a candidate's act that a platform of record signs: ``--as``
    defaults to that platform (R-2: the exam center's registration system; R-16: HRSS's
    reservation platform)."""

    def decorate(f: F) -> F:
        option = click.option("--as", "actor", default=platform, show_default=True, metavar="PARTY",
                              help=f"The platform of record that signs the candidate's act: {what}.")
        return option(on_option(late_option(recording(_with_late(f)))))  # type: ignore[return-value]

    return decorate
def _day_option(help_text: str) -> Callable[[F], F]:
    """``--on``: a business date, today in China Standard Time unless given."""
    return click.option(
        "--on",
        "on",
        type=DAY,
        default=today_in_china,
        show_default="today in China Standard Time, +08:00",
        metavar="YYYY-MM-DD",
        help=help_text,
    )


on_option = _day_option("Business date of the act; deadlines are counted from it.")
status_on_option = _day_option(
    "Business date the status is evaluated on: a handed-over candidate without a result after "
    "the R-6 deadline is 报考条件待核查, a forfeit counts from its date; results count from the day they are dated."
)
state_on_option = _day_option(
    "Business date to show the state on: acts dated later are left out of every column (a "
    "late entry dated on or before it counts); a handed-over candidate without a result after the R-6 "
    "deadline is 报考条件待核查, a forfeit counts from its date."
)
json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON.")


late_option = click.option(
    "--late",
    "late",
    metavar="REASON",
    help="Record the act as a late entry (补录): dated --on, before the latest act already recorded "
    "on this sitting or candidacy (L-2). The reason is signed into the ledger first.",
)




def act(f: F) -> F:
    """The options every act takes: ``--as PARTY``, ``--on DATE`` and ``--late REASON``;
    and its receipts (``--json``: :mod:`cli.receipts`)."""
    return as_option(on_option(late_option(recording(_with_late(f)))))  # type: ignore[return-value]


def _with_late(f: F) -> Callable[..., Any]:
    @functools.wraps(f)
    def run(*args: Any, late: str | None = None, **kwargs: Any) -> Any:
        if late is not None and not late.strip():
            raise InputError("--late needs a reason (why is the act recorded after the fact?)")
        with late_entry(late):
            return f(*args, **kwargs)

    return run


def sitting_argument(f: F) -> F:
    return click.argument("sitting_ref", metavar="SITTING")(f)


def candidacy_argument(f: F) -> F:
    return click.argument("candidacy_ref", metavar="CANDIDACY")(f)


# -- references -------------------------------------------------------------------------------


def _exists(ledger: Ledger, aggregate_id: UUID) -> bool:
    return bool(ledger.recorder.select_events(aggregate_id, limit=1))


def resolve_sitting(ledger: Ledger, ref: str) -> UUID:
    """The sitting's id, or a clear InputError naming the reference as typed."""
    sid = parse_sitting_ref(ref)
    if not _exists(ledger, sid):
        raise InputError(f"no sitting {ref} in this ledger ('certledger sitting schedule' creates one)")
    return sid


def resolve_candidacy(ledger: Ledger, ref: str) -> UUID:
    cid = parse_candidacy_ref(ref)
    if not _exists(ledger, cid):
        parts = ref.split(":")
        if len(parts) == 3 and not _exists(ledger, parse_sitting_ref(f"{parts[0]}:{parts[1]}")):
            raise InputError(f"no candidacy {ref}: there is no sitting {parts[0]}:{parts[1]} in this ledger")
        raise InputError(
            f"no candidacy {ref} in this ledger ('certledger candidate list SITTING' lists a sitting's candidacies)"
        )
    return cid


def open_sitting(session: Session, ref: str, *, read_only: bool = False) -> tuple[Ledger, UUID]:
    """The ledger, and the id of the sitting ``ref`` names (or a clear error)."""
    ledger = session.ledger(read_only=read_only)
    return ledger, resolve_sitting(ledger, ref)


def open_candidacy(session: Session, ref: str) -> tuple[Ledger, UUID]:
    """The ledger, and the id of the candidacy ``ref`` names (or a clear error)."""
    ledger = session.ledger()
    return ledger, resolve_candidacy(ledger, ref)


def ref_of_sitting(sitting: ExamSitting) -> str:
    return f"{sitting.exam_code}:{sitting.year}"


def ref_of_candidacy(candidacy: Candidacy, sitting: ExamSitting) -> str:
    return f"{ref_of_sitting(sitting)}:{candidacy.candidate}"




def _on_day(ref: str, what: str, done: str, on: date, up_to: int | None = None) -> InputError:
    cut = f" or after notification {up_to} (--as-of)" if up_to is not None else ""
    return InputError(f"{what} {ref} was {done} after {on.isoformat()} (--on){cut}: nothing to show then")


def read_registers(ledger: Ledger, kind: str, **where: Any) -> tuple[list[UUID], dict[UUID, Any]] | None:
    """:func:`projections.states.read`, and, the first time in a command that it answers
    from the registers, a line on stderr saying so: their rows are not signed, and whoever
    controls the database can edit them (``--replay`` and ``verify --registers`` check)."""
    read = states.read(ledger, kind, warn=note, **where)
    context = click.get_current_context(silent=True)  # none when serve answers a request
    if read is not None and read[1] and context is not None:
        meta = context.meta
        if not meta.get("certledger.registers_noted"):
            meta["certledger.registers_noted"] = True
            from certledger.projections.projector import Sql

            note(f"note: answered from registers at notification {Sql(ledger).position()[0]}, not re-verified; "
                 "--replay to check (certledger verify --registers compares them with a replay)")
    return read


def load_aggregates(ledger: Ledger, ids: list[UUID], kind: type, on: date | None, up_to: int | None,
                    replay: bool) -> dict[UUID, Any]:
    """The aggregates ``ids`` name as of ``on`` (and notification ``up_to``): from the states
    register when the live registers stand at the ledger's head and the stream has no act
    dated after ``on``; else — or with ``replay`` — by replaying its signed events."""
    found: dict[UUID, Any] = {}
    if up_to is None and not replay:
        read = read_registers(ledger, kind.__name__, ids=ids, on=on)
        if read is not None:
            found = read[1]
    missing = [i for i in ids if i not in found]
    if missing:
        found.update(ledger.load_many(missing, kind, on=on, up_to=up_to))
    return found


def _sitting_now(ledger: Ledger, sid: UUID, replay: bool) -> ExamSitting:
    s = load_aggregates(ledger, [sid], ExamSitting, None, None, replay).get(sid)
    if s is None:  # the id names another kind of stream (a candidacy, the trust registry)
        raise InputError(f"{sid} is not a sitting")
    return s


def _sitting_on(ledger: Ledger, ref: str, sid: UUID, on: date, up_to: int | None = None,
                replay: bool = False) -> ExamSitting:
    """The sitting as its acts dated on or before ``on`` make it, so no column shows a later
    act; with ``up_to``, as the ledger stood at that notification id."""
    s = load_aggregates(ledger, [sid], ExamSitting, on, up_to, replay).get(sid)
    if s is None:
        raise _on_day(ref, "sitting", "scheduled", on, up_to)
    return s


def _candidacy_on(ledger: Ledger, ref: str, on: date, up_to: int | None = None,
                  replay: bool = False) -> tuple[Candidacy, ExamSitting]:
    """The candidacy and its sitting as their acts dated on or before ``on`` make them (and
    recorded up to notification ``up_to``)."""
    cid = resolve_candidacy(ledger, ref)
    c = load_aggregates(ledger, [cid], Candidacy, on, up_to, replay).get(cid)
    if c is None:
        raise _on_day(ref, "candidacy", "registered", on, up_to)
    return c, _sitting_on(ledger, ref, c.sitting_id, on, up_to, replay)


replay_option = click.option(
    "--replay", is_flag=True,
    help="Replay the signed events, each signature checked, instead of reading the registers' stored states "
         "(what an auditor does with a database someone else controlled; slower).")

as_of_option = click.option(
    "--as-of", "as_of", metavar="NOTIFICATION_ID|checkpoint:SIZE|WRITE_TIME",
    help="Show the ledger as it stood then: only events up to this notification id, the events a recorded "
         "checkpoint covers, or those written before the first event written after this time (ISO 8601, "
         "China Standard Time if no offset); as `rebuild --as-of` takes it. Combines with --on.")


def _as_of(ledger: Ledger, text: str | None) -> int | None:
    """``--as-of`` as the last notification id it keeps (None: the whole ledger)."""
    if text is None:
        return None
    from certledger.cli.registers import parse_cut
    from certledger.projections.projector import cut_position

    return cut_position(ledger, parse_cut(text, ledger))


# -- small parsers ------------------------------------------------------------------------------










def _done(what: str, actor: str, on: date) -> None:
    """The one-line confirmation of an act, on stderr."""
    note(f"recorded: {what} [{on.isoformat()}, signed by {actor}]")


def _value(v: Any) -> Any:
    if isinstance(v, Outcome):
        return v.value
    if isinstance(v, UUID):
        return str(v)
    return v


def _emit_record(record: dict[str, Any], as_json: bool) -> None:
    """One object: JSON as is, or a field/value table with nested keys dotted."""
    if as_json:
        emit_json(record)
        return
    rows: list[dict[str, Any]] = []

    def flatten(prefix: str, value: Any) -> None:
        if isinstance(value, dict) and value:
            for k, v in value.items():
                flatten(f"{prefix}.{k}" if prefix else str(k), v)
        elif isinstance(value, (list, tuple)):
            named = terms.shown(prefix, list(value))  # units by their official names
            if isinstance(named, str):
                rows.append({"field": terms.field(prefix), "value": named})
                return
            shown = [terms.ACT_SHOWN.get(v, v) for v in value] if prefix == "stage.next" else value
            rows.append({"field": terms.field(prefix), "value": ", ".join(str(_value(v)) for v in shown)})
        elif isinstance(value, dict):
            rows.append({"field": terms.field(prefix), "value": ""})
        else:
            value = terms.shown(prefix, value)  # the notices' word beside an English code
            text = "" if value is None else (terms.yes_no(value) if isinstance(value, bool) else _value(value))
            rows.append({"field": terms.field(prefix), "value": text})

    flatten("", record)
    emit_table(rows, ["field", "value"])


# == exams =========================================================================================


@click.group()
def exams() -> None:
    """The 31 exams of the 2019 table and their units.

    The attached table of 豫人社〔2019〕8号, as the ledger carries it."""


def exam_rows() -> list[dict[str, Any]]:
    return [
        {
            "code": e.code,
            "name": e.name,
            "levels": list(e.levels),
            "verification_unit": e.verification_unit_label,
            "paper_unit": e.paper_unit_label,
            "organised": "provincial" if e.provincial else "national",
            # An e-certificate has no paper to reissue; its information changes go to HRSS,
            # which issued it (domain.candidacy.request_reissue), not up the paper route.
            "reissue_route": "hrss" if e.e_certificate else e.reissue_route.value,
            "conditions": list(e.conditions),
        }
        for e in EXAMS.values()
    ]


@exams.command("list")
@json_option
def exams_list(as_json: bool) -> None:
    """List the table: code, 考试名称, levels, units, national/provincial, R-19 route, and the
    national registration conditions (报名条件) a 不合格 may cite.

    Needs no ledger."""
    rows = exam_rows()
    if as_json:
        emit_json(rows)
        return
    table = [terms.exam_row(r) for r in rows]
    emit_table(table, list(table[0]))


# == sitting =======================================================================================


@click.group()
def sitting() -> None:
    """Sittings: schedule, results, notices, custody.

    A sitting is one exam in one year. SITTING is EXAM:YEAR (jianzaoshi-1:2025) or its UUID."""




@sitting.command("show")
@sitting_argument
@replay_option
@json_option
@pass_session
def sitting_show(session: Session, sitting_ref: str, replay: bool, as_json: bool) -> None:
    """A sitting's dates, derived deadlines, publicity and custody roster. Read from the
    registers' stored states when they are up to date (README, Registers), else by
    replaying the signed events."""
    ledger, sid = open_sitting(session, sitting_ref, read_only=True)
    s = _sitting_now(ledger, sid, replay)
    roster = load_aggregates(ledger, list(s.custody_roster), Candidacy, None, None, replay)
    e = s.exam
    record = {
        "sitting": ref_of_sitting(s),
        "id": str(s.id),
        "exam": e.code,
        "exam_name": e.name,
        "year": s.year,
        "organised": "provincial" if e.provincial else "national",
        "provincial_unit": provincial_unit(e),
        "exam_end": s.exam_end,
        "announced_verification_due": s.announced_verification_due,
        "announced_supplementary_due": s.announced_supplementary_due,
        "results_released_on": s.results_released_on,
        "verification_due": s.verification_due,
        "supplementary_due": s.supplementary_due,
        "appeal_due": s.appeal_due,
        "publicity": {"starts": s.publicity[0], "ends": s.publicity[1]} if s.publicity else None,
        "publicity_published_by": list(s.publicity_published_by),
        "publicity_joint": s.publicity_is_joint,
        "results_reported_on": s.results_reported_on,
        "results_announced_on": s.results_announced_on,
        "mailing_due": s.mailing_due,
        "supplementary_submitted_on": s.supplementary_submitted_on,
        "supplementary_announced_on": s.supplementary_announced_on,
        "custody_until": s.custody_until,
        "custody_transfer_from": s.transfer_from,  # C-1: the day after custody's last day
        "custody_transferred_on": s.custody_transferred_on,
        "custody_roster": [ref_of_candidacy(roster[c], s) for c in s.custody_roster],
        "exceptions": [_departure_text(d, for_people=not as_json) for d in departures_of(s)],
    }
    _emit_record(record, as_json)


def _departure_text(d: Departure, for_people: bool = False) -> str:
    """One exception as a line: JSON keeps the event name and party id; people read the act's
    term and the unit's official name."""
    if for_people:
        return f"{d.on.isoformat()} {d.rule} {terms.act_shown(d.term, d.event)} by {terms.unit(d.actor)}: {d.reason}"
    return f"{d.on.isoformat()} {d.rule} {d.term} ({d.event}) by {d.actor}: {d.reason}"


@sitting.command("exceptions")
@sitting_argument
@replay_option
@json_option
@pass_session
def sitting_exceptions(session: Session, sitting_ref: str, replay: bool, as_json: bool) -> None:
    """The exceptions register (例外登记): every act of SITTING and its candidacies recorded as a
    departure from a rule that says 一般 (generally) — R-5, R-8, R-16 — with its signed reason.
    Read from the registers' stored states when they are up to date, else by replaying."""
    ledger, sid = open_sitting(session, sitting_ref, read_only=True)
    s = _sitting_now(ledger, sid, replay)
    entries = [(ref_of_sitting(s), d) for d in departures_of(s)]
    read = None if replay else read_registers(ledger, "Candidacy", sitting=sid)
    ids, candidacies = read if read is not None else (list(ledger.candidacies_of(sid)), {})
    missing = [i for i in ids if i not in candidacies]  # no registers, or a row that could not be read
    if missing:
        candidacies.update(ledger.load_many(missing, Candidacy))
    for c in candidacies.values():
        entries.extend((ref_of_candidacy(c, s), d) for d in departures_of(c))
    rows = [
        {"on": d.on, "rule": d.rule, "act": d.event, "term": d.term, "where": where, "by": d.actor, "reason": d.reason}
        for where, d in sorted(entries, key=lambda e: e[1].on)
    ]
    if as_json:
        emit_json(rows)
    else:
        emit_table([{**r, "act": terms.act_shown(r["term"], r["act"]), "by": terms.unit(r["by"]), "on": r["on"].isoformat()}
                    for r in rows], ["on", "rule", "act", "where", "by", "reason"])


# == candidate =====================================================================================


@click.group()
def candidate() -> None:
    """Candidacies: registration, results, 资格核查 (post-exam verification), sanctions.

    A candidacy is one candidate at one sitting. CANDIDACY is EXAM:YEAR:cand.NNN
    (jianzaoshi-1:2025:cand.001) or its UUID."""


@candidate.command("integrity-record")
@status_on_option
@json_option
@pass_session
def candidate_integrity_record(session: Session, on: date, as_json: bool) -> None:
    """The exam integrity record (诚信档案, R-12: Order No. 31 Art. 12): every fraud finding in
    the ledger, with the entry's period (five years, Art. 7 by Art. 10) and whether it is still
    in force on --on."""
    ledger = session.ledger(read_only=True)
    rows = []
    for cid, found in ledger.integrity_record():
        c = ledger.candidacy(cid)
        s = ledger.sitting(c.sitting_id)
        rows.append({
            "candidacy": ref_of_candidacy(c, s), "candidate": c.candidate, "name": c.name,
            "masked_id": c.masked_id, "articles": list(found.articles), "finding": found.finding,
            "by": found.actor, "entered_on": found.on, "until": found.record_until,
            "in_force": found.on <= on <= found.record_until, "consequences": found.consequences,
        })
    if as_json:
        emit_json(rows)
    else:
        table = [{**r, "articles": "+".join(map(str, r["articles"])), "in_force": terms.yes_no(r["in_force"])}
                 for r in rows]
        emit_table(table, ["candidate", "name", "masked_id", "articles", "entered_on", "until", "in_force", "by", "finding"])


def status_text(c: Candidacy, s: ExamSitting, on: date) -> str:
    """Where the candidacy stands on ``on``: the verification status (R-6 …) where there is one."""
    if c.is_void:
        return "void"
    current = c.outcome_on(on, s)
    if current is not None:
        return current.value if isinstance(current, Outcome) else str(current)
    if c.passed is None:
        return "awaiting result"
    if not c.passed:
        return "not passed"
    if c.handed_over_on is None:
        return "awaiting handover"
    return "under verification"


def _stage_text(st: dict[str, Any]) -> str:
    return terms.next_acts(f"{st['term']} {terms.stage_next(st['final'], st['next'])}")


def _stage_record(c: Candidacy, s: ExamSitting, on: date) -> dict[str, Any]:
    st = stage(c, s, on)
    return {"name": st.name, "term": st.term, "final": st.final, "next": list(st.next)}


JSON_SCHEMA = 2  # `candidate list/show --json`: 2 made stage, certificate and paper objects (README)


def paper_record(c: Candidacy, s: ExamSitting) -> dict[str, Any]:
    """Where the paper certificate is: ``state`` (one of :data:`cli.terms.PAPER`'s English
    codes), since ``on`` (or null), and whether HRSS handed it out after the R-17 transfer."""
    state, on = _paper(c, s)
    return {"state": state, "on": on, "by_hrss": c.handed_out_on is not None and c.id in s.custody_roster}


def _paper(c: Candidacy, s: ExamSitting) -> tuple[str, date | None]:
    if c.exam.e_certificate:
        return "none (e-certificate)", None
    if c.handed_out_on is not None:
        return "handed out", c.handed_out_on
    if c.id in s.custody_roster:
        return "transferred to HRSS", s.custody_transferred_on
    if c.delivered_on is not None:
        return "delivered", c.delivered_on
    if c.paper_received_on is None:
        return ("reserved for mailing, not received" if c.mailing_reserved_on else "not received"), None
    if c.mailing_reserved_on is not None:
        return "at the unit, reserved for mailing", c.paper_received_on
    if c.mailing_ended == "returned":
        return "at the unit, returned by post", c.mailing_ended_on
    return "at the unit, unclaimed", c.paper_received_on


def paper_text(record: dict[str, Any]) -> str:
    """A paper record as a table cell: the notices' words, the English, the day."""
    text = record["state"] + (f" {record['on']}" if record["on"] and record["state"] in _DATED else "")
    return terms.paper(text + (" by HRSS after the custody transfer" if record["by_hrss"] else ""))


_DATED = ("handed out", "transferred to HRSS", "delivered", "at the unit, returned by post")


def _certificate(c: Candidacy) -> dict[str, Any] | None:
    if c.certificate_kind is None:
        return None
    return {"kind": c.certificate_kind, "number": c.certificate_no, "void": c.is_void}


def _certificate_text(cert: dict[str, Any] | None) -> str | None:
    if cert is None:
        return None
    return terms.certificate(f"{cert['kind']} {cert['number']}" + (" (void)" if cert["void"] else ""))


@candidate.command("show")
@candidacy_argument
@state_on_option
@as_of_option
@replay_option
@json_option
@pass_session
def candidate_show(session: Session, candidacy_ref: str, on: date, as_of: str | None, replay: bool,
                   as_json: bool) -> None:
    """Everything the ledger holds on one candidacy as of --on: acts dated later are left out
    (and with --as-of, acts recorded after that point). Read from the registers' stored state
    when they are up to date (README, Registers), else by replaying the signed events."""
    ledger = session.ledger(read_only=True)
    c, s = _candidacy_on(ledger, candidacy_ref, on, _as_of(ledger, as_of), replay)
    from certledger.cli.status_note import certificate_status_note

    certificate_status_note(ledger, c.certificate_no, c.certificate_kind)
    current = c.outcome_on(on, s)
    route = list(c.reissue_route)
    record = {
        "candidacy": ref_of_candidacy(c, s),
        "id": str(c.id),
        "sitting": ref_of_sitting(s),
        "exam": c.exam_code,
        "exam_name": c.exam.name,
        "candidate": c.candidate,
        "name": c.name,
        "masked_id": c.masked_id,
        "id_commitment": c.id_commitment or None,  # L-7: sealed where the full number was given
        "city": c.city,
        "level": c.level,
        "registered_on": c.registered_on,
        "comparison": dict(c.comparison),
        "evidence": {k: list(v) for k, v in c.evidence.items()},
        "passed": c.passed,
        "scores": dict(c.scores),
        "handed_over_on": c.handed_over_on,
        "verification_units": list(verification_units(c.exam, c.city)),
        "verification": {"result": _value(c.first_result), "condition": c.first_condition, "on": c.first_result_on},
        "appeal": {"lodged_on": c.appeal_lodged_on, "upheld": c.appeal_upheld,
                   "decision": {True: "申辩成立", False: "申辩不成立", None: None}[c.appeal_upheld]},
        "supplementary": {"result": _value(c.supplementary_result), "condition": c.supplementary_condition,
                          "on": c.supplementary_on},
        "forfeited_on": c.forfeited_on,
        "void": {"on": c.void_on, "reason": c.void_reason},
        "fraud": {"articles": list(c.fraud_articles), "on": c.fraud_on, "integrity_record_until": c.integrity_record_until},
        "referred_on": c.referred_on,
        "status_on": on,
        "outcome": _value(current) if current is not None else None,
        "status": status_text(c, s, on),
        "stage": _stage_record(c, s, on),
        "certificate": {"kind": c.certificate_kind, "number": c.certificate_no, "issued_on": c.certificate_issued_on,
                        "void": c.is_void and c.certificate_kind is not None},
        "paper": {
            "units": list(paper_units(c.exam, c.city)),
            "number": c.paper_no,
            "received_on": c.paper_received_on,
            "mailing_reserved_on": c.mailing_reserved_on,
            "delivered_on": c.delivered_on,
            # the last reservation that ended undelivered: 投递失败／退回 "returned" or 撤销预约 "withdrawn"
            "mailing_ended": None if c.mailing_ended is None else {"how": c.mailing_ended, "on": c.mailing_ended_on},
            "handed_out_on": c.handed_out_on,
            "state": _paper(c, s)[0],
            "by_hrss": paper_record(c, s)["by_hrss"],
        },
        "reissue": {
            "kind": c.reissue_kind,
            "route": route,
            "with": route[c.reissue_at] if 0 <= c.reissue_at < len(route) else None,
            "refusals": c.reissue_refusals,
            "end": c.reissue_end,
        },
        "exceptions": [_departure_text(d) for d in departures_of(c)],
    }
    if as_json:
        record["schema_version"] = JSON_SCHEMA
    else:  # people read the official term beside the English; --json keeps its values
        for part, key in ((record, "status"), (record, "outcome"), (record["verification"], "result"),
                          (record["supplementary"], "result")):
            part[key] = terms.status(part[key]) if part[key] is not None else None
        record["appeal"]["decision"] = terms.APPEAL[c.appeal_upheld]
        record["exceptions"] = [_departure_text(d, for_people=True) for d in departures_of(c)]
    _emit_record(record, as_json)


def _appeal_state(c: Candidacy) -> str | None:
    """申辩 in one word for `candidate list --json`: lodged, upheld, rejected, or none (null)."""
    if c.appeal_lodged_on is None:
        return None
    return {True: "upheld", False: "rejected", None: "lodged"}[c.appeal_upheld]


_APPEAL_SHOWN = {None: None, "lodged": "申辩中 lodged", "upheld": terms.APPEAL[True], "rejected": terms.APPEAL[False]}


@candidate.command("erase-id")
@click.argument("candidacy_ref", metavar="CANDIDACY")
@pass_session
def candidate_erase_id(session: Session, candidacy_ref: str) -> None:
    """Erase the holder's full id number and its salt (L-7) from the holder secrets, which
    are outside the signed log. The ledger keeps the masked form and the sealed commitment;
    a holder's document or credential issued before still verifies (it carries both), but no
    holder's copy can be made again. Not an act: nothing is signed or recorded. Exit 2 if
    there was nothing to erase."""
    ledger, cid = open_candidacy(session, candidacy_ref)
    c = ledger.candidacy(cid)
    if not c.id_commitment:
        raise InputError(f"{candidacy_ref} was registered with the masked id number only: no full number is kept")
    if not ledger.holder_secrets.erase(cid):
        raise InputError(f"{candidacy_ref}'s full id number is not kept (erased already)")
    note(f"erased: {candidacy_ref}'s full id number and salt (持证人身份证号) from {ledger.holder_secrets.table}; "
         f"the ledger keeps {c.masked_id} and the commitment sha256:{c.id_commitment[:16]}…")


@candidate.command("list")
@sitting_argument
@state_on_option
@as_of_option
@replay_option
@json_option
@pass_session
def candidate_list(session: Session, sitting_ref: str, on: date, as_of: str | None, replay: bool,
                   as_json: bool) -> None:
    """One row per candidacy of SITTING, in registration order, as of --on: every column leaves
    out acts dated later, and candidacies registered later are not listed. --as-of leaves out
    what was recorded after that point in the log, in every column too. Read from the
    registers' stored states when they are up to date (README, Registers), else by replaying
    the signed events."""
    ledger, sid = open_sitting(session, sitting_ref, read_only=True)
    up_to = _as_of(ledger, as_of)
    s = _sitting_on(ledger, sitting_ref, sid, on, up_to, replay)
    rows = []
    read = read_registers(ledger, "Candidacy", sitting=sid, on=on) if up_to is None and not replay else None
    ids, loaded = read if read is not None else (list(ledger.candidacies_of(sid, up_to)), {})
    missing = [i for i in ids if i not in loaded]  # acts dated after --on, or no registers
    if missing:
        loaded.update(ledger.load_many(missing, Candidacy, on=on, up_to=up_to))  # registered after --on: left out
    for cid in ids:
        c = loaded.get(cid)
        if c is None:
            continue
        rows.append({
            "candidacy": ref_of_candidacy(c, s),
            "candidate": c.candidate,
            "name": c.name,
            "city": c.city,
            "passed": c.passed,
            "status": status_text(c, s, on),
            "appeal": _appeal_state(c),
            "stage": _stage_record(c, s, on),
            "certificate": _certificate(c),
            "paper": paper_record(c, s),
            "schema_version": JSON_SCHEMA,
        })
    if as_json:
        emit_json(rows)
    else:
        table = [{**r, "city": terms.city(r["city"]), "passed": terms.yes_no(r["passed"]), "status": terms.status(r["status"]),
                  "paper": paper_text(r["paper"]), "appeal": _APPEAL_SHOWN[r["appeal"]],
                  "certificate": _certificate_text(r["certificate"]), "stage": _stage_text(r["stage"])} for r in rows]
        emit_table(table, ["candidate", "name", "city", "passed", "status", "appeal", "stage", "certificate", "paper"])


# == cert ============================================================================================


@click.group()
def cert() -> None:
    """Certificates: e-certificates, pass proofs, paper, reissues.

    CANDIDACY is EXAM:YEAR:cand.NNN or its UUID."""


COMMANDS = (exams, sitting, candidate, cert)
