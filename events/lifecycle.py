"""The certificate lifecycle as application services: load, command, save.

Each method is one act of the notices, performed by ``actor`` on business date ``on``.
The domain checks the rules; the Mapper signs the resulting event with the actor's key.
Refusals raise before anything is saved, so nothing is recorded.
"""

from __future__ import annotations

import copy
import secrets
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import get_topic

from certledger.domain.candidacy import Candidacy, Outcome, ReissueKind, RequestEnd, candidacy_id
from certledger.domain.certificate_number import CertificateNumber
from certledger.domain.errors import InputError, RuleViolation
from certledger.domain.exams import exam
from certledger.domain.id_number import SALT_BYTES, given_id, id_commitment
from certledger.domain.sitting import ExamSitting, sitting_id
from certledger.events.holder_secrets import HolderSecret

A = TypeVar("A")
# Makes the notice a publishing act signs, from the sitting as the act leaves it and its new
# events (projections.notices.notice_for: the registers as they will stand).
NoticeFor = Callable[[ExamSitting, list[Any]], dict[str, Any]]


def parse_sitting_ref(ref: str) -> UUID:
    """``EXAM:YEAR`` (e.g. ``jianzaoshi-1:2025``) or a sitting's UUID."""
    if ":" in ref:
        code, _, year = ref.rpartition(":")
        exam(code)
        if not year.isdigit():
            raise InputError(f"sitting {ref!r}: write EXAM:YEAR, e.g. jianzaoshi-1:2025")
        return sitting_id(code, int(year))
    return _uuid(ref, "sitting")


def parse_candidacy_ref(ref: str) -> UUID:
    """``EXAM:YEAR:cand.NUMBER`` or a candidacy's UUID."""
    parts = ref.split(":")
    if len(parts) == 3:
        return candidacy_id(parse_sitting_ref(f"{parts[0]}:{parts[1]}"), parts[2])
    return _uuid(ref, "candidacy")


def _uuid(text: str, what: str) -> UUID:
    try:
        return UUID(text)
    except ValueError:
        raise InputError(f"{what} {text!r} is neither a reference nor a UUID") from None


def new_salt() -> bytes:
    """A fresh random salt for an id-number commitment (L-7): never derived, never logged."""
    return secrets.token_bytes(SALT_BYTES)


LOAD_BATCH = 500  # streams per query in load_many: well under SQLite's limit on parameters


def _keep(found: dict[UUID, Any], aggregate: Any, kind: type) -> None:
    if isinstance(aggregate, kind):
        found[aggregate.id] = aggregate


def _folded(events: list[Any], on: date | None = None) -> Any:
    """One aggregate's events folded in their recorded order. With ``on``: only the acts
    dated on or before it — None if the aggregate was created (scheduled, registered) after
    it; a late entry (补录) dated on or before ``on`` counts though it was written after
    later-dated acts."""
    aggregate: Any = None
    for event in events:
        if on is not None and event.on > on:
            if aggregate is None:
                return None
            continue
        if aggregate is not None and on is not None:
            # The library checks each event follows the previous version; the skipped
            # later-dated events leave gaps in that sequence.
            aggregate.version = event.originator_version - 1
        aggregate = event.mutate(aggregate)
    return aggregate


# The acts that issue a numbered certificate (L-3): kind -> (command, its number parameter).
_NUMBERED = {
    "e-certificate": ("issue_e_certificate", "certificate_no"),
    "pass-proof": ("issue_pass_proof", "proof_no"),
    "paper": ("receive_paper_certificate", "certificate_no"),
}


