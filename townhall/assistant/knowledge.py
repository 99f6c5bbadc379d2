"""Knowledge articles: the assistant's answers for intents that need no live data, which staff can edit.

An article is Markdown with front matter naming the intents it answers:

    ---
    title: Parking permits
    intents: [parking.permit]
    summary: Residents' and visitors' parking permits, and Blue Badges.
    links:
      - {label: Contact the council, url: /}
    updated: 2026-11-01
    ---
    In a residents' parking zone you need a permit ...

The files in `townhall/assistant/knowledge/` seed the `assistant_knowledge_articles` table when it is empty (or
`townhall assistant knowledge import DIR` loads a folder); after that staff edit the table at /assistant/knowledge.
Staff can also add articles and take them down (deleted: the audit log keeps who did it and when). Each worker
keeps the answers in memory (`knowledge_cache_seconds`) and forgets them at once when an article is saved, added or
taken down through it, so the dialogue does not read the table for every message.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import frontmatter
import yaml
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from townhall.assistant.intents import INTENTS
from townhall.assistant.knowledge_models import KnowledgeArticle
from townhall.assistant.knowledge_text import plain_text
from townhall.assistant.replies import Link
from townhall.assistant.transcript_format import is_safe_target
from townhall.config import Settings
from townhall.platform import clock
from townhall.platform.errors import InvalidInput, NotFound

SHIPPED_ARTICLES = Path(__file__).parent / "knowledge"
# Intents the dialogue answers itself (live data, a flow, a hand-off or a fixed reply): no article may claim them.
NOT_FOR_ARTICLES = frozenset(
    {
        "bins.next_collection", "bins.missed", "counciltax.band", "counciltax.balance", "report.pothole",
        "report.streetlight", "report.flytipping", "report.graffiti", "report.noise", "request.status",
        "contact.human", "safeguarding.concern", "out_of_scope",
    }
)  # fmt: skip
ARTICLE_INTENTS = tuple(intent for intent in INTENTS if intent not in NOT_FOR_ARTICLES)
MAX_TITLE, MAX_SUMMARY, MAX_BODY = 200, 500, 20_000


class ArticleProblems(InvalidInput):
    """Everything wrong with an article, each against the field to fix."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(message for _field, message in problems))
        self.problems = problems


@dataclass
class ArticleDraft:
    slug: str
    title: str
    intents: list[str]
    body: str
    summary: str = ""
    links: list[Link] = field(default_factory=list)
    updated: date = field(default_factory=clock.today)


def parse_article(text: str, *, slug: str) -> ArticleDraft:
    """An article from a Markdown file's text; InvalidInput naming the file when its front matter is wrong."""
    try:
        post = frontmatter.loads(text)
    except yaml.YAMLError as error:
        raise InvalidInput(f"{slug}.md: the front matter is not valid YAML ({error})") from None
    meta: dict[str, Any] = dict(post.metadata)
    intents = meta.get("intents") or []
    if isinstance(intents, str):
        intents = [intents]
    links = [_link(entry, slug) for entry in meta.get("links") or []]
    updated = meta.get("updated")
    if updated is not None and not isinstance(updated, date):
        raise InvalidInput(f"{slug}.md: 'updated' must be a date like 2026-11-01")
    return ArticleDraft(
        slug=slug, title=str(meta.get("title") or "").strip(), intents=[str(i).strip() for i in intents],
        body=post.content.strip(), summary=str(meta.get("summary") or "").strip(), links=links,
        updated=updated or clock.today(),
    )  # fmt: skip


def _link(entry: Any, slug: str) -> Link:
    if not isinstance(entry, dict) or not entry.get("label") or not entry.get("url"):
        raise InvalidInput(f"{slug}.md: each link needs a label and a url")
    if not is_safe_target(str(entry["url"])):
        raise InvalidInput(
            f"{slug}.md: the link {entry['label']!r} must go to a page on this site (starting /) or a web address "
            f"(starting https://), not {entry['url']!r}"
        )
    return {"label": str(entry["label"]), "url": str(entry["url"])}


def read_folder(folder: Path) -> list[ArticleDraft]:
    """The folder's articles; NotFound or InvalidInput for no folder, no articles or a file that is not text."""
    if not folder.is_dir():
        raise NotFound(f"There is no folder at {folder}")
    paths = sorted(folder.glob("*.md"))
    if not paths:
        raise InvalidInput(f"There are no articles (*.md) in {folder}")
    return [parse_article(_article_text(path), slug=path.stem) for path in paths]


