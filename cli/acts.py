"""The act commands (``sitting publicity``, ``candidate appeal``, ``cert reissue`` …), made
from each act's declaration (:class:`domain.acts.Interface`, beside its domain command): its
command, the notices' own term, what it does, who performs it, its inputs and the service
that records it. Nothing here is written per act but what an act prints beyond its receipt
(:data:`_SHOWN`): a new reference, a route, a roster.

Every act takes ``--as PARTY`` (a candidate's act: the platform of record by default),
``--on DATE``, ``--late REASON`` and ``--json``; the domain checks the rules and refuses
before anything is recorded.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any
from uuid import UUID

import click

from certledger.cli import lifecycle, terms
from certledger.cli.lifecycle import (
    DAY, Session, _done, act, emit_json, emit_table, open_candidacy, open_sitting, pass_session, platform_act,
    ref_of_candidacy, ref_of_sitting,
)
from certledger.domain.acts import Declaration, Input, official_term, performed_acts, rules_of
from certledger.domain.candidacy import REQUEST_END_TERMS, RequestEnd, outcome
from certledger.domain.errors import InputError, RefusalRecorded, RuleViolation
from certledger.domain.exams import exam
from certledger.domain.rule_texts import RULES
from certledger.domain.sitting import ExamSitting
from certledger.domain.units import provincial_unit
from certledger.events.ledger import Ledger


def add_act_commands(groups: dict[str, click.Group]) -> None:
    """Each declared act as a command of its group, in the lifecycle's order."""
    for declaration in performed_acts():
        assert declaration.interface is not None
        group, name = declaration.interface.command.split(" ", 1)
        groups[group].add_command(_command(declaration), name)
        terms.ACT_SHOWN[declaration.command.__name__] = f"{official_term(declaration.command)} {group} {name}"


def _subject(declaration: Declaration) -> str | None:
    """What the act is done to: the candidacy or sitting named on the command line; a
    registration names its sitting, and scheduling names none (it creates the sitting)."""
    owner = declaration.command.__qualname__.split(".")[0]
    creates = declaration.event in ("Registered", "Scheduled")
    if owner == "Candidacy":
        return "sitting" if creates else "candidacy"
    return None if creates else "sitting"


def _command(declaration: Declaration) -> click.Command:
    interface = declaration.interface
    assert interface is not None
    term = official_term(declaration.command)
    subject = _subject(declaration)
    notice_kind = _notice_kind(declaration.event)
    rules = ", ".join(rules_of(declaration.command))

    def callback(session: Session, actor: str, on: date, as_json: bool, subject_ref: str | None = None,
                 **given: Any) -> None:
        args = {i.name: _parsed(i, given[i.name]) for i in interface.inputs}
        signed: dict[str, Any] = {}
        if notice_kind is not None:  # a publishing act signs the notice it publishes
            args["notice_for"] = _signing(session, notice_kind, signed)
        if subject == "candidacy":
            ledger, sid = open_candidacy(session, str(subject_ref))
        elif subject == "sitting":
            ledger, sid = open_sitting(session, str(subject_ref))
        else:
            ledger, sid = session.ledger(), None
        service = getattr(ledger, interface.service)
        result = service(actor, on=on, **args) if sid is None else service(actor, sid, on=on, **args)
        shown = _SHOWN.get(interface.service)
        detail = shown(Shown(ledger, sid, subject_ref or "", result, args, actor, on, as_json)) if shown else ""
        if "notice" in signed:
            detail += (f"; the notice is signed into the act, sha256:{signed['notice']['digest']} "
                       f"(certledger notices render {notice_kind} --sitting {subject_ref} --published)")
        _done(f"{term} ({interface.command}) {subject_ref or ''}{detail}".replace("  ", " "), actor, on)

    callback.__name__ = declaration.command.__name__
    params: list[click.Parameter] = []
    if subject is not None:
        params.append(click.Argument(["subject_ref"], metavar=subject.upper()))
    params.extend(_parameter(i) for i in interface.inputs)
    params.append(click.Option(["--json", "as_json"], is_flag=True,
                               help="Print the receipts (and any result) as one JSON object."))
    function: Callable[..., Any] = _naming_the_act(callback, term, interface.command)
    for param in reversed(params):
        function = _attach(function, param)
    if interface.platform:
        function = platform_act(interface.platform, interface.by)(function)
    else:
        function = act(function)
    function = pass_session(function)
    help_text = f"{term}: {interface.english}\n\nPerformed by {interface.by}. Rules: {rules} (certledger rules R-n)."
    return click.command(interface.command.split(" ", 1)[1], help=help_text)(function)


