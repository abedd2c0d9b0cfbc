"""Importing a spreadsheet of acts (``certledger import``): every row checked by the same
domain command as a hand-typed act before anything is written; then saved a bounded number
of candidacies per transaction.

**Resumable and idempotent.** Each row's source id is the file's SHA-256 and its row number
(:mod:`domain.source`): signed into the row's event, and reported with every refusal and in
the summary. A row whose act is already recorded with
exactly the row's content (same party, date and values: an earlier run of this file, killed
or not, or another importer at the same moment) is skipped as *already recorded*; a row
whose act is recorded with other content is refused by the domain (the act was recorded
already). Each transaction is atomic, so a ``kill -9`` leaves whole transactions or nothing,
and a re-run writes only the rest. Two importers at once: the store's (stream, version)
uniqueness refuses the second write of a candidacy; the importer then reloads that
transaction's candidacies and checks its rows again, so nothing is lost or written twice.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from certledger.domain.candidacy import Candidacy, candidacy_id
from certledger.domain.errors import CertLedgerError, InputError
from certledger.domain.id_number import binds, id_commitment
from certledger.domain.import_rows import ImportKind, Refusal, header_map, row_arguments, row_cells
from certledger.domain.sitting import ExamSitting
from certledger.domain.source import source_id
from certledger.events.ledger import MAX_EVENTS_PER_SAVE, ConflictError, Ledger
from certledger.events.holder_secrets import HolderSecret, HolderSecrets
from certledger.events.lifecycle import LOAD_BATCH, new_salt
from certledger.events.spreadsheet import csv_text

ROWS_PER_SAVE = 200  # candidacies (one event each) per transaction; well below MAX_EVENTS_PER_SAVE
_CONFLICT_ATTEMPTS = 5
assert ROWS_PER_SAVE <= MAX_EVENTS_PER_SAVE


@dataclass
class Table:
    """A file's rows: its digest (the rows' source id prefix), headers, and data rows
    numbered as a spreadsheet shows them (the header is row 1)."""

    digest: str
    headers: list[str]
    rows: list[tuple[int, list[Any]]]


def read_table(path: Path) -> Table:
    """A .csv (UTF-8, with or without BOM; or GB18030, as Chinese Excel saves it) or the
    first sheet of an .xlsx."""
    try:
        data = path.read_bytes()
    except OSError as e:
        raise InputError(f"cannot read {path}: {e.strerror or e}") from None
    digest = hashlib.sha256(data).hexdigest()
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        values = _xlsx_rows(data, path)
    elif suffix == ".csv":
        values = _csv_rows(data, path)
    else:
        raise InputError(f"{path}: import reads .csv or .xlsx files, not {suffix or 'files without a suffix'}")
    if not values:
        raise InputError(f"{path} is empty: the first row must name the columns")
    headers = [str(h or "").strip() for h in values[0]]
    rows = [(n, r) for n, r in enumerate(values[1:], start=2) if any(str(v or "").strip() for v in r)]
    return Table(digest, headers, rows)


def _csv_rows(data: bytes, path: Path) -> list[list[Any]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise InputError(f"{path} is neither UTF-8 nor GB18030 text")
    try:
        return list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as e:
        raise InputError(f"{path} is not a well-formed CSV file: {e}") from None


def _xlsx_rows(data: bytes, path: Path) -> list[list[Any]]:
    import openpyxl  # only when an .xlsx is read
    from zipfile import BadZipFile

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (BadZipFile, KeyError, ValueError, OSError) as e:
        raise InputError(f"{path} is not a readable .xlsx workbook ({type(e).__name__}: {e})") from None
    try:
        sheet = book.worksheets[0]
        return [list(r) for r in sheet.iter_rows(values_only=True)]
    finally:
        book.close()


@dataclass
class ImportResult:
    """What an import did: rows recorded, rows already recorded before, rows refused."""

    digest: str
    rows: int
    recorded: int = 0
    already: int = 0
    refused: list[Refusal] = field(default_factory=list)
    events: int = 0


def _same_id_number(c: Candidacy, args: dict[str, Any], secrets: HolderSecrets) -> bool:
    """Whether the row's full number (or its absence) is the one registered (L-7): sealed as a
    commitment, so it is compared with the number kept for it (erased: not known to be)."""
    full = args.get("id_number")
    if not full:
        return not c.id_commitment
    if not c.id_commitment:
        return False
    kept = secrets.get(c.id)
    return kept is not None and kept.id_number == full and binds(c.id_commitment, kept.salt, full)


def _registered_otherwise(c: Candidacy, candidate: str, on: date, args: dict[str, Any], secrets: HolderSecrets) -> str:
    """Why a registration row for a registered candidate is refused: the fields it changes.
    A registration is recorded once (R-2); a correction is an act of its own, not a re-import."""
    recorded = {"on": c.registered_on, "name": c.name, "masked_id": c.masked_id, "city": c.city, "level": c.level,
                "specialty": c.specialty, "comparison": dict(c.comparison), "evidence": dict(c.evidence),
                "id_number": True}
    given = {"on": on, **{k: args.get(k) for k in recorded if k != "on"}, "level": c.exam.registered_level(str(args.get("level") or "")),
             "id_number": _same_id_number(c, args, secrets)}
    differ = [k for k in recorded if recorded[k] != given[k]]
    return (f"{candidate} is registered already (on {c.registered_on}), and this row differs in "
            f"{', '.join(differ) or 'a field'}: a registration is recorded once; nothing recorded for this row")


def _already_recorded(kind: ImportKind, c: Candidacy, actor: str, on: date, args: dict[str, Any],
                      secrets: HolderSecrets) -> bool:
    """Whether the row's act is recorded on ``c`` exactly as the row says (a re-run)."""
    if kind.command == "release_score":
        return (getattr(c, "passed", None) == args["passed"] and getattr(c, "scored_on", None) == on
                and dict(getattr(c, "scores", ()) or ()) == args["scores"])
    if kind.command == "hand_over":
        return getattr(c, "handed_over_on", None) == on
    if kind.command == "register":
        return (c.registered_on == on and c.name == args["name"] and c.masked_id == args["masked_id"]
                and c.city == args["city"] and c.level == c.exam.registered_level(str(args.get("level") or "")) and dict(c.comparison) == args["comparison"]
                and c.specialty == args.get("specialty", "")
                and dict(c.evidence) == args["evidence"] and _same_id_number(c, args, secrets))
    if kind.command == "reserve_mailing":
        return getattr(c, "mailing_reserved_on", None) == on
    if kind.command == "record_verification":
        return (getattr(c, "first_result", None) == args["result"] and getattr(c, "first_result_on", None) == on
                and getattr(c, "first_condition", None) == args["condition"])
    return False


