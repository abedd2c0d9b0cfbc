"""What every act of the notices shares: its write time, its business date, and its
declaration — which command records which event, so ``verify`` can re-run the command.

**Admission rules are defined once.** A command (``Candidacy.record_verification``, …)
checks the rules and then records its event. ``verify`` does not re-implement those
checks: for each stored event it calls the same command, on the state as it stood just
before, with the arguments the event carries, at the moment the event was written
(:class:`domain.clock.FixedClock`), and requires that the command records exactly the
stored event. :func:`act` declares that link, beside the command.

**Business dates (rule L-2).** Each act is dated (``on``) no later than the day it is
written (China Standard Time) and no earlier than the latest act already recorded on the
same sitting or candidacy. An act recorded after the fact is possible only as an explicit
late entry (补录): :meth:`DatedAggregate.record_late_entry` signs the reason first, and
allows the very next act by the same party to carry that earlier date.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from eventsourcing.domain import Aggregate, event
from eventsourcing.utils import get_topic

from certledger.domain import clock
from certledger.domain.errors import InputError, RuleViolation


class LedgerAggregate(Aggregate):
    """An aggregate whose events take their write time from the ledger's clock."""

    class Event(Aggregate.Event):
        @staticmethod
        def create_timestamp() -> datetime:
            return clock.now()

    class Created(Event, Aggregate.Created):
        pass


# -- declarations ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Input:
    """One of an act's own inputs, as a person gives it. ``name`` is the keyword of the
    service that records the act; ``kind`` says how it is written (the CLI reads each kind
    one way, ``cli.acts``): text, optional-text, day, optional-day, argument, year, yes-no
    (``flag`` "--passed/--failed"), result (合格/不合格/…), choice (``choices``: an Enum),
    pairs (repeated KEY=VALUE), evidence (repeated ITEM=REF), comparison (ITEM=RESULT,…),
    exception (a departure from a 一般 rule, ``help`` naming the rule and who states it)."""

    name: str
    help: str
    kind: str = "text"
    flag: str = ""  # the option as typed, if not --<name with dashes>
    choices: Any = None
    default: Any = None
    metavar: str = ""
    aliases: tuple[str, ...] = ()  # other spellings of the option that still work (an older name)


@dataclass(frozen=True)
class Interface:
    """How people perform an act: its command (``"candidate appeal"``), what it does in
    English (the notices' own term comes from the declaration), who performs it, the
    application service that records it, and its inputs."""

    command: str
    english: str
    by: str
    service: str
    inputs: tuple[Input, ...] = ()
    platform: str = ""  # the platform of record that signs a candidate's act, if any (--as default)


@dataclass(frozen=True)
class Declaration:
    """One act: the command that records ``event`` and how to call it from that event."""

    event: str  # the event class's name on its aggregate, e.g. "VerificationRecorded"
    command: Callable[..., Any]
    rules: tuple[str, ...]
    term: str  # the notices' own name for the act
    args: dict[str, Callable[[Any], Any]] = field(default_factory=dict)
    when: Callable[[Any], bool] | None = None  # several commands may record one event class
    # Other aggregates the act's rules consult, by parameter: the id to load for an event.
    needs: dict[str, Callable[[Any], Any]] = field(default_factory=dict)
    interface: Interface | None = None

    @property
    def parameters(self) -> tuple[str, ...]:
        return _parameters(self.command)

    def arguments(self, recorded: Any, context: dict[str, Any]) -> dict[str, Any]:
        """The command's keyword arguments, taken from the recorded event (and ``context``
        for the other aggregates a rule consults, e.g. the sitting)."""
        fields = vars(recorded)
        kwargs: dict[str, Any] = {}
        for name in self.parameters:
            if name in self.args:
                kwargs[name] = self.args[name](recorded)
            elif name in context:
                kwargs[name] = context[name]
            elif name == "at":
                kwargs[name] = recorded.timestamp
            elif name in fields:
                kwargs[name] = fields[name]
        return kwargs


@functools.lru_cache(maxsize=None)
def _parameters(command: Callable[..., Any]) -> tuple[str, ...]:
    return tuple(p for p in inspect.signature(command).parameters if p not in ("self", "cls"))


_PENDING: list[Declaration] = []


