"""What ``certledger cert verify`` does: check a bundle offline, then (``--db``) against a ledger.

Offline it imports only :mod:`events.certificate_bundle` (orjson, cryptography); the store's
libraries are imported only for ``--db``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from certledger.cli.output import emit_json, note
from certledger.domain.errors import CertLedgerError, InputError
from certledger.events import certificate_bundle as cb

CST_OFFSET = "+08:00"


def run(path: Path, trusted_root: str, db_url: str | None, as_json: bool, kept_note: str | None = None) -> None:
    try:
        data = path.read_bytes()
    except OSError as e:
        raise InputError(f"cannot read {path}: {e.strerror}") from None
    try:
        verified = cb.verify_bundle(cb.loads(data), trusted_root)
        ledger_report = _against_ledger(verified, db_url, kept_note) if db_url else None
    except cb.BundleError as e:
        if as_json:
            emit_json({"ok": False, "reason": e.reason, "message": str(e)})
        raise
    result = verified.to_json()
    if ledger_report is not None:
        result["ledger_now"] = ledger_report
    if as_json:
        emit_json(result)
    else:
        _print(verified, ledger_report)
    if ledger_report is None and verified.status is not None and verified.status["void"]:
        raise cb.BundleError("void", f"the bundle verifies, but the status list HRSS signed with checkpoint "
                             f"{verified.status['checkpoint_size']} records the certificate as void (作废)")
    if ledger_report is not None and verified.status is not None and ledger_report["proven"]["index"] not in (
            None, verified.status["index"]):
        raise cb.BundleError("altered", f"the bundle places the certificate at status index {verified.status['index']}, "
                             f"the ledger at {ledger_report['proven']['index']}")
    if ledger_report is not None and ledger_report["status"] != "valid":
        raise cb.BundleError(
            "void" if ledger_report["status"] == "void" else ledger_report["status"],
            f"the bundle verifies, but the ledger now records the certificate as {ledger_report['status']}"
            f" ({ledger_report['rule']}: {ledger_report['reason']})",
        )
    note(f"OK: {verified.document.get('kind')} {verified.document.get('number')} verified"
         + (" offline" + (f", status valid as of checkpoint {verified.status['checkpoint_size']} (not after it)"
                          if verified.status else ", status not checked") if db_url is None else
            f", and its status against checkpoint {ledger_report['proven']['checkpoint_size']} of the ledger"
            + (" (issued after it: status from the replay only, not proven)" if ledger_report["proven"]["status"] == "not covered"
               else f" (not covered: {ledger_report['not_covered']})")))


def _print(v: cb.Verified, now: dict[str, Any] | None) -> None:
    d = v.document
    lines = [
        f"{d.get('title')}  ({d.get('kind')})",
        f"  number     {d.get('number')}",
        f"  holder     {d.get('holder')}  (id {d.get('id_number')})",
        f"  exam       {' '.join(str(v) for v in (d.get('exam'), d.get('level'), d.get('specialty'), d.get('year')) if v)}"
        f"  ({d.get('exam_code')})",
        f"  issued on  {d.get('issued_on')} by {d.get('issuer')}",
        *([f"  scope      {d.get('scope')}"] if d.get("scope") else []),
        f"  e-seal     {v.seal_key}, sealed at {v.sealed_at.isoformat()}: verified",
        f"  event      stream {v.stream} v{v.version}, sha256:{v.digest}",
        f"  log        leaf {v.leaf_index} of {v.tree_size}, root {v.root.hex()}: included",
        f"  checkpoint signed by {', '.join(v.checkpoint_signers)}",
        f"  trust      chain of {v.trust_head[0]} events, ending at the head the checkpoint binds (sha256:{v.trust_head[1][:16]}…)",
        f"  ledger     {v.ledger_id}",
    ]
    if v.status is not None:
        word = "void (作废)" if v.status["void"] else "valid (有效)"
        lines.append(f"  status     {word} at index {v.status['index']} of the status list HRSS signed with checkpoint "
                     f"{v.status['checkpoint_size']} ({v.status['recorded_at']}); not covered: events after it, and "
                     "the index is the exporter's (--db checks it)")
    elif now is None:
        lines.append("  status     not checked: the bundle carries no status list (--db checks the ledger's)")
    if now is not None:
        status = now["status"] + (f" ({now['rule']} since {now['since']}: {now['reason']})" if now["rule"] else "")
        lines.append(f"  status now {status}")
        lines.append(f"  proven by  {now['proven_by']}")
        lines.append(f"  checkpoint now {now['checkpoint']}")
        lines.append(f"  not covered {now['not_covered']}")
    for line in lines:
        click.echo(line)


def _against_ledger(v: cb.Verified, db_url: str, kept_note: str | None = None) -> dict[str, Any]:
    """The certificate as the ledger holds it now (read only)."""
    from certledger.domain.errors import TamperError
    from certledger.events import provenance
    from certledger.events.checkpointed_status import proven_status
    from certledger.events.ledger import Ledger
    from certledger.events.storage import parse_database_url

    ledger = Ledger(parse_database_url(db_url), read_only=True)
    try:
        if ledger.ledger_id != v.ledger_id:
            raise cb.BundleError("wrong-ledger", f"{db_url} holds ledger {ledger.ledger_id}, not the bundle's {v.ledger_id}")
        [found] = provenance.find_certificate(ledger, str(v.document.get("number")), str(v.document.get("kind")))
        if provenance.envelope.digest(bytes(found.issued.state)) != v.digest:
            raise cb.BundleError("altered", "the ledger holds a different seal event for this number")
        report: dict[str, Any] = {}
        key = ledger.registry().key(v.seal_key)
        if key.revoked_at is not None and key.revoked_at <= v.sealed_at:
            raise cb.BundleError(
                "key-revoked",
                f"the ledger now records {v.seal_key} as revoked from {key.revoked_at.isoformat()} "
                f"({key.revocation_reason}), before the seal at {v.sealed_at.isoformat()}",
            )
        report["checkpoint"] = _consistency(ledger, v)
        try:
            status = proven_status(ledger, found, kept_note)
        except TamperError as e:
            raise cb.BundleError("tampered", str(e)) from None
        except InputError as e:  # no checkpoint signs a list: the replay alone proves nothing
            raise cb.BundleError("unproven", f"the status cannot be proven against this ledger: {e}") from None
        proven = status.pop("proven")
        report.update({k: (val.isoformat() if hasattr(val, "isoformat") else val) for k, val in status.items()})
        report["proven"] = proven.to_json()
        report["proven_by"] = proven.describe()
        report["not_covered"] = proven.not_covered()
        return report
    finally:
        ledger.close()


def _consistency(ledger: Any, v: cb.Verified) -> str:
    """The ledger's latest checkpoint extends the bundle's (a verified consistency proof)."""
    try:
        from certledger.events.checkpoints import latest_checkpoint
        from certledger.events.merkle_log import MerkleLog
    except ImportError:
        return "not checked: this ledger has no Merkle log"
    from certledger.events import merkle

    latest = latest_checkpoint(ledger)
    if latest is None:
        return "not checked: the ledger records no checkpoint"
    if latest.size < v.tree_size:
        raise cb.BundleError(
            "proof", f"the ledger's latest checkpoint covers {latest.size} events, fewer than the bundle's {v.tree_size}"
        )
    proof = MerkleLog(ledger).consistency_proof(v.tree_size, latest.size)
    try:
        merkle.verify_consistency(v.tree_size, latest.size, v.root, latest.root, proof)
    except CertLedgerError as e:
        raise cb.BundleError("proof", f"the ledger's latest checkpoint is not consistent with the bundle's: {e}") from None
    return f"size {latest.size}, consistent with the bundle's size {v.tree_size} (proof verified)"
