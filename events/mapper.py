"""The signing Mapper: eventsourcing's one seam that every write and read passes through.

Writing: the event's fields become the canonical payload, the acting party's key signs the
envelope (:mod:`events.envelope`), which names the digest of the stream's previous event.
Reading: the envelope must sit where it was signed for, verify under a key valid for the
actor at the event's time, and — when the stream is read in order — chain onto the
previous event. ``verify_on_read=False`` skips the signature and chain checks for bulk
rebuilds; ``certledger verify`` does them instead.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import orjson
from eventsourcing.persistence import Mapper, StoredEvent, Transcoder
from eventsourcing.utils import get_topic, register_topic

from certledger.domain.acts import aggregate_class, event_class
from certledger.domain.errors import InputError, SigningError, TamperError
from certledger.events import envelope
from certledger.events.canonical import canonical_bytes, to_canonical_value
from certledger.events.payload import dates_out_of_range, raise_payload
from certledger.signing import keys
from certledger.signing.keyring import Keyring
from certledger.signing.wallet import Wallet

# Ledgers written before the code moved under one namespace (certledger 0.1) name their
# event classes by the old top-level modules, e.g. "domain.trust:TrustRegistry.KeyAdded".
# The library resolves a registered module prefix, so those topics keep resolving.
for _old in ("domain", "events", "signing", "projections", "cli"):
    register_topic(_old, importlib.import_module(f"certledger.{_old}"))

# Per-stream (version, digest) of the last event seen, so the next write can name its
# predecessor without a query. Cleared wholesale when it grows past this.
_MAX_HEADS = 100_000
_MAX_SIGNED_HERE = 200_000  # ~100 bytes each: an import of 200k rows keeps ~20 MB


class CanonicalTranscoder(Transcoder):
    """eventsourcing's Transcoder interface over our canonical bytes."""

    def encode(self, obj: Any) -> bytes:
        return canonical_bytes(obj)

    def decode(self, data: bytes) -> Any:
        return orjson.loads(data)


