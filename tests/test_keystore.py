"""The private-key store: strength of the files, their permissions, a file under the
wrong name, and keys leaving the working store when they stop signing."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from certledger.domain.errors import SigningError
from certledger.signing import keys
from certledger.signing.keystore import KeyStore
from certledger.signing.pkcs8 import STRONG_KDF_ROUNDS
from tests.helpers import PASSPHRASE, TEST_KDF_ROUNDS

OID_PBES2 = "2a864886f70d01050d"
OID_PBKDF2 = "2a864886f70d01050c"
OID_HMAC_SHA256 = "2a864886f70d0209"
OID_AES256_CBC = "60864801650304012a"


def _der_items(data: bytes) -> list[tuple[int, bytes]]:
    """The (tag, body) items one level deep in ``data``: a reader independent of the writer."""
    items = []
    i = 0
    while i < len(data):
        tag, size = data[i], data[i + 1]
        i += 2
        if size & 0x80:
            count = size & 0x7F
            size = int.from_bytes(data[i : i + count], "big")
            i += count
        items.append((tag, data[i : i + size]))
        i += size
    return items


def pbes2_parameters(pem: bytes) -> dict[str, object]:
    """Decode an ENCRYPTED PRIVATE KEY's algorithm: KDF, PRF, rounds, cipher."""
    import base64

    body = b"".join(line for line in pem.splitlines() if not line.startswith(b"-----"))
    [(_, info)] = _der_items(base64.b64decode(body))
    (_, algorithm), (_, _ciphertext) = _der_items(info)
    (_, scheme), (_, params) = _der_items(algorithm)
    (_, kdf), (_, cipher) = _der_items(params)
    (_, kdf_oid), (_, kdf_params) = _der_items(kdf)
    pbkdf2 = _der_items(kdf_params)
    prf = _der_items(pbkdf2[2][1])[0][1] if len(pbkdf2) > 2 else b""
    return {
        "scheme": scheme.hex(),
        "kdf": kdf_oid.hex(),
        "salt_bytes": len(pbkdf2[0][1]),
        "rounds": int.from_bytes(pbkdf2[1][1], "big"),
        "prf": prf.hex(),
        "cipher": _der_items(cipher)[0][1].hex(),
    }


def test_files_are_pbes2_pbkdf2_sha256_aes256_at_the_rounds_asked_for(tmp_path: Path) -> None:
    key = keys.new_private_key()
    keys.save_private_key(tmp_path / "k.pem", key, b"pw", rounds=TEST_KDF_ROUNDS)
    assert pbes2_parameters((tmp_path / "k.pem").read_bytes()) == {
        "scheme": OID_PBES2,
        "kdf": OID_PBKDF2,
        "salt_bytes": 16,
        "rounds": TEST_KDF_ROUNDS,
        "prf": OID_HMAC_SHA256,
        "cipher": OID_AES256_CBC,
    }
    assert keys.raw_public_key(keys.load_private_key(tmp_path / "k.pem", b"pw")) == keys.raw_public_key(key)


def test_the_default_store_writes_at_least_600000_rounds(tmp_path: Path) -> None:
    store = KeyStore(tmp_path / "keys", lambda: PASSPHRASE)
    assert store.kdf_rounds == STRONG_KDF_ROUNDS >= 600_000
    key_id = store.save("exam-center", keys.new_private_key())
    params = pbes2_parameters(store.path_for("exam-center", key_id).read_bytes())
    assert params["rounds"] >= 600_000 and params["prf"] == OID_HMAC_SHA256


def test_files_written_by_the_old_2048_round_encryption_still_load(tmp_path: Path) -> None:
    key = keys.new_private_key()
    store = KeyStore(tmp_path, lambda: PASSPHRASE, kdf_rounds=TEST_KDF_ROUNDS)
    key_id = keys.key_id_of(keys.raw_public_key(key))
    path = store.path_for("exam-center", key_id)
    path.parent.mkdir(parents=True)
    old = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(PASSPHRASE),
    )
    path.write_bytes(old)
    assert pbes2_parameters(old)["rounds"] == 2048
    loaded = store.private_key("exam-center", key_id)
    assert loaded is not None and keys.raw_public_key(loaded) == keys.raw_public_key(key)


