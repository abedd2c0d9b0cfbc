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
from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any, TypeVar
from uuid import UUID

import click

from certledger.cli import terms
from certledger.cli.output import emit_json, emit_table, note
from certledger.cli.receipts import recording
from certledger.cli.session import CHINA_STANDARD_TIME, Session
from certledger.domain.acts import late_entry, official_term
from certledger.domain.candidacy import REQUEST_END_TERMS, Candidacy, Outcome, ReissueKind, RequestEnd, outcome
from certledger.domain.departures import Departure, departures_of
from certledger.domain.errors import InputError, RefusalRecorded, RuleViolation
from certledger.domain.exams import CONDITIONS, EXAMS, exam
from certledger.domain.rule_texts import RULES
from certledger.domain.sitting import ExamSitting
from certledger.domain.stage import Stage, stage
from certledger.domain.units import EXAM_CENTER, HRSS, paper_units, provincial_unit, verification_units
from certledger.events.ledger import Ledger
from certledger.events.lifecycle import parse_candidacy_ref, parse_sitting_ref

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


def day_option(name: str, *, required: bool = False, help: str) -> Callable[[F], F]:
    """A date option (``--exam-end``, ``--starts`` …), parsed like ``--on``."""
    return click.option(name, type=DAY, required=required, metavar="YYYY-MM-DD", help=help)


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


