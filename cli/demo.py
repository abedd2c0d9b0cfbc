"""``certledger demo``: a realistic ledger on SQLite, through every act of the notices.

Two sittings of 2025 — 建造师（一级） (national: pass proof, then paper certificates) and
建造师（二级） (provincial: HRSS e-certificate) — with a few hundred made-up candidates, from
registration to the 2030 custody transfer; plus key rotation and revocation. It ends by
running ``verify`` over everything it wrote. It writes only into a directory of its own
(:mod:`cli.demo_dir`), never where ``CERTLEDGER_DB``/``CERTLEDGER_KEYS`` point.
"""

from __future__ import annotations

import csv
import os
import random
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import click
from click.core import ParameterSource

from certledger.cli.demo_dir import DEFAULT_DIR, DemoDir
from certledger.cli.demo_people import REGION_CODES, Person, people
from certledger.cli.import_cmd import check_table, write_rows
from certledger.cli.output import emit_table, note
from certledger.cli.session import PASSPHRASE_ENV, Session
from certledger.cli.verify import print_summary
from certledger.domain.candidacy import Candidacy, Outcome, ReissueKind, RequestEnd, candidacy_id
from certledger.domain.import_rows import KINDS
from certledger.domain.exams import exam
from certledger.domain.sitting import ExamSitting
from certledger.domain.errors import CertLedgerError, ExitCode, InputError
from certledger.domain.parties import ROOT_PARTY, PartyKind
from certledger.domain.units import EXAM_CENTER, HRSS, NATIONAL_EXAM_CENTER, POSTAL, unit_name
from certledger.events.importing import Importer, read_table
from certledger.projections.notices import notice_for
from certledger.events.checkpoints import RecordedCheckpoint, cosign_checkpoint, record_checkpoint
from certledger.events.ledger import Ledger, utc_now
from certledger.events.storage import parse_database_url
from certledger.events.verify import Report, verify_ledger
from certledger.signing.keys import new_private_key, raw_public_key
from certledger.signing.keystore import KeyStore
from certledger.signing.possession import KeyClaim

DEMO_PASSPHRASE = "certledger-demo"
PROVINCE_UNIT = "dept.zhujian.henan"
CITY_UNITS = [f"dept.zhujian.{city}" for city in REGION_CODES]
UNITS = [EXAM_CENTER, PROVINCE_UNIT, *CITY_UNITS, POSTAL, NATIONAL_EXAM_CENTER, "dept.weijian.henan"]

EXAM_END = date(2025, 5, 25)
REGISTERED = date(2025, 3, 10)  # the registration period's export, imported in one go
D = date(2025, 6, 14)  # results release
PUBLICITY = (date(2025, 6, 16), date(2025, 6, 25))


@click.command()
@click.option(
    "--dir",
    "where",
    default=str(DEFAULT_DIR),
    show_default=True,
    type=click.Path(path_type=Path),
    help="The demo's own directory: ledger.db, keys/ and a marker file. CERTLEDGER_DB and "
    "CERTLEDGER_KEYS are ignored.",
)
@click.option("--reset", is_flag=True, help="Delete the demo's ledger and keys in --dir first (only there).")
@click.option("--candidates", default=300, show_default=True, type=click.IntRange(min=40),
              help="How many candidates (any number from 40; registered from a generated spreadsheet through "
                   "`certledger import`, about 1,000 a second).")
@click.pass_context
def demo(ctx: click.Context, where: Path, reset: bool, candidates: int) -> None:
    """Build a demo ledger through the whole certificate lifecycle, then verify it.

    It writes only into --dir (default ./certledger-demo), which it creates and marks; a
    --db given on the command line (an empty PostgreSQL database, say) takes the ledger
    instead, and cannot be --reset."""
    place = DemoDir(where)
    db_url = _explicit_db(ctx)
    if reset and db_url is not None:
        raise InputError("--reset deletes only the demo's own ledger in --dir, not one given with --db")
    place.claim()
    if reset:
        place.reset()
    elif db_url is None and place.ledger.exists():
        raise InputError(f"{place.ledger} holds an earlier demo ledger: run the demo with --reset to rebuild it")
    session = Session(db_url=db_url or str(place.ledger), keys_dir=place.keys, forced_key=ctx.obj.forced_key)
    try:
        _run(session, candidates, db_url is None and place.ledger, place.checkpoint)
    finally:
        session.close()


