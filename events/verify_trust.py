"""``verify``, first: the trust registry replayed on its own.

Every trust event is re-run through its own command (T-1…T-3) at the moment it was
written, its key material checked (T-2, T-5), its signature checked under the registry as
it stood. Only the admitted events register or revoke keys; each key's registration and
revocation are placed in ledger order (:class:`KeyLife`), and :func:`key_problem` answers,
for any later event, whether its key may sign it there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from certledger.domain import clock
from certledger.domain.clock import shown
from certledger.domain.errors import CertLedgerError, TamperError
from certledger.domain.trust import TRUST_REGISTRY_ID, TrustRegistry
from certledger.events import envelope
from certledger.events.canonical import canonical_bytes
from certledger.events.ledger import Ledger
from certledger.events.mapper import domain_event
from certledger.events.replay import admit
from certledger.events.verify_rows import CLOCK_SKEW, Parsed, chain_problems, parse_row, stream_time_problems
from certledger.signing import keys, possession
from certledger.signing.keys import signature_holds


@dataclass
class KeyLife:
    """When, in ledger order, a key was registered and revoked (notification ids)."""

    registered_at: int
    revoked_at: int | None = None


@dataclass
class TrustPass:
    """The trust registry replayed on its own, before everything else: which keys count,
    from where in the ledger, with every revocation (even a later, retroactive one)."""

    ledger_id: str | None = None
    registry: TrustRegistry | None = None
    genesis_root_key: str | None = None
    lives: dict[str, KeyLife] = field(default_factory=dict)
    admitted: list[Any] = field(default_factory=list)  # the trust events that count
    findings: dict[int, list[str]] = field(default_factory=dict)
    last_digest: str | None = None
    last_version: int = 0
    last_time: datetime | None = None
    newest_time: datetime | None = None


def replay_trust(ledger: Ledger, pinned_root: str | None) -> TrustPass:
    trust = TrustPass()
    backend = ledger.database.backend
    for row in ledger.rows.raw_stream(TRUST_REGISTRY_ID):
        parsed, problems = parse_row(row, backend)
        if parsed is not None:
            problems = [*problems, *_check_trust_event(trust, parsed, pinned_root)]
        if problems:
            trust.findings[row.notification_id] = problems
    return trust


def _check_trust_event(trust: TrustPass, parsed: Parsed, pinned_root: str | None) -> list[str]:
    opened, nid = parsed.opened, parsed.row.notification_id
    problems: list[str] = []
    genesis = parsed.version == 1
    pin_problem = None
    if genesis:
        if trust.registry is not None:
            return ["a second genesis event"]
        # Version 1 of the trust registry's stream always carries a root key (maybe a bad one).
        root = envelope.genesis_key(parsed.stream, parsed.version, opened.payload) or ("", "")
        public, key_problem = envelope.genesis_signing_key(opened, root)
        if pinned_root is not None and root[0] != pinned_root:
            # Reported, but the rest is still checked against this ledger's own root.
            pin_problem = f"root key is {root[0]}, not the pinned root {pinned_root}: this is not the ledger you expect"
    else:
        if trust.registry is None:
            return ["a trust event before any genesis event"]
        public, key_problem = _trust_signing_key(trust, opened, nid)
    if public is None:
        problems.append(key_problem or "no key to verify with")
    else:
        problem = envelope.signature_problem(key_problem, signature_holds(public, opened.signature, opened.message))
        if problem:
            problems.append(problem)
    if not genesis:
        try:
            envelope.check_ledger(opened, trust.ledger_id)
        except TamperError as e:
            problems.append(str(e))
    problems += chain_problems(parsed, trust.last_version, trust.last_digest)
    problems += stream_time_problems(opened.timestamp, trust.last_time)
    if registry_clock(trust) != clock.SIMULATED and opened.timestamp > datetime.now(clock.CST) + CLOCK_SKEW:
        problems.append(f"written at {opened.timestamp.isoformat()}, in the future of this verification")
    try:
        event = domain_event(opened, parsed.stream, parsed.version)
    except Exception as e:  # noqa: BLE001 - a forged payload can break any conversion
        return [*problems, f"cannot be read as an event ({type(e).__name__}: {e})"]
    try:
        problems += _key_material_problems(event, trust.ledger_id)
    except Exception as e:  # noqa: BLE001 - a forged payload can lack any field
        problems.append(f"the registered key cannot be checked ({type(e).__name__}: {e})")
    registry = trust.registry
    version_before = registry.version if registry is not None else 0
    admission = admit(event, registry, {}, apply_refused=False)
    problems += admission.problems
    # Only a trust event with nothing wrong counts: a refused one registers and revokes nothing.
    if not problems and admission.aggregate is not None:
        trust.registry = admission.aggregate
        trust.admitted.append(event)
        _note_key_life(trust, event, nid)
        if genesis:
            trust.ledger_id = envelope.digest(parsed.row.state)
            trust.genesis_root_key = event.root_key_id
    elif registry is not None:
        if registry.version != version_before:
            # The act ran but the event is rejected (bad signature, other content): undo it.
            trust.registry = registry = _rebuild_registry(trust.admitted)
        # Later trust events follow the stream's numbering, refused ones included.
        registry.version = parsed.version
    trust.last_version = parsed.version
    trust.last_digest = envelope.digest(parsed.row.state)
    trust.last_time = opened.timestamp
    return [pin_problem, *problems] if pin_problem else problems


def registry_clock(trust: TrustPass) -> str:
    return trust.registry.clock if trust.registry is not None else clock.SYSTEM


def _rebuild_registry(admitted: list[Any]) -> TrustRegistry:
    registry = None
    for event in admitted:
        if registry is not None:
            registry.version = event.originator_version - 1  # refused events leave gaps
        registry = event.mutate(registry)
    assert registry is not None
    return registry


def _note_key_life(trust: TrustPass, event: Any, nid: int) -> None:
    if isinstance(event, TrustRegistry.Initialised):
        trust.lives[event.root_key_id] = KeyLife(nid)
    elif isinstance(event, TrustRegistry.KeyAdded):
        trust.lives[event.key_id] = KeyLife(nid)
    elif isinstance(event, TrustRegistry.KeyRevoked):
        trust.lives[event.key_id].revoked_at = nid


def _key_material_problems(event: Any, ledger_id: str | None) -> list[str]:
    """A registered key's id is the digest of the public key it registers (T-2); the key is
    sound, and — but for the genesis root, which signs the genesis event itself — comes with
    its holder's proof of possession for this ledger, party and key (T-5)."""
    if isinstance(event, TrustRegistry.Initialised):
        key_id, text = event.root_key_id, event.root_public_key
    elif isinstance(event, TrustRegistry.KeyAdded):
        key_id, text = event.key_id, event.public_key
    else:
        return []
    try:
        raw = keys.public_key_from_text(text)
    except CertLedgerError as e:
        return [f"T-2: the registered public key is unusable: {e}"]
    if keys.key_id_of(raw) != key_id:
        return [f"T-2: key id {key_id} is not the id of the public key it registers ({keys.key_id_of(raw)})"]
    try:
        if isinstance(event, TrustRegistry.KeyAdded):
            proof = getattr(event, "possession", "")  # absent from a forged or pre-T-5 event
            possession.check(raw, proof, ledger_id or "", event.party_id, key_id, encode=canonical_bytes)
        else:
            keys.check_public_key(raw)
    except CertLedgerError as e:
        return [str(e)]
    return []


