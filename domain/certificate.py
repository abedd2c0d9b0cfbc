"""The certificate document that HRSS's e-seal signs (R-13 e-certificate, R-14 pass proof).

The e-seal is HRSS's signature on the ``CertificateIssued`` event, so the event carries the
document itself: who holds the certificate, for which exam, level and year, its number and
kind, when and by whom it was issued. "Only the document exactly as signed verifies" (R-13)
then means exactly the canonical bytes of that signed event: a converted copy (re-typed,
re-serialised, a field changed) does not.

The document is derived from the candidacy and the sitting as they stand when the
certificate is issued, never typed in, so ``verify``'s replay re-derives it and the stored
event must match it field for field.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from certledger.domain.exams import exam
from certledger.domain.units import HRSS, unit_name

TITLES = {
    "e-certificate": "河南省专业技术人员职业资格证书（电子证书）",
    "pass-proof": "全国专业技术人员职业资格考试合格证明（河南）",
}
# What the certificate is valid for, in the notice's words (2019 §一(二), §一(四)): part of the
# sealed content, so a relying party reads its scope on the document itself (issue 23 item 12).
SCOPES = {
    "e-certificate": "作为我省执业注册的有效凭证；其他任何形式的电子证书再转换版本，不具备同等法律效力",
    "pass-proof": "表明持证人员相应专业技术职业资格考试成绩合格，在国家印制的纸质证书发放之前，在省内具有纸质证书同等效力，"
                  "可作为我省相应系列、级别专业技术职称评聘以及注册的依据",
}
SCOPES_EN = {
    "e-certificate": "the valid credential for professional registration in Henan; no converted version has the same legal force",
    "pass-proof": "the exam was passed; until the national paper certificate is issued, it has the paper certificate's "
                  "force in Henan, for title evaluation and registration",
}
DOCUMENT_FIELDS = (
    "title", "kind", "number", "holder", "id_number", "exam", "exam_code", "level", "year",
    "candidacy", "issued_on", "issuer", "scope",
)  # fmt: skip


def certificate_document(
    *, kind: str, number: str, holder: str, id_number: str, exam_code: str, level: str, year: int,
    candidacy: str, issued_on: date, specialty: str = "", id_commitment: str = "",
) -> dict[str, Any]:  # fmt: skip
    """The sealed document's fields (holder's id number masked, as registered); ``specialty``
    (专业) only where the candidate registered one, and ``id_commitment`` (L-7, the salted
    commitment to the full id number, domain.id_number) only where registration gave the
    full number, so documents sealed before keep their bytes. The number and its salt are
    never sealed here: the holder's copy carries them (events.holder_secrets)."""
    document = {
        "title": TITLES[kind],
        "kind": kind,
        "number": number,
        "holder": holder,
        "id_number": id_number,
        "exam": exam(exam_code).name,
        "exam_code": exam_code,
        "level": level,
        "year": year,
        "candidacy": candidacy,
        "issued_on": issued_on.isoformat(),
        "issuer": unit_name(HRSS)[0],
        "scope": SCOPES[kind],
    }
    if specialty:
        document["specialty"] = specialty
    if id_commitment:
        document["id_commitment"] = id_commitment
    return document
