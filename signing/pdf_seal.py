"""The document e-seal (电子印章) as a PDF signature: PAdES baseline B-B, Ed25519 (EdDSA in CMS
per RFC 8419 / ISO 32002), made and checked with pyHanko.

Deterministic: Ed25519 signatures are, and the three things pyHanko would otherwise take from
the clock or the random source (the CMS signing time and /M, the XMP/Info ModifyDate, the
second half of the trailer /ID) are pinned to values the caller takes from the ledger.
"""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from certledger.domain.errors import InputError, TamperError
from certledger.domain.publication import DOCUMENT_CHANNEL

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
        location=DOCUMENT_CHANNEL,
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
    a readable PDF and TamperError for a seal that does not hold.

    Lean, without pyHanko (whose import alone is ~0.3 s): the signature dictionary's /ByteRange
    must cover the whole file but its /Contents (so nothing was appended: an incremental update
    after the seal is refused), /Contents is the hex of one CMS SignedData (RFC 5652) whose one
    SignerInfo signs, with Ed25519 (RFC 8419), signed attributes holding content type ``data``
    and the digest of the covered bytes; the signer's certificate is in the SignedData, is
    issued and signed by the given root, may sign documents, and both were valid at the seal's
    /M. The tests check that pyHanko's validator agrees on good, edited and updated files."""
    if not data.startswith(b"%PDF-"):
        raise InputError("not a PDF: the file does not start with %PDF-")
    try:
        root = x509.load_pem_x509_certificate(trusted_root_pem)
    except ValueError as exc:
        raise InputError(f"the trusted root is not a PEM X.509 certificate: {exc}") from None
    try:
        return _check_seal(data, root)
    except (InputError, TamperError):
        raise
    except Exception as exc:  # a malformed file must end in a clear error, never a traceback
        raise TamperError(f"the e-seal could not be read: {type(exc).__name__}: {exc}"[:300]) from None


_BYTE_RANGE = re.compile(rb"/ByteRange\s*\[\s*(\d{1,12})\s+(\d{1,12})\s+(\d{1,12})\s+(\d{1,12})\s*\]")
_OID = {
    "data": "1.2.840.113549.1.7.1",
    "signed_data": "1.2.840.113549.1.7.2",
    "content_type": "1.2.840.113549.1.9.3",
    "message_digest": "1.2.840.113549.1.9.4",
    "ed25519": "1.3.101.112",
}
_DIGESTS = {
    "2.16.840.1.101.3.4.2.1": "sha256",
    "2.16.840.1.101.3.4.2.2": "sha384",
    "2.16.840.1.101.3.4.2.3": "sha512",
}


