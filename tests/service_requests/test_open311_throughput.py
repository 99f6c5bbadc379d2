"""Open311's fast paths: group commit of creates and the per-process cache of GET requests answers."""

from __future__ import annotations

import asyncio
from typing import TypeVar
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from tests.async_support import run_in_own_loop
from tests.identity.factories import make_user
from tests.service_requests.factories import a_property, make_api_key, make_request
from townhall.platform.audit import AuditEntry, verify_chain
from townhall.platform.errors import TownhallError
from townhall.service_requests import catalogue, changes
from townhall.service_requests.catalogue import active_catalogue
from townhall.service_requests.models import Service, ServiceRequest
from townhall.service_requests.open311_create import GroupCommit, Submission, create_batch
from townhall.service_requests.service import RequestProblems
from townhall.service_requests.workflow import change_status

T = TypeVar("T")


def graffiti_form(session: Session, key: str, offset: int = 300, **extra: str) -> FormData:
    home = a_property(session, offset)
    fields = {"api_key": key, "service_code": "graffiti", "lat": str(home.latitude), "long": str(home.longitude),
              "attribute[offensive]": "no", "description": "Tags on the wall"} | extra  # fmt: skip
    return FormData(list(fields.items()))


def open311_rows(session: Session) -> int:
    return int(session.scalar(select(func.count()).where(ServiceRequest.source == "open311")) or 0)


def test_a_batch_gives_each_submission_its_own_request_and_audits_each(session: Session) -> None:
    key = make_api_key(session)
    before_rows, before_audit = open311_rows(session), session.scalar(select(func.count(AuditEntry.id))) or 0
    submissions = [Submission(graffiti_form(session, key, 300 + n, token=f"t{n}"), "10.0.0.1") for n in range(12)]
    answers = create_batch(session, submissions)
    session.flush()
    references = [answer[0]["service_request_id"] for answer in answers if isinstance(answer, list)]
    assert len(references) == 12 and len(set(references)) == 12
    assert [answer[0]["token"] for answer in answers if isinstance(answer, list)] == [f"t{n}" for n in range(12)]
    assert open311_rows(session) == before_rows + 12
    assert (session.scalar(select(func.count(AuditEntry.id))) or 0) == before_audit + 12
    assert verify_chain(session.connection()).intact


def test_a_repeated_token_gets_the_first_request_in_the_same_batch_and_later(session: Session) -> None:
    key = make_api_key(session)
    before = open311_rows(session)
    first, repeat = create_batch(session, [Submission(graffiti_form(session, key, token="same"), "c")] * 2)
    (later,) = create_batch(session, [Submission(graffiti_form(session, key, token="same"), "c")])
    assert isinstance(first, list) and isinstance(repeat, list) and isinstance(later, list)
    assert first[0]["service_request_id"] == repeat[0]["service_request_id"] == later[0]["service_request_id"]
    assert open311_rows(session) == before + 1


def test_a_repeat_that_would_now_fail_its_checks_still_gets_the_first_request(session: Session) -> None:
    key = make_api_key(session)
    (first,) = create_batch(session, [Submission(graffiti_form(session, key, token="kept"), "c")])
    graffiti = session.scalars(select(Service).where(Service.code == "graffiti")).one()
    graffiti.active = False  # withdrawn after the first submission: a new one would be refused
    session.flush()
    repeat, new = create_batch(
        session,
        [Submission(graffiti_form(session, key, token="kept"), "c"), Submission(graffiti_form(session, key), "c")],
    )
    assert isinstance(first, list) and isinstance(repeat, list)
    assert repeat[0]["service_request_id"] == first[0]["service_request_id"]
    assert isinstance(new, RequestProblems) and new.problems[0][0] == "service_code"


