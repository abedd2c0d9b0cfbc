"""eventsourcing's ``ProcessingEvent``, collecting an aggregate's events without the
library's Protocol checks.

Why: ``Application.save`` asks of every object it is given whether it is a
``DomainEventProtocol``, then a ``CollectEventsProtocol``: runtime-checkable Protocols, whose
``isinstance`` costs ~21 µs per object on Python 3.11 (typing recomputes the protocol's
members on every check; measured here), a sixth of an import's per-event write cost. An
eventsourcing aggregate is recognised by its class instead; any other object still goes
through the library's checks. Events are collected in the order given, as the library does.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.application import ProcessingEvent
from eventsourcing.domain import BaseAggregate


class CollectedEvents(ProcessingEvent[UUID]):
    def collect_events(self, *objs: Any, **kwargs: Any) -> None:
        for obj in objs:
            if isinstance(obj, BaseAggregate):
                self.events.extend(obj.collect_events())
                self.aggregates[obj.id] = obj
            else:
                super().collect_events(obj)
        self.saved_kwargs.update(kwargs)
