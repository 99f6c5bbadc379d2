"""Open311 GeoReport v2 documents in XML and JSON, built from the same plain dictionaries.

XML is built with xml.etree (never by pasting strings), so every value is escaped. Lists nest by a fixed name:
a list under `attributes` holds `attribute` elements, under `values` `value` elements, and so on.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from pydantic_core import to_json
from starlette.responses import Response

from townhall.platform.clock import LONDON
from townhall.service_requests.models import Service, reference_for
from townhall.service_requests.public_location import public_location
from townhall.service_requests.statuses import open311_status

FORMATS = {"xml": "text/xml; charset=utf-8", "json": "application/json"}
CHILD_NAMES = {"attributes": "attribute", "values": "value", "endpoints": "endpoint", "formats": "format"}
Document = Mapping[str, Any] | Sequence[Mapping[str, Any]]


def w3c(moment: datetime | None) -> str | None:
    """A W3C datetime with the UK offset, e.g. 2026-07-01T09:30:00+01:00."""
    return moment.astimezone(LONDON).isoformat(timespec="seconds") if moment else None


# Characters XML 1.0 cannot hold. Input refuses control characters (web/control_characters.py); this keeps any stored
# before that, or from another way in, from making the whole answer unreadable to every client
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else _NOT_XML.sub("", str(value))


def _append(parent: ET.Element, name: str, value: Any) -> None:
    element = ET.SubElement(parent, name)
    if isinstance(value, Mapping):
        for key, inner in value.items():
            _append(element, key, inner)
    elif isinstance(value, list):
        child = CHILD_NAMES.get(name, "item")
        for item in value:
            _append(element, child, item)
    else:
        element.text = _xml_value(value)


def to_xml(document: Document, *, root: str, item: str | None = None) -> bytes:
    """`<root><item>...</item>...</root>` for a list, `<root>...</root>` for a single mapping."""
    top = ET.Element(root)
    if isinstance(document, Mapping):
        for key, value in document.items():
            _append(top, key, value)
    else:
        for entry in document:
            _append(top, item or "item", entry)
    return b'<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(top, encoding="unicode").encode()


def document_bytes(fmt: str, document: Document, *, root: str, item: str | None = None) -> bytes:
    return to_json(document) if fmt == "json" else to_xml(document, root=root, item=item)


def respond(fmt: str, document: Document, *, root: str, item: str | None = None, status: int = 200) -> Response:
    body = document_bytes(fmt, document, root=root, item=item)
    return Response(body, status_code=status, media_type=FORMATS.get(fmt, FORMATS["xml"]))


def error_response(fmt: str, status: int, descriptions: Sequence[str]) -> Response:
    """The specification's error list: one entry per problem, each with the HTTP status as its code."""
    errors = [{"code": status, "description": text} for text in descriptions]
    return respond(fmt if fmt in FORMATS else "xml", errors, root="errors", item="error", status=status)


def service_summary(service: Service) -> dict[str, Any]:
    return {
        "service_code": service.code,
        "service_name": service.name,
        "description": service.description,
        "metadata": bool(service.attributes),
        "type": "realtime",
        "keywords": service.keywords,
        "group": service.group,
    }


def service_definition(service: Service) -> dict[str, Any]:
    attributes = [
        {
            "variable": attribute.variable,
            "code": attribute.code,
            "datatype": attribute.datatype,
            "required": attribute.required,
            "datatype_description": attribute.datatype_description or None,
            "order": attribute.order,
            "description": attribute.description,
            **({"values": list(attribute.allowed_values)} if attribute.allowed_values else {}),
        }
        for attribute in service.attributes
    ]
    return {"service_code": service.code, "attributes": attributes}


def request_document(row: Any) -> dict[str, Any]:
    """One request as Open311 publishes it, from a row of `open311_queries.find_requests` (see `public_location`).

    A report made at someone's home (`location_is_private`) is published without its description and photo: the
    reporter's own words about a neighbour would tell anyone who complained about whom, as the address would.
    """
    private = bool(row.location_is_private)
    where = public_location(
        private=private, address=row.address, uprn=row.uprn, latitude=row.latitude,
        longitude=row.longitude, street_name=row.street_name, town=row.town,
    )  # fmt: skip
    return {
        "service_request_id": reference_for(row.id),
        "status": open311_status(row.status),
        "status_notes": row.status_notes,
        "service_name": row.service_name,
        "service_code": row.service_code,
        "description": None if private else row.description,
        "agency_responsible": row.team,
        "service_notice": None,
        "requested_datetime": w3c(row.requested_at),
        "updated_datetime": w3c(row.updated_at),
        "expected_datetime": w3c(row.expected_at),
        "address": where.address,
        "address_id": where.address_id,
        "zipcode": None,
        "lat": where.latitude,
        "long": where.longitude,
        "media_url": None if private else row.media_url,
    }


def discovery_document(base_url: str, *, council: str, email: str) -> dict[str, Any]:
    return {
        "changeset": "2026-11-29T00:00:00+00:00",
        "contact": f"{council}: {email}",
        "key_service": f"Ask {email} for an API key (scope open311:write) to submit requests.",
        "endpoints": [
            {
                "specification": "http://wiki.open311.org/GeoReport_v2",
                "url": f"{base_url}/open311/v2",
                "changeset": "2026-11-29T00:00:00+00:00",
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