def _trust_signing_key(trust: TrustPass, opened: envelope.Opened, nid: int) -> tuple[bytes | None, str | None]:
    registry = trust.registry
    assert registry is not None
    entry = registry.keys.get(opened.signer)
    if entry is None:
        return None, f"T-4: key {opened.signer} is not registered in this ledger before this event"
    problem = key_problem(entry, trust.lives.get(opened.signer), opened, nid)
    return keys.public_key_from_text(entry.public_key), problem


def key_problem(entry: Any, life: KeyLife | None, opened: envelope.Opened, nid: int) -> str | None:
    """Why the key may not sign this event, written at ledger position ``nid``; None if it may."""
    reasons = []
    if life is None or life.registered_at >= nid:
        reasons.append(f"key {entry.key_id} signed before the ledger registered it")
    if life is not None and life.revoked_at is not None and life.revoked_at < nid:
        reasons.append(
            f"key {entry.key_id} was revoked (notification {life.revoked_at}) before this event was written"
        )
    moment = opened.timestamp
    if entry.revoked_at is not None and moment >= entry.revoked_at:
        reasons.append(
            f"key {entry.key_id} is revoked from {shown(entry.revoked_at)} ({entry.revocation_reason}), "
            f"not after the event's time {shown(moment)}"
        )
    if moment < entry.valid_from:
        reasons.append(f"key {entry.key_id} takes effect at {shown(entry.valid_from)}, after the event's time")
    if entry.party_id != opened.actor:
        reasons.append(f"key {entry.key_id} belongs to {entry.party_id!r}, not to the acting party {opened.actor!r}")
    return "T-4: " + "; ".join(reasons) if reasons else None


