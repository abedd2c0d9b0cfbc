"""The document e-seal (电子印章) as a PDF signature: PAdES baseline B-B, Ed25519 (EdDSA in CMS
per RFC 8419 / ISO 32002), made and checked with pyHanko.

Deterministic: Ed25519 signatures are, and the three things pyHanko would otherwise take from
the clock or the random source (the CMS signing time and /M, the XMP/Info ModifyDate, the
second half of the trailer /ID) are pinned to values the caller takes from the ledger.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from datetime import datetime

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from certledger.domain.errors import InputError, TamperError

FIELD_NAME = "HRSS-e-seal"


def _signer(seal_key: Ed25519PrivateKey, seal_cert: x509.Certificate, root_cert: x509.Certificate):
    from asn1crypto import keys as asn1_keys
    from asn1crypto import x509 as asn1_x509
    from pyhanko.sign import signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    der = serialization.Encoding.DER
    key = asn1_keys.PrivateKeyInfo.load(
        seal_key.private_bytes(der, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return signers.SimpleSigner(
        signing_cert=asn1_x509.Certificate.load(seal_cert.public_bytes(der)),
        signing_key=key,
        cert_registry=SimpleCertificateStore.from_certs(
            [asn1_x509.Certificate.load(root_cert.public_bytes(der))]
        ),
    )


def seal_pdf(
    pdf: bytes,
    *,
    seal_key: Ed25519PrivateKey,
    seal_cert: x509.Certificate,
    root_cert: x509.Certificate,
    signing_time: datetime,
    document_id: bytes,
) -> bytes:
    """The PDF with HRSS's seal appended as an incremental update; the same inputs give the
    same bytes. ``document_id``: 16 bytes, the second half of the trailer /ID."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.metadata.model import DocumentMetadata
    from pyhanko.sign import fields, signers

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    first_id = writer.prev.trailer["/ID"][0]
    writer._document_id = generic.ArrayObject(
        [first_id, generic.ByteStringObject(document_id)]
    )

    class _PinnedMeta(DocumentMetadata):
        # pyHanko's writer sets last_modified = 'now' just before writing; pin it instead
        def __setattr__(self, name, value):
            if name == "last_modified" and value == "now":
                value = signing_time
            object.__setattr__(self, name, value)

    writer._meta.__class__ = _PinnedMeta

    class _PinnedTimeSigner(signers.PdfSigner):
        def init_signing_session(self, pdf_out, existing_fields_only=False):
            session = super().init_signing_session(pdf_out, existing_fields_only)
            session.system_time = signing_time
            return session

    meta = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        subfilter=fields.SigSeedSubFilter.PADES,  # ETSI.CAdES.detached: PAdES
        md_algorithm="sha512",  # RFC 8419 3.1: SHA-512 with Ed25519
        reason="河南省人力资源和社会保障厅电子印章 HRSS e-seal",
        location="河南省政务服务网",
    )
    out = io.BytesIO()
    _PinnedTimeSigner(meta, signer=_signer(seal_key, seal_cert, root_cert)).sign_pdf(
        writer, output=out
    )
    return out.getvalue()


@dataclass(frozen=True)
class SealCheck:
    """What checking the seal found."""

    signer_subject: str
    signing_time: datetime | None
    sha256: str
    checked: tuple[str, ...]
    not_checked: tuple[str, ...]


def check_seal(data: bytes, trusted_root_pem: bytes) -> SealCheck:
    """Check the PDF's one seal against ``trusted_root_pem``; raises InputError for what is not
    a readable PDF and TamperError for a seal that does not hold."""
    if not data.startswith(b"%PDF-"):
        raise InputError("not a PDF: the file does not start with %PDF-")
    try:
        root = x509.load_pem_x509_certificate(trusted_root_pem)
    except ValueError as exc:
        raise InputError(f"the trusted root is not a PEM X.509 certificate: {exc}") from None
    from asn1crypto import x509 as asn1_x509
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        signatures = reader.embedded_signatures
    except Exception as exc:  # pyHanko raises many types for a damaged file
        raise InputError(f"not a readable PDF: {type(exc).__name__}: {exc}"[:300]) from None
    if len(signatures) != 1:
        raise TamperError(f"the PDF carries {len(signatures)} signatures; the issued document has one e-seal")
    embedded = signatures[0]
    context = ValidationContext(
        trust_roots=[asn1_x509.Certificate.load(root.public_bytes(serialization.Encoding.DER))],
        # the seal is checked at its signing time: a retired sealing key still vouches for
        # what it sealed while it was valid
        moment=embedded.self_reported_timestamp,
    )
    try:
        status = validate_pdf_signature(embedded, context)
    except Exception as exc:
        raise TamperError(f"the e-seal could not be checked: {type(exc).__name__}: {exc}"[:300]) from None
    if not status.intact:
        raise TamperError("the e-seal does not match the document: the signed bytes were changed")
    if not status.valid:
        raise TamperError("the e-seal's signature does not verify")
    if not status.trusted:
        raise TamperError("the e-seal's certificate does not chain to the given HRSS root certificate")
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    if status.coverage != SignatureCoverageLevel.ENTIRE_FILE:
        raise TamperError(
            "the PDF was changed after sealing (an incremental update after the e-seal)"
        )
    return SealCheck(
        signer_subject=status.signing_cert.subject.human_friendly,
        signing_time=embedded.self_reported_timestamp,
        sha256=hashlib.sha256(data).hexdigest(),
        checked=(
            "e-seal signature (PAdES, Ed25519) over the whole file",
            "seal certificate chains to the given HRSS root certificate",
            "nothing appended after the seal",
        ),
        not_checked=(
            "whether this is the document HRSS recorded in the ledger (give a ledger)",
            "whether the certificate is void now (status)",
        ),
    )
