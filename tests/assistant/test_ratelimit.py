"""Rate limits on the assistant: a sliding window, and 429 with Retry-After and a sentence over the API."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.conftest import form_token
from townhall.assistant.ratelimit import AssistantLimits, SlidingWindow
from townhall.config import Settings
from townhall.web.app import create_app
from townhall.web.deps import get_session

BASE = "/api/v1/assistant/conversations"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_sliding_window_allows_the_limit_then_says_how_long_to_wait() -> None:
    clock = FakeClock()
    window = SlidingWindow(3, 60, clock)
    assert [window.hit("a") for _ in range(3)] == [None, None, None]
    clock.now += 20
    assert window.hit("a") == pytest.approx(40)
    assert window.hit("b") is None  # another key has its own window
    clock.now += 40
    assert window.hit("a") is None  # the first hit has left the window


def test_a_limit_of_zero_is_off() -> None:
    window = SlidingWindow(0, 60, FakeClock())
    assert all(window.hit("a") is None for _ in range(1000))


def test_a_flood_from_one_address_is_limited_across_conversations() -> None:
    clock = FakeClock()
    settings = Settings(environment="test", assistant_messages_per_minute=5, assistant_client_messages_per_minute=8)
    limits = AssistantLimits(settings, clock)
    allowed = [limits.message_wait(conversation_id=f"c{n % 4}", client="10.0.0.1") is None for n in range(10)]
    assert allowed == [True] * 8 + [False] * 2
    assert limits.message_wait(conversation_id="c0", client="10.0.0.2") is None


def limited_client(council_database: object, session: Session, **limits: int) -> Iterator[TestClient]:
    settings: Settings = council_database.settings.model_copy(update=limits)  # type: ignore[attr-defined]
    app = create_app(settings)

    def shared_session() -> Iterator[Session]:
        yield session
        session.commit()

    app.dependency_overrides[get_session] = shared_session
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client
    app.state.engine.dispose()


@pytest.fixture
def strict_client(council_database: object, session: Session) -> Iterator[TestClient]:
    yield from limited_client(council_database, session, assistant_messages_per_minute=3,
                              assistant_conversations_per_hour=2)  # fmt: skip


def test_too_many_messages_to_a_conversation_is_429_with_retry_after(strict_client: TestClient) -> None:
    conversation_id = strict_client.post(BASE, json={}).json()["conversation_id"]
    statuses = [strict_client.post(f"{BASE}/{conversation_id}/messages", json={"text": "hello"}).status_code
                for _ in range(3)]  # fmt: skip
    assert statuses == [200, 200, 200]
    refused = strict_client.post(f"{BASE}/{conversation_id}/messages", json={"text": "hello"})
    assert refused.status_code == 429 and 1 <= int(refused.headers["retry-after"]) <= 60
    assert refused.json()["detail"].startswith("You are sending messages too quickly. Wait ")


def test_too_many_new_conversations_from_one_address_is_429(strict_client: TestClient) -> None:
    assert [strict_client.post(BASE, json={}).status_code for _ in range(2)] == [201, 201]
    refused = strict_client.post(BASE, json={})
    assert refused.status_code == 429 and "minutes" in refused.json()["detail"]
    assert int(refused.headers["retry-after"]) > 3000


def test_the_chat_page_is_limited_too_with_a_page_a_person_can_read(strict_client: TestClient) -> None:
    def post(path: str, text: str) -> Any:
        token = form_token(strict_client, "/assistant")
        return strict_client.post(path, data={"text": text, "csrf_token": token}, follow_redirects=False)

    first = post("/assistant", "hello")
    assert first.status_code == 303
    path = first.headers["location"]
    assert [post(path, "hello").status_code for _ in range(3)] == [303, 303, 303]
    refused = post(path, "hello")
    assert refused.status_code == 429 and "too quickly" in refused.text
    assert "Traceback" not in refused.text
