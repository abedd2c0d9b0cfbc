"""The lifecycle commands in-process, as a user runs them: ``exams``, ``sitting``,
``candidate`` and ``cert``. Refs on the command line, data on stdout, one-line errors on
stderr, exit 2 for refusals with nothing recorded, and a ledger that verifies afterwards."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner, Result

from certledger.cli.main import cli
from certledger.domain.parties import ROOT_PARTY
from certledger.domain.units import unit_name
from certledger.events.ledger import Ledger
from certledger.events.storage import parse_database_url
from certledger.signing.keys import new_private_key, raw_public_key
from certledger.signing.keystore import KeyStore
from certledger.signing.wallet import Wallet
from tests.helpers import TEST_KDF_ROUNDS

PASS = "lifecycle cli passphrase"
UNITS = ["exam-center", "dept.zhujian.henan", "dept.zhujian.zhengzhou", "dept.zhujian.luoyang", "postal.henan"]
CANDIDATES = {"cand.001": "张伟", "cand.002": "李娜", "cand.003": "王芳"}
S1 = "jianzaoshi-1:2025"  # 建造师（一级）: national, paper, 省（市）住建
S2 = "jianzaoshi-2:2025"  # 建造师（二级）: provincial, e-certificate
OK = "education=passed,major=passed,work-years=passed"


class Runner:
    def __init__(self, db_url: str, keys_dir: Path) -> None:
        self.db_url = db_url
        self.keys_dir = keys_dir
        self.runner = CliRunner()

    def __call__(self, *args: str) -> Result:
        result = self.runner.invoke(
            cli, ["--db", self.db_url, "--keys", str(self.keys_dir), *args], env={"CERTLEDGER_KEY_PASSPHRASE": PASS}
        )
        assert "Traceback" not in result.output, result.output
        if result.exception is not None:
            assert isinstance(result.exception, SystemExit), repr(result.exception)
        return result

    def ok(self, *args: str) -> Result:
        result = self(*args)
        assert result.exit_code == 0, (args, result.output)
        return result

    def json(self, *args: str):
        return orjson.loads(self.ok(*args, "--json").stdout)

    def refused(self, *args: str, message: str) -> Result:
        """Exit 2, one error line naming ``message``, nothing recorded."""
        before = self.count()
        result = self(*args)
        assert result.exit_code == 2, (args, result.output)
        assert result.stderr.startswith("certledger: error: ") and message in result.stderr, (args, result.stderr)
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert result.stdout == ""
        assert self.count() == before, args
        return result

    def count(self) -> int:
        ledger = Ledger(parse_database_url(self.db_url), verify_on_read=False)
        try:
            return ledger.rows.count()
        finally:
            ledger.close()


@pytest.fixture
def run(db_url: str, tmp_path: Path) -> Runner:
    """A ledger with the units and candidates enrolled, their keys saved to the key
    directory under the passphrase the CLI is given (faster than one command per key)."""
    keys_dir = tmp_path / "keys"
    store = KeyStore(keys_dir, lambda: PASS.encode(), kdf_rounds=TEST_KDF_ROUNDS)
    ledger = Ledger(parse_database_url(db_url), Wallet(store), create=True)
    try:
        root = new_private_key()
        store.save(ROOT_PARTY, root)
        ledger.initialise(raw_public_key(root), simulated=True)
        enrolled = []
        for party in UNITS:  # candidates hold no keys (T-6)
            key = new_private_key()
            store.save(party, key)
            name, kind = unit_name(party)
            enrolled.append((party, name, kind, ledger.claim(party, key)))
        ledger.enrol(enrolled)
    finally:
        ledger.close()
    return Runner(db_url, keys_dir)


def _register(run: Runner, sitting: str, cand: str, *, level: str = "一级", city: str = "zhengzhou") -> str:
    result = run.ok("candidate", "register", sitting, "--candidate", cand, "--on", "2025-03-10", "--name", CANDIDATES[cand],
                    "--masked-id", "410102********123X", "--city", city, "--level", level, "--compare", OK)
    ref = result.stdout.strip()
    assert ref == f"{sitting}:{cand}"
    return ref


def _handed_over(run: Runner, sitting: str, cands: list[str], *, level: str = "一级") -> list[str]:
    """Registered, passed, handed over; results released on D = 2025-06-14."""
    refs = [_register(run, sitting, c, level=level) for c in cands]
    run.ok("sitting", "release", sitting, "--as", "exam-center", "--on", "2025-06-14")
    for ref in refs:
        run.ok("candidate", "score", ref, "--passed", "--score", "综合=72", "--as", "exam-center", "--on", "2025-06-14")
        run.ok("candidate", "hand-over", ref, "--as", "hrss", "--on", "2025-06-15")
    return refs


def _publicity(run: Runner, sitting: str) -> None:
    for party in ("hrss", "dept.zhujian.henan"):
        run.ok("sitting", "publicity", sitting, "--starts", "2025-06-16", "--ends", "2025-06-25",
               "--as", party, "--on", "2025-06-16")


def _verifies(run: Runner) -> dict:
    result = run("verify", "--json")
    assert result.exit_code == 0, result.output
    report = orjson.loads(result.stdout)["report"]
    assert report["ok"] and report["bad_events"] == 0 and orjson.loads(result.stdout)["findings"] == []
    return report


# -- the table --------------------------------------------------------------------------------


def test_exams_list_has_the_31_rows_and_needs_no_ledger(tmp_path: Path) -> None:
    missing = tmp_path / "none.db"
    runner = CliRunner()
    result = runner.invoke(cli, ["--db", str(missing), "exams", "list", "--json"])
    assert result.exit_code == 0, result.output
    rows = orjson.loads(result.stdout)
    assert len(rows) == 31 and len({r["code"] for r in rows}) == 31
    by_code = {r["code"]: r for r in rows}
    assert by_code["jianzaoshi-2"]["name"] == "建造师（二级）"
    assert by_code["jianzaoshi-2"]["paper_unit"] == "HRSS e-certificate"
    assert by_code["jianzaoshi-2"]["organised"] == "provincial"
    assert by_code["jianzaoshi-1"]["verification_unit"] == "省（市）住建部门"
    assert by_code["jianzaoshi-1"]["organised"] == "national"
    assert by_code["cehuishi"]["verification_unit"] == "省测绘局"
    assert by_code["fanyi"]["levels"] == ["一级", "二级", "三级"]
    assert {c for c, r in by_code.items() if r["reissue_route"] == "national"} == {"weisheng", "kuaiji", "tongxin", "ruankao"}
    assert sorted(c for c, r in by_code.items() if r["organised"] == "provincial") == ["jianzaoshi-2", "jiliang-2", "zaojia-2"]
    table = runner.invoke(cli, ["--db", str(missing), "exams", "list"])
    assert table.exit_code == 0 and "咨询工程师（投资）" in table.stdout and "省工程咨询协会" in table.stdout
    assert len(table.stdout.strip().splitlines()) == 32  # header + 31
    assert not missing.exists()


# -- a national exam, end to end, set up through the CLI itself ---------------------------------


def test_national_exam_path_through_the_cli(db_url: str, tmp_path: Path) -> None:
    run = Runner(db_url, tmp_path / "keys")
    root = run.ok("init", "--simulated-clock").stdout.strip()
    for party, kind in [("exam-center", "exam-center"), ("dept.zhujian.henan", "department"),
                        ("dept.zhujian.zhengzhou", "department")]:
        run.ok("parties", "add", party, "--kind", kind, "--name", unit_name(party)[0])
        run.ok("keys", "add", "--party", party)
    # Candidates hold no keys (T-6): the platforms of record sign their acts.
    run.refused("parties", "add", "cand.001", "--kind", "candidate", "--name", CANDIDATES["cand.001"],
                message="T-6: cand.001: candidates hold no keys")

    scheduled = run.ok("sitting", "schedule", "jianzaoshi-1", "2025", "--exam-end", "2025-05-25",
                       "--as", "hrss", "--on", "2025-03-01")
    assert scheduled.stdout.strip() == S1 and "signed by hrss" in scheduled.stderr
    one = run.ok("candidate", "register", S1, "--candidate", "cand.001", "--on", "2025-03-10", "--name", "张伟",
                 "--masked-id", "410102********123X", "--city", "zhengzhou", "--level", "一级", "--compare", OK).stdout.strip()
    two = run.ok("candidate", "register", S1, "--candidate", "cand.002", "--on", "2025-03-12", "--name", "李娜",
                 "--masked-id", "410305********402X", "--city", "zhengzhou", "--level", "一级",
                 "--compare", "education=passed,major=failed,work-years=passed",
                 "--evidence", "major=upload:7f3a9c", "--evidence", "major=upload:81d0e2").stdout.strip()
    assert (one, two) == (f"{S1}:cand.001", f"{S1}:cand.002")
    run.ok("sitting", "release", S1, "--as", "exam-center", "--on", "2025-06-14")
    for ref in (one, two):
        run.ok("candidate", "score", ref, "--passed", "--score", "建设工程经济=78", "--score", "专业工程管理与实务=102",
               "--as", "exam-center", "--on", "2025-06-14")
    # A candidacy's UUID works wherever its reference does.
    uuid_two = run.json("candidate", "show", two)["id"]
    run.ok("candidate", "hand-over", one, "--as", "hrss", "--on", "2025-06-15")
    run.ok("candidate", "hand-over", uuid_two, "--as", "hrss", "--on", "2025-06-15")
    _publicity(run, S1)
    run.ok("candidate", "verify", one, "--result", "合格", "--as", "dept.zhujian.zhengzhou", "--on", "2025-06-20")
    run.ok("candidate", "verify", two, "--result", "qualified", "--as", "dept.zhujian.henan", "--on", "2025-06-29")
    run.ok("sitting", "announce-results", S1, "--as", "dept.zhujian.henan", "--on", "2025-07-02")
    for ref in (one, two):
        run.ok("cert", "pass-proof", ref, "--number", f"HN-JZ1-2025-{ref[-3:]}", "--as", "hrss", "--on", "2025-07-25")
        run.ok("cert", "paper-received", ref, "--number", f"00412{ref[-3:]}", "--as", "dept.zhujian.henan",
               "--on", "2025-11-03")
    handed = run.ok("cert", "hand-out", one, "--as", "dept.zhujian.zhengzhou", "--on", "2025-11-10")
    assert "现场发放 (cert hand-out)" in handed.stderr and handed.stdout == ""

    shown = run.json("sitting", "show", S1)
    assert shown["sitting"] == S1 and shown["results_released_on"] == "2025-06-14"
    assert (shown["verification_due"], shown["supplementary_due"]) == ("2025-06-29", "2025-08-14")
    assert shown["mailing_due"] == "2025-08-01" and shown["custody_until"] == "2030-05-25"
    assert shown["custody_transfer_from"] == "2030-05-26"  # C-1: the day after custody's last day
    assert shown["publicity"] == {"starts": "2025-06-16", "ends": "2025-06-25"} and shown["publicity_joint"] is True
    assert shown["publicity_published_by"] == ["hrss", "dept.zhujian.henan"]

    listed = run.json("candidate", "list", S1, "--on", "2025-12-01")
    assert [(r["candidate"], r["name"], r["passed"], r["status"], r["certificate"]) for r in listed] == [
        ("cand.001", "张伟", True, "合格", {"kind": "pass-proof", "number": "HN-JZ1-2025-001", "void": False}),
        ("cand.002", "李娜", True, "合格", {"kind": "pass-proof", "number": "HN-JZ1-2025-002", "void": False}),
    ]
    assert listed[0]["paper"] == {"state": "handed out", "on": "2025-11-10", "by_hrss": False}
    assert listed[1]["paper"] == {"state": "at the unit, unclaimed", "on": "2025-11-03", "by_hrss": False}
    assert {r["schema_version"] for r in listed} == {2} and listed[0]["stage"]["final"] is True
    table = run.ok("candidate", "list", S1).stdout
    assert "张伟" in table and "李娜" in table

    detail = run.json("candidate", "show", two, "--on", "2025-12-01")
    assert detail["comparison"]["major"] == "failed" and detail["evidence"] == {"major": ["upload:7f3a9c", "upload:81d0e2"]}
    assert detail["scores"] == {"建设工程经济": "78", "专业工程管理与实务": "102"}
    assert detail["verification"] == {"result": "合格", "condition": None, "on": "2025-06-29"}
    assert detail["paper"]["received_on"] == "2025-11-03" and detail["paper"]["handed_out_on"] is None

    # five years after the exam ended, not a day earlier; the unclaimed one is on the roster.
    run.refused("sitting", "transfer-custody", S1, "--as", "dept.zhujian.henan", "--on", "2030-05-24", message="R-17:")
    run.refused("sitting", "transfer-custody", S1, "--as", "dept.zhujian.henan", "--on", "2030-05-25",
                message="R-17: unclaimed certificates stay with the unit for 5 years from the exam's end 2025-05-25, "
                        "until 2030-05-25 (保管期满); after it (C-1): transfer from 2030-05-26, not 2030-05-25")
    custody = run.json("sitting", "transfer-custody", S1, "--as", "dept.zhujian.henan", "--on", "2030-05-26")
    assert [r["candidacy"] for r in custody["result"]] == [two]
    assert [r["event"] for r in custody["receipts"]] == ["ExamSitting.CustodyTransferred"]
    run.refused("cert", "hand-out", two, "--as", "dept.zhujian.zhengzhou", "--on", "2030-06-01", message="R-17:")
    assert run.json("sitting", "show", S1)["custody_roster"] == [two]

    report = _verifies(run)
    assert report["events"] == run.count()
    assert run.ok("verify", "--root-key", root).stdout.startswith("OK")


def _qualified_and_announced(run: Runner, candidates: list[str], *, verified_on: str) -> list[str]:
    """建造师（一级） 2025 scheduled; the candidates handed over, 合格 on ``verified_on`` after the
    joint publicity, and the results announced on 2025-07-02 (R-7)."""
    run.ok("sitting", "schedule", "jianzaoshi-1", "2025", "--exam-end", "2025-05-25", "--as", "hrss", "--on", "2025-03-01")
    refs = _handed_over(run, S1, candidates)
    _publicity(run, S1)
    for ref in refs:
        run.ok("candidate", "verify", ref, "--result", "合格", "--as", "dept.zhujian.zhengzhou", "--on", verified_on)
    run.ok("sitting", "announce-results", S1, "--as", "dept.zhujian.henan", "--on", "2025-07-02")
    return refs


def test_list_and_show_on_a_day_leave_out_every_act_dated_later(run: Runner) -> None:
    """Issue 8: with --on, no column shows an act dated after it — not the certificate issued
    later, not a void found later, not paper received later — only the status did before."""
    one, two = _qualified_and_announced(run, ["cand.001", "cand.002"], verified_on="2025-06-20")
    for ref in (one, two):
        run.ok("cert", "pass-proof", ref, "--number", f"HN-JZ1-2025-{ref[-3:]}", "--as", "hrss", "--on", "2025-07-25")
        run.ok("cert", "paper-received", ref, "--number", f"00412{ref[-3:]}", "--as", "dept.zhujian.henan",
               "--on", "2025-11-03")
    run.ok("cert", "hand-out", one, "--as", "dept.zhujian.zhengzhou", "--on", "2025-11-10")
    run.ok("candidate", "void", two, "--condition", "work-years", "--finding", "工作年限不足", "--as", "hrss",
           "--on", "2025-12-01")

    def columns(day: str) -> list[tuple]:
        return [(r["candidate"], r["status"], r["certificate"] and (r["certificate"]["number"], r["certificate"]["void"]),
                 r["paper"]["state"], r["paper"]["on"]) for r in run.json("candidate", "list", S1, "--on", day)]

    assert columns("2025-12-02") == [
        ("cand.001", "合格", ("HN-JZ1-2025-001", False), "handed out", "2025-11-10"),
        ("cand.002", "void", ("HN-JZ1-2025-002", True), "at the unit, unclaimed", "2025-11-03"),
    ]
    assert columns("2025-11-05") == [
        ("cand.001", "合格", ("HN-JZ1-2025-001", False), "at the unit, unclaimed", "2025-11-03"),
        ("cand.002", "合格", ("HN-JZ1-2025-002", False), "at the unit, unclaimed", "2025-11-03"),
    ]
    assert columns("2025-07-10") == [
        ("cand.001", "合格", None, "not received", None),
        ("cand.002", "合格", None, "not received", None),
    ]
    assert columns("2025-06-14")[0][1] == "awaiting handover"  # scored on D, handed over the next day
    assert columns("2025-03-10") == [("cand.001", "awaiting result", None, "not received", None),
                                     ("cand.002", "awaiting result", None, "not received", None)]
    assert run.json("candidate", "list", S1, "--on", "2025-03-09") == []  # registered on 2025-03-10

    early = run.json("candidate", "show", two, "--on", "2025-07-10")
    assert early["certificate"] == {"kind": None, "number": None, "issued_on": None, "void": False}
    assert early["void"] == {"on": None, "reason": None} and early["status"] == "合格"
    assert early["paper"]["received_on"] is None and early["passed"] is True
    assert early["verification"] == {"result": "合格", "condition": None, "on": "2025-06-20"}
    late = run.json("candidate", "show", two, "--on", "2025-12-01")
    assert late["void"]["on"] == "2025-12-01" and late["certificate"]["void"] is True
    assert late["certificate"]["issued_on"] == "2025-07-25"
    before = run.json("candidate", "show", two, "--on", "2025-03-11")
    assert before["passed"] is None and before["scores"] == {} and before["handed_over_on"] is None
    run.refused("candidate", "show", two, "--on", "2025-03-09", message="registered after 2025-03-09")
    run.refused("candidate", "list", S1, "--on", "2025-02-28", message="scheduled after 2025-02-28")


# -- refusals and errors ----------------------------------------------------------------------


def test_a_late_result_is_refused_under_R6_and_the_pending_path_follows(run: Runner) -> None:
    run.ok("sitting", "schedule", "jianzaoshi-1", "2025", "--exam-end", "2025-05-25", "--as", "hrss", "--on", "2025-03-01")
    late, quiet = _handed_over(run, S1, ["cand.001", "cand.002"])
    refused = run.refused("candidate", "verify", late, "--result", "合格", "--as", "dept.zhujian.henan",
                          "--on", "2025-06-30", message="R-6:")
    assert "due by 2025-06-29" in refused.stderr
    # On the deadline day the candidate is still under verification; the day after, pending.
    assert run.json("candidate", "show", late, "--on", "2025-06-29")["status"] == "under verification"
    assert run.json("candidate", "show", late, "--on", "2025-06-30")["outcome"] == "报考条件待核查"
    _publicity(run, S1)
    run.ok("sitting", "announce-results", S1, "--as", "dept.zhujian.henan", "--on", "2025-07-02")
    run.ok("candidate", "supplementary", late, "--result", "合格", "--as", "dept.zhujian.zhengzhou", "--on", "2025-07-10")
    # the supplementary results are submitted after the round, not while it runs.
    refused = run.refused("sitting", "submit-supplementary", S1, "--as", "dept.zhujian.henan", "--on", "2025-07-15",
                          message="R-9:")
    assert "still await supplementary verification on 2025-07-15 (cand.002)" in refused.stderr
    # no forfeit while the window is open; after it, the silent candidate has forfeited.
    run.refused("candidate", "forfeit", quiet, "--as", "dept.zhujian.henan", "--on", "2025-08-14", message="R-8:")
    run.ok("candidate", "forfeit", quiet, "--as", "dept.zhujian.henan", "--on", "2025-08-15")
    run.ok("sitting", "submit-supplementary", S1, "--as", "dept.zhujian.henan", "--on", "2025-08-15")
    run.ok("sitting", "announce-supplementary", S1, "--as", "dept.zhujian.henan", "--on", "2025-08-16")
    run.refused("candidate", "supplementary", quiet, "--result", "合格", "--as", "dept.zhujian.henan",
                "--on", "2025-08-16", message="R-8:")
    statuses = {r["candidate"]: r["status"] for r in run.json("candidate", "list", S1, "--on", "2025-09-01")}
    assert statuses == {"cand.001": "合格", "cand.002": "视为放弃"}
    shown = run.json("sitting", "show", S1)
    assert (shown["supplementary_submitted_on"], shown["supplementary_announced_on"]) == ("2025-08-15", "2025-08-16")
    _verifies(run)


def test_unknown_references_bad_dates_and_refused_acts_are_one_clear_line(run: Runner) -> None:
    run.ok("sitting", "schedule", "jianzaoshi-1", "2025", "--exam-end", "2025-05-25", "--as", "hrss", "--on", "2025-03-01")
    ref = _register(run, S1, "cand.001")
    cases = [
        (("sitting", "show", "jianzaoshi-1:2030"), "no sitting jianzaoshi-1:2030 in this ledger"),
        (("sitting", "show", "nope:2025"), "unknown exam 'nope'"),
        (("sitting", "show", "2025"), "sitting '2025' is neither a reference nor a UUID"),
        (("sitting", "release", "jianzaoshi-1:2030", "--as", "exam-center", "--on", "2031-01-01"),
         "no sitting jianzaoshi-1:2030"),
        (("candidate", "show", f"{S1}:cand.009"), f"no candidacy {S1}:cand.009 in this ledger"),
        (("candidate", "show", "jianzaoshi-1:2024:cand.001"), "there is no sitting jianzaoshi-1:2024"),
        (("cert", "hand-out", "0f0e0d0c-0000-4000-8000-000000000000", "--as", "dept.zhujian.henan"),
         "no candidacy 0f0e0d0c-0000-4000-8000-000000000000"),
        (("sitting", "show", _uuid_of(run, ref)), "is not a sitting"),
        (("sitting", "release", S1, "--as", "exam-center", "--on", "14/06/2025"),
         "--on '14/06/2025' is not a date: write YYYY-MM-DD"),
        (("sitting", "release", S1, "--as", "exam-center", "--on", "2025-02-30"), "--on '2025-02-30' is not a valid date"),
        (("sitting", "publicity", S1, "--starts", "next monday", "--ends", "2025-06-25", "--as", "hrss"),
         "--starts 'next monday' is not a date"),
        (("sitting", "schedule", "jianzaoshi-1", "2025", "--exam-end", "2025-05-25", "--as", "hrss", "--on", "2025-03-01"),
         "scheduled already"),
        (("sitting", "release", S1, "--as", "hrss", "--on", "2025-06-14"), "L-1: only 'exam-center' may release"),
        (("sitting", "release", S1, "--as", "exam-center", "--on", "2025-05-20"), "L-1:"),
        (("candidate", "register", S1, "--candidate", "cand.002", "--on", "2025-03-10", "--name", "李娜", "--masked-id", "x",
          "--city", "zhengzhou", "--level", "一级", "--compare", OK, "--no-commitment"), "R-2: without the commitment (告知承诺) the candidate uploads evidence"),
        (("candidate", "register", S1, "--candidate", "cand.002", "--on", "2025-03-10", "--name", "李娜", "--masked-id", "x",
          "--city", "zhengzhou", "--level", "一级", "--compare", "education=passed,major=failed,work-years=passed"),
         "R-2: online comparison of major failed"),
        (("candidate", "register", S1, "--candidate", "cand.002", "--on", "2025-03-10", "--name", "李娜", "--masked-id", "x",
          "--city", "zhengzhou", "--level", "一级", "--compare", "education:passed"), "--compare 'education:passed'"),
        (("candidate", "register", S1, "--candidate", "cand.002", "--on", "2025-03-10", "--name", "李娜", "--masked-id", "x",
          "--city", "beijing", "--level", "一级", "--compare", OK), "unknown municipality 'beijing'"),
        (("candidate", "register", S1, "--candidate", "cand.099", "--on", "2025-03-10", "--name", "无名", "--masked-id", "x",
          "--city", "zhengzhou", "--level", "一级", "--compare", OK, "--as", "cand.099"),
         "R-2: only 'exam-center' may record a registration"),
        (("candidate", "score", ref, "--as", "exam-center", "--on", "2025-06-14"), "give --passed or --failed"),
        (("candidate", "score", ref, "--passed", "--as", "exam-center", "--on", "2025-06-14"), "L-1: results of"),
        (("candidate", "verify", ref, "--result", "maybe", "--as", "dept.zhujian.henan"), "unknown verification result"),
        (("candidate", "verify", ref, "--result", "合格", "--as", "dept.zhujian.luoyang", "--on", "2025-06-20"),
         "R-1: only 'dept.zhujian.henan' or 'dept.zhujian.zhengzhou' may record"),
        (("candidate", "fraud", ref, "--finding", " ", "--as", "hrss", "--on", "2025-07-01"),
         "a fraud finding states what was found"),
        (("cert", "pass-proof", ref, "--number", "P-1", "--as", "hrss", "--on", "2025-07-01"), "R-14:"),
    ]
    for args, message in cases:
        run.refused(*args, message=message)


def _uuid_of(run: Runner, ref: str) -> str:
    return run.json("candidate", "show", ref)["id"]


def test_provincial_e_certificate_and_a_refused_paper_reissue_is_recorded(run: Runner) -> None:
    run.ok("sitting", "schedule", "jianzaoshi-2", "2025", "--exam-end", "2025-05-25", "--as", "exam-center",
           "--on", "2025-03-01")
    [ref] = _handed_over(run, S2, ["cand.003"], level="二级")
    assert run.json("sitting", "show", S2)["verification_due"] is None  # its announcement sets it
    run.refused("candidate", "verify", ref, "--result", "合格", "--as", "dept.zhujian.zhengzhou", "--on", "2025-06-20",
                message="R-10: 建造师（二级） is organised by the province: its 考后资格核查公告")
    run.refused("sitting", "publicity", S2, "--starts", "2025-06-16", "--ends", "2025-06-25", "--as", "hrss",
                "--on", "2025-06-16", message="R-10: 建造师（二级） is organised by the province")
    run.ok("sitting", "publicity", S2, "--starts", "2025-06-16", "--ends", "2025-06-25", "--verification-due",
           "2025-07-10", "--as", "hrss", "--on", "2025-06-16")
    run.ok("sitting", "publicity", S2, "--starts", "2025-06-16", "--ends", "2025-06-25", "--as", "dept.zhujian.henan",
           "--on", "2025-06-16")
    assert run.json("sitting", "show", S2)["verification_due"] == "2025-07-10"  # R-10, not D + 15
    run.ok("candidate", "verify", ref, "--result", "合格", "--as", "dept.zhujian.zhengzhou", "--on", "2025-07-08")
    run.ok("sitting", "announce-results", S2, "--as", "dept.zhujian.henan", "--on", "2025-07-12")
    run.refused("cert", "pass-proof", ref, "--number", "P-1", "--as", "hrss", "--on", "2025-07-20", message="R-13:")
    run.ok("cert", "e-certificate", ref, "--number", "豫JZ2-2025-000731", "--as", "hrss", "--on", "2025-07-20")
    run.refused("cert", "hand-out", ref, "--as", "dept.zhujian.zhengzhou", "--on", "2025-08-01", message="R-13:")

    before = run.count()
    refusal = run("cert", "reissue", ref, "--kind", "paper-reissue", "--reason", "遗失", "--as", "dept.zhujian.zhengzhou",
                  "--on", "2025-09-01")
    assert refusal.exit_code == 3, refusal.output  # refused, and the refusal recorded
    assert "certledger: refused: R-18" in refusal.stderr and "IS recorded" in refusal.stderr and refusal.stdout == ""
    assert run.count() == before + 1  # the refusal is an event
    assert run.json("candidate", "show", ref)["reissue"]["refusals"] == 1

    accepted = run.ok("cert", "reissue", ref, "--kind", "information-change", "--reason", "姓名更正",
                      "--as", "dept.zhujian.zhengzhou", "--on", "2025-09-02")
    # The e-certificate is HRSS's: a change of it goes to HRSS, which issued it.
    assert "dept.zhujian.zhengzhou -> dept.zhujian.henan -> hrss" in accepted.stderr
    run.refused("cert", "forward", ref, "--as", "dept.zhujian.henan", "--on", "2025-09-03", message="R-19:")
    assert run.ok("cert", "forward", ref, "--as", "dept.zhujian.zhengzhou", "--on", "2025-09-03").stdout.strip() == "dept.zhujian.henan"
    assert run.ok("cert", "forward", ref, "--as", "dept.zhujian.henan", "--on", "2025-09-05").stdout.strip() == "hrss"
    run.refused("cert", "forward", ref, "--as", "hrss", "--on", "2025-09-08", message="R-19: there is no request")
    shown = run.json("candidate", "show", ref)
    assert shown["reissue"]["with"] == "hrss" and shown["paper"]["state"] == "none (e-certificate)"
    run.ok("cert", "end-request", ref, "--outcome", "completed", "--reason", "电子证书信息已更正", "--as", "hrss",
           "--on", "2025-09-10")
    assert run.json("candidate", "show", ref)["reissue"]["end"] == "completed"
    assert shown["certificate"]["kind"] == "e-certificate" and shown["certificate"]["number"] == "豫JZ2-2025-000731"
    _verifies(run)


def test_appeal_mailing_and_sanctions(run: Runner) -> None:
    run.ok("sitting", "schedule", "jianzaoshi-1", "2025", "--exam-end", "2025-05-25", "--as", "hrss", "--on", "2025-03-01")
    appellant, mailer, cheat = _handed_over(run, S1, ["cand.001", "cand.002", "cand.003"])
    _publicity(run, S1)
    run.ok("candidate", "verify", appellant, "--result", "unqualified", "--condition", "work-years",
           "--as", "dept.zhujian.zhengzhou", "--on", "2025-06-25")
    run.ok("candidate", "verify", mailer, "--result", "合格", "--as", "dept.zhujian.zhengzhou", "--on", "2025-06-25")
    run.ok("candidate", "verify", cheat, "--result", "合格", "--as", "dept.zhujian.zhengzhou", "--on", "2025-06-25")
    run.refused("candidate", "appeal", appellant, "--grounds", "工作年限证明已补充", "--as", "dept.zhujian.henan", "--on", "2025-06-30",
                message="R-7: appeals open with the verification results announcement")
    run.ok("sitting", "announce-results", S1, "--as", "dept.zhujian.henan", "--on", "2025-07-02")
    run.ok("candidate", "appeal", appellant, "--grounds", "工作年限证明已补充", "--as", "dept.zhujian.henan", "--on", "2025-07-05")
    run.ok("candidate", "decide-appeal", appellant, "--rejected", "--reason", "证明不足", "--as", "dept.zhujian.henan",
           "--on", "2025-07-20")
    assert run.json("candidate", "show", appellant)["appeal"] == {"lodged_on": "2025-07-05", "upheld": False, "decision": "申辩不成立"}
    run.refused("candidate", "void", appellant, "--condition", "hukou", "--finding", "户籍不符", "--as", "hrss",
                "--on", "2025-07-21", message="R-11: a 不合格 result must cite a national registration condition")
    # 申辩不成立 made the 不合格 final, with R-11's consequences: the registration is void already.
    run.refused("candidate", "void", appellant, "--condition", "work-years", "--finding", "工作年限不足四年", "--as", "hrss",
                "--on", "2025-07-21", message="R-11: the registration is void since 2025-07-20")
    assert run.json("candidate", "show", appellant)["stage"]["term"] == "无效"

    run.ok("cert", "reserve-mailing", mailer, "--address-ref", "platform:addr-5521", "--on", "2025-07-28")
    run.ok("cert", "paper-received", mailer, "--number", "00412002", "--as", "dept.zhujian.henan", "--on", "2025-11-03")
    run.refused("cert", "hand-out", mailer, "--as", "dept.zhujian.zhengzhou", "--on", "2025-11-05", message="R-16:")
    run.ok("cert", "delivered", mailer, "--as", "postal.henan", "--on", "2025-11-12")

    run.ok("cert", "pass-proof", cheat, "--number", "HN-JZ1-2025-003", "--as", "hrss", "--on", "2025-07-25")
    run.ok("candidate", "fraud", cheat, "--finding", "学历证书系伪造", "--as", "hrss",
           "--on", "2025-08-20")
    run.ok("candidate", "refer", cheat, "--authority", "郑州市公安局", "--as", "dept.zhujian.henan", "--on", "2025-08-21")
    run.refused("cert", "paper-received", cheat, "--number", "00412003", "--as", "dept.zhujian.henan",
                "--on", "2025-11-03", message="R-11:")
    shown = run.json("candidate", "show", cheat)
    assert shown["status"] == "void" and shown["certificate"]["void"] is True
    assert (shown["fraud"]["articles"], shown["referred_on"]) == ([10, 12], "2025-08-21")
    assert shown["fraud"]["integrity_record_until"] == "2030-08-20"  # five years (Order No. 31 Art. 7 by Art. 10)
    record = run.json("candidate", "integrity-record", "--on", "2026-01-01")
    assert [(r["candidate"], r["articles"], r["until"], r["in_force"]) for r in record] == [("cand.003", [10, 12], "2030-08-20", True)]

    rows = {r["candidate"]: r for r in run.json("candidate", "list", S1, "--on", "2025-12-01")}
    assert rows["cand.001"]["status"] == "void" and rows["cand.001"]["certificate"] is None
    assert rows["cand.002"]["paper"] == {"state": "delivered", "on": "2025-11-12", "by_hrss": False}
    assert rows["cand.003"]["certificate"] == {"kind": "pass-proof", "number": "HN-JZ1-2025-003", "void": True}
    human = run.ok("candidate", "show", cheat).stdout
    assert "void.reason" in human and "学历证书系伪造" in human
    _verifies(run)


def test_an_act_dated_before_the_latest_needs_a_signed_late_entry(run: Runner) -> None:
    """L-2: the department publishes its half of the joint publicity on 06-15, but records it
    after HRSS's act of 06-16: refused as out of order, then accepted as a late entry (补录)
    whose reason is signed into the ledger; verify accepts the ledger."""
    run.ok("sitting", "schedule", "jianzaoshi-1", "2025", "--exam-end", "2025-05-25", "--as", "hrss", "--on", "2025-03-01")
    run.ok("sitting", "release", S1, "--as", "exam-center", "--on", "2025-06-14")
    publicity = ("sitting", "publicity", S1, "--starts", "2025-06-16", "--ends", "2025-06-25")
    run.ok(*publicity, "--as", "hrss", "--on", "2025-06-16")
    run.refused(*publicity, "--as", "dept.zhujian.henan", "--on", "2025-06-15",
                message="L-2: this act is dated 2025-06-15, before the latest act already recorded here (2025-06-16)")
    run.refused(*publicity, "--as", "dept.zhujian.henan", "--on", "2025-06-15", "--late", "  ",
                message="--late needs a reason")
    before = run.count()
    run.ok(*publicity, "--as", "dept.zhujian.henan", "--on", "2025-06-15", "--late", "纸质公告已于6月15日张贴，系统补录")
    assert run.count() == before + 2  # the late entry's reason, then the act
    shown = run.json("sitting", "show", S1)
    assert shown["publicity_published_by"] == ["hrss", "dept.zhujian.henan"]
    result = run("verify", "--all")
    assert result.exit_code == 0, result.output


# -- official terms beside the English (issue 9) ---------------------------------------------


def test_listings_show_the_official_terms_beside_the_english(run: Runner) -> None:
    """A 合格, a 视为放弃 and a 申辩成立 candidate: `candidate show` and `candidate list` print
    the notices' words beside the English in headers and values; --json keeps English keys and
    its values as before."""
    run.ok("sitting", "schedule", "jianzaoshi-1", "2025", "--exam-end", "2025-05-25", "--as", "hrss", "--on", "2025-03-01")
    qualified, forfeited, appellant = _handed_over(run, S1, ["cand.001", "cand.002", "cand.003"])
    _publicity(run, S1)
    unit = ("--as", "dept.zhujian.zhengzhou", "--on", "2025-06-25")
    run.ok("candidate", "verify", qualified, "--result", "qualified", *unit)
    run.ok("candidate", "verify", forfeited, "--result", "pending", *unit)
    run.ok("candidate", "verify", appellant, "--result", "unqualified", "--condition", "work-years", *unit)
    run.ok("sitting", "announce-results", S1, "--as", "dept.zhujian.henan", "--on", "2025-07-02")
    run.ok("candidate", "appeal", appellant, "--grounds", "工作年限证明已补充", "--as", "dept.zhujian.henan", "--on", "2025-07-05")
    run.ok("candidate", "decide-appeal", appellant, "--upheld", "--reason", "证明属实", "--as", "dept.zhujian.henan",
           "--on", "2025-07-20")
    run.ok("candidate", "forfeit", forfeited, "--as", "dept.zhujian.henan", "--on", "2025-08-15")

    table = run.ok("candidate", "list", S1, "--on", "2025-09-01").stdout
    header, *lines = table.splitlines()
    assert "status 状态" in header and "appeal" in header and "stage 阶段" in header
    row = {cand: next(line for line in lines if cand in line) for cand in ("cand.001", "cand.002", "cand.003")}
    assert "合格 qualified" in row["cand.001"]
    assert "视为放弃 forfeited" in row["cand.002"]
    assert "合格 qualified" in row["cand.003"] and "申辩成立 upheld" in row["cand.003"]
    # Flags, places, stages and where the paper certificate is: the notices' words too.
    assert "是 yes" in row["cand.001"] and "郑州市 zhengzhou" in row["cand.001"]
    assert "视为放弃 终态 final" in row["cand.002"]
    assert "下一步 next: 合格证明制发 cert pass-proof" in row["cand.001"] and "证书未到 not received" in row["cand.001"]

    shown = {ref: run.ok("candidate", "show", ref, "--on", "2025-09-01").stdout for ref in (qualified, forfeited, appellant)}
    assert "合格 qualified" in shown[qualified] and "verification.result 资格核查结果" in shown[qualified]
    assert "视为放弃 forfeited" in shown[forfeited] and "报考条件待核查 pending" in shown[forfeited]
    assert "申辩成立 upheld" in shown[appellant] and "不合格 unqualified" in shown[appellant]
    assert "资格审查" not in "".join(shown.values()) + table  # post-exam: 资格核查, never 2019's pre-exam word

    # Scripts: English keys, values unchanged.
    rows = {r["candidate"]: r for r in run.json("candidate", "list", S1, "--on", "2025-09-01")}
    assert (rows["cand.001"]["status"], rows["cand.002"]["status"], rows["cand.003"]["status"]) == ("合格", "视为放弃", "合格")
    assert (rows["cand.001"]["appeal"], rows["cand.003"]["appeal"]) == (None, "upheld")
    assert run.json("candidate", "show", appellant)["appeal"]["decision"] == "申辩成立"
    assert (rows["cand.001"]["passed"], rows["cand.001"]["city"], rows["cand.001"]["paper"]["state"]) == (True, "zhengzhou", "not received")


def test_list_and_show_as_of_a_notification_id_are_the_listing_of_that_moment(run: Runner) -> None:
    """Issue 8 item 5: --as-of N shows the ledger as it stood at notification N, in every
    column: the same as listing it then (on the same business date)."""
    run.ok("sitting", "schedule", "jianzaoshi-1", "2025", "--exam-end", "2025-05-25", "--as", "hrss", "--on", "2025-03-01")
    one, two = _handed_over(run, S1, ["cand.001", "cand.002"])
    _publicity(run, S1)
    then = {"list": run.json("candidate", "list", S1, "--on", "2030-01-01"),
            "show": run.json("candidate", "show", one, "--on", "2030-01-01")}
    head = run.json("verify")["report"]["head"]["notification_id"]
    run.ok("candidate", "verify", one, "--result", "合格", "--as", "dept.zhujian.zhengzhou", "--on", "2025-06-20")
    run.ok("candidate", "void", two, "--condition", "work-years", "--finding", "工作年限不足", "--as", "hrss",
           "--on", "2025-06-21")
    now = run.json("candidate", "list", S1, "--on", "2030-01-01")
    assert [r["status"] for r in now] == ["合格", "void"] != [r["status"] for r in then["list"]]
    assert run.json("candidate", "list", S1, "--on", "2030-01-01", "--as-of", str(head)) == then["list"]
    assert run.json("candidate", "show", one, "--on", "2030-01-01", "--as-of", str(head)) == then["show"]
    assert run.json("candidate", "show", two, "--on", "2030-01-01", "--as-of", str(head))["status"] != "void"
    run.refused("candidate", "list", S1, "--as-of", "2025-06-20", message="a business date is not a cut")
    run.refused("candidate", "show", one, "--as-of", "3", message="--as-of")  # before it was registered


def test_as_of_a_write_time_is_not_moved_by_a_forged_write_time(run: Runner) -> None:
    """The row that ends a write-time cut decides what is left out: a row whose signed write
    time was edited to end the cut early is refused, not obeyed."""
    from tests.test_registers import _raw_sql

    run.ok("sitting", "schedule", "jianzaoshi-1", "2025", "--exam-end", "2025-05-25", "--as", "hrss", "--on", "2025-03-01")
    _handed_over(run, S1, ["cand.001", "cand.002"])
    moment = "2099-01-01T00:00:00+08:00"  # after every event: the whole ledger
    whole = run.json("candidate", "list", S1, "--as-of", moment)
    assert len(whole) == 2
    ledger = Ledger(parse_database_url(run.db_url), verify_on_read=False, read_only=True)
    try:
        row = ledger.rows.at(ledger.rows.count() - 2)
        table = ledger.database.table
    finally:
        ledger.close()
    stamp = orjson.loads(row.state[64:])["payload"]["timestamp"]
    forged = row.state.replace(stamp.encode(), ("2100" + stamp[4:]).encode(), 1)  # a valid time, long after
    where = f"WHERE originator_id = '{row.stream}' AND originator_version = {row.version}"
    data = f"X'{forged.hex()}'" if "://" not in run.db_url else f"'\\x{forged.hex()}'::bytea"
    _raw_sql(run.db_url, f"UPDATE {table} SET state = {data} {where}")
    result = run("candidate", "list", S1, "--as-of", moment)
    assert result.exit_code != 0 and result.stdout == "" and "signature" in result.stderr, result.output
    assert "cannot be read" not in result.stderr  # refused for its signature, not for its shape


def test_a_late_results_announcement_is_followed_by_an_appeal(run: Runner) -> None:
    """Issue 23 item 1: the announcement opens the appeals (2024 §一(二)¶6). Published late, with
    a signed R-8 exception, it still leaves the candidate 10 days to appeal."""
    run.ok("sitting", "schedule", "jianzaoshi-1", "2025", "--exam-end", "2025-05-25", "--as", "hrss", "--on", "2025-03-01")
    (appellant,) = _handed_over(run, S1, ["cand.001"])
    run.ok("candidate", "verify", appellant, "--result", "不合格", "--condition", "work-years", "--as", "dept.zhujian.henan",
           "--on", "2025-06-20")
    _publicity(run, S1)
    announced = run.ok("sitting", "announce-results", S1, "--as", "dept.zhujian.henan", "--on", "2025-08-20",
                       "--exception", "系统故障延迟公告")
    assert "appeals (申辩) until 2025-08-30" in announced.output
    assert run.json("sitting", "show", S1)["appeal_due"] == "2025-08-30"
    run.ok("candidate", "appeal", appellant, "--grounds", "工作年限证明已补充", "--as", "dept.zhujian.zhengzhou",
           "--on", "2025-08-21")
    assert run.json("candidate", "show", appellant)["appeal"]["lodged_on"] == "2025-08-21"
    _verifies(run)


def test_an_appeal_received_after_the_window_is_a_signed_exception(run: Runner) -> None:
    """Issue 23 item 3: "补充资格核查和接受申辩一般安排在…两个月内" (2024 §一(二)¶6). Receiving
    the 申辩 is the verification unit's act under 一般: after the window only with its reason,
    signed into the AppealLodged event and listed in the exceptions register."""
    run.ok("sitting", "schedule", "jianzaoshi-1", "2025", "--exam-end", "2025-05-25", "--as", "hrss", "--on", "2025-03-01")
    (appellant,) = _handed_over(run, S1, ["cand.001"])
    run.ok("candidate", "verify", appellant, "--result", "不合格", "--condition", "work-years", "--as", "dept.zhujian.henan",
           "--on", "2025-06-20")
    _publicity(run, S1)
    run.ok("sitting", "announce-results", S1, "--as", "dept.zhujian.henan", "--on", "2025-07-02")
    late = ("candidate", "appeal", appellant, "--grounds", "工作年限证明已补充", "--as", "dept.zhujian.zhengzhou",
            "--on", "2025-08-15")
    run.refused(*late, message="R-8: appeal window closed on 2025-08-14")
    run.refused(*late, "--exception", " ", message="--exception needs a reason")
    run.ok(*late, "--exception", "考生住院，申辩材料由单位代收")
    shown = run.json("candidate", "show", appellant)
    assert shown["appeal"]["lodged_on"] == "2025-08-15"
    assert any("考生住院，申辩材料由单位代收" in e and "R-8" in e for e in shown["exceptions"]), shown["exceptions"]
    listed = run.json("sitting", "exceptions", S1)
    assert [(r["act"], r["rule"], r["by"], r["reason"]) for r in listed] == [
        ("AppealLodged", "R-8", "dept.zhujian.zhengzhou", "考生住院，申辩材料由单位代收")]
    assert "考生住院，申辩材料由单位代收" in run.ok("sitting", "exceptions", S1, "--replay").stdout
    _verifies(run)


def test_a_returned_or_withdrawn_reservation_is_handed_out_on_site(run: Runner) -> None:
    """Issue 23 item 2: a certificate reserved for mailing used to wait five years for the custody
    transfer once the post could not deliver it. 投递失败／退回 (the postal company) and 撤销预约
    (the reservation platform, or the unit for the candidate) end the reservation; the unit then
    hands the certificate out on site (2024 §二(二): 未预约邮寄的证书仍由…现场发放)."""
    returned, withdrawn = _qualified_and_announced(run, ["cand.001", "cand.002"], verified_on="2025-06-25")
    for ref in (returned, withdrawn):
        run.ok("cert", "reserve-mailing", ref, "--address-ref", "platform:addr-1", "--on", "2025-07-28")
    for ref, number in ((returned, "00412001"), (withdrawn, "00412002")):
        run.ok("cert", "paper-received", ref, "--number", number, "--as", "dept.zhujian.henan", "--on", "2025-11-03")
    run.refused("cert", "hand-out", returned, "--as", "dept.zhujian.zhengzhou", "--on", "2025-11-05", message="R-16:")
    assert {"record_delivery_failed", "withdraw_mailing"} <= set(run.json("candidate", "show", returned)["stage"]["next"])

    # Only the postal company records its failed delivery, with a reason, after the reservation.
    run.refused("cert", "returned", returned, "--reason", "到付拒收", "--as", "dept.zhujian.zhengzhou", "--on", "2025-11-10",
                message="R-16:")
    run.refused("cert", "returned", returned, "--reason", " ", "--as", "postal.henan", "--on", "2025-11-10",
                message="R-16: say why")
    failed = run.ok("cert", "returned", returned, "--reason", "到付拒收", "--as", "postal.henan", "--on", "2025-11-10")
    assert "投递失败／退回" in failed.stderr
    run.refused("cert", "delivered", returned, "--as", "postal.henan", "--on", "2025-11-11", message="R-16:")
    shown = run.json("candidate", "show", returned)
    assert shown["paper"]["state"] == "at the unit, returned by post"
    assert shown["paper"]["mailing_ended"] == {"how": "returned", "on": "2025-11-10"}
    assert shown["paper"]["mailing_reserved_on"] is None
    assert "hand_out" in shown["stage"]["next"]
    run.ok("cert", "hand-out", returned, "--as", "dept.zhujian.zhengzhou", "--on", "2025-11-12")

    # The candidate withdraws the reservation at the unit; a stranger cannot.
    run.refused("cert", "withdraw-mailing", withdrawn, "--reason", "改为现场领取", "--as", "postal.henan",
                "--on", "2025-11-06", message="R-16:")
    run.ok("cert", "withdraw-mailing", withdrawn, "--reason", "改为现场领取", "--as", "dept.zhujian.zhengzhou",
           "--on", "2025-11-06")
    run.refused("cert", "withdraw-mailing", withdrawn, "--reason", "改为现场领取", "--on", "2025-11-07",
                message="R-16: cand.002 has no mailing reservation")
    run.ok("cert", "hand-out", withdrawn, "--as", "dept.zhujian.zhengzhou", "--on", "2025-11-07")

    rows = {r["candidate"]: r for r in run.json("candidate", "list", S1, "--on", "2025-12-01")}
    assert rows["cand.001"]["paper"]["state"] == rows["cand.002"]["paper"]["state"] == "handed out"
    run.ok("project")
    mailing = {r["candidate"]: r for r in run.json("register", "mailing")}
    assert (mailing["cand.001"]["status"], mailing["cand.001"]["ended_by"], mailing["cand.001"]["ended_reason"]) == \
        ("returned", "postal.henan", "到付拒收")
    assert (mailing["cand.002"]["status"], mailing["cand.002"]["ended_on"]) == ("withdrawn", "2025-11-06")
    _verifies(run)


def test_the_supplementary_results_go_to_hrss_early_once_nobody_awaits_the_round(run: Runner) -> None:
    """Issue 23 item 8: R-8's two months are the longest the round may run, not a wait imposed
    when it is over. Before they end, the submission (R-9) is accepted once no candidate awaits
    supplementary verification; the ledger lists who does, and the act signs that list."""
    run.ok("sitting", "schedule", "jianzaoshi-1", "2025", "--exam-end", "2025-05-25", "--as", "hrss", "--on", "2025-03-01")
    done, pending = _handed_over(run, S1, ["cand.001", "cand.002"])
    _publicity(run, S1)
    run.ok("candidate", "verify", done, "--result", "合格", "--as", "dept.zhujian.zhengzhou", "--on", "2025-06-25")
    run.ok("candidate", "verify", pending, "--result", "pending", "--as", "dept.zhujian.zhengzhou", "--on", "2025-06-26")
    run.ok("sitting", "announce-results", S1, "--as", "dept.zhujian.henan", "--on", "2025-07-02")
    refused = run.refused("sitting", "submit-supplementary", S1, "--as", "dept.zhujian.henan", "--on", "2025-07-05",
                          message="R-9:")
    assert "(cand.002)" in refused.stderr and "runs until 2025-08-14" in refused.stderr
    run.ok("candidate", "supplementary", pending, "--result", "合格", "--as", "dept.zhujian.zhengzhou", "--on", "2025-07-10")
    run.ok("sitting", "submit-supplementary", S1, "--as", "dept.zhujian.henan", "--on", "2025-07-12")
    run.ok("sitting", "announce-supplementary", S1, "--as", "dept.zhujian.henan", "--on", "2025-07-13")
    assert run.json("sitting", "show", S1)["supplementary_submitted_on"] == "2025-07-12"
    _verifies(run)
