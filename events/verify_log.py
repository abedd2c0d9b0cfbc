"""``verify``, then: the Merkle log recomputed from the rows, and every checkpoint checked
against it — so deleting, rewriting, reordering or truncating anything a recorded
checkpoint covers is a finding, and anything a *kept* checkpoint note covers too.

:class:`LogPass` is fed every row in notification order, malformed ones included (each is
one leaf, :func:`events.merkle.state_leaf`), and judges at each checkpoint event (L-5):
its size is its own leaf position; its root is the recomputed root; its note is exactly
``checkpoint_body(ledger id, size, root, (trust head,))`` signed by an HRSS key valid when it
was written, where the trust head (also in the event) is the trust registry's last row
before it (:mod:`events.trust_head`).
A cosignature (L-6) must be a valid signature of that body by a key of its party.
It never reads the stored log tables: they are not trusted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from eventsourcing.utils import get_topic

from certledger.domain.checkpoints import CHECKPOINTS_ID, CheckpointLog, check_cosigner
from certledger.domain.errors import CertLedgerError
from certledger.domain.parties import ROOT_PARTY
from certledger.domain.trust import TRUST_REGISTRY_ID, TrustRegistry
from certledger.events import envelope, status_line, trust_head
from certledger.events.merkle import Frontier, state_leaf
from certledger.events.storage import RawRow, canonical_stream_text
from certledger.events.checkpoints import party_verifiers
from certledger.events.status_list import StatusTracker, check_status_list
from certledger.signing.note import checkpoint_body, open_checkpoint, open_note

_RECORDED = get_topic(CheckpointLog.CheckpointRecorded)
_COSIGNED = get_topic(CheckpointLog.CheckpointCosigned)


@dataclass
class LogSummary:
    """What the log pass adds to the report."""

    checkpoints: int = 0  # recorded checkpoints checked
    cosignatures: int = 0
    latest_size: int | None = None
    latest_root: str | None = None
    latest_notification_id: int | None = None
    leaves: int = 0
    root: str | None = None  # the recomputed root of the whole ledger
    kept: dict[str, Any] | None = None  # the auditor's kept checkpoint: size, root, verdict

    def to_json(self) -> dict[str, Any]:
        return {
            "checkpoints_checked": self.checkpoints,
            "cosignatures_checked": self.cosignatures,
            "latest_checkpoint": None if self.latest_size is None else {
                "size": self.latest_size, "root": self.latest_root, "notification_id": self.latest_notification_id,
            },
            "events_after_latest_checkpoint": max(0, self.leaves - (self.latest_size or 0) - (1 if self.latest_size is not None else 0)),
            "tree_size": self.leaves,
            "tree_root": self.root,
            "kept_checkpoint": self.kept,
        }


@dataclass
class LogPass:
    registry: TrustRegistry
    ledger_id: str
    backend: str
    kept_note: str | None = None
    frontier: Frontier = field(default_factory=Frontier)
    summary: LogSummary = field(default_factory=LogSummary)
    roots: dict[int, bytes] = field(default_factory=dict)
    _kept_size: int | None = None
    _kept_root: bytes | None = None
    trust_head: tuple[int, str] | None = None  # the trust registry's last row so far (--since: the covered one)
    _bodies: dict[int, bytes] = field(default_factory=dict)  # size -> the checkpoint text due
    status: StatusTracker | None = None
  # recomputes each checkpoint's status list (None: not checked)
    _last_nid: int | None = None  # the newest row fed so far: the last a checkpoint row covers

    def __post_init__(self) -> None:
        self._stream_text = canonical_stream_text(self.backend, CHECKPOINTS_ID)
        self._trust_text = canonical_stream_text(self.backend, TRUST_REGISTRY_ID)

    def open_kept(self) -> list[str]:
        """Check the auditor's kept note (origin, HRSS signature); its problems, if any."""
        if self.kept_note is None:
            return []
        try:
            checkpoint, _ = open_checkpoint(self.kept_note, party_verifiers(self.registry, ROOT_PARTY), origin=self.ledger_id)
        except CertLedgerError as e:
            self.summary.kept = {"ok": False, "problem": str(e)}
            return [f"the kept checkpoint does not hold: {e}"]
        self._kept_size, self._kept_root = checkpoint.size, checkpoint.root
        self.summary.kept = {"size": checkpoint.size, "root": checkpoint.root.hex(), "ok": None}
        if checkpoint.size == 0:
            return self._kept_verdict()
        return []

    def feed(self, row: RawRow) -> list[str]:
        """Append ``row`` as the next leaf; the problems of a checkpoint row with the log."""
        problems: list[str] = []
        if row.stream == self._stream_text and isinstance(row.state, bytes):
            try:
                opened = envelope.open_state(row.state, strict=False)
            except CertLedgerError:
                opened = None  # the main pass reports why
            if opened is not None and opened.topic == _RECORDED:
                problems = self._recorded(opened, row.notification_id)
                problems += self._status_problems(opened)
            elif opened is not None and opened.topic == _COSIGNED:
                problems = self._cosigned(opened)
        elif row.stream == self._trust_text and isinstance(row.state, bytes) and type(row.version) is int:
            self.trust_head = (row.version, envelope.digest(row.state))
        if self.status is not None:
            self.status.feed(row)
        self._last_nid = row.notification_id
        self.frontier.append(state_leaf(row.state))
        if self._kept_size is not None and self.frontier.size == self._kept_size:
            problems += self._kept_verdict()
        return problems

    def finish(self) -> list[str]:
        """Ledger-wide problems once every row is fed (a kept checkpoint longer than the ledger)."""
        self.summary.leaves = self.frontier.size
        self.summary.root = self.frontier.root().hex()
        if self._kept_size is not None and self.frontier.size < self._kept_size:
            self.summary.kept["ok"] = False
            return [
                f"events were removed: the kept checkpoint covers {self._kept_size} events, "
                f"the ledger holds {self.frontier.size}"
            ]
        return []

    def _kept_verdict(self) -> list[str]:
        holds = self.frontier.root() == self._kept_root
        self.summary.kept["ok"] = holds
        if holds:
            return []
        return [
            f"the first {self._kept_size} events are not those the kept checkpoint covers (their Merkle root "
            f"differs): an event it covers was rewritten, removed, inserted or reordered"
        ]

    def _recorded(self, opened: envelope.Opened, nid: int) -> list[str]:
        payload = opened.payload
        size, root, note = payload.get("size"), payload.get("root"), payload.get("note")
        if type(size) is not int or not isinstance(root, str) or not isinstance(note, str):
            return ["L-5: the checkpoint's size, root or note is malformed"]
        self.summary.checkpoints += 1
        self.summary.latest_size, self.summary.latest_root, self.summary.latest_notification_id = size, root, nid
        position = self.frontier.size
        if size != position:
            return [
                f"L-5: the checkpoint covers {size} events but {position} events precede it: events it "
                f"covers were removed or reordered, or events were inserted before it"
            ]
        recomputed = self.frontier.root()
        self.roots[size] = recomputed
        problems = []
        if root != recomputed.hex():
            problems.append(
                f"L-5: the checkpoint's root is not the Merkle root of the {size} events before it "
                f"(recomputed {recomputed.hex()[:16]}…): an event it covers was rewritten, removed or reordered"
            )
        problems += self._note_problems(note, size, root, ROOT_PARTY, opened)
        problems += self._trust_problems(payload)
        return problems

    def _head_line(self) -> str | None:
        return trust_head.line(*self.trust_head) if self.trust_head else None

    def _status_problems(self, opened: envelope.Opened) -> list[str]:
        """The checkpoint's status list is the one the replayed events make (L-5), signed by
        an HRSS key valid then, and the one its note names."""
        if self.status is None:
            return []
        snapshot = self.status.snapshot(self._last_nid if self._last_nid is not None else 0)
        payload = opened.payload
        problem = check_status_list(payload.get("status_list"), payload.get("note"), snapshot,
                                    party_verifiers(self.registry, ROOT_PARTY, opened.timestamp),
                                    origin=self.ledger_id, size=payload.get("size"), root=payload.get("root"),
                                    recorded=opened.timestamp)
        return [problem] if problem else []

    def _head_text(self) -> str:
        if self.trust_head is None:
            return "none: no trust registry row precedes it"
        version, digest = self.trust_head
        return f"version {version}, sha256 {digest[:16]}…"

    def _trust_problems(self, payload: dict[str, Any]) -> list[str]:
        if (payload.get("trust_version"), payload.get("trust_digest")) == self.trust_head:
            return []
        return [
            f"L-5: the checkpoint binds trust registry version {payload.get('trust_version')!r}, but the registry's "
            f"head before it is {self._head_text()}: trust events it covers were removed, added or rewritten"
        ]

    def _note_problems(self, note: str, size: int, root: str, party: str, opened: envelope.Opened) -> list[str]:
        head = self._head_line()
        try:
            checkpoint, _ = open_checkpoint(note, party_verifiers(self.registry, party, opened.timestamp), origin=self.ledger_id)
            # what a cosignature signs: the body with the trust head due and the note's status line
            self._bodies[size] = checkpoint_body(self.ledger_id, size, bytes.fromhex(root),
                                                 ((head,) if head else ()) + checkpoint.extensions[1:2])
        except (CertLedgerError, ValueError) as e:
            return [f"L-5: the checkpoint's note is not signed by an HRSS key valid then: {e}"]
        if (checkpoint.size, checkpoint.root.hex()) != (size, root):
            return ["L-5: the checkpoint's note names another size or root than the event"]
        if not checkpoint.extensions:
            return [f"L-5: the checkpoint's note does not bind the trust registry's head ({self._head_text()})"]
        if checkpoint.extensions[:1] != (head,) or len(checkpoint.extensions) != 2 or (
                not checkpoint.extensions[1].startswith(status_line.PREFIX + " ")):
            return [
                f"L-5: the checkpoint's extension lines are not exactly the trust registry's head before it "
                f"({self._head_text()}) and its status list: a trust event it covers was removed, added or rewritten, or the note "
                "carries extension lines certledger never writes"
            ]
        return []

    def _cosigned(self, opened: envelope.Opened) -> list[str]:
        payload = opened.payload
        size, root, line, actor = payload.get("size"), payload.get("root"), payload.get("signature"), opened.actor
        if type(size) is not int or not isinstance(root, str) or not isinstance(line, str):
            return ["L-6: the cosignature's size, root or signature is malformed"]
        self.summary.cosignatures += 1
        try:
            check_cosigner(actor, self.registry.party(actor).kind)
        except CertLedgerError as e:
            return [f"L-6: {actor} may not cosign a checkpoint: {e}"]
        body = self._bodies.get(size)
        if body is None:
            return [f"L-6: the cosignature names checkpoint {size}, which no checkpoint before it records"]
        try:
            signed = open_note(body.decode() + "\n" + line, party_verifiers(self.registry, actor, opened.timestamp))
        except (CertLedgerError, ValueError) as e:
            return [f"L-6: the cosignature is not a signature of checkpoint {size} by a key of {actor} valid then: {e}"]
        if signed.verified != (actor,) or signed.unverified:
            others = ", ".join(s.name for s in signed.unverified)
            return [f"L-6: the cosignature carries signature lines besides {actor}'s own ({others}): it is exactly one line"]
        return []
