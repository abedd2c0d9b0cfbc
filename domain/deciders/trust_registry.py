"""The trust registry (信任登记, T-1…T-6), as a decider: the same rules as
:class:`domain.trust.TrustRegistry`, over plain data. ``at`` is the act's write time (the
event's timestamp), as the aggregate's commands take it."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from types import MappingProxyType
from typing import Mapping, Union

from certledger.domain.clock import SIMULATED, SYSTEM, shown
from certledger.domain.errors import InputError, RuleViolation
from certledger.domain.parties import ROOT_PARTY, PartyKind, check_party_id


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


def required_text(what: str, text: str) -> str:
    if not text or not text.strip():
        raise InputError(f"{what} must not be empty")
    return text.strip()


@dataclass(frozen=True, slots=True)
class Initialise:
    root_name: str
    root_key_id: str
    root_public_key: str
    at: datetime
    clock: str = SYSTEM


@dataclass(frozen=True, slots=True)
class RegisterParty:
    actor: str
    party_id: str
    name: str
    kind: PartyKind
    at: datetime


@dataclass(frozen=True, slots=True)
class AddKey:
    actor: str
    party_id: str
    key_id: str
    public_key: str
    possession: str
    at: datetime
    valid_from: datetime | None = None


@dataclass(frozen=True, slots=True)
class RevokeKey:
    actor: str
    key_id: str
    reason: str
    at: datetime
    effective_at: datetime | None = None


# The events, with the stored events' fields (TrustRegistry.Initialised, …).
@dataclass(frozen=True, slots=True)
class Initialised:
    actor: str
    root_name: str
    root_key_id: str
    root_public_key: str
    valid_from: datetime
    clock: str


@dataclass(frozen=True, slots=True)
class PartyRegistered:
    actor: str
    party_id: str
    name: str
    kind: PartyKind
    registered_at: datetime


@dataclass(frozen=True, slots=True)
class KeyAdded:
    actor: str
    party_id: str
    key_id: str
    public_key: str
    possession: str
    valid_from: datetime


@dataclass(frozen=True, slots=True)
class KeyRevoked:
    actor: str
    key_id: str
    effective_at: datetime
    reason: str


Command = Union[Initialise, RegisterParty, AddKey, RevokeKey]
Event = Union[Initialised, PartyRegistered, KeyAdded, KeyRevoked]


@dataclass(frozen=True, slots=True)
class Registry:
    parties: Mapping[str, PartyEntry]
    keys: Mapping[str, KeyEntry]
    clock: str = SYSTEM


def decide(state: Registry | None, command: Command) -> tuple[Event, ...]:
    if isinstance(command, Initialise):
        if state is not None:
            raise RuleViolation("T-1", "the ledger is initialised already")
        if command.clock not in (SYSTEM, SIMULATED):
            raise InputError(f"a ledger's clock is {SYSTEM!r} or {SIMULATED!r}, not {command.clock!r}")
        return (Initialised(ROOT_PARTY, required_text("root name", command.root_name), command.root_key_id,
                            command.root_public_key, command.at, command.clock),)
    if state is None:
        raise RuleViolation("T-1", "this ledger has no trust registry yet")
    _check_root(command.actor, {RegisterParty: "register a party", AddKey: "add a key",
                                RevokeKey: "revoke a key"}[type(command)])
    if isinstance(command, RegisterParty):
        return (_register(state, command),)
    if isinstance(command, AddKey):
        return (_add(state, command),)
    return (_revoke(state, command),)


def _register(state: Registry, c: RegisterParty) -> PartyRegistered:
    check_party_id(c.party_id)
    if c.party_id in state.parties:
        raise RuleViolation("T-2", f"party {c.party_id!r} is already registered")
    if c.kind is PartyKind.HRSS:
        raise RuleViolation("T-1", "there is exactly one HRSS party, the root")
    if c.kind is PartyKind.CANDIDATE or c.party_id.startswith("cand."):
        raise RuleViolation("T-6", f"{c.party_id}: candidates hold no keys; their acts are signed by the platform "
                                   "of record (R-2: exam-center; R-7: the verification unit receiving a 申辩; "
                                   "R-16: hrss)")
    return PartyRegistered(c.actor, c.party_id, required_text("party name", c.name), c.kind, c.at)


def _add(state: Registry, c: AddKey) -> KeyAdded:
    if not c.possession or not c.possession.strip():
        raise RuleViolation("T-5", f"key {c.key_id} comes with no proof of possession")
    if c.party_id not in state.parties:
        raise InputError(f"party {c.party_id!r} is not registered")
    if c.key_id in state.keys:
        raise RuleViolation("T-2", f"key {c.key_id} is already registered (to {state.keys[c.key_id].party_id})")
    valid_from = c.at if c.valid_from is None else c.valid_from
    if valid_from < c.at:
        raise RuleViolation("T-3", f"key {c.key_id} cannot take effect at {shown(valid_from)}, "
                                   f"before it is registered ({shown(c.at)})")
    return KeyAdded(c.actor, c.party_id, c.key_id, c.public_key, c.possession, valid_from)


def _revoke(state: Registry, c: RevokeKey) -> KeyRevoked:
    entry = state.keys.get(c.key_id)
    if entry is None:
        raise InputError(f"key {c.key_id} is not registered")
    if entry.revoked_at is not None:
        raise RuleViolation("T-3", f"key {c.key_id} is already revoked since {shown(entry.revoked_at)}")
    effective_at = c.at if c.effective_at is None else c.effective_at
    if entry.party_id == ROOT_PARTY and effective_at < c.at:
        raise RuleViolation("T-3", f"root key {c.key_id} cannot be revoked retroactively ({shown(effective_at)})")
    if effective_at < entry.valid_from:
        raise RuleViolation("T-3", f"key {c.key_id} cannot be revoked at {shown(effective_at)}, before it "
                                   f"took effect ({shown(entry.valid_from)})")
    return KeyRevoked(c.actor, c.key_id, effective_at, required_text("revocation reason", c.reason))


def _check_root(actor: str, act: str) -> None:
    if actor != ROOT_PARTY:
        raise RuleViolation("T-1", f"only the root party {ROOT_PARTY!r} may {act}, not {actor!r}")


def evolve(state: Registry | None, event: Event) -> Registry:
    if isinstance(event, Initialised):
        return Registry(MappingProxyType({event.actor: PartyEntry(event.actor, event.root_name, PartyKind.HRSS,
                                                                  event.valid_from)}),
                        MappingProxyType({event.root_key_id: KeyEntry(event.root_key_id, event.actor,
                                                                      event.root_public_key, event.valid_from)}),
                        event.clock)
    assert state is not None
    if isinstance(event, PartyRegistered):
        entry = PartyEntry(event.party_id, event.name, PartyKind(event.kind), event.registered_at)
        return replace(state, parties=MappingProxyType({**state.parties, event.party_id: entry}))
    if isinstance(event, KeyAdded):
        key = KeyEntry(event.key_id, event.party_id, event.public_key, event.valid_from)
        return replace(state, keys=MappingProxyType({**state.keys, event.key_id: key}))
    revoked = replace(state.keys[event.key_id], revoked_at=event.effective_at, revocation_reason=event.reason)
    return replace(state, keys=MappingProxyType({**state.keys, event.key_id: revoked}))
