"""Staff pages for the assistant's knowledge articles (roles contact_centre and admin): list, add, edit, preview,
take down.

The preview is the article as HTML (markdown-it with raw HTML off) and as the plain text the assistant sends,
so an editor sees both before saving. Every change clears this worker's cached answers at once and is written
to the audit log (who changed which article, and how).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from starlette.datastructures import FormData
from starlette.responses import HTMLResponse

from townhall.assistant import knowledge
from townhall.assistant.intents import INTENT_DESCRIPTIONS
from townhall.assistant.knowledge_text import plain_text, safe_html
from townhall.identity.access import client_address, requires
from townhall.identity.models import User
from townhall.identity.service import actor_for
from townhall.platform.audit import record_access
from townhall.web.deps import SessionDep
from townhall.web.templating import render

router = APIRouter(include_in_schema=False)
Editor = Annotated[User, Depends(requires("contact_centre", "admin"))]
ArticleId = Annotated[int, Path(gt=0, lt=2**31)]
MAX_FIELD = 25_000  # longer than any field may be, so the check says "too long" rather than cutting it silently
NEW = "/assistant/knowledge/new"
AUDIT_PURPOSE = "keeping the assistant's knowledge articles"


@router.get("/assistant/knowledge", response_class=HTMLResponse)
def knowledge_list(request: Request, session: SessionDep, _user: Editor) -> HTMLResponse:
    return _list_page(request, session)


def _list_page(request: Request, session: SessionDep, *, done: str = "", title: str = "") -> HTMLResponse:
    """The list, with a banner saying what was just `done` ("saved", "added" or "taken down") to `title`."""
    context = {"articles": knowledge.list_articles(session), "done": done, "done_title": title,
               "descriptions": INTENT_DESCRIPTIONS}  # fmt: skip
    return render(request, "assistant/knowledge_list.html", context)


def _audit(request: Request, session: SessionDep, user: User, *, action: str, article_id: int) -> None:
    record_access(session, actor=actor_for(user), action=f"assistant.knowledge.{action}",
                  subject_type="assistant_knowledge_article", subject_id=article_id, purpose=AUDIT_PURPOSE,
                  client=client_address(request))  # fmt: skip


def _edit_page(request: Request, draft: knowledge.ArticleDraft, article_id: int | None, **extra: Any) -> HTMLResponse:
    """The one form for a new article (`article_id` None) and an edit, with its errors and preview."""
    context: dict[str, Any] = {
        "draft": draft, "article_id": article_id, "errors": [], "preview_html": None, "preview_text": None,
        "choices": [(intent, INTENT_DESCRIPTIONS[intent]) for intent in knowledge.ARTICLE_INTENTS],
        "adding": article_id is None,
        "form_action": NEW if article_id is None else f"/assistant/knowledge/{article_id}",
    }  # fmt: skip
    context.update(extra)
    context["messages"] = {field: message for field, message in reversed(context["errors"])}  # the first per field
    return render(request, "assistant/knowledge_edit.html", context, status_code=422 if context["errors"] else 200)


def _draft_from(form: FormData, *, slug: str) -> knowledge.ArticleDraft:
    return knowledge.ArticleDraft(
        slug=slug, title=str(form.get("title") or "")[:MAX_FIELD].strip(),
        intents=[str(i)[:60] for i in form.getlist("intents")][:40],
        summary=str(form.get("summary") or "")[:MAX_FIELD].strip(), body=str(form.get("body") or "")[:MAX_FIELD],
    )  # fmt: skip


def _preview_page(
    request: Request, session: SessionDep, draft: knowledge.ArticleDraft, article_id: int | None
) -> HTMLResponse:
    """The draft as the resident would see it, with what is wrong with it; nothing is saved."""
    settings = request.app.state.settings
    text, links = plain_text(draft.body, settings)
    try:
        knowledge.check_edit(session, article_id=article_id, draft=draft)
        errors: list[tuple[str, str]] = []
    except knowledge.ArticleProblems as problems:
        errors = problems.problems
    return _edit_page(request, draft, article_id, errors=errors, preview_html=safe_html(draft.body, settings),
                      preview_text=text, preview_links=links)  # fmt: skip


# Before /assistant/knowledge/{article_id}, which would otherwise take "new" for an id and refuse it.
@router.get(NEW, response_class=HTMLResponse)
def knowledge_new(request: Request, _user: Editor) -> HTMLResponse:
    return _edit_page(request, knowledge.ArticleDraft(slug="", title="", intents=[], body=""), None)


@router.post(NEW, response_class=HTMLResponse, response_model=None)
async def knowledge_create(request: Request, session: SessionDep, user: Editor) -> HTMLResponse:
    """Preview (nothing saved) or add a new article, under the same rules as an edit."""
    form = await request.form()
    draft = _draft_from(form, slug="")
    if form.get("action") == "preview":
        return _preview_page(request, session, draft, None)
    try:
        article = knowledge.create_article(session, title=draft.title, intents=draft.intents, summary=draft.summary,
                                           body=draft.body, user_id=user.id)  # fmt: skip
    except knowledge.ArticleProblems as problems:
        return _edit_page(request, draft, None, errors=problems.problems)
    _audit(request, session, user, action="create", article_id=article.id)
    return _list_page(request, session, done="added", title=article.title)


@router.get("/assistant/knowledge/{article_id}", response_class=HTMLResponse)
def knowledge_edit(request: Request, session: SessionDep, article_id: ArticleId, _user: Editor) -> HTMLResponse:
    article = knowledge.article_by_id(session, article_id=article_id)
    draft = knowledge.ArticleDraft(slug=article.slug, title=article.title, intents=list(article.intents or []),
                                   body=article.body, summary=article.summary)  # fmt: skip
    return _edit_page(request, draft, article_id)


@router.post("/assistant/knowledge/{article_id}", response_class=HTMLResponse, response_model=None)
async def knowledge_save(request: Request, session: SessionDep, article_id: ArticleId, user: Editor) -> HTMLResponse:
    """Preview (nothing saved) or save an edit; every problem is listed in the error summary."""
    article = knowledge.article_by_id(session, article_id=article_id)
    form = await request.form()
    draft = _draft_from(form, slug=article.slug)
    if form.get("action") == "preview":
        return _preview_page(request, session, draft, article_id)
    try:
        knowledge.update_article(session, article_id=article_id, title=draft.title, intents=draft.intents,
                                 summary=draft.summary, body=draft.body, user_id=user.id)  # fmt: skip
    except knowledge.ArticleProblems as problems:
        return _edit_page(request, draft, article_id, errors=problems.problems)
    _audit(request, session, user, action="edit", article_id=article_id)
    return _list_page(request, session, done="saved", title=draft.title)


@router.get("/assistant/knowledge/{article_id}/delete", response_class=HTMLResponse)
def knowledge_confirm_delete(
    request: Request, session: SessionDep, article_id: ArticleId, _user: Editor
) -> HTMLResponse:
    """ "Are you sure?": taking an article down cannot be undone from these pages."""
    article = knowledge.article_by_id(session, article_id=article_id)
    context = {"article": article, "descriptions": INTENT_DESCRIPTIONS}
    return render(request, "assistant/knowledge_delete.html", context)


@router.post("/assistant/knowledge/{article_id}/delete", response_class=HTMLResponse)
def knowledge_delete(request: Request, session: SessionDep, article_id: ArticleId, user: Editor) -> HTMLResponse:
    article = knowledge.delete_article(session, article_id=article_id)
    _audit(request, session, user, action="delete", article_id=article_id)
    return _list_page(request, session, done="taken down", title=article.title)
