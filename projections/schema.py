"""The registers' tables: their names, columns and keys, and the DDL for each backend.

Registers are plain SQL tables in the ledger's own database, so an auditor can read them
with ``sqlite3`` or ``psql``. A *register set* is the tables under one prefix: the live
registers are ``reg_…``; ``certledger rebuild --into NAME`` writes ``NAME_…`` beside them.
Every column is text (dates ``YYYY-MM-DD``, write times ISO 8601 in China Standard Time)
or an integer, so both backends hold the same values and a diff compares like with like.

Every row ends with the same four columns, naming the last event that changed it:
``last_nid`` (notification id), ``last_signer`` (key id), ``last_on`` (business date) and
``last_written`` (write time).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from certledger.domain.errors import InputError

LIVE = "reg"
META = ("last_nid", "last_signer", "last_on", "last_written")
INTEGER = {"last_nid", "seq", "cash_on_delivery", "passed", "position", "events", "year",
            "request_seq", "late_nid", "nid", "version", "created_nid"}


@dataclass(frozen=True)
class Table:
    name: str  # without the set's prefix
    term: str  # the official Chinese name
    key: tuple[str, ...]
    columns: tuple[str, ...]  # business columns, key first; META follows
    # Which events may change a row (event class names): diff cites these.
    events: frozenset[str] = frozenset()

    @property
    def all_columns(self) -> tuple[str, ...]:
        return (*self.columns, *META)


_CANDIDATE = ("candidate", "name", "masked_id", "exam_code", "exam_name", "level", "year")

TABLES: tuple[Table, ...] = (
    Table(
        "sittings", "考试",
        ("sitting",),
        ("sitting", "exam_code", "exam_name", "year", "exam_end", "scheduled_on", "results_released_on",
         "publicity_starts", "publicity_ends", "publicity_by", "results_reported_on", "results_announced_on",
         "supplementary_submitted_on", "supplementary_announced_on", "custody_due_on",
         "custody_transferred_on", "late_nid"),
        frozenset({"Scheduled", "ResultsReleased", "PublicityPublished", "VerificationResultsReported",
                   "VerificationResultsAnnounced",
                   "SupplementaryResultsSubmitted", "SupplementaryResultsAnnounced", "CustodyTransferred",
                   "LateEntryRecorded"}),
    ),
    Table(
        "candidacies", "报考",
        ("candidacy",),
        ("candidacy", "sitting", *_CANDIDATE, "city", "registered_on", "passed", "scored_on",
         "certificate_kind", "certificate_no", "paper_no", "void_on", "void_reason", "request_seq", "late_nid"),
        frozenset({"Registered", "ScoreReleased", "CertificateIssued", "PaperCertificateReceived",
                   "IneligibilityFound", "FraudFound", "ReissueRequested", "ReissueRefused", "LateEntryRecorded"}),
    ),
    Table(
        "certificates", "证书台账",
        ("kind", "number"),
        ("kind", "number", "candidacy", "sitting", *_CANDIDATE, "issuer", "issued_on", "status", "status_reason",
         "delivery", "claimed_on", "custodian"),
        frozenset({"CertificateIssued", "PaperCertificateReceived", "DeliveredByPost", "HandedOutOnSite",
                   "IneligibilityFound", "FraudFound", "CustodyTransferred"}),
    ),
    Table(
        "verification", "资格核查",
        ("candidacy",),
        ("candidacy", "sitting", *_CANDIDATE, "city", "unit", "handed_over_on", "first_result",
         "first_condition", "first_by", "first_on", "appeal_grounds", "appeal_lodged_on", "appeal_decision",
         "appeal_reason", "appeal_decided_by", "appeal_decided_on", "supplementary_result",
         "supplementary_condition", "supplementary_by", "supplementary_on", "forfeited_by", "forfeited_on",
         "status"),
        frozenset({"HandedOver", "VerificationRecorded", "AppealLodged", "AppealDecided",
                   "SupplementaryVerificationRecorded", "Forfeited"}),
    ),
    Table(
        "mailing", "预约邮寄",
        ("candidacy",),
        ("candidacy", "sitting", *_CANDIDATE, "paper_no", "address_ref", "cash_on_delivery", "reserved_on",
         "delivered_by", "delivered_on", "ended_by", "ended_on", "ended_reason", "status"),
        frozenset({"MailingReserved", "DeliveredByPost", "PaperCertificateReceived", "DeliveryFailed",
                   "MailingReservationWithdrawn"}),
    ),
    Table(
        "custody", "保管",
        ("number",),
        ("number", "candidacy", "sitting", *_CANDIDATE, "custodian", "since", "due_for_transfer_on",
         "status", "ended_on"),
        frozenset({"PaperCertificateReceived", "DeliveredByPost", "HandedOutOnSite", "CustodyTransferred",
                   "IneligibilityFound", "FraudFound"}),
    ),
    Table(
        "sanctions", "处理",
        ("candidacy", "kind"),
        ("candidacy", "kind", "sitting", *_CANDIDATE, "rule", "finding", "condition", "article", "found_by",
         "found_on", "consequences", "referred_to", "referred_by", "referred_on"),
        frozenset({"IneligibilityFound", "FraudFound", "ReferredToJudiciary"}),
    ),
    Table(
        "requests", "补办/信息修改",
        ("candidacy", "seq"),
        ("candidacy", "seq", "sitting", *_CANDIDATE, "kind", "reason", "received_by", "received_on", "route",
         "holder", "hops", "status", "rule", "ended_on", "ended_by", "end_reason"),
        frozenset({"ReissueRequested", "ReissueForwarded", "ReissueRefused", "ReissueEnded"}),
    ),
    Table(
        "exceptions", "例外与补录",
        ("nid",),
        ("nid", "stream", "sitting", "candidacy", "subject", "kind", "act", "party", "dated_on", "reason"),
        frozenset({"LateEntryRecorded"}),
    ),
    # Each sitting's and candidacy's folded state (projections/states.py): what listings read.
    # No event list: every event of the stream changes it.
    Table(
        "states", "状态",
        ("stream",),
        ("stream", "kind", "sitting", "version", "latest_on", "created_nid", "state"),
    ),
    # Each sitting's state after each of its events (a sitting has a few dozen): what a listing
    # --on a day before the sitting's latest act reads, instead of replaying the sitting, whose
    # signed notices hold a row per passed candidate (projections/states.py, _sitting_on_day).
    Table(
        "sitting_versions", "考试状态历史",
        ("stream", "version"),
        ("stream", "version", "dated_on", "state"),
    ),
)
BY_NAME = {t.name: t for t in TABLES}
POSITION = "position"  # one row: how far the set has applied the notification log
# Present while a rebuild of the set has not reached its cut (its one row: the --as-of it
# was asked for, "" for the whole log), so that a half-built set is never read as a whole one.
UNFINISHED = "unfinished"
STATISTICS = "sitting_statistics"  # a view over the tables above

# What users may call a register on the command line: its name or its official term.
ALIASES = {**{t.name: t.name for t in TABLES}, **{t.term: t.name for t in TABLES}}
ALIASES.update({"状态快照": "states", "证书": "certificates", "核查": "verification", "邮寄": "mailing", "补办": "requests",
                "信息修改": "requests", "补录": "exceptions", "statistics": STATISTICS, "统计": STATISTICS})

_NAME = re.compile(r"^[a-z][a-z0-9_]{0,30}$")


def set_prefix(name: str) -> str:
    """The table prefix of register set ``name`` (``reg`` or ``live`` are the live set)."""
    name = LIVE if name in ("live", LIVE) else name
    if not _NAME.match(name):
        raise InputError(
            f"register set name {name!r}: use lower-case letters, digits and _ (at most 31), starting with a letter"
        )
    return f"{name}_"


def register_name(text: str) -> str:
    try:
        return ALIASES[text]
    except KeyError:
        known = ", ".join(f"{t.name} ({t.term})" for t in TABLES)
        raise InputError(f"no register {text!r}: choose one of {known}, {STATISTICS}") from None


def column_type(column: str, backend: str) -> str:
    if column in INTEGER:
        return "BIGINT" if backend == "postgres" else "INTEGER"
    return "TEXT"


def ddl(prefix: str, backend: str) -> list[str]:
    """CREATE statements for one register set (idempotent)."""
    statements = [
        f"CREATE TABLE IF NOT EXISTS {prefix}{POSITION} (name TEXT PRIMARY KEY, "
        f"position {column_type('position', backend)} NOT NULL, events {column_type('events', backend)} NOT NULL)"
    ]
    for table in TABLES:
        cols = ", ".join(f"{c} {column_type(c, backend)}" for c in table.all_columns)
        statements.append(
            f"CREATE TABLE IF NOT EXISTS {prefix}{table.name} ({cols}, PRIMARY KEY ({', '.join(table.key)}))"
        )
    statements.append(
        f"CREATE INDEX IF NOT EXISTS {prefix}certificates_candidacy ON {prefix}certificates (candidacy)"
    )
    statements.append(  # candidate list: a sitting's candidacies in registration order
        f"CREATE INDEX IF NOT EXISTS {prefix}states_sitting ON {prefix}states (sitting, kind, created_nid)"
    )
    statements.append(f"CREATE VIEW IF NOT EXISTS {prefix}{STATISTICS} AS {_statistics(prefix)}"
                      if backend == "sqlite" else
                      f"CREATE OR REPLACE VIEW {prefix}{STATISTICS} AS {_statistics(prefix)}")
    return statements


def drop(prefix: str) -> list[str]:
    statements = [f"DROP VIEW IF EXISTS {prefix}{STATISTICS}"]
    statements += [f"DROP TABLE IF EXISTS {prefix}{t.name}" for t in TABLES]
    statements.append(f"DROP TABLE IF EXISTS {prefix}{POSITION}")
    statements.append(f"DROP TABLE IF EXISTS {prefix}{UNFINISHED}")
    return statements


def _count(table: str, condition: str) -> str:
    return f"(SELECT count(*) FROM {table} x WHERE x.sitting = s.sitting AND {condition})"


def _statistics(p: str) -> str:
    """Per sitting: passed, each verification status, appeals, certificates by delivery,
    unclaimed and transferred paper certificates."""
    v, c, k = f"{p}verification", f"{p}certificates", f"{p}custody"
    return (
        "SELECT s.sitting, s.exam_code, s.exam_name, s.year, "
        f"{_count(p + 'candidacies', 'x.passed = 1')} AS passed, "
        f"{_count(v, 'x.handed_over_on IS NOT NULL')} AS handed_over, "
        f"{_count(v, chr(39) + '合格' + chr(39) + ' = x.status')} AS qualified, "
        f"{_count(v, chr(39) + '不合格' + chr(39) + ' = x.status')} AS unqualified, "
        f"{_count(v, chr(39) + '报考条件待核查' + chr(39) + ' = x.status')} AS pending, "
        f"{_count(v, chr(39) + '视为放弃' + chr(39) + ' = x.status')} AS forfeited, "
        f"{_count(v, 'x.appeal_lodged_on IS NOT NULL')} AS appeals, "
        f"{_count(v, chr(39) + 'upheld' + chr(39) + ' = x.appeal_decision')} AS appeals_upheld, "
        f"{_count(c, chr(39) + 'post' + chr(39) + ' = x.delivery')} AS delivered_by_post, "
        f"{_count(c, chr(39) + 'on-site' + chr(39) + ' = x.delivery')} AS handed_out_on_site, "
        f"{_count(c, chr(39) + 'e-certificate' + chr(39) + ' = x.kind')} AS e_certificates, "
        f"{_count(c, chr(39) + 'pass-proof' + chr(39) + ' = x.kind')} AS pass_proofs, "
        f"{_count(k, chr(39) + 'held' + chr(39) + ' = x.status')} AS unclaimed, "
        f"{_count(k, chr(39) + 'transferred' + chr(39) + ' = x.status')} AS transferred "
        f"FROM {p}sittings s"
    )