def test_directories_are_0700_and_files_0600_whatever_the_umask(tmp_path: Path) -> None:
    old_umask = os.umask(0o022)
    try:
        store = KeyStore(tmp_path / "keys", lambda: PASSPHRASE, kdf_rounds=TEST_KDF_ROUNDS)
        key_id = store.save("dept.zhujian.henan", keys.new_private_key())
        store.retire("dept.zhujian.henan", key_id)
    finally:
        os.umask(old_umask)
    mode = lambda p: stat.S_IMODE(os.stat(p).st_mode)  # noqa: E731
    assert mode(tmp_path / "keys") == 0o700
    assert mode(tmp_path / "keys" / "dept.zhujian.henan") == 0o700
    assert mode(tmp_path / "keys" / "dept.zhujian.henan" / "retired") == 0o700
    [retired] = (tmp_path / "keys" / "dept.zhujian.henan" / "retired").iterdir()
    assert mode(retired) == 0o600


def test_a_key_file_copied_over_another_keys_name_is_refused(tmp_path: Path) -> None:
    store = KeyStore(tmp_path, lambda: PASSPHRASE, kdf_rounds=TEST_KDF_ROUNDS)
    mine = store.save("exam-center", keys.new_private_key())
    theirs = store.save("exam-center", keys.new_private_key())
    store.path_for("exam-center", mine).write_bytes(store.path_for("exam-center", theirs).read_bytes())
    fresh = KeyStore(tmp_path, lambda: PASSPHRASE, kdf_rounds=TEST_KDF_ROUNDS)
    path = store.path_for("exam-center", mine)
    with pytest.raises(SigningError, match=f"{path} holds key {theirs}, not {mine}"):
        fresh.private_key("exam-center", mine)
    assert fresh.private_key("exam-center", theirs) is not None


def test_retire_moves_or_destroys_and_forgets(tmp_path: Path) -> None:
    store = KeyStore(tmp_path, lambda: PASSPHRASE, kdf_rounds=TEST_KDF_ROUNDS)
    moved = store.save("exam-center", keys.new_private_key())
    gone = store.save("exam-center", keys.new_private_key())
    path = store.path_for("exam-center", moved)
    assert store.retire("exam-center", moved) == f"moved the private key of {moved} to {path.parent / 'retired' / path.name}"
    assert not path.exists() and (path.parent / "retired" / path.name).exists()
    assert store.private_key("exam-center", moved) is None  # no longer signs from this store
    assert store.retire("exam-center", gone, destroy=True).startswith("destroyed the private key file")
    assert not store.path_for("exam-center", gone).exists()
    assert store.retire("exam-center", gone) is None


def test_a_store_open_to_others_is_warned_about_once_a_path(tmp_path: Path) -> None:
    """Issue 20.15: the directory, a party's directory or a key file readable or writable by
    others is named with the chmod that closes it; a private store says nothing."""
    store = KeyStore(tmp_path / "keys", lambda: PASSPHRASE, kdf_rounds=TEST_KDF_ROUNDS)
    key_id = store.save("exam-center", keys.new_private_key())
    path = store.path_for("exam-center", key_id)
    said: list[str] = []
    quiet = KeyStore(tmp_path / "keys", lambda: PASSPHRASE, kdf_rounds=TEST_KDF_ROUNDS, warn=said.append)
    assert quiet.private_key("exam-center", key_id) is not None and said == []
    (tmp_path / "keys").chmod(0o755)
    path.chmod(0o644)
    loud = KeyStore(tmp_path / "keys", lambda: PASSPHRASE, kdf_rounds=TEST_KDF_ROUNDS, warn=said.append)
    assert loud.private_key("exam-center", key_id) is not None
    assert said == [
        f"{tmp_path / 'keys'} can be read or written by others (mode 755): chmod 700 {tmp_path / 'keys'}",
        f"{path} can be read or written by others (mode 644): chmod 600 {path}",
    ]
    loud.private_key("exam-center", key_id)
    assert len(said) == 2  # once a path
