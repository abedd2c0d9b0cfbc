"""Receipts: what a recording command hands back for each event it wrote.

Like ``rekor-cli upload``'s "Created entry at index N": the event's place in the ledger
(notification id, stream, version) and the SHA-256 of its stored state — the digest the
stream's next event names as ``prev`` and the Merkle log's leaf is made from. Anyone can
later check the receipt against the database, or against an exported bundle.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from certledger.events import envelope


@dataclass(frozen=True)
class Receipt:
    notification_id: int
    stream: str
    version: int
    topic: str
    digest: str  # hex SHA-256 of the stored state

    @classmethod
    def of(cls, recording: Any) -> Receipt:
        """From one of eventsourcing's Recordings (what ``Application.save`` returns)."""
        n = recording.notification
        return cls(n.id, str(n.originator_id), n.originator_version, n.topic, envelope.digest(n.state))

    @property
    def event(self) -> str:
        """The event's short name, e.g. ``Candidacy.CertificateIssued``."""
        return self.topic.rpartition(":")[2]

    def to_json(self) -> dict[str, Any]:
        return {
            "notification_id": self.notification_id,
            "stream": self.stream,
            "version": self.version,
            "event": self.event,
            "digest": self.digest,
        }

    @property
    def line(self) -> str:
        return (
            f"receipt: #{self.notification_id} {self.event} stream {self.stream} "
            f"v{self.version} sha256:{self.digest}"
        )
