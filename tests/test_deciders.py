"""The deciders beside the aggregates (issue 22, first step): on a demo ledger, every stored
event of a stream kind that has a decider is re-derived by that decider, from the state its
own ``evolve`` built from the stream's earlier events, and must equal the stored event field
for field in canonical form (the bytes that were signed). A refusal, or any difference, names
the stream. The aggregates stay the write path until every kind agrees.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
from pathlib import Path
from uuid import UUID

import pytest

from certledger.domain.deciders import certificate_number as number_decider
from certledger.events import envelope
from certledger.events.canonical import canonical_bytes, to_canonical_value

CERTLEDGER = Path(os.environ.get("VIRTUAL_ENV", ".venv")) / "bin" / "certledger"
ENVELOPE_ONLY = ("originator_topic", "timestamp")  # the aggregate's envelope fields, not the act's


@pytest.fixture(scope="module")
def demo_rows(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[str, int, str, dict]]:
    where = tmp_path_factory.mktemp("deciders")
    env = {**os.environ, "CERTLEDGER_KEY_PASSPHRASE": "", "CERTLEDGER_KEYS": str(where / "demo" / "keys")}
    subprocess.run([str(CERTLEDGER), "demo", "--dir", str(where / "demo"), "--candidates", "40"], env=env,
                   check=True, capture_output=True, timeout=600)
    with sqlite3.connect(where / "demo" / "ledger.db") as conn:
        rows = conn.execute("SELECT originator_id, originator_version, topic, state FROM stored_events "
                            "ORDER BY originator_id, originator_version").fetchall()
    return [(stream, version, topic, envelope.open_state(bytes(state)).payload) for stream, version, topic, state in rows]


def _act_fields(payload: dict) -> bytes:
    return canonical_bytes({k: v for k, v in payload.items() if k not in ENVELOPE_ONLY})


def test_the_certificate_number_decider_re_derives_every_claim(demo_rows: list) -> None:
    claims = [r for r in demo_rows if r[2].endswith(":CertificateNumber.Claimed")]
    assert len(claims) >= 20  # the demo issues e-certificates, pass proofs and paper certificates
    states: dict[str, number_decider.ClaimedNumber] = {}
    for stream, version, _, payload in claims:
        assert version == 1, stream  # a number's stream holds its claim only
        command = number_decider.ClaimNumber(payload["actor"], payload["kind"], payload["number"],
                                             UUID(payload["candidacy_id"]), _day(payload["on"]))
        (event,) = number_decider.decide(states.get(stream), command)
        assert canonical_bytes(to_canonical_value(_fields(event))) == _act_fields(payload), stream
        states[stream] = number_decider.evolve(states.get(stream), event)
        # The issuing act's L-3 check holds for the claim it names, and fails for anyone else.
        number_decider.check_names(states[stream], payload["kind"], payload["number"], UUID(payload["candidacy_id"]))
    some = claims[0]
    with pytest.raises(Exception, match="L-3"):
        number_decider.check_names(states[some[0]], some[3]["kind"], some[3]["number"], UUID(int=0))
    with pytest.raises(Exception, match="L-3: .* is claimed for candidacy"):
        number_decider.decide(states[some[0]], number_decider.ClaimNumber("hrss", some[3]["kind"], some[3]["number"],
                                                                          UUID(int=0), _day(some[3]["on"])))


def _fields(event: object) -> dict:
    return {name: getattr(event, name) for name in event.__slots__}  # type: ignore[attr-defined]


def _day(text: str):
    from datetime import date

    return date.fromisoformat(text)


def test_the_checkpoint_log_decider_re_derives_every_checkpoint_and_cosignature(demo_rows: list) -> None:
    from certledger.domain.deciders import checkpoint_log as log

    events = [r for r in demo_rows if ":CheckpointLog." in r[2]]
    kinds = {r[2].rsplit(".", 1)[1] for r in events}
    assert kinds == {"Opened", "CheckpointRecorded", "CheckpointCosigned"}, kinds  # the demo cosigns one
    make = {
        "Opened": lambda p: log.OpenLog(p["actor"]),
        "CheckpointRecorded": lambda p: log.RecordCheckpoint(p["actor"], p["size"], p["root"], p["note"],
                                                             p["trust_version"], p["trust_digest"], p["status_list"]),
        "CheckpointCosigned": lambda p: log.CosignCheckpoint(p["actor"], p["size"], p["root"], p["signature"]),
    }
    state = None
    for _, _, topic, payload in events:  # one stream, in version order
        (event,) = log.decide(state, make[topic.rsplit(".", 1)[1]](payload))
        assert canonical_bytes(to_canonical_value(_fields(event))) == _act_fields(payload), topic
        state = log.evolve(state, event)
    assert state is not None and state.latest == max(p["size"] for _, _, t, p in events if t.endswith("Recorded"))
    # Its refusals are the aggregate's: an older size (L-5), a root never recorded, a second
    # cosignature by the same party (L-6).
    recorded = next(p for _, _, t, p in events if t.endswith("Recorded"))
    cosigned = next(p for _, _, t, p in events if t.endswith("Cosigned"))
    with pytest.raises(Exception, match="L-5: a checkpoint covers more events"):
        log.decide(state, make["CheckpointRecorded"](recorded))
    with pytest.raises(Exception, match="L-6: no checkpoint of size"):
        log.decide(state, log.CosignCheckpoint(cosigned["actor"], cosigned["size"], "0" * 64, cosigned["signature"]))
    with pytest.raises(Exception, match="L-6: .* has cosigned the checkpoint"):
        log.decide(state, make["CheckpointCosigned"](cosigned))


def test_the_trust_registry_decider_re_derives_every_party_and_key(demo_rows: list) -> None:
    from datetime import datetime

    from certledger.domain.deciders import trust_registry as trust
    from certledger.domain.parties import PartyKind

    events = [r for r in demo_rows if ":TrustRegistry." in r[2]]
    kinds = {r[2].rsplit(".", 1)[1] for r in events}
    assert kinds == {"Initialised", "PartyRegistered", "KeyAdded", "KeyRevoked"}, kinds  # the demo revokes a key

    def moment(text: str | None) -> datetime | None:
        return None if text is None else datetime.fromisoformat(text)

    make = {
        "Initialised": lambda p: trust.Initialise(p["root_name"], p["root_key_id"], p["root_public_key"],
                                                  moment(p["valid_from"]), p["clock"]),
        "PartyRegistered": lambda p: trust.RegisterParty(p["actor"], p["party_id"], p["name"], PartyKind(p["kind"]),
                                                         moment(p["registered_at"])),
        "KeyAdded": lambda p: trust.AddKey(p["actor"], p["party_id"], p["key_id"], p["public_key"], p["possession"],
                                           moment(p["timestamp"]), moment(p["valid_from"])),
        "KeyRevoked": lambda p: trust.RevokeKey(p["actor"], p["key_id"], p["reason"], moment(p["timestamp"]),
                                                moment(p["effective_at"])),
    }
    state = None
    for _, _, topic, payload in events:  # one stream, in version order
        (event,) = trust.decide(state, make[topic.rsplit(".", 1)[1]](payload))
        assert canonical_bytes(to_canonical_value(_fields(event))) == _act_fields(payload), topic
        state = trust.evolve(state, event)
    assert state is not None and any(k.revoked_at is not None for k in state.keys.values())
    # Its refusals are the aggregate's: T-1 (not the root), T-2 (a key id twice), T-3 (a
    # revoked key revoked again), T-6 (a candidate given a key).
    added = next(p for _, _, t, p in events if t.endswith("KeyAdded") and p["party_id"] != "hrss")
    revoked = next(p for _, _, t, p in events if t.endswith("KeyRevoked"))
    with pytest.raises(Exception, match="T-1: only the root party"):
        trust.decide(state, trust.RevokeKey(added["party_id"], added["key_id"], "lost", moment(revoked["timestamp"])))
    with pytest.raises(Exception, match="T-2: key .* is already registered"):
        trust.decide(state, make["KeyAdded"](added))
    with pytest.raises(Exception, match="T-3: key .* is already revoked"):
        trust.decide(state, make["KeyRevoked"](revoked))
    with pytest.raises(Exception, match="T-6"):
        trust.decide(state, trust.RegisterParty("hrss", "cand.001", "考生", PartyKind.CANDIDATE, moment(revoked["timestamp"])))


def test_the_sitting_decider_re_derives_every_act_of_every_sitting(demo_rows: list) -> None:
    """Each sitting's acts, from the state the decider's own evolve built: the same events,
    and the same dates (SittingDates, shared with the aggregate) at the end."""
    from datetime import date

    from certledger.domain.deciders import sitting as decider

    def d(text: str | None) -> date | None:
        return None if text is None else date.fromisoformat(text)

    make = {
        "Scheduled": lambda p: decider.Schedule(p["actor"], p["exam_code"], p["year"], d(p["exam_end"]), d(p["on"])),
        "ResultsReleased": lambda p: decider.ReleaseResults(p["actor"], d(p["on"])),
        "PublicityPublished": lambda p: decider.PublishPublicity(
            p["actor"], d(p["starts"]), d(p["ends"]), d(p["on"]), d(p["verification_due"]), d(p["supplementary_due"]),
            p["exception"], p["notice"]),
        "VerificationResultsReported": lambda p: decider.ReportResults(p["actor"], d(p["on"]), p["notice"]),
        "VerificationResultsAnnounced": lambda p: decider.AnnounceResults(p["actor"], d(p["on"]), p["exception"],
                                                                          p["notice"]),
        "SupplementaryResultsSubmitted": lambda p: decider.SubmitSupplementary(
            p["actor"], d(p["on"]), None if p["awaiting"] is None else tuple(p["awaiting"]), p["notice"]),
        "SupplementaryResultsAnnounced": lambda p: decider.AnnounceSupplementary(p["actor"], d(p["on"]), p["notice"]),
        "CustodyTransferred": lambda p: decider.TransferCustody(p["actor"], tuple(UUID(r) for r in p["roster"]),
                                                                d(p["on"]), p["notice"]),
    }
    states: dict[str, decider.SittingState] = {}
    seen = set()
    for stream, _, topic, payload in (r for r in demo_rows if ":ExamSitting." in r[2]):
        kind = topic.rsplit(".", 1)[1]
        seen.add(kind)
        fields = {k: v for k, v in payload.items() if k != "class_version"}
        (event,) = decider.decide(states.get(stream), make[kind](fields))
        assert canonical_bytes(to_canonical_value(_fields(event))) == _act_fields(fields), (stream, kind)
        states[stream] = decider.evolve(states.get(stream), event)
    assert seen == set(make), seen  # the demo performs every sitting act
    assert len(states) == 3
    for state in states.values():  # the derived dates hold on the decider's state too
        assert state.custody_until == date(2030, 5, 25) and state.transfer_from == date(2030, 5, 26)
    late = next(s for s in states.values() if s.exam_code == "zaojia-1")
    assert late.appeal_due == date(2025, 8, 30)  # the late announcement's ten days
    with pytest.raises(Exception, match="R-17: custody was transferred"):
        decider.decide(next(s for s in states.values() if s.custody_transferred_on),
                       decider.TransferCustody("dept.zhujian.henan", (), date(2030, 6, 1)))