def exception_option(rule: str, who: str) -> Callable[[F], F]:
    """``--exception REASON``: a departure from a "generally" (一般) rule, signed into the event
    with its reason and listed by ``sitting exceptions`` (domain/departures.py)."""
    return click.option(
        "--exception", "exception", metavar="REASON",
        help=f"Record the act as a departure from {rule}, which says 一般 (generally): {who} "
        "states the reason, which is signed into the event and listed in the exceptions register "
        "(sitting exceptions). Refused when the act keeps the norm.",
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


def _load_candidacy(ledger: Ledger, ref: str) -> tuple[Candidacy, ExamSitting]:
    candidacy = ledger.candidacy(resolve_candidacy(ledger, ref))
    return candidacy, ledger.sitting(candidacy.sitting_id)


def _on_day(ref: str, what: str, done: str, on: date) -> InputError:
    return InputError(f"{what} {ref} was {done} after {on.isoformat()} (--on): nothing to show on that day")


def _sitting_on(ledger: Ledger, ref: str, sid: UUID, on: date) -> ExamSitting:
    """The sitting as its acts dated on or before ``on`` make it, so no column shows a later act."""
    s = ledger.sitting_on(sid, on)
    if s is None:
        raise _on_day(ref, "sitting", "scheduled", on)
    return s


def _candidacy_on(ledger: Ledger, ref: str, on: date) -> tuple[Candidacy, ExamSitting]:
    """The candidacy and its sitting as their acts dated on or before ``on`` make them."""
    c = ledger.candidacy_on(resolve_candidacy(ledger, ref), on)
    if c is None:
        raise _on_day(ref, "candidacy", "registered", on)
    s = ledger.sitting_on(c.sitting_id, on)
    assert s is not None  # a candidacy is registered on or after its sitting's scheduling
    return c, s


# -- small parsers ------------------------------------------------------------------------------


def _pairs(texts: Iterable[str], option: str, example: str) -> list[tuple[str, str]]:
    pairs = []
    for text in texts:
        key, sep, value = text.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise InputError(f"{option} {text!r}: write KEY=VALUE, e.g. {example}")
        pairs.append((key.strip(), value.strip()))
    return pairs


def _comparison(text: str) -> dict[str, str]:
    items = [t for t in text.split(",") if t.strip()]
    comparison: dict[str, str] = {}
    for item, result in _pairs(items, "--compare", "education=passed,major=failed,work-years=passed"):
        if item in comparison:
            raise InputError(f"--compare names {item} twice")
        comparison[item] = result
    return comparison


def _evidence(texts: Iterable[str]) -> dict[str, tuple[str, ...]]:
    evidence: dict[str, list[str]] = {}
    for item, ref in _pairs(texts, "--evidence", "major=upload:abc123"):
        evidence.setdefault(item, []).append(ref)
    return {item: tuple(refs) for item, refs in evidence.items()}


def _scores(texts: Iterable[str]) -> dict[str, str]:
    scores: dict[str, str] = {}
    for subject, score in _pairs(texts, "--score", "建设工程经济=72"):
        if subject in scores:
            raise InputError(f"--score gives {subject} twice")
        scores[subject] = score
    return scores


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
            "reissue_route": e.reissue_route.value,
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


@sitting.command("schedule")
@click.argument("exam_code", metavar="EXAM")
@click.argument("year", type=int)
@day_option("--exam-end", required=True, help="The day the exam ends (custody counts from it, R-17).")
@act
@pass_session
def sitting_schedule(session: Session, exam_code: str, year: int, exam_end: date, actor: str, on: date) -> None:
    """Schedule a sitting of EXAM in YEAR (L-1: hrss or exam-center). Prints its reference.
    A provincial exam's deadlines come later, from its announcement (R-10: sitting publicity)."""
    subject = exam(exam_code)
    ledger = session.ledger()
    ledger.schedule_sitting(actor, exam_code, year, exam_end, on=on)
    _done(f"scheduled {subject.name} {year}, exam ends {exam_end.isoformat()}", actor, on)
    click.echo(f"{exam_code}:{year}")


@sitting.command("release")
@sitting_argument
@act
@pass_session
def sitting_release(session: Session, sitting_ref: str, actor: str, on: date) -> None:
    """Release the sitting's results: day D (L-1: exam-center)."""
    ledger, sid = open_sitting(session, sitting_ref)
    ledger.release_results(actor, sid, on=on)
    s = ledger.sitting(sid)
    assert s.supplementary_due is not None
    due = (f"verification results due {s.verification_due.isoformat()}" if s.verification_due
           else "verification results due as its 考后资格核查公告 will set (R-10)")
    _done(f"results of {s.label} released (D); {due}, supplementary verification and appeals close "
          f"{s.supplementary_due.isoformat()}", actor, on)


@sitting.command("publicity")
@sitting_argument
@day_option("--starts", required=True, help="First day of the publicity.")
@day_option("--ends", required=True, help="Last day (generally at least 10 days in all, R-5).")
@day_option("--verification-due", help="Provincial exams only, required there: the deadline for reporting the verification results that this announcement sets (R-10).")
@day_option("--supplementary-due", help="Provincial exams only: the close of supplementary verification and appeals, if the announcement sets it (R-10; otherwise two months after D).")
@exception_option("R-5's 10 days", "each publisher")
@act
@pass_session
def sitting_publicity(session: Session, sitting_ref: str, starts: date, ends: date, verification_due: date | None,
                      supplementary_due: date | None, exception: str | None, actor: str, on: date) -> None:
    """Publish the joint pass publicity and verification announcement (R-5): HRSS and the
    provincial unit each publish it, with the same period. For a provincial exam it sets the
    results deadline (R-10); the second publisher may omit it."""
    ledger, sid = open_sitting(session, sitting_ref)
    ledger.publish_publicity(actor, sid, starts, ends, on=on, exception=exception,
                             verification_due=verification_due, supplementary_due=supplementary_due)
    s = ledger.sitting(sid)
    missing = "" if s.publicity_is_joint else f"; awaiting {', '.join(sorted({'hrss', provincial_unit(s.exam)} - set(s.publicity_published_by)))}"
    _done(f"publicity of {s.label} {starts.isoformat()}..{ends.isoformat()} published by {actor}{missing}", actor, on)


@sitting.command("report-results")
@sitting_argument
@act
@pass_session
def sitting_report_results(session: Session, sitting_ref: str, actor: str, on: date) -> None:
    """Report the verification results to HRSS (核查结果报送, R-6: the provincial unit, within 15
    days of D; R-10: a provincial exam's own deadline). The results announcement follows it."""
    ledger, sid = open_sitting(session, sitting_ref)
    ledger.report_verification_results(actor, sid, on=on)
    _done(f"核查结果报送: verification results of {ledger.sitting(sid).label} reported to HRSS", actor, on)


@sitting.command("announce-results")
@sitting_argument
@exception_option("R-8's two months (the period this announcement opens)", "the provincial unit")
@act
@pass_session
def sitting_announce_results(session: Session, sitting_ref: str, exception: str | None, actor: str, on: date) -> None:
    """Publish the verification results announcement (R-7: the provincial unit)."""
    ledger, sid = open_sitting(session, sitting_ref)
    ledger.announce_verification_results(actor, sid, on=on, exception=exception)
    s = ledger.sitting(sid)
    assert s.mailing_due is not None
    _done(f"核查结果公告: verification results of {s.label} announced; mailing reservations until {s.mailing_due.isoformat()}", actor, on)


@sitting.command("submit-supplementary")
@sitting_argument
@act
@pass_session
def sitting_submit_supplementary(session: Session, sitting_ref: str, actor: str, on: date) -> None:
    """Submit the supplementary verification results to HRSS (R-9: the provincial unit)."""
    ledger, sid = open_sitting(session, sitting_ref)
    ledger.submit_supplementary_results(actor, sid, on=on)
    _done(f"supplementary results of {ledger.sitting(sid).label} submitted to HRSS", actor, on)


@sitting.command("announce-supplementary")
@sitting_argument
@act
@pass_session
def sitting_announce_supplementary(session: Session, sitting_ref: str, actor: str, on: date) -> None:
    """Publish the supplementary results announcement (R-9: the provincial unit)."""
    ledger, sid = open_sitting(session, sitting_ref)
    ledger.announce_supplementary_results(actor, sid, on=on)
    _done(f"supplementary results of {ledger.sitting(sid).label} announced", actor, on)


@sitting.command("transfer-custody")
@sitting_argument
@act
@json_option
@pass_session
def sitting_transfer_custody(session: Session, sitting_ref: str, actor: str, on: date, as_json: bool) -> None:
    """Register the unclaimed paper certificates in a roster (登记造册) and transfer them
    to HRSS, 5 years after the exam ended (R-17). Prints the roster."""
    ledger, sid = open_sitting(session, sitting_ref)
    roster = ledger.transfer_custody(actor, sid, on=on)
    s = ledger.sitting(sid)
    rows = [_roster_row(ledger.candidacy(c), s) for c in roster]
    _done(f"custody of {len(rows)} unclaimed certificate(s) of {s.label} transferred to HRSS", actor, on)
    if as_json:
        emit_json(rows)
    else:
        emit_table(rows, ["candidacy", "name", "city", "paper_no", "received_on"])


def _roster_row(c: Candidacy, s: ExamSitting) -> dict[str, Any]:
    return {"candidacy": ref_of_candidacy(c, s), "name": c.name, "city": c.city, "paper_no": c.paper_no,
            "received_on": c.paper_received_on}


@sitting.command("show")
@sitting_argument
@json_option
@pass_session
def sitting_show(session: Session, sitting_ref: str, as_json: bool) -> None:
    """A sitting's dates, derived deadlines, publicity and custody roster."""
    ledger, sid = open_sitting(session, sitting_ref, read_only=True)
    s = ledger.sitting(sid)
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
        "publicity": {"starts": s.publicity[0], "ends": s.publicity[1]} if s.publicity else None,
        "publicity_published_by": list(s.publicity_published_by),
        "publicity_joint": s.publicity_is_joint,
        "results_reported_on": s.results_reported_on,
        "results_announced_on": s.results_announced_on,
        "mailing_due": s.mailing_due,
        "supplementary_submitted_on": s.supplementary_submitted_on,
        "supplementary_announced_on": s.supplementary_announced_on,
        "custody_until": s.custody_until,
        "custody_transferred_on": s.custody_transferred_on,
        "custody_roster": [ref_of_candidacy(ledger.candidacy(c), s) for c in s.custody_roster],
        "exceptions": [_departure_text(d) for d in departures_of(s)],
    }
    _emit_record(record, as_json)


