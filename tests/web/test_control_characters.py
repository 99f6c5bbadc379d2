"""A control character (U+0000 and the other C0 controls but tab and line breaks) anywhere in a request is refused
with a message: PostgreSQL cannot store a null character, and XML cannot carry the others."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.conftest import form_token
from tests.service_requests.factories import a_property, make_api_key

REFUSED = "contains a null character"


def test_a_form_field_with_a_null_character_is_refused_on_the_page(client: TestClient) -> None:
    token = form_token(client, "/sign-in")
    for path, field in (("/sign-in", "email"), ("/register", "email"), ("/report-a-problem-track", "reference")):
        response = client.post(path, data={field: "a\x00@example.test", "password": "x", "csrf_token": token})
        assert response.status_code == 422 and f"{field}: {REFUSED}" in response.text, path


def test_a_multipart_report_with_a_null_character_is_refused(client: TestClient, session: Session) -> None:
    home = a_property(session)
    form = {"csrf_token": form_token(client, "/report-a-problem/graffiti"), "lat": str(home.latitude),
            "long": str(home.longitude), "attribute[offensive]": "no", "description": "Tags\x00",
            "action": "check"}  # fmt: skip
    response = client.post("/report-a-problem/graffiti", data=form, files={"photo": ("", b"", "image/png")})
    assert response.status_code == 422 and f"description: {REFUSED}" in response.text


def test_the_json_api_refuses_a_null_character_in_the_query_path_or_body(client: TestClient) -> None:
    query = client.get("/api/v1/addresses", params={"q": "high\x00"})
    assert (
        query.status_code == 422
        and query.json()["detail"] == f"q: {REFUSED}, which cannot be accepted: remove it and try again"
    )
    conversation = client.post("/api/v1/assistant/conversations", json={}).json()["conversation_id"]
    body = client.post(f"/api/v1/assistant/conversations/{conversation}/messages", json={"text": "bins\x00"})
    assert body.status_code == 422 and REFUSED in body.json()["detail"]
    escaped = client.post(f"/api/v1/assistant/conversations/{conversation}/messages", json={"text": "a \\u0000 b"})
    assert escaped.status_code == 200  # a backslash then "u0000" is text, not a null character
    path = client.get("/counciltax/accounts/WX%00")
    assert path.status_code in (401, 404, 422) and path.status_code != 500


def test_open311_answers_a_null_character_with_the_spec_error_list(client: TestClient, session: Session) -> None:
    home = a_property(session)
    form = {"api_key": make_api_key(session), "service_code": "graffiti", "lat": str(home.latitude),
            "long": str(home.longitude), "attribute[offensive]": "no", "description": "Tags\x00"}  # fmt: skip
    created = client.post("/open311/v2/requests.json", data=form)
    assert created.status_code == 400 and created.json()[0]["description"].startswith(f"description: {REFUSED}")
    listed = client.get("/open311/v2/requests.json", params={"service_code": "graffiti\x00"})
    assert listed.status_code == 400 and listed.json()[0]["description"].startswith(f"service_code: {REFUSED}")


def test_other_control_characters_are_refused_too_but_tabs_and_line_breaks_are_text(
    client: TestClient, session: Session
) -> None:
    home = a_property(session)
    key = make_api_key(session)
    form = {"api_key": key, "service_code": "graffiti", "lat": str(home.latitude), "long": str(home.longitude),
            "attribute[offensive]": "no"}  # fmt: skip
    pasted = client.post("/open311/v2/requests.json", data={**form, "description": "Tags on the\x0bwall"})
    assert pasted.status_code == 400
    assert pasted.json()[0]["description"].startswith("description: contains an invisible control character (U+000B)")
    typed = client.post("/open311/v2/requests.json", data={**form, "description": "Tags\ton the\r\nwall"})
    assert typed.status_code == 200
    listed = client.get("/open311/v2/requests.xml", params={"service_code": "graffiti"})
    assert listed.status_code == 200 and b"<service_requests>" in listed.content
    query = client.get("/api/v1/addresses", params={"q": "high\x1b[31m"})
    assert query.status_code == 422 and "U+001B" in query.json()["detail"]
    conversation = client.post("/api/v1/assistant/conversations", json={}).json()["conversation_id"]
    body = client.post(f"/api/v1/assistant/conversations/{conversation}/messages", json={"text": "bins\u0007"})
    assert body.status_code == 422 and "U+0007" in body.json()["detail"]


def test_open311_xml_leaves_out_characters_xml_cannot_hold_whatever_was_stored() -> None:
    from xml.dom.minidom import parseString

    from townhall.service_requests.open311_format import to_xml

    document = [{"description": "stored before the check\x01\x0b\ufffe, kept: tab\tand é"}]
    parsed = parseString(to_xml(document, root="service_requests", item="request"))
    text = parsed.getElementsByTagName("description")[0].firstChild.data  # type: ignore[union-attr]
    assert text == "stored before the check, kept: tab\tand é"
