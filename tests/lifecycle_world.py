"""A ledger populated with the parties of the lifecycle, and helpers that bring a sitting
and its candidates to a given stage. Dates follow a 2025 calendar:

- national exam 建造师（一级） (``jianzaoshi-1``, 省（市）住建, paper): exam ends 2025-05-25,
  results released (D) 2025-06-14, so results are due 2025-06-29 (R-6), appeals and
  supplementary verification close 2025-08-14 (R-8);
- provincial exam 建造师（二级） (``jianzaoshi-2``, e-certificate): exam ends 2025-05-25, D
  2025-06-14, its own announcement sets verification due 2025-07-10 (R-10).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from uuid import UUID

from certledger.domain.candidacy import Outcome
from certledger.domain.units import unit_name
from certledger.events.ledger import Ledger
from certledger.events.storage import parse_database_url
from certledger.signing.keys import new_private_key, raw_public_key
from certledger.signing.keystore import KeyStore
from certledger.signing.wallet import Wallet
from tests.helpers import PASSPHRASE, TEST_KDF_ROUNDS

UNITS = [
    "exam-center",
    "dept.zhujian.henan",
    "dept.zhujian.zhengzhou",
    "dept.zhujian.luoyang",
    "dept.weijian.henan",
    "dept.weijian.zhengzhou",
    "dept.tongxin.henan",
    "dept.kaoshi.zhengzhou",
    "assoc.gczx.henan",
    "postal.henan",
    "national.dept.weijian",
    "national.dept.tongxin",
    "national.exam-center",
]
CANDIDATES = [f"cand.{i:03d}" for i in range(1, 9)]

EXAM_END = date(2025, 5, 25)
D = date(2025, 6, 14)
RESULTS_DUE = date(2025, 6, 29)
TWO_MONTHS = date(2025, 8, 14)
PROVINCIAL_DUE = date(2025, 7, 10)
PUBLICITY = (date(2025, 6, 16), date(2025, 6, 25))
ANNOUNCED = date(2025, 7, 2)

COMPARISON_OK = {"education": "passed", "major": "passed", "work-years": "passed"}


@dataclass
class LifeWorld:
    db_url: str
    store: KeyStore
    ledger: Ledger
    candidacies: dict[tuple[str, str], UUID] = field(default_factory=dict)  # (exam, cand) -> id
    tampered: bool = False

    @classmethod
    def create(cls, db_url: str, keys_dir: Path) -> LifeWorld:
        store = KeyStore(keys_dir, lambda: PASSPHRASE, kdf_rounds=TEST_KDF_ROUNDS)
        ledger = Ledger(parse_database_url(db_url), Wallet(store), create=True)
        root = new_private_key()
        store.remember(root)
        ledger.initialise(raw_public_key(root), simulated=True)
        parties = []
        for party in UNITS:  # candidates hold no keys (T-6): the platforms of record sign their acts
            key = new_private_key()
            store.remember(key)
            name, kind = unit_name(party)
            parties.append((party, name, kind, ledger.claim(party, key)))
        ledger.enrol(parties)
        return cls(db_url, store, ledger)

    def save_keys(self) -> None:
        """Write every in-memory key to the key store's directory under its party, for the CLI
        commands that sign (``cert document``) or read a private key."""
        registry = self.ledger.registry()
        for key_id, key in list(self.store._loaded.items()):  # our own store's memory: tests only
            self.store.save(registry.key(key_id).party_id, key)

    def count(self) -> int:
        return self.ledger.rows.count()

    def reopen(self) -> Ledger:
        """A second writer on the same database, with the same key store."""
        return Ledger(parse_database_url(self.db_url), Wallet(self.store))

    def close(self) -> None:
        self.ledger.close()

    # -- bringing things to a stage ---------------------------------------------------------

    def sitting(self, exam_code: str = "jianzaoshi-1") -> UUID:
        """Scheduled, with results released on D."""
        return self.ledger.schedule_sitting("hrss", exam_code, 2025, EXAM_END, on=date(2025, 3, 1))

    def register(self, sid: UUID, candidate: str, city: str = "zhengzhou", exam_code: str = "jianzaoshi-1") -> UUID:
        from certledger.domain.exams import exam

        levels = exam(exam_code).levels
        cid = self.ledger.register_candidate(
            "exam-center", sid, candidate=candidate, name=f"考生{candidate[-3:]}", masked_id="410102********123X", city=city,
            level=levels[0] if levels else "", comparison=COMPARISON_OK, on=date(2025, 3, 10),
        )
        self.candidacies[(exam_code, candidate)] = cid
        return cid

    def passed_and_handed_over(self, sid: UUID, candidates: list[str], *, city: str = "zhengzhou",
                               exam_code: str = "jianzaoshi-1", release: bool = True) -> list[UUID]:
        ids = [self.register(sid, c, city, exam_code) for c in candidates]
        if release:
            self.ledger.release_results("exam-center", sid, on=D)
        for cid in ids:
            self.ledger.release_score("exam-center", cid, True, {"综合": "72"}, on=D)
            self.ledger.hand_over("hrss", cid, on=date(2025, 6, 15))
        return ids

    def publicity(self, sid: UUID, unit: str = "dept.zhujian.henan") -> None:
        """The joint publicity (R-5), unless published already; a provincial exam's sets its
        results deadline (R-10), so it comes before any of its results."""
        sitting = self.ledger.sitting(sid)
        if sitting.publicity_is_joint:
            return
        due = PROVINCIAL_DUE if sitting.exam.provincial else None
        self.ledger.publish_publicity("hrss", sid, *PUBLICITY, on=PUBLICITY[0], verification_due=due)
        self.ledger.publish_publicity(unit, sid, *PUBLICITY, on=PUBLICITY[0])

    def publicity_and_announcement(self, sid: UUID, unit: str = "dept.zhujian.henan") -> None:
        self.publicity(sid, unit)
        self.ledger.report_verification_results(unit, sid, on=RESULTS_DUE)  # R-6, before the announcement
        self.ledger.announce_verification_results(unit, sid, on=ANNOUNCED)

    def qualified(self, sid: UUID, candidates: list[str], *, exam_code: str = "jianzaoshi-1",
                  unit: str = "dept.zhujian.henan", announce: bool = True) -> list[UUID]:
        ids = self.passed_and_handed_over(sid, candidates, exam_code=exam_code)
        if announce or self.ledger.sitting(sid).exam.provincial:
            self.publicity(sid, unit)
        for cid in ids:
            self.ledger.record_verification(unit, cid, Outcome.QUALIFIED, on=date(2025, 6, 20))
        if announce:
            self.publicity_and_announcement(sid, unit)
        return ids
