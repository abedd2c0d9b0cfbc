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
    """What was checked, in order; ``failed`` names the first check that did not hold.

    It holds (``ok``) only if nothing failed AND nothing was left unchecked: a proof whose
    checkpoint signature no key checked proves nothing (anyone can make a consistent tree)."""

    kind: str = ""
    passed: list[str] = field(default_factory=list)
    failed: str | None = None
    reason: str | None = None
    unchecked: list[str] = field(default_factory=list)
    ledger: str | None = None  # the checkpoint's origin: the ledger the proof is about

    @property
    def ok(self) -> bool:
        return self.failed is None and not self.unchecked

    def to_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "type": self.kind, "ledger": self.ledger, "passed": self.passed, "failed": self.failed,
                "reason": self.reason, "not_checked": self.unchecked}


class _Failed(Exception):
    pass


def check_document(document: Any, verifiers: Sequence[Verifier] = (), *, ledger: str | None = None) -> Verdict:
    """Check a proof document; never raises for a bad document (the verdict says why).
    With ``ledger``, the proof must be about that ledger (its checkpoint's origin)."""
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
        fields = step("format", lambda: (_inclusion_fields if verdict.kind == INCLUSION else _consistency_fields)(document))
        if ledger is not None:
            step("the proof is about the ledger given (--ledger)", lambda: _same_ledger(fields["ledger"], ledger))
        if verdict.kind == INCLUSION:
            _inclusion(fields, verifiers, verdict, step)
        else:
            _consistency(fields, verifiers, verdict, step)
    except _Failed:
        pass
    return verdict


def _inclusion_fields(document: dict) -> dict[str, Any]:
    """Every field an inclusion proof needs, of the right type, or an error naming it."""
    return {
        "ledger": _text(document, "ledger"), "leaf_index": _count(document, "leaf_index"),
        "tree_size": _count(document, "tree_size"), "root": _hash(document, "root"),
        "digest": _hash(document, "digest"), "proof": _hashes(document, "proof"),
        "checkpoint": _text(document, "checkpoint"),
    }


def _consistency_fields(document: dict) -> dict[str, Any]:
    old_checkpoint = document.get("old_checkpoint")
    if old_checkpoint is not None and not isinstance(old_checkpoint, str):
        raise InputError("old_checkpoint is neither text nor null")
    return {
        "ledger": _text(document, "ledger"), "old_size": _count(document, "old_size"),
        "new_size": _count(document, "new_size"), "old_root": _hash(document, "old_root"),
        "new_root": _hash(document, "new_root"), "proof": _hashes(document, "proof"),
        "old_checkpoint": old_checkpoint, "new_checkpoint": _text(document, "new_checkpoint"),
    }


def _same_ledger(theirs: str, mine: str) -> None:
    if theirs != mine:
        raise TamperError(f"the proof is about ledger {theirs}, not {mine}")


def _inclusion(fields: dict, verifiers: Sequence[Verifier], verdict: Verdict, step: Any) -> None:
    size, root, note = fields["tree_size"], fields["root"], fields["checkpoint"]
    verdict.ledger = step("checkpoint matches the proof's tree", lambda: _note_names(note, fields["ledger"], size, root))
    _signature(note, fields["ledger"], verifiers, verdict, step, "checkpoint signature")
    leaf = step("leaf hash of the event digest", lambda: leaf_hash(fields["digest"]))
    step(
        "inclusion proof (RFC 9162 §2.1.3.2)",
        lambda: verify_inclusion(leaf, fields["leaf_index"], size, fields["proof"], root),
    )


def _consistency(fields: dict, verifiers: Sequence[Verifier], verdict: Verdict, step: Any) -> None:
    old, new, ledger = fields["old_size"], fields["new_size"], fields["ledger"]
    old_root, new_root = fields["old_root"], fields["new_root"]
    verdict.ledger = step("new checkpoint matches the proof's new tree",
                          lambda: _note_names(fields["new_checkpoint"], ledger, new, new_root))
    _signature(fields["new_checkpoint"], ledger, verifiers, verdict, step, "new checkpoint signature")
    if fields["old_checkpoint"] is None:
        if old != 0:
            verdict.failed, verdict.reason = "old checkpoint matches the proof's old tree", "the file holds no old checkpoint"
            raise _Failed
    else:
        step("old checkpoint matches the proof's old tree", lambda: _note_names(fields["old_checkpoint"], ledger, old, old_root))
        _signature(fields["old_checkpoint"], ledger, verifiers, verdict, step, "old checkpoint signature")
    step(
        "consistency proof (RFC 9162 §2.1.4.2)",
        lambda: verify_consistency(old, new, old_root, new_root, fields["proof"]),
    )


def _signature(note: str, ledger: str, verifiers: Sequence[Verifier], verdict: Verdict, step: Any, name: str) -> None:
    if not verifiers:
        verdict.unchecked.append(f"{name} (give the signer's verifier key: --vkey, or --key PEM)")
        return
    step(name, lambda: open_checkpoint(note, verifiers, origin=ledger))


def _note_names(note: str, ledger: str, size: int, root: bytes) -> str:
    """The checkpoint's origin, once it is known to name this ledger, size and root."""
    checkpoint = parse_checkpoint(unsigned_text(note))
    if checkpoint.origin != ledger:
        raise TamperError(f"the checkpoint is for ledger {checkpoint.origin}, not {ledger}")
    if checkpoint.size != size or checkpoint.root != root:
        raise TamperError(
            f"the checkpoint covers {checkpoint.size} events with root {checkpoint.root.hex()[:16]}…, "
            f"not the proof's {size} with root {root.hex()[:16]}…"
        )
    return checkpoint.origin


def _text(document: dict, name: str) -> str:
    if name not in document:
        raise InputError(f"the file has no {name!r}")
    value = document[name]
    if not isinstance(value, str):
        raise InputError(f"{name} is not text")
    return value


def _count(document: dict, name: str) -> int:
    if name not in document:
        raise InputError(f"the file has no {name!r}")
    value = document[name]
    if type(value) is not int or value < 0:  # bool is an int subclass: true is no tree size
        raise InputError(f"{name} is not a whole number ≥ 0")
    return value


def _hex32(value: str, what: str) -> bytes:
    try:
        raw = bytes.fromhex(value)
    except ValueError:
        raise InputError(f"{what} is not hex") from None
    if len(raw) != 32:
        raise InputError(f"{what} is not 32 bytes of hex")
    return raw


def _hash(document: dict, name: str) -> bytes:
    return _hex32(_text(document, name), name)


def _hashes(document: dict, name: str) -> list[bytes]:
    if name not in document:
        raise InputError(f"the file has no {name!r}")
    values = document[name]
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise InputError(f"{name} is not a list of hex hashes")
    return [_hex32(v, f"{name}[{i}]") for i, v in enumerate(values)]


def _reason(error: BaseException) -> str:
    if isinstance(error, KeyError):
        return f"the file has no {error.args[0]!r}"
    return str(error)


def load(text: str | bytes) -> Any:
    try:
        return json.loads(text)
    except (ValueError, UnicodeDecodeError) as e:
        raise InputError(f"the proof file is not JSON: {e}") from None
    except RecursionError:  # a proof file is three levels deep; this one is an attack on the parser
        raise InputError("the proof file is not a proof: its JSON is nested too deeply to read") from None
