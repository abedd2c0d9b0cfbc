"""Key hygiene through the CLI: proofs of possession, weak keys, retired key files, and
the strength of the files the CLI writes."""

from __future__ import annotations

import base64
import os
import stat
from pathlib import Path

from cryptography.hazmat.primitives import serialization

from certledger.signing import keys
from certledger.signing.pkcs8 import STRONG_KDF_ROUNDS
from tests.helpers import TEST_KDF_ROUNDS
from tests.test_cli import count, run  # noqa: F401 - the fixture
from tests.test_keystore import OID_HMAC_SHA256, pbes2_parameters

HOLDER_PASS = b"the holder's own passphrase"


def _setup(run) -> str:
    init = run("init")
    assert init.exit_code == 0, init.output
    assert run("parties", "add", "exam-center", "--name", "河南省人事考试中心", "--kind", "exam-center").exit_code == 0
    ledger_line = next(line for line in init.stderr.splitlines() if "ledger id" in line)
    return ledger_line.rsplit(" ", 1)[-1]


def _holder_key(tmp_path: Path, name: str) -> tuple[Path, Path, str]:
    """A key pair the party made itself: encrypted private PEM, public PEM, its key id."""
    key = keys.new_private_key()
    private = tmp_path / f"{name}.pem"
    keys.save_private_key(private, key, HOLDER_PASS, rounds=TEST_KDF_ROUNDS)
    public = tmp_path / f"{name}.pub.pem"
    public.write_bytes(
        key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    return private, public, keys.key_id_of(keys.raw_public_key(key))


def test_a_party_proves_its_key_and_the_root_registers_it(run, db_url: str, tmp_path: Path) -> None:
    ledger_id = _setup(run)
    private, public, key_id = _holder_key(tmp_path, "center")
    before = count(db_url)

    without = run("keys", "add", "--party", "exam-center", "--public-key", str(public))
    assert without.exit_code == 2 and "T-5: --public-key needs --proof" in without.stderr
    assert "certledger keys prove --party exam-center" in without.stderr

    proved = run("keys", "prove", "--party", "exam-center", "--private-key", str(private), passphrase=HOLDER_PASS.decode())
    assert proved.exit_code == 0, proved.output
    proof = proved.stdout.strip()
    assert f"proof of possession of {key_id} for exam-center in ledger {ledger_id}" in proved.stderr
    offline = run(
        "keys", "prove", "--party", "exam-center", "--private-key", str(private), "--ledger-id", ledger_id,
        passphrase=HOLDER_PASS.decode(),
    )
    assert offline.stdout.strip() == proof  # Ed25519 is deterministic: the same statement, the same proof

    for_another_party = run(
        "keys", "prove", "--party", "postal.henan", "--private-key", str(private), passphrase=HOLDER_PASS.decode()
    ).stdout.strip()
    refused = run("keys", "add", "--party", "exam-center", "--public-key", str(public), "--proof", for_another_party)
    assert refused.exit_code == 2
    assert f"T-5: the proof of possession of {key_id} does not verify" in refused.stderr
    assert count(db_url) == before

    added = run("keys", "add", "--party", "exam-center", "--public-key", str(public), "--proof", proof)
    assert added.exit_code == 0, added.output
    assert added.stdout.strip() == key_id

    # a second key, its proof passed as a file
    private2, public2, key_id2 = _holder_key(tmp_path, "center2")
    proof_file = tmp_path / "proof.txt"
    proof_file.write_text(
        run("keys", "prove", "--party", "exam-center", "--private-key", str(private2), passphrase=HOLDER_PASS.decode()).stdout
    )
    assert run("keys", "add", "--party", "exam-center", "--public-key", str(public2), "--proof", str(proof_file)).exit_code == 0
    assert count(db_url) == before + 2
    assert run("verify").exit_code == 0


def test_the_identity_point_is_refused_at_the_door(run, db_url: str, tmp_path: Path) -> None:
    _setup(run)
    before = count(db_url)
    identity = tmp_path / "identity.b64"
    identity.write_text(base64.b64encode((1).to_bytes(32, "little")).decode())
    forged = base64.b64encode((1).to_bytes(32, "little") + bytes(32)).decode()
    result = run("keys", "add", "--party", "exam-center", "--public-key", str(identity), "--proof", forged)
    assert result.exit_code == 2
    assert f"certledger: error: {identity}: T-5: public key 0100" in result.stderr and "small order" in result.stderr
    non_canonical = tmp_path / "p.b64"
    non_canonical.write_text(base64.b64encode((2**255 - 19).to_bytes(32, "little")).decode())
    result = run("keys", "add", "--party", "exam-center", "--public-key", str(non_canonical), "--proof", forged)
    assert result.exit_code == 2 and "not canonically encoded" in result.stderr
    assert run("keys", "add", "--party", "exam-center", "--proof", forged).exit_code == 2
    assert count(db_url) == before


def test_rotate_and_revoke_take_old_private_keys_out_of_the_store(run, db_url: str, tmp_path: Path) -> None:
    _setup(run)
    store = tmp_path / "keys" / "exam-center"
    first = run("keys", "add", "--party", "exam-center").stdout.strip()
    first_file = store / (first.replace(":", "_") + ".pem")
    assert first_file.exists()

    second = run("keys", "rotate", "--party", "exam-center")
    assert second.exit_code == 0, second.output
    assert not first_file.exists() and (store / "retired" / first_file.name).exists()
    assert f"moved the private key of {first} to {store / 'retired' / first_file.name}" in second.stderr
    second_id = second.stdout.strip()

    third = run("keys", "rotate", "--party", "exam-center", "--destroy-old")
    assert third.exit_code == 0
    assert "destroyed the private key file" in third.stderr
    assert not (store / (second_id.replace(":", "_") + ".pem")).exists()
    assert not (store / "retired" / (second_id.replace(":", "_") + ".pem")).exists()

    third_id = third.stdout.strip()
    revoked = run("keys", "revoke", third_id, "--reason", "laptop lost")
    assert revoked.exit_code == 0
    assert f"moved the private key of {third_id}" in revoked.stderr
    assert sorted(p.name for p in store.glob("*.pem")) == []

    later = run("keys", "add", "--party", "exam-center").stdout.strip()
    scheduled = run("keys", "revoke", later, "--reason", "end of term", "--effective", "2099-01-01T00:00+08:00")
    assert scheduled.exit_code == 0 and "its private key stays in the store" in scheduled.stderr
    assert (store / (later.replace(":", "_") + ".pem")).exists()
    assert run("verify").exit_code == 0


def test_the_cli_writes_keys_at_full_strength_and_private(run, tmp_path: Path) -> None:
    init = run("init")
    root = init.stdout.strip()
    path = tmp_path / "keys" / "hrss" / (root.replace(":", "_") + ".pem")
    params = pbes2_parameters(path.read_bytes())
    assert params["rounds"] == STRONG_KDF_ROUNDS and params["rounds"] >= 600_000
    assert params["prf"] == OID_HMAC_SHA256
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(tmp_path / "keys").st_mode) == 0o700


def test_times_are_shown_in_china_standard_time_on_a_real_clock_ledger(run, db_url: str) -> None:
    """Issue 20.11: the real clock stores UTC; keys list (table and --json) and refusals show
    +08:00, one time zone, never UTC beside it."""
    import orjson

    _setup(run)
    listed = run("keys", "list", "--json")
    assert listed.exit_code == 0, listed.output
    rows = orjson.loads(listed.stdout)
    assert rows and all(r["valid_from"].endswith("+08:00") for r in rows), rows
    table = run("keys", "list").stdout
    assert "+08:00" in table and "+00:00" not in table
    root = rows[0]["key_id"]
    refused = run("keys", "revoke", root, "--reason", "test", "--effective", "2020-01-01T00:00+00:00")
    assert refused.exit_code == 2 and "T-3" in refused.stderr, refused.output
    assert "+00:00" not in refused.stderr and "+08:00" in refused.stderr, refused.stderr