def _notice_kind(event: str) -> str | None:
    from certledger.domain.notice import KIND_OF_EVENT

    return KIND_OF_EVENT.get(event)


def _signing(session: Session, kind: str, signed: dict[str, Any]) -> Callable[..., dict[str, Any]]:
    """The notice a publishing act signs (projections.notices.notice_for), kept to report it."""
    from certledger.projections.notices import notice_for

    def make(sitting: Any, events: list[Any]) -> dict[str, Any]:
        signed["notice"] = notice_for(session.ledger(), kind)(sitting, events)
        return signed["notice"]

    return make


def _attach(function: Callable[..., Any], param: click.Parameter) -> Callable[..., Any]:
    function.__click_params__ = [*getattr(function, "__click_params__", []), param]  # type: ignore[attr-defined]
    return function


def _parameter(i: Input) -> click.Parameter:
    flag = i.flag or "--" + i.name.replace("_", "-")
    metavar = i.metavar or None
    if i.kind == "argument":
        return click.Argument([i.name], metavar=metavar)
    if i.kind == "year":
        return click.Argument([i.name], type=int)
    if i.kind in ("day", "optional-day"):
        return click.Option([flag, i.name], type=DAY, required=i.kind == "day", metavar="YYYY-MM-DD", help=i.help)
    if i.kind == "yes-no":
        return click.Option([flag, i.name], default=i.default, show_default=i.default is not None, help=i.help)
    if i.kind == "choice":
        return click.Option([flag, i.name], required=True, type=click.Choice([c.value for c in i.choices]), help=i.help)
    if i.kind in ("pairs", "evidence"):
        return click.Option([flag, i.name], multiple=True, metavar=metavar, help=i.help)
    if i.kind == "comparison":
        return click.Option([flag, i.name], default="", metavar=metavar, help=i.help)
    if i.kind in ("optional-text", "exception"):
        return click.Option([flag, i.name], metavar=metavar, help=i.help)
    if i.kind in ("text", "result"):
        required = i.default is None
        return click.Option([flag, *i.aliases, i.name], required=required, default=i.default, metavar=metavar, help=i.help)
    raise AssertionError(f"input {i.name} of unknown kind {i.kind!r}")  # pragma: no cover - a declaration's bug


def _parsed(i: Input, value: Any) -> Any:
    """The command line's text as the service takes it."""
    flag = i.flag.split("/")[0] if i.flag else "--" + i.name.replace("_", "-")
    if i.kind == "yes-no" and value is None:
        raise InputError(f"give {' or '.join(i.flag.split('/'))}")
    if i.kind == "result":
        return outcome(value)
    if i.kind == "choice":
        return i.choices(value)
    if i.kind == "pairs":
        found: dict[str, str] = {}
        for key, v in _pairs(value, flag, "建设工程经济=72"):
            if key in found:
                raise InputError(f"{flag} gives {key} twice")
            found[key] = v
        return found
    if i.kind == "evidence":
        evidence: dict[str, list[str]] = {}
        for item, ref in _pairs(value, flag, "major=upload:abc123"):
            evidence.setdefault(item, []).append(ref)
        return {item: tuple(refs) for item, refs in evidence.items()}
    if i.kind == "comparison":
        comparison: dict[str, str] = {}
        for item, result in _pairs([t for t in value.split(",") if t.strip()], flag,
                                   "education=passed,major=failed,work-years=passed"):
            if item in comparison:
                raise InputError(f"{flag} names {item} twice")
            comparison[item] = result
        return comparison
    return value


def _pairs(texts: Iterable[str], option: str, example: str) -> list[tuple[str, str]]:
    pairs = []
    for text in texts:
        key, sep, value = text.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise InputError(f"{option} {text!r}: write KEY=VALUE, e.g. {example}")
        pairs.append((key.strip(), value.strip()))
    return pairs


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


# -- what some acts print beyond their receipt ----------------------------------------------------


