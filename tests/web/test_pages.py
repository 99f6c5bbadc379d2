from fastapi.testclient import TestClient


def test_home_lists_the_council_services(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert "Wexmoor Borough Council" in response.text
    assert 'href="/find-address"' in response.text
    assert 'href="/accessibility"' in response.text and 'href="/privacy"' in response.text
    assert 'lang="en-GB"' in response.text and "Skip to main content" in response.text


def test_every_response_carries_security_headers(client: TestClient) -> None:
    for path in ("/", "/api/v1/addresses?postcode=ZX1+0AA", "/healthz", "/missing"):
        headers = client.get(path).headers
        assert "frame-ancestors 'none'" in headers["content-security-policy"], path
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "strict-origin-when-cross-origin"


def test_health_check(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok", "database": "ok"}


def test_find_an_address_by_postcode(client: TestClient, sample_property: dict) -> None:
    response = client.post("/find-address", data={"postcode": str(sample_property["postcode"]).lower()})
    assert response.status_code == 200
    assert f'href="/properties/{sample_property["uprn"]}"' in response.text
    assert str(sample_property["address"]) in response.text


def test_an_invalid_postcode_shows_an_error_summary(client: TestClient) -> None:
    response = client.post("/find-address", data={"postcode": "<b>nonsense</b>"})
    assert response.status_code == 422
    assert "There is a problem" in response.text
    assert "<title>Error: " in response.text
    assert "&lt;b&gt;nonsense&lt;/b&gt;" in response.text and "<b>nonsense</b>" not in response.text


def test_an_unknown_postcode_says_no_addresses_were_found(client: TestClient) -> None:
    response = client.post("/find-address", data={"postcode": "SW1A 1AA"})
    assert response.status_code == 200
    assert "No addresses found" in response.text


def test_property_page(client: TestClient, sample_property: dict) -> None:
    response = client.get(f"/properties/{sample_property['uprn']}")
    assert response.status_code == 200
    assert "Council Tax band" in response.text


def test_unknown_pages_get_a_page_not_found_page(client: TestClient) -> None:
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "Page not found" in response.text
    assert client.get("/properties/5").status_code == 404