def _explicit_db(ctx: click.Context) -> str | None:
    """The --db URL if it was typed on the command line (not inherited from CERTLEDGER_DB)."""
    root = ctx.find_root()
    if root.get_parameter_source("db_url") is ParameterSource.COMMANDLINE:
        database = parse_database_url(root.params["db_url"])
        if database.backend == "sqlite" and database.path.exists():
            raise InputError(f"{database.path} exists: the demo writes only a new ledger (or into --dir)")
        return database.url
    if root.params.get("db_url") is not None or root.get_parameter_source("keys_dir") is not ParameterSource.DEFAULT:
        note("the demo ignores CERTLEDGER_DB, CERTLEDGER_KEYS and --keys: it writes only into its --dir")
    return None


def _run(session: Session, candidates: int, local: Path | None, kept: Path) -> None:
    kdf_rounds = None
    if not os.environ.get(PASSPHRASE_ENV):
        session._passphrase = DEMO_PASSPHRASE.encode()
        kdf_rounds = 1_000  # the passphrase is printed: a slow KDF would guard nothing
        note(f"demo keys are encrypted with the passphrase {DEMO_PASSPHRASE!r} ({PASSPHRASE_ENV} to choose one)")
    ledger = session.ledger(create=True)
    ledger.ensure_empty()
    run = DemoRun(ledger, session.keystore(kdf_rounds=kdf_rounds), candidates, kept.parent)
    run.trust()
    run.checkpoint("the trust registry")
    run.lifecycle()
    run.checkpoint("the lifecycle")
    run.refusals()
    documents = _documents(session, ledger, kept.parent / "documents")
    run.say(f"HRSS published {len(documents) - 1} sealed documents (文书发布, 河南省政务服务网), each PDF's SHA-256 "
            "signed into the ledger")
    last = run.checkpoint("the refusals and the publications")
    cosigned = cosign_checkpoint(ledger, EXAM_CENTER, last.size)
    kept.write_text(cosigned.note, encoding="utf-8")
    run.say(f"河南省人事考试中心 cosigned the last checkpoint (联署, L-6); its note is in {kept}: the file an auditor "
            f"keeps (certledger {'--db ' + str(local) + ' ' if local else ''}verify --checkpoint {kept})")

    click.echo(f"\nRegister of {ledger.database.describe()}:")
    emit_table(run.register_rows(), ["sitting", "candidates", "passed", "合格", "不合格", "视为放弃", "void",
                                     "certificates", "mailed", "handed out", "to HRSS"])
    click.echo("")
    report = Report(store=ledger.database.store_json())
    findings = list(verify_ledger(ledger, report))
    print_summary(report, complete=True)
    if findings or not report.ok:
        raise SystemExit(ExitCode.NOT_VERIFIED)
    db = f"--db {local} " if local else ""
    _credentials(session, ledger, kept.parent)
    _show_documents(documents, str(local) if local else "URL")
    click.echo(f"\nTry: certledger {db}candidate list jianzaoshi-1:2025   ·   "
               f"certledger {db}verify --root-key {run.root_key}")


def _documents(session: Session, ledger: Ledger, where: Path) -> list[Path]:
    """One e-certificate and one pass proof as sealed PDFs, published, and HRSS's root
    certificate (cli/document.py)."""
    from certledger.cli.document import write_demo_documents
    from certledger.events import provenance, status_list

    chosen: dict[str, str] = {}
    for _, _, document in status_list.issued_documents(ledger.rows):
        kind, number = str(document.get("kind")), str(document.get("number"))
        if kind not in chosen and provenance.status(provenance.find_certificate(ledger, number, kind)[0])["status"] == "valid":
            chosen[kind] = number
    return write_demo_documents(session, ledger, [chosen[k] for k in ("e-certificate", "pass-proof") if k in chosen], where)


def _show_documents(documents: list[Path], ledger_url: str) -> None:
    *pdfs, root = documents
    click.echo(f"\nSealed PDF documents (PAdES e-seal, Ed25519) and HRSS's root certificate in {root.parent}. Check them:")
    for pdf in pdfs:
        click.echo(f"  certledger cert verify {pdf} --root {root} --db {ledger_url}")
    click.echo(f"  or in any PAdES validator given {root.name} as the only trust anchor, e.g. pyHanko's (installed in .venv):")
    click.echo(f"  pyhanko sign validate --trust {root} --trust-replace --no-revocation-check --validation-time claimed "
               f"{pdfs[0]}   (README: The sealed document)")


