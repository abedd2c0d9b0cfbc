"""Each act is declared once, beside its domain command: its command, English and official
names, who performs it, its rules, inputs and service. The CLI commands, their help and
``certledger rules`` are made from those declarations."""

from __future__ import annotations

import orjson
from click.testing import CliRunner

import certledger.domain.candidacy  # noqa: F401 - declares the lifecycle's acts
from certledger.cli.main import cli
from certledger.domain.acts import _DECLARED, _bind_pending, official_term, performed_acts, rules_of
from certledger.events.ledger import Ledger

# Acts recorded otherwise than by a command of their own: a late entry rides on the act's
# --late; a number's claim is saved with the certificate that names it; the publication
# (文书发布) is recorded by `cert document`'s first run, which computes the digest it signs.
NOT_A_COMMAND = {"LateEntryRecorded", "Claimed", "DocumentPublished"}


def test_every_lifecycle_act_has_a_declared_command_and_service() -> None:
    _bind_pending()
    lifecycle = [d for found in _DECLARED.values() for d in found
                 if d.command.__qualname__.split(".")[0] in ("Candidacy", "ExamSitting") and d.event not in NOT_A_COMMAND]
    commands = {d.command for d in performed_acts()}
    assert len(lifecycle) > 25  # the lifecycle's acts were found at all
    missing = sorted({d.event for d in lifecycle if d.command not in commands})
    assert missing == [], f"acts with no command (add an Interface to their @act): {missing}"
    for d in performed_acts():
        assert d.interface is not None and callable(getattr(Ledger, d.interface.service, None)), d.interface
    assert len({d.interface.command for d in performed_acts()}) == len(performed_acts())  # one command each


def test_each_command_shows_its_official_term_rules_and_who_performs_it() -> None:
    runner = CliRunner()
    for d in performed_acts():
        assert d.interface is not None
        result = runner.invoke(cli, [*d.interface.command.split(" "), "--help"])
        assert result.exit_code == 0, result.output
        text = " ".join(result.stdout.split())
        assert text.split("Usage: ")[1].split("  ")[0]  # a usage line
        assert f"{official_term(d.command)}:" in text, (d.interface.command, text[:300])
        assert all(rule in text for rule in rules_of(d.command)), (d.interface.command, text[:400])
        assert " ".join(f"Performed by {d.interface.by}".split()) in text


def test_rules_name_the_acts_they_govern() -> None:
    result = CliRunner().invoke(cli, ["rules", "R-8", "--json"])
    assert result.exit_code == 0, result.output
    acts = {a["command"]: a["term"] for a in orjson.loads(result.stdout)[0]["acts"]}
    assert acts["candidate appeal"] == "申辩" and acts["candidate forfeit"] == "视为放弃"
    assert "cert reissue" not in acts
    text = CliRunner().invoke(cli, ["rules", "R-18"]).stdout
    assert "不予受理补发 (certledger cert reissue)" in text
