"""Officers' decisions that correct the linkage model: two records are, or are not, the same person.

A decision is made while looking at a person for a purpose, so both records must come from sources that purpose
allows (`views.allowed_contracts`): an officer cannot learn about, or change the links of, records the purpose
does not cover. Refusals say which argument is at fault, in words for the officer, so a form can show each
message by its field. Each decision is written to the audit log in the same transaction.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from townhall.datahub.models import DatahubRecord, OfficerDecision, PersonRecord
from townhall.datahub.schemas import DecisionSummary
from townhall.datahub.service.views import Registry, allowed_contracts, decision_summary
from townhall.datahub.stable_ids import ConflictingDecisionsError, apply_officer_decisions
from townhall.datahub.stable_ids import OfficerDecision as Decision
from townhall.platform import clock
from townhall.platform.audit import Actor, record_access
from townhall.platform.errors import Conflict, InvalidInput

EXAMPLE_KEY = "council_tax:CT0000056"
MAX_REASON = 1000
# A record key: the source's name, a colon, and the record's reference in that source (140 characters at most)
_RECORD_KEY = re.compile(r"^[a-z][a-z0-9_]{0,59}:\S.{0,78}$")


class DecisionRefused(InvalidInput):
    """A decision that cannot be recorded as given; `problems` maps each argument at fault to its message."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__(" ".join(problems.values()))
        self.problems = problems