class Importer:
    """One file's rows of one kind, acted by ``actor`` on ``on``, for one sitting."""

    def __init__(self, ledger: Ledger, kind: ImportKind, sitting: UUID, actor: str, on: date) -> None:
        self.ledger, self.kind, self.sitting_id, self.actor, self.on = ledger, kind, sitting, actor, on
        # Read ahead by check(): candidacies loaded, and ids found to have no events yet.
        self._loaded: dict[UUID, Candidacy] = {}
        self._absent: set[UUID] = set()
        self._secrets: dict[UUID, HolderSecret] = {}  # L-7: of the registrations checked, kept once saved

    def _sitting(self) -> ExamSitting:
        return self.ledger.sitting(self.sitting_id)

    def check(self, table: Table, progress: Callable[[int], None] = lambda n: None) -> tuple[ImportResult, list[tuple[int, dict[str, Any], Candidacy]]]:
        """Every row through the domain command, on candidacies loaded once; nothing saved.
        Returns the outcome so far and the rows to write: (row number, arguments, candidacy
        with the act applied)."""
        columns = header_map(self.kind, table.headers)
        result = ImportResult(table.digest, len(table.rows))
        sitting = self._sitting()
        seen: dict[str, int] = {}
        pending: list[tuple[int, dict[str, Any], Candidacy]] = []
        for n, (number, values) in enumerate(table.rows):
            if n % LOAD_BATCH == 0:  # read ahead: the next rows' candidacies in one query
                self._read_ahead(columns, table.rows[n : n + LOAD_BATCH])
            progress(1)
            parsed = row_arguments(self.kind, number, row_cells(columns, values))
            if isinstance(parsed, Refusal):
                result.refused.append(parsed)
                continue
            candidate, args = parsed
            args["source"] = source_id(table.digest, number)
            if candidate in seen:
                result.refused.append(Refusal(number, "candidate", "input", f"{candidate} appears already in row {seen[candidate]}"))
                continue
            seen[candidate] = number
            self._checked(result, pending, number, candidate, args, sitting)
        return result, pending

    def _read_ahead(self, columns: dict[str, int], rows: list[tuple[int, list[Any]]]) -> None:
        ids = [candidacy_id(self.sitting_id, c) for _, values in rows
               if (c := row_cells(columns, values).get("candidate", "").strip())]
        self._loaded = self.ledger.load_many(ids, Candidacy)
        self._absent = set(ids) - set(self._loaded)

    def _checked(self, result: ImportResult, pending: list[tuple[int, dict[str, Any], Candidacy]], number: int,
                 candidate: str, args: dict[str, Any], sitting: ExamSitting) -> None:
        """Check one row and file it: refused, already recorded, or pending its save."""
        refusal, candidacy = self._apply(number, candidate, args, sitting)
        if refusal is not None:
            result.refused.append(refusal)
        elif candidacy is None:
            result.already += 1
        else:
            pending.append((number, args, candidacy))

    def _apply(self, number: int, candidate: str, args: dict[str, Any], sitting: ExamSitting) -> tuple[Refusal | None, Candidacy | None]:
        """The row's act applied to its candidacy as stored: (refusal, None), (None, None) when
        already recorded, or (None, the candidacy with the new event pending)."""
        cid = candidacy_id(self.sitting_id, candidate)
        try:
            candidacy = self._loaded.pop(cid, None)
            if candidacy is None:
                if cid in self._absent:
                    raise AggregateNotFoundError(cid)
                candidacy = self.ledger.repository.get(cid)
        except AggregateNotFoundError:
            self._absent.discard(cid)  # a second row for it is judged on the store, not the read-ahead
            if self.kind.command == "register":
                return self._register(number, candidate, args, sitting)
            return Refusal(number, "candidate", "input", f"{candidate} is not registered for this sitting"), None
        if not isinstance(candidacy, Candidacy):
            return Refusal(number, "candidate", "input", f"{candidate} names no candidacy"), None
        if _already_recorded(self.kind, candidacy, self.actor, self.on, args, self.ledger.holder_secrets):
            return None, None
        if self.kind.command == "register":  # registered already, and the row says otherwise
            return Refusal(number, "candidate", "R-2", _registered_otherwise(candidacy, candidate, self.on, args,
                                                                              self.ledger.holder_secrets)), None
        try:
            with self.ledger.acting():
                getattr(candidacy, self.kind.command)(actor=self.actor, sitting=sitting, on=self.on, **args)
        except CertLedgerError as e:
            return Refusal(number, "", getattr(e, "rule", "input"), str(e)), None
        return None, candidacy

    def _register(self, number: int, candidate: str, args: dict[str, Any], sitting: ExamSitting) -> tuple[Refusal | None, Candidacy | None]:
        """R-2: a new candidacy, registered by the platform of record (``--as exam-center``). A
        full id number (L-7) is sealed as its salted commitment; the number and the salt wait
        in ``_secrets`` until the candidacy is saved."""
        given = {k: v for k, v in args.items() if k != "id_number"}
        full = args.get("id_number")
        salt = new_salt() if full else b""
        try:
            with self.ledger.acting():
                candidacy = Candidacy.register(actor=self.actor, sitting=sitting, candidate=candidate, on=self.on,
                                               id_commitment=id_commitment(salt, full) if full else "", **given)
        except CertLedgerError as e:
            return Refusal(number, "", getattr(e, "rule", "input"), str(e)), None
        if full:
            self._secrets[candidacy.id] = HolderSecret(full, salt)
        return None, candidacy

    def write(self, result: ImportResult, pending: list[tuple[int, dict[str, Any], Candidacy]],
              progress: Callable[[int], None] = lambda n: None) -> ImportResult:
        """Save the checked rows, ROWS_PER_SAVE candidacies per transaction. On a conflict
        (another importer wrote one of them first) the chunk's rows are checked again against
        the candidacies as now stored; a row refused then is reported, nothing is lost."""
        for start in range(0, len(pending), ROWS_PER_SAVE):
            chunk = pending[start : start + ROWS_PER_SAVE]
            for attempt in range(_CONFLICT_ATTEMPTS):
                try:
                    self.ledger.save(*(c for _, _, c in chunk))
                    self.ledger.holder_secrets.put_many({c.id: self._secrets[c.id] for _, _, c in chunk
                                                         if c.id in self._secrets})
                    result.recorded += len(chunk)
                    result.events += len(chunk)
                    break
                except ConflictError:
                    if attempt == _CONFLICT_ATTEMPTS - 1:
                        first, last = chunk[0][0], chunk[-1][0]
                        raise ConflictError(
                            f"another writer recorded acts on the same candidacies {_CONFLICT_ATTEMPTS} times in a row "
                            f"while rows {first}–{last} were being saved: those rows were not written; "
                            f"{result.recorded:,} row(s) before them were. Run the same import again: rows already "
                            "recorded are recognised by their source id and skipped"
                        ) from None
                    chunk = self._recheck(result, chunk)
                    if not chunk:
                        break
            progress(len(pending[start : start + ROWS_PER_SAVE]))
        return result

    def _recheck(self, result: ImportResult, chunk: list[tuple[int, dict[str, Any], Candidacy]]) -> list[tuple[int, dict[str, Any], Candidacy]]:
        sitting = self._sitting()
        self._loaded, self._absent = {}, set()  # read again: another importer wrote some of them
        again: list[tuple[int, dict[str, Any], Candidacy]] = []
        for number, args, old in chunk:
            self._checked(result, again, number, old.candidate, args, sitting)
        return again


def refusals_csv(refused: list[Refusal], digest: str) -> str:
    """The refused rows as CSV: row, source id, column, rule, message (headers with the
    Chinese terms beside them)."""
    return csv_text(
        ["row 行号", "source_id 来源标识", "column 列", "rule 规则", "message 说明"],
        ([r.row, source_id(digest, r.row), r.column, r.rule, r.message] for r in sorted(refused, key=lambda r: r.row)),
    )