def _departure_text(d: Departure) -> str:
    return f"{d.on.isoformat()} {d.rule} {d.term} ({d.event}) by {d.actor}: {d.reason}"


@sitting.command("exceptions")
@sitting_argument
@json_option
@pass_session
def sitting_exceptions(session: Session, sitting_ref: str, as_json: bool) -> None:
    """The exceptions register (例外登记): every act of SITTING and its candidacies recorded as a
    departure from a rule that says 一般 (generally) — R-5, R-8, R-16 — with its signed reason."""
    ledger, sid = open_sitting(session, sitting_ref, read_only=True)
    s = ledger.sitting(sid)
    entries = [(ref_of_sitting(s), d) for d in departures_of(s)]
    for cid in ledger.candidacies_of(sid):
        c = ledger.candidacy(cid)
        entries.extend((ref_of_candidacy(c, s), d) for d in departures_of(c))
    rows = [
        {"on": d.on, "rule": d.rule, "act": d.event, "term": d.term, "where": where, "by": d.actor, "reason": d.reason}
        for where, d in sorted(entries, key=lambda e: e[1].on)
    ]
    if as_json:
        emit_json(rows)
    else:
        emit_table([{**r, "act": f"{r['term']} {r['act']}", "on": r["on"].isoformat()} for r in rows],
                   ["on", "rule", "act", "where", "by", "reason"])


# == candidate =====================================================================================


@click.group()
def candidate() -> None:
    """Candidacies: registration, results, 资格核查 (post-exam verification), sanctions.

    A candidacy is one candidate at one sitting. CANDIDACY is EXAM:YEAR:cand.NNN
    (jianzaoshi-1:2025:cand.001) or its UUID."""


