"""The data hub's single view in a browser without JavaScript: a practitioner finds a household, gives a purpose,
sees the services involved, opens a linked person, challenges a link and records a missed one; information
governance reviews the quarantine a source at a time. Every page is checked with axe."""

import re
from typing import Any

import pytest
from sqlalchemy import func, insert, select

from tests.e2e.conftest import EARLY_HELP_EMAIL, IG_OFFICER_EMAIL, OFFICER_PASSWORD, assert_accessible
from tests.e2e.test_identity_pages import sign_in
from townhall.config import Settings
from townhall.datahub.models import DatahubRecord, IngestBatch, LinkedPerson, PersonRecord, QuarantinedRow
from townhall.datahub.service import quarantine_summary
from townhall.db import make_engine, make_session_factory, session_scope
from townhall.places.models import Property

PURPOSE = "Keep one accurate record of each resident across council services"


@pytest.fixture(scope="module")
def busy_household(served_settings: Settings) -> tuple[str, str]:
    """The household with most linked people, as (household id, its postcode)."""
    engine = make_engine(served_settings)
    with make_session_factory(engine)() as session:
        household_id, uprn = session.execute(
            select(LinkedPerson.household_id, LinkedPerson.uprn)
            .where(LinkedPerson.household_id.is_not(None))
            .group_by(LinkedPerson.household_id, LinkedPerson.uprn)
            .order_by(func.count().desc(), LinkedPerson.household_id)
            .limit(1)
        ).one()
        postcode = session.scalar(select(Property.postcode).where(Property.uprn == uprn))
    engine.dispose()
    assert household_id and postcode
    return household_id, postcode


@pytest.fixture(scope="module")
def linked_person(served_settings: Settings) -> str:
    """The person with the most linked records in sources that allow PURPOSE (so there is a link to challenge)."""
    engine = make_engine(served_settings)
    with make_session_factory(engine)() as session:
        person_id = session.scalar(
            select(PersonRecord.person_id)
            .join(DatahubRecord, DatahubRecord.record_key == PersonRecord.record_key)
            .where(DatahubRecord.source.in_(["council_tax", "housing_tenancies", "council_tax_reduction"]))
            .group_by(PersonRecord.person_id)
            .order_by(func.count().desc(), PersonRecord.person_id)
            .limit(1)
        )
    engine.dispose()
    assert person_id is not None
    return person_id


@pytest.fixture(scope="module")
def someone_else(served_settings: Settings, linked_person: str) -> str:
    """A council tax record linked to another person: the other side of a missed link."""
    engine = make_engine(served_settings)
    with make_session_factory(engine)() as session:
        key = session.scalar(
            select(PersonRecord.record_key)
            .where(PersonRecord.person_id != linked_person, PersonRecord.record_key.like("council_tax:%"))
            .order_by(PersonRecord.record_key)
        )
    engine.dispose()
    assert key is not None
    return key


def test_a_practitioner_sees_a_household_only_for_a_purpose(
    page: Any, served_council: str, busy_household: tuple[str, str]
) -> None:
    household_id, postcode = busy_household
    sign_in(page, served_council, EARLY_HELP_EMAIL, OFFICER_PASSWORD)
    page.goto(served_council + "/datahub/households")
    assert page.locator("h1").inner_text() == "Find a household"
    assert_accessible(page)
    page.get_by_label("Postcode").fill(postcode.lower())
    page.get_by_role("button", name="Find address").click()
    page.locator(f"a[href='/datahub/households/{household_id}']").first.click()
    assert page.locator("h1").inner_text() == "Why do you need this record?"
    assert_accessible(page)

    page.get_by_role("button", name="Show the record").click()  # no purpose chosen
    assert page.locator(".th-error-summary").is_visible()
    assert_accessible(page)

    page.get_by_label("Purpose").select_option(label=PURPOSE)
    page.get_by_role("button", name="Show the record").click()
    assert page.locator("h1").inner_text() == f"Household {household_id}"
    assert page.get_by_text(f"Purpose: {PURPOSE}").is_visible()
    services = page.locator("table tbody tr")
    assert services.count() >= 1 and "@council.example" in services.first.inner_text()
    assert_accessible(page)
    page.get_by_role("button", name=re.compile(r"^Person TH\d+$")).first.click()  # the same purpose, not asked again
    assert page.locator("h1").inner_text().startswith("Person TH")
    assert page.get_by_text(f"Purpose: {PURPOSE}").is_visible()
    assert_accessible(page)


