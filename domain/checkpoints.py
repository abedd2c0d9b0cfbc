"""检查点: signed checkpoints of the ledger's Merkle log, recorded in the ledger itself.

A checkpoint says "the first ``size`` events of this ledger, in notification order, have
Merkle root ``root``", as a C2SP signed note by HRSS (``note``). Recorded as an event, it is
itself the next leaf of the log, so every checkpoint covers the ones before it. A second
party (the exam center, or an external auditor registered as a witness, 见证方) cosigns a
checkpoint it has checked: its signature line is added to the note.

Ledger rules (cited in refusals and by ``verify``):

- L-5 Only HRSS records a checkpoint; each covers more events than the one before, and
  covers exactly the events recorded before it: its size is its own leaf position (checked
  inside the write transaction and by ``verify``, which recomputes the root and checks the
  note's signature). It binds the trust registry's head among those events (version and
  digest, in the event and as the note's first extension line, ``events/trust_head.py``).
- L-6 A cosignature names a recorded checkpoint (size and root) and is by a party other
  than HRSS, once per party and checkpoint; the cosigner checks, before signing, that the
  checkpoint is consistent with the last one it cosigned. Only a witness (见证方) or a unit
  the notices name may cosign (:data:`COSIGNER_KINDS`: the exam centers, the verification
  departments and associations, the national industry departments): never a candidate,
  whose own acts the ledger records, nor the postal company, a carrier that records only
  deliveries. The cosignature is exactly one signature line under the cosigner's own name.

The domain knows no hashes, keys or notes: it keeps the sizes and roots as recorded and
the rules above that need nothing else. Roots are lowercase hex (SHA-256).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import event

from certledger.domain.acts import LedgerAggregate, act
from certledger.domain.deciders import checkpoint_log as log
from certledger.domain.deciders.checkpoint_log import check_cosignature_line  # noqa: F401 - re-exported
from certledger.domain.parties import COSIGNER_KINDS, ROOT_PARTY, PartyKind
from certledger.domain.rules import require
from certledger.domain.trust import LEDGER_NAMESPACE

CHECKPOINTS_ID = uuid5(LEDGER_NAMESPACE, "merkle-log-checkpoints")

def check_cosigner(party: str, kind: PartyKind) -> None:
    """L-6: who may cosign a checkpoint (the recording side and ``verify`` both ask this)."""
    require(party != ROOT_PARTY, "L-6", "HRSS signs every checkpoint already: a cosigner is another party")
    require(
        kind in COSIGNER_KINDS, "L-6",
        f"{party} is a {kind.value} party: only a witness (见证方) or a unit the notices name (exam center, "
        "verification department or association, national exam center or department) cosigns a checkpoint",
    )  # fmt: skip


class CheckpointLog(LedgerAggregate):
    """The one stream of checkpoints and cosignatures (a fixed id)."""

    roots: dict[int, str]  # size -> root (hex), every recorded checkpoint
    latest: int  # the size of the newest checkpoint (0: none yet)
    cosigners: dict[int, list[str]]  # size -> parties that cosigned it

    @staticmethod
    def create_id() -> UUID:
        return CHECKPOINTS_ID

    # The rules are the decider's (domain/deciders/checkpoint_log.py); this aggregate records
    # the events it decides.

    @act("Opened", rules=("L-5",), term="开设检查点记录")
    @classmethod
    def open(cls, *, actor: str) -> CheckpointLog:
        (opened,) = log.decide(None, log.OpenLog(actor))
        return cls(actor=opened.actor)

    def decider_state(self) -> Any:
        return log.CheckpointState(self.latest, frozenset(self.roots.items()),
                               frozenset((size, party) for size, parties in self.cosigners.items() for party in parties))

    @event("Opened")
    def __init__(self, *, actor: str) -> None:
        self.roots = {}
        self.latest = 0
        self.cosigners = {}

    @act("CheckpointRecorded", rules=("L-5",), term="记录检查点")
    def record(self, *, actor: str, size: int, root: str, note: str,
               trust_version: int | None = None, trust_digest: str | None = None,
               status_list: str | None = None) -> None:
        """``trust_version``/``trust_digest``: the trust registry's head among the events the
        checkpoint covers (its note names it too), so a trust chain can be tied to it.
        ``status_list``: HRSS's signed revocation list of every certificate as of the
        checkpoint (证书状态列表, JSON; its digest is in the note: events/status_list.py)."""
        (e,) = log.decide(self.decider_state(), log.RecordCheckpoint(actor, size, root, note, trust_version, trust_digest,
                                                                     status_list))
        self._recorded(actor=e.actor, size=e.size, root=e.root, note=e.note, trust_version=e.trust_version,
                       trust_digest=e.trust_digest, status_list=e.status_list)

    @event("CheckpointRecorded")
    def _recorded(self, *, actor: str, size: int, root: str, note: str, trust_version: int, trust_digest: str,
                  status_list: str) -> None:
        self.roots[size] = root
        self.latest = size

    @act("CheckpointCosigned", rules=("L-6",), term="联署检查点")
    def cosign(self, *, actor: str, size: int, root: str, signature: str) -> None:
        (e,) = log.decide(self.decider_state(), log.CosignCheckpoint(actor, size, root, signature))
        self._cosigned(actor=e.actor, size=e.size, root=e.root, signature=e.signature)

    @event("CheckpointCosigned")
    def _cosigned(self, *, actor: str, size: int, root: str, signature: str) -> None:
        self.cosigners.setdefault(size, []).append(actor)
