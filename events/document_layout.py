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

from certledger.domain.publication import DOCUMENT_CHANNEL

FONT_PATH = "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc"  # Debian fonts-noto-cjk
FONT_INDEX_SC = 2  # Simplified Chinese face of the collection
ISSUER_ZH = "河南省人力资源和社会保障厅"

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
    id_number_masked: str  # as sealed; the full number on a holder's copy that carries its binding (L-7)
    qualification: str  # 资格名称 or 考试名称
    level_or_specialty: str  # 级别 / 专业
    number: str  # 证书编号 / 证明编号
    issued_on: datetime  # 签发日期, China Standard Time shown
    qr_payload: str
    check_line: str


def render_page(content: DocumentContent, keywords: str | None = None) -> bytes:
    """The unsealed PDF bytes. ``keywords``: the holder's copy's id-number binding (L-7,
    events.document.IdBinding), its /Keywords; a document without one is as before."""
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
    if keywords is not None:
        pdf.set_keywords(keywords)
    font = _face().document_font()  # as pdf.add_font("serif", FONT_PATH, …) would, parsed once
    font.i = len(pdf.fonts) + 1
    pdf.fonts["serif"] = font
    pdf._set_min_pdf_version("1.6")
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
        ("发布渠道", DOCUMENT_CHANNEL),
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
    pdf.file_id = lambda: _file_id(content, keywords)
    return bytes(pdf.output(output_producer_class=_producer_class()))


def _file_id(content: DocumentContent, keywords: str | None = None) -> str:
    text = repr(content) if keywords is None else f"{content!r}\n{keywords}"
    digest = hashlib.sha256(text.encode()).hexdigest()[:32].upper()
    return f"<{digest}><{digest}>"


# --- the embedded font -----------------------------------------------------------------------
# fpdf2 parses the 20 MB collection for every document (~1 s) and subsets it with fontTools at
# output (~0.8 s). Here the face is parsed once per process and each document's subset is a
# CID-keyed CFF assembled from the glyphs it uses: each glyph's charstring desubroutinized once
# and cached, no subroutines, GID 0 .notdef then the used CIDs in ascending order, so a
# document's font depends only on the characters it shows, not on what was rendered before.
# The PDF objects are the ones fpdf2 writes for a CID-keyed CFF font (Type0 / CIDFontType0 /
# FontFile3 CIDFontType0C, ToUnicode), built by _Producer below.

_FACE = None
_PRODUCER = None


