"""``certledger demo``: build a small, real ledger on SQLite and verify it end to end."""

from __future__ import annotations

import os
import shutil
import click

from cli.output import emit_table, note
from cli.session import PASSPHRASE_ENV, Session
from cli.verify import _summary
from domain.errors import CertLedgerError, InputError
from domain.parties import ROOT_PARTY, PartyKind
from events.ledger import utc_now
from events.verify import Report, verify_ledger
from projections.trust import key_rows
from signing.keys import new_private_key, raw_public_key
from signing.wallet import Wallet

pass_session = click.make_pass_decorator(Session)

DEMO_PASSPHRASE = "certledger-demo"

# (party id, kind, name): the units of the 2019 responsibility table that the demo uses.
DEMO_PARTIES = [
    ("exam-center", PartyKind.EXAM_CENTER, "河南省人事考试中心"),
    ("dept.zhujian.henan", PartyKind.DEPARTMENT, "河南省住房和城乡建设厅"),
    ("dept.zhujian.zhengzhou", PartyKind.DEPARTMENT, "郑州市住房和城乡建设局"),
    ("dept.zhujian.luoyang", PartyKind.DEPARTMENT, "洛阳市住房和城乡建设局"),
    ("dept.weijian.henan", PartyKind.DEPARTMENT, "河南省卫生健康委员会"),
    ("dept.cehui.henan", PartyKind.DEPARTMENT, "河南省测绘地理信息局"),
    ("assoc.gczx.henan", PartyKind.ASSOCIATION, "河南省工程咨询协会"),
    ("postal.henan", PartyKind.POSTAL, "中国邮政集团有限公司河南省分公司"),
    ("national.exam-center", PartyKind.NATIONAL_EXAM_CENTER, "人力资源和社会保障部人事考试中心"),
]


@click.command()
@click.option("--reset", is_flag=True, help="Delete an existing SQLite demo ledger and its keys first.")
@pass_session
def demo(session: Session, reset: bool) -> None:
    """Build a demo ledger (parties, keys, a rotation, a revocation) and verify it."""
    database = session.database
    if reset:
        if database.backend != "sqlite":
            raise InputError("--reset only deletes SQLite files; give the demo an empty PostgreSQL database")
        for suffix in ("", "-wal", "-shm"):
            database.path.with_name(database.path.name + suffix).unlink(missing_ok=True)
        shutil.rmtree(session.keys_dir, ignore_errors=True)
    if not os.environ.get(PASSPHRASE_ENV):
        session._passphrase = DEMO_PASSPHRASE.encode()
        note(f"demo keys are encrypted with the passphrase {DEMO_PASSPHRASE!r} ({PASSPHRASE_ENV} to choose one)")

    ledger = session.ledger(create=True)
    ledger.ensure_empty()
    store = session.keystore()

    root = new_private_key()
    root_id = store.save(ROOT_PARTY, root)
    ledger.initialise(raw_public_key(root))
    note(f"1. genesis: HRSS root key {root_id}")

    for party_id, kind, name in DEMO_PARTIES:
        ledger.register_party(party_id, name, kind)
        key = new_private_key()
        store.save(party_id, key)
        ledger.add_key(party_id, raw_public_key(key))
    note(f"2. registered {len(DEMO_PARTIES)} parties, each with a signing key")

    new_key = new_private_key()
    store.save("dept.zhujian.zhengzhou", new_key)
    ledger.rotate_key("dept.zhujian.zhengzhou", raw_public_key(new_key))
    note("3. rotated the key of 郑州市住房和城乡建设局")

    lost_entry = ledger.registry().keys_of("dept.weijian.henan")[0]
    lost = lost_entry.key_id
    # Compromised since it was issued: anything it signed would stop verifying.
    ledger.revoke_key(lost, "private key found on a shared drive", effective_at=lost_entry.valid_from)
    replacement = new_private_key()
    store.save("dept.weijian.henan", replacement)
    ledger.add_key("dept.weijian.henan", raw_public_key(replacement))
    note(f"4. revoked {lost} of 河南省卫生健康委员会 (compromised since issue), added a new one")

    new_root = new_private_key()
    store.save(ROOT_PARTY, new_root)
    new_root_id, _ = ledger.rotate_key(ROOT_PARTY, raw_public_key(new_root))
    note(f"5. rotated the HRSS root key to {new_root_id}; the old root signed the new key in")

    before = ledger.rows.count()
    ledger.wallet = ledger.mapper_.wallet = Wallet(store, forced_key=lost)
    try:
        ledger.register_party("dept.fake", "冒名单位", PartyKind.DEPARTMENT)
    except CertLedgerError as e:
        note(f"6. an act signed with the revoked key is refused, nothing recorded "
             f"({before} == {ledger.rows.count()} events): {e}")
    else:  # pragma: no cover - would be a bug
        raise RuntimeError("the revoked key was allowed to sign")

    click.echo(f"\nKeys in {database.describe()}:")
    emit_table(key_rows(ledger.registry(), utc_now()), ["key_id", "party", "status"])
    click.echo("")
    report = Report()
    findings = list(verify_ledger(ledger, report))
    _summary(report, complete=True)
    if findings or not report.ok:
        raise SystemExit(1)
    click.echo(f"\nTry: certledger keys list   ·   certledger verify --root-key {root_id}")
