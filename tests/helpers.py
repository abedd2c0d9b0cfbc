"""A small world to test in: a ledger, a key store, some parties, and a test aggregate."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from uuid import UUID

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from eventsourcing.domain import event

from certledger.domain.acts import LedgerAggregate, act
from certledger.domain.parties import ROOT_PARTY, PartyKind
from certledger.events.ledger import Ledger
from certledger.events.storage import parse_database_url
from certledger.signing.keys import KeyId, new_private_key, raw_public_key
from certledger.signing.keystore import KeyStore
from certledger.signing.wallet import Wallet

PASSPHRASE = b"test passphrase"
# Tests create hundreds of throwaway keys: a low KDF cost, given explicitly (the default,
# signing.pkcs8.STRONG_KDF_ROUNDS, is what real key stores use).
TEST_KDF_ROUNDS = 1_000

PARTIES = {
    "exam-center": (PartyKind.EXAM_CENTER, "河南省人事考试中心"),
    "dept.zhujian.henan": (PartyKind.DEPARTMENT, "河南省住房和城乡建设厅"),
    "dept.zhujian.zhengzhou": (PartyKind.DEPARTMENT, "郑州市住房和城乡建设局"),
}


class Memo(LedgerAggregate):
    """A stand-in for the lifecycle aggregates: any party writes and amends a memo. Its acts
    are declared like the lifecycle's, so verify replays them too (no rule refuses them)."""

    @act("Written", term="备忘", args={"id": lambda e: e.originator_id})
    @classmethod
    def write(cls, *, actor: str, text: str, value: Any, id: UUID | None = None) -> "Memo":
        # A memo's id is random, so replay must be told which one the recorded event has.
        return cls._create(cls.Written, id=id, actor=actor, text=text, value=value)

    @act("Amended", term="修改备忘")
    def amend(self, *, actor: str, text: str) -> None:
        self._amended(actor=actor, text=text)

    @event("Written")
    def __init__(self, *, actor: str, text: str, value: Any) -> None:
        self.text = text
        self.value = value

    @event("Amended")
    def _amended(self, *, actor: str, text: str) -> None:
        self.text = text


@dataclass
class World:
    db_url: str
    store: KeyStore
    ledger: Ledger
    keys: dict[str, KeyId] = field(default_factory=dict)  # party -> its first key id
    tampered: bool = False

    @classmethod
    def create(cls, db_url: str, keys_dir: Path) -> World:
        store = KeyStore(keys_dir, lambda: PASSPHRASE, kdf_rounds=TEST_KDF_ROUNDS)
        ledger = Ledger(parse_database_url(db_url), Wallet(store), create=True)
        world = cls(db_url, store, ledger)
        root = new_private_key()
        world.keys[ROOT_PARTY] = store.save(ROOT_PARTY, root)
        ledger.initialise(raw_public_key(root))
        for party, (kind, name) in PARTIES.items():
            ledger.register_party(party, name, kind)
            world.keys[party] = world.add_key(party)
        return world

    def add_key(self, party: str, **kwargs: Any) -> KeyId:
        key = new_private_key()
        self.store.save(party, key)
        return self.ledger.add_key(party, self.ledger.claim(party, key), **kwargs)

    def private_key(self, key_id: str) -> Ed25519PrivateKey:
        key = self.store._loaded[key_id]
        return key

    def signing_with(self, key_id: str | None) -> None:
        """Make the ledger sign with exactly this key (as ``--key`` does), or choose again."""
        self.ledger.wallet.forced_key = key_id

    def write_memo(self, actor: str, text: str, amendments: int = 0, **kwargs: Any) -> UUID:
        memo = Memo(actor=actor, text=text, value=kwargs.pop("value", None), **kwargs)
        for i in range(amendments):
            memo.amend(actor=actor, text=f"{text} (amended {i + 1})")
        self.ledger.save(memo)
        return memo.id

    def reopen(self, **kwargs: Any) -> Ledger:
        return Ledger(parse_database_url(self.db_url), Wallet(self.store), **kwargs)

    def count(self) -> int:
        return self.ledger.rows.count()

    def close(self) -> None:
        self.ledger.close()


def assert_verifies(db_url: str) -> None:
    """``verify`` over the whole ledger at ``db_url`` finds nothing (a read-only replay)."""
    from certledger.events.verify import Report, verify_ledger

    check = Ledger(parse_database_url(db_url), verify_on_read=False, read_only=True)
    try:
        findings = list(verify_ledger(check, Report()))
    finally:
        check.close()
    assert findings == [], [f.describe() for f in findings]
