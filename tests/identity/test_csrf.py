from fastapi.testclient import TestClient

from tests.conftest import form_token


def test_a_form_without_a_token_is_refused(client: TestClient) -> None:
    client.get("/find-address")
    response = client.post("/find-address", data={"postcode": "ZX1 0AA"})
    assert response.status_code == 403
    assert "did not come from this site" in response.text


def test_a_forged_token_is_refused(client: TestClient) -> None:
    client.get("/find-address")
    response = client.post("/find-address", data={"postcode": "ZX1 0AA", "csrf_token": "0" * 64})
    assert response.status_code == 403


def test_a_token_from_another_browser_is_refused(client: TestClient, council_database) -> None:
    stolen = form_token(client)
    client.cookies.clear()
    client.get("/find-address")  # a new browser: a new cookie
    assert client.post("/find-address", data={"postcode": "ZX1 0AA", "csrf_token": stolen}).status_code == 403


def test_the_matching_token_is_accepted(client: TestClient) -> None:
    response = client.post("/find-address", data={"postcode": "ZX1 0AA", "csrf_token": form_token(client)})
    assert response.status_code == 200


def test_every_form_on_every_page_carries_a_token(client: TestClient) -> None:
    for path in ("/find-address", "/sign-in", "/register"):
        page = client.get(path).text
        assert page.count('method="post"') == page.count('name="csrf_token"'), path
