"""``notices render``: the R-5, R-7 and R-17 documents from the live registers, on SQLite
and PostgreSQL — the right candidates and results, masked ids only, HTML escaped, the same
bytes (and digest) every time, and refused from lagging or missing registers."""

from __future__ import annotations

import csv
import hashlib
import io
import re
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from certledger.cli.main import cli
from certledger.domain.candidacy import Outcome
from certledger.projections.projector import Sql, catch_up
from tests.lifecycle_world import COMPARISON_OK, D, LifeWorld
from tests.test_registers import _demo

MASKED = re.compile(r"^\d{6}\*{8}\d{3}[\dX]$")
UNMASKED = re.compile(r"\d{17}[\dX]")


def _render(db: str, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["--db", db, "notices", "render", *args])
    return result.exit_code, result.stdout, result.stderr


def _table(db: str, kind: str, sitting: str) -> list[dict[str, str]]:
    code, out, err = _render(db, kind, "--sitting", sitting, "--format", "csv")
    assert code == 0, err
    return list(csv.DictReader(io.StringIO(out)))


def test_each_notice_lists_what_the_registers_hold(db_url: str, tmp_path: Path) -> None:
    ledger = _demo(db_url, tmp_path / "keys")
    try:
        catch_up(ledger)
        sql = Sql(ledger)
        sitting = next(s for s in sql.rows("sittings") if s["exam_code"] == "jianzaoshi-1")
        ref = "jianzaoshi-1:2025"
        passed = [c for c in sql.rows("candidacies") if c["sitting"] == sitting["sitting"] and c["passed"] == 1]
        verification = [v for v in sql.rows("verification") if v["sitting"] == sitting["sitting"]]
        custody = [k for k in sql.rows("custody") if k["sitting"] == sitting["sitting"] and k["custodian"] == "hrss"]
    finally:
        ledger.close()
    # every passed candidate once, masked, and the publicity period and deadlines.
    rows = _table(db_url, "publicity", ref)
    assert sorted((r["姓名"], r["身份证号码"]) for r in rows) == sorted((c["name"], c["masked_id"]) for c in passed)
    code, text, err = _render(db_url, "考试成绩合格公示和考后资格核查公告", "--sitting", ref)
    assert code == 0 and "2025年6月16日至2025年6月25日" in text and "2025年6月29日前报送" in text
    assert f"sha256:{hashlib.sha256(text.encode()).hexdigest()}" in err
    # each candidate's first-round result, the condition cited, and the appeal deadline.
    rows = _table(db_url, "results", ref)
    assert {r["身份证号码"]: r["核查结果"] for r in rows} == {
        v["masked_id"]: v["first_result"] or "报考条件待核查" for v in verification}
    assert {r["核查结果"] for r in rows} == {"合格", "不合格", "报考条件待核查"}
    assert all(r["不符合的报考条件"] for r in rows if r["核查结果"] == "不合格")
    code, text, _ = _render(db_url, "results", "--sitting", ref)
    assert "申辩" in text and "2025年8月14日前" in text and "补充资格核查" in text
    # the certificates transferred to HRSS when custody ran out, by number.
    rows = _table(db_url, "custody-roster", ref)
    assert custody and [r["证书编号"] for r in rows] == sorted(k["number"] for k in custody)
    code, text, _ = _render(db_url, "custody-roster", "--sitting", ref)
    assert "登记造册" in text and "至2030年5月25日期满" in text and "于2030年5月26日移交" in text
    # 保管起始日 is the day custody began, the paper certificate's arrival (issue 23 item 4), not the transfer.
    arrived = {k["number"]: date.fromisoformat(k["since"]) for k in custody}
    assert all(day.year == 2025 for day in arrived.values()), arrived
    assert {r["证书编号"]: r["保管起始日"] for r in rows} == {
        n: f"{d.year}年{d.month}月{d.day}日" for n, d in arrived.items()}
    # units and cities by their names, never their ids (issue 20 item 12)
    assert all(r["现保管单位"] == "河南省人力资源和社会保障厅" for r in rows)
    assert not re.search(r"\b(hrss|zhengzhou|kaifeng|work-years)\b", text + _render(db_url, "publicity", "--sitting", ref)[1])
    # Masked ids only, in every kind and format.
    for kind in ("publicity", "results", "custody-roster"):
        for fmt in ("txt", "html", "csv"):
            code, out, _ = _render(db_url, kind, "--sitting", ref, "--format", fmt)
            assert code == 0 and not UNMASKED.search(out)
            assert all(MASKED.match(m) for m in re.findall(r"\d{6}\*+\d{3}[\dX]", out))


