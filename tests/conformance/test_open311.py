"""Open311 GeoReport v2 conformance: every endpoint, field and error, in XML (parsed by defusedxml) and JSON."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from typing import Any as Response

import pytest
from defusedxml import ElementTree
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.service_requests.factories import a_property, make_api_key
from townhall.service_requests.models import ServiceRequest

FORMATS = ["xml", "json"]
REQUEST_FIELDS = {
    "service_request_id", "status", "status_notes", "service_name", "service_code", "description",
    "agency_responsible", "service_notice", "requested_datetime", "updated_datetime", "expected_datetime",
    "address", "address_id", "zipcode", "lat", "long", "media_url",
}  # fmt: skip


def records(response: Response, fmt: str, item: str) -> list[dict[str, Any]]:
    """The list of records in either format, XML values as text."""
    if fmt == "json":
        body = response.json()
        return body if isinstance(body, list) else [body]
    root = ElementTree.fromstring(response.content)
    return [{child.tag: (child.text or "") for child in element} for element in root.findall(item)]


def errors(response: Response, fmt: str) -> list[dict[str, Any]]:
    if fmt == "json":
        return list(response.json())
    root = ElementTree.fromstring(response.content)
    assert root.tag == "errors"
    return [{"code": int(e.findtext("code") or 0), "description": e.findtext("description")} for e in root]


def pothole(session: Session, key: str, **extra: str) -> dict[str, str]:
    home = a_property(session)
    form = {
        "api_key": key,
        "service_code": "pothole",
        "lat": str(home.latitude),
        "long": str(home.longitude),
        "attribute[surface]": "road",
        "description": "Deep hole by the bus stop",
        "email": "r@example.com",
    }
    return form | extra


@pytest.mark.parametrize("fmt", FORMATS)
def test_service_list_has_every_field(client: TestClient, fmt: str) -> None:
    response = client.get(f"/open311/v2/services.{fmt}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/xml" if fmt == "xml" else "application/json")
    services = records(response, fmt, "service")
    codes = {s["service_code"] for s in services}
    assert {"pothole", "street_light", "fly_tipping", "missed_bin", "noise"} <= codes
    for service in services:
        assert set(service) == {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"}
        assert str(service["type"]) == "realtime"
        assert str(service["metadata"]).lower() in ("true", "false")


@pytest.mark.parametrize("fmt", FORMATS)
def test_service_definition_lists_attributes_with_values(client: TestClient, fmt: str) -> None:
    response = client.get(f"/open311/v2/services/missed_bin.{fmt}")
    assert response.status_code == 200
    if fmt == "json":
        definition = response.json()
        attributes = definition["attributes"]
        stream = next(a for a in attributes if a["code"] == "bin_stream")
        keys = [v["key"] for v in stream["values"]]
        assert stream["datatype"] == "singlevaluelist" and stream["required"] is True and stream["variable"] is True
    else:
        root = ElementTree.fromstring(response.content)
        assert root.tag == "service_definition" and root.findtext("service_code") == "missed_bin"
        stream = next(a for a in root.find("attributes") if a.findtext("code") == "bin_stream")
        keys = [v.findtext("key") for v in stream.find("values")]
        assert stream.findtext("datatype") == "singlevaluelist" and stream.findtext("required") == "true"
        for name in ("variable", "code", "datatype", "required", "datatype_description", "order", "description"):
            assert stream.find(name) is not None
    assert keys == ["refuse", "recycling", "garden", "food"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_unknown_service_definition_is_404_with_an_error_list(client: TestClient, fmt: str) -> None:
    response = client.get(f"/open311/v2/services/no_such_thing.{fmt}")
    assert response.status_code == 404 and errors(response, fmt)[0]["code"] == 404


@pytest.mark.parametrize("fmt", FORMATS)
def test_post_creates_a_request_that_reads_back_with_every_field(
    client: TestClient, session: Session, fmt: str
) -> None:
    key = make_api_key(session)
    created = client.post(f"/open311/v2/requests.{fmt}", data=pothole(session, key))
    assert created.status_code == 200, created.text
    reply = records(created, fmt, "request")[0]
    reference = reply["service_request_id"]
    assert reference.startswith("SR-") and len(reference) == 11 and "service_notice" in reply
    one = client.get(f"/open311/v2/requests/{reference}.{fmt}")
    request = records(one, fmt, "request")[0]
    assert set(request) == REQUEST_FIELDS
    assert request["status"] == "open" and request["service_code"] == "pothole"
    assert request["description"] == "Deep hole by the bus stop"
    requested = datetime.fromisoformat(request["requested_datetime"])
    assert requested.utcoffset() is not None
    assert "@" not in str(request.values())  # contact details are never published


@pytest.mark.parametrize("fmt", FORMATS)
def test_get_requests_filters_by_id_service_status_and_dates(client: TestClient, session: Session, fmt: str) -> None:
    key = make_api_key(session)
    reference = client.post("/open311/v2/requests.json", data=pothole(session, key)).json()[0]["service_request_id"]
    by_id = records(client.get(f"/open311/v2/requests.{fmt}", params={"service_request_id": reference}), fmt, "request")
    assert [r["service_request_id"] for r in by_id] == [reference]
    recent = records(client.get(f"/open311/v2/requests.{fmt}", params={"service_code": "pothole"}), fmt, "request")
    assert reference in {r["service_request_id"] for r in recent} and {r["service_code"] for r in recent} == {"pothole"}
    closed = records(client.get(f"/open311/v2/requests.{fmt}", params={"status": "closed"}), fmt, "request")
    assert reference not in {r["service_request_id"] for r in closed} and all(r["status"] == "closed" for r in closed)
    old = {"start_date": "2024-01-01T00:00:00+00:00", "end_date": "2024-03-31T23:59:59+01:00"}
    window = records(client.get(f"/open311/v2/requests.{fmt}", params=old), fmt, "request")
    assert window and all("2024-0" in r["requested_datetime"] for r in window)
    assert len(records(client.get(f"/open311/v2/requests.{fmt}"), fmt, "request")) <= 1000


@pytest.mark.parametrize("fmt", FORMATS)
def test_token_finds_the_request_it_created(client: TestClient, session: Session, fmt: str) -> None:
    key = make_api_key(session)
    reply = client.post(f"/open311/v2/requests.{fmt}", data=pothole(session, key, token="fms-123"))
    reference = records(reply, fmt, "request")[0]["service_request_id"]
    found = records(client.get(f"/open311/v2/tokens/fms-123.{fmt}"), fmt, "request")
    assert found == [{"service_request_id": reference, "token": "fms-123"}]
    assert client.get(f"/open311/v2/tokens/unknown.{fmt}").status_code == 404


def test_the_same_token_twice_creates_one_request(client: TestClient, session: Session) -> None:
    key = make_api_key(session)
    before = session.scalar(select(func.count()).select_from(ServiceRequest))
    first = client.post("/open311/v2/requests.json", data=pothole(session, key, token="t-1")).json()
    again = client.post("/open311/v2/requests.json", data=pothole(session, key, token="t-1")).json()
    assert first == again
    assert session.scalar(select(func.count()).select_from(ServiceRequest)) == before + 1


@pytest.mark.parametrize("fmt", FORMATS)
def test_service_request_updates_list_public_changes(client: TestClient, session: Session, fmt: str) -> None:
    params = {"start_date": "2026-01-01T00:00:00+00:00", "end_date": "2026-03-01T00:00:00+00:00"}
    response = client.get(f"/open311/v2/servicerequestupdates.{fmt}", params=params)
    assert response.status_code == 200
    updates = records(response, fmt, "request_update")
    assert updates
    for update in updates:
        assert set(update) == {
            "update_id",
            "service_request_id",
            "status",
            "updated_datetime",
            "description",
            "media_url",
        }
        assert update["updated_datetime"].startswith("2026-0")


@pytest.mark.parametrize("fmt", FORMATS)
def test_discovery_describes_the_endpoint(client: TestClient, fmt: str) -> None:
    response = client.get(f"/open311/discovery.{fmt}")
    assert response.status_code == 200
    if fmt == "json":
        endpoint = response.json()["endpoints"][0]
        assert endpoint["url"].endswith("/open311/v2") and "application/json" in endpoint["formats"]
    else:
        root = ElementTree.fromstring(response.content)
        assert root.find("endpoints/endpoint/url").text.endswith("/open311/v2")


BAD_POSTS = [
    ("missing api_key", {"api_key": ""}, 403, "api_key"),
    ("invalid api_key", {"api_key": "th_nonsense"}, 403, "api_key"),
    ("unknown service", {"service_code": "unicorns"}, 400, "service_code"),
    ("missing location", {"lat": "", "long": ""}, 400, "lat"),
    ("outside the area", {"lat": "51.5", "long": "-0.12"}, 400, "lat"),
    ("bad coordinates", {"lat": "north"}, 400, "lat"),
    ("missing required attribute", {"attribute[surface]": ""}, 400, "attribute[surface]"),
    ("value outside the list", {"attribute[surface]": "sky"}, 400, "attribute[surface]"),
    ("description too long", {"description": "x" * 4001}, 400, "description"),
    ("unknown address_id", {"lat": "", "long": "", "address_id": "999"}, 400, "address_id"),
    ("address_id too big for a UPRN", {"lat": "", "long": "", "address_id": str(2**63)}, 400, "address_id"),
    ("address_id in superscript digits", {"lat": "", "long": "", "address_id": "²"}, 400, "address_id"),
]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(("case", "change", "status", "field"), BAD_POSTS, ids=[c[0] for c in BAD_POSTS])
def test_bad_submissions_get_the_spec_error_list(
    client: TestClient, session: Session, fmt: str, case: str, change: dict[str, str], status: int, field: str
) -> None:
    form = pothole(session, make_api_key(session)) | change
    response = client.post(f"/open311/v2/requests.{fmt}", data=form)
    assert response.status_code == status, response.text
    found = errors(response, fmt)
    assert found and all(e["code"] == status for e in found)
    assert any(e["description"].startswith(field) for e in found), found


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_form_that_cannot_be_read_gets_the_spec_error_list(client: TestClient, fmt: str) -> None:
    # a multipart body without its boundary: Starlette's parser answers with an HTML page of its own
    response = client.post(f"/open311/v2/requests.{fmt}", content=b"x", headers={"content-type": "multipart/form-data"})
    assert response.status_code == 400
    assert errors(response, fmt)[0]["description"].startswith("The form could not be read")


def test_a_key_without_the_scope_is_refused(client: TestClient, session: Session) -> None:
    form = pothole(session, make_api_key(session, scope="other:read"))
    assert client.post("/open311/v2/requests.json", data=form).status_code == 403


def test_multivaluelist_answers_are_kept(client: TestClient, session: Session) -> None:
    home = a_property(session)
    form = {"api_key": make_api_key(session), "service_code": "fly_tipping", "lat": str(home.latitude),
            "long": str(home.longitude), "attribute[waste_type][]": ["bags", "tyres"]}  # fmt: skip
    reply = client.post("/open311/v2/requests.json", data=form)
    assert reply.status_code == 200, reply.text
    created = session.scalars(select(ServiceRequest).order_by(ServiceRequest.id.desc()).limit(1)).one()
    assert created.answers == {"waste_type": ["bags", "tyres"]}


def test_html_in_a_description_is_escaped_in_xml(client: TestClient, session: Session) -> None:
    form = pothole(session, make_api_key(session), description="<b>hole</b> & <script>x</script>")
    reference = client.post("/open311/v2/requests.json", data=form).json()[0]["service_request_id"]
    xml = client.get(f"/open311/v2/requests/{reference}.xml")
    assert b"<script>" not in xml.content
    assert ElementTree.fromstring(xml.content).findtext("request/description") == "<b>hole</b> & <script>x</script>"


@pytest.mark.parametrize("fmt", FORMATS)
def test_unknown_request_and_bad_dates(client: TestClient, fmt: str) -> None:
    assert client.get(f"/open311/v2/requests/SR-99999999.{fmt}").status_code == 404
    assert client.get(f"/open311/v2/requests/SR-²²²²²²²².{fmt}").status_code == 404
    bad = client.get(f"/open311/v2/requests.{fmt}", params={"start_date": "last tuesday"})
    assert bad.status_code == 400 and errors(bad, fmt)[0]["description"].startswith("start_date")


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    ("field", "value"),
    [("start_date", "9999-12-31T23:59:59+00:00"), ("start_date", "0001-01-01T00:00:00+14:00"),
     ("end_date", "9999-12-31T23:59:59-12:00"), ("end_date", "0001-01-01T00:00:00")],
)  # fmt: skip
def test_dates_at_the_ends_of_the_calendar_get_the_spec_error_list(
    client: TestClient, fmt: str, field: str, value: str
) -> None:
    # the 90-day window or the conversion to UTC would step outside the years 1 to 9999
    for path in ("requests", "servicerequestupdates"):
        bad = client.get(f"/open311/v2/{path}.{fmt}", params={field: value})
        assert bad.status_code == 400, (path, bad.text[:200])
        assert errors(bad, fmt)[0]["description"] == f"{field}: must be a date from the year 1900 to 2999"


def test_the_same_form_again_is_one_request_within_the_hour_and_a_new_one_after(
    client: TestClient, session: Session
) -> None:
    from datetime import timedelta

    from townhall.platform import clock

    key = make_api_key(session)
    form = pothole(session, key, device_id="phone-1")
    now = clock.now()
    with clock.frozen_at(now):
        first = client.post("/open311/v2/requests.json", data=form).json()
        resent = client.post("/open311/v2/requests.json", data=form).json()  # a retry after a lost answer
    assert first == resent
    with clock.frozen_at(now + timedelta(days=3)):  # the same pothole back, reported in the same words
        back = client.post("/open311/v2/requests.json", data=form).json()
    assert back[0]["service_request_id"] != first[0]["service_request_id"]


def test_a_token_two_clients_used_finds_both_requests_not_one_of_them(client: TestClient, session: Session) -> None:
    first = client.post("/open311/v2/requests.json", data=pothole(session, make_api_key(session), token="123"))
    second = client.post("/open311/v2/requests.json", data=pothole(session, make_api_key(session), token="123"))
    found = client.get("/open311/v2/tokens/123.json").json()
    assert [row["service_request_id"] for row in found] == [
        first.json()[0]["service_request_id"],
        second.json()[0]["service_request_id"],
    ]