def act(
    event_name: str,
    *,
    rules: tuple[str, ...] = (),
    term: str = "",
    args: dict[str, Callable[[Any], Any]] | None = None,
    when: Callable[[Any], bool] | None = None,
    needs: dict[str, Callable[[Any], Any]] | None = None,
    interface: Interface | None = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare the decorated command as the act that records ``event_name`` (and, once per
    command, how people perform it: ``interface``)."""

    def declare(command: Callable[..., Any]) -> Callable[..., Any]:
        target = command.__func__ if isinstance(command, classmethod) else command
        declaration = Declaration(event_name, target, rules, term, dict(args or {}), when, dict(needs or {}), interface)
        _PENDING.append(declaration)
        if interface is not None:
            _PERFORMED.append(declaration)
        return command

    return declare


def departure(rule: str, who: str) -> Input:
    """The ``exception`` input of an act under a 一般 (generally) rule (domain.departures)."""
    return Input("exception", f"Record the act as a departure from {rule}, which says 一般 (generally): {who} "
                 "states the reason, which is signed into the event and listed in the exceptions register "
                 "(sitting exceptions). Refused when the act keeps the norm.", kind="exception", metavar="REASON")


_PERFORMED: list[Declaration] = []  # the acts people perform, in the order they are declared


def performed_acts() -> list[Declaration]:
    """Every act with an :class:`Interface`, in declaration order (the lifecycle's order)."""
    return list(_PERFORMED)


def rules_of(command: Callable[..., Any]) -> tuple[str, ...]:
    """The rule ids of every declaration of ``command`` (one command may record two events)."""
    target = getattr(command, "__func__", command)
    if _PENDING:
        _bind_pending()
    found = [r for decls in _DECLARED.values() for d in decls if d.command is target for r in d.rules]
    return tuple(dict.fromkeys(found))


_DECLARED: dict[type, list[Declaration]] = {}


def declarations(event_class: type) -> list[Declaration]:
    """The acts that may record an event of ``event_class`` (usually one)."""
    if _PENDING:
        _bind_pending()
    for cls in event_class.__mro__:  # an aggregate subclass re-derives its base's events
        if cls in _DECLARED:
            return _DECLARED[cls]
    return []


def declaring_modules() -> list[str]:
    """The modules that declared acts in this process: importing them declares the same acts
    elsewhere (a worker replaying events must know exactly the acts its caller knows)."""
    commands = [d.command for d in _PENDING] + [d.command for found in _DECLARED.values() for d in found]
    return sorted({c.__module__ for c in commands if c.__module__ != "__main__"})


def official_term(command: Callable[..., Any]) -> str:
    """The notices' own name of the act a command is declared as (``@act(term=…)``); the
    declarations of one command joined with " / " where it records more than one event."""
    target = getattr(command, "__func__", command)
    if _PENDING:
        _bind_pending()
    terms = [d.term for found in _DECLARED.values() for d in found if d.command is target and d.term]
    return " / ".join(dict.fromkeys(terms))


def term_of(event: Any) -> tuple[str, tuple[str, ...]]:
    """The notices' term and the rule ids of the act that recorded ``event`` (a domain event),
    or ("", ()) for an event no act declares (the aggregate's creation, a trust event)."""
    for declaration in declarations(type(event)):
        if declaration.when is None or declaration.when(event):
            return declaration.term, declaration.rules
    return "", ()


def event_class(topic: str) -> type | None:
    """The event class a stored topic names — only if it is one of a declared act's events
    (or a subclass an aggregate derived from one). Nothing else is ever imported or built
    from a stored topic: a forged row cannot make a reader load a module of its choosing."""
    return _known("events").get(topic)


def aggregate_class(topic: str) -> type | None:
    """Likewise for the aggregate class a creation event names (``originator_topic``)."""
    return _known("aggregates").get(topic)


_KNOWN: dict[str, dict[str, type]] = {}


def _known(kind: str) -> dict[str, type]:
    if _PENDING or not _KNOWN:
        _bind_pending()
        events: dict[str, type] = {}
        aggregates: dict[str, type] = {}
        for declared in _DECLARED:
            for cls in _with_subclasses(declared):
                events[get_topic(cls)] = cls
                owner = _owner_of(cls)
                if owner is not None:
                    for aggregate in _with_subclasses(owner):
                        aggregates[get_topic(aggregate)] = aggregate
        _KNOWN.update(events=events, aggregates=aggregates)
    return _KNOWN[kind]


def _with_subclasses(cls: type) -> list[type]:
    found, todo = [], [cls]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(current.__subclasses__())
    return found


def _owner_of(event_cls: type) -> type | None:
    owner_name = event_cls.__qualname__.rsplit(".", 1)[0]
    try:
        return _owner(event_cls, owner_name)
    except AttributeError:
        return None


def _bind_pending() -> None:
    while _PENDING:
        declaration = _PENDING.pop()
        owner_name = declaration.command.__qualname__.rsplit(".", 1)[0]
        owner = _owner(declaration.command, owner_name)
        event_class = getattr(owner, declaration.event)
        _DECLARED.setdefault(event_class, []).append(declaration)


def _owner(command: Any, owner_name: str) -> type:
    module = inspect.getmodule(command)
    owner: Any = module
    for part in owner_name.split("."):
        owner = getattr(owner, part)
    return owner


# -- business dates -------------------------------------------------------------------------

_late_reason: ContextVar[str | None] = ContextVar("certledger_late_reason", default=None)


@contextmanager
def late_entry(reason: str | None) -> Iterator[None]:
    """Record the acts inside this block as late entries (补录) with ``reason``."""
    token = _late_reason.set(reason)
    try:
        yield
    finally:
        _late_reason.reset(token)


def _advance_to(on: date) -> None:
    """An act is dated ``on``: a date outside the days a ledger holds is refused (L-2) before
    a simulated clock moves to it (the clock never jumps to the year 9999)."""
    problem = clock.out_of_range(on)
    if problem:
        raise RuleViolation("L-2", f"an act dated {problem}")
    clock.current().at_least(on)


def _check_written_after(on: date, written: datetime) -> None:
    day = clock.day_written(written)
    if on > day:
        raise RuleViolation(
            "L-2", f"an act dated {on.isoformat()} cannot be recorded before that day (it is {day.isoformat()}, China Standard Time)"
        )


class DatedAggregate(LedgerAggregate):
    """A sitting or candidacy: every event carries its business date ``on`` (rule L-2)."""

    # Not annotated: the library turns annotations into dataclass fields, and a base's
    # defaulted fields would come before its subclasses' required ones.
    latest_on = None  # date | None: the latest business date recorded here
    late_entry = None  # (party, date) | None: what the next act may carry, after a 补录
    # The exceptions register (domain/departures.py): (event name, actor, on, reason) of each
    # act recorded as a departure from a "generally" (一般) rule, in order.
    departures = ()

    class Event(LedgerAggregate.Event):
        def mutate(self, aggregate: Any) -> Any:
            aggregate = super().mutate(aggregate)
            on = getattr(self, "on", None)
            if isinstance(on, date) and (aggregate.latest_on is None or on > aggregate.latest_on):
                aggregate.latest_on = on
            if not isinstance(self, DatedAggregate.LateEntryRecorded):
                aggregate.late_entry = None
            reason = getattr(self, "exception", None)
            if reason:
                entry = (type(self).__name__, getattr(self, "actor", ""), on, reason)
                aggregate.departures = (*aggregate.departures, entry)
            return aggregate

    class Created(Event, LedgerAggregate.Created):
        pass

    @classmethod
    def _create(cls, event_class: type, *, id: Any = None, **kwargs: Any) -> Any:
        written = clock.now()
        on = kwargs.get("on")
        if isinstance(on, date):
            _advance_to(on)
            written = clock.now()
            _check_written_after(on, written)
        return super()._create(event_class, id=id, timestamp=written, **kwargs)

    def trigger_event(self, event_class: type, **kwargs: Any) -> None:
        on = kwargs.get("on")
        reason = _late_reason.get()
        is_late_entry = issubclass(event_class, DatedAggregate.LateEntryRecorded)
        if reason is not None and isinstance(on, date) and not is_late_entry:
            actor = kwargs.get("actor", "")
            if self._is_late(on):
                self.record_late_entry(actor=actor, reason=reason, on=on)
        if isinstance(on, date):
            _advance_to(on)
        written = clock.now()
        if isinstance(on, date):
            _check_written_after(on, written)
            if not is_late_entry:
                self._check_not_before_latest(on, kwargs.get("actor", ""))
        super().trigger_event(event_class, timestamp=written, **kwargs)

    def _check_received(self, actor: str, on: date, what: str) -> None:
        """L-4: a submission whose deadline protects the other side (a 申辩, a mailing
        reservation) is dated the day it is received — written — in China Standard Time,
        so its sender cannot date it back into a window that has closed. One recorded after
        the fact is a late entry (补录) with its reason, like any other."""
        _advance_to(on)
        day = clock.day_written(clock.now())
        if on == day or self.late_entry == (actor, on) or _late_reason.get() is not None:
            return
        raise RuleViolation(
            "L-4",
            f"{what} is dated the day it is received ({day.isoformat()}), not {on.isoformat()}; "
            "one received earlier is recorded as a late entry (补录, --late) with its reason",
        )

    def _check_not_before_latest(self, on: date, actor: str) -> None:
        if self.latest_on is None or on >= self.latest_on:
            return
        if self.late_entry == (actor, on):
            return
        raise RuleViolation(
            "L-2",
            f"this act is dated {on.isoformat()}, before the latest act already recorded here "
            f"({self.latest_on.isoformat()}); record it as a late entry (补录) with its reason (--late)",
        )

    def _is_late(self, on: date) -> bool:
        """Dated before the latest act here (L-2), or before the day it is written (L-4)."""
        _advance_to(on)
        before_latest = self.latest_on is not None and on < self.latest_on
        return before_latest or on < clock.day_written(clock.now())

    @act("LateEntryRecorded", rules=("L-2", "L-4"), term="补录")
    def record_late_entry(self, *, actor: str, reason: str, on: date) -> None:
        """Declare that the next act of ``actor`` is recorded after the fact, dated ``on``."""
        if not reason or not reason.strip():
            raise InputError("a late entry (补录) states why it is recorded late")
        if not self._is_late(on):
            raise InputError(
                f"an act dated {on.isoformat()} is not late here (latest act: "
                f"{self.latest_on.isoformat() if self.latest_on else 'none'}): record it normally"
            )
        self._late_entry_recorded(actor=actor, reason=reason.strip(), on=on)

    @event("LateEntryRecorded")
    def _late_entry_recorded(self, *, actor: str, reason: str, on: date) -> None:
        self.late_entry = (actor, on)
