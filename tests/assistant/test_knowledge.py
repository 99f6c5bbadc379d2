"""Knowledge articles: the shipped files, their checks, Markdown to text and HTML, the cache, the dialogue's use."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from tests.assistant.talk import all_text, say, urls
from townhall.assistant import knowledge
from townhall.assistant.dialogue import start_conversation
from townhall.assistant.engine import IntentEngine
from townhall.assistant.knowledge_models import KnowledgeArticle
from townhall.assistant.knowledge_text import plain_text, safe_html
from townhall.assistant.replies import SHORT_REPLIES
from townhall.config import Settings
from townhall.platform.errors import InvalidInput

SETTINGS = Settings(environment="test")


@pytest.fixture(autouse=True)
def fresh_cache() -> Iterator[None]:
    """Each test starts and ends with no cached answers (its edits are rolled back, the cache would not be)."""
    knowledge.forget_knowledge()
    yield
    knowledge.forget_knowledge()


def test_the_shipped_articles_answer_every_intent_without_a_flow() -> None:
    drafts = knowledge.read_folder(knowledge.SHIPPED_ARTICLES)
    knowledge.check_drafts(drafts)
    answered = {intent for draft in drafts for intent in draft.intents}
    assert answered == set(knowledge.ARTICLE_INTENTS) - set(SHORT_REPLIES)
    assert all(draft.title and draft.summary and draft.body for draft in drafts)


def draft(slug: str = "a", **fields: object) -> knowledge.ArticleDraft:
    values: dict[str, object] = {"slug": slug, "title": "Parking", "intents": ["parking.permit"], "body": "Text."}
    values.update(fields)
    return knowledge.ArticleDraft(**values)  # type: ignore[arg-type]


def test_articles_are_checked_together() -> None:
    with pytest.raises(knowledge.ArticleProblems) as caught:
        knowledge.check_drafts([
            draft("one", intents=["parking.permit", "no.such.intent"]),
            draft("two", title="", intents=["parking.fine"], body="  "),
            draft("three", title="Again", intents=["parking.permit"]),
            draft("four", intents=["bins.next_collection"]),
        ])  # fmt: skip
    messages = [message for _field, message in caught.value.problems]
    assert "one.md: 'no.such.intent' is not a question articles can answer" in messages
    assert "two.md: Enter a title" in messages and "two.md: Enter the article's text" in messages
    assert "three.md: 'parking.permit' is already answered by the article 'Parking'" in messages
    assert "four.md: 'bins.next_collection' is not a question articles can answer" in messages


def test_front_matter_is_read_and_bad_front_matter_named() -> None:
    text = "---\ntitle: T\nintents: opening_hours\nlinks:\n  - {label: Home, url: /}\nupdated: 2026-10-01\n---\nBody\n"
    parsed = knowledge.parse_article(text, slug="hours")
    assert parsed.intents == ["opening_hours"] and parsed.links == [{"label": "Home", "url": "/"}]
    assert str(parsed.updated) == "2026-10-01" and parsed.body == "Body"
    with pytest.raises(InvalidInput, match=r"broken\.md: the front matter is not valid YAML"):
        knowledge.parse_article("---\ntitle: [unclosed\n---\nBody", slug="broken")
    with pytest.raises(InvalidInput, match=r"nolabel\.md: each link needs a label and a url"):
        knowledge.parse_article("---\nlinks: [{url: /}]\n---\nBody", slug="nolabel")
    with pytest.raises(InvalidInput, match=r"sneaky\.md: the link 'Click' must go to a page on this site"):
        knowledge.parse_article("---\nlinks: [{label: Click, url: 'javascript:alert(1)'}]\n---\nBody", slug="sneaky")


def test_markdown_becomes_plain_text_with_links_and_safe_html() -> None:
    markdown = (
        "Call {council_phone}.\n\n- **one**\n- two, see [the band page](/council-tax/band)\n\n"
        "<script>alert(1)</script> [bad](javascript:alert(1))"
    )
    text, links = plain_text(markdown, SETTINGS)
    assert text.startswith(f"Call {SETTINGS.council_phone}.\n\n- one\n- two, see the band page\n\n")
    assert links == [{"label": "the band page", "url": "/council-tax/band"}]
    html = safe_html(markdown, SETTINGS)
    assert "<strong>one</strong>" in html and "<script>" not in html and "&lt;script&gt;" in html
    assert 'href="javascript' not in html


def test_a_knowledge_intent_is_answered_from_its_article_with_the_councils_details(
    session: Session, product_engine: IntentEngine
) -> None:
    conversation = start_conversation(session)
    reply = say(session, product_engine, conversation, "my bin was stolen, how do I get a new one")
    assert reply.intent == "bins.new_container"
    text = all_text(reply)
    assert "replace it" in text and "{council_phone}" not in text and "01632 960000" in text
    assert "/report-a-problem" in urls(reply) and "/bin-day" in urls(reply)


def test_the_table_is_seeded_from_the_shipped_files_when_empty(session: Session) -> None:
    session.execute(KnowledgeArticle.__table__.delete())
    articles = knowledge.list_articles(session)
    assert {a.slug for a in articles} == {p.stem for p in knowledge.SHIPPED_ARTICLES.glob("*.md")}
    knowledge.seed_if_empty(session)  # already seeded: nothing more
    assert len(knowledge.list_articles(session)) == len(articles)


def count_article_reads(session: Session) -> list[str]:
    reads: list[str] = []

    def before(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if "assistant_knowledge_articles" in statement:
            reads.append(statement)

    event.listen(session.get_bind().engine, "before_cursor_execute", before)
    return reads


def test_answers_are_cached_and_an_edit_is_seen_at_once(session: Session) -> None:
    knowledge.list_articles(session)
    reads = count_article_reads(session)
    first = knowledge.knowledge_answer(session, intent="parking.fine", settings=SETTINGS)
    for _ in range(5):
        assert knowledge.knowledge_answer(session, intent="parking.fine", settings=SETTINGS) == first
    assert first is not None and len(reads) == 2  # the count (seed check) and the one read, not one per message
    article = session.scalars(select(KnowledgeArticle).where(KnowledgeArticle.slug == "parking-fines")).one()
    knowledge.update_article(session, article_id=article.id, title="Tickets", intents=["parking.fine"],
                             summary="", body="Pay within **14 days**.", user_id=None)  # fmt: skip
    edited = knowledge.knowledge_answer(session, intent="parking.fine", settings=SETTINGS)
    assert edited is not None and edited.text == "Pay within 14 days." and edited.title == "Tickets"


def test_an_edit_that_claims_another_articles_intent_is_refused(session: Session) -> None:
    articles = {a.slug: a for a in knowledge.list_articles(session)}
    with pytest.raises(knowledge.ArticleProblems, match="already answered by the article"):
        knowledge.update_article(
            session, article_id=articles["parking-fines"].id, title="Tickets",
            intents=["parking.fine", "parking.permit"], summary="", body="x", user_id=None,
        )  # fmt: skip


def test_import_adds_and_replaces_by_file_name_or_changes_nothing(session: Session, tmp_path: Path) -> None:
    knowledge.list_articles(session)
    (tmp_path / "parking-fines.md").write_text("---\ntitle: New fines\nintents: [parking.fine]\n---\nNew text.\n")
    assert knowledge.import_articles(session, folder=tmp_path) == (0, 1)
    assert knowledge.knowledge_answer(session, intent="parking.fine", settings=SETTINGS).text == "New text."  # type: ignore[union-attr]
    (tmp_path / "clash.md").write_text("---\ntitle: Clash\nintents: [parking.permit]\n---\nText.\n")
    with pytest.raises(knowledge.ArticleProblems, match=r"clash\.md: 'parking\.permit' is already answered"):
        knowledge.import_articles(session, folder=tmp_path)
    assert session.scalar(select(KnowledgeArticle).where(KnowledgeArticle.slug == "clash")) is None
