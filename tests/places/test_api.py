from fastapi.testclient import TestClient


def test_addresses_by_postcode(client: TestClient, sample_property: dict) -> None:
    response = client.get("/api/v1/addresses", params={"postcode": str(sample_property["postcode"]).lower()})
    assert response.status_code == 200
    body = response.json()
    assert {"uprn", "address", "postcode", "ward"} == set(body[0])
    assert sample_property["uprn"] in [a["uprn"] for a in body]


def test_invalid_postcode_gets_422_with_a_readable_detail(client: TestClient) -> None:
    response = client.get("/api/v1/addresses", params={"postcode": "12345"})
    assert response.status_code == 422
    assert response.json() == {"detail": "'12345' is not in the format of a UK postcode, like AB1 2CD"}


def test_overlong_postcode_gets_422(client: TestClient) -> None:
    response = client.get("/api/v1/addresses", params={"postcode": "x" * 200})
    assert response.status_code == 422
    assert response.json()["detail"].startswith("postcode:")


def test_address_search(client: TestClient, sample_property: dict) -> None:
    query = f"{sample_property['building_number']} {sample_property['street_name']}"
    response = client.get("/api/v1/addresses", params={"q": query})
    assert response.status_code == 200
    assert sample_property["uprn"] in [a["uprn"] for a in response.json()]


def test_neither_postcode_nor_query_is_422(client: TestClient) -> None:
    response = client.get("/api/v1/addresses")
    assert response.status_code == 422
    assert "postcode" in response.json()["detail"]


def test_property_by_uprn(client: TestClient, sample_property: dict) -> None:
    response = client.get(f"/api/v1/properties/{sample_property['uprn']}")
    assert response.status_code == 200
    assert response.json()["address"] == sample_property["address"]


def test_unknown_uprn_is_404(client: TestClient) -> None:
    response = client.get("/api/v1/properties/123")
    assert response.status_code == 404
    assert "no property with UPRN 123" in response.json()["detail"]


def test_malformed_uprns_are_422_not_500(client: TestClient) -> None:
    for bad in ("abc", "-5", "99999999999999999999999"):
        response = client.get(f"/api/v1/properties/{bad}")
        assert response.status_code == 422, bad
        assert response.json()["detail"].startswith("uprn:")


def test_a_limit_that_is_not_a_plain_whole_number_is_422_not_500(client: TestClient) -> None:
    for bad in ("²", "9" * 5000, "0", "-1"):
        response = client.get("/api/v1/addresses", params={"q": "high", "limit": bad})
        assert response.status_code == 422, bad
        assert response.json()["detail"].startswith("limit: must be a whole number")


def test_openapi_document_describes_the_api(client: TestClient) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/addresses" in paths and "/api/v1/properties/{uprn}" in paths
