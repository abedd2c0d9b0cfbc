"""Turning a decoded JSON payload back into an event's typed fields.

orjson has no decode hook, so UUIDs, datetimes, dates, enums and tuples come back as
strings and lists. Each event class's type hints say what a field was; one converter per
field is built once per class and cached.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable
from datetime import date, datetime
from enum import Enum
from functools import lru_cache
from typing import Any
from uuid import UUID

from certledger.domain import clock
from certledger.domain.errors import TamperError

Converter = Callable[[Any], Any]


def _identity(value: Any) -> Any:
    return value


def _in_range(value: Any) -> Any:
    problem = clock.out_of_range(value)
    if problem:
        raise TamperError(problem)
    return value


def _moment(value: Any) -> datetime:
    return _in_range(datetime.fromisoformat(value))


def _day(value: Any) -> date:
    return _in_range(date.fromisoformat(value))


def dates_out_of_range(fields: dict[str, Any]) -> str | None:
    """The first date or moment among an event's fields (or inside their tuples) that no
    ledger holds, described; None if there is none. The write path refuses such an event:
    its readers would refuse the row (:func:`raise_payload`)."""
    for name, value in fields.items():
        for item in value if isinstance(value, (tuple, list)) else (value,):
            if isinstance(item, date):
                problem = clock.out_of_range(item)
                if problem:
                    return f"{name}: {problem}"
    return None


def converter_for(hint: Any) -> Converter:
    """A function from the JSON form of a value back to a value of type ``hint``."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(hint) if a is not type(None)]
        if len(options) == 1:
            inner = converter_for(options[0])
            return lambda v: None if v is None else inner(v)
        return _identity
    if origin is tuple:
        args = typing.get_args(hint)
        inner = converter_for(args[0]) if args else _identity
        return lambda v: tuple(inner(x) for x in v)
    if origin is dict:
        args = typing.get_args(hint)
        inner = converter_for(args[1]) if len(args) == 2 else _identity
        return lambda v: {k: inner(x) for k, x in v.items()}
    if hint is datetime:
        return _moment
    if hint is date:
        return _day
    if hint is UUID:
        return UUID
    if isinstance(hint, type) and issubclass(hint, Enum):
        return hint
    return _identity


@lru_cache(maxsize=None)
def field_converters(event_class: type) -> dict[str, Converter]:
    hints = typing.get_type_hints(event_class)
    converters = {name: converter_for(hint) for name, hint in hints.items()}
    return {name: c for name, c in converters.items() if c is not _identity}


def raise_payload(event_class: type, payload: dict[str, Any]) -> dict[str, Any]:
    """Convert ``payload`` (as decoded from JSON) in place to the event's field types. A
    value that is not of its type, or a date no ledger holds, raises :class:`TamperError`
    naming the field."""
    for name, convert in field_converters(event_class).items():
        if name in payload:
            try:
                payload[name] = convert(payload[name])
            except TamperError as e:
                raise TamperError(f"payload field {name!r}: {e}") from None
            except (TypeError, ValueError, AttributeError) as e:
                raise TamperError(f"payload field {name!r} is not of its type ({e})") from None
    return payload
