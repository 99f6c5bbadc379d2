"""The waste services page for the council's own changes to collections (role `officer`): the changes coming up,
each with a Remove button, and a form to record one. Works without JavaScript.

A change saved here is seen at once by this worker (its cached schedules are dropped when the change commits);
other workers see it within a minute, when their cached copy expires. Adding and removing are written to the
audit log as the signed-in officer's, from their address, in the request's transaction (see `changes`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from starlette.responses import HTMLResponse, RedirectResponse

from townhall.bins import changes
from townhall.bins.api import forget_schedules_after_commit
from townhall.bins.schedule import ChangeReason
from townhall.identity.access import client_address, requires
from townhall.identity.models import User
from townhall.identity.service import actor_for
from townhall.platform import clock
from townhall.platform.errors import Conflict
from townhall.web.deps import SessionDep
from townhall.web.templating import render

router = APIRouter(include_in_schema=False)
Officer = Annotated[User, Depends(requires("officer"))]
ChangeId = Annotated[int, Path(gt=0, lt=2**31)]
PAGE = "/officer/bins/changes"
ALL_ROUNDS = "all"
DONE = {"added": "Change recorded", "removed": "Change removed"}
FIELD_IDS = {"round": "round", "original_date": "original_date", "outcome": "outcome-moved",
             "new_date": "new_date", "reason": "reason"}  # fmt: skip


@dataclass
class ChangeForm:
    """What was typed, kept to show again with the errors."""

    round: str = ""
    original_date: str = ""
    outcome: str = "moved"
    new_date: str = ""
    reason: str = ""


def _page(
    request: Request, session: SessionDep, form: ChangeForm, *, errors: list[tuple[str, str]], status_code: int = 200
) -> HTMLResponse:
    done = request.query_params.get("done", "")
    context: dict[str, Any] = {
        "changes": changes.list_changes(session, start=clock.today()), "form": form,
        "rounds": changes.round_choices(session), "reasons": list(ChangeReason), "all_rounds": ALL_ROUNDS,
        "errors": [(FIELD_IDS.get(field, "round"), message) for field, message in errors],
        "messages": {field: message for field, message in reversed(errors)},  # the first per field
        "long_date": changes.long_date, "weekdays": changes.WEEKDAY_NAMES, "done": DONE.get(done, ""),
    }  # fmt: skip
    return render(request, "bins/changes.html", context, status_code=status_code)


@router.get(PAGE, response_class=HTMLResponse)
def change_list(request: Request, session: SessionDep, _user: Officer) -> HTMLResponse:
    return _page(request, session, ChangeForm(), errors=[])


def _read(form: ChangeForm) -> changes.NewChange:
    """The change the form describes; ChangeProblems listing everything missing or unreadable."""
    problems: list[tuple[str, str]] = []
    if not form.round:
        problems.append(("round", "Choose a round, or All rounds"))
    original: date | None = None
    new: date | None = None
    reason: ChangeReason | None = None
    try:
        original = changes.day_from_text(form.original_date, field="original_date", label="original date")
    except changes.ChangeProblems as error:
        problems.extend(error.problems)
    if form.outcome not in ("moved", "cancelled"):
        problems.append(("outcome", "Choose whether the collection is moved or cancelled"))
    elif form.outcome == "cancelled" and form.new_date.strip():
        problems.append(("new_date", "A cancelled collection has no new date: leave it blank, or choose moved"))
    elif form.outcome == "moved":
        try:
            new = changes.day_from_text(form.new_date, field="new_date", label="new date")
        except changes.ChangeProblems as error:
            problems.extend(error.problems)
    try:
        reason = changes.reason_from(form.reason)
    except changes.ChangeProblems as error:
        problems.extend(error.problems)
    if problems or original is None or reason is None:
        raise changes.ChangeProblems(problems)
    return changes.NewChange(None if form.round == ALL_ROUNDS else form.round, original, new, reason)


@router.post(PAGE, response_class=HTMLResponse, response_model=None)
async def change_add(request: Request, session: SessionDep, user: Officer) -> HTMLResponse | RedirectResponse:
    """Record a change, audited as the officer's; the form again with the GOV.UK error summary (422, or 409 for a
    duplicate) if it cannot."""
    posted = await request.form()
    form = ChangeForm(**{name: str(posted.get(name) or "")[:100] for name in ChangeForm.__dataclass_fields__})
    try:
        change = _read(form)
        changes.add_change(session, round_id=change.round_id, original_date=change.original_date,
                           new_date=change.new_date, reason=change.reason, actor=actor_for(user),
                           client=client_address(request))  # fmt: skip
    except changes.ChangeProblems as problems:
        return _page(request, session, form, errors=problems.problems, status_code=422)
    except Conflict as conflict:
        return _page(request, session, form, errors=[("original_date", conflict.message)], status_code=409)
    forget_schedules_after_commit(request, session)
    return RedirectResponse(f"{PAGE}?done=added", status_code=303)


@router.post(PAGE + "/{change_id}/remove", response_model=None)
def change_remove(request: Request, session: SessionDep, user: Officer, change_id: ChangeId) -> RedirectResponse:
    changes.remove_change(session, change_id=change_id, actor=actor_for(user), client=client_address(request))
    forget_schedules_after_commit(request, session)
    return RedirectResponse(f"{PAGE}?done=removed", status_code=303)