class ContradictingDecision(Conflict):
    """A decision that contradicts earlier ones; `problems` as in DecisionRefused."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__(" ".join(problems.values()))
        self.problems = problems


def record_officer_decision(
    session: Session,
    *,
    record_a: str,
    record_b: str,
    same_person: bool,
    reason: str,
    decided_by: str,
    purpose: str,
    registry: Registry,
    viewer: Actor,
    client: str | None = None,
    person_id: str | None = None,
) -> DecisionSummary:
    """Record that two records are (or are not) the same person; the next linkage run honours it.

    ``person_id`` is the person whose page the decision is made from: ``record_a`` must be one of their records,
    so a decision is always about a person the officer has looked at for the purpose (and pairs of record keys
    cannot be tried one after another to learn which exist).

    Raises DecisionRefused (422) for a blank or malformed record key, a record paired with itself, a missing or
    over-long reason, a record from a source ``purpose`` does not allow, or a record that was never ingested;
    ContradictingDecision (409) for a decision that contradicts earlier ones (A = B and B = C, then A ≠ C);
    Forbidden when no source allows ``purpose``. A decision about a pair replaces earlier ones about it; the
    same decision made again is not stored twice (the earlier one is returned).
    """
    record_a, record_b, reason = record_a.strip(), record_b.strip(), reason.strip()
    if not decided_by.strip():
        raise InvalidInput("A decision needs the name of the officer who made it.")
    _refuse_if_any(_form_problems(record_a, record_b, reason, same_person=same_person))
    allowed = allowed_contracts(session, purpose=purpose, registry=registry)
    _refuse_if_any(_record_problems(session, {"record_a": record_a, "record_b": record_b}, allowed.keys()))
    if person_id is not None:
        _refuse_if_any(_not_the_persons(session, person_id, record_a))
    decision = _same_decision(session, record_a, record_b, same_person)
    if decision is None:
        _check_consistent(session, Decision(record_a, record_b, same_person))
        decision = OfficerDecision(
            record_a=record_a,
            record_b=record_b,
            same_person=same_person,
            reason=reason,
            decided_by=decided_by.strip(),
            decided_at=clock.now(),
        )
        session.add(decision)
        session.flush()
    # Audited under the purpose the records were seen for, as every view is, the same decision made again too (it
    # shows the earlier one's reason and officer). The subject is the decision, not its records: record keys name
    # a resident's references in each service (that a council tax account is known to children's social care),
    # which the append-only log would keep after the decision is withdrawn; the officer's reason, free text about
    # a resident, stays on the decision itself
    record_access(session, actor=viewer, action="record_link_decision", subject_type="datahub_officer_decision",
                  subject_id=decision.id, purpose=purpose, client=client)  # fmt: skip
    return decision_summary(decision)


def _refuse_if_any(problems: dict[str, str]) -> None:
    if problems:
        raise DecisionRefused(problems)


def _form_problems(record_a: str, record_b: str, reason: str, *, same_person: bool) -> dict[str, str]:
    problems: dict[str, str] = {}
    for field, key, blank in (
        ("record_a", record_a, "Choose one of this person's records"),
        ("record_b", record_b, f"Enter the other record, for example {EXAMPLE_KEY}"),
    ):
        if not key:
            problems[field] = blank
        elif not _RECORD_KEY.match(key):
            problems[field] = (
                f"Enter a record as the source's name, a colon and the record's reference in that source, "
                f"for example {EXAMPLE_KEY}"
            )
    if "record_b" not in problems and record_a == record_b:
        problems["record_b"] = "Choose two different records: a record is always the same person as itself"
    if not reason:
        problems["reason"] = f"Enter why they are {'' if same_person else 'not '}the same person"
    elif len(reason) > MAX_REASON:
        problems["reason"] = f"The reason must be {MAX_REASON:,} characters or fewer"
    return problems


def _record_problems(session: Session, keys: dict[str, str], allowed: Collection[str]) -> dict[str, str]:
    """Records from sources the purpose does not allow, then records never ingested (only for allowed sources,
    so the answer says nothing about another source's records)."""
    problems: dict[str, str] = {}
    for field, key in keys.items():
        source = key.partition(":")[0]
        if source not in allowed:
            problems[field] = (
                f"Records from '{source}' may not be used for the purpose you gave, so they cannot be part of a "
                "decision made for it"
            )
    known = set(
        session.scalars(select(DatahubRecord.record_key).where(DatahubRecord.record_key.in_(list(keys.values()))))
    )
    for field, key in keys.items():
        if field not in problems and key not in known:
            problems[field] = f"There is no record {key} in the data hub: check the reference"
    return problems


def _not_the_persons(session: Session, person_id: str, record_a: str) -> dict[str, str]:
    """A problem where ``record_a`` is not one of ``person_id``'s records."""
    own = session.scalar(
        select(PersonRecord.record_key).where(PersonRecord.person_id == person_id, PersonRecord.record_key == record_a)
    )
    return {} if own is not None else {"record_a": "Choose one of this person's records"}


def _same_decision(session: Session, record_a: str, record_b: str, same_person: bool) -> OfficerDecision | None:
    """The latest decision about this pair, if it already says the same (a later decision replaces an earlier)."""
    pair = or_(
        (OfficerDecision.record_a == record_a) & (OfficerDecision.record_b == record_b),
        (OfficerDecision.record_a == record_b) & (OfficerDecision.record_b == record_a),
    )
    latest = session.scalars(
        select(OfficerDecision).where(pair).order_by(OfficerDecision.decided_at.desc(), OfficerDecision.id.desc())
    ).first()
    return latest if latest is not None and latest.same_person == same_person else None


def _check_consistent(session: Session, new: Decision) -> None:
    earlier = [
        Decision(a, b, same)
        for a, b, same in session.execute(
            select(OfficerDecision.record_a, OfficerDecision.record_b, OfficerDecision.same_person).order_by(
                OfficerDecision.decided_at, OfficerDecision.id
            )
        )
    ]
    decisions = [*earlier, new]
    alone = {key: key for d in decisions for key in (d.record_a, d.record_b)}
    try:
        apply_officer_decisions(alone, [], decisions)
    except ConflictingDecisionsError:
        # Our own words: the model's message may name records of sources this purpose does not allow
        if new.same_person:
            message = (
                f"That decision contradicts earlier ones: they keep {new.record_a} and {new.record_b} apart "
                "(directly or through other records), so they cannot be recorded as the same person"
            )
        else:
            message = (
                f"That decision contradicts earlier ones: they say {new.record_a} and {new.record_b} are the "
                "same person (directly or through other records), so they cannot be recorded as different people"
            )
        raise ContradictingDecision({"record_b": message}) from None
