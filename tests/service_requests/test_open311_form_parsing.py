"""The hot POST route parses urlencoded forms itself: it must read every body exactly as Starlette's parser does."""

from __future__ import annotations

import pytest
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.types import Message

from tests.async_support import run_in_own_loop
from townhall.service_requests.open311 import MAX_FORM_FIELDS, FormProblem, _urlencoded_form

BODIES = [
    b"a=1&b=two+words&c=%C3%A9t%C3%A9&d=&e",
    b"attribute%5Boffensive%5D=no&x=a%2Bb&&y=1=2",
    "description=caf\u00e9 raw".encode(),  # unescaped UTF-8: latin-1 characters, as Starlette gives them
    b"",
    b"a=1;b=2",
    b"=v&k=&k=again",
]


def _starlette_form(body: bytes) -> FormData:
    async def receive() -> Message:
        return {"type": "http.request", "body": body, "more_body": False}

    async def parse() -> FormData:
        headers = [(b"content-type", b"application/x-www-form-urlencoded")]
        return await Request({"type": "http", "method": "POST", "headers": headers}, receive).form()

    return run_in_own_loop(parse())


@pytest.mark.parametrize("body", BODIES)
def test_urlencoded_forms_read_as_starlette_reads_them(body: bytes) -> None:
    assert list(_urlencoded_form(body).multi_items()) == list(_starlette_form(body).multi_items())


def test_a_form_with_too_many_fields_is_refused() -> None:
    with pytest.raises(FormProblem, match="more than"):
        _urlencoded_form(b"&".join(b"f=1" for _ in range(MAX_FORM_FIELDS + 1)))