@candidate.command("register")
@sitting_argument
@click.option("--name", required=True, help="The candidate's name, e.g. 张伟.")
@click.option("--masked-id", required=True, help="The masked id number, e.g. 410102********123X.")
@click.option("--city", required=True, help="The municipality (zhengzhou, luoyang, …, jiyuan).")
@click.option("--level", default="", help="The level, for exams that have levels (一级, 中级, …).")
@click.option(
    "--compare",
    "compare",
    default="",
    metavar="ITEM=RESULT,…",
    help="The online comparison (R-2) of the exam's registration conditions (education, major, work-years, "
    "…: the exam's own list, `exams list`), each passed or failed: education=passed,major=failed,work-years=passed. "
    "Empty on the evidence route or for an exam without conditions.",
)
@click.option("--evidence", multiple=True, metavar="ITEM=REF",
              help="Uploaded evidence for an item whose comparison failed, e.g. major=upload:abc123 (repeatable).")
@click.option("--commitment/--no-commitment", default=True, show_default=True,
              help="The candidate's commitment (告知承诺, R-2). Without it (不符合告知承诺制要求) the candidate "
                   "takes the evidence route: --evidence for every registration condition of the exam.")
@click.option("--candidate", "candidate_ref", required=True, metavar="cand.NNN",
              help="The candidate's reference, e.g. cand.001 (the candidate holds no key).")
@platform_act(EXAM_CENTER, "the exam center's online registration system (网上报名系统), R-2")
@pass_session
def candidate_register(session: Session, sitting_ref: str, name: str, masked_id: str, city: str, level: str,
                       compare: str, evidence: tuple[str, ...], commitment: bool, candidate_ref: str, actor: str,
                       on: date) -> None:
    """报名（告知承诺制）: register the candidate for SITTING under the commitment system (R-2),
    as the exam center's registration system records it. Prints the candidacy reference."""
    comparison = _comparison(compare)
    proofs = _evidence(evidence)
    ledger, sid = open_sitting(session, sitting_ref)
    ledger.register_candidate(actor, sid, candidate=candidate_ref, name=name, masked_id=masked_id, city=city,
                              level=level, comparison=comparison, evidence=proofs, commitment=commitment, on=on)
    s = ledger.sitting(sid)
    failed = [i for i, r in comparison.items() if r == "failed"]
    detail = f"; comparison failed for {', '.join(failed)}, evidence uploaded" if failed else ""
    _done(f"{candidate_ref} {name} registered for {s.label}{detail}", actor, on)
    click.echo(f"{ref_of_sitting(s)}:{candidate_ref}")


@candidate.command("score")
@candidacy_argument
@click.option("--passed/--failed", "passed", default=None, help="Whether the candidate passed (required).")
@click.option("--score", "scores", multiple=True, metavar="SUBJECT=SCORE",
              help="A subject's score as text, e.g. 建设工程经济=72 (repeatable).")
@act
@pass_session
def candidate_score(session: Session, candidacy_ref: str, passed: bool | None, scores: tuple[str, ...],
                    actor: str, on: date) -> None:
    """Release a candidate's result (L-1: exam-center)."""
    if passed is None:
        raise InputError("give --passed or --failed")
    subject_scores = _scores(scores)
    ledger, cid = open_candidacy(session, candidacy_ref)
    ledger.release_score(actor, cid, passed, subject_scores, on=on)
    _done(f"result of {candidacy_ref}: {'passed' if passed else 'not passed'}", actor, on)


@candidate.command("hand-over")
@candidacy_argument
@exception_option("R-8's two months (the year's post-exam verification)", "HRSS")
@act
@pass_session
def candidate_hand_over(session: Session, candidacy_ref: str, exception: str | None, actor: str, on: date) -> None:
    """Hand a passed candidate over to the provincial verification unit (R-4: hrss)."""
    ledger, cid = open_candidacy(session, candidacy_ref)
    ledger.hand_over(actor, cid, on=on, exception=exception)
    c = ledger.candidacy(cid)
    _done(f"{candidacy_ref} handed over to {provincial_unit(c.exam)} for 资格核查 (verification)", actor, on)


@candidate.command("verify")
@candidacy_argument
@click.option("--result", "result_text", required=True, metavar="RESULT",
              help="合格|不合格|报考条件待核查 (or qualified|unqualified|pending).")
@click.option("--condition", metavar="CODE",
              help=f"For 不合格: the national registration condition not met ({', '.join(CONDITIONS)}).")
@act
@pass_session
def candidate_verify(session: Session, candidacy_ref: str, result_text: str, condition: str | None,
                     actor: str, on: date) -> None:
    """Record the post-exam verification (资格核查, 2024; not 2019's pre-exam 资格审查) result (R-1,
    R-6: within 15 days of D for national exams)."""
    result = outcome(result_text)
    ledger, cid = open_candidacy(session, candidacy_ref)
    ledger.record_verification(actor, cid, result, on=on, condition=condition)
    _done(f"资格核查 verification of {candidacy_ref}: {terms.status(result)}" + (f" ({condition})" if condition else ""), actor, on)


