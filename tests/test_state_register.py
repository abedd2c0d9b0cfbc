"""The states register (状态): listings read each candidacy's stored state instead of
replaying its signed events, and say exactly what a replay says — on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from uuid import UUID

import orjson
import pytest
from click.testing import CliRunner

from certledger.cli.main import cli
from certledger.events.ledger import Ledger
from certledger.events.storage import parse_database_url
from certledger.projections import states
from certledger.projections.projector import Sql, catch_up, rebuild
from tests.test_registers import _demo, _raw_sql

SITTINGS = ("jianzaoshi-1:2025", "jianzaoshi-2:2025")


@pytest.fixture
def projected(db_url: str, tmp_path: Path) -> str:
    """The demo's ledger with its live registers at the head."""
    ledger = _demo(db_url, tmp_path / "keys", registers=True)
    try:
        catch_up(ledger)
        assert states.at_head(ledger)
    finally:
        ledger.close()
    return db_url


def _invoke(db_url: str, *args: str) -> str:
    result = CliRunner().invoke(cli, ["--db", db_url, *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def _stored(db_url: str) -> list[tuple[str, str, str]]:
    ledger = Ledger(parse_database_url(db_url))
    try:
        sql = Sql(ledger)
        return [(r["stream"], r["kind"], r["state"]) for r in sql.rows(states.TABLE)]
    finally:
        ledger.close()


def test_every_stored_state_is_the_state_a_replay_makes(projected: str) -> None:
    stored = _stored(projected)
    assert {kind for _, kind, _ in stored} == {"Candidacy", "ExamSitting"} and len(stored) == 45  # 3 sittings, 42 candidacies
    ledger = Ledger(parse_database_url(projected))
    try:
        for stream, kind, text in stored:
            replayed = ledger.load_many([UUID(stream)], states.KINDS[kind])[UUID(stream)]
            decoded = states.decode(kind, text)
            assert type(decoded) is type(replayed)
            assert vars(decoded) == vars(replayed), stream
            # equal values of the same types all the way down (a list is not a tuple here)
            assert repr(sorted(vars(decoded).items())) == repr(sorted(vars(replayed).items())), stream
    finally:
        ledger.close()


@pytest.mark.parametrize("on", [None, "2025-07-01", "2025-09-01", "2026-01-01"])
def test_listings_from_the_registers_say_what_a_replay_says(projected: str, on: str | None) -> None:
    day = ["--on", on] if on else []
    for sitting in SITTINGS:
        listed = _invoke(projected, "candidate", "list", sitting, "--json", *day)
        assert listed == _invoke(projected, "candidate", "list", sitting, "--json", "--replay", *day)
        rows = orjson.loads(listed)
        assert rows and listed == _invoke(projected, "candidate", "list", sitting, *day, "--json")
        for row in rows[:: max(1, len(rows) // 6)]:
            shown = _invoke(projected, "candidate", "show", row["candidacy"], "--json", *day)
            assert shown == _invoke(projected, "candidate", "show", row["candidacy"], "--json", "--replay", *day)
        assert _invoke(projected, "candidate", "list", sitting, *day) == _invoke(
            projected, "candidate", "list", sitting, "--replay", *day)
    for sitting in SITTINGS:  # (no --on: these show the sitting as it stands)
        for command in (("sitting", "show"), ("sitting", "exceptions")):
            shown = _invoke(projected, *command, sitting, "--json")
            assert shown == _invoke(projected, *command, sitting, "--json", "--replay") and len(shown) > 2


def test_a_hand_edited_state_is_read_until_replay_and_diff_names_it(projected: str) -> None:
    """The registers are only as trustworthy as the database: --replay and diff are the checks."""
    ledger = Ledger(parse_database_url(projected))
    try:
        rebuild(ledger, "rebuilt")
    finally:
        ledger.close()
    row = orjson.loads(_invoke(projected, "candidate", "list", SITTINGS[0], "--json"))[0]
    name = row["name"]
    _raw_sql(projected, f"UPDATE reg_states SET state = replace(state, '\"name\":\"{name}\"', '\"name\":\"改名\"') "
                        f"WHERE kind = 'Candidacy' AND state LIKE '%\"candidate\":\"{row['candidate']}\"%'")
    edited = orjson.loads(_invoke(projected, "candidate", "list", SITTINGS[0], "--json"))[0]
    replayed = orjson.loads(_invoke(projected, "candidate", "list", SITTINGS[0], "--json", "--replay"))[0]
    assert edited["name"] == "改名" and replayed["name"] == name
    report = orjson.loads(_invoke(projected, "diff", "live", "rebuilt", "--json"))
    [change] = report["changes"]
    assert change["register"] == "states" and change["term"] == "状态"
    assert [f["field"] for f in change["fields"]] == ["state"]
    own = [e["event"] for e in change["events"] if e["stream"] == change["key"]["stream"]]
    assert own[0] == "Registered" and len(own) >= 2  # every event that made the state contradicts the edit


def test_lagging_registers_are_not_read_and_nothing_is_written(projected: str) -> None:
    listed = _invoke(projected, "candidate", "list", SITTINGS[1], "--json")
    _raw_sql(projected, "UPDATE reg_states SET state = replace(state, '\"name\":\"', '\"name\":\"X') "
                        "WHERE kind = 'Candidacy'")
    _raw_sql(projected, "UPDATE reg_position SET position = position - 1")
    before = Path(projected).read_bytes() if not projected.startswith("postgresql") else None
    assert _invoke(projected, "candidate", "list", SITTINGS[1], "--json") == listed  # replayed, not read
    if before is not None:
        assert Path(projected).read_bytes() == before


@pytest.mark.parametrize("older", ["DROP TABLE reg_states", "ALTER TABLE reg_sittings DROP COLUMN results_reported_on"])
def test_a_register_set_made_by_an_older_certledger_is_projected_again(projected: str, older: str) -> None:
    stored = _stored(projected)
    if "states" in older:
        _raw_sql(projected, "DROP INDEX IF EXISTS reg_states_sitting")
    _raw_sql(projected, older)
    ledger = Ledger(parse_database_url(projected))
    try:
        progress = catch_up(ledger)
        assert progress.applied == ledger.rows.count()  # from the start: the states need every event
    finally:
        ledger.close()
    assert _stored(projected) == stored


def test_a_state_out_of_step_with_the_log_stops_the_projector_naming_the_register(projected: str) -> None:
    """Moving the position back (or editing a state's version) would apply an event twice:
    the states register refuses, where the column registers could not tell."""
    ledger = Ledger(parse_database_url(projected))
    try:
        last = max(r["last_nid"] for r in Sql(ledger).rows(states.TABLE) if r["kind"] == "ExamSitting")
    finally:
        ledger.close()
    _raw_sql(projected, f"UPDATE reg_position SET position = {last - 1}")
    result = CliRunner().invoke(cli, ["--db", projected, "project"])
    assert result.exit_code == 1, result.output
    assert f"event #{last} does not follow" in result.output and "certledger rebuild" in result.output
    assert "Traceback" not in result.output


def test_a_damaged_state_row_is_replayed_past_with_a_note(projected: str) -> None:
    listed = _invoke(projected, "candidate", "list", SITTINGS[0], "--json")
    first = orjson.loads(listed)[0]
    _raw_sql(projected, f"UPDATE reg_states SET state = '{{not json' WHERE kind = 'Candidacy' "
                        f"AND state LIKE '%\"candidate\":\"{first['candidate']}\"%'")
    result = CliRunner().invoke(cli, ["--db", projected, "candidate", "list", SITTINGS[0], "--json"])
    assert result.exit_code == 0 and result.stdout == listed
    assert "cannot be read" in result.stderr and "certledger rebuild" in result.stderr
    shown = CliRunner().invoke(cli, ["--db", projected, "candidate", "show", first["candidacy"], "--json"])
    assert shown.exit_code == 0 and orjson.loads(shown.stdout)["name"] == first["name"]
    assert "Traceback" not in shown.output


def _sitting_versions(db_url: str) -> dict[str, list[tuple[int, str]]]:
    ledger = Ledger(parse_database_url(db_url))
    try:
        found: dict[str, list[tuple[int, str]]] = {}
        for r in Sql(ledger).rows(states.VERSIONS):
            found.setdefault(r["stream"], []).append((r["version"], r["dated_on"]))
        return found
    finally:
        ledger.close()


def test_a_sitting_on_a_day_before_its_latest_act_is_read_from_its_stored_versions(projected: str) -> None:
    """A listing --on a day before the sitting's latest act (the demo's 2030 custody transfer)
    reads the sitting's state stored after its last act dated on or before that day, which is
    the state a replay --on that day makes, instead of replaying the sitting's notices."""
    versions = _sitting_versions(projected)
    assert len(versions) == 3 and all(len(v) >= 5 for v in versions.values())
    ledger = Ledger(parse_database_url(projected))
    try:
        for stream, rows in versions.items():
            sid = UUID(stream)
            days = sorted({on for _, on in rows})
            assert days[-1] > days[0]
            for day in days[:-1]:
                order, read = states.read(ledger, "ExamSitting", ids=[sid], on=date.fromisoformat(day))
                assert sid in read, f"{stream} on {day} was left to replay"
                replayed = ledger.load_many([sid], states.KINDS["ExamSitting"], on=date.fromisoformat(day))[sid]
                assert vars(read[sid]) == vars(replayed), (stream, day)
                assert read[sid].version == max(v for v, on in rows if on <= day)
            before = (date.fromisoformat(days[0]) - timedelta(days=1))
            assert sid not in states.read(ledger, "ExamSitting", ids=[sid], on=before)[1]  # not yet scheduled: replay says so
    finally:
        ledger.close()


@pytest.mark.parametrize("edit", ["DELETE FROM reg_sitting_versions WHERE version = 2",
                                  "UPDATE reg_sitting_versions SET dated_on = '2099-01-01' WHERE version = 2"])
def test_stored_sitting_versions_that_do_not_make_a_prefix_are_replayed(projected: str, edit: str) -> None:
    """A gap in the versions, or an act dated after a later one (as a late entry is), cannot be
    read as a prefix of the stream: the sitting is replayed, and the listing is still right."""
    day = "2025-07-01"
    expected = _invoke(projected, "candidate", "list", SITTINGS[0], "--on", day, "--json", "--replay")
    _raw_sql(projected, edit)
    ledger = Ledger(parse_database_url(projected))
    try:
        for stream in _sitting_versions(projected):
            assert UUID(stream) not in states.read(ledger, "ExamSitting", ids=[UUID(stream)],
                                                   on=date.fromisoformat(day))[1]
    finally:
        ledger.close()
    assert _invoke(projected, "candidate", "list", SITTINGS[0], "--on", day, "--json") == expected
