"""Public reads of a request publish the exact spot for problems on public land, only the street for homes."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.conftest import form_token
from tests.service_requests.factories import a_property, make_request
from townhall.service_requests.catalogue import service_by_code
from townhall.service_requests.public_location import public_location


def test_a_private_location_is_the_street_and_rounded_coordinates() -> None:
    where = public_location(private=True, address="12 Mill Lane, Wexmoor, ZX1 2AB", uprn=1001, latitude=52.123456,
                            longitude=-0.987654, street_name="Mill Lane", town="Wexmoor")  # fmt: skip
    assert (where.address, where.address_id, where.latitude, where.longitude) == (
        "Mill Lane, Wexmoor",
        None,
        52.123,
        -0.988,
    )


def test_a_public_location_is_published_as_given() -> None:
    where = public_location(private=False, address="Near Mill Lane, Wexmoor", uprn=None, latitude=52.123456,
                            longitude=-0.987654, street_name=None, town=None)  # fmt: skip
    assert (where.address, where.address_id, where.latitude, where.longitude) == (
        "Near Mill Lane, Wexmoor",
        None,
        52.123456,
        -0.987654,
    )


def test_the_catalogue_marks_services_at_a_home_private(session: Session) -> None:
    assert service_by_code(session, code="noise").location_is_private
    assert service_by_code(session, code="bulky_waste").location_is_private
    assert not service_by_code(session, code="pothole").location_is_private


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_open311_hides_the_home_address_of_a_noise_report(client: TestClient, session: Session, fmt: str) -> None:
    home = a_property(session)
    created = make_request(session, service_code="noise", uprn=home.uprn, answers={"noise_type": ["music"]})
    for path in (f"/open311/v2/requests/{created.reference}.{fmt}",
                 f"/open311/v2/requests.{fmt}?service_request_id={created.reference}"):  # fmt: skip
        response = client.get(path)
        assert response.status_code == 200
        assert home.address not in response.text
        assert str(home.uprn) not in response.text
        assert f"{home.street_name}, {home.town}" in response.text
        assert str(round(home.latitude, 3)) in response.text


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_open311_never_publishes_what_a_report_at_a_home_says(client: TestClient, session: Session, fmt: str) -> None:
    # The words and photo of a noise complaint name the neighbour and give away the reporter, whatever the street
    home = a_property(session)
    said = "Loud music from Mr Ashdown at number 14 every night"
    created = make_request(session, service_code="noise", uprn=home.uprn, answers={"noise_type": ["music"]},
                           description=said, media_url="https://fms.example/photos/14.jpg")  # fmt: skip
    for path in (f"/open311/v2/requests/{created.reference}.{fmt}",
                 f"/open311/v2/requests.{fmt}?service_request_id={created.reference}",
                 f"/open311/v2/requests.{fmt}?service_code=noise"):  # fmt: skip
        response = client.get(path)
        assert response.status_code == 200
        assert created.reference in response.text
        assert "Ashdown" not in response.text and "14.jpg" not in response.text


def test_open311_publishes_what_a_report_on_public_land_says(client: TestClient, session: Session) -> None:
    created = make_request(session, service_code="pothole", answers={"surface": ["road"]}, description="Deep hole",
                           media_url="https://fms.example/photos/hole.jpg")  # fmt: skip
    [document] = client.get(f"/open311/v2/requests/{created.reference}.json").json()
    assert (document["description"], document["media_url"]) == ("Deep hole", "https://fms.example/photos/hole.jpg")


def test_open311_publishes_the_exact_spot_of_a_pothole(client: TestClient, session: Session) -> None:
    home = a_property(session)
    created = make_request(session, service_code="pothole", uprn=home.uprn, answers={"surface": ["road"]})
    [document] = client.get(f"/open311/v2/requests/{created.reference}.json").json()
    assert (document["address"], document["address_id"]) == (home.address, str(home.uprn))
    assert (document["lat"], document["long"]) == (home.latitude, home.longitude)


@pytest.mark.parametrize(("code", "answers", "private"), [
    ("noise", {"noise_type": ["music"]}, True), ("pothole", {"surface": ["road"]}, False),
])  # fmt: skip
def test_the_track_page_shows_the_street_only_for_a_home(
    client: TestClient, session: Session, code: str, answers: dict[str, list[str]], private: bool
) -> None:
    home = a_property(session)
    created = make_request(session, service_code=code, uprn=home.uprn, answers=answers)
    token = form_token(client, "/report-a-problem-track")
    page = client.post("/report-a-problem-track", data={"reference": created.reference, "csrf_token": token}).text
    assert (home.address in page) is not private
    assert f"{home.street_name}, {home.town}" in page
