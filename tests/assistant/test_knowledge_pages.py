"""The staff pages for knowledge articles: who may use them, preview, save, add, take down, and the error summary."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.conftest import form_token
from tests.identity.factories import signed_in
from townhall.assistant import knowledge
from townhall.assistant.knowledge_models import KnowledgeArticle
from townhall.platform.audit.models import AuditEntry

LIST = "/assistant/knowledge"
NEW = f"{LIST}/new"


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
    assert [entry.subject_id for entry in audited(session, "edit")] == [str(identifier)]  # the save, not the preview


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


def add(client: TestClient, **fields: object) -> object:
    data: dict[str, object] = {"csrf_token": form_token(client, NEW), "action": "save"}
    data.update(fields)
    return client.post(NEW, data=data)


def take_down(client: TestClient, identifier: int) -> object:
    return client.post(
        f"{LIST}/{identifier}/delete", data={"csrf_token": form_token(client, f"{LIST}/{identifier}/delete")}
    )


def articles_titled(session: Session, title: str) -> list[KnowledgeArticle]:
    return list(session.scalars(select(KnowledgeArticle).where(KnowledgeArticle.title == title)))


def audited(session: Session, action: str) -> list[AuditEntry]:
    return list(session.scalars(select(AuditEntry).where(AuditEntry.action == f"assistant.knowledge.{action}")))


def test_an_added_article_is_listed_audited_and_answers_at_once(client: TestClient, session: Session) -> None:
    user = signed_in(client, session, role="contact_centre")
    assert 'href="/assistant/knowledge/new"' in client.get(LIST).text
    settings = client.app.state.settings  # type: ignore[attr-defined]
    assert knowledge.knowledge_answer(session, intent="thanks", settings=settings) is None  # now cached
    response = add(client, title="Thanks for your message", summary="Replies to thanks", intents=["thanks"],
                   body="You are **welcome**.")  # fmt: skip
    assert response.status_code == 200 and 'The article "Thanks for your message" is added' in response.text  # type: ignore[attr-defined]
    [article] = articles_titled(session, "Thanks for your message")
    assert (
        article.intents == ["thanks"]
        and article.slug == "thanks-for-your-message"
        and article.summary == "Replies to thanks"
    )
    answer = knowledge.knowledge_answer(session, intent="thanks", settings=settings)
    assert answer is not None and answer.text == "You are welcome." and answer.title == "Thanks for your message"
    [entry] = audited(session, "create")
    assert (entry.actor_id, entry.subject_id) == (user.id, str(article.id))


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"title": "", "intents": ["parking.fine"], "body": "Text"}, "Enter a title"),
        ({"title": "Fines", "intents": [], "body": "Text"}, "Choose at least one question the article answers"),
        ({"title": "Fines", "intents": ["made.up"], "body": "Text"}, "&#39;made.up&#39; is not a question articles"),
        ({"title": "Fines", "intents": ["bins.missed"], "body": "Text"}, "&#39;bins.missed&#39; is not a question"),
        ({"title": "Fines", "intents": ["parking.fine"], "body": "Text"},
         "is already answered by the article &#39;Parking tickets and appeals&#39;"),
        ({"title": "Fines", "intents": ["thanks"], "body": "  "}, "Enter the article&#39;s text"),
        ({"title": "Fines", "intents": ["thanks"], "body": "x" * 20_001}, "must be 20,000 characters or fewer"),
        ({"title": "Fines", "summary": "s" * 501, "intents": ["thanks"], "body": "Text"},
         "The summary must be 500 characters or fewer"),
    ],
)  # fmt: skip
def test_a_bad_new_article_is_refused_in_the_error_summary(
    client: TestClient, session: Session, fields: dict[str, object], message: str
) -> None:
    signed_in(client, session, role="admin")
    before = len(knowledge.list_articles(session))
    response = add(client, **fields)
    assert response.status_code == 422  # type: ignore[attr-defined]
    summary = re.search(r'<div class="th-error-summary".*?</div>', response.text, re.S)  # type: ignore[attr-defined]
    assert summary is not None and message in summary.group(0)
    assert '<h1 class="th-heading-l">Add an article</h1>' in response.text  # type: ignore[attr-defined]
    assert session.scalar(select(func.count()).select_from(KnowledgeArticle)) == before
    assert not audited(session, "create")


def test_a_new_article_can_be_previewed_without_being_added(client: TestClient, session: Session) -> None:
    signed_in(client, session, role="admin")
    response = add(client, title="Preview only", intents=["thanks"], body="**Bold**", action="preview")
    assert response.status_code == 200 and "<strong>Bold</strong>" in response.text  # type: ignore[attr-defined]
    assert not articles_titled(session, "Preview only")


def test_taking_an_article_down_asks_first_then_the_assistant_stops_using_it(
    client: TestClient, session: Session
) -> None:
    user = signed_in(client, session, role="admin")
    identifier = article_id(session, "parking-fines")
    settings = client.app.state.settings  # type: ignore[attr-defined]
    assert knowledge.knowledge_answer(session, intent="parking.fine", settings=settings) is not None  # now cached
    confirm = client.get(f"{LIST}/{identifier}/delete")
    assert confirm.status_code == 200 and "Are you sure you want to take down" in confirm.text
    assert 'name="csrf_token"' in confirm.text and session.get(KnowledgeArticle, identifier) is not None
    response = take_down(client, identifier)
    assert response.status_code == 200  # type: ignore[attr-defined]
    assert 'The article "Parking tickets and appeals" is taken down' in response.text  # type: ignore[attr-defined]
    assert session.get(KnowledgeArticle, identifier) is None
    assert knowledge.knowledge_answer(session, intent="parking.fine", settings=settings) is None
    [entry] = audited(session, "delete")
    assert (entry.actor_id, entry.subject_id) == (user.id, str(identifier))
    again = client.post(f"{LIST}/{identifier}/delete", data={"csrf_token": form_token(client, "/find-address")})
    assert again.status_code == 404


def test_the_last_article_cannot_be_taken_down(client: TestClient, session: Session) -> None:
    """Or the table would be empty, and the shipped articles would come back with the next message."""
    signed_in(client, session, role="admin")
    keep = article_id(session, "parking-fines")
    session.execute(KnowledgeArticle.__table__.delete().where(KnowledgeArticle.id != keep))
    response = take_down(client, keep)
    assert response.status_code in (400, 409, 422) and "only article left" in response.text  # type: ignore[attr-defined]
    assert session.get(KnowledgeArticle, keep) is not None


@pytest.mark.parametrize("role", [None, "resident", "officer"])
def test_only_contact_centre_and_admin_may_add_or_take_down(
    client: TestClient, session: Session, role: str | None
) -> None:
    identifier = article_id(session, "parking-fines")
    editor_token = (signed_in(client, session, role="admin"), form_token(client, NEW))[1]
    client.cookies.clear()
    if role:
        signed_in(client, session, role=role)
    token = form_token(client, "/find-address")
    for method, path, data in [("GET", NEW, None), ("GET", f"{LIST}/{identifier}/delete", None),
                               ("POST", NEW, {"csrf_token": token, "title": "X", "intents": ["thanks"],
                                              "body": "Y"}),
                               ("POST", f"{LIST}/{identifier}/delete", {"csrf_token": token})]:  # fmt: skip
        response = client.request(method, path, data=data, follow_redirects=False)
        assert response.status_code in (303, 401, 403), (method, path, response.status_code)
    assert editor_token and session.get(KnowledgeArticle, identifier) is not None and not articles_titled(session, "X")


def test_adding_and_taking_down_need_the_forms_csrf_token(client: TestClient, session: Session) -> None:
    signed_in(client, session, role="admin")
    identifier = article_id(session, "parking-fines")
    client.get(NEW)
    refused_add = client.post(NEW, data={"title": "X", "intents": ["thanks"], "body": "Y", "action": "save"})
    refused_delete = client.post(f"{LIST}/{identifier}/delete", data={"csrf_token": "0" * 64})
    assert (refused_add.status_code, refused_delete.status_code) == (403, 403)
    assert not articles_titled(session, "X") and session.get(KnowledgeArticle, identifier) is not None
