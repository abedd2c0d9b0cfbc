"""Canonical bytes are RFC 8785 (JCS) on our subset, and refuse what lies outside it."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from uuid import UUID

import orjson
import pytest
import rfc8785
from hypothesis import given
from hypothesis import strategies as st

from certledger.domain.errors import NotCanonical
from certledger.domain.parties import PartyKind
from certledger.events.canonical import MAX_SAFE_INTEGER, canonical_bytes

ascii_keys = st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=127), max_size=8)
scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-MAX_SAFE_INTEGER, max_value=MAX_SAFE_INTEGER)
    | st.text()
)
json_subset = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=5) | st.dictionaries(ascii_keys, children, max_size=5),
    max_leaves=30,
)


@given(json_subset)
def test_canonical_bytes_equal_rfc8785_on_the_subset(value) -> None:
    assert canonical_bytes(value) == rfc8785.dumps(value)


@given(json_subset)
def test_canonical_bytes_round_trip(value) -> None:
    assert orjson.loads(canonical_bytes(value)) == value


def test_keys_sort_and_text_stays_literal_utf8() -> None:
    value = {"b": 1, "a": "证书\n\u2028", "A": [True, None]}
    assert canonical_bytes(value) == '{"A":[true,null],"a":"证书\\n\u2028","b":1}'.encode()


def test_domain_values_are_lowered() -> None:
    moment = datetime(2025, 6, 14, 9, 30, tzinfo=timezone(timedelta(hours=8)))
    value = {
        "id": UUID(int=1),
        "at": moment,
        "day": date(2025, 6, 14),
        "kind": PartyKind.POSTAL,
        "pair": (1, "x"),
    }
    assert orjson.loads(canonical_bytes(value)) == {
        "id": "00000000-0000-0000-0000-000000000001",
        "at": "2025-06-14T09:30:00+08:00",
        "day": "2025-06-14",
        "kind": "postal",
        "pair": [1, "x"],
    }


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"score": 86.5}, r"float 86.5 at \$\.score is not allowed"),
        ({"n": [1, 2**53]}, r"integer 9007199254740992 at \$\.n\[1\] is outside"),
        ({"n": -(2**53)}, r"outside ±\(2\^53-1\)"),
        ({"名称": 1}, r"object key '名称' at \$ must be an ASCII string"),
        ({1: 1}, r"object key 1 at \$ must be an ASCII string"),
        ({"t": datetime(2025, 1, 1)}, r"datetime 2025-01-01 00:00:00 at \$\.t has no timezone"),
        ({"s": "bad \ud800"}, r"string at \$\.s is not valid Unicode"),
        ({"d": Decimal("1.5")}, r"value of type Decimal at \$\.d has no canonical form"),
        ({"b": b"raw"}, r"value of type bytes at \$\.b has no canonical form"),
    ],
)
def test_values_outside_the_subset_are_refused(value, message) -> None:
    with pytest.raises(NotCanonical, match=message):
        canonical_bytes(value)


def test_why_floats_are_refused_orjson_is_not_jcs_for_them() -> None:
    assert orjson.dumps(56.0) != rfc8785.dumps(56.0)


def test_topics_of_the_old_top_level_modules_still_resolve():
    """certledger 0.1 stored topics such as 'domain.trust:…' before the code moved under the
    one namespace; they must resolve to the same classes as the new topics."""
    from eventsourcing.utils import resolve_topic

    import certledger.events.mapper  # noqa: F401 - registers the old module prefixes
    from certledger.domain.candidacy import Candidacy
    from certledger.domain.trust import TrustRegistry

    assert resolve_topic("domain.trust:TrustRegistry.KeyAdded") is TrustRegistry.KeyAdded
    assert resolve_topic("domain.candidacy:Candidacy.Registered") is Candidacy.Registered


# -- the quick subset test of a parsed message (events.canonical.in_subset) -----------------

parsed_json = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**63), max_value=2**64 - 1)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=12),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4),
    max_leaves=25,
)


@given(json_subset | parsed_json)
def test_in_subset_says_exactly_whether_the_lowering_accepts_a_parsed_value(value: object) -> None:
    from certledger.events.canonical import in_subset, to_canonical_value

    try:
        parsed = orjson.loads(orjson.dumps(value))  # as a message read from the database parses
    except (TypeError, orjson.JSONEncodeError):
        return  # orjson cannot write it (a lone surrogate, an integer beyond 64 bits)
    try:
        to_canonical_value(parsed)
        lowered = True
    except NotCanonical:
        lowered = False
    assert in_subset(parsed) is lowered


@pytest.mark.parametrize("message", [b'{"a":1.0}', b'{"a":[1,[2,{"b":9007199254740992}]]}', b'{"\\u00e4":1}',
                                     b'{"a":1, "b":2}', b'{"b":1,"a":2}'])
def test_a_message_outside_the_subset_or_not_sorted_is_named(message: bytes) -> None:
    from certledger.events.envelope import canonical_problem

    problem = canonical_problem(message)
    assert problem is not None and problem.startswith("signed message is not")
    assert canonical_problem(b'{"a":[1,[2,{"b":9007199254740991}]],"z":"\xe4\xb8\xad"}') is None
