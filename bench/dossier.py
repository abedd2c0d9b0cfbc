"""The benchmark's stand-in for a lifecycle stream, in a module of its own so that the
verify child process can resolve its event topics (``dossier:Dossier.Opened``)."""

from __future__ import annotations

import uuid

from eventsourcing.domain import event

from certledger.domain.acts import LedgerAggregate, act
from certledger.domain.errors import InputError


class Dossier(LedgerAggregate):
    """A candidate's file: opened, then noted; the shape of a lifecycle stream. Its acts are
    declared, so verify replays them like the lifecycle's (one rule: notes in order)."""

    @act("Opened", args={"id": lambda e: e.originator_id})
    @classmethod
    def open(cls, *, actor: str, name: str, id_number: str, exam: str, id: uuid.UUID | None = None) -> "Dossier":
        return cls._create(cls.Opened, id=id, actor=actor, name=name, id_number=id_number, exam=exam)

    @act("Noted")
    def note(self, *, actor: str, step: str, result: str) -> None:
        if step != f"step-{self.steps}":
            raise InputError(f"notes come in order: expected step-{self.steps}, got {step}")
        self._noted(actor=actor, step=step, result=result)

    @event("Opened")
    def __init__(self, *, actor: str, name: str, id_number: str, exam: str) -> None:
        self.name = name
        self.steps = 0

    @event("Noted")
    def _noted(self, *, actor: str, step: str, result: str) -> None:
        self.last = result
        self.steps += 1