def test_batches_share_the_catalogue_until_it_changes_here_or_its_time_is_up(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = active_catalogue(session)
    assert active_catalogue(session) is first and "graffiti" in first
    # A change made through SQL alone (as another worker process's would be, unseen by this one's ORM events)
    # reaches this worker's creates when the snapshot's time is up.
    session.execute(update(Service).where(Service.code == "graffiti").values(active=False))
    assert "graffiti" in active_catalogue(session)
    monkeypatch.setattr(catalogue, "CATALOGUE_CACHE_SECONDS", 0.0)
    assert "graffiti" not in active_catalogue(session)
    monkeypatch.undo()
    # A change through the ORM in this process is seen at once, by this session before it commits too.
    noise = session.scalars(select(Service).where(Service.code == "noise")).one()
    noise.team = "Environmental protection (nights)"
    session.flush()
    assert active_catalogue(session)["noise"].team == "Environmental protection (nights)"


def test_a_bad_submission_gets_its_own_error_and_the_others_are_created(session: Session) -> None:
    key = make_api_key(session)
    wrong_scope = make_api_key(session, scope="open311:read")
    before = open311_rows(session)
    answers = create_batch(
        session,
        [
            Submission(graffiti_form(session, key, token="good-1"), "c"),
            Submission(graffiti_form(session, key, token="x", service_code="no_such_service"), "c"),
            Submission(graffiti_form(session, key, token="y", lat="10.0", long="10.0"), "c"),
            Submission(graffiti_form(session, "th_notakey", token="z"), "c"),
            Submission(graffiti_form(session, wrong_scope, token="w"), "c"),
            Submission(graffiti_form(session, key, token="good-2"), "c"),
        ],
    )
    good_1, unknown, outside, bad_key, no_scope, good_2 = answers
    assert isinstance(good_1, list) and isinstance(good_2, list)
    assert isinstance(unknown, RequestProblems) and unknown.problems[0][0] == "service_code"
    assert isinstance(outside, RequestProblems) and outside.problems[0][0] == "lat"
    assert isinstance(bad_key, TownhallError) and isinstance(no_scope, TownhallError)
    assert open311_rows(session) == before + 2


def test_group_commit_gathers_concurrent_items_and_answers_each_its_own() -> None:
    batches: list[list[int]] = []

    async def write(items: list[int]) -> list[int | Exception]:
        batches.append(items)
        await asyncio.sleep(0.01)  # while one batch is written, the others queue for the next
        return [ValueError(f"bad {n}") if n == 13 else n * 10 for n in items]

    async def run() -> list[int | BaseException]:
        committer: GroupCommit[int, int] = GroupCommit(write, max_batch=8)
        return await asyncio.gather(*(committer.submit(n) for n in range(30)), return_exceptions=True)

    results = run_in_own_loop(run())
    assert [r for n, r in enumerate(results) if n != 13] == [n * 10 for n in range(30) if n != 13]
    assert isinstance(results[13], ValueError)
    assert sorted(n for batch in batches for n in batch) == list(range(30))
    assert len(batches) < 30 and max(len(batch) for batch in batches) <= 8


def test_group_commit_with_two_writers_overlaps_batches_and_strands_nothing() -> None:
    in_flight, most_in_flight, batches = 0, 0, []

    async def write(items: list[int]) -> list[int | Exception]:
        nonlocal in_flight, most_in_flight
        in_flight += 1
        most_in_flight = max(most_in_flight, in_flight)
        batches.append(items)
        await asyncio.sleep(0.01)
        in_flight -= 1
        return [n * 10 for n in items]

    async def run() -> list[int]:
        committer: GroupCommit[int, int] = GroupCommit(write, max_batch=8, writers=2)
        first = await asyncio.gather(*(committer.submit(n) for n in range(40)))
        # Both writers have finished: a lone create afterwards still gets a writer of its own.
        return [*first, await committer.submit(40)]

    assert run_in_own_loop(run()) == [n * 10 for n in range(41)]
    assert most_in_flight == 2
    assert sorted(n for batch in batches for n in batch) == list(range(41))


def test_group_commit_still_writes_an_item_whose_caller_stopped_waiting() -> None:
    written: list[int] = []

    async def write(items: list[int]) -> list[int | Exception]:
        await asyncio.sleep(0.02)
        written.extend(items)
        return items

    async def run() -> None:
        committer: GroupCommit[int, int] = GroupCommit(write, max_batch=8)
        impatient = asyncio.create_task(committer.submit(1))
        await asyncio.sleep(0.005)
        impatient.cancel()
        assert await committer.submit(2) == 2

    run_in_own_loop(run())
    assert written == [1, 2]


def test_every_concurrent_create_over_http_is_stored_once(client: TestClient, session: Session) -> None:
    key = make_api_key(session)
    before = open311_rows(session)
    ids = set()
    for n in range(5):
        body = urlencode(dict(graffiti_form(session, key, 300 + n, token=f"http-{n}").items()))
        response = client.post(
            "/open311/v2/requests.json", content=body, headers={"content-type": "application/x-www-form-urlencoded"}
        )
        assert response.status_code == 200, response.text
        ids.add(response.json()[0]["service_request_id"])
    assert len(ids) == 5 and open311_rows(session) == before + 5


def test_a_cached_list_is_dropped_when_a_status_changes(client: TestClient, session: Session) -> None:
    request = make_request(session, service_code="graffiti")
    session.commit()
    path = f"/open311/v2/requests.json?service_code=graffiti&start_date={request.requested_at.date()}T00:00:00Z"
    first = client.get(path)
    assert first.status_code == 200
    mine = next(r for r in first.json() if r["service_request_id"] == request.reference)
    assert mine["status"] == "open"
    assert client.get(path).headers["etag"] == first.headers["etag"]  # served again from the cache
    officer = make_user(session, role="officer")
    change_status(session, officer=officer, request_id=request.id, status="fixed", public_note="Painted over")
    session.commit()
    after = client.get(path)
    mine = next(r for r in after.json() if r["service_request_id"] == request.reference)
    assert mine["status"] == "closed" and mine["status_notes"] == "Painted over"
    assert after.headers["etag"] != first.headers["etag"]


def test_a_new_request_is_in_the_next_list_and_readable_by_id_at_once(client: TestClient, session: Session) -> None:
    key = make_api_key(session)
    listed = client.get("/open311/v2/requests.json?service_code=graffiti")
    assert listed.status_code == 200
    body = urlencode(dict(graffiti_form(session, key, token="fresh").items()))
    made = client.post(
        "/open311/v2/requests.json", content=body, headers={"content-type": "application/x-www-form-urlencoded"}
    )
    reference = made.json()[0]["service_request_id"]
    assert client.get(f"/open311/v2/requests/{reference}.json").json()[0]["service_request_id"] == reference
    relisted = client.get("/open311/v2/requests.json?service_code=graffiti").json()
    assert reference in {r["service_request_id"] for r in relisted}


def test_if_none_match_gets_304_and_the_etag_follows_changes(client: TestClient) -> None:
    first = client.get("/open311/v2/requests.xml?service_code=pothole")
    etag = first.headers["etag"]
    again = client.get("/open311/v2/requests.xml?service_code=pothole", headers={"if-none-match": etag})
    assert again.status_code == 304 and again.content == b""
    changes.note_change()
    assert client.get("/open311/v2/requests.xml?service_code=pothole").headers["etag"] == etag  # same content


@pytest.mark.parametrize(
    "query", ["start_date=yesterday", "start_date=2026-02-01T00:00:00Z&end_date=2026-01-01T00:00:00Z"]
)
def test_bad_filters_are_still_400_error_lists(client: TestClient, query: str) -> None:
    for _ in range(2):  # the error is never cached as an answer
        response = client.get(f"/open311/v2/requests.json?{query}")
        assert response.status_code == 400
        assert response.json()[0]["code"] == 400


def test_queries_that_mean_the_same_share_an_answer_and_others_do_not(client: TestClient) -> None:
    everything = client.get("/open311/v2/requests.json?service_code=pothole").json()
    assert everything
    assert client.get("/open311/v2/requests.json?service_code=pothole&status=nonsense").json() == []
    assert client.get("/open311/v2/requests.json?service_code=pothole").json() == everything
    both = client.get("/open311/v2/requests.json?service_code=pothole,graffiti").json()
    assert client.get("/open311/v2/requests.json?service_code=graffiti,pothole").json() == both
    opened = client.get("/open311/v2/requests.json?service_code=pothole&status=open").json()
    assert {r["status"] for r in opened} <= {"open"}
