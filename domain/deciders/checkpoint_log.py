"""检查点 record, the one stream of checkpoints and cosignatures (L-5, L-6), as a decider: the
same rules as :class:`domain.checkpoints.CheckpointLog`, over plain data."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Union

from certledger.domain.parties import ROOT_PARTY
from certledger.domain.rules import authorised, require

ROOT_HEX = re.compile("[0-9a-f]{64}")
# One C2SP signed-note signature line: em dash, space, key name, space, base64, newline.
_SIGNATURE_LINE = re.compile("\u2014 ([^\\s+]+) ([A-Za-z0-9+/]+={0,2})\n")


def check_cosignature_line(actor: str, signature: object) -> None:
    """L-6: a cosignature is exactly one signature line, under the cosigner's own name
    (whether its key signed it is for ``verify``, which knows keys)."""
    found = _SIGNATURE_LINE.fullmatch(signature) if isinstance(signature, str) else None
    require(found is not None, "L-6", "a cosignature is exactly one signature line ('\u2014 <party> <base64>')")
    assert found is not None
    require(found.group(1) == actor, "L-6", f"the cosignature line is signed as {found.group(1)!r}, not as its cosigner {actor!r}")


@dataclass(frozen=True, slots=True)
class OpenLog:
    actor: str


@dataclass(frozen=True, slots=True)
class RecordCheckpoint:
    actor: str
    size: int
    root: str
    note: str
    trust_version: int | None
    trust_digest: str | None
    status_list: str | None


@dataclass(frozen=True, slots=True)
class CosignCheckpoint:
    actor: str
    size: int
    root: str
    signature: str


# The events carry exactly the commands' fields (stored as CheckpointLog.Opened, …).
@dataclass(frozen=True, slots=True)
class LogOpened:
    actor: str


@dataclass(frozen=True, slots=True)
class CheckpointRecorded:
    actor: str
    size: int
    root: str
    note: str
    trust_version: int
    trust_digest: str
    status_list: str


@dataclass(frozen=True, slots=True)
class CheckpointCosigned:
    actor: str
    size: int
    root: str
    signature: str


Command = Union[OpenLog, RecordCheckpoint, CosignCheckpoint]
Event = Union[LogOpened, CheckpointRecorded, CheckpointCosigned]


@dataclass(frozen=True, slots=True)
class CheckpointState:
    latest: int = 0  # the newest checkpoint's size (0: none yet)
    recorded: frozenset[tuple[int, str]] = frozenset()  # (size, root) of every checkpoint
    cosigned: frozenset[tuple[int, str]] = frozenset()  # (size, party) of every cosignature


def decide(state: CheckpointState | None, command: Command) -> tuple[Event, ...]:
    if isinstance(command, OpenLog):
        require(state is None, "L-5", "the checkpoint record is open already")
        authorised(command.actor, (ROOT_PARTY,), "L-5", "open the checkpoint record")
        return (LogOpened(command.actor),)
    require(state is not None, "L-5", "the checkpoint record is not open")
    assert state is not None
    if isinstance(command, RecordCheckpoint):
        return (_record(state, command),)
    return (_cosign(state, command),)


def _record(state: CheckpointState, c: RecordCheckpoint) -> CheckpointRecorded:
    authorised(c.actor, (ROOT_PARTY,), "L-5", "record a checkpoint")
    require(type(c.size) is int and c.size > state.latest, "L-5",
            f"a checkpoint covers more events than the last one ({state.latest}), not {c.size!r}")
    require(isinstance(c.root, str) and bool(ROOT_HEX.fullmatch(c.root)), "L-5",
            "a checkpoint's root is 64 lowercase hex digits (SHA-256)")
    require(isinstance(c.note, str) and bool(c.note.strip()), "L-5", "a checkpoint carries its signed note")
    require(type(c.trust_version) is int and c.trust_version >= 1 and isinstance(c.trust_digest, str)
            and bool(ROOT_HEX.fullmatch(c.trust_digest)), "L-5",
            "a checkpoint binds the trust registry's head: its version and the SHA-256 (hex) of its stored state")
    require(isinstance(c.status_list, str) and c.status_list.startswith("{"), "L-5",
            "a checkpoint carries HRSS's signed status list of the certificates it covers (JSON)")
    return CheckpointRecorded(c.actor, c.size, c.root, c.note, c.trust_version, c.trust_digest, c.status_list)  # type: ignore[arg-type]


def _cosign(state: CheckpointState, c: CosignCheckpoint) -> CheckpointCosigned:
    require(c.actor != ROOT_PARTY, "L-6", "HRSS signs every checkpoint already: a cosigner is another party")
    check_cosignature_line(c.actor, c.signature)
    require((c.size, c.root) in state.recorded, "L-6", f"no checkpoint of size {c.size} with root {c.root} is recorded")
    require((c.size, c.actor) not in state.cosigned, "L-6", f"{c.actor} has cosigned the checkpoint of size {c.size} already")
    return CheckpointCosigned(c.actor, c.size, c.root, c.signature)


def evolve(state: CheckpointState | None, event: Event) -> CheckpointState:
    if isinstance(event, LogOpened):
        return CheckpointState()
    assert state is not None
    if isinstance(event, CheckpointRecorded):
        return replace(state, latest=event.size, recorded=state.recorded | {(event.size, event.root)})
    return replace(state, cosigned=state.cosigned | {(event.size, event.actor)})
