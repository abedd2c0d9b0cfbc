"""Attack 4 (issue 6): a weak public key. The Ed25519 identity point (01 00…00) is a valid
32-byte encoding; under it the fixed signature R = identity, S = 0 "verifies" for every
message (cryptography/OpenSSL agree), so whoever gets it registered signs anything with no
private key at all. Wherever it could enter, it must be refused."""

from __future__ import annotations

import base64

from datetime import date

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from tests.attacks import forge
from tests.attacks.forge import IDENTITY_PUBLIC_KEY, IDENTITY_SIGNATURE, Forger
from tests.attacks.support import ATTACKER, ATTACKER2, ATTACKER3, CANDIDACY, TRUST, assert_fails_at, assert_named, cst, key_of, stages
from tests.lifecycle_world import D

WEAK_ID = forge.key_id(IDENTITY_PUBLIC_KEY)


def test_the_identity_signature_really_verifies_under_the_identity_key() -> None:
    """The premise: the library accepts it (so the ledger must refuse the key itself)."""
    Ed25519PublicKey.from_public_bytes(IDENTITY_PUBLIC_KEY).verify(IDENTITY_SIGNATURE, b"any message at all")


def _key_added(actor: str, party: str, when: str) -> dict:
    # Its "proof of possession" is the identity signature, which "verifies" for any statement.
    return {"actor": actor, "key_id": WEAK_ID, "party_id": party, "possession": base64.b64encode(IDENTITY_SIGNATURE).decode(),
            "public_key": forge.public_text(IDENTITY_PUBLIC_KEY), "timestamp": when, "valid_from": when}


def _score(when: str) -> dict:
    return {"actor": "exam-center", "on": "2025-06-14", "passed": True, "scores": [["综合", "99"]], "timestamp": when}


def test_identity_signature_under_a_real_registered_key(life) -> None:
    _, ids = stages(life, registered=("cand.001",))
    exam_center_id, _ = key_of(life, "exam-center")
    life.tampered = True
    with Forger(life.db_url) as f:
        forged = f.append(str(ids["cand.001"]), f"{CANDIDACY}.ScoreReleased", _score(cst(D, 10)), None,
                          signer=exam_center_id, signature=IDENTITY_SIGNATURE)
    assert_fails_at(life.db_url, forged, "signature does not verify")


@pytest.mark.parametrize("signer", ["root-key-id", "weak-key-id"])
def test_identity_key_registered_without_the_root_key(life, signer: str) -> None:
    """The attacker has no root key: it "signs" the registration with the identity
    signature, naming the root's key id or the weak key's own id."""
    _, ids = stages(life, registered=("cand.001",))
    root_id, _ = key_of(life, "hrss")
    life.tampered = True
    with Forger(life.db_url) as f:
        added = f.append(forge.TRUST_REGISTRY, f"{TRUST}.KeyAdded", _key_added("hrss", "exam-center", cst(D, 9, 40)),
                         None, signer=root_id if signer == "root-key-id" else WEAK_ID, signature=IDENTITY_SIGNATURE)
        used = f.append(str(ids["cand.001"]), f"{CANDIDACY}.ScoreReleased", _score(cst(D, 10)), None,
                        signer=WEAK_ID, signature=IDENTITY_SIGNATURE)
    found = assert_fails_at(life.db_url, added,
                            "signature does not verify" if signer == "root-key-id" else "is not registered")
    assert_named(found, used, "T-4", "is not registered")


def test_identity_key_registered_by_a_candidate(life) -> None:
    _, ids = stages(life, registered=("cand.001",))
    _, mine = key_of(life, ATTACKER)
    life.tampered = True
    with Forger(life.db_url) as f:
        added = f.append(forge.TRUST_REGISTRY, f"{TRUST}.KeyAdded", _key_added(ATTACKER, "exam-center", cst(D, 9, 40)), mine)
        used = f.append(str(ids["cand.001"]), f"{CANDIDACY}.ScoreReleased", _score(cst(D, 10)), None,
                        signer=WEAK_ID, signature=IDENTITY_SIGNATURE)
    found = assert_fails_at(life.db_url, added, "T-1")
    assert_named(found, used, "T-4", "is not registered")


def _root_registers_the_identity_point(life) -> tuple[dict, int]:
    """The rightful root signs a KeyAdded of the identity point (as `keys add --public-key`
    with a party-supplied key would): the root key comes from the test key store."""
    _, ids = stages(life, registered=("cand.001",))
    _, root = key_of(life, "hrss")
    with Forger(life.db_url) as f:
        added = f.append(forge.TRUST_REGISTRY, f"{TRUST}.KeyAdded", _key_added("hrss", "exam-center", cst(D, 9, 40)), root)
    return ids, added


def test_root_signed_registration_of_the_identity_point_is_refused(life) -> None:
    _, added = _root_registers_the_identity_point(life)
    life.tampered = True
    assert_fails_at(life.db_url, added, "T-5")


def test_act_signed_with_no_private_key_under_a_root_registered_identity_point(life) -> None:
    ids, _ = _root_registers_the_identity_point(life)
    life.tampered = True
    with Forger(life.db_url) as f:
        forged = f.append(str(ids["cand.001"]), f"{CANDIDACY}.ScoreReleased", _score(cst(D, 10)), None,
                          signer=WEAK_ID, signature=IDENTITY_SIGNATURE)
    assert_fails_at(life.db_url, forged)


def test_a_whole_ledger_under_an_identity_root_key(db_url: str) -> None:
    from certledger.events.ledger import Ledger
    from certledger.events.storage import parse_database_url

    Ledger(parse_database_url(db_url), verify_on_read=False, create=True).close()  # the tables, nothing else
    when = cst(date(2025, 1, 1))
    with Forger(db_url) as f:
        genesis = forge.message(
            ledger=forge.ZEROS, stream=forge.TRUST_REGISTRY, version=1, topic=f"{TRUST}.Initialised",
            signer=WEAK_ID, prev=forge.ZEROS,
            payload={"actor": "hrss", "clock": "system", "originator_topic": TRUST, "root_key_id": WEAK_ID,
                     "root_name": "河南省人力资源和社会保障厅", "root_public_key": forge.public_text(IDENTITY_PUBLIC_KEY),
                     "timestamp": when, "valid_from": when},
        )
        nid = f.insert(f.stored_stream(forge.TRUST_REGISTRY), 1, f"{TRUST}.Initialised", IDENTITY_SIGNATURE + genesis)
        f.append(forge.TRUST_REGISTRY, f"{TRUST}.PartyRegistered", {
            "actor": "hrss", "kind": "exam-center", "name": "河南省人事考试中心", "party_id": "exam-center",
            "registered_at": cst(date(2025, 1, 1), 10), "timestamp": cst(date(2025, 1, 1), 10)},
            None, signer=WEAK_ID, signature=IDENTITY_SIGNATURE)
    assert_fails_at(db_url, nid)
