"""Weak Ed25519 public keys (T-5): small-order points and non-canonical encodings.

The hazard, shown with the library itself: for the identity point the fixed signature
R = identity, S = 0 verifies for any message, no private key needed.
"""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from hypothesis import given
from hypothesis import strategies as st

from certledger.domain.errors import InputError, TamperError
from certledger.signing import keys

P = 2**255 - 19
D = -121665 * pow(121666, -1, P) % P
IDENTITY = (1).to_bytes(32, "little")
FORGED = IDENTITY + bytes(32)  # R = the identity point, S = 0


# -- an independent check of the list: Edwards point arithmetic, written out --------------


def _x_of(y: int) -> list[int]:
    """Both x with (x, y) on the curve (one if x = 0), or none."""
    x2 = (y * y - 1) * pow(D * y * y + 1, P - 2, P) % P
    x = pow(x2, (P + 3) // 8, P)
    if x * x % P != x2:
        x = x * pow(2, (P - 1) // 4, P) % P
    if x * x % P != x2:
        return []
    return sorted({x, (P - x) % P})


def _add(a: tuple[int, int], b: tuple[int, int]) -> tuple[int, int]:
    (x1, y1), (x2, y2) = a, b
    t = D * x1 * x2 * y1 * y2 % P
    return ((x1 * y2 + x2 * y1) * pow(1 + t, P - 2, P) % P, (y1 * y2 + x1 * x2) * pow(1 - t, P - 2, P) % P)


def _times_8(point: tuple[int, int]) -> tuple[int, int]:
    for _ in range(3):
        point = _add(point, point)
    return point


def _encode(x: int, y: int, *, sign: int | None = None) -> bytes:
    top = (x & 1) if sign is None else sign
    return (y | (top << 255)).to_bytes(32, "little")


SMALL_ORDER_Y = sorted(keys._SMALL_ORDER_Y)
TORSION = [(x, y) for y in SMALL_ORDER_Y for x in _x_of(y)]


def test_the_list_is_exactly_the_eight_torsion_points() -> None:
    assert len(TORSION) == 8
    assert all(_times_8(point) == (0, 1) for point in TORSION)
    # and the order-8 ones really have order 8, not less
    assert sum(1 for p in TORSION if _add(_add(p, p), _add(p, p)) != (0, 1)) == 4


def every_encoding_of_the_torsion_points() -> list[bytes]:
    encodings = set()
    for x, y in TORSION:
        for sign in (0, 1):  # the canonical sign and the other one ("negative zero" when x = 0)
            encodings.add(_encode(x, y, sign=sign))
            if y + P < 2**255:  # y + p still fits: a non-canonical spelling of the same y
                encodings.add(_encode(x, y + P, sign=sign))
    return sorted(encodings)


def test_the_forged_signature_verifies_under_the_identity_in_the_raw_library() -> None:
    """What signature_holds did before T-5: the raw verify accepts the forgery."""
    for message in (b"", b"anything at all", "撤销".encode()):
        Ed25519PublicKey.from_public_bytes(IDENTITY).verify(FORGED, message)  # no exception


def test_the_identity_and_its_forgery_are_refused() -> None:
    with pytest.raises(InputError, match="T-5: public key 0100.* is a point of small order"):
        keys.check_public_key(IDENTITY)
    assert keys.signature_holds(IDENTITY, FORGED, b"anything at all") is False
    with pytest.raises(TamperError, match="signature does not verify: T-5: .* small order"):
        keys.verify(IDENTITY, FORGED, b"anything at all")


@pytest.mark.parametrize("raw", every_encoding_of_the_torsion_points(), ids=lambda b: b.hex()[:8] + b.hex()[-2:])
def test_every_encoding_of_a_small_order_point_is_refused(raw: bytes) -> None:
    with pytest.raises(InputError, match="T-5: .*(small order|not canonically encoded)"):
        keys.check_public_key(raw)
    assert not keys.signature_holds(raw, FORGED, b"m")


def test_there_are_fourteen_such_encodings() -> None:
    # 5 y values x 2 signs, plus y = 0 and y = 1 spelled as p and p + 1, x 2 signs
    assert len(every_encoding_of_the_torsion_points()) == 14


def test_non_canonical_y_is_refused() -> None:
    for y in (P, P + 1, P + 5, 2**255 - 1):
        with pytest.raises(InputError, match="not canonically encoded"):
            keys.check_public_key(y.to_bytes(32, "little"))


def test_a_y_with_no_point_on_the_curve_is_refused() -> None:
    y = next(y for y in range(2, 100) if not _x_of(y))
    with pytest.raises(InputError, match="not a point on the curve"):
        keys.check_public_key(y.to_bytes(32, "little"))


def test_wrong_length_is_refused() -> None:
    with pytest.raises(InputError, match="32 bytes, not 31"):
        keys.check_public_key(bytes(31))


@given(st.binary(min_size=32, max_size=32))
def test_real_keys_pass_and_the_check_agrees_with_the_arithmetic(seed: bytes) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    keys.check_public_key(keys.raw_public_key(Ed25519PrivateKey.from_private_bytes(seed)))
    y = int.from_bytes(seed, "little") & ((1 << 255) - 1)
    try:
        keys.check_public_key(seed)
    except InputError:
        assert y >= P or y in keys._SMALL_ORDER_Y or not _x_of(y)
    else:
        assert y < P and y not in keys._SMALL_ORDER_Y and _x_of(y)