@candidate.command("appeal")
@candidacy_argument
@click.option("--grounds", required=True, help="What the candidate answers to the 不合格 result.")
@act
@pass_session
def candidate_appeal(session: Session, candidacy_ref: str, grounds: str, actor: str, on: date) -> None:
    """申辩: record the candidate's appeal against a 不合格 result (R-7, R-8), as the verification
    unit receiving it (--as that unit: the candidate holds no key)."""
    ledger, cid = open_candidacy(session, candidacy_ref)
    ledger.lodge_appeal(actor, cid, grounds, on=on)
    _done(f"appeal of {candidacy_ref} lodged", actor, on)


@candidate.command("decide-appeal")
@candidacy_argument
@click.option("--upheld/--rejected", "upheld", default=None, help="The decision (required).")
@click.option("--reason", required=True, help="Why.")
@exception_option("R-8's two months", "the verification unit")
@act
@pass_session
def candidate_decide_appeal(session: Session, candidacy_ref: str, upheld: bool | None, reason: str,
                            exception: str | None, actor: str, on: date) -> None:
    """Decide an appeal (R-1, R-8: generally within two months of D); upheld makes the candidate 合格."""
    if upheld is None:
        raise InputError("give --upheld or --rejected")
    ledger, cid = open_candidacy(session, candidacy_ref)
    ledger.decide_appeal(actor, cid, upheld, reason, on=on, exception=exception)
    _done(f"appeal of {candidacy_ref} {'upheld' if upheld else 'rejected'}", actor, on)


@candidate.command("supplementary")
@candidacy_argument
@click.option("--result", "result_text", required=True, metavar="RESULT",
              help="合格|不合格 (or qualified|unqualified).")
@click.option("--condition", metavar="CODE", help="For 不合格: the national registration condition not met.")
@exception_option("R-8's two months", "the verification unit")
@act
@pass_session
def candidate_supplementary(session: Session, candidacy_ref: str, result_text: str, condition: str | None,
                            exception: str | None, actor: str, on: date) -> None:
    """Record the supplementary verification (补充资格核查) of a pending candidate (R-7, R-8)."""
    result = outcome(result_text)
    ledger, cid = open_candidacy(session, candidacy_ref)
    ledger.record_supplementary(actor, cid, result, on=on, condition=condition, exception=exception)
    _done(f"补充资格核查 supplementary verification of {candidacy_ref}: {terms.status(result)}" + (f" ({condition})" if condition else ""),
          actor, on)


@candidate.command("forfeit")
@candidacy_argument
@act
@pass_session
def candidate_forfeit(session: Session, candidacy_ref: str, actor: str, on: date) -> None:
    """Record that a pending candidate forfeited (视为放弃) after the window closed (R-8)."""
    ledger, cid = open_candidacy(session, candidacy_ref)
    ledger.record_forfeit(actor, cid, on=on)
    _done(f"{candidacy_ref} forfeited the exam qualification (视为放弃)", actor, on)


@candidate.command("void")
@candidacy_argument
@click.option("--condition", required=True, metavar="CODE", help="The national registration condition not met.")
@click.option("--finding", required=True, help="What was found.")
@act
@pass_session
def candidate_void(session: Session, candidacy_ref: str, condition: str, finding: str, actor: str, on: date) -> None:
    """Find the candidate ineligible (R-11): registration, scores and certificate void."""
    ledger, cid = open_candidacy(session, candidacy_ref)
    ledger.find_ineligible(actor, cid, condition, finding, on=on)
    _done(f"{candidacy_ref} found ineligible ({condition}): registration, scores and any certificate void, "
          "fees not refunded", actor, on)


@candidate.command("fraud")
@candidacy_argument
@click.option("--finding", required=True, help="What was found.")
@act
@pass_session
def candidate_fraud(session: Session, candidacy_ref: str, finding: str, actor: str, on: date) -> None:
    """Record a finding of false material or other fraud (违纪违规处理, R-12): one finding under
    MOHRSS Order No. 31 Art. 10 and Art. 12 together — certificate or pass proof void, the
    sitting's scores void, and a five-year entry in the exam integrity record (诚信档案)."""
    ledger, cid = open_candidacy(session, candidacy_ref)
    ledger.find_fraud(actor, cid, finding, on=on)
    until = ledger.candidacy(cid).integrity_record_until
    assert until is not None
    _done(f"fraud finding on {candidacy_ref} under Order No. 31 Art. 10 and 12: certificate and scores void, "
          f"integrity record (诚信档案) until {until.isoformat()}", actor, on)


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