def test_a_person_shows_why_records_were_linked_and_a_link_can_be_challenged(
    page: Any, served_council: str, linked_person: str
) -> None:
    sign_in(page, served_council, EARLY_HELP_EMAIL, OFFICER_PASSWORD)
    page.goto(served_council + f"/datahub/people/{linked_person}")
    page.get_by_label("Purpose").select_option(label=PURPOSE)
    page.get_by_role("button", name="Show the record").click()
    assert page.locator("h1").inner_text() == f"Person {linked_person}"
    assert page.locator("caption", has_text="Why they were linked").is_visible()
    assert page.locator("td.th-table__cell--numeric").count() >= 2  # match weight and probability
    assert_accessible(page)

    page.get_by_label("Why they are not the same person").fill("Different people: a parent and a child")
    page.get_by_role("button", name="Record: not the same person").click()
    assert "next linkage run" in page.locator("main").inner_text()
    assert_accessible(page)


def test_a_missed_link_is_recorded_and_a_mistake_is_explained_by_its_field(
    page: Any, served_council: str, linked_person: str, someone_else: str
) -> None:
    sign_in(page, served_council, EARLY_HELP_EMAIL, OFFICER_PASSWORD)
    page.goto(served_council + f"/datahub/people/{linked_person}")
    page.get_by_label("Purpose").select_option(label=PURPOSE)
    page.get_by_role("button", name="Show the record").click()
    page.get_by_label("The other record").fill("council_tax:NO-SUCH-ACCOUNT")
    page.get_by_label("Why they are the same person").fill("Same bank details on both accounts")
    page.get_by_role("button", name="Record: the same person").click()
    summary = page.locator(".th-error-summary")
    assert summary.is_visible() and "There is no record council_tax:NO-SUCH-ACCOUNT" in summary.inner_text()
    assert page.get_by_label("Why they are the same person").input_value() == "Same bank details on both accounts"
    assert_accessible(page)
    summary.get_by_role("link").first.click()  # the summary's link takes the officer to the field
    page.get_by_label("The other record").fill(someone_else)
    page.get_by_role("button", name="Record: the same person").click()
    assert page.locator("h1").inner_text() == "Decision recorded"
    assert "the same person" in page.locator("main").inner_text()
    assert_accessible(page)
    page.get_by_role("button", name=f"Back to person {linked_person}").click()
    assert page.locator("h1").inner_text() == f"Person {linked_person}"


@pytest.fixture(scope="module")
def held_back(served_settings: Settings) -> str:
    """A source with rows held back at ingestion (the small council's extracts may have none); its name."""
    engine = make_engine(served_settings)
    with session_scope(make_session_factory(engine)) as session:
        if not quarantine_summary(session):
            batch = session.scalars(select(IngestBatch).where(IngestBatch.source == "council_tax")).first()
            assert batch is not None
            session.execute(
                insert(QuarantinedRow),
                [{"batch_id": batch.id, "source": "council_tax", "row_number": n, "reason": "date '31/02/1980' is "
                  "not in the format %d/%m/%Y", "raw": {"ACCOUNT_REF": f"CT9{n}"}} for n in (4, 9)],
            )  # fmt: skip
        source = quarantine_summary(session)[0].source
    engine.dispose()
    return source


def test_information_governance_reviews_the_quarantine(page: Any, served_council: str, held_back: str) -> None:
    sign_in(page, served_council, IG_OFFICER_EMAIL, OFFICER_PASSWORD)
    page.goto(served_council + "/datahub/quarantine")
    assert page.locator("h1").inner_text() == "Rows held back at ingestion"
    assert page.locator("caption", has_text="Rows held back, by source").is_visible()
    assert page.locator("table tbody tr").count() >= 1
    assert_accessible(page)
    source = held_back
    page.get_by_label("Source", exact=True).select_option(value=source)
    page.get_by_role("button", name="Show rows").click()
    assert f"from {source}" in page.locator("caption").nth(1).inner_text()
    assert_accessible(page)
    page.get_by_role("button", name="Export as CSV").click()  # no reason given
    assert page.locator(".th-error-summary").is_visible()
    assert page.get_by_label("Source", exact=True).input_value() == source
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_label("Why you are exporting the rows").fill("Correcting the source extracts")
        page.get_by_role("button", name="Export as CSV").click()
    assert download.value.suggested_filename == f"datahub-quarantine-{source}.csv"


def test_a_practitioner_cannot_open_the_quarantine(page: Any, served_council: str) -> None:
    sign_in(page, served_council, EARLY_HELP_EMAIL, OFFICER_PASSWORD)
    response = page.goto(served_council + "/datahub/quarantine")
    assert response is not None and response.status == 403
