"""Canonical bytes: the one place where a value becomes the bytes we hash and sign.

We use orjson with sorted keys and no whitespace, restricted to a subset of JSON on which
that output is byte-for-byte RFC 8785 (JCS):

- no floats anywhere (money and scores travel as strings or integers) — orjson writes
  ``56.0`` and ``1e30`` where JCS wants ``56`` and ``1e+30``, and NaN as ``null``;
- integers within ±(2**53 - 1), the range JCS (IEEE-754 doubles) represents exactly;
- object keys are ASCII strings, so orjson's code-point order equals JCS's UTF-16 order;
- strings are valid Unicode (no lone surrogates).

Domain values are lowered first: ``UUID`` → its canonical string, aware ``datetime`` →
ISO 8601 with offset, ``date`` → ``YYYY-MM-DD``, tuples → arrays, ``Enum`` → its value.
Anything else is refused with :class:`NotCanonical`, naming where it sits in the value.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Any
from uuid import UUID

import orjson

from certledger.domain.errors import NotCanonical

MAX_SAFE_INTEGER = 2**53 - 1


def canonical_bytes(value: Any, *, lowered: bool = False) -> bytes:
    """Return the canonical (RFC 8785-compatible) UTF-8 bytes of ``value``.

    Raises :class:`NotCanonical` for a value outside the subset described above.
    ``lowered=True`` says ``value`` came from :func:`to_canonical_value` already (the
    envelope wraps a lowered payload), so it is not walked twice.
    """
    plain = value if lowered else to_canonical_value(value)
    return orjson.dumps(plain, option=orjson.OPT_SORT_KEYS)


def to_canonical_value(value: Any, path: str = "$") -> Any:
    """Lower ``value`` to plain JSON types, refusing what the canonical subset excludes."""
    # Exact-type dispatch first: this runs for every field of every event written.
    kind = type(value)
    if kind is str:
        if not value.isascii():
            _check_unicode(value, path)
        return value
    if kind is int:
        if -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER:
            return value
        raise NotCanonical(f"integer {value} at {path} is outside ±(2^53-1); store it as a string")
    if value is None or kind is bool:
        return value
    if kind is dict:
        lowered = {}
        for key, item in value.items():
            if type(key) is not str or not key.isascii():
                raise NotCanonical(f"object key {key!r} at {path} must be an ASCII string")
            lowered[key] = to_canonical_value(item, f"{path}.{key}")
        return lowered
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise NotCanonical(f"datetime {value} at {path} has no timezone")
        return value.isoformat()
    # Rarer types and subclasses. Order matters: str-Enums are str, bool is an int.
    if isinstance(value, Enum):
        return to_canonical_value(value.value, path)
    if isinstance(value, str):
        return to_canonical_value(str(value), path)
    if isinstance(value, int) and not isinstance(value, bool):
        return to_canonical_value(int(value), path)
    if isinstance(value, dict):
        return to_canonical_value(dict(value), path)
    if isinstance(value, float):
        raise NotCanonical(
            f"float {value!r} at {path} is not allowed in the ledger; "
            "use a string (e.g. '86.5') or an integer"
        )
    if isinstance(value, (list, tuple)):
        return [to_canonical_value(item, f"{path}[{i}]") for i, item in enumerate(value)]
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return _refuse(value, path)


def in_subset(parsed: Any) -> bool:
    """Whether a value *parsed from JSON* lies in the canonical subset: no floats, integers
    within ±(2^53-1), ASCII keys. (orjson refuses lone surrogates, so its strings are valid
    Unicode.) On such a value :func:`to_canonical_value` is the identity, so its canonical
    bytes are orjson's sorted output. This answers yes or no without building a lowered copy
    or a path per value — a published notice holds tens of thousands of cells, and every read
    of its event checks them; :func:`to_canonical_value` then names the problem, if any."""
    stack = [parsed]
    pop, extend = stack.pop, stack.extend
    while stack:
        value = pop()
        kind = type(value)
        if kind is str or kind is bool or value is None:
            continue
        if kind is int:
            if not -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER:
                return False
        elif kind is list:
            extend(value)
        elif kind is dict:
            if not all(key.isascii() for key in value):
                return False
            extend(value.values())
        else:  # a float
            return False
    return True


def _refuse(value: Any, path: str) -> Any:
    raise NotCanonical(f"value of type {type(value).__name__} at {path} has no canonical form")


def _check_unicode(text: str, path: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as e:
        raise NotCanonical(f"string at {path} is not valid Unicode: {e.reason}") from None
