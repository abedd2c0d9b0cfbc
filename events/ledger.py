"""The Ledger: the eventsourcing Application every command goes through.

It is the service layer: it loads aggregates, calls their commands, saves the events they
produce. Signing and verification happen in its Mapper (:mod:`events.mapper`); which keys
may sign is read from the trust registry stream, which this class keeps loaded and re-reads
before every write, so that a key another process revoked is not used; its recorder
(:mod:`events.recorders`) re-checks that inside the write transaction.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from typing import Any
from uuid import UUID

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from eventsourcing.application import Application
from eventsourcing.persistence import IntegrityError, PersistenceError, StoredEvent
from eventsourcing.utils import Environment

from certledger.domain import checkpoints as _checkpoints  # noqa: F401 - declares the checkpoint acts
from certledger.domain import clock
from certledger.domain.errors import CertLedgerError, InputError, StorageError, TamperError
from certledger.domain.parties import ROOT_PARTY, PartyKind
from certledger.domain.trust import TRUST_REGISTRY_ID, TrustRegistry
from certledger.events import envelope
from certledger.events.canonical import canonical_bytes
from certledger.events.lifecycle import LifecycleServices
from certledger.events.holder_secrets import HolderSecrets
from certledger.events.keyring_cache import KeyringCache
from certledger.events.mapper import SignedMapper
from certledger.events.processing import CollectedEvents
from certledger.events.merkle_log import MerkleLog
from certledger.events.receipts import Receipt
from certledger.events.recorders import TRUST_VERSION, KeyringMoved, with_guarded_recorder
from certledger.events.storage import APP_NAME, Database, Rows, open_settings
from certledger.signing import possession
from certledger.signing.keyring import Keyring
from certledger.signing.keys import KeyId, check_public_key, key_id_of, public_key_text
from certledger.signing.possession import KeyClaim
from certledger.signing.wallet import Wallet


_SIGNING_ATTEMPTS = 3

MAX_EVENTS_PER_SAVE = 2_000
"""The most events one transaction may hold. Why: the library sends a save's inserts through
psycopg's pipeline and reads their RETURNING rows only after the last one is sent; with tens
of thousands of events the server's replies fill the socket buffers, the server stops
reading, and client and server wait for each other forever (measured here: 10,000 events
saved in 5 s, 60,000 never returned; no server timeout fires, as the server is waiting on the
client). Saves of ``COPY_FROM`` (64) events and more now go through COPY instead
(events/recorders_postgres.py), which streams without waiting on replies, and every
statement has a server-side timeout (events/storage.py), so neither path can hang; the bound
stays because it also bounds a transaction's memory and lock time, and both stores keep it,
so a command behaves the same on either. Services that record more (``enrol``, ``import``)
split their work into saves below it."""


class ConflictError(CertLedgerError):
    """Another writer recorded an event in the same stream first; nothing was written."""


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


# Where a simulated ledger's clock starts: before any act the demos and tests record.
SIMULATION_START = datetime(2025, 1, 1, 9, tzinfo=clock.CST)


class Ledger(LifecycleServices, Application[UUID]):
    name = APP_NAME

    def __init__(
        self,
        database: Database,
        wallet: Wallet | None = None,
        *,
        verify_on_read: bool = True,
        pinned_root: str | None = None,
        read_only: bool = False,
        create: bool = False,
        keyring_cache: KeyringCache | None = None,
    ) -> None:
        """Open the ledger in ``database``. Only ``create`` (``init``) makes its tables;
        otherwise a database without them is refused before anything is written to it.
        ``read_only`` opens it so that nothing can be written (``verify``, listings)."""
        self.database = database
        self.keyring = Keyring()
        self.wallet = wallet or Wallet(None)
        self._verify_on_read = verify_on_read
        self._registry: TrustRegistry | None = None
        self._refreshing = False
        self.recorded = False  # whether this process saved any event
        self.clock: clock.Clock = clock.SystemClock()
        self.receipts: list[Receipt] = []  # one per event this ledger object wrote, in order
        self._keyring_version = 0  # the trust registry version self.keyring was built from
        # The local keyring cache (events.keyring_cache); never when signatures are not
        # checked on read (verify replays the registry itself) or a root is pinned.
        self._keyring_cache = keyring_cache if verify_on_read and pinned_root is None else None
        self.trust_events_read = 0  # trust events replayed (and verified) by this object
        settings = open_settings(database, read_only=read_only, create=create)
        try:
            super().__init__(env=settings)
        except (PersistenceError, OSError) as e:
            raise StorageError(f"cannot open {database.describe()}: {e}") from None
        self.rows = Rows(database, self.recorder)
        self.holder_secrets = HolderSecrets(self)
        if create:  # init: the Merkle log's tables too (events.merkle_log), and the holder secrets'
            MerkleLog(self).ensure_tables()
            self.holder_secrets.ensure_table()
        self.mapper.fetch_stored = self._fetch_stored
        self.mapper.refresh_keyring = self._refresh_registry
        self.mapper.pinned_root = pinned_root
        try:
            self._refresh_registry()
        except TamperError:
            # Opening must not fail on a damaged trust stream: verify judges it row by row,
            # and any command that needs the registry gets this error again when it asks.
            self._registry = None

    def construct_env(self, name: str, env: Any = None) -> Any:
        """Only the settings the ``--db`` URL made, not the library's merge with
        ``os.environ``: a stray ``LEDGER_CREATE_TABLE`` must not reopen a store writable."""
        return Environment(name, {**type(self).env, **(env or {})})

    def construct_factory(self, env: Any) -> Any:
        # Our recorder checks, inside the write transaction, that the keyring still holds.
        return super().construct_factory(with_guarded_recorder(env))

    def construct_mapper(self) -> SignedMapper:
        return SignedMapper(self.keyring, self.wallet, verify_on_read=self._verify_on_read)

    @property
    def mapper_(self) -> SignedMapper:
        assert isinstance(self.mapper, SignedMapper)
        return self.mapper

    # -- saving -----------------------------------------------------------------------------

    def save(self, *objs: Any, **kwargs: Any) -> Any:
        """The library's ``Application.save``, step for step, collecting with
        :class:`events.processing.CollectedEvents` (no Protocol checks per aggregate)."""
        processing_event = CollectedEvents()
        processing_event.collect_events(*objs, **kwargs)
        recordings = self._record(processing_event)
        self._take_snapshots(processing_event)
        self._notify(recordings)
        self.notify(processing_event.events)  # the library's deprecated hook, still called
        return recordings

    def _record(self, processing_event: Any) -> Any:
        """Sign against the trust registry as it stands (another process may have revoked
        a key since we last looked), and let the recorder refuse the write if it moves
        before the commit; then refresh and sign again."""
        streams = [ev.originator_id for ev in processing_event.events]
        if len(processing_event.events) > MAX_EVENTS_PER_SAVE:
            raise InputError(
                f"{len(processing_event.events):,} events in one transaction: at most "
                f"{MAX_EVENTS_PER_SAVE:,} may be saved at once; nothing was written"
            )
        self._read_heads(processing_event.events)
        for attempt in range(1, _SIGNING_ATTEMPTS + 1):
            self._refresh_registry()  # one indexed query when nothing changed
            processing_event.saved_kwargs[TRUST_VERSION] = self._keyring_version
            try:
                recordings = self._record_once(processing_event)
                self.recorded = True  # the registers have something to catch up on
                return recordings
            except KeyringMoved as e:
                self.mapper_.forget(streams)
                if TRUST_REGISTRY_ID in streams or attempt == _SIGNING_ATTEMPTS:
                    raise ConflictError(f"{e}; nothing was written, try again") from None
        raise AssertionError("unreachable")  # pragma: no cover

    def _notify(self, recordings: Any) -> None:
        # The library's hook after every save: the one place all writes pass, with the
        # notification ids the store gave them.
        self.receipts.extend(Receipt.of(r) for r in recordings)
        super()._notify(recordings)

    def _record_once(self, processing_event: Any) -> Any:
        try:
            return super()._record(processing_event)
        except KeyringMoved:
            raise
        except BaseException as e:
            # The mapper cached digests of events that never reached the database.
            self.mapper_.forget([ev.originator_id for ev in processing_event.events])
            if isinstance(e, IntegrityError):
                raise ConflictError(
                    "another writer recorded an event in the same stream first; "
                    "nothing was written, try again"
                ) from None
            if isinstance(e, PersistenceError):
                raise StorageError(f"cannot write to {self.database.describe()}: {e}") from None
            raise

    @property
    def ledger_id(self) -> str | None:
        """The digest of the genesis event; every other event names it. None before init."""
        return self.mapper_.ledger_id

    @contextmanager
    def acting(self) -> Iterator[None]:
        """Run commands under this ledger's clock (real, or simulated as its genesis says)."""
        with clock.using(self.clock):
            yield

    def _read_heads(self, events: list[Any]) -> None:
        """Give the mapper, in one query, the digest of each stream's previous event that
        it does not hold, instead of one query per stream as it signs. Why: it keeps the
        heads of at most 100,000 streams, so an import of more candidacies (all read
        ahead, then written) would otherwise read every predecessor alone."""
        wanted: dict[UUID, int] = {}
        seen: set[UUID] = set()
        for event in events:
            stream, version = event.originator_id, event.originator_version
            if stream in seen:
                continue  # a later event of a stream in this save chains onto the earlier
            seen.add(stream)
            if version > 1 and not self.mapper_.holds_head(stream, version - 1):
                wanted[stream] = version - 1
        if len(wanted) < 2:
            return  # the mapper's own query is as cheap
        for row in self.rows.of_streams(list(wanted)):
            if wanted.get(row.stream) == row.version:
                self.mapper_.remember_head(row.stream, row.version, envelope.digest(row.state))

    def _fetch_stored(self, stream: UUID, version: int) -> StoredEvent | None:
        found = self.recorder.select_events(stream, gt=version - 1, lte=version)
        return found[0] if found else None

    # -- the trust registry ---------------------------------------------------------------

    def _refresh_registry(self) -> TrustRegistry | None:
        """Apply trust events recorded since we last looked (by anyone), checking each
        against the keys registered before it."""
        if self._refreshing:
            return self._registry
        self._refreshing = True
        try:
            if self._registry is None and self._keyring_cache is not None:
                self._registry = self._cached_registry(self._keyring_cache)
            after = self._registry.version if self._registry else 0
            registry = self._registry
            try:
                for stored in self.recorder.select_events(TRUST_REGISTRY_ID, gt=after):
                    if registry is not None:
                        self.keyring.entries = registry.keys
                    registry = self.mapper.to_domain_event(stored).mutate(registry)
                    self.trust_events_read += 1
                    if stored.originator_version == 1:
                        self._adopt_genesis(stored.state, registry)
                    head_state = stored.state
            except (CertLedgerError, PersistenceError):
                raise
            except Exception as e:  # noqa: BLE001 - a damaged trust stream breaks the library's replay
                raise TamperError(
                    f"the trust registry cannot be read ({type(e).__name__}: {e}); "
                    "'certledger verify --all' names the bad events"
                ) from None
            if registry is not None:
                self._use(registry)
                if self._keyring_cache is not None and registry.version > after and self.ledger_id is not None:
                    self._keyring_cache.store(self.ledger_id, registry, envelope.digest(head_state))
            return registry
        finally:
            self._refreshing = False

    def _cached_registry(self, cache: KeyringCache) -> TrustRegistry | None:
        """The registry from the local cache, if its head row is still in the database with
        the digest it was built from (that digest chains over every trust event before it);
        else None, and the registry is rebuilt by replay."""
        genesis = self._fetch_stored(TRUST_REGISTRY_ID, 1)
        if genesis is None:
            return None
        ledger_id = envelope.digest(genesis.state)
        cached = cache.load(ledger_id)
        if cached is None:
            return None
        head = self._fetch_stored(TRUST_REGISTRY_ID, cached.registry.version)
        if head is None or envelope.digest(head.state) != cached.head_digest:
            cache.discard(ledger_id)
            return None
        self._adopt_genesis(genesis.state, cached.registry)
        # The next trust event must chain onto the cached head (checked when it is read).
        self.mapper_._remember(TRUST_REGISTRY_ID, cached.registry.version, cached.head_digest)
        return cached.registry

    def _adopt_genesis(self, genesis_state: bytes, registry: TrustRegistry) -> None:
        """The ledger id and the clock come from the genesis event."""
        self.mapper_.ledger_id = envelope.digest(genesis_state)
        if registry.clock == clock.SIMULATED:
            # Carry on after the newest event, so the ledger's time never runs backwards.
            start = SIMULATION_START
            newest = self.rows.last_state()
            try:
                start = max(start, envelope.open_state(newest).timestamp) if newest else start
            except CertLedgerError:
                pass  # verify reports a damaged newest event; writing starts after the default
            self.clock = clock.SimulatedClock(start + timedelta(milliseconds=1))

    def registry(self) -> TrustRegistry:
        registry = self._refresh_registry()
        if registry is None:
            raise StorageError(
                f"{self.database.describe()} holds no ledger yet: run 'certledger init'"
            )
        return registry

    @property
    def is_initialised(self) -> bool:
        return self._refresh_registry() is not None

    def _change_trust(self, change: Any) -> TrustRegistry:
        # Work on a copy, so a refused or failed save leaves the loaded registry as stored.
        working = copy.deepcopy(self.registry())
        # One moment for the act and its event's timestamp, so replay gives the same event.
        at = self.clock.now()
        with clock.using(clock.FixedClock(at)):
            change(working, at)
        self.save(working)
        self._use(working)
        return working

    def _use(self, registry: TrustRegistry) -> None:
        """Sign and check with ``registry``'s keys from now on."""
        self._registry = registry
        self.keyring.entries = dict(registry.keys)
        self._keyring_version = registry.version

    def _ledger_id_or_refuse(self) -> str:
        ledger_id = self.ledger_id
        if ledger_id is None:
            raise StorageError(f"{self.database.describe()} holds no ledger yet: run 'certledger init'")
        return ledger_id

    def claim(self, party_id: str, private_key: Ed25519PrivateKey) -> KeyClaim:
        """A generated key's claim for ``party_id`` in this ledger: its public half and the
        proof of possession made with it (T-5)."""
        return possession.claim(private_key, self._ledger_id_or_refuse(), party_id, encode=canonical_bytes)

    def _checked(self, party_id: str, claim: KeyClaim) -> KeyId:
        """The claim's key id, once its key is sound and its proof holds (T-5)."""
        key_id = claim.key_id
        possession.check(
            claim.public_key, claim.proof, self._ledger_id_or_refuse(), party_id, key_id, encode=canonical_bytes
        )
        return key_id

    def ensure_empty(self) -> None:
        if self.is_initialised:
            root = ", ".join(k.key_id for k in self.registry().keys_of(ROOT_PARTY))
            raise InputError(f"{self.database.describe()} already holds a ledger (root key {root})")

    def initialise(
        self, root_public_key: bytes, root_name: str = "河南省人力资源和社会保障厅", *, simulated: bool = False
    ) -> KeyId:
        """Write the genesis event: the root party (HRSS) and its first key. A ``simulated``
        ledger (demos, tests) runs on a simulated clock, and says so in its genesis."""
        self.ensure_empty()
        check_public_key(root_public_key)  # its possession: genesis is signed by it
        key_id = key_id_of(root_public_key)
        self.clock = clock.SimulatedClock(SIMULATION_START) if simulated else clock.SystemClock()
        at = self.clock.now()
        with clock.using(clock.FixedClock(at)):
            registry = TrustRegistry.initialise(
                root_name=root_name,
                root_key_id=key_id,
                root_public_key=public_key_text(root_public_key),
                at=at,
                clock=self.clock.kind,
            )
        self.save(registry)
        self.mapper_.ledger_id = self.mapper_.heads[TRUST_REGISTRY_ID][1]
        self._use(registry)
        return key_id

    def register_party(self, party_id: str, name: str, kind: PartyKind) -> None:
        self._change_trust(
            lambda r, at: r.register_party(actor=ROOT_PARTY, party_id=party_id, name=name, kind=kind, at=at)
        )

    def enrol(self, parties: list[tuple[str, str, PartyKind, KeyClaim]]) -> list[KeyId]:
        """Register many parties, each with a first key (candidates arrive by the thousand).
        Items are (party id, name, kind, key claim).

        Every item is checked against the registry first, all of them, so a bad one records
        nothing; then they are saved a bounded number per transaction (two events each,
        :data:`MAX_EVENTS_PER_SAVE`)."""
        key_ids = [self._checked(party_id, claim) for party_id, *_, claim in parties]
        items = list(zip(parties, key_ids))

        def change_for(chunk: list[Any]) -> Any:
            def change(registry: TrustRegistry, now: datetime) -> None:
                for (party_id, name, kind, claim), key_id in chunk:
                    registry.register_party(actor=ROOT_PARTY, party_id=party_id, name=name, kind=kind, at=now)
                    _add_claimed(registry, party_id, key_id, claim, now)

            return change

        # The whole enrolment on a scratch copy: a refusal (a party or key registered twice)
        # raises here, before the first save.
        scratch = copy.deepcopy(self.registry())
        with clock.using(clock.FixedClock(self.clock.now())):
            change_for(items)(scratch, clock.now())
        per_save = MAX_EVENTS_PER_SAVE // 2
        for start in range(0, len(items), per_save):
            self._change_trust(change_for(items[start : start + per_save]))
        return key_ids

    def add_key(self, party_id: str, claim: KeyClaim, valid_from: datetime | None = None) -> KeyId:
        """Register the claimed key for ``party_id``; refused unless its proof holds (T-5)."""
        key_id = self._checked(party_id, claim)
        self._change_trust(lambda r, at: _add_claimed(r, party_id, key_id, claim, at, valid_from))
        return key_id

    def revoke_key(self, key_id: str, reason: str, effective_at: datetime | None = None) -> None:
        self._change_trust(
            lambda r, at: r.revoke_key(
                actor=ROOT_PARTY, key_id=key_id, reason=reason, at=at, effective_at=effective_at
            )
        )

    def rotate_key(self, party_id: str, new_key: KeyClaim) -> tuple[KeyId, list[str]]:
        """Add the new key, then revoke the party's other current keys from now on.

        Two saves, so that the revocation of a root key is signed by the new root key,
        which by then is registered: a key never vouches for itself.
        """
        registry = self.registry()
        registry.party(party_id)
        old = [k.key_id for k in registry.keys_of(party_id) if k.revoked_at is None]
        new_id = self.add_key(party_id, new_key)
        for key_id in old:
            self.revoke_key(key_id, reason=f"rotated to {new_id}")
        return new_id, old


def _add_claimed(
    registry: TrustRegistry, party_id: str, key_id: KeyId, claim: KeyClaim, at: datetime, valid_from: datetime | None = None
) -> None:
    """The root registers a claimed key (its proof was checked before)."""
    registry.add_key(
        actor=ROOT_PARTY,
        party_id=party_id,
        key_id=key_id,
        public_key=public_key_text(claim.public_key),
        possession=claim.proof,
        at=at,
        valid_from=valid_from,
    )
