"""The per-row checks that cost most — the signature, and the slow half of the canonical
check — and the worker processes that run them.

``check_rows`` is what ``verify``'s workers and :class:`SignatureWorkers` run: each needs
only the row's bytes, so a worker imports little (no database driver, no application).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from certledger.domain.errors import StorageError
from certledger.events.envelope import canonical_problem
from certledger.signing.keys import signature_holds

PARALLEL_FROM = 20_000  # fewer events than this are checked faster than worker processes start


def check_rows(items: list[tuple[bytes, bytes, bytes]]) -> list[tuple[bool, str | None]]:
    """For each (public key, signature, message): does the signature hold, and what (if
    anything) keeps the message from being canonical."""
    return [(signature_holds(public, signature, message), canonical_problem(message)) for public, signature, message in items]


class SignatureWorkers:
    """Decoding many stored events with their signatures checked in worker processes (with
    the canonical-form check, which is Python and holds the GIL, so threads would not help):
    the projector's catch-up and rebuild, and :meth:`Ledger.load_many` for an import's read-ahead.

    The rows are opened, placed and their keys looked up here, in order
    (:meth:`SignedMapper.decode_deferred`); the workers check a chunk while this process uses
    the chunks before it; each row is settled — its error raised exactly as the sequential
    decode raises it — before it is handed out."""

    CHUNK = 250

    def __init__(self, jobs: int) -> None:
        import multiprocessing
        import os
        from concurrent.futures import ProcessPoolExecutor

        from certledger.events import lifeline

        # The pool starts its workers from whichever thread submits first: no PR_SET_PDEATHSIG
        # (it would fire when that thread ends); they watch for their parent instead.
        self.pool = ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn"),
                                        initializer=lifeline.hold, initargs=(os.getpid(), False))

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)

    def decoded(self, mapper: Any, stored: list[Any]) -> Iterator[tuple[Any, Any]]:
        """(opened envelope, domain event) of each stored event, in order, each checked as
        ``mapper.decode`` checks it. All rows are opened and submitted before the first is
        handed out, so the workers run ahead of the caller."""
        chunks = []
        for start in range(0, len(stored), self.CHUNK):
            chunk = [mapper.decode_deferred(event) for event in stored[start:start + self.CHUNK]]
            chunks.append((chunk, self.pool.submit(check_rows, [deferred.item for *_, deferred in chunk])))
        return self._settled(mapper, chunks)

    @staticmethod
    def _settled(mapper: Any, chunks: list[Any]) -> Iterator[tuple[Any, Any]]:
        from concurrent.futures.process import BrokenProcessPool

        for chunk, verdicts in chunks:
            try:
                results = verdicts.result()
            except BrokenProcessPool as e:  # a worker killed (out of memory, a signal): nothing of it is used
                raise StorageError(f"a signature-checking worker stopped ({e}); run again, or with --jobs 1") from None
            for (opened, domain_event, deferred), (holds, canonical) in zip(chunk, results):
                mapper.settle(deferred, holds, canonical)
                yield opened, domain_event
