"""``verify``: reading one stored row as it is, and the checks that need nothing else.

A raw row becomes a :class:`Parsed` row (or findings, never an exception), and a row's
place in its stream's chain and time line is judged against the stream's previous event.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from certledger.domain.clock import CST
from certledger.domain.errors import TamperError
from certledger.events import envelope
from certledger.events.storage import RawRow, canonical_stream_text

CLOCK_SKEW = timedelta(seconds=60)
"""How far a write time may lie before the latest one already in the ledger: writers take
their time stamp when they sign and commit in turn, so stamps interleave a little."""


@dataclass
class Parsed:
    """A row whose envelope opened, and the checks that need nothing but the row."""

    row: RawRow
    stream: UUID
    version: int
    opened: envelope.Opened
    problems: list[str]


def parse_row(row: RawRow, backend: str, *, strict: bool = True) -> tuple[Parsed | None, list[str]]:
    """Open a raw row. Returns the parsed row (None if it cannot be read at all) and what
    is wrong with it. ``strict=False``: the caller checks the message's canonical form
    itself (in a worker), as :func:`envelope.open_state` says."""
    problems: list[str] = []
    stream: UUID | None = None
    if not isinstance(row.stream, str):
        problems.append(f"stream id is {type(row.stream).__name__}, not text")
    else:
        try:
            stream = UUID(row.stream)
        except ValueError:
            problems.append(f"stream id {row.stream!r} is not a UUID")
        else:
            if row.stream != canonical_stream_text(backend, stream):
                problems.append(
                    f"stream id {row.stream!r} is not spelled canonically "
                    f"({canonical_stream_text(backend, stream)!r}): an alias of another row's stream"
                )
    if type(row.version) is not int or row.version < 1:
        problems.append(f"version {row.version!r} is not a positive integer")
    if not isinstance(row.topic, str):
        problems.append(f"topic is {type(row.topic).__name__}, not text")
    try:
        opened = envelope.open_state(row.state, strict=strict)
    except TamperError as e:
        return None, [*problems, str(e)]
    if problems or stream is None:
        return None, problems
    try:
        envelope.check_placement(opened, stream, row.version, row.topic)
    except TamperError as e:
        problems.append(str(e))
    return Parsed(row, stream, row.version, opened, problems), problems


def chain_problems(parsed: Parsed, last_version: int, last_digest: str | None) -> list[str]:
    version, prev = parsed.version, parsed.opened.prev
    if version == 1:
        return [] if prev == envelope.GENESIS_PREV else ["the first version of the stream does not start the chain"]
    if last_version != version - 1 or last_digest is None:
        return [f"version {version - 1} of this stream is missing"]
    if prev != last_digest:
        return [f"chain broken: prev is not the digest of version {version - 1}"]
    return []


class TimeLine:
    """The ledger's time line, in notification order: no write time in the future of this
    verification (on a real clock), none more than :data:`CLOCK_SKEW` before the newest
    already seen. It spans every stream, so ``verify`` keeps it in its main process."""

    def __init__(self, real_clock: bool) -> None:
        # A real ledger's events were all written before now; a simulated one's may lie ahead.
        self.real_clock = real_clock
        self.started = datetime.now(CST)
        self.newest: datetime | None = None

    def problems(self, moment: datetime) -> list[str]:
        newest = self.newest
        if newest is None or moment > newest:
            self.newest = moment
        if self.real_clock and moment > self.started + CLOCK_SKEW:
            return [f"written at {moment.isoformat()}, in the future of this verification ({self.started.isoformat()})"]
        if newest is not None and moment < newest - CLOCK_SKEW:
            return [
                f"written at {moment.isoformat()}, more than {int(CLOCK_SKEW.total_seconds())} s before an event "
                f"already in the ledger ({newest.isoformat()}): backdated"
            ]
        return []


def stream_time_problems(moment: datetime, last: datetime | None) -> list[str]:
    if last is not None and moment < last:
        return [f"written at {moment.isoformat()}, before the stream's previous event ({last.isoformat()})"]
    return []


