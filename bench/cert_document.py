"""Benchmark: sealed PDF documents a second, the work of ``cert document`` (goal ≥ 20/s, issue 19).

    .venv/bin/python bench/cert_document.py [--documents 1000] [--profile]

Renders (events.document_layout.render_page) and seals (signing.pdf_seal.seal_pdf, PAdES
B-B, Ed25519) ``--documents`` e-certificates and pass proofs in one process with one HRSS key
pair and chain, names drawn from 600 common characters of personal names (so the font subsets
differ and the glyph cache fills as it would). Printed beside two references measured in the
same run: fpdf2 writing the same page's frame and text in a core font (no embedded font, no
QR, no seal), and raw Ed25519 signing plus SHA-256 of each sealed document's bytes. The first
document (which parses the font face, ~1 s) is timed apart; ``--profile`` prints where the
time of 50 documents goes (cProfile).
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import io
import pstats
import random
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey  # noqa: E402

from certledger.events.document import qr_text  # noqa: E402
from certledger.events.document_layout import DocumentContent, render_page  # noqa: E402
from certledger.signing.pdf_seal import seal_pdf  # noqa: E402
from certledger.signing.x509_chain import root_certificate, sealing_certificate  # noqa: E402

CST = timezone(timedelta(hours=8))
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬燕彬鹏辉建国建华建平志强"
    "志明海燕海涛俊杰文博思远子涵浩然宇轩梓萱欣怡雨桐晨阳佳怡一鸣天佑嘉懿若曦振宇国栋德华淑珍"
    "春梅秋菊冬雪夏荷永刚永红卫东卫国新民新华光辉少华少军立新立军长江长春凤英凤兰金凤银凤翠花"
    "晓东晓明晓红晓燕晓峰亚楠亚男雅琴雅静慧敏慧琳慧芳婷婷倩倩丹丹莉莉琳琳蕾蕾瑶瑶璐璐鑫鑫淼淼"
    "昊天昊然皓轩睿泽煜祺瑾瑜琪琦瑞麟麒麟骏驰骁勇鹤鸣鸿儒鹏飞翔宇翰林墨涵诗雨语嫣紫萱梦瑶馨予"
    "锦程铭轩钰彤锐泽铮骞焕然炜烨熠彤灿烂煊赫熙然曦月昕妍晗昱晟昶旭暄暖曜"
)
QUALIFICATIONS = (
    ("一级建造师", "建筑工程"), ("一级建造师", "市政公用工程"), ("二级建造师", "机电工程"),
    ("注册会计师", "全科"), ("经济师", "中级 人力资源管理"), ("监理工程师", "交通运输工程"),
)


def contents(n: int, seed: int = 1) -> list[DocumentContent]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
        qualification, level = rng.choice(QUALIFICATIONS)
        kind = "certificate" if i % 3 else "pass_proof"
        number = f"HN-2025-{i:06d}" if kind == "certificate" else f"豫考证〔2025〕{i:05d}"
        out.append(DocumentContent(
            kind=kind, holder_name=name, id_number_masked=f"410***********{rng.randrange(10000):04d}",
            qualification=qualification, level_or_specialty=level, number=number,
            issued_on=datetime(2025, 6, 1, 9, 0, tzinfo=CST) + timedelta(days=i % 30),
            # the issued documents' QR form (events/document.qr_text), so cert verify reads it
            qr_payload=qr_text(number, hashlib.sha256(number.encode()).digest(), "https://hrss.henan.example/lookup"),
            check_line="扫描二维码或登录河南省政务服务网核验；或 certledger cert verify 本文件 --root 根证书。",
        ))
    return out


def core_font_page(content: DocumentContent) -> bytes:
    """Reference: fpdf2, the same frame and rows in Helvetica (ASCII stand-ins), nothing embedded."""
    from fpdf import FPDF

    pdf = FPDF(format="A4", unit="mm")
    pdf.set_creation_date(content.issued_on)
    pdf.add_page()
    pdf.rect(12, 12, 186, 273)
    pdf.set_font("helvetica", size=17)
    pdf.set_xy(15, 30)
    pdf.cell(180, 12, "Professional qualification certificate", align="C")
    pdf.set_font("helvetica", size=12)
    y = 62
    for label in ("name", "id", "qualification", "level", "number", "date", "issuer", "channel"):
        pdf.set_xy(30, y)
        pdf.cell(40, 9, label)
        pdf.cell(120, 9, content.number.encode("ascii", "replace").decode())
        y += 11
    pdf.circle(x=125, y=200, radius=22)
    pdf.set_xy(30, 262)
    pdf.multi_cell(150, 5, "Scan the QR code or check at the provincial service portal.")
    return bytes(pdf.output())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--documents", type=int, default=1000)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    root_key = Ed25519PrivateKey.from_private_bytes(hashlib.sha256(b"bench root").digest())
    seal_key = Ed25519PrivateKey.from_private_bytes(hashlib.sha256(b"bench seal").digest())
    since = datetime(2024, 1, 1, tzinfo=timezone.utc)
    root = root_certificate(root_key, not_before=since)
    seal = sealing_certificate(seal_key.public_key(), root_key, not_before=since)
    items = contents(args.documents + 1)

    def document(content: DocumentContent) -> bytes:
        return seal_pdf(
            render_page(content), seal_key=seal_key, seal_cert=seal, root_cert=root,
            signing_time=content.issued_on,
            document_id=hashlib.sha256(content.number.encode()).digest()[:16],
        )

    start = time.perf_counter()
    document(items[0])
    first = time.perf_counter() - start
    start = time.perf_counter()
    made = [document(c) for c in items[1:]]
    elapsed = time.perf_counter() - start
    rate = len(made) / elapsed

    start = time.perf_counter()
    for c in items[1:]:
        core_font_page(c)
    core_rate = len(made) / (time.perf_counter() - start)
    start = time.perf_counter()
    for data in made:
        seal_key.sign(hashlib.sha256(data).digest())
    raw_rate = len(made) / (time.perf_counter() - start)

    size = sum(map(len, made)) / len(made)
    print(f"documents: {len(made)} (first one apart: {first * 1000:.0f} ms, parses the font face)")
    print(f"render + seal:                      {rate:8.1f} documents/s  ({1000 / rate:.1f} ms each, "
          f"{size / 1024:.1f} kB average)")
    print(f"reference, fpdf2 core-font page:    {core_rate:8.1f} pages/s      ratio {rate / core_rate:.3f}")
    print(f"reference, SHA-256 + Ed25519 sign:  {raw_rate:8.1f} documents/s  ratio {rate / raw_rate:.4f}")
    print(f"goal ≥ 20 documents/s: {'met' if rate >= 20 else 'NOT met'} here")
    if args.profile:
        profile = cProfile.Profile()
        profile.enable()
        for c in items[1:51]:
            document(c)
        profile.disable()
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(30)
        print(out.getvalue())


if __name__ == "__main__":
    main()