class SignedMapper(Mapper[UUID]):
    def __init__(self, keyring: Keyring, wallet: Wallet, *, verify_on_read: bool = True) -> None:
        super().__init__(transcoder=CanonicalTranscoder())
        self.keyring = keyring
        self.wallet = wallet
        self.verify_on_read = verify_on_read
        self.pinned_root: str | None = None
        # The digest of the genesis event, once it exists: every later event names it.
        self.ledger_id: str | None = None
        self.heads: dict[UUID, tuple[int, str]] = {}
        # The digests of the events this process signed, by place: reading one back (the
        # registers' catch-up after an import) need not check the signature it made itself.
        self.signed_here: dict[tuple[UUID, int], str] = {}
        # Set by the Ledger once its recorder exists: fetches a stream's stored event.
        self.fetch_stored: Callable[[UUID, int], StoredEvent | None] | None = None
        # Set by the Ledger: re-reads the trust registry when an unknown key shows up.
        self.refresh_keyring: Callable[[], None] | None = None

    # -- write ----------------------------------------------------------------------------

    def to_stored_event(self, domain_event: Any) -> StoredEvent:
        fields = dict(vars(domain_event))
        stream: UUID = fields.pop("originator_id")
        version: int = fields.pop("originator_version")
        topic = get_topic(type(domain_event))
        class_version = getattr(type(domain_event), "class_version", 1)
        if class_version > 1:
            fields["class_version"] = class_version
        actor = fields.get("actor")
        if not isinstance(actor, str) or not actor:
            raise SigningError(f"event {topic} names no acting party ('actor'): cannot sign it")
        problem = dates_out_of_range(fields)
        if problem:
            raise InputError(f"{topic.rpartition('.')[2]}: {problem}: nothing recorded")
        payload = to_canonical_value(fields)

        genesis = envelope.genesis_key(stream, version, payload)
        if genesis is not None:
            key_id = genesis[0]
            private = self.wallet.private_key_for_genesis(actor, key_id)
            ledger = envelope.NO_LEDGER
        else:
            if self.ledger_id is None:
                raise SigningError("this database holds no genesis event: run 'certledger init' first")
            key_id, private = self.wallet.choose(self.keyring, actor, fields["timestamp"])
            ledger = self.ledger_id

        message = envelope.message_bytes(
            ledger=ledger,
            stream=stream,
            version=version,
            topic=topic,
            signer=key_id,
            prev=self._prev_digest(stream, version),
            payload=payload,
        )
        state = keys.sign(private, message) + message
        digest = envelope.digest(state)
        self._remember(stream, version, digest)
        if len(self.signed_here) >= _MAX_SIGNED_HERE:
            self.signed_here.clear()
        self.signed_here[(stream, version)] = digest
        return StoredEvent(originator_id=stream, originator_version=version, topic=topic, state=state)

    def _prev_digest(self, stream: UUID, version: int) -> str:
        if version == 1:
            return envelope.GENESIS_PREV
        head = self.heads.get(stream)
        if head is not None and head[0] == version - 1:
            return head[1]
        stored = self.fetch_stored(stream, version - 1) if self.fetch_stored else None
        if stored is None:
            raise SigningError(f"cannot chain version {version} of {stream}: version {version - 1} not found")
        return envelope.digest(stored.state)

    def holds_head(self, stream: UUID, version: int) -> bool:
        """Whether the digest of ``stream``'s event ``version`` is cached as its head."""
        head = self.heads.get(stream)
        return head is not None and head[0] == version

    def remember_head(self, stream: UUID, version: int, digest: str) -> None:
        """Cache a stream's head read from the store (the Ledger reads many at once)."""
        self._remember(stream, version, digest)

    def forget(self, streams: list[UUID]) -> None:
        """Drop cached heads, e.g. after a failed save left them ahead of the database."""
        for stream in streams:
            self.heads.pop(stream, None)

    def _remember(self, stream: UUID, version: int, digest: str) -> None:
        if len(self.heads) >= _MAX_HEADS:
            self.heads.clear()
        self.heads[stream] = (version, digest)

    # -- read -----------------------------------------------------------------------------

    def to_domain_event(self, stored_event: StoredEvent) -> Any:
        return self.decode(stored_event)[1]

    def decode(self, stored_event: StoredEvent) -> tuple[envelope.Opened, Any]:
        """The opened envelope (signer, write time) and the domain event, checked as
        :meth:`to_domain_event` checks them: projections need both."""
        stream, version = _place(stored_event)
        digest = envelope.digest(stored_event.state)
        # Exactly the bytes this process signed and wrote at this place: signed by a key the
        # wallet chose as valid, and canonical, when it made them (a row someone changed since
        # has another digest and is checked in full). ``verify`` never reads through here.
        own = self.signed_here.get((stream, version)) == digest
        try:
            opened = self._opened(stored_event, stream, version, strict=not own)
            if self.verify_on_read and not own:
                self._check(opened, stream, version)
        except TamperError as e:
            raise TamperError(f"stream {stream} version {version}: {e}") from None
        self._remember(stream, version, digest)
        return opened, domain_event(opened, stream, version)

    def _opened(self, stored_event: StoredEvent, stream: UUID, version: int, *, strict: bool) -> envelope.Opened:
        """The envelope, checked to be at its place in this ledger (both decodes start here)."""
        opened = envelope.open_state(stored_event.state, strict=strict)
        envelope.check_placement(opened, stream, version, stored_event.topic)
        envelope.check_ledger(opened, self.ledger_id)
        return opened

    def _check(self, opened: envelope.Opened, stream: UUID, version: int) -> None:
        self._refresh_for(opened, stream, version)
        envelope.check_signed(opened, self.keyring, self.pinned_root)
        problem = self._chain_problem(opened, stream, version)
        if problem:
            raise TamperError(problem)

    def _refresh_for(self, opened: envelope.Opened, stream: UUID, version: int) -> None:
        if (
            opened.signer not in self.keyring
            and self.refresh_keyring is not None
            and envelope.genesis_key(stream, version, opened.payload) is None
        ):
            self.refresh_keyring()

    def _chain_problem(self, opened: envelope.Opened, stream: UUID, version: int) -> str | None:
        if version == 1:
            return None if opened.prev == envelope.GENESIS_PREV else "first version does not start the chain"
        head = self.heads.get(stream)
        if head is not None and head[0] == version - 1 and head[1] != opened.prev:
            return f"chain broken: prev does not match version {version - 1}'s digest"
        return None

    # -- read, with the signature checked elsewhere -------------------------------------------

    def decode_deferred(self, stored_event: StoredEvent) -> tuple[envelope.Opened, Any, "Deferred"]:
        """As :meth:`decode`, but the two checks that cost most — the signature, and the slow
        half of the canonical-form check — are left for the caller to run on ``Deferred.item``
        (:func:`events.checks.check_rows`, in other processes) and hand to :meth:`settle`,
        in order. Everything else (placement, ledger id, the signing key's right to sign, the
        chain) is checked here, as :meth:`decode` does."""
        stream, version = _place(stored_event)
        try:
            opened = self._opened(stored_event, stream, version, strict=False)
            self._refresh_for(opened, stream, version)
            public, key_problem = envelope.signing_key(opened, self.keyring, self.pinned_root)
            if public is None:
                raise TamperError(key_problem or "no key to verify with")
            chain_problem = self._chain_problem(opened, stream, version)
        except TamperError as e:
            raise TamperError(f"stream {stream} version {version}: {e}") from None
        self._remember(stream, version, envelope.digest(stored_event.state))
        deferred = Deferred(stream, version, (public, opened.signature, opened.message), key_problem, chain_problem)
        return opened, domain_event(opened, stream, version), deferred

    @staticmethod
    def settle(deferred: "Deferred", signature_holds: bool, canonical_problem: str | None) -> None:
        """Raise what :meth:`decode` would have raised for the row, given the results of
        the deferred checks (canonical form first, as ``open_state`` checks it first)."""
        problem = canonical_problem or envelope.signature_problem(deferred.key_problem, signature_holds) \
            or deferred.chain_problem
        if problem:
            raise TamperError(f"stream {deferred.stream} version {deferred.version}: {problem}")


