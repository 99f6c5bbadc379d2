"""Staff pages for the assistant's knowledge articles (roles contact_centre and admin): list, edit, preview.

The preview is the article as HTML (markdown-it with raw HTML off) and as the plain text the assistant sends,
so an editor sees both before saving. Saving clears this worker's cached answers at once.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from starlette.responses import HTMLResponse

from townhall.assistant import knowledge
from townhall.assistant.intents import INTENT_DESCRIPTIONS
from townhall.assistant.knowledge_text import plain_text, safe_html
from townhall.identity.access import requires
from townhall.identity.models import User
from townhall.web.deps import SessionDep
from townhall.web.templating import render

router = APIRouter(include_in_schema=False)
Editor = Annotated[User, Depends(requires("contact_centre", "admin"))]
ArticleId = Annotated[int, Path(gt=0, lt=2**31)]
MAX_FIELD = 25_000  # longer than any field may be, so the check says "too long" rather than cutting it silently


@router.get("/assistant/knowledge", response_class=HTMLResponse)
def knowledge_list(request: Request, session: SessionDep, _user: Editor) -> HTMLResponse:
    context = {"articles": knowledge.list_articles(session), "saved": "", "descriptions": INTENT_DESCRIPTIONS}
    return render(request, "assistant/knowledge_list.html", context)


def _edit_page(request: Request, draft: knowledge.ArticleDraft, article_id: int, **extra: Any) -> HTMLResponse:
    context: dict[str, Any] = {
        "draft": draft, "article_id": article_id, "errors": [], "preview_html": None, "preview_text": None,
        "choices": [(intent, INTENT_DESCRIPTIONS[intent]) for intent in knowledge.ARTICLE_INTENTS],
    }  # fmt: skip
    context.update(extra)
    context["messages"] = {field: message for field, message in reversed(context["errors"])}  # the first per field
    return render(request, "assistant/knowledge_edit.html", context, status_code=422 if context["errors"] else 200)


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
    draft = knowledge.ArticleDraft(
        slug=article.slug, title=str(form.get("title") or "")[:MAX_FIELD].strip(),
        intents=[str(i)[:60] for i in form.getlist("intents")][:40],
        summary=str(form.get("summary") or "")[:MAX_FIELD].strip(), body=str(form.get("body") or "")[:MAX_FIELD],
    )  # fmt: skip
    if form.get("action") == "preview":
        settings = request.app.state.settings
        text, links = plain_text(draft.body, settings)
        try:
            knowledge.check_edit(session, article_id=article_id, draft=draft)
            errors: list[tuple[str, str]] = []
        except knowledge.ArticleProblems as problems:
            errors = problems.problems
        return _edit_page(request, draft, article_id, errors=errors, preview_html=safe_html(draft.body, settings),
                          preview_text=text, preview_links=links)  # fmt: skip
    try:
        knowledge.update_article(session, article_id=article_id, title=draft.title, intents=draft.intents,
                                 summary=draft.summary, body=draft.body, user_id=user.id)  # fmt: skip
    except knowledge.ArticleProblems as problems:
        return _edit_page(request, draft, article_id, errors=problems.problems)
    context = {"articles": knowledge.list_articles(session), "saved": draft.title, "descriptions": INTENT_DESCRIPTIONS}
    return render(request, "assistant/knowledge_list.html", context)
