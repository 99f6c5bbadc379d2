"""What a purpose may not reveal, and what withdrawing a source takes with it: on a few records placed by hand
in the test council's hub (no linkage run), so each rule is checked on exactly the case it is about.

Person P has a children's social care record and a school record at one home and a council tax record at
another: the first two place P in household H<HOME>. Person R is known to council tax at HOME; person Q only to
children's social care there. The early-help purpose for adults allows council tax, not social care or schools.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.datahub.test_link_service import EARLY_HELP_ADULTS, OFFICER, PURPOSE, REGISTRY
from townhall.datahub.models import DatahubRecord, LinkedPerson, OfficerDecision, PersonRecord
from townhall.datahub.service import household_view, person_view
from townhall.datahub.service.withdraw import withdraw_source
from townhall.platform import clock
from townhall.platform.errors import NotFound

HOME, ELSEWHERE = 990000000001, 990000000002
HOUSEHOLD = f"H{HOME}"
P, Q, R = "TH90000001", "TH90000002", "TH90000003"
REASON = "Data-sharing agreement with Children's Services ended"
SHOWN = {"purpose": EARLY_HELP_ADULTS, "registry": REGISTRY, "viewer": OFFICER}


def _record(session: Session, key: str, person_id: str, uprn: int) -> None:
    source, _, reference = key.partition(":")
    session.add(
        DatahubRecord(record_key=key, source=source, source_record_id=reference, first_name="ALEX",
                      last_name="TESTER", uprn=uprn, uprn_match="source", address_is_home="Y", facts={})
    )  # fmt: skip
    session.add(PersonRecord(record_key=key, person_id=person_id))


@pytest.fixture
def household(session: Session) -> Session:
    for person_id, records in (
        (P, [("childrens_social_care:ZP1", HOME), ("school_attendance:ZP2", HOME), ("council_tax:ZP3", ELSEWHERE)]),
        (Q, [("childrens_social_care:ZQ1", HOME)]),
        (R, [("council_tax:ZR1", HOME)]),
    ):
        for key, uprn in records:
            _record(session, key, person_id, uprn)
        session.add(LinkedPerson(person_id=person_id, records=len(records), uprn=HOME, household_id=HOUSEHOLD))
    session.flush()
    return session


def test_a_household_lists_only_people_an_allowed_source_places_there(household: Session) -> None:
    view = household_view(household, household_id=HOUSEHOLD, **SHOWN)
    # P lives here only as far as social care and the school know: council tax has P elsewhere
    assert view.people == [R]
    assert [(s.source, s.people) for s in view.services] == [("council_tax", [R])]
    everyone = household_view(household, household_id=HOUSEHOLD, purpose=PURPOSE, registry=REGISTRY, viewer=OFFICER)
    assert everyone.people == [P, Q, R]


def test_a_household_no_allowed_source_places_anyone_in_is_not_found(household: Session) -> None:
    household.execute(PersonRecord.__table__.delete().where(PersonRecord.record_key == "council_tax:ZR1"))
    with pytest.raises(NotFound) as hidden:
        household_view(household, household_id=HOUSEHOLD, **SHOWN)
    with pytest.raises(NotFound) as missing:
        household_view(household, household_id="H990000000009", **SHOWN)
    assert str(hidden.value).replace(HOUSEHOLD, "H990000000009") == str(missing.value)


def test_a_person_known_only_to_other_sources_is_not_found(household: Session) -> None:
    with pytest.raises(NotFound) as hidden:
        person_view(household, person_id=Q, **SHOWN)
    with pytest.raises(NotFound) as missing:
        person_view(household, person_id="TH90000009", **SHOWN)
    assert str(hidden.value).replace(Q, "TH90000009") == str(missing.value)


def test_a_persons_household_is_shown_only_if_an_allowed_source_places_them_there(household: Session) -> None:
    view = person_view(household, person_id=P, **SHOWN)
    assert [r.record_key for r in view.records] == ["council_tax:ZP3"]
    assert view.household_id is None  # only social care and the school say P lives at HOME
    assert person_view(household, person_id=R, **SHOWN).household_id == HOUSEHOLD
    everyone = person_view(household, person_id=P, purpose=PURPOSE, registry=REGISTRY, viewer=OFFICER)
    assert everyone.household_id == HOUSEHOLD


def _decide(session: Session, a: str, b: str) -> None:
    session.add(OfficerDecision(record_a=a, record_b=b, same_person=False, reason="Different dates of birth",
                                decided_by="officer@council.example", decided_at=clock.now()))  # fmt: skip


def test_withdrawing_a_source_removes_decisions_about_its_records_and_the_households_it_made(
    household: Session,
) -> None:
    _decide(household, "childrens_social_care:ZP1", "council_tax:ZP3")
    _decide(household, "school_attendance:ZP2", "council_tax:ZP3")
    household.flush()

    withdraw_source(household, source="childrens_social_care", reason=REASON)
    household.expire_all()

    decisions = household.execute(select(OfficerDecision.record_a, OfficerDecision.record_b)).all()
    assert [tuple(d) for d in decisions] == [("school_attendance:ZP2", "council_tax:ZP3")]
    assert household.get(LinkedPerson, Q) is None
    # P's home addresses left: the school's at HOME and council tax's elsewhere, one each: the smaller UPRN
    assert (household.get(LinkedPerson, P).uprn, household.get(LinkedPerson, R).uprn) == (HOME, HOME)  # type: ignore[union-attr]
    withdraw_source(household, source="school_attendance", reason=REASON)
    household.expire_all()
    moved = household.get(LinkedPerson, P)
    assert moved is not None and (moved.uprn, moved.household_id) == (ELSEWHERE, f"H{ELSEWHERE}")
