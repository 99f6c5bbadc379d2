"""A null character (U+0000) anywhere in a request is refused with a message: PostgreSQL cannot store one."""

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