def _article_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InvalidInput(f"{path.name} is not UTF-8 text: save it as UTF-8 and import it again") from None


def draft_problems(draft: ArticleDraft, *, claimed: dict[str, str]) -> list[tuple[str, str]]:
    """What is wrong with one article; `claimed` maps intents to the titles of the other articles answering them."""
    problems: list[tuple[str, str]] = []
    if not draft.title:
        problems.append(("title", "Enter a title"))
    elif len(draft.title) > MAX_TITLE:
        problems.append(("title", f"The title must be {MAX_TITLE} characters or fewer"))
    if len(draft.summary) > MAX_SUMMARY:
        problems.append(("summary", f"The summary must be {MAX_SUMMARY} characters or fewer"))
    if not draft.intents:
        problems.append(("intents", "Choose at least one question the article answers"))
    for intent in draft.intents:
        if intent not in ARTICLE_INTENTS:
            problems.append(("intents", f"'{intent}' is not a question articles can answer"))
        elif intent in claimed:
            problems.append(("intents", f"'{intent}' is already answered by the article '{claimed[intent]}'"))
    if not draft.body.strip():
        problems.append(("body", "Enter the article's text"))
    elif len(draft.body) > MAX_BODY:
        problems.append(("body", f"The article's text must be {MAX_BODY:,} characters or fewer"))
    return problems


def check_drafts(drafts: list[ArticleDraft]) -> None:
    """ArticleProblems (each message naming its file) unless every article is right and no intent is claimed twice."""
    claimed: dict[str, str] = {}
    problems: list[tuple[str, str]] = []
    for draft in drafts:
        problems += [(name, f"{draft.slug}.md: {message}") for name, message in draft_problems(draft, claimed=claimed)]
        for intent in draft.intents:
            claimed.setdefault(intent, draft.title or draft.slug)
    if problems:
        raise ArticleProblems(problems)


def list_articles(session: Session) -> list[KnowledgeArticle]:
    seed_if_empty(session)
    return list(session.scalars(select(KnowledgeArticle).order_by(KnowledgeArticle.title)))


def article_by_id(session: Session, *, article_id: int) -> KnowledgeArticle:
    found = session.get(KnowledgeArticle, article_id)
    if found is None:
        raise NotFound("There is no such article")
    return found


def import_articles(session: Session, *, folder: Path) -> tuple[int, int]:
    """Add the folder's articles and replace those with the same file name; returns (added, updated).

    The whole set (the folder's and the table's other articles) must be valid together, or nothing changes.
    """
    drafts = read_folder(folder)
    existing = {a.slug: a for a in session.scalars(select(KnowledgeArticle))}
    incoming = {d.slug for d in drafts}
    others = [_draft_of(a) for slug, a in existing.items() if slug not in incoming]
    check_drafts(others + drafts)
    added = 0
    for draft in drafts:
        article = existing.get(draft.slug)
        if article is None:
            article = KnowledgeArticle(slug=draft.slug)
            session.add(article)
            added += 1
        _apply(article, draft)
    session.flush()
    forget_knowledge()
    return added, len(drafts) - added


def seed_if_empty(session: Session) -> None:
    """The shipped articles, when the table has none (a fresh installation). Safe when two workers race."""
    if session.scalar(select(func.count()).select_from(KnowledgeArticle)):
        return
    drafts = read_folder(SHIPPED_ARTICLES)
    check_drafts(drafts)
    try:
        with session.begin_nested():
            for draft in drafts:
                session.add(_apply(KnowledgeArticle(slug=draft.slug), draft))
    except IntegrityError:
        pass  # another worker seeded them first


def update_article(
    session: Session, *, article_id: int, title: str, intents: list[str], summary: str, body: str, user_id: int | None
) -> KnowledgeArticle:
    """Save a staff member's edit; ArticleProblems when it is not valid (nothing is saved then)."""
    article = article_by_id(session, article_id=article_id)
    draft = ArticleDraft(slug=article.slug, title=title.strip(), intents=intents, summary=summary.strip(),
                         body=body.strip(), links=_links(article))  # fmt: skip
    check_edit(session, article_id=article_id, draft=draft)
    _apply(article, draft)
    article.edited_at, article.edited_by = clock.now(), user_id
    session.flush()
    forget_knowledge()
    return article