@candidate.command("refer")
@candidacy_argument
@click.option("--authority", required=True, help="The judicial authority, e.g. 郑州市公安局.")
@act
@pass_session
def candidate_refer(session: Session, candidacy_ref: str, authority: str, actor: str, on: date) -> None:
    """Refer a fraud case to the judicial authorities (R-12)."""
    ledger, cid = open_candidacy(session, candidacy_ref)
    ledger.refer_to_judiciary(actor, cid, authority, on=on)
    _done(f"{candidacy_ref} referred to {authority}", actor, on)


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


def _stage_text(st: Stage) -> str:
    return f"{st.term} {terms.stage_next(st.final, st.next)}"


def _stage_record(c: Candidacy, s: ExamSitting, on: date) -> dict[str, Any]:
    st = stage(c, s, on)
    return {"name": st.name, "term": st.term, "final": st.final, "next": list(st.next)}


def paper_state(c: Candidacy, s: ExamSitting) -> str:
    if c.exam.e_certificate:
        return "none (e-certificate)"
    if c.handed_out_on is not None:
        by_hrss = " by HRSS after the custody transfer" if c.id in s.custody_roster else ""
        return f"handed out {c.handed_out_on}{by_hrss}"
    if c.id in s.custody_roster:
        return f"transferred to HRSS {s.custody_transferred_on}"
    if c.delivered_on is not None:
        return f"delivered {c.delivered_on}"
    if c.paper_received_on is None:
        return "reserved for mailing, not received" if c.mailing_reserved_on else "not received"
    if c.mailing_reserved_on is not None:
        return "at the unit, reserved for mailing"
    return "at the unit, unclaimed"


def _certificate_text(c: Candidacy) -> str | None:
    if c.certificate_kind is None:
        return None
    return f"{c.certificate_kind} {c.certificate_no}" + (" (void)" if c.is_void else "")


@candidate.command("show")
@candidacy_argument
@state_on_option
@json_option
@pass_session
def candidate_show(session: Session, candidacy_ref: str, on: date, as_json: bool) -> None:
    """Everything the ledger holds on one candidacy as of --on: acts dated later are left out."""
    ledger = session.ledger(read_only=True)
    c, s = _candidacy_on(ledger, candidacy_ref, on)
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
            "handed_out_on": c.handed_out_on,
            "state": paper_state(c, s),
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
    if not as_json:  # people read the official term beside the English; --json keeps its values
        for part, key in ((record, "status"), (record, "outcome"), (record["verification"], "result"),
                          (record["supplementary"], "result")):
            part[key] = terms.status(part[key]) if part[key] is not None else None
        record["appeal"]["decision"] = terms.APPEAL[c.appeal_upheld]
    _emit_record(record, as_json)


def _appeal_state(c: Candidacy) -> str | None:
    """申辩 in one word for `candidate list --json`: lodged, upheld, rejected, or none (null)."""
    if c.appeal_lodged_on is None:
        return None
    return {True: "upheld", False: "rejected", None: "lodged"}[c.appeal_upheld]


_APPEAL_SHOWN = {None: None, "lodged": "申辩中 lodged", "upheld": terms.APPEAL[True], "rejected": terms.APPEAL[False]}


@candidate.command("list")
@sitting_argument
@state_on_option
@json_option
@pass_session
def candidate_list(session: Session, sitting_ref: str, on: date, as_json: bool) -> None:
    """One row per candidacy of SITTING, in registration order, as of --on: every column leaves
    out acts dated later, and candidacies registered later are not listed."""
    ledger, sid = open_sitting(session, sitting_ref, read_only=True)
    s = _sitting_on(ledger, sitting_ref, sid, on)
    rows = []
    for cid in ledger.candidacies_of(sid):
        c = ledger.candidacy_on(cid, on)
        if c is None:
            continue  # registered after --on
        rows.append({
            "candidacy": ref_of_candidacy(c, s),
            "candidate": c.candidate,
            "name": c.name,
            "city": c.city,
            "passed": c.passed,
            "status": status_text(c, s, on),
            "appeal": _appeal_state(c),
            "stage": _stage_text(stage(c, s, on)),
            "certificate": _certificate_text(c),
            "paper": paper_state(c, s),
        })
    if as_json:
        emit_json(rows)
    else:
        table = [{**r, "city": terms.city(r["city"]), "passed": terms.yes_no(r["passed"]), "status": terms.status(r["status"]), "paper": terms.paper(r["paper"]),
                  "appeal": _APPEAL_SHOWN[r["appeal"]], "certificate": terms.certificate(r["certificate"]),
                  "stage": terms.next_acts(r["stage"])} for r in rows]
        emit_table(table, ["candidate", "name", "city", "passed", "status", "appeal", "stage", "certificate", "paper"])