def domain_event(opened: envelope.Opened, stream: UUID, version: int) -> Any:
    """The domain event an opened envelope holds (its signature is not checked here). Only
    declared event classes are built (:func:`domain.acts.event_class`)."""
    cls = event_class(opened.topic)
    if cls is None:
        raise TamperError(f"unknown event type {opened.topic!r}: no act records it")
    origin = opened.payload.get("originator_topic")
    if origin is not None and aggregate_class(origin) is None:
        raise TamperError(f"unknown aggregate type {origin!r}")
    fields = raise_payload(cls, dict(opened.payload))
    fields["originator_id"] = stream
    fields["originator_version"] = version
    from_version = fields.pop("class_version", 1)
    while from_version < getattr(cls, "class_version", 1):
        getattr(cls, f"upcast_v{from_version}_v{from_version + 1}")(fields)
        from_version += 1
    event = object.__new__(cls)
    object.__setattr__(event, "__dict__", fields)
    return event


def _place(stored_event: StoredEvent) -> tuple[UUID, int]:
    stream = stored_event.originator_id
    return (stream if isinstance(stream, UUID) else UUID(stream)), stored_event.originator_version


@dataclass(frozen=True)
class Deferred:
    """What :meth:`SignedMapper.decode_deferred` left to check: ``item`` is (public key,
    signature, message) for :func:`events.checks.check_rows`."""

    stream: UUID
    version: int
    item: tuple[bytes, bytes, bytes]
    key_problem: str | None
    chain_problem: str | None