def create_article(
    session: Session, *, title: str, intents: list[str], summary: str, body: str, user_id: int | None
) -> KnowledgeArticle:
    """Add a staff member's new article, under the same rules as an edit; ArticleProblems when it is not valid."""
    seed_if_empty(session)  # or the first message after it would seed the shipped articles on top of it
    draft = ArticleDraft(slug="", title=title.strip(), intents=intents, summary=summary.strip(), body=body.strip())
    check_edit(session, article_id=None, draft=draft)
    article = _apply(KnowledgeArticle(slug=_free_slug(session, draft.title)), draft)
    article.edited_at, article.edited_by = clock.now(), user_id
    session.add(article)
    session.flush()
    forget_knowledge()
    return article


def delete_article(session: Session, *, article_id: int) -> KnowledgeArticle:
    """Take an article down: the assistant stops answering from it at once (on this worker; others within
    `knowledge_cache_seconds`). Refused for the last one, since an empty table is re-seeded with the shipped set."""
    article = article_by_id(session, article_id=article_id)
    if session.scalar(select(func.count()).select_from(KnowledgeArticle)) == 1:
        raise InvalidInput("This is the only article left. Add another before you take this one down.")
    session.delete(article)
    session.flush()
    forget_knowledge()
    return article


def _free_slug(session: Session, title: str) -> str:
    """A file-name-like slug from the title that no article uses yet (an import of `<slug>.md` replaces it)."""
    base = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:70] or "article"
    taken = set(session.scalars(select(KnowledgeArticle.slug).where(KnowledgeArticle.slug.startswith(base))))
    return next(slug for n in range(1, len(taken) + 2) if (slug := base if n == 1 else f"{base}-{n}") not in taken)


def check_edit(session: Session, *, article_id: int | None, draft: ArticleDraft) -> None:
    """ArticleProblems unless the draft is right; `article_id` is the article it replaces (None for a new one)."""
    others = session.scalars(select(KnowledgeArticle).where(KnowledgeArticle.id != (article_id or 0)))
    claimed = {intent: other.title for other in others for intent in other.intents or []}
    problems = draft_problems(draft, claimed=claimed)
    if problems:
        raise ArticleProblems(problems)


def _draft_of(article: KnowledgeArticle) -> ArticleDraft:
    return ArticleDraft(slug=article.slug, title=article.title, intents=list(article.intents or []),
                        body=article.body, summary=article.summary, links=_links(article))  # fmt: skip


def _apply(article: KnowledgeArticle, draft: ArticleDraft) -> KnowledgeArticle:
    article.title, article.intents, article.summary = draft.title, list(draft.intents), draft.summary
    article.links, article.body, article.updated_on = [dict(link) for link in draft.links], draft.body, draft.updated
    return article


# --- answers for the dialogue, cached per worker ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class KnowledgeAnswer:
    title: str
    text: str
    links: list[Link]


_cache: dict[tuple[str, ...], tuple[float, dict[str, KnowledgeAnswer]]] = {}
_cache_lock = threading.Lock()


def forget_knowledge() -> None:
    """Drop every cached answer: the next message reads the articles again (called after each edit)."""
    with _cache_lock:
        _cache.clear()


def knowledge_answer(session: Session, *, intent: str, settings: Settings) -> KnowledgeAnswer | None:
    """The answer an article gives for `intent`, or None when no article answers it."""
    return _answers(session, settings).get(intent)


def _answers(session: Session, settings: Settings) -> dict[str, KnowledgeAnswer]:
    key = (str(session.get_bind().engine.url), settings.council_name, settings.council_short_name,
           settings.council_phone, settings.council_email)  # fmt: skip
    cached = _cache.get(key)
    if cached is not None and time.monotonic() < cached[0]:
        return cached[1]
    seed_if_empty(session)
    answers: dict[str, KnowledgeAnswer] = {}
    for article in session.scalars(select(KnowledgeArticle)):
        text, body_links = plain_text(article.body, settings)
        links = _unique_links(body_links + _links(article))
        for intent in article.intents or []:
            answers[intent] = KnowledgeAnswer(article.title, text, links)
    if settings.knowledge_cache_seconds > 0:
        with _cache_lock:
            _cache[key] = (time.monotonic() + settings.knowledge_cache_seconds, answers)
    return answers


def _links(article: KnowledgeArticle) -> list[Link]:
    return [{"label": str(link["label"]), "url": str(link["url"])} for link in article.links or []]


def _unique_links(links: list[Link]) -> list[Link]:
    seen: set[str] = set()
    unique: list[Link] = []
    for link in links:
        if link["url"] not in seen:
            seen.add(link["url"])
            unique.append({"label": link["label"], "url": link["url"]})
    return unique