class _Face:
    """The Noto Serif CJK SC face, parsed once: fpdf2's font object and the CFF pieces."""

    def __init__(self) -> None:
        from fontTools.ttLib import TTFont
        from fpdf import FPDF
        from fpdf.fonts import TTFFont

        class _SharedFont(TTFFont):  # marks the font _Producer embeds
            _shared_face = True

        self.font = _SharedFont(FPDF(), FONT_PATH, "serif", "", None, None, None, FONT_INDEX_SC)
        self.tt = TTFont(FONT_PATH, fontNumber=FONT_INDEX_SC, lazy=True)
        cff = self.tt["CFF "].cff
        self.cff_name = cff.fontNames[0].encode("latin-1")
        self.top = cff.topDictIndex[0]
        self.charstrings = self.top.CharStrings
        self.glyphs: dict[int, tuple[int, bytes]] = {}  # cid -> (FD index, charstring)
        self.privates: dict[int, bytes] = {}

    def glyph(self, cid: int) -> tuple[int, bytes]:
        got = self.glyphs.get(cid)
        if got is None:
            from fontTools.cffLib.transforms import desubroutinizeCharString

            name = ".notdef" if cid == 0 else f"cid{cid:05d}"
            gid = self.charstrings.charStrings[name]
            cs = self.charstrings[name]
            desubroutinizeCharString(cs)
            cs.bytecode = None
            cs.compile()
            got = self.glyphs[cid] = (self.top.FDSelect[gid], bytes(cs.bytecode))
        return got

    def private(self, fd: int) -> bytes:
        got = self.privates.get(fd)
        if got is None:
            raw = self.top.FDArray[fd].Private.rawDict
            out = bytearray()
            for key, op in _PRIVATE_OPS:
                if key in raw:
                    value = raw[key]
                    if key in _DELTA:
                        value = [b - a for a, b in zip([0, *value], value)]
                    for v in value if isinstance(value, list) else [value]:
                        out += _num(v)
                    out += op
            got = self.privates[fd] = bytes(out)
        return got

    def document_font(self):
        """A fresh fpdf2 font object for one document, sharing the parsed face."""
        import copy

        from fpdf.fonts import SubsetMap

        font = copy.copy(self.font)
        font.subset = SubsetMap(font)
        font.missing_glyphs = []
        font.biggest_size_pt = 0
        return font

    def cff(self, cids: list[int]) -> bytes:
        """The CID-keyed CFF (Adobe TN 5176) holding .notdef and ``cids`` (ascending)."""
        glyphs = [self.glyph(0)] + [self.glyph(c) for c in cids]
        fds = sorted({fd for fd, _ in glyphs})
        fd_index = {fd: i for i, fd in enumerate(fds)}
        strings = [b"Adobe", b"Identity"] + [
            self.top.FDArray[fd].rawDict.get("FontName", "fd").encode("latin-1") for fd in fds
        ]
        sid = 391  # the first custom string id
        header = b"\x01\x00\x04\x04"
        name_index = _index([self.cff_name])
        string_index = _index(strings)
        gsubrs = b"\x00\x00"
        charset = b"\x00" + b"".join(c.to_bytes(2, "big") for c in cids)
        fdselect = b"\x00" + bytes(fd_index[fd] for fd, _ in glyphs)
        charstrings = _index([cs for _, cs in glyphs])
        privates = [self.private(fd) for fd in fds]
        # the top DICT's offsets use the fixed 5-byte integer form, so its size is known first
        bbox = b"".join(_num(v) for v in self.top.rawDict["FontBBox"]) + b"\x05"

        def top(charset_at: int, fdselect_at: int, cs_at: int, fdarray_at: int) -> bytes:
            return (
                _num(sid) + _num(sid + 1) + _num(0) + b"\x0c\x1e"  # ROS
                + _num(65535) + b"\x0c\x22"  # CIDCount
                + bbox
                + _int5(charset_at) + b"\x0f"
                + _int5(fdselect_at) + b"\x0c\x25"
                + _int5(cs_at) + b"\x11"
                + _int5(fdarray_at) + b"\x0c\x24"
            )

        top_len = len(_index([top(0, 0, 0, 0)]))
        at = len(header) + len(name_index) + top_len + len(string_index) + len(gsubrs)
        charset_at = at
        fdselect_at = charset_at + len(charset)
        cs_at = fdselect_at + len(fdselect)
        fdarray_at = cs_at + len(charstrings)

        def font_dicts(private_at: int) -> list[bytes]:
            dicts, pos = [], private_at
            for i, private in enumerate(privates):
                dicts.append(_num(sid + 2 + i) + b"\x0c\x26" + _num(len(private)) + _int5(pos) + b"\x12")
                pos += len(private)
            return dicts

        fdarray_len = len(_index(font_dicts(0)))
        fdarray = _index(font_dicts(fdarray_at + fdarray_len))
        assert len(fdarray) == fdarray_len
        return b"".join(
            [header, name_index, _index([top(charset_at, fdselect_at, cs_at, fdarray_at)]),
             string_index, gsubrs, charset, fdselect, charstrings, fdarray, *privates]
        )


_PRIVATE_OPS = (
    ("BlueValues", b"\x06"), ("OtherBlues", b"\x07"), ("FamilyBlues", b"\x08"),
    ("FamilyOtherBlues", b"\x09"), ("BlueScale", b"\x0c\x09"), ("BlueShift", b"\x0c\x0a"),
    ("BlueFuzz", b"\x0c\x0b"), ("StdHW", b"\x0a"), ("StdVW", b"\x0b"),
    ("StemSnapH", b"\x0c\x0c"), ("StemSnapV", b"\x0c\x0d"), ("ForceBold", b"\x0c\x0e"),
    ("LanguageGroup", b"\x0c\x11"), ("ExpansionFactor", b"\x0c\x12"),
    ("defaultWidthX", b"\x14"), ("nominalWidthX", b"\x15"),
)
_DELTA = {"BlueValues", "OtherBlues", "FamilyBlues", "FamilyOtherBlues", "StemSnapH", "StemSnapV"}


def _num(v) -> bytes:
    from fontTools.misc.psCharStrings import encodeFloat, encodeIntCFF

    if isinstance(v, bool):
        v = int(v)
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return encodeIntCFF(v) if isinstance(v, int) else encodeFloat(v)


def _int5(v: int) -> bytes:
    return b"\x1d" + v.to_bytes(4, "big", signed=True)


def _index(items: list[bytes]) -> bytes:
    if not items:
        return b"\x00\x00"
    offsets, pos = [1], 1
    for item in items:
        pos += len(item)
        offsets.append(pos)
    size = 1 if pos < 1 << 8 else 2 if pos < 1 << 16 else 3 if pos < 1 << 24 else 4
    return (
        len(items).to_bytes(2, "big") + bytes([size])
        + b"".join(o.to_bytes(size, "big") for o in offsets) + b"".join(items)
    )