def _world(db_url: str, tmp_path: Path) -> tuple[LifeWorld, str]:
    """A sitting with a candidate whose name would be markup, two others, all verified."""
    world = LifeWorld.create(db_url, tmp_path / "keys")
    sid = world.sitting()
    odd = world.ledger.register_candidate(
        "exam-center", sid, candidate="cand.008", name="<script>王&\"五'</script>", masked_id="410102********777X", city="zhengzhou",
        level="一级", comparison=COMPARISON_OK, on=date(2025, 3, 10),
    )
    ids = world.passed_and_handed_over(sid, ["cand.001", "cand.002"])
    world.ledger.release_score("exam-center", odd, True, {"综合": "72"}, on=D)
    world.ledger.hand_over("hrss", odd, on=date(2025, 6, 15))
    world.ledger.record_verification("dept.zhujian.henan", ids[0], Outcome.QUALIFIED, on=date(2025, 6, 20))
    world.ledger.record_verification("dept.zhujian.henan", odd, Outcome.QUALIFIED, on=date(2025, 6, 20))
    world.publicity_and_announcement(sid)
    return world, "jianzaoshi-1:2025"


def test_html_escapes_names_and_output_is_deterministic(db_url: str, tmp_path: Path) -> None:
    world, ref = _world(db_url, tmp_path)
    try:
        code, _, err = _render(db_url, "publicity", "--sitting", ref)
        assert code == 4 and "run 'certledger project'" in err  # no registers yet
        catch_up(world.ledger)
        before = None if db_url.startswith("postgresql") else Path(db_url).read_bytes()
        code, page, err = _render(db_url, "publicity", "--sitting", ref, "--format", "html")
        assert before is None or Path(db_url).read_bytes() == before  # reads only
        assert code == 0 and "<script>" not in page
        assert "&lt;script&gt;王&amp;&quot;五&#x27;&lt;/script&gt;" in page
        assert page.startswith("<!DOCTYPE html>") and page.count("<tr>") == 4  # header + 3 passed
        out = tmp_path / "notice.html"
        code, _, err2 = _render(db_url, "publicity", "--sitting", ref, "--format", "html", "-o", str(out))
        assert code == 0 and out.read_bytes() == page.encode() and err2 == err  # same registers, same bytes
        results = _table(db_url, "results", ref)
        assert {r["姓名"]: r["核查结果"] for r in results} == {
            "考生001": "合格", "考生002": "报考条件待核查", "<script>王&\"五'</script>": "合格"}
        # Lagging registers: refused, exit 2, nothing written.
        world.ledger.record_verification("dept.zhujian.henan", world.candidacies[("jianzaoshi-1", "cand.002")],
                                         Outcome.QUALIFIED, on=date(2025, 6, 21))
        code, out_text, err = _render(db_url, "results", "--sitting", ref)
        assert code == 2 and out_text == "" and "run 'certledger project' first" in err
        assert Sql(world.ledger).position()[0] < Sql(world.ledger).head()
    finally:
        world.close()


@pytest.mark.parametrize(("args", "message"), [
    (["nonesuch", "--sitting", "jianzaoshi-1:2025"], "no notice 'nonesuch'"),
    (["results", "--sitting", "jianzaoshi-2:2031"], "no sitting jianzaoshi-2:2031"),
])
def test_bad_input_is_one_line_and_exit_2(db_url: str, tmp_path: Path, args: list[str], message: str) -> None:
    world, _ = _world(db_url, tmp_path)
    try:
        catch_up(world.ledger)
        code, out, err = _render(db_url, *args)
        assert code == 2 and out == "" and message in err and "Traceback" not in err
    finally:
        world.close()
