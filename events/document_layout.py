"""The sealed document's page: the e-certificate (R-13, 河南省专业技术人员职业资格证书（电子证书）)
or the pass proof (R-14, 全国专业技术人员职业资格考试合格证明（河南）) as one A4 page, laid out
with fpdf2 in Noto Serif CJK SC (an embedded subset), with a QR code made by segno.

Deterministic: the creation date is the caller's (from the ledger), fpdf2's subset tag and
object order are fixed, and the trailer /ID is derived from the content.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from datetime import datetime

FONT_PATH = "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc"  # Debian fonts-noto-cjk
FONT_INDEX_SC = 2  # Simplified Chinese face of the collection
ISSUER_ZH = "河南省人力资源和社会保障厅"
CHANNEL_ZH = "河南省政务服务网"

TITLE = {
    "certificate": "河南省专业技术人员职业资格证书（电子证书）",
    "pass_proof": "全国专业技术人员职业资格考试合格证明（河南）",
}
PASS_PROOF_SCOPE = (
    "本合格证明在河南省内用于职称评审和注册，与纸质证书具有同等效力，"
    "有效期至全国统一印制的纸质证书颁发之日止。"
)


@dataclass(frozen=True)
class DocumentContent:
    """What the page says; plain data, no internal ids (no exam code, no candidacy UUID)."""

    kind: str  # "certificate" | "pass_proof"
    holder_name: str
    id_number_masked: str
    qualification: str  # 资格名称 or 考试名称
    level_or_specialty: str  # 级别 / 专业
    number: str  # 证书编号 / 证明编号
    issued_on: datetime  # 签发日期, China Standard Time shown
    qr_payload: str
    check_line: str


def render_page(content: DocumentContent) -> bytes:
    """The unsealed PDF bytes."""
    from fpdf import FPDF
    import segno

    if content.kind not in TITLE:
        raise ValueError(f"unknown document kind {content.kind!r}")
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_creation_date(content.issued_on)
    pdf.set_title(TITLE[content.kind])
    pdf.set_subject(content.qr_payload)  # the QR code's text, readable without an image decoder
    pdf.set_author(ISSUER_ZH)
    pdf.set_producer("certledger")
    pdf.add_font("serif", fname=FONT_PATH, collection_font_number=FONT_INDEX_SC)
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.set_draw_color(120, 20, 20)
    pdf.set_line_width(0.8)
    pdf.rect(12, 12, 186, 273)
    pdf.set_font("serif", size=17)
    pdf.set_xy(15, 30)
    pdf.cell(180, 12, TITLE[content.kind], align="C")
    noun = "证书编号" if content.kind == "certificate" else "证明编号"
    rows = [
        ("姓名", content.holder_name),
        ("身份证号", content.id_number_masked),
        ("资格名称" if content.kind == "certificate" else "考试名称", content.qualification),
        ("级别／专业", content.level_or_specialty),
        (noun, content.number),
        ("签发日期", content.issued_on.strftime("%Y年%m月%d日")),
        ("发证机关", ISSUER_ZH),
        ("发布渠道", CHANNEL_ZH),
    ]
    pdf.set_font("serif", size=12)
    y = 62
    for label, value in rows:
        pdf.set_xy(30, y)
        pdf.cell(40, 9, label)
        # values are drawn as text: nothing in them is interpreted
        pdf.cell(120, 9, value)
        y += 11
    if content.kind == "pass_proof":
        pdf.set_xy(30, y + 4)
        pdf.multi_cell(150, 7, PASS_PROOF_SCOPE)
    # the visible e-seal mark: a circle with the issuer's name; the legal seal is the PDF
    # signature, this only shows where it is
    pdf.set_draw_color(200, 0, 0)
    pdf.set_text_color(200, 0, 0)
    pdf.set_line_width(1.0)
    pdf.circle(x=125, y=200, radius=22)
    pdf.set_font("serif", size=9)
    pdf.set_xy(103, 194)
    pdf.cell(44, 6, ISSUER_ZH, align="C")
    pdf.set_xy(103, 201)
    pdf.cell(44, 6, "电子印章", align="C")
    pdf.set_text_color(0, 0, 0)
    qr = segno.make(content.qr_payload, error="m")
    png = io.BytesIO()
    qr.save(png, kind="png", scale=8, border=4)
    png.seek(0)
    pdf.image(png, x=30, y=180, w=45)
    pdf.set_font("serif", size=9)
    pdf.set_xy(30, 262)
    pdf.multi_cell(150, 5, content.check_line)
    pdf.file_id = lambda: _file_id(content)
    return bytes(pdf.output())


def _file_id(content: DocumentContent) -> str:
    digest = hashlib.sha256(repr(content).encode()).hexdigest()[:32].upper()
    return f"<{digest}><{digest}>"
