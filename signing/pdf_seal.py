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


# Sealing many documents with one key: pyHanko builds and serialises the CMS SignedData twice a
# document (a dry run to size /Contents, then the real one), which is most of its time. Here the
# signer is made once per (key, chain) and /Contents has a fixed size, so there is no dry run;
# the SignedData is pyHanko's own, made once with a marker digest, and each document's differs
# from it only in the message-digest attribute and the Ed25519 signature over the signed
# attributes, both of fixed length: those bytes are replaced in place (tests: the same bytes as
# pyHanko's own signing path).
_SIGNERS: dict[bytes, object] = {}
CONTENTS_BYTES = 4096  # /Contents reserved for the CMS (the seal's is ~1.4 kB with both certs)


def _signer(seal_key: Ed25519PrivateKey, seal_cert: x509.Certificate, root_cert: x509.Certificate,
            *, template: bool = True):
    der = serialization.Encoding.DER
    raw = seal_key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    cache_key = hashlib.sha256(
        b"\0".join([raw, seal_cert.public_bytes(der), root_cert.public_bytes(der), bytes([template])])
    ).digest()
    got = _SIGNERS.get(cache_key)
    if got is not None:
        return got
    from asn1crypto import keys as asn1_keys
    from asn1crypto import x509 as asn1_x509
    from pyhanko.sign import signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    key = asn1_keys.PrivateKeyInfo.load(
        seal_key.private_bytes(der, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    args = dict(
        signing_cert=asn1_x509.Certificate.load(seal_cert.public_bytes(der)),
        signing_key=key,
        cert_registry=SimpleCertificateStore.from_certs(
            [asn1_x509.Certificate.load(root_cert.public_bytes(der))]
        ),
    )
    signer = (_TemplateSigner(seal_key, **args) if template else signers.SimpleSigner(**args))
    if len(_SIGNERS) > 16:
        _SIGNERS.clear()
    _SIGNERS[cache_key] = signer
    return signer


def _template_signer_class():
    from pyhanko.sign import signers

    class TemplateSigner(signers.SimpleSigner):
        def __init__(self, seal_key: Ed25519PrivateKey, **kwargs):
            super().__init__(**kwargs)
            self._seal_key = seal_key
            self._templates: dict[tuple, tuple[bytes, int, int, int]] = {}

        async def async_sign(self, data_digest, digest_algorithm, dry_run=False, use_pades=False,
                             timestamper=None, signed_attr_settings=None, is_pdf_sig=True,
                             encap_content_info=None):
            plain = (
                not dry_run and timestamper is None and encap_content_info is None
                and (signed_attr_settings is None or (
                    signed_attr_settings.adobe_revinfo_attr is None
                    and signed_attr_settings.cades_signed_attrs is None))
            )
            if not plain:
                return await super().async_sign(
                    data_digest, digest_algorithm, dry_run=dry_run, use_pades=use_pades,
                    timestamper=timestamper, signed_attr_settings=signed_attr_settings,
                    is_pdf_sig=is_pdf_sig, encap_content_info=encap_content_info,
                )
            from asn1crypto import cms

            # PAdES puts the signing time in /M, not in the CMS (pyHanko's PAdES attributes
            # omit it); otherwise it is a signed attribute, and part of the template
            when = None if use_pades or signed_attr_settings is None else signed_attr_settings.signing_time
            key = (digest_algorithm, use_pades, is_pdf_sig, len(data_digest), when)
            template = self._templates.get(key)
            if template is None:
                marker = hashlib.shake_256(b"certledger template digest").digest(len(data_digest))
                made = await super().async_sign(
                    marker, digest_algorithm, use_pades=use_pades,
                    signed_attr_settings=signed_attr_settings, is_pdf_sig=is_pdf_sig,
                )
                der = made.dump()
                info = made["content"]["signer_infos"][0]
                attrs = info["signed_attrs"].dump()
                signature = info["signature"].native
                if (der.count(attrs) != 1 or attrs.count(marker) != 1 or len(signature) != 64
                        or der.count(signature) != 1):
                    raise TamperError("the e-seal's CMS template is not as expected")  # a bug
                template = (der, der.index(attrs), len(attrs), der.index(signature), attrs.index(marker))
                self._templates[key] = template
            der, attrs_at, attrs_len, sig_at, digest_at = template
            attrs = bytearray(der[attrs_at : attrs_at + attrs_len])
            attrs[digest_at : digest_at + len(data_digest)] = data_digest
            # RFC 5652 5.4: the signature is over the DER of the SET OF attributes (tag 0x31)
            signature = self._seal_key.sign(b"\x31" + bytes(attrs[1:]))
            out = der[:attrs_at] + bytes(attrs) + der[attrs_at + attrs_len : sig_at] + signature + der[sig_at + 64 :]
            return cms.ContentInfo.load(out)

    return TemplateSigner


_TEMPLATE_SIGNER = None


def _TemplateSigner(seal_key, **kwargs):
    global _TEMPLATE_SIGNER
    if _TEMPLATE_SIGNER is None:
        _TEMPLATE_SIGNER = _template_signer_class()
    return _TEMPLATE_SIGNER(seal_key, **kwargs)


def seal_pdf(
    pdf: bytes,
    *,
    seal_key: Ed25519PrivateKey,
    seal_cert: x509.Certificate,
    root_cert: x509.Certificate,
    signing_time: datetime,
    document_id: bytes,
    _template: bool = True,
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
    _PinnedTimeSigner(meta, signer=_signer(seal_key, seal_cert, root_cert, template=_template)).sign_pdf(
        writer, output=out, bytes_reserved=CONTENTS_BYTES
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
