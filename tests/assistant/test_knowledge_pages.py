"""The staff pages for knowledge articles: who may use them, preview, save, and the error summary."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.conftest import form_token
from tests.identity.factories import signed_in
from townhall.assistant import knowledge
from townhall.assistant.knowledge_models import KnowledgeArticle

LIST = "/assistant/knowledge"


@pytest.fixture(autouse=True)
def fresh_cache() -> Iterator[None]:
    knowledge.forget_knowledge()
    yield
    knowledge.forget_knowledge()


def article_id(session: Session, slug: str) -> int:
    knowledge.list_articles(session)
    return int(session.scalars(select(KnowledgeArticle.id).where(KnowledgeArticle.slug == slug)).one())


@pytest.mark.parametrize("role", [None, "resident", "officer"])
def test_only_contact_centre_and_admin_may_edit(client: TestClient, session: Session, role: str | None) -> None:
    if role:
        signed_in(client, session, role=role)
    response = client.get(LIST, follow_redirects=False)
    assert response.status_code in (303, 401, 403) and "Parking permits" not in response.text


@pytest.mark.parametrize("role", ["contact_centre", "admin"])
def test_staff_see_the_articles(client: TestClient, session: Session, role: str) -> None:
    signed_in(client, session, role=role)
    page = client.get(LIST)
    assert page.status_code == 200 and "Parking permits" in page.text and "Opening hours" in page.text


def edit(client: TestClient, identifier: int, **fields: object) -> object:
    data: dict[str, object] = {"csrf_token": form_token(client, f"{LIST}/{identifier}"), "action": "save"}
    data.update(fields)
    return client.post(f"{LIST}/{identifier}", data=data)


def test_preview_then_save_changes_the_assistants_answer(client: TestClient, session: Session) -> None:
    signed_in(client, session, role="contact_centre")
    identifier = article_id(session, "parking-fines")
    fields = {"title": "Parking tickets", "summary": "PCNs", "intents": ["parking.fine"],
              "body": "Pay within **14 days** at [the council](/).\n\n<script>alert(1)</script>"}  # fmt: skip
    preview = edit(client, identifier, **fields, action="preview")
    assert preview.status_code == 200  # type: ignore[attr-defined]
    assert "<strong>14 days</strong>" in preview.text and "<script>alert" not in preview.text  # type: ignore[attr-defined]
    assert session.get(KnowledgeArticle, identifier).body.startswith("A penalty")  # type: ignore[union-attr]  # not saved
    saved = edit(client, identifier, **fields)
    assert saved.status_code == 200 and 'The article "Parking tickets" is saved' in saved.text  # type: ignore[attr-defined]
    answer = knowledge.knowledge_answer(session, intent="parking.fine", settings=client.app.state.settings)  # type: ignore[attr-defined]
    assert answer is not None and answer.text.startswith("Pay within 14 days at the council.")


def test_bad_edits_are_listed_in_the_error_summary(client: TestClient, session: Session) -> None:
    signed_in(client, session, role="admin")
    identifier = article_id(session, "parking-fines")
    response = edit(client, identifier, title="", intents=["parking.permit", "made.up"], body=" ")
    assert response.status_code == 422  # type: ignore[attr-defined]
    summary = re.search(r'<div class="th-error-summary".*?</div>', response.text, re.S)  # type: ignore[attr-defined]
    assert summary is not None
    expected = ("Enter a title", "is already answered by the article &#39;Parking permits&#39;",
                "&#39;made.up&#39; is not a question articles can answer", "Enter the article&#39;s text")  # fmt: skip
    for message in expected:
        assert message in summary.group(0), message
    assert session.get(KnowledgeArticle, identifier).title == "Parking tickets and appeals"  # type: ignore[union-attr]


def test_an_unknown_article_is_404(client: TestClient, session: Session) -> None:
    signed_in(client, session, role="admin")
    assert client.get(f"{LIST}/999999").status_code == 404
