"""Attack scenarios: the database is edited with real SQL after writing, and ``verify``
must name the edited event. One test per scenario; add one for every bug found."""

from __future__ import annotations

from uuid import UUID

import pytest

from certledger.domain.errors import TamperError
from certledger.events import envelope
from certledger.events.verify import Finding, Report, verify_ledger
from certledger.signing import keys
from tests.helpers import World


def findings(world: World) -> list[Finding]:
    check = world.reopen(verify_on_read=False)
    try:
        return list(verify_ledger(check, Report()))
    finally:
        check.close()


def first_finding_is(world: World, stream: UUID, version: int, match: str) -> Finding:
    world.tampered = True
    found = findings(world)
    assert found, "verify found nothing"
    first = found[0]
    assert (first.stream, first.version) == (str(stream), version), first.describe()
    assert any(match in p for p in first.problems), first.problems
    return first


def resign(world: World, stream: UUID, version: int, key_id: str, **changes) -> bytes:
    """A new, validly signed state for the row, with some envelope fields changed."""
    row = world.ledger.rows.read(stream, version)
    opened = envelope.open_state(row.state)
    fields = dict(ledger=opened.ledger, stream=UUID(opened.stream), version=opened.version, topic=opened.topic,
                  signer=key_id, prev=opened.prev, payload=opened.payload)
    fields.update(changes)
    message = envelope.message_bytes(**fields)
    return keys.sign(world.private_key(key_id), message) + message


def test_untouched_ledger_verifies(world: World) -> None:
    world.write_memo("exam-center", "通知", amendments=3)
    assert findings(world) == []


def test_flip_one_byte_of_a_payload(world: World) -> None:
    memo = world.write_memo("exam-center", "pass list", amendments=2)
    row = world.ledger.rows.read(memo, 2)
    at = row.state.index(b"pass list") + 2
    world.ledger.rows.write_state(memo, 2, row.state[:at] + bytes([row.state[at] ^ 0x01]) + row.state[at + 1 :])
    first = first_finding_is(world, memo, 2, "signature does not verify")
    assert first.notification_id == row.notification_id
    # And the next version no longer chains onto the altered one.
    assert any("chain broken" in p for f in findings(world) if f.version == 3 for p in f.problems)


def test_flipped_byte_is_refused_when_read(world: World) -> None:
    memo = world.write_memo("exam-center", "pass list", amendments=1)
    row = world.ledger.rows.read(memo, 2)
    world.ledger.rows.write_state(memo, 2, row.state[:-3] + b"X" + row.state[-2:])
    world.tampered = True
    reader = world.reopen()
    with pytest.raises(TamperError, match=f"stream {memo} version 2: "):
        reader.repository.get(memo)


def test_delete_a_middle_version(world: World) -> None:
    memo = world.write_memo("dept.zhujian.henan", "核查结果", amendments=2)
    world.ledger.rows.delete(memo, 2)
    first_finding_is(world, memo, 3, "version 2 of this stream is missing")


def test_swap_two_versions(world: World) -> None:
    memo = world.write_memo("dept.zhujian.henan", "公告", amendments=2)
    two, three = world.ledger.rows.read(memo, 2), world.ledger.rows.read(memo, 3)
    world.ledger.rows.write_state(memo, 2, three.state)
    world.ledger.rows.write_state(memo, 3, two.state)
    first = first_finding_is(world, memo, 2, "row is version 2 but was signed as version 3")
    assert first.notification_id == two.notification_id


def test_copy_an_event_into_another_stream(world: World) -> None:
    source = world.write_memo("exam-center", "original", amendments=1)
    target = world.write_memo("exam-center", "other")
    row = world.ledger.rows.read(source, 2)
    world.ledger.rows.insert(target, 2, row.topic, row.state)
    copied = world.ledger.rows.read(target, 2)
    first = first_finding_is(world, target, 2, f"but was signed for stream {source}")
    assert first.notification_id == copied.notification_id


def test_replace_a_signature_with_one_by_a_revoked_key(world: World) -> None:
    old = world.keys["exam-center"]
    world.add_key("exam-center")
    world.ledger.revoke_key(old, "retired")
    memo = world.write_memo("exam-center", "written after the revocation")
    world.ledger.rows.write_state(memo, 1, resign(world, memo, 1, old))
    first_finding_is(world, memo, 1, f"key {old} is revoked from")