class LifecycleServices:
    """Mixed into :class:`events.ledger.Ledger`."""

    repository: Any
    recorder: Any
    mapper: Any
    rows: Any  # events.storage.Rows

    save: Callable[..., Any]  # Application.save
    acting: Callable[[], Any]  # Ledger.acting: the ledger's clock
    # -- loading ---------------------------------------------------------------------------

    def _load(self, aggregate_id: UUID, kind: type[A], what: str) -> A:
        try:
            aggregate = self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            raise InputError(f"no {what} {aggregate_id} in this ledger") from None
        if not isinstance(aggregate, kind):
            raise InputError(f"{aggregate_id} is not a {what}")
        return aggregate

    def load_many(self, ids: Iterable[UUID], kind: type[A], on: date | None = None,
                  up_to: int | None = None) -> dict[UUID, A]:
        """The aggregates with these ids that exist (of ``kind``; others are left out), read
        in bounded batches, one query each, every event decoded and checked by the Mapper
        exactly as :meth:`_load` checks it: what imports, bulk acts and listings load with.
        With ``on``, each as its acts dated on or before ``on`` make it (:func:`_folded`);
        one created after ``on`` is left out. With ``up_to``, only the events recorded up to
        that notification id count (the ledger as it stood then: ``--as-of``)."""
        found: dict[UUID, A] = {}
        ids = list(dict.fromkeys(ids))
        for start in range(0, len(ids), LOAD_BATCH):
            # A stream's rows come in version order, so what ``up_to`` leaves is a prefix.
            rows = [row for row in self.rows.of_streams(ids[start : start + LOAD_BATCH])
                    if up_to is None or row.notification_id <= up_to]
            events: list[Any] = []
            for row, event in zip(rows, self._decoded(rows)):
                if events and events[-1].originator_id != row.stream:
                    _keep(found, _folded(events, on), kind)
                    events = []
                events.append(event)
            if events:
                _keep(found, _folded(events, on), kind)
        return found

    signature_workers: Any = None  # events.checks.SignatureWorkers, lent by a command that loads a lot

    def _decoded(self, rows: list[Any]) -> Iterable[Any]:
        """Each row's domain event, checked by the Mapper — its signature in the lent
        worker processes, if any (the same checks, the same errors)."""
        stored = [StoredEvent(row.stream, row.version, row.topic, row.state) for row in rows]
        if self.signature_workers is not None and self.mapper.verify_on_read and len(stored) > 1:
            return (event for _, event in self.signature_workers.decoded(self.mapper, stored))
        return (self.mapper.to_domain_event(event) for event in stored)

    def sitting(self, ref: UUID | str) -> ExamSitting:
        return self._load(ref if isinstance(ref, UUID) else parse_sitting_ref(ref), ExamSitting, "sitting")

    def candidacy(self, ref: UUID | str) -> Candidacy:
        return self._load(ref if isinstance(ref, UUID) else parse_candidacy_ref(ref), Candidacy, "candidacy")

    def _load_dated(self, aggregate_id: UUID, kind: type[A], what: str, on: date) -> A | None:
        """The aggregate as its acts dated on or before ``on`` make it (None if it was created
        after ``on``): what a listing ``--on`` shows, so no column shows an act dated later.

        Acts are folded in their recorded order, skipping the later-dated ones; a late entry
        (补录) dated on or before ``on`` counts though it was written after later-dated acts."""
        events = list(self.repository.event_store.get(aggregate_id))
        if not events:
            raise InputError(f"no {what} {aggregate_id} in this ledger")
        aggregate = _folded(events, on)
        if aggregate is None:
            return None  # created (scheduled, registered) after ``on``
        if not isinstance(aggregate, kind):
            raise InputError(f"{aggregate_id} is not a {what}")
        return aggregate

    def sitting_on(self, ref: UUID | str, on: date) -> ExamSitting | None:
        """The sitting as its acts dated on or before ``on`` make it (None: scheduled later)."""
        return self._load_dated(ref if isinstance(ref, UUID) else parse_sitting_ref(ref), ExamSitting, "sitting", on)

    def candidacy_on(self, ref: UUID | str, on: date) -> Candidacy | None:
        """The candidacy as its acts dated on or before ``on`` make it (None: registered later)."""
        return self._load_dated(ref if isinstance(ref, UUID) else parse_candidacy_ref(ref), Candidacy, "candidacy", on)

    def _on_candidacy(self, ref: UUID | str, act: Callable[[Candidacy, ExamSitting], Any]) -> Any:
        candidacy = self.candidacy(ref)
        with self.acting():
            result = act(candidacy, self.sitting(candidacy.sitting_id))
        self.save(candidacy)
        return result

    def claim_number(self, actor: str, kind: str, number: str, candidacy: UUID, on: date) -> CertificateNumber | None:
        """L-3: the claim of a certificate number for ``candidacy``, to be saved with the act
        that issues it (None for an empty number: the act itself refuses that)."""
        number = number.strip()
        if not number:
            return None
        with self.acting():
            return CertificateNumber.claim(actor=actor, kind=kind, number=number, candidacy_id=candidacy, on=on)

    def _unissued(self, claim: CertificateNumber) -> None:
        """L-3, checked after the act's own rules: the number is not taken. (The store's
        primary key refuses a number claimed concurrently, atomically.)"""
        if claim.id in self.repository:
            holder = self._load(claim.id, CertificateNumber, "certificate number").candidacy_id
            raise RuleViolation("L-3", f"{claim.kind} number {claim.number} was issued already (to candidacy {holder})")

    def _on_sitting(self, ref: UUID | str, act: Callable[[ExamSitting], Any]) -> ExamSitting:
        sitting = self.sitting(ref)
        with self.acting():
            act(sitting)
        self.save(sitting)
        return sitting

    def candidacies_of(self, sitting_ref: UUID | str, up_to: int | None = None) -> Iterator[UUID]:
        """Ids of the sitting's candidacies, in registration order: the streams whose
        registration names the sitting, found by SQL in the signed bytes (canonical JSON, so
        ``"sitting_id":"<id>"`` cannot appear inside another field's text). A search, not a
        check: each candidacy is verified when it is loaded, and one whose registration names
        another sitting is not this sitting's."""
        wanted = sitting_ref if isinstance(sitting_ref, UUID) else parse_sitting_ref(sitting_ref)
        found = self.rows.streams_naming(":Candidacy.Registered", f'"sitting_id":"{wanted}"'.encode(), up_to)
        yield from dict.fromkeys(found)  # a row copied under another spelling of its stream id is one candidacy

    def _events_of(self, event_class: type) -> Iterator[Any]:
        """Every event of one class, in notification order, signatures checked, a page at a time."""
        topic = get_topic(event_class)
        start = None
        while True:
            page = self.recorder.select_notifications(start=start, limit=1000, topics=[topic], inclusive_of_start=False)
            if not page:
                return
            for notification in page:
                yield self.mapper.to_domain_event(notification)
            start = page[-1].id

    # -- the sitting -------------------------------------------------------------------------

    def schedule_sitting(self, actor: str, exam_code: str, year: int, exam_end: date, on: date) -> UUID:
        sid = sitting_id(exam_code, year)
        if sid in self.repository:
            raise InputError(f"{exam(exam_code).name} {year} is scheduled already")
        with self.acting():
            sitting = ExamSitting.schedule(actor=actor, exam_code=exam_code, year=year, exam_end=exam_end, on=on)
        self.save(sitting)
        return sitting.id

    def release_results(self, actor: str, sitting: UUID | str, on: date) -> None:
        self._on_sitting(sitting, lambda s: s.release_results(actor=actor, on=on))

    def publish_publicity(self, actor: str, sitting: UUID | str, starts: date, ends: date, on: date,
                          exception: str | None = None, verification_due: date | None = None,
                          supplementary_due: date | None = None, notice_for: NoticeFor | None = None) -> None:
        self._publishing(sitting, notice_for, lambda s, notice: s.publish_publicity(
            actor=actor, starts=starts, ends=ends, on=on, exception=exception,
            verification_due=verification_due, supplementary_due=supplementary_due, notice=notice))

    def report_verification_results(self, actor: str, sitting: UUID | str, on: date,
                                    notice_for: NoticeFor | None = None) -> None:
        self._publishing(sitting, notice_for, lambda s, notice: s.report_verification_results(
            actor=actor, on=on, notice=notice))

    def announce_verification_results(self, actor: str, sitting: UUID | str, on: date, exception: str | None = None,
                                      notice_for: NoticeFor | None = None) -> None:
        self._publishing(sitting, notice_for, lambda s, notice: s.announce_verification_results(
            actor=actor, on=on, exception=exception, notice=notice))

    def submit_supplementary_results(self, actor: str, sitting: UUID | str, on: date,
                                     notice_for: NoticeFor | None = None) -> None:
        """R-9: the ledger lists who still awaits the supplementary round on ``on``; the act
        signs that list (before R-8's period ends it must be empty)."""
        target = self.sitting(sitting)
        awaiting = tuple(sorted(c.candidate for c in self._candidacies_in(target) if c.awaits_supplementary_on(on, target)))
        self._publishing(target, notice_for, lambda s, notice: s.submit_supplementary_results(
            actor=actor, on=on, awaiting=awaiting, notice=notice))

    def announce_supplementary_results(self, actor: str, sitting: UUID | str, on: date,
                                       notice_for: NoticeFor | None = None) -> None:
        self._publishing(sitting, notice_for, lambda s, notice: s.announce_supplementary_results(
            actor=actor, on=on, notice=notice))

    def transfer_custody(self, actor: str, sitting: UUID | str, on: date,
                         notice_for: NoticeFor | None = None) -> tuple[UUID, ...]:
        """R-17: the roster is every certificate of the sitting still unclaimed on ``on``."""
        target = self.sitting(sitting)
        roster = tuple(c.id for c in self._candidacies_in(target) if c.unclaimed_on(on))
        self._publishing(target, notice_for, lambda s, notice: s.transfer_custody(
            actor=actor, roster=roster, on=on, notice=notice))
        return roster

    def _candidacies_in(self, sitting: ExamSitting) -> list[Candidacy]:
        """Every candidacy of the sitting, in the store's order, loaded at once (what the
        sitting's acts that list candidates read: R-9's awaiting list, R-17's roster)."""
        ids = list(self.candidacies_of(sitting.id))
        loaded = self.load_many(ids, Candidacy)
        return [loaded.get(i) or self.candidacy(i) for i in ids]

    def _publishing(self, ref: UUID | str | ExamSitting, notice_for: NoticeFor | None,
                    act: Callable[[ExamSitting, dict[str, Any] | None], Any]) -> None:
        """An act that publishes a notice. With ``notice_for``, the act is first done on a copy
        of the sitting, whose new events make the notice it publishes (the registers as the
        act will leave them); then the act is done for real, signing that notice."""
        sitting = ref if isinstance(ref, ExamSitting) else self.sitting(ref)
        notice = None
        if notice_for is not None:
            preview = copy.deepcopy(sitting)
            with self.acting():
                act(preview, None)  # the rules refuse here, before anything is rendered
            notice = notice_for(preview, preview.collect_events())
        with self.acting():
            act(sitting, notice)
        self.save(sitting)

    # -- one candidacy -----------------------------------------------------------------------

    def register_candidate(self, actor: str, sitting: UUID | str, *, candidate: str, name: str, masked_id: str = "",
                           city: str, level: str = "", comparison: dict[str, str],
                           evidence: dict[str, tuple[str, ...]] | None = None, commitment: bool = True,
                           on: date, specialty: str = "", id_number: str = "") -> UUID:
        """R-2: ``actor`` is the platform of record (the exam center's registration system);
        ``candidate`` the candidate's reference (cand.NNN), who holds no key.

        L-7: ``id_number`` is the full number (checked) or its masked form; ``masked_id`` the
        masked form as before. A full number is sealed only as a salted commitment beside its
        masked form; the number and the salt, drawn here, are kept outside the log
        (events.holder_secrets) once the registration is saved."""
        if id_number and masked_id:
            raise InputError("give the candidate's id number once: --id-number (full or masked) or --masked-id")
        given = given_id(id_number or masked_id)
        target = self.sitting(sitting)
        cid = candidacy_id(target.id, candidate)
        if cid in self.repository:
            raise InputError(f"{candidate} is registered for {target.label} already")
        salt = new_salt() if given.full else b""
        with self.acting():
            candidacy = Candidacy.register(actor=actor, sitting=target, candidate=candidate, name=name,
                                           masked_id=given.masked, city=city, level=level, commitment=commitment,
                                           comparison=comparison, evidence=evidence or {}, on=on,
                                           specialty=specialty,
                                           id_commitment=id_commitment(salt, given.full) if given.full else "")
        self.save(candidacy)
        if given.full:
            self.holder_secrets.put_many({candidacy.id: HolderSecret(given.full, salt)})
        return candidacy.id

    def release_score(self, actor: str, candidacy: UUID | str, passed: bool, scores: dict[str, str], on: date) -> None:
        self._on_candidacy(candidacy, lambda c, s: c.release_score(actor=actor, sitting=s, passed=passed, scores=scores, on=on))

    def hand_over(self, actor: str, candidacy: UUID | str, on: date, exception: str | None = None) -> None:
        self._on_candidacy(candidacy, lambda c, s: c.hand_over(actor=actor, sitting=s, on=on, exception=exception))

    def record_verification(self, actor: str, candidacy: UUID | str, result: Outcome, on: date, condition: str | None = None) -> None:
        self._on_candidacy(candidacy, lambda c, s: c.record_verification(actor=actor, sitting=s, result=result, condition=condition, on=on))

    def lodge_appeal(self, actor: str, candidacy: UUID | str, grounds: str, on: date, exception: str | None = None) -> None:
        self._on_candidacy(candidacy, lambda c, s: c.lodge_appeal(actor=actor, sitting=s, grounds=grounds, on=on,
                                                                  exception=exception))

    def decide_appeal(self, actor: str, candidacy: UUID | str, upheld: bool, reason: str, on: date,
                      exception: str | None = None) -> None:
        self._on_candidacy(candidacy, lambda c, s: c.decide_appeal(actor=actor, sitting=s, upheld=upheld, reason=reason, on=on,
                                                                   exception=exception))

    def record_supplementary(self, actor: str, candidacy: UUID | str, result: Outcome, on: date, condition: str | None = None,
                             exception: str | None = None) -> None:
        self._on_candidacy(candidacy, lambda c, s: c.record_supplementary(actor=actor, sitting=s, result=result, condition=condition,
                                                                          on=on, exception=exception))

    def record_forfeit(self, actor: str, candidacy: UUID | str, on: date) -> None:
        self._on_candidacy(candidacy, lambda c, s: c.record_forfeit(actor=actor, sitting=s, on=on))

    def find_ineligible(self, actor: str, candidacy: UUID | str, condition: str, finding: str, on: date) -> None:
        self._on_candidacy(candidacy, lambda c, s: c.find_ineligible(actor=actor, condition=condition, finding=finding, on=on))

    def find_fraud(self, actor: str, candidacy: UUID | str, finding: str, on: date) -> None:
        self._on_candidacy(candidacy, lambda c, s: c.find_fraud(actor=actor, finding=finding, on=on))

    def integrity_record(self) -> Iterator[tuple[UUID, Any]]:
        """R-12: every entry of the exam integrity record (诚信档案) in this ledger — each fraud
        finding, in the order recorded: (candidacy id, the FraudFound event)."""
        for found in self._events_of(Candidacy.FraudFound):
            yield found.originator_id, found

    def refer_to_judiciary(self, actor: str, candidacy: UUID | str, authority: str, on: date) -> None:
        self._on_candidacy(candidacy, lambda c, s: c.refer_to_judiciary(actor=actor, authority=authority, on=on))

    def issue_e_certificate(self, actor: str, candidacy: UUID | str, certificate_no: str, on: date) -> None:
        self.issue_numbers(actor, "e-certificate", [(self.candidacy(candidacy).id, certificate_no)], on)

    def issue_pass_proof(self, actor: str, candidacy: UUID | str, proof_no: str, on: date) -> None:
        self.issue_numbers(actor, "pass-proof", [(self.candidacy(candidacy).id, proof_no)], on)

    def publish_document(self, actor: str, candidacy: UUID | str, sha256: str, on: date) -> None:
        self._on_candidacy(candidacy, lambda c, s: c.publish_document(actor=actor, sha256=sha256, on=on))

    def receive_paper_certificate(self, actor: str, candidacy: UUID | str, certificate_no: str, on: date) -> None:
        self.issue_numbers(actor, "paper", [(self.candidacy(candidacy).id, certificate_no)], on)

    def issue_numbers(self, actor: str, kind: str, numbered: Iterable[tuple[UUID, str]], on: date) -> int:
        """Issue (or, for paper, receive) numbered certificates: each number is claimed (L-3)
        and saved with its candidacy's act, in batches."""
        command, parameter = _NUMBERED[kind]
        numbers = dict(numbered)

        def act(c: Candidacy, s: ExamSitting) -> CertificateNumber | None:
            claim = self.claim_number(actor, kind, numbers[c.id], c.id, on)
            getattr(c, command)(actor=actor, sitting=s, on=on, claim=claim, **{parameter: numbers[c.id]})
            if claim is not None:
                self._unissued(claim)
            return claim

        return self.for_each_candidacy(list(numbers), act)

    def reserve_mailing(self, actor: str, candidacy: UUID | str, address_ref: str, on: date, exception: str | None = None) -> None:
        self._on_candidacy(candidacy, lambda c, s: c.reserve_mailing(actor=actor, sitting=s, address_ref=address_ref, on=on,
                                                                     exception=exception))

    def deliver_by_post(self, actor: str, candidacy: UUID | str, on: date) -> None:
        self._on_candidacy(candidacy, lambda c, s: c.deliver_by_post(actor=actor, sitting=s, on=on))

    def record_delivery_failed(self, actor: str, candidacy: UUID | str, reason: str, on: date) -> None:
        self._on_candidacy(candidacy, lambda c, s: c.record_delivery_failed(actor=actor, sitting=s, reason=reason, on=on))

    def withdraw_mailing(self, actor: str, candidacy: UUID | str, reason: str, on: date) -> None:
        self._on_candidacy(candidacy, lambda c, s: c.withdraw_mailing(actor=actor, sitting=s, reason=reason, on=on))

    def hand_out(self, actor: str, candidacy: UUID | str, on: date) -> None:
        self._on_candidacy(candidacy, lambda c, s: c.hand_out(actor=actor, sitting=s, on=on))

    def request_reissue(self, actor: str, candidacy: UUID | str, kind: ReissueKind, reason: str, on: date) -> bool:
        """True if accepted and routed; False if refused under R-18 (the refusal is recorded)."""
        return self._on_candidacy(candidacy, lambda c, s: c.request_reissue(actor=actor, kind=kind, reason=reason, on=on))

    def forward_reissue(self, actor: str, candidacy: UUID | str, on: date) -> str:
        return self._on_candidacy(candidacy, lambda c, s: c.forward_reissue(actor=actor, on=on))

    def end_reissue(self, actor: str, candidacy: UUID | str, outcome: RequestEnd, reason: str, on: date) -> None:
        self._on_candidacy(candidacy, lambda c, s: c.end_reissue(actor=actor, outcome=outcome, reason=reason, on=on))

    # -- many candidacies in one transaction (bulk acts of one party) -------------------------

    def for_each_candidacy(self, refs: Iterable[UUID], act: Callable[[Candidacy, ExamSitting], Any], batch: int = 200) -> int:
        """Apply ``act`` to each candidacy, saving ``batch`` of them per transaction. A refusal
        raises before its batch is saved; earlier batches stay recorded. An aggregate that
        ``act`` returns (a number's claim) is saved with its candidacy, just before it."""
        sittings: dict[UUID, ExamSitting] = {}
        pending: list[Candidacy] = []
        done = 0
        refs = list(refs)
        loaded: dict[UUID, Candidacy] = {}
        for n, ref in enumerate(refs):
            if n % LOAD_BATCH == 0:  # read ahead: one query per LOAD_BATCH candidacies
                loaded = self.load_many(refs[n : n + LOAD_BATCH], Candidacy)
            candidacy = loaded.pop(ref, None) or self.candidacy(ref)  # not loaded: _load names why
            if candidacy.sitting_id not in sittings:
                sittings[candidacy.sitting_id] = self.sitting(candidacy.sitting_id)
            sitting = sittings[candidacy.sitting_id]
            with self.acting():
                also = act(candidacy, sitting)
            if isinstance(also, CertificateNumber):
                pending.append(also)
            pending.append(candidacy)
            if len(pending) >= batch:
                self.save(*pending)
                done += len(pending)
                pending.clear()
        if pending:
            self.save(*pending)
            done += len(pending)
        return done