def _check_seal(data: bytes, root: x509.Certificate) -> SealCheck:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    ranges = list(_BYTE_RANGE.finditer(data))
    if not ranges:
        if b"%%EOF" not in data[-1024:]:
            raise InputError("not a readable PDF: it is truncated (no %%EOF at its end) and carries no e-seal")
        raise TamperError("the PDF carries no e-seal (no signature /ByteRange)")
    if len(ranges) != 1:
        raise TamperError(f"the PDF carries {len(ranges)} signatures; the issued document has one e-seal")
    start, gap_at, after_at, after_len = (int(g) for g in ranges[0].groups())
    if start != 0 or not 0 < gap_at < after_at:
        raise TamperError("the e-seal's /ByteRange does not start the file and leave one gap for /Contents")
    if after_at + after_len > len(data):
        raise InputError(
            f"not a readable PDF: it is truncated (the e-seal covers {after_at + after_len} bytes, "
            f"the file has {len(data)})"
        )
    if after_at + after_len != len(data):
        raise TamperError(
            "the PDF was changed after sealing (an incremental update after the e-seal: "
            f"{len(data) - after_at - after_len} bytes not covered by it)"
        )
    gap = data[gap_at:after_at]
    if not re.fullmatch(rb"<[0-9A-Fa-f]*>", gap) or (after_at - gap_at) % 2:
        raise TamperError("the e-seal's gap in /ByteRange is not its /Contents hex string")
    if not re.search(rb"/Contents\s*$", data[max(0, gap_at - 16) : gap_at]):
        raise TamperError("the e-seal's /ByteRange gap is not the signature's /Contents")
    dictionary = data[after_at : after_at + 4096].split(b"endobj", 1)[0]
    if not re.search(rb"/SubFilter\s*/ETSI\.CAdES\.detached", dictionary):
        raise TamperError("the e-seal is not a PAdES signature (/SubFilter /ETSI.CAdES.detached)")
    moment = _pdf_date(dictionary)

    container = bytes.fromhex(gap[1:-1].decode("ascii"))
    content_info, rest = _der(container, 0x30)
    if rest.strip(b"\0"):
        raise TamperError("the e-seal's /Contents holds bytes after its CMS SignedData")
    content_type, body = _seq(content_info, 2)
    if _oid(content_type) != _OID["signed_data"]:
        raise TamperError("the e-seal's /Contents is not a CMS SignedData")
    signed_data = _expect(_items(_expect(body, 0xA0))[0], 0x30)
    fields = _items(signed_data)
    if len(fields) < 4:
        raise TamperError("the e-seal's SignedData is incomplete")
    encap = _items(_expect(fields[2], 0x30))
    if _oid(encap[0]) != _OID["data"] or len(encap) != 1:
        raise TamperError("the e-seal's SignedData is not detached over data")
    certificates = []
    for item in fields[3:-1]:
        if item[0] == 0xA0:
            certificates = [_tlv_bytes(c) for c in _items(item)]
    signer_infos = _items(_expect(fields[-1], 0x31))
    if len(signer_infos) != 1:
        raise TamperError(f"the e-seal's SignedData has {len(signer_infos)} signers; it must have one")
    info = _items(_expect(signer_infos[0], 0x30))
    if len(info) < 6:
        raise TamperError("the e-seal's SignerInfo is incomplete")
    _, sid, digest_alg, attrs, signature_alg, signature = info[:6]
    algorithm = _DIGESTS.get(_oid(_items(_expect(digest_alg, 0x30))[0]))
    if algorithm is None:
        raise TamperError("the e-seal's digest algorithm is not SHA-2")
    if attrs[0] != 0xA0:
        raise TamperError("the e-seal's SignerInfo has no signed attributes")
    if _oid(_items(_expect(signature_alg, 0x30))[0]) != _OID["ed25519"]:
        raise TamperError("the e-seal is not an Ed25519 signature")
    seen: dict[str, list[bytes]] = {}
    for attribute in _items(attrs):
        kind, values = _items(_expect(attribute, 0x30))
        seen.setdefault(_oid(kind), []).extend(_value(v) for v in _items(_expect(values, 0x31)))
    if seen.get(_OID["content_type"]) != [_oid_bytes(_OID["data"])]:
        raise TamperError("the e-seal's signed content type is not data")
    digests = seen.get(_OID["message_digest"], [])
    covered = hashlib.new(algorithm, memoryview(data)[:gap_at])
    covered.update(memoryview(data)[after_at:])
    if len(digests) != 1:
        raise TamperError("the e-seal has no single message digest")
    if digests[0] != covered.digest():
        raise TamperError("the e-seal does not match the document: the signed bytes were changed")

    issuer_serial = _expect(sid, 0x30)
    signer = None
    for der_cert in certificates:
        tbs = _items(_expect(_items(_expect(der_cert, 0x30))[0], 0x30))
        at = 1 if tbs[0][0] == 0xA0 else 0
        if _tlv_bytes(tbs[at + 2]) + _tlv_bytes(tbs[at]) == _value(issuer_serial):
            signer = x509.load_der_x509_certificate(der_cert)
    if signer is None:
        raise TamperError("the e-seal's signer certificate is not in its SignedData")
    key = signer.public_key()
    if not isinstance(key, Ed25519PublicKey):
        raise TamperError("the e-seal's certificate does not hold an Ed25519 key")
    try:
        key.verify(_value(signature, 0x04), b"\x31" + _tlv_bytes(attrs)[1:])
    except InvalidSignature:
        raise TamperError("the e-seal's signature does not verify") from None
    try:
        signer.verify_directly_issued_by(root)
    except (ValueError, TypeError, InvalidSignature):
        raise TamperError(
            "the e-seal's certificate does not chain to the given HRSS root certificate"
        ) from None
    try:
        usage = signer.extensions.get_extension_for_class(x509.KeyUsage).value
        may_sign = usage.digital_signature or usage.content_commitment
    except x509.ExtensionNotFound:
        may_sign = True
    if not may_sign:
        raise TamperError("the e-seal's certificate may not sign documents (key usage)")
    for cert, what in ((signer, "e-seal"), (root, "HRSS root")):
        if moment is not None and not cert.not_valid_before_utc <= moment <= cert.not_valid_after_utc:
            raise TamperError(f"the {what} certificate was not valid at the seal's signing time {moment.isoformat()}")
    return SealCheck(
        signer_subject=_human(signer.subject),
        signing_time=moment,
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


# --- a minimal DER reader: enough for one CMS SignedData, and every failure a ValueError ----


def _tlv(buf: bytes, at: int = 0) -> tuple[int, int, int]:
    """(tag, start of value, end of value) of the TLV at ``at``."""
    if at + 2 > len(buf):
        raise ValueError("DER truncated")
    tag, first = buf[at], buf[at + 1]
    if tag & 0x1F == 0x1F:
        raise ValueError("DER: high tag numbers are not used here")
    at += 2
    if first < 0x80:
        length = first
    else:
        n = first & 0x7F
        if n == 0 or n > 4 or at + n > len(buf):
            raise ValueError("DER: bad length")
        length = int.from_bytes(buf[at : at + n], "big")
        at += n
    if at + length > len(buf):
        raise ValueError("DER truncated")
    return tag, at, at + length


def _der(buf: bytes, tag: int) -> tuple[bytes, bytes]:
    """The TLV at the start of ``buf`` (which must have ``tag``) and what follows it."""
    got, _, end = _tlv(buf)
    if got != tag:
        raise ValueError(f"DER: tag {got:#x} where {tag:#x} was expected")
    return buf[:end], buf[end:]


def _items(tlv: bytes) -> list[bytes]:
    """The TLVs inside a constructed TLV."""
    tag, at, end = _tlv(tlv)
    if not tag & 0x20:
        raise ValueError("DER: a primitive where a constructed value was expected")
    out = []
    while at < end:
        _, _, item_end = _tlv(tlv[:end], at)
        out.append(tlv[at:item_end])
        at = item_end
    return out


def _seq(tlv: bytes, n: int) -> list[bytes]:
    items = _items(_expect(tlv, 0x30))
    if len(items) != n:
        raise ValueError(f"DER: {len(items)} items where {n} were expected")
    return items


def _expect(tlv: bytes, tag: int) -> bytes:
    if not tlv or tlv[0] != tag:
        raise ValueError(f"DER: tag {tlv[:1].hex() or 'none'} where {tag:#x} was expected")
    return tlv


def _tlv_bytes(tlv: bytes) -> bytes:
    return tlv[: _tlv(tlv)[2]]


def _value(tlv: bytes, tag: int | None = None) -> bytes:
    got, at, end = _tlv(tlv)
    if tag is not None and got != tag:
        raise ValueError(f"DER: tag {got:#x} where {tag:#x} was expected")
    return tlv[at:end]


def _oid(tlv: bytes) -> str:
    raw = _value(tlv, 0x06)
    if not raw:
        raise ValueError("DER: empty OID")
    parts, n = [], 0
    for byte in raw:
        n = n << 7 | byte & 0x7F
        if not byte & 0x80:
            parts.append(n)
            n = 0
    first = min(parts[0] // 40, 2)
    return ".".join(map(str, [first, parts[0] - 40 * first, *parts[1:]]))


def _oid_bytes(dotted: str) -> bytes:
    a, b, *rest = map(int, dotted.split("."))
    out = bytearray()
    for n in [40 * a + b, *rest]:
        chunk = [n & 0x7F]
        while n > 0x7F:
            n >>= 7
            chunk.append(n & 0x7F | 0x80)
        out += bytes(reversed(chunk))
    return bytes(out)


_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def _pdf_date(dictionary: bytes) -> datetime | None:
    """The signature dictionary's /M (PDF date, ISO 32000 7.9.4), or None if it has none."""
    found = re.search(rb"/M\s*\(((?:[^()\\]|\\.){1,80})\)", dictionary, re.S)
    if not found:
        return None
    text = re.sub(
        rb"\\([0-7]{1,3}|.)",
        lambda m: bytes([int(m[1], 8) & 0xFF]) if m[1][:1].isdigit() else _ESCAPES.get(m[1], m[1]),
        found[1],
        flags=re.S,
    ).decode("latin-1")
    parts = re.fullmatch(r"D:(\d{4})(\d\d)?(\d\d)?(\d\d)?(\d\d)?(\d\d)?(?:(Z)|([+-])(\d\d)'?(\d\d)?'?)?", text)
    if not parts:
        raise TamperError(f"the e-seal's signing time /M is not a PDF date: {text[:40]!r}")
    year, month, day, hour, minute, second, zulu, sign, tzh, tzm = parts.groups()
    offset = timedelta(0)
    if sign:
        offset = timedelta(hours=int(tzh), minutes=int(tzm or 0)) * (1 if sign == "+" else -1)
    try:
        return datetime(int(year), int(month or 1), int(day or 1), int(hour or 0), int(minute or 0),
                        int(second or 0), tzinfo=timezone(offset))
    except ValueError:
        raise TamperError(f"the e-seal's signing time /M is not a date: {text[:40]!r}") from None


_NAME_LABELS = (
    (x509.NameOID.COMMON_NAME, "Common Name"), (x509.NameOID.ORGANIZATION_NAME, "Organization"),
    (x509.NameOID.STATE_OR_PROVINCE_NAME, "State/Province"), (x509.NameOID.COUNTRY_NAME, "Country"),
)


def _human(name: x509.Name) -> str:
    """The subject as pyHanko's asn1crypto shows it (``human_friendly``) for HRSS's names."""
    parts = []
    for oid, label in _NAME_LABELS:
        parts += [f"{label}: {a.value}" for a in name.get_attributes_for_oid(oid)]
    return ", ".join(parts) or name.rfc4514_string()