@pytest.mark.parametrize("other_party", ["exam-center", "dept.zhujian.henan"])
def test_change_the_signer_key_id(world: World, other_party: str) -> None:
    memo = world.write_memo("exam-center", "signed by the exam center")
    row = world.ledger.rows.read(memo, 1)
    signer = world.keys["exam-center"].encode()
    other = (world.add_key("exam-center") if other_party == "exam-center" else world.keys[other_party]).encode()
    assert len(signer) == len(other)
    world.ledger.rows.write_state(memo, 1, row.state.replace(signer, other))
    first = first_finding_is(world, memo, 1, "signature does not verify")
    if other_party != "exam-center":
        assert "not to the acting party 'exam-center'" in first.problems[0]


def test_re_sign_with_another_partys_key(world: World) -> None:
    memo = world.write_memo("exam-center", "an exam center act")
    world.ledger.rows.write_state(memo, 1, resign(world, memo, 1, world.keys["dept.zhujian.henan"]))
    first_finding_is(world, memo, 1, "belongs to 'dept.zhujian.henan', not to the acting party 'exam-center'")


def test_forge_an_event_with_a_key_unknown_to_the_ledger(world: World) -> None:
    memo = world.write_memo("exam-center", "x")
    rogue = keys.new_private_key()
    rogue_id = world.store.remember(rogue)
    world.ledger.rows.write_state(memo, 1, resign(world, memo, 1, rogue_id))
    first_finding_is(world, memo, 1, f"key {rogue_id} is not registered")


def test_truncate_the_state_below_a_signature(world: World) -> None:
    memo = world.write_memo("exam-center", "x")
    world.ledger.rows.write_state(memo, 1, b"\x00" * 10)
    first_finding_is(world, memo, 1, "too short to hold a signature")


def test_tamper_with_the_trust_registry_itself(world: World) -> None:
    registry = world.ledger.registry()
    row = world.ledger.rows.read(registry.id, 2)
    world.ledger.rows.write_state(registry.id, 2, row.state.replace("河南省人事考试中心".encode(), "河南省考试中心冒名".encode()))
    first_finding_is(world, registry.id, 2, "signature does not verify")
    # Opening still works (verify must be able to start), but nothing can use the registry.
    reopened = world.reopen()
    try:
        with pytest.raises(TamperError, match="version 2: signature does not verify"):
            reopened.registry()
    finally:
        reopened.close()


def test_verify_all_names_every_bad_event(world: World) -> None:
    a = world.write_memo("exam-center", "a")
    b = world.write_memo("exam-center", "b")
    for memo in (a, b):
        row = world.ledger.rows.read(memo, 1)
        world.ledger.rows.write_state(memo, 1, row.state.replace(b'"a"', b'"A"').replace(b'"b"', b'"B"'))
    world.tampered = True
    assert {(f.stream, f.version) for f in findings(world)} == {(str(a), 1), (str(b), 1)}


def test_a_pinned_root_that_differs_is_reported(world: World) -> None:
    check = world.reopen(verify_on_read=False)
    found = list(verify_ledger(check, Report(), pinned_root="ed25519:" + "0" * 32))
    check.close()
    assert found and found[0].version == 1 and "not the pinned root" in found[0].problems[0]


def test_parallel_verification_finds_the_same_events(world: World) -> None:
    memos = [world.write_memo("exam-center", f"m{i}", amendments=2) for i in range(4)]
    row = world.ledger.rows.read(memos[1], 2)
    world.ledger.rows.write_state(memos[1], 2, row.state.replace(b"m1", b"M1"))
    world.ledger.rows.delete(memos[3], 2)
    world.tampered = True
    check = world.reopen(verify_on_read=False)
    try:
        serial = list(verify_ledger(check, Report(), page_size=7))
        parallel = list(verify_ledger(check, report := Report(), page_size=7, jobs=2))
    finally:
        check.close()
    assert parallel == serial and len(serial) == 3
    assert report.findings == 3 and report.events == 1 + 2 * 3 + 4 * 3 - 1