class Shown:
    """What a recorded act hands to its printer: the ledger, the subject, the service's result."""

    def __init__(self, ledger: Ledger, subject: UUID | None, ref: str, result: Any, args: dict[str, Any],
                 actor: str, on: date, as_json: bool) -> None:
        self.ledger, self.subject, self.ref, self.result, self.args = ledger, subject, ref, result, args
        self.actor, self.on, self.as_json = actor, on, as_json

    def sitting(self) -> ExamSitting:
        return self.ledger.sitting(self.subject if self.subject else self.result)


def _scheduled(s: Shown) -> str:
    click.echo(f"{s.args['exam_code']}:{s.args['year']}")
    return f"{exam(s.args['exam_code']).name} {s.args['year']}, exam ends {s.args['exam_end'].isoformat()}"


def _registered(s: Shown) -> str:
    c, sitting = s.ledger.candidacy(s.result), s.sitting()
    click.echo(f"{ref_of_sitting(sitting)}:{c.candidate}")
    failed = [i for i, r in c.comparison.items() if r == "failed"]
    return f": {c.candidate} {c.name}" + (f"; comparison failed for {', '.join(failed)}, evidence uploaded" if failed else "")


def _released(s: Shown) -> str:
    sitting = s.sitting()
    assert sitting.supplementary_due is not None
    due = (f"verification results due {sitting.verification_due.isoformat()}" if sitting.verification_due
           else "verification results due as its 考后资格核查公告 will set (R-10)")
    return f": results released (D); {due}, supplementary verification and appeals close {sitting.supplementary_due.isoformat()}"


def _publicity(s: Shown) -> str:
    sitting = s.sitting()
    period = f" {s.args['starts'].isoformat()}..{s.args['ends'].isoformat()}"
    if sitting.publicity_is_joint:
        return period
    return period + f"; awaiting {', '.join(sorted({'hrss', provincial_unit(sitting.exam)} - set(sitting.publicity_published_by)))}"


def _announced(s: Shown) -> str:
    sitting = s.sitting()
    assert sitting.mailing_due is not None and sitting.appeal_due is not None
    return (f"; appeals (申辩) until {sitting.appeal_due.isoformat()}; "
            f"mailing reservations until {sitting.mailing_due.isoformat()}")


def _roster(s: Shown) -> str:
    sitting = s.sitting()
    rows = []
    for cid in s.result:
        c = s.ledger.candidacy(cid)
        rows.append({"candidacy": ref_of_candidacy(c, sitting), "name": c.name, "city": c.city,
                     "paper_no": c.paper_no, "received_on": c.paper_received_on})
    if s.as_json:
        emit_json(rows)
    else:
        emit_table(rows, ["candidacy", "name", "city", "paper_no", "received_on"])
    return f": {len(rows)} unclaimed certificate(s) transferred to HRSS"


def _verified(s: Shown) -> str:
    condition = s.args.get("condition")
    return f": {terms.status(s.args['result'])}" + (f" ({condition})" if condition else "")


def _fraud(s: Shown) -> str:
    until = s.ledger.candidacy(s.subject).integrity_record_until  # type: ignore[arg-type]
    assert until is not None
    return f": certificate and scores void, integrity record (诚信档案) until {until.isoformat()}"


def _reissue(s: Shown) -> str:
    if not s.result:
        raise RefusalRecorded(
            f"R-18: {s.ref} has an e-certificate, so no paper reissue is accepted; "
            f"the refusal itself IS recorded in the ledger [{s.on.isoformat()}, signed by {s.actor}]"
        )
    return f": route {' -> '.join(s.ledger.candidacy(s.subject).reissue_route)}"  # type: ignore[arg-type]


def _forwarded(s: Shown) -> str:
    click.echo(s.result)
    return f": now with {s.result}"


def _ended(s: Shown) -> str:
    end = RequestEnd(s.args["outcome"])
    return f": {end.value} ({REQUEST_END_TERMS[end]})"


_SHOWN: dict[str, Callable[[Shown], str]] = {
    "schedule_sitting": _scheduled, "register_candidate": _registered, "release_results": _released,
    "publish_publicity": _publicity, "announce_verification_results": _announced, "transfer_custody": _roster,
    "record_verification": _verified, "record_supplementary": _verified, "find_fraud": _fraud,
    "request_reissue": _reissue, "forward_reissue": _forwarded, "end_reissue": _ended,
}


# The groups, with their act commands: what `certledger sitting|candidate|cert` load.
sitting, candidate, cert = lifecycle.sitting, lifecycle.candidate, lifecycle.cert
add_act_commands({"sitting": sitting, "candidate": candidate, "cert": cert})
