"""Officers' decisions: refused with a message by field, never about a source the purpose does not cover, and
never revealing the records of earlier decisions it contradicts."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from tests.datahub.test_link_service import DECIDE, EARLY_HELP_ADULTS, OFFICER, PURPOSE, REGISTRY
from townhall.datahub.models import DatahubRecord, OfficerDecision, PersonRecord
from townhall.datahub.service import ContradictingDecision, DecisionRefused, record_officer_decision
from townhall.platform.audit.models import AuditEntry

pytestmark = pytest.mark.slow


def _keys(session: Session, source: str, count: int) -> list[str]:
    return list(
        session.scalars(
            select(DatahubRecord.record_key)
            .where(DatahubRecord.source == source)
            .order_by(DatahubRecord.record_key)
            .limit(count)
        )
    )


def _decide(session: Session, a: str, b: str, *, same: bool, reason: str = "Checked", purpose: str = PURPOSE):
    return record_officer_decision(session, record_a=a, record_b=b, same_person=same, reason=reason,
                                   decided_by="o", purpose=purpose, registry=REGISTRY, viewer=OFFICER)  # fmt: skip


@pytest.mark.parametrize(
    ("record_a", "record_b", "reason", "problems"),
    [
        ("", "", "", {"record_a": "Choose one", "record_b": "Enter the other record", "reason": "Enter why"}),
        ("council_tax:CT1", "CT0000056", "r", {"record_b": "Enter a record as the source's name, a colon"}),
        ("council_tax:CT1", "council_tax:CT1", "r", {"record_b": "Choose two different records"}),
        ("council_tax:CT1", "council_tax:CT2", "x" * 1001, {"reason": "1,000 characters or fewer"}),
        ("council_tax:CT1", "council_tax:NOPE", "r", {"record_b": "There is no record council_tax:NOPE"}),
    ],
)
def test_a_decision_that_cannot_be_recorded_says_which_field_is_wrong(
    session: Session, record_a: str, record_b: str, reason: str, problems: dict[str, str]
) -> None:
    real = _keys(session, "council_tax", 1)[0]
    record_a = record_a.replace("council_tax:CT1", real)
    record_b = record_b.replace("council_tax:CT1", real)
    with pytest.raises(DecisionRefused) as refused:
        _decide(session, record_a, record_b, same=True, reason=reason)
    assert refused.value.status_code == 422
    assert set(refused.value.problems) == set(problems)
    for field, start in problems.items():
        assert start in refused.value.problems[field]
    assert session.scalar(select(func.count()).select_from(OfficerDecision)) == 0


def test_a_record_from_a_source_the_purpose_does_not_cover_cannot_be_part_of_a_decision(session: Session) -> None:
    adult = _keys(session, "council_tax", 1)[0]
    for pupil in (_keys(session, "school_attendance", 1)[0], "school_attendance:NEVER-INGESTED"):
        with pytest.raises(DecisionRefused) as refused:
            _decide(session, adult, pupil, same=True, purpose=EARLY_HELP_ADULTS)
        # the same answer whether or not the record exists: nothing is learnt about another source's records
        assert refused.value.problems == {
            "record_b": "Records from 'school_attendance' may not be used for the purpose you gave, so they cannot "
            "be part of a decision made for it"
        }


def test_a_contradiction_is_refused_without_naming_the_records_between(session: Session) -> None:
    a, b, c = _keys(session, "council_tax", 3)
    _decide(session, a, b, same=True)
    _decide(session, b, c, same=True)
    with pytest.raises(ContradictingDecision) as refused:
        _decide(session, a, c, same=False)
    assert refused.value.status_code == 409
    message = refused.value.problems["record_b"]
    assert "contradicts" in message and a in message and c in message and b not in message


def test_the_same_decision_twice_is_recorded_once(session: Session) -> None:
    a, b = _keys(session, "council_tax", 2)
    first = _decide(session, a, b, same=False)
    again = _decide(session, b, a, same=False, reason="Double-clicked")
    assert (again.record_a, again.record_b, again.reason) == (first.record_a, first.record_b, first.reason)
    assert session.scalar(select(func.count()).select_from(OfficerDecision)) == 1
    audited = session.scalars(select(AuditEntry).where(AuditEntry.action == "record_link_decision")).all()
    # each showing of the decision is audited (the second shows the first's reason), with the purpose seen under,
    # not the reason's free text, and the decision as its subject, not the records' references in their services
    decision = session.scalars(select(OfficerDecision.id)).one()
    assert [(e.purpose, e.subject_type, e.subject_id) for e in audited] == 2 * [
        (PURPOSE, "datahub_officer_decision", str(decision))
    ]


def test_a_changed_mind_is_recorded_and_changing_back_is_recorded_again(session: Session) -> None:
    a, b = _keys(session, "council_tax", 2)
    _decide(session, a, b, same=True)
    _decide(session, a, b, same=False, reason="Checked again: a father and son")
    _decide(session, a, b, same=True, reason="The son's record was a typo")
    verdicts = session.scalars(select(OfficerDecision.same_person).order_by(OfficerDecision.id)).all()
    assert verdicts == [True, False, True]


def test_a_decision_from_a_persons_page_must_start_from_one_of_that_persons_records(session: Session) -> None:
    a, b, c, elsewhere = _keys(session, "council_tax", 4)
    session.execute(delete(PersonRecord))
    for key, person in ((a, "TH00000001"), (b, "TH00000001"), (c, "TH00000002")):
        session.add(PersonRecord(record_key=key, person_id=person))
    session.flush()

    def decide(record_a: str, record_b: str, *, same: bool):
        return record_officer_decision(session, record_a=record_a, record_b=record_b, same_person=same,
                                       reason="Checked", decided_by="o", person_id="TH00000001",
                                       **DECIDE)  # fmt: skip

    with pytest.raises(DecisionRefused) as refused:  # neither record is this person's
        decide(c, elsewhere, same=True)
    assert set(refused.value.problems) == {"record_a"}
    with pytest.raises(DecisionRefused) as refused:  # the other way round: the first record is someone else's
        decide(elsewhere, a, same=False)
    assert set(refused.value.problems) == {"record_a"}
    assert session.scalar(select(func.count()).select_from(OfficerDecision)) == 0
    decide(a, b, same=False)  # a split of this person
    decide(b, elsewhere, same=True)  # a missed link from this person to another record
    decide(a, c, same=False)  # kept apart from someone else's record
    assert session.scalar(select(func.count()).select_from(OfficerDecision)) == 3