# == cert ============================================================================================


@click.group()
def cert() -> None:
    """Certificates: e-certificates, pass proofs, paper, reissues.

    CANDIDACY is EXAM:YEAR:cand.NNN or its UUID."""


@cert.command("e-certificate")
@candidacy_argument
@click.option("--number", required=True, help="The certificate number.")
@act
@pass_session
def cert_e_certificate(session: Session, candidacy_ref: str, number: str, actor: str, on: date) -> None:
    """Issue the e-certificate of a provincial exam under the HRSS e-seal (R-13)."""
    ledger, cid = open_candidacy(session, candidacy_ref)
    ledger.issue_e_certificate(actor, cid, number, on=on)
    _done(f"e-certificate {number} issued to {candidacy_ref}", actor, on)


@cert.command("pass-proof")
@candidacy_argument
@click.option("--number", required=True, help="The pass proof number.")
@act
@pass_session
def cert_pass_proof(session: Session, candidacy_ref: str, number: str, actor: str, on: date) -> None:
    """Issue the national exam pass proof (Henan) under the HRSS e-seal (R-14)."""
    ledger, cid = open_candidacy(session, candidacy_ref)
    ledger.issue_pass_proof(actor, cid, number, on=on)
    _done(f"pass proof {number} issued to {candidacy_ref}", actor, on)


@cert.command("paper-received")
@candidacy_argument
@click.option("--number", required=True, help="The national paper certificate's number.")
@act
@pass_session
def cert_paper_received(session: Session, candidacy_ref: str, number: str, actor: str, on: date) -> None:
    """Record that the national paper certificate reached the provincial unit (R-15)."""
    ledger, cid = open_candidacy(session, candidacy_ref)
    ledger.receive_paper_certificate(actor, cid, number, on=on)
    _done(f"paper certificate {number} of {candidacy_ref} received", actor, on)


@cert.command("reserve-mailing")
@candidacy_argument
@click.option("--address-ref", required=True, help="Reference of the address on the reservation platform.")
@exception_option("R-16's 30 days", "HRSS, which runs the reservation platform,")
@platform_act(HRSS, "HRSS's certificate reservation platform (预约邮寄平台), R-16")
@pass_session
def cert_reserve_mailing(session: Session, candidacy_ref: str, address_ref: str, exception: str | None,
                         actor: str, on: date) -> None:
    """预约邮寄: the candidate's reservation of mailing, postage paid on delivery, as HRSS's
    reservation platform records it (R-16: generally within 30 days of the announcement of
    the candidate's 合格; later only as a signed exception)."""
    ledger, cid = open_candidacy(session, candidacy_ref)
    ledger.reserve_mailing(actor, cid, address_ref, on=on, exception=exception)
    _done(f"mailing of {candidacy_ref}'s certificate reserved (postage paid on delivery, 到付)", actor, on)


@cert.command("delivered")
@candidacy_argument
@act
@pass_session
def cert_delivered(session: Session, candidacy_ref: str, actor: str, on: date) -> None:
    """Record delivery of a reserved certificate by post (R-16: postal.henan)."""
    ledger, cid = open_candidacy(session, candidacy_ref)
    ledger.deliver_by_post(actor, cid, on=on)
    _done(f"certificate of {candidacy_ref} delivered by post", actor, on)


@cert.command("hand-out")
@candidacy_argument
@act
@pass_session
def cert_hand_out(session: Session, candidacy_ref: str, actor: str, on: date) -> None:
    """Hand the paper certificate out on site (R-15: the table's unit)."""
    ledger, cid = open_candidacy(session, candidacy_ref)
    ledger.hand_out(actor, cid, on=on)
    _done(f"paper certificate of {candidacy_ref} handed out", actor, on)


@cert.command("reissue")
@candidacy_argument
@click.option("--kind", required=True, type=click.Choice([k.value for k in ReissueKind]),
              help="paper-reissue (纸质证书补办) or information-change (信息修改).")
@click.option("--reason", required=True, help="Why.")
@act
@pass_session
def cert_reissue(session: Session, candidacy_ref: str, kind: str, reason: str, actor: str, on: date) -> None:
    """Receive a reissue or information-change request and route it (R-19). A paper
    reissue after an e-certificate is refused, and the refusal recorded (R-18): exit 3."""
    ledger, cid = open_candidacy(session, candidacy_ref)
    accepted = ledger.request_reissue(actor, cid, ReissueKind(kind), reason, on=on)
    if not accepted:
        raise RefusalRecorded(
            f"R-18: {candidacy_ref} has an e-certificate, so no paper reissue is accepted; "
            f"the refusal itself IS recorded in the ledger [{on.isoformat()}, signed by {actor}]"
        )
    c = ledger.candidacy(cid)
    route = list(c.reissue_route)
    _done(f"{kind} request for {candidacy_ref} received; route {' -> '.join(route)}", actor, on)


