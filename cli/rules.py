"""``certledger rules [RULE]``: each rule's summary and its source paragraph in the notices, so an
error's rule id (``R-8: …``) can be looked up without the repository. Needs no ledger."""

from __future__ import annotations

import click

from certledger.cli.output import emit_json
from certledger.domain.errors import InputError
from certledger.domain.rule_texts import COUNTING_RULE, RULES


@click.command("rules")
@click.argument("rule_id", metavar="[RULE]", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def rules(rule_id: str | None, as_json: bool) -> None:
    """The rules R-1 … R-19 (or one, e.g. R-8): what each says, and the notice's own words with
    the paragraph they come from (2019 = 豫人社〔2019〕8号, 2024 = 豫人社函〔2024〕25号)."""
    if rule_id is None:
        chosen = list(RULES.values())
    else:
        key = rule_id.strip().upper()
        key = key if key.startswith("R-") else f"R-{key}"
        if key not in RULES:
            raise InputError(f"no rule {rule_id!r}: the rules are R-1 … R-{len(RULES)}")
        chosen = [RULES[key]]
    acts = _acts_by_rule()
    if as_json:
        emit_json([{"id": r.id, "summary": r.summary, "source": r.source, "text": r.text, "generally": r.generally,
                    "acts": acts.get(r.id, [])} for r in chosen])
        return
    for n, r in enumerate(chosen):
        if n:
            click.echo("")
        norm = "  [一般: a norm; a departure is a signed exception, --exception]" if r.generally else ""
        click.echo(f"{r.id}{norm}\n  {r.summary}\n  {r.source}: {r.text}")
        if r.id in acts:
            click.echo("  acts: " + "; ".join(f"{a['term']} (certledger {a['command']})" for a in acts[r.id]))
    # The counting rule governs every period above: with the whole list, and with each rule that sets one.
    if rule_id is None or any(r.id in PERIODS for r in chosen):
        click.echo(f"\n{COUNTING_RULE}")


PERIODS = ("R-5", "R-6", "R-8", "R-10", "R-16", "R-17")  # the rules that set a period (C-1 counts them)


def _acts_by_rule() -> dict[str, list[dict[str, str]]]:
    """The acts each rule governs, as the acts' own declarations name their rules."""
    import certledger.domain.candidacy  # noqa: F401 - declares the candidacy's acts
    from certledger.domain.acts import official_term, performed_acts, rules_of

    found: dict[str, list[dict[str, str]]] = {}
    for declaration in performed_acts():
        assert declaration.interface is not None
        for rule in rules_of(declaration.command):
            found.setdefault(rule, []).append({"command": declaration.interface.command,
                                               "term": official_term(declaration.command)})
    return found
