"""Proof files: an inclusion or consistency proof with the checkpoint note(s) it is against,
as one JSON document — and checking one offline, with no database and no network.

Offline on purpose: this module imports only :mod:`events.merkle`, :mod:`signing.note`
(``cryptography``) and the standard library, never eventsourcing or psycopg, so
``certledger prove check`` starts fast on an auditor's machine.

Inclusion (RFC 9162 §2.1.3)::

    {"type": "certledger/inclusion-proof", "ledger": <ledger id>, "notification_id": n,
     "leaf_index": i, "digest": <hex SHA-256 of the stored state>, "tree_size": s,
     "root": <hex>, "proof": [<hex>, …], "checkpoint": <signed note text>}

Consistency (RFC 9162 §2.1.4)::

    {"type": "certledger/consistency-proof", "ledger": …, "old_size": m, "new_size": n,
     "old_root": …, "new_root": …, "proof": […], "old_checkpoint": …, "new_checkpoint": …}

Sizes 0, 1 and equal sizes are handled exactly as :mod:`events.merkle` says (an empty proof).
A checkpoint may be null only where there is none to give (old size 0).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from certledger.domain.errors import CertLedgerError, InputError, TamperError
from certledger.events.merkle import leaf_hash, verify_consistency, verify_inclusion
from certledger.signing.note import Verifier, open_checkpoint, parse_checkpoint, unsigned_text

INCLUSION = "certledger/inclusion-proof"
CONSISTENCY = "certledger/consistency-proof"


def inclusion_document(
    *, ledger: str, notification_id: int, leaf_index: int, digest: str, tree_size: int, root: bytes,
    proof: Sequence[bytes], checkpoint: str,
) -> dict[str, Any]:
    return {
        "type": INCLUSION, "ledger": ledger, "notification_id": notification_id, "leaf_index": leaf_index,
        "digest": digest, "tree_size": tree_size, "root": root.hex(), "proof": [p.hex() for p in proof],
        "checkpoint": checkpoint,
    }


def consistency_document(
    *, ledger: str, old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes],
    old_checkpoint: str | None, new_checkpoint: str,
) -> dict[str, Any]:
    return {
        "type": CONSISTENCY, "ledger": ledger, "old_size": old_size, "new_size": new_size,
        "old_root": old_root.hex(), "new_root": new_root.hex(), "proof": [p.hex() for p in proof],
        "old_checkpoint": old_checkpoint, "new_checkpoint": new_checkpoint,
    }


@dataclass
class Verdict:
    """What was checked, in order; ``failed`` names the first check that did not hold."""

    kind: str = ""
    passed: list[str] = field(default_factory=list)
    failed: str | None = None
    reason: str | None = None
    unchecked: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.failed is None

    def to_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "type": self.kind, "passed": self.passed, "failed": self.failed,
                "reason": self.reason, "not_checked": self.unchecked}


class _Failed(Exception):
    pass


def check_document(document: Any, verifiers: Sequence[Verifier] = ()) -> Verdict:
    """Check a proof document; never raises for a bad document (the verdict says why)."""
    verdict = Verdict()

    def step(name: str, check: Any) -> Any:
        try:
            result = check()
        except (CertLedgerError, KeyError, TypeError, ValueError) as e:
            verdict.failed, verdict.reason = name, _reason(e)
            raise _Failed from None
        verdict.passed.append(name)
        return result

    try:
        if not isinstance(document, dict) or document.get("type") not in (INCLUSION, CONSISTENCY):
            verdict.failed, verdict.reason = "format", f"not a certledger proof file (type must be {INCLUSION} or {CONSISTENCY})"
            return verdict
        verdict.kind = document["type"]
        ledger = step("format", lambda: _text(document, "ledger"))
        if verdict.kind == INCLUSION:
            _inclusion(document, ledger, verifiers, verdict, step)
        else:
            _consistency(document, ledger, verifiers, verdict, step)
    except _Failed:
        pass
    return verdict


def _inclusion(document: dict, ledger: str, verifiers: Sequence[Verifier], verdict: Verdict, step: Any) -> None:
    size, root = document["tree_size"], _hash(document, "root")
    step("checkpoint matches the proof's tree", lambda: _note_names(document["checkpoint"], ledger, size, root))
    _signature(document["checkpoint"], verifiers, verdict, step, "checkpoint signature")
    leaf = step("leaf hash of the event digest", lambda: leaf_hash(_hash(document, "digest")))
    step(
        "inclusion proof (RFC 9162 §2.1.3.2)",
        lambda: verify_inclusion(leaf, document["leaf_index"], size, _hashes(document["proof"]), root),
    )


def _consistency(document: dict, ledger: str, verifiers: Sequence[Verifier], verdict: Verdict, step: Any) -> None:
    old, new = document["old_size"], document["new_size"]
    old_root, new_root = _hash(document, "old_root"), _hash(document, "new_root")
    step("new checkpoint matches the proof's new tree", lambda: _note_names(document["new_checkpoint"], ledger, new, new_root))
    _signature(document["new_checkpoint"], verifiers, verdict, step, "new checkpoint signature")
    if document.get("old_checkpoint") is None:
        if old != 0:
            verdict.failed, verdict.reason = "old checkpoint matches the proof's old tree", "the file holds no old checkpoint"
            raise _Failed
    else:
        step("old checkpoint matches the proof's old tree", lambda: _note_names(document["old_checkpoint"], ledger, old, old_root))
        _signature(document["old_checkpoint"], verifiers, verdict, step, "old checkpoint signature")
    step(
        "consistency proof (RFC 9162 §2.1.4.2)",
        lambda: verify_consistency(old, new, old_root, new_root, _hashes(document["proof"])),
    )


def _signature(note: str, verifiers: Sequence[Verifier], verdict: Verdict, step: Any, name: str) -> None:
    if not verifiers:
        verdict.unchecked.append(f"{name} (give the signer's verifier key: --vkey, or --key PEM)")
        return
    step(name, lambda: open_checkpoint(note, verifiers))


def _note_names(note: Any, ledger: str, size: Any, root: bytes) -> None:
    if not isinstance(note, str):
        raise InputError("the checkpoint note is missing")
    checkpoint = parse_checkpoint(unsigned_text(note))
    if checkpoint.origin != ledger:
        raise TamperError(f"the checkpoint is for ledger {checkpoint.origin}, not {ledger}")
    if checkpoint.size != size or checkpoint.root != root:
        raise TamperError(
            f"the checkpoint covers {checkpoint.size} events with root {checkpoint.root.hex()[:16]}…, "
            f"not the proof's {size} with root {root.hex()[:16]}…"
        )


def _text(document: dict, name: str) -> str:
    value = document[name]
    if not isinstance(value, str):
        raise InputError(f"{name} is not text")
    return value


def _hash(document: dict, name: str) -> bytes:
    value = bytes.fromhex(_text(document, name))
    if len(value) != 32:
        raise InputError(f"{name} is not 32 bytes of hex")
    return value


def _hashes(values: Any) -> list[bytes]:
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise InputError("the proof is not a list of hex hashes")
    return [bytes.fromhex(v) for v in values]


def _reason(error: BaseException) -> str:
    if isinstance(error, KeyError):
        return f"the file has no {error.args[0]!r}"
    return str(error)


def load(text: str | bytes) -> Any:
    try:
        return json.loads(text)
    except (ValueError, UnicodeDecodeError) as e:
        raise InputError(f"the proof file is not JSON: {e}") from None