@cert.command("forward")
@candidacy_argument
@act
@pass_session
def cert_forward(session: Session, candidacy_ref: str, actor: str, on: date) -> None:
    """Forward a reissue request one hop up its R-19 route. Prints the party it is now with."""
    ledger, cid = open_candidacy(session, candidacy_ref)
    target = ledger.forward_reissue(actor, cid, on=on)
    _done(f"request of {candidacy_ref} forwarded to {target}", actor, on)
    click.echo(target)


@cert.command("end-request")
@candidacy_argument
@click.option("--outcome", required=True, type=click.Choice([e.value for e in RequestEnd]),
              help="completed (办结: the end of the R-19 route), refused (不予办理: the party holding it) "
                   "or withdrawn (撤回: the candidate's withdrawal, recorded by the party holding it).")
@click.option("--reason", required=True, help="Why.")
@act
@pass_session
def cert_end_request(session: Session, candidacy_ref: str, outcome: str, reason: str, actor: str, on: date) -> None:
    """End a reissue or information-change request (R-19): every request ends."""
    ledger, cid = open_candidacy(session, candidacy_ref)
    ledger.end_reissue(actor, cid, RequestEnd(outcome), reason, on=on)
    _done(f"request of {candidacy_ref} {outcome} ({REQUEST_END_TERMS[RequestEnd(outcome)]})", actor, on)


COMMANDS = (exams, sitting, candidate, cert)


# -- official terms ---------------------------------------------------------------------------------
# Each act's command shows the notices' own name for it (declared once, with @act, beside the
# domain command) before its English help: `certledger candidate --help` lists them side by side.
_ACT_OF_COMMAND = {
    ("sitting", "schedule"): "schedule", ("sitting", "release"): "release_results",
    ("sitting", "publicity"): "publish_publicity", ("sitting", "report-results"): "report_verification_results",
    ("sitting", "announce-results"): "announce_verification_results",
    ("sitting", "submit-supplementary"): "submit_supplementary_results",
    ("sitting", "announce-supplementary"): "announce_supplementary_results",
    ("sitting", "transfer-custody"): "transfer_custody",
    ("candidate", "register"): "register", ("candidate", "score"): "release_score",
    ("candidate", "hand-over"): "hand_over", ("candidate", "verify"): "record_verification",
    ("candidate", "appeal"): "lodge_appeal", ("candidate", "decide-appeal"): "decide_appeal",
    ("candidate", "supplementary"): "record_supplementary", ("candidate", "forfeit"): "record_forfeit",
    ("candidate", "void"): "find_ineligible", ("candidate", "fraud"): "find_fraud",
    ("candidate", "refer"): "refer_to_judiciary",
    ("cert", "e-certificate"): "issue_e_certificate", ("cert", "pass-proof"): "issue_pass_proof",
    ("cert", "paper-received"): "receive_paper_certificate", ("cert", "reserve-mailing"): "reserve_mailing",
    ("cert", "delivered"): "deliver_by_post", ("cert", "hand-out"): "hand_out",
    ("cert", "reissue"): "request_reissue", ("cert", "forward"): "forward_reissue", ("cert", "end-request"): "end_reissue",
}


def _show_official_terms() -> None:
    for group in COMMANDS:
        for name, command in group.commands.items():
            act_name = _ACT_OF_COMMAND.get((group.name or "", name))
            if act_name is None:
                continue
            owner = ExamSitting if group.name == "sitting" else Candidacy
            term = official_term(getattr(owner, act_name))
            if term and command.help and not command.help.startswith(term):
                command.help = f"{term}: {command.help}"
            if term:
                terms.ACT_SHOWN[act_name] = f"{term} {group.name} {name}"
            if term and command.callback is not None:
                command.callback = _naming_the_act(command.callback, term, f"{group.name} {name}")


def _naming_the_act(callback: Callable[..., Any], term: str, english: str) -> Callable[..., Any]:
    """A refusal names the act in both languages, and where to read its rule without the
    repository: ``R-8: … [申辩 candidate appeal · certledger rules R-8]``."""

    @functools.wraps(callback)
    def named(*args: Any, **kwargs: Any) -> Any:
        try:
            return callback(*args, **kwargs)
        except RuleViolation as refusal:
            hint = f" · certledger rules {refusal.rule}" if refusal.rule in RULES else ""
            refusal.args = (f"{refusal} [{term} {english}{hint}]",)
            raise

    return named


_show_official_terms()
