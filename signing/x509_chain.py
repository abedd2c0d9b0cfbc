"""HRSS's X.509 chain for the document e-seal (电子印章): a root certificate for HRSS's root
key and a sealing certificate for its sealing key, both made from the trust registry's keys.

Both certificates are deterministic (Ed25519 signatures are; serials and names derive from the
key ids), so the same keys and windows always give byte-identical DER: the ledger need only
record them once and anyone can compare.

notAfter: a seal must still validate years after issue, when the sealing key may have been
retired, so the certificate's window is the key's registry window when it has one and
otherwise 9999-12-31T23:59:59Z (RFC 5280 4.1.2.5: "no well-defined expiration date"); the
ledger, not the certificate, says whether the key was valid when the document was sealed.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.x509.oid import NameOID

HRSS_NAME_ZH = "河南省人力资源和社会保障厅"
NO_EXPIRY = datetime(9999, 12, 31, 23, 59, 59, tzinfo=timezone.utc)


def _name(role: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.STATE_OR_PROVINCE_NAME, "河南省"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, HRSS_NAME_ZH),
            x509.NameAttribute(NameOID.COMMON_NAME, f"{HRSS_NAME_ZH} {role}"),
        ]
    )


def _serial(public_key: Ed25519PublicKey, role: bytes) -> int:
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    # positive, at most 20 octets (RFC 5280 4.1.2.2), fixed by the key and the role: a ledger
    # whose genesis key also seals has two certificates for one key, which must not share an
    # issuer and serial (CMS names the signer's certificate by them)
    return int.from_bytes(hashlib.sha256(role + raw).digest()[:16], "big") | 1


def root_certificate(
    root_key: Ed25519PrivateKey, *, not_before: datetime, not_after: datetime | None = None
) -> x509.Certificate:
    """根证书: HRSS's self-signed root, CA for sealing certificates only (pathLen 0)."""
    public = root_key.public_key()
    return (
        x509.CertificateBuilder()
        .subject_name(_name("根证书 root"))
        .issuer_name(_name("根证书 root"))
        .public_key(public)
        .serial_number(_serial(public, b"root"))
        .not_valid_before(not_before)
        .not_valid_after(not_after or NO_EXPIRY)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .sign(root_key, None)
    )


def sealing_certificate(
    seal_public: Ed25519PublicKey,
    root_key: Ed25519PrivateKey,
    *,
    not_before: datetime,
    not_after: datetime | None = None,
) -> x509.Certificate:
    """电子印章证书: the sealing key's certificate, signed by HRSS's root key."""
    root_public = root_key.public_key()
    return (
        x509.CertificateBuilder()
        .subject_name(_name("电子印章 e-seal"))
        .issuer_name(_name("根证书 root"))
        .public_key(seal_public)
        .serial_number(_serial(seal_public, b"e-seal"))
        .not_valid_before(not_before)
        .not_valid_after(not_after or NO_EXPIRY)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            # digitalSignature + nonRepudiation (contentCommitment): a seal on a document
            x509.KeyUsage(True, True, False, False, False, False, False, False, False),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(seal_public), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(root_public), critical=False
        )
        .sign(root_key, None)
    )
