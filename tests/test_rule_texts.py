"""`certledger rules`: each rule's summary and its source in the notices; the README's rule table
is the same text (it was made from shared/DOMAIN.md, word for word)."""

from __future__ import annotations

from pathlib import Path

import orjson
from click.testing import CliRunner

from certledger.cli.main import cli
from certledger.domain.rule_texts import RULES

README = Path(__file__).resolve().parent.parent / "README.md"


def test_the_readme_rule_table_is_the_rules_text() -> None:
    readme = README.read_text(encoding="utf-8")
    for rule in RULES.values():
        row = f"| {rule.id} | {rule.summary.replace('|', chr(92) + '|')} | {rule.source} |"
        assert row in readme, rule.id
    assert [r.id for r in RULES.values()] == [f"R-{n}" for n in range(1, 20)]
    assert {r.id for r in RULES.values() if r.generally} == {"R-5", "R-8", "R-16"}


def test_rules_prints_one_rule_with_its_source_paragraph_and_all_as_json() -> None:
    one = CliRunner().invoke(cli, ["rules", "R-8"])
    assert one.exit_code == 0 and one.stdout.startswith("R-8  [一般")
    assert "2024 §1(2) ¶6: 补充资格核查和接受申辩一般安排在考试成绩发布后两个月内集中完成" in one.stdout
    every = orjson.loads(CliRunner().invoke(cli, ["rules", "--json"]).stdout)
    assert len(every) == 19 and every[11]["id"] == "R-12" and "第十条、第十二条" in every[11]["text"]
    unknown = CliRunner().invoke(cli, ["rules", "R-20"])
    assert unknown.exit_code == 2 and "no rule 'R-20'" in unknown.stderr


def test_each_act_shows_its_official_term_beside_the_english() -> None:
    listed = CliRunner().invoke(cli, ["candidate", "--help"]).stdout
    for term in ("申辩:", "申辩处理（申辩成立 / 申辩不成立）:", "补充资格核查:", "视为放弃:", "资格核查结果:"):
        assert term in listed, term
    assert "登记造册移交:" in CliRunner().invoke(cli, ["sitting", "transfer-custody", "--help"]).stdout


def test_rules_states_the_one_counting_rule() -> None:
    """Issue 23 item 4: one counting rule for every period, stated by ``certledger rules``."""
    from certledger.domain.calendar import COUNTING

    everything = CliRunner().invoke(cli, ["rules"])
    assert everything.exit_code == 0 and everything.stdout.rstrip().endswith(COUNTING)
    assert "C-1 Counting" in COUNTING and "not counted" in COUNTING and "from the day after" in COUNTING
    assert "C-1 Counting" in CliRunner().invoke(cli, ["rules", "R-17"]).stdout
    assert "C-1" not in CliRunner().invoke(cli, ["rules", "R-1"]).stdout