def _credentials(session: Session, ledger: Ledger, where: Path) -> None:
    """The W3C credentials, HRSS's DID document and a signed status list (cli/credential.py)."""
    from certledger.cli.credential import write_demo_credentials

    files = write_demo_credentials(session, ledger, where / "credentials")
    did, *credentials, listed = (str(f) for f in files)
    click.echo(f"\nW3C credentials (eddsa-jcs-2022) in {where / 'credentials'}: {len(credentials)} credentials, "
               f"HRSS's DID document and the revocation list HRSS signed with the last checkpoint "
               f"(certledger status-list writes it for any ledger). Check one, then all with Digital Bazaar's verifier:")
    click.echo(f"  certledger cert verify {credentials[0]} --did {did} --status-list {listed}")
    verifier = Path(__file__).resolve().parent.parent / "tools" / "vc-verifier" / "verify.js"
    click.echo(f"  node {verifier} --did {did} --status-list {listed} {' '.join(credentials)}")
    import json

    from certledger.cli.page import build_page

    page = where / "credentials" / "verify.html"
    from certledger.cli.page import genesis_root_key

    page.write_text(build_page(json.loads(Path(did).read_text(encoding="utf-8")), genesis_root_key(ledger)), encoding="utf-8")
    click.echo(f"  or open {page} in a browser (核验页, offline) and drop a credential and {Path(listed).name} in, "
               "or a bundle from 'certledger cert export' (the ledger's root of trust is pinned in the page)")


