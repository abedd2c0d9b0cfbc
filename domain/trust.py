"""The trust registry (信任登记): parties and the keys each signs with, recorded by the root.

Every act in the ledger is signed by a key of the party that performed it. Which keys those
are, and from when to when they count, is itself recorded here as events signed by the
root party (HRSS). Keys are opaque here: an id and its public key as text. Checking
signatures is the signing layer's business, not the domain's.

Trust rules (cited in refusals):

- T-1 Only the root party (HRSS) registers parties and keys, and revokes keys.
- T-2 A party id and a key id are each registered once.
- T-3 A key takes effect no earlier than its registration; it is revoked no earlier than it
  took effect, and only once.
- T-4 Every event is signed by a key registered to the acting party before the event, and
  valid at the event's time (valid_from <= time < revoked_at). Enforced when signing,
  reading and verifying.
- T-5 A registered key is a sound Ed25519 public key (not of small order, canonically
  encoded) and comes with its holder's proof of possession: a signature by that key over
  its registration (ledger, party, key id). The proof is opaque text here; the signing
  layer checks it when a key is added and ``verify`` when it replays the registry.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID, uuid5

from eventsourcing.domain import event

from certledger.domain.acts import LedgerAggregate, act
from certledger.domain.clock import SIMULATED, SYSTEM, shown
from certledger.domain.errors import InputError, RuleViolation
from certledger.domain.parties import ROOT_PARTY, PartyKind, check_party_id

LEDGER_NAMESPACE = UUID("6f0b7e8c-52a4-4c1b-9a51-2e3cbd0c1e77")
TRUST_REGISTRY_ID = uuid5(LEDGER_NAMESPACE, "trust-registry")


@dataclass(frozen=True)
class PartyEntry:
    party_id: str
    name: str
    kind: PartyKind
    registered_at: datetime


@dataclass(frozen=True)
class KeyEntry:
    key_id: str
    party_id: str
    public_key: str
    valid_from: datetime
    revoked_at: datetime | None = None
    revocation_reason: str | None = None

    def is_valid_at(self, moment: datetime) -> bool:
        return self.valid_from <= moment and (
            self.revoked_at is None or moment < self.revoked_at
        )


class TrustRegistry(LedgerAggregate):
    """One per ledger, at a fixed id; its first event is the ledger's genesis."""

    parties: dict[str, PartyEntry]
    keys: dict[str, KeyEntry]
    clock: str = SYSTEM  # "simulated" for demo and test ledgers, declared at genesis

    @staticmethod
    def create_id() -> UUID:
        return TRUST_REGISTRY_ID

    # -- commands -----------------------------------------------------------------------

    @act("Initialised", rules=("T-1",), term="创世：信任根", args={"at": lambda e: e.valid_from})
    @classmethod
    def initialise(
        cls, *, root_name: str, root_key_id: str, root_public_key: str, at: datetime, clock: str = SYSTEM
    ) -> TrustRegistry:
        """Create the ledger: the root party and its first key, self-signed. ``clock`` says
        whether the ledger's times are real or simulated (demos, tests)."""
        if clock not in (SYSTEM, SIMULATED):
            raise InputError(f"a ledger's clock is {SYSTEM!r} or {SIMULATED!r}, not {clock!r}")
        return cls(
            actor=ROOT_PARTY,
            root_name=required_text("root name", root_name),
            root_key_id=root_key_id,
            root_public_key=root_public_key,
            valid_from=at,
            clock=clock,
        )

    @act("PartyRegistered", rules=("T-1", "T-2"), term="登记参与方")
    def register_party(
        self, *, actor: str, party_id: str, name: str, kind: PartyKind, at: datetime
    ) -> None:
        self._check_root(actor, "register a party")
        check_party_id(party_id)
        if party_id in self.parties:
            raise RuleViolation("T-2", f"party {party_id!r} is already registered")
        if kind is PartyKind.HRSS:
            raise RuleViolation("T-1", "there is exactly one HRSS party, the root")
        if kind is PartyKind.CANDIDATE or party_id.startswith("cand."):
            raise RuleViolation("T-6", f"{party_id}: candidates hold no keys; their acts are signed by the platform "
                                       "of record (R-2: exam-center; R-7: the verification unit receiving a 申辩; "
                                       "R-16: hrss)")
        self._party_registered(
            actor=actor,
            party_id=party_id,
            name=required_text("party name", name),
            kind=kind,
            registered_at=at,
        )

    @act("KeyAdded", rules=("T-1", "T-2", "T-3"), term="登记签名密钥")
    def add_key(
        self,
        *,
        actor: str,
        party_id: str,
        key_id: str,
        public_key: str,
        possession: str,
        at: datetime,
        valid_from: datetime | None = None,
    ) -> None:
        self._check_root(actor, "add a key")
        if not possession or not possession.strip():
            raise RuleViolation("T-5", f"key {key_id} comes with no proof of possession")
        if party_id not in self.parties:
            raise InputError(f"party {party_id!r} is not registered")
        if key_id in self.keys:
            owner = self.keys[key_id].party_id
            raise RuleViolation("T-2", f"key {key_id} is already registered (to {owner})")
        valid_from = at if valid_from is None else valid_from
        if valid_from < at:
            raise RuleViolation(
                "T-3",
                f"key {key_id} cannot take effect at {shown(valid_from)}, "
                f"before it is registered ({shown(at)})",
            )
        self._key_added(
            actor=actor,
            party_id=party_id,
            key_id=key_id,
            public_key=public_key,
            possession=possession,
            valid_from=valid_from,
        )

    @act("KeyRevoked", rules=("T-1", "T-3"), term="吊销签名密钥")
    def revoke_key(
        self,
        *,
        actor: str,
        key_id: str,
        reason: str,
        at: datetime,
        effective_at: datetime | None = None,
    ) -> None:
        """Revoke ``key_id`` from ``effective_at`` (default: now). It may lie in the past,
        when a key is found compromised: events it signed since then stop verifying."""
        self._check_root(actor, "revoke a key")
        entry = self.key(key_id)
        if entry.revoked_at is not None:
            raise RuleViolation(
                "T-3", f"key {key_id} is already revoked since {shown(entry.revoked_at)}"
            )
        effective_at = at if effective_at is None else effective_at
        if entry.party_id == ROOT_PARTY and effective_at < at:
            # Root keys sign the registry itself; a compromised root needs a new ledger
            # root pinned out of band, not an in-band rewrite of history.
            raise RuleViolation(
                "T-3", f"root key {key_id} cannot be revoked retroactively ({shown(effective_at)})"
            )
        if effective_at < entry.valid_from:
            raise RuleViolation(
                "T-3",
                f"key {key_id} cannot be revoked at {shown(effective_at)}, before it "
                f"took effect ({shown(entry.valid_from)})",
            )
        self._key_revoked(
            actor=actor,
            key_id=key_id,
            effective_at=effective_at,
            reason=required_text("revocation reason", reason),
        )

    # -- queries ------------------------------------------------------------------------

    def key(self, key_id: str) -> KeyEntry:
        try:
            return self.keys[key_id]
        except KeyError:
            raise InputError(f"key {key_id} is not registered") from None

    def party(self, party_id: str) -> PartyEntry:
        try:
            return self.parties[party_id]
        except KeyError:
            raise InputError(f"party {party_id!r} is not registered") from None

    def keys_of(self, party_id: str) -> list[KeyEntry]:
        return [k for k in self.keys.values() if k.party_id == party_id]

    def _check_root(self, actor: str, act: str) -> None:
        if actor != ROOT_PARTY:
            raise RuleViolation("T-1", f"only the root party {ROOT_PARTY!r} may {act}, not {actor!r}")

    # -- events (applied on replay: no checks, no clock) ----------------------------------

    @event("Initialised")
    def __init__(
        self,
        *,
        actor: str,
        root_name: str,
        root_key_id: str,
        root_public_key: str,
        valid_from: datetime,
        clock: str = SYSTEM,
    ) -> None:
        self.clock = clock
        self.parties = {
            actor: PartyEntry(actor, root_name, PartyKind.HRSS, valid_from),
        }
        self.keys = {
            root_key_id: KeyEntry(root_key_id, actor, root_public_key, valid_from),
        }

    @event("PartyRegistered")
    def _party_registered(
        self, *, actor: str, party_id: str, name: str, kind: PartyKind, registered_at: datetime
    ) -> None:
        self.parties[party_id] = PartyEntry(party_id, name, PartyKind(kind), registered_at)

    @event("KeyAdded")
    def _key_added(
        self,
        *,
        actor: str,
        party_id: str,
        key_id: str,
        public_key: str,
        valid_from: datetime,
        possession: str = "",  # absent from keys added before T-5 existed
    ) -> None:
        self.keys[key_id] = KeyEntry(key_id, party_id, public_key, valid_from)

    @event("KeyRevoked")
    def _key_revoked(
        self, *, actor: str, key_id: str, effective_at: datetime, reason: str
    ) -> None:
        self.keys[key_id] = dataclasses.replace(
            self.keys[key_id], revoked_at=effective_at, revocation_reason=reason
        )


def required_text(what: str, text: str) -> str:
    if not text or not text.strip():
        raise InputError(f"{what} must not be empty")
    return text.strip()