def _face() -> _Face:
    global _FACE
    if _FACE is None:
        _FACE = _Face()
    return _FACE


def _producer_class():
    global _PRODUCER
    if _PRODUCER is None:
        _PRODUCER = _make_producer_class()
    return _PRODUCER


def _make_producer_class():
    from fpdf.output import (
        CIDSystemInfo, Name, OutputProducer, PDFArray, PDFContentStream, PDFFont,
        PDFFontStream, PDFString, Raw, _build_cmap_blocks, _cid_font_widths,
    )

    class _Producer(OutputProducer):
        """fpdf2's output, with the shared face's subset built by _Face.cff."""

        def _add_fonts(self, *args):
            fonts = self.fpdf.fonts
            mine = {k: f for k, f in fonts.items() if getattr(f, "_shared_face", False)}
            for key in mine:
                del fonts[key]
            try:
                objs = super()._add_fonts(*args)
            finally:
                fonts.update(mine)
            for font in sorted(mine.values(), key=lambda f: f.i):
                objs[font.i] = self._add_shared_font(font)
            return objs

        def _add_shared_font(self, font):
            fontname = f"MPDFAA+{font.name}"
            code_to_cid: dict[int, int] = {}
            cid_widths: dict[int, int] = {}
            for glyph, code in font.subset.items():
                if glyph is None:
                    continue
                name = glyph.glyph_name
                cid = int(name[3:]) if name.startswith("cid") and name[3:].isdigit() else glyph.glyph_id
                code_to_cid[code] = cid
                cid_widths[cid] = glyph.glyph_width
            stream = _face().cff(sorted(c for c in set(code_to_cid.values()) if c))
            composite = PDFFont(subtype="Type0", base_font=fontname, encoding="Identity-H")
            self._add_pdf_obj(composite, "fonts")
            cid_font = PDFFont(
                subtype="CIDFontType0", base_font=fontname, d_w=font.desc.missing_width,
                w=_cid_font_widths(cid_widths),
            )
            self._add_pdf_obj(cid_font, "fonts")
            composite.descendant_fonts = PDFArray([cid_font])
            bf = []
            for glyph, code in font.subset.items():
                if glyph is None or not isinstance(glyph.unicode, tuple) or not glyph.unicode:
                    continue
                text = "".join(
                    f"{0xD800 | (u - 0x10000) >> 10:04X}{0xDC00 | (u & 0x3FF):04X}" if u > 0xFFFF else f"{u:04X}"
                    for u in glyph.unicode
                )
                bf.append(f"<{code:04X}> <{text}>\n")
            to_unicode = PDFContentStream(
                (
                    "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
                    "/CIDSystemInfo\n<</Registry (Adobe)\n/Ordering (UCS)\n/Supplement 0\n>> def\n"
                    "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
                    "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"
                    f"{_build_cmap_blocks(bf, 'bfchar')}"
                    "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend"
                ).encode("latin-1")
            )
            self._add_pdf_obj(to_unicode, "fonts")
            composite.to_unicode = to_unicode
            registry, ordering, supplement = font.cff_ros
            mapping = [f"<{code:04X}> {cid}\n" for code, cid in sorted(code_to_cid.items())]
            encoding = PDFContentStream(
                (
                    "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
                    f"/CIDSystemInfo\n<</Registry ({registry})\n/Ordering ({ordering})\n"
                    f"/Supplement {supplement}\n>> def\n/CMapName /{registry}-{ordering}-UCS def\n"
                    "/CMapType 2 def\n1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"
                    f"{_build_cmap_blocks(mapping, 'cidchar')}"
                    "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend"
                ).encode("latin-1")
            )
            encoding.type = Name("CMap")
            encoding.c_map_name = Name(f"{registry}-{ordering}-UCS")
            encoding.c_i_d_system_info = Raw(
                f"<< /Registry ({registry}) /Ordering ({ordering}) /Supplement {supplement} >>"
            )
            self._add_pdf_obj(encoding, "fonts")
            composite.encoding = encoding
            info = CIDSystemInfo()
            info.registry = PDFString(registry, encrypt=True)
            info.ordering = PDFString(ordering, encrypt=True)
            info.supplement = supplement
            self._add_pdf_obj(info, "fonts")
            cid_font.c_i_d_system_info = info
            import copy

            descriptor = copy.copy(font.desc)  # the shared face's descriptor stays untouched
            descriptor.font_name = Name(fontname)
            self._add_pdf_obj(descriptor, "fonts")
            cid_font.font_descriptor = descriptor
            file = PDFFontStream(contents=stream)
            file.subtype = Name("CIDFontType0C")
            self._add_pdf_obj(file, "fonts")
            descriptor.font_file3 = file
            return composite

    return _Producer