class DemoRun:
    def __init__(self, ledger: Ledger, store: KeyStore, candidates: int, where: Path) -> None:
        self.ledger = ledger
        self.where = where  # the demo's directory: its registration spreadsheets go there
        self.store = store
        self.rng = random.Random(2025)
        national = candidates * 3 // 5
        self.people = {
            "jianzaoshi-1": people(national, seed=1, prefix="251"),
            "jianzaoshi-2": people(candidates - national, seed=2, prefix="252"),
        }
        self.ids: dict[str, list] = {}
        self.root_key = ""
        self.step = 0
        self.refused = 0

    def say(self, text: str) -> None:
        self.step += 1
        note(f"{self.step:2d}. {text}")

    def unit(self, person: Person) -> str:
        """Half the results are recorded by the municipal unit, half by the province (R-1)."""
        return f"dept.zhujian.{person.city}" if self.rng.random() < 0.5 else PROVINCE_UNIT

    # -- trust ------------------------------------------------------------------------------

    def trust(self) -> None:
        root = new_private_key()
        self.root_key = self.store.save(ROOT_PARTY, root)
        self.ledger.initialise(raw_public_key(root), simulated=True)
        self.say(f"genesis: HRSS root key {self.root_key}")

        entries = []
        for party in UNITS:
            name, kind = unit_name(party)
            entries.append((party, name, kind, self._new_key(party)))
        self.ledger.enrol(entries)
        self.say(f"registered {len(UNITS)} units (exam center, 住建 departments of the province and "
                 f"{len(CITY_UNITS)} municipalities, postal company, …), each with a key; candidates hold none: "
                 "the platforms of record sign their acts (T-6)")

        self.ledger.rotate_key("dept.zhujian.zhengzhou", self._new_key("dept.zhujian.zhengzhou"))
        lost = self.ledger.registry().keys_of("dept.weijian.henan")[0]
        self.ledger.revoke_key(lost.key_id, "private key found on a shared drive", effective_at=lost.valid_from)
        self.lost_key = lost.key_id
        new_root = self.ledger.rotate_key(ROOT_PARTY, self._new_key(ROOT_PARTY))[0]
        self.say(f"rotated 郑州市住房和城乡建设局's key; revoked a compromised 卫健委 key; rotated the root key to {new_root}")
        for line in self.store.retire_revoked(self.ledger.registry().keys.values(), utc_now()):
            note(f"    {line}")  # the revoked private keys leave the working store (README, Trust)

    def checkpoint(self, after: str) -> RecordedCheckpoint:
        recorded = record_checkpoint(self.ledger)
        self.say(f"HRSS recorded a checkpoint (检查点, L-5) after {after}: the Merkle root of the first "
                 f"{recorded.size} events, {recorded.root.hex()[:16]}…, in a signed note")
        return recorded

    def _new_key(self, party: str) -> KeyClaim:
        key = new_private_key()
        self.store.save(party, key)
        return self.ledger.claim(party, key)

    # -- the lifecycle ----------------------------------------------------------------------

    def lifecycle(self) -> None:
        L = self.ledger
        L.schedule_sitting(HRSS, "jianzaoshi-1", 2025, EXAM_END, on=date(2025, 3, 1))
        L.schedule_sitting(HRSS, "jianzaoshi-2", 2025, EXAM_END, on=date(2025, 3, 1))
        self.say("scheduled 建造师（一级）2025 (national) and 建造师（二级）2025 (provincial; its "
                 "announcement sets verification due 2025-07-10, R-10)")

        failed_items = 0
        for code, group in self.people.items():
            sheet = self.where / f"报名-{code}-2025.csv"
            failed_items += self._registration_sheet(sheet, code, group)
            self.ids[code] = self._import(sheet, "registrations", f"{code}:2025", EXAM_CENTER, REGISTERED)
        self.say(f"{sum(len(v) for v in self.ids.values())} candidates registered under the commitment system, "
                 f"imported from the online registration system's spreadsheets ({self.where}/报名-*.csv, "
                 f"`certledger import registrations`), each event naming its row; {failed_items} uploaded evidence "
                 "where the online comparison failed (R-2)")

        for code in self.people:
            L.release_results(EXAM_CENTER, f"{code}:2025", on=D)
        self.passed: dict[str, list] = {}
        for code, ids in self.ids.items():
            outcomes = [self.rng.random() < 0.6 for _ in ids]
            it = iter(outcomes)
            L.for_each_candidacy(ids, lambda c, s: c.release_score(
                actor=EXAM_CENTER, sitting=s, passed=(p := next(it)), on=D,
                scores={"建设工程经济" if c.level == "一级" else "建设工程施工管理": str(self.rng.randint(60, 99) if p else self.rng.randint(30, 59)),
                        "专业工程管理与实务": str(self.rng.randint(72, 140) if p else self.rng.randint(20, 71))}))
            self.passed[code] = [cid for cid, ok in zip(ids, outcomes) if ok]
            L.for_each_candidacy(self.passed[code], lambda c, s: c.hand_over(actor=HRSS, sitting=s, on=date(2025, 6, 15)))
            # a provincial exam's announcement sets its own results deadline.
            due = date(2025, 7, 10) if code == "jianzaoshi-2" else None
            L.publish_publicity(HRSS, f"{code}:2025", *PUBLICITY, on=PUBLICITY[0], verification_due=due,
                                notice_for=notice_for(L, "publicity"))
            L.publish_publicity(PROVINCE_UNIT, f"{code}:2025", *PUBLICITY, on=PUBLICITY[0],
                                notice_for=notice_for(L, "publicity"))
        self.say(f"results released on {D}; {sum(map(len, self.passed.values()))} passed and were handed over to "
                 f"河南省住房和城乡建设厅 (R-3, R-4); joint publicity {PUBLICITY[0]}..{PUBLICITY[1]} by HRSS and the department (R-5), each signing "
                 "the notice it published (certledger notices render publicity --published)")

        self._verify_first_round()
        self._appeals_and_supplementary()
        self._late_announcement()
        self._sanctions()
        self._certificates()
        self._custody_and_reissue()

    def _registration_sheet(self, path: Path, code: str, group: list[Person]) -> int:
        """The online registration system's export for one sitting, as `certledger import
        registrations` reads it (Chinese headers); returns how many rows upload evidence."""
        level = "一级" if code == "jianzaoshi-1" else "二级"
        specialties = exam(code).specialties  # 报考专业, which the sealed certificate names
        failed = 0
        with path.open("w", encoding="utf-8-sig", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(["考生编号", "姓名", "证件号码", "报考级别", "报考专业", "报考地市", "专业", "证明材料"])
            for i, person in enumerate(group):
                major, evidence = "passed", ""
                if i % 7 == 3:  # the online comparison could not confirm the major: upload evidence
                    major, evidence = "failed", f"major=upload:sha256:{self.rng.getrandbits(128):032x}"
                    failed += 1
                writer.writerow([person.party, person.name, person.masked_id, level, specialties[i % len(specialties)],
                                 person.city, major, evidence])
        return failed

    def _import(self, sheet: Path, kind: str, sitting: str, actor: str, on: date) -> list:
        """One spreadsheet through the import path (every row checked, then saved in bounded
        transactions); the candidacies in the sheet's order."""
        sid = self.ledger.sitting(sitting).id
        table = read_table(sheet)
        importer = Importer(self.ledger, KINDS[kind], sid, actor, on)
        outcome, pending = check_table(importer, table)
        if outcome.refused:  # pragma: no cover - would be a bug in the demo
            raise RuntimeError(f"the demo's {sheet.name} was refused: {outcome.refused[0]}")
        write_rows(importer, outcome, pending)
        return [candidacy_id(sid, str(values[0])) for _, values in table.rows]

    def _verify_first_round(self) -> None:
        L, people_by_id = self.ledger, self._people_by_id()
        self.roles: dict[str, list] = {}
        for code, ids in self.passed.items():
            for n, cid in enumerate(ids[:7]):
                if n in (1, 2):
                    self.roles.setdefault(f"{code}:unqualified", []).append(cid)
                elif n in (3, 4, 5, 6):  # 6 is never reported: pending after the due date
                    self.roles.setdefault(f"{code}:pending", []).append(cid)
            first_round = dict(enumerate(ids))

            def result(c: Candidacy, s: ExamSitting, n: int) -> None:
                unit = self.unit(people_by_id[c.id])
                if n in (1, 2):
                    c.record_verification(actor=unit, sitting=s, result=Outcome.UNQUALIFIED, condition="work-years",
                                          on=date(2025, 6, 24))
                elif n in (3, 4, 5):
                    c.record_verification(actor=unit, sitting=s, result=Outcome.PENDING, condition=None, on=date(2025, 6, 26))
                else:
                    c.record_verification(actor=unit, sitting=s, result=Outcome.QUALIFIED, condition=None,
                                          on=date(2025, 6, 20) + timedelta(days=n % 8))

            order = iter(n for n in first_round if n != 6)
            L.for_each_candidacy([cid for n, cid in first_round.items() if n != 6],
                                 lambda c, s: result(c, s, next(order)))
            if code == "jianzaoshi-1":  # a result for the unreported one, after the 15 days
                unreported = self.roles[f"{code}:pending"][-1]
                self._expect_refusal(lambda: L.record_verification(PROVINCE_UNIT, unreported, Outcome.QUALIFIED, on=date(2025, 7, 1)))
            L.report_verification_results(PROVINCE_UNIT, f"{code}:2025", on=date(2025, 6, 29),
                                          notice_for=notice_for(L, "report"))  # R-6, then R-7
            L.announce_verification_results(PROVINCE_UNIT, f"{code}:2025", notice_for=notice_for(L, "results"),
                                            on=date(2025, 7, 2) if code == "jianzaoshi-1" else date(2025, 7, 11))
        self.say("verification results recorded by the provincial and municipal 住建 units (R-1, R-6): most 合格, "
                 "some 不合格 citing 工作年限, some 报考条件待核查; one per exam never reported; results reported to HRSS (R-6), then announced (R-7), the "
                 "announcement's notice signed into its act")

    def _appeals_and_supplementary(self) -> None:
        # In the order things happen across both sittings: a submission is dated the day it
        # is received (L-4), so it is recorded then, not after later acts.
        L = self.ledger
        # Candidates act through the platforms of record: the provincial unit receives each
        # 申辩, HRSS's reservation platform each mailing reservation.
        for code in self.passed:
            first, _ = self.roles[f"{code}:unqualified"]
            L.lodge_appeal(PROVINCE_UNIT, first, "社保缴费记录可证明工作年限满足报考条件", on=date(2025, 7, 14))
        for code in self.passed:
            _, second = self.roles[f"{code}:unqualified"]
            L.lodge_appeal(PROVINCE_UNIT, second, "工作单位变更，年限应合并计算", on=date(2025, 7, 15))
        for code in self.passed:
            pending = self.roles[f"{code}:pending"]
            for cid in pending[:-2]:
                L.record_supplementary(PROVINCE_UNIT, cid, Outcome.QUALIFIED, on=date(2025, 7, 20))
            L.record_supplementary(PROVINCE_UNIT, pending[-2], Outcome.UNQUALIFIED, condition="education", on=date(2025, 7, 22))
        for code in self.passed:
            first, second = self.roles[f"{code}:unqualified"]
            L.decide_appeal(PROVINCE_UNIT, first, True, "补充材料证明工作年限符合国家报考条件", on=date(2025, 7, 25))
            L.decide_appeal(PROVINCE_UNIT, second, False, "合并计算后仍不满足工作年限", on=date(2025, 7, 28))
        # reservations on the platform within 30 days of the announcement of the
        # candidate's own 合格: the results announcement (or the appeal decision) here, the
        # supplementary results announcement for those qualified in that round (below).
        sitting = L.sitting("jianzaoshi-1:2025")
        qualified = self._qualified("jianzaoshi-1", date(2025, 7, 30))
        loaded = self._loaded(qualified)
        announced = [cid for cid in qualified if loaded[cid].qualified_announced_on(sitting) is not None]
        self.mailed = set(announced[: len(announced) // 3])
        L.for_each_candidacy(announced[: len(announced) // 3], lambda c, s: c.reserve_mailing(
            actor=HRSS, sitting=s, address_ref=self._address(), on=date(2025, 7, 30)))
        for code in self.passed:
            pending = self.roles[f"{code}:pending"]
            if code == "jianzaoshi-1":  # the other sitting's forfeit is recorded late, below
                L.record_forfeit(PROVINCE_UNIT, pending[-1], on=date(2025, 8, 15))
            L.submit_supplementary_results(PROVINCE_UNIT, f"{code}:2025", on=date(2025, 8, 16),
                                           notice_for=notice_for(L, "supplementary-report"))
            L.announce_supplementary_results(PROVINCE_UNIT, f"{code}:2025", on=date(2025, 8, 18),
                                             notice_for=notice_for(L, "supplementary-results"))
        self.say("申辩: one appeal upheld (now 合格), one rejected; supplementary verification (补充资格核查) for the "
                 "pending; one candidate never came and is 视为放弃 on 2025-08-15 (R-7, R-8); supplementary results "
                 "submitted to HRSS and announced (R-9)")
        supplementary = self.roles["jianzaoshi-1:pending"][0]
        L.reserve_mailing(HRSS, supplementary, self._address(), on=date(2025, 8, 20))
        late = announced[len(announced) // 3]
        L.reserve_mailing(HRSS, late, self._address(), on=date(2025, 8, 20), exception="考生驻外工作，凭单位证明逾期预约")
        self.mailed |= {supplementary, late}
        self.say("2025-08-20: a candidate qualified in the supplementary round reserves mailing, 30 days counted from "
                 "that round's announcement (R-16); HRSS accepts one reservation after the 30 days as an exception "
                 "with its reason, signed into the event (R-16 says 一般; `sitting exceptions` lists it)")

    def _address(self) -> str:
        return f"address:sha256:{self.rng.getrandbits(128):032x}"

    def _qualified(self, code: str, on: date) -> list:
        sitting = self.ledger.sitting(f"{code}:2025")
        loaded = self._loaded(self.passed[code])
        return [cid for cid in self.passed[code]
                if (c := loaded[cid]).outcome_on(on, sitting) == Outcome.QUALIFIED and not c.is_void]

    def _loaded(self, ids: list) -> dict:
        """The candidacies, read in batches (load_many), each event's signature checked."""
        return self.ledger.load_many(ids, Candidacy)

    def _late_announcement(self) -> None:
        """Issue 23 item 1: a results announcement published after R-8's two months, as a signed
        exception (一般), still opens the 申辩 it announces: the appeal is received the next day."""
        L, code = self.ledger, "zaojia-1"
        ref = f"{code}:2025"
        L.schedule_sitting(HRSS, code, 2025, EXAM_END, on=date(2025, 3, 1))
        people = (("cand.z01", "王芳", "zhengzhou"), ("cand.z02", "赵磊", "kaifeng"))
        ids = [L.register_candidate(EXAM_CENTER, ref, candidate=cand, name=name, city=city, level="一级",
                                    masked_id=f"{REGION_CODES[city]}********{i}21X", specialty=exam(code).specialties[0],
                                    comparison={"education": "passed", "major": "passed", "work-years": "passed"},
                                    on=REGISTERED)
               for i, (cand, name, city) in enumerate(people)]
        L.release_results(EXAM_CENTER, ref, on=D)
        for cid in ids:
            L.release_score(EXAM_CENTER, cid, True, {"建设工程造价管理": "88", "建设工程计价": "92"}, on=D)
            L.hand_over(HRSS, cid, on=date(2025, 6, 15))
        for party in (HRSS, PROVINCE_UNIT):
            L.publish_publicity(party, ref, *PUBLICITY, on=PUBLICITY[0], notice_for=notice_for(L, "publicity"))
        L.record_verification("dept.zhujian.zhengzhou", ids[0], Outcome.QUALIFIED, on=date(2025, 6, 20))
        L.record_verification("dept.zhujian.kaifeng", ids[1], Outcome.UNQUALIFIED, condition="work-years",
                              on=date(2025, 6, 24))
        L.report_verification_results(PROVINCE_UNIT, ref, on=date(2025, 6, 29), notice_for=notice_for(L, "report"))
        L.announce_verification_results(PROVINCE_UNIT, ref, on=date(2025, 8, 20), exception="系统故障延迟公告",
                                        notice_for=notice_for(L, "results"))
        L.lodge_appeal("dept.zhujian.kaifeng", ids[1], "劳动合同与社保记录可证明工作年限", on=date(2025, 8, 21))
        L.decide_appeal("dept.zhujian.kaifeng", ids[1], True, "社保记录证明工作年限符合报考条件", on=date(2025, 8, 28),
                        exception="结果公告延迟发布，申辩顺延受理并处理")  # after R-8's two months: 一般, signed
        self.say(f"造价工程师（一级）2025: its results announcement was published late, on 2025-08-20, after R-8's two "
                 f"months, as a signed exception (系统故障延迟公告, 一般); the 不合格 candidate's 申辩 is still received on "
                 f"2025-08-21 (the window runs to {L.sitting(ref).appeal_due}, R-8) and upheld on 2025-08-28, also as a signed exception")

    def _sanctions(self) -> None:
        L = self.ledger
        self.national_qualified = self._qualified("jianzaoshi-1", date(2025, 8, 20))
        L.issue_numbers(HRSS, "pass-proof", [(cid, f"豫考证〔2025〕{i:05d}") for i, cid in enumerate(self.national_qualified, 1)],
                        on=date(2025, 8, 20))
        provincial = self._qualified("jianzaoshi-2", date(2025, 8, 20))
        L.issue_numbers(HRSS, "e-certificate", [(cid, f"HN2025JZ2{i:06d}") for i, cid in enumerate(provincial, 1)],
                        on=date(2025, 8, 20))
        self.e_certified = provincial
        self.say(f"HRSS issued {len(self.national_qualified)} national pass proofs (R-14) and {len(provincial)} "
                 "e-certificates under its e-seal (R-13)")

        void, fraud = self.national_qualified[-1], self.national_qualified[-2]
        L.find_ineligible(PROVINCE_UNIT, void, "work-years", "日常监管发现社保缴费年限与承诺不符", on=date(2025, 9, 10))
        L.find_fraud(HRSS, fraud, "提供伪造的学历证书（省住建厅核查发现）", on=date(2025, 9, 12))  # Art. 10: the issuer declares it void
        L.refer_to_judiciary(PROVINCE_UNIT, fraud, "郑州市公安局", on=date(2025, 9, 20))
        self.void = {void, fraud}
        self.say("supervision: one registration found ineligible, its pass proof void (R-11); one forged degree "
                 "found by the unit and recorded by HRSS, which issued the pass proof (Order No. 31 Art. 10: 由证书签发机构宣布无效; Art. 10 and Art. 12 in one finding: pass proof and scores void, five years in the integrity record 诚信档案) and referred to the police (R-12)")

    def _certificates(self) -> None:
        L = self.ledger
        holders = [cid for cid in self.national_qualified if cid not in self.void]
        mailed = [cid for cid in holders if cid in self.mailed]
        rest = [cid for cid in holders if cid not in self.mailed]
        L.issue_numbers(PROVINCE_UNIT, "paper", [(cid, f"0{i:07d}") for i, cid in enumerate(holders, 1)], on=date(2025, 10, 20))
        returned, mailed = mailed[:1], mailed[1:]
        L.for_each_candidacy(returned, lambda c, s: c.record_delivery_failed(actor=POSTAL, sitting=s, reason="到付拒收",
                                                                             on=date(2025, 10, 25)))
        L.for_each_candidacy(mailed, lambda c, s: c.deliver_by_post(actor=POSTAL, sitting=s, on=date(2025, 10, 25)))
        self.unclaimed = rest[-3:]
        L.for_each_candidacy([*returned, *rest[:-3]],
                             lambda c, s: c.hand_out(actor=f"dept.zhujian.{c.city}", sitting=s, on=date(2025, 11, 3)))
        self.say(f"paper certificates reached the department; {len(mailed) + len(returned)} reserved for mailing "
                 f"cash-on-delivery (R-16): {len(mailed)} delivered by the postal company, {len(returned)} returned by it "
                 f"(投递失败／退回: 到付拒收) and handed out on site after all; {len(rest) - 3} more handed out on site by "
                 "the municipal units (R-15), 3 never collected")

    def _custody_and_reissue(self) -> None:
        L = self.ledger
        # 2030-05-25 is custody's last day (保管期满, C-1): the transfer is refused on it, allowed the day after.
        self._expect_refusal(lambda: L.transfer_custody(PROVINCE_UNIT, "jianzaoshi-1:2025", on=date(2030, 5, 25)))
        roster = L.transfer_custody(PROVINCE_UNIT, "jianzaoshi-1:2025", on=date(2030, 5, 26),
                                    notice_for=notice_for(L, "custody-roster"))
        collected = self.unclaimed[1]
        L.hand_out(HRSS, collected, on=date(2030, 6, 10))
        self.say(f"2030-05-26, the day after the five years from the exam's end (refused on 2030-05-25, their last day): the {len(roster)} unclaimed certificates are entered in a "
                 "roster (登记造册) and transferred to HRSS (R-17); on 2030-06-10 HRSS, which now holds them, hands one out")

        # the candidate of 建造师（二级） who never came was deemed to have forfeited from
        # 2025-08-15, recorded or not; the unit records it at its year-end review.
        absent = self.roles["jianzaoshi-2:pending"][-1]
        deemed = L.candidacy(absent).deemed_forfeited_from(L.sitting("jianzaoshi-2:2025"))
        L.record_forfeit(PROVINCE_UNIT, absent, on=date(2026, 1, 5))
        self.say(f"2026-01-05: the year-end review records the forfeit (视为放弃) of the 建造师（二级） candidate who never "
                 f"came to supplementary verification, deemed since {deemed} (R-8): a late forfeit")

        refused = L.request_reissue(f"dept.zhujian.{L.candidacy(self.e_certified[0]).city}", self.e_certified[0],
                                    ReissueKind.PAPER_REISSUE, "要求补发纸质证书", on=date(2026, 3, 2))
        holder = next(cid for cid in self.national_qualified if cid not in self.void and cid not in self.unclaimed)
        city_unit = f"dept.zhujian.{L.candidacy(holder).city}"
        L.request_reissue(city_unit, holder, ReissueKind.INFORMATION_CHANGE, "姓名变更（户籍已更正）", on=date(2026, 3, 2))
        L.forward_reissue(city_unit, holder, on=date(2026, 3, 5))
        L.forward_reissue(PROVINCE_UNIT, holder, on=date(2026, 3, 9))
        L.end_reissue(EXAM_CENTER, holder, RequestEnd.COMPLETED, "证书信息已更正", on=date(2026, 3, 20))
        self.say(f"a paper reissue requested for an e-certificate is refused and the refusal recorded (R-18: "
                 f"{'refused' if not refused else 'accepted?!'}); an information change travels municipal → "
                 "provincial department → 河南省人事考试中心 (R-19), which completes it (办结)")

    def _expect_refusal(self, attempt) -> None:
        """Run an act the rules must refuse; show the refusal; check nothing was recorded."""
        before = self.ledger.rows.count()
        try:
            attempt()
        except CertLedgerError as e:
            note(f"    refused: {e}")
        else:  # pragma: no cover - would be a bug
            raise RuntimeError("the demo expected a refusal")
        if self.ledger.rows.count() != before:  # pragma: no cover - would be a bug
            raise RuntimeError("a refused act recorded something")
        self.refused += 1

    def refusals(self) -> None:
        L = self.ledger
        late_appeal = self.roles["jianzaoshi-1:pending"][-1]  # 视为放弃: no later request is accepted
        unclaimed = L.candidacy(self.unclaimed[0])
        self._expect_refusal(lambda: L.lodge_appeal(PROVINCE_UNIT, late_appeal, "补充核查结论有误", on=date(2025, 8, 20)))
        self._expect_refusal(lambda: L.issue_pass_proof(HRSS, next(iter(self.void)), "豫考证〔2025〕99999", on=date(2025, 10, 1)))
        self._expect_refusal(lambda: L.hand_out(f"dept.zhujian.{unclaimed.city}", unclaimed.id, on=date(2030, 6, 1)))
        self._expect_refusal(lambda: L.issue_e_certificate(HRSS, self.national_qualified[0], "HN2025X", on=date(2025, 9, 1)))
        signer = L.wallet.forced_key
        L.wallet.forced_key = self.lost_key
        try:
            self._expect_refusal(lambda: L.register_party("dept.fake", "冒名单位", PartyKind.DEPARTMENT))
        finally:
            L.wallet.forced_key = signer
        self.say(f"{self.refused} refused acts (a late result R-6, a late appeal R-8, a certificate for a void "
                 "registration R-11, a hand-out after the transfer R-17, an e-certificate for a national exam R-13, "
                 "a revoked key T-4): each named its rule and recorded nothing")

    # -- the register shown at the end ------------------------------------------------------

    def _people_by_id(self) -> dict:
        return {cid: person for code, ids in self.ids.items() for cid, person in zip(ids, self.people[code])}

    def register_rows(self) -> list[dict]:
        rows = []
        for code, ids in self.ids.items():
            sitting = self.ledger.sitting(f"{code}:2025")
            counts: Counter[str] = Counter()
            loaded = self._loaded(ids)
            for cid in ids:
                c = loaded[cid]
                status = c.outcome_on(date(2030, 6, 1), sitting)
                counts["passed"] += bool(c.passed)
                counts[str(status.value if isinstance(status, Outcome) else status)] += 1
                counts["void"] += c.is_void
                counts["certificates"] += c.certificate_kind is not None
                counts["mailed"] += c.delivered_on is not None
                counts["handed out"] += c.handed_out_on is not None
            rows.append({
                "sitting": sitting.label, "candidates": len(ids), "passed": counts["passed"],
                "合格": counts["合格"], "不合格": counts["不合格"], "视为放弃": counts["视为放弃"],
                "void": counts["void"], "certificates": counts["certificates"], "mailed": counts["mailed"],
                "handed out": counts["handed out"], "to HRSS": len(sitting.custody_roster),
            })
        return rows
