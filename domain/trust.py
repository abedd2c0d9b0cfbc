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
from datetime import datetime
from types import MappingProxyType
from uuid import UUID, uuid5

from eventsourcing.domain import event

from certledger.domain.acts import LedgerAggregate, act
from certledger.domain.clock import SYSTEM
from certledger.domain.deciders import trust_registry as decider
from certledger.domain.deciders.trust_registry import KeyEntry, PartyEntry, required_text  # noqa: F401 - re-exported
from certledger.domain.errors import InputError
from certledger.domain.parties import ROOT_PARTY, PartyKind

LEDGER_NAMESPACE = UUID("6f0b7e8c-52a4-4c1b-9a51-2e3cbd0c1e77")
TRUST_REGISTRY_ID = uuid5(LEDGER_NAMESPACE, "trust-registry")


class TrustRegistry(LedgerAggregate):
    """One per ledger, at a fixed id; its first event is the ledger's genesis."""

    parties: dict[str, PartyEntry]
    keys: dict[str, KeyEntry]
    clock: str = SYSTEM  # "simulated" for demo and test ledgers, declared at genesis

    @staticmethod
    def create_id() -> UUID:
        return TRUST_REGISTRY_ID

    # -- commands: the rules are the decider's (domain/deciders/trust_registry.py) ---------

    @act("Initialised", rules=("T-1",), term="创世：信任根", args={"at": lambda e: e.valid_from})
    @classmethod
    def initialise(
        cls, *, root_name: str, root_key_id: str, root_public_key: str, at: datetime, clock: str = SYSTEM
    ) -> TrustRegistry:
        """Create the ledger: the root party and its first key, self-signed. ``clock`` says
        whether the ledger's times are real or simulated (demos, tests)."""
        (e,) = decider.decide(None, decider.Initialise(root_name, root_key_id, root_public_key, at, clock))
        return cls(actor=e.actor, root_name=e.root_name, root_key_id=e.root_key_id, root_public_key=e.root_public_key,
                   valid_from=e.valid_from, clock=e.clock)

    @act("PartyRegistered", rules=("T-1", "T-2"), term="登记参与方")
    def register_party(
        self, *, actor: str, party_id: str, name: str, kind: PartyKind, at: datetime
    ) -> None:
        (e,) = decider.decide(self.decider_state(), decider.RegisterParty(actor, party_id, name, kind, at))
        self._party_registered(actor=e.actor, party_id=e.party_id, name=e.name, kind=e.kind,
                               registered_at=e.registered_at)

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
        (e,) = decider.decide(self.decider_state(),
                              decider.AddKey(actor, party_id, key_id, public_key, possession, at, valid_from))
        self._key_added(actor=e.actor, party_id=e.party_id, key_id=e.key_id, public_key=e.public_key,
                        possession=e.possession, valid_from=e.valid_from)

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
        (e,) = decider.decide(self.decider_state(), decider.RevokeKey(actor, key_id, reason, at, effective_at))
        self._key_revoked(actor=e.actor, key_id=e.key_id, effective_at=e.effective_at, reason=e.reason)

    def decider_state(self) -> decider.Registry:
        return decider.Registry(MappingProxyType(self.parties), MappingProxyType(self.keys), self.clock)

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
