"""Open311 GeoReport v2 documents in XML and JSON, built from the same plain dictionaries.

XML is built with xml.etree (never by pasting strings), so every value is escaped. Lists nest by a fixed name:
a list under `attributes` holds `attribute` elements, under `values` `value` elements, and so on.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from starlette.responses import Response

from townhall.platform.clock import LONDON
from townhall.service_requests.models import Service, ServiceRequest
from townhall.service_requests.statuses import open311_status

FORMATS = {"xml": "text/xml; charset=utf-8", "json": "application/json"}
CHILD_NAMES = {"attributes": "attribute", "values": "value", "endpoints": "endpoint", "formats": "format"}
Document = Mapping[str, Any] | Sequence[Mapping[str, Any]]


def w3c(moment: datetime | None) -> str | None:
    """A W3C datetime with the UK offset, e.g. 2026-07-01T09:30:00+01:00."""
    return moment.astimezone(LONDON).isoformat(timespec="seconds") if moment else None


def _xml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


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


def respond(fmt: str, document: Document, *, root: str, item: str | None = None, status: int = 200) -> Response:
    if fmt == "json":
        body = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
    else:
        body = to_xml(document, root=root, item=item)
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


def request_document(request: ServiceRequest, *, status_notes: str | None) -> dict[str, Any]:
    return {
        "service_request_id": request.reference,
        "status": open311_status(request.status),
        "status_notes": status_notes,
        "service_name": request.service.name,
        "service_code": request.service.code,
        "description": request.description,
        "agency_responsible": request.team,
        "service_notice": None,
        "requested_datetime": w3c(request.requested_at),
        "updated_datetime": w3c(request.updated_at),
        "expected_datetime": w3c(request.expected_at),
        "address": request.address,
        "address_id": str(request.uprn) if request.uprn else None,
        "zipcode": None,
        "lat": request.latitude,
        "long": request.longitude,
        "media_url": request.media_url,
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
