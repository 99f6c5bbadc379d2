"""The bins API, iCal feed and pages, in process."""

from __future__ import annotations

from datetime import UTC, date, datetime

import icalendar
import ics
import pytest
from fastapi.testclient import TestClient

from tests.conftest import form_token
from townhall.platform import clock

NOW = datetime(2026, 11, 28, 9, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen_clock() -> object:
    with clock.frozen_at(NOW):
        yield


def uprn_of(sample_property: dict[str, object]) -> int:
    return int(str(sample_property["uprn"]))


def test_collections_are_ordered_by_date_with_their_parts(client: TestClient, sample_property: dict) -> None:
    uprn = uprn_of(sample_property)
    response = client.get(f"/api/v1/properties/{uprn}/collections", params={"from": "2026-12-14", "days": 35})
    assert response.status_code == 200
    body = response.json()
    assert body["uprn"] == uprn and body["address"] == sample_property["address"]
    collections = body["collections"]
    assert {"stream", "colour", "date", "original_date", "reason"} == set(collections[0])
    dates = [c["date"] or c["original_date"] for c in collections]
    assert dates == sorted(dates)
    assert not {"2026-12-25", "2026-12-28", "2027-01-01"} & {c["date"] for c in collections}
    moved = [c for c in collections if c["date"] != c["original_date"]]
    assert moved and all(c["reason"] for c in moved)


def test_default_range_is_28_days_from_today(client: TestClient, sample_property: dict) -> None:
    collections = client.get(f"/api/v1/properties/{uprn_of(sample_property)}/collections").json()["collections"]
    days = [date.fromisoformat(c["date"] or c["original_date"]) for c in collections]
    assert min(days) >= date(2026, 11, 28) and max(days) <= date(2026, 12, 25)


@pytest.mark.parametrize(
    ("params", "detail"),
    [
        ({"from": "2026-13-01"}, "from: '2026-13-01' is not a date in the form YYYY-MM-DD"),
        ({"from": "yesterday"}, "from: 'yesterday' is not a date"),
        ({"days": 367}, "days: ask for between 1 and 366 days, not 367"),
        ({"days": 0}, "days: ask for between 1 and 366 days"),
        ({"days": "many"}, "days: must be a whole number"),
        ({"days": "²"}, "days: must be a whole number"),
        ({"from": "9999-12-31"}, "from: ask for a day from 2000-01-01 to 2099-12-31"),  # past the calendar's end
        (
            {"from": "0001-01-01", "days": 1},
            "from: ask for a day from 2000-01-01 to 2099-12-31",
        ),  # a digit to str.isdigit(), not to int()
        ({"days": "9" * 5000}, "days: must be a whole number"),
    ],
)
def test_bad_ranges_get_422_with_a_readable_detail(
    client: TestClient, sample_property: dict, params: dict, detail: str
) -> None:
    response = client.get(f"/api/v1/properties/{uprn_of(sample_property)}/collections", params=params)
    assert response.status_code == 422
    assert response.json()["detail"].startswith(detail)


def test_unknown_uprn_gets_404(client: TestClient) -> None:
    response = client.get("/api/v1/properties/123/collections")
    assert response.status_code == 404
    assert "no property with UPRN 123" in response.json()["detail"]
    assert client.get("/bins/123.ics").status_code == 404
    assert client.get("/bin-day/123").status_code == 404


def test_ical_feed_reads_in_two_parsers_and_covers_the_coming_year(client: TestClient, sample_property: dict) -> None:
    response = client.get(f"/bins/{uprn_of(sample_property)}.ics")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    assert response.headers["etag"] and response.headers["last-modified"]
    calendar = icalendar.Calendar.from_ical(response.content)
    events = list(calendar.walk("VEVENT"))
    starts = [e.decoded("DTSTART") for e in events]
    assert min(starts) >= date(2026, 11, 28) and max(starts) > date(2027, 10, 1)
    uids = [str(e["UID"]) for e in events]
    assert len(set(uids)) == len(uids)
    parsed = ics.Calendar(response.text)
    assert {e.uid for e in parsed.events} == set(uids)
    christmas = [e for e in events if e.get("STATUS") == "CANCELLED" or "Moved from" in str(e["DESCRIPTION"])]
    assert christmas  # the Christmas and New Year arrangements are in the feed


def test_ical_refresh_with_the_etag_is_304_and_unchanged_feeds_keep_their_etag(
    client: TestClient, sample_property: dict
) -> None:
    path = f"/bins/{uprn_of(sample_property)}.ics"
    first = client.get(path)
    again = client.get(path)
    assert first.headers["etag"] == again.headers["etag"] and first.content == again.content
    cached = client.get(path, headers={"If-None-Match": first.headers["etag"]})
    assert cached.status_code == 304 and cached.content == b""
    stale = client.get(path, headers={"If-None-Match": '"something-else"'})
    assert stale.status_code == 200
    etag = first.headers["etag"]
    for header in (f'"something-else", {etag}', f"W/{etag}", "*"):  # a list, a weak tag, any tag (RFC 9110)
        assert client.get(path, headers={"If-None-Match": header}).status_code == 304, header
    head = client.head(path)
    assert head.status_code == 200 and head.headers["etag"] == etag and head.content == b""


def test_bin_day_page_postcode_by_post_then_address(client: TestClient, sample_property: dict) -> None:
    form = client.get("/bin-day")
    assert form.status_code == 200 and 'method="post"' in form.text
    found = client.post(
        "/bin-day",
        data={"postcode": str(sample_property["postcode"]).lower(), "csrf_token": form_token(client, "/bin-day")},
    )
    assert found.status_code == 200
    assert f'href="/bin-day/{sample_property["uprn"]}"' in found.text
    page = client.get(f"/bin-day/{sample_property['uprn']}")
    assert page.status_code == 200
    for words in ("Rubbish", "Recycling", "Food waste", "Garden waste", "Changes coming up", ".ics"):
        assert words in page.text
    assert "Christmas and New Year arrangements" in page.text  # within ten weeks of 28 November


def test_bin_day_bad_postcode_is_422_on_the_page(client: TestClient) -> None:
    response = client.post("/bin-day", data={"postcode": "banana", "csrf_token": form_token(client, "/bin-day")})
    assert response.status_code == 422
    assert "not in the format of a UK postcode" in response.text


def test_home_page_links_to_bins_and_council_tax(client: TestClient) -> None:
    home = client.get("/").text
    assert 'href="/bin-day"' in home and 'href="/council-tax/band"' in home
