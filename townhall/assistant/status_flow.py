"""A report's status through the assistant: exactly what the public tracking page shows, no more.

Anyone with the reference sees the service, where it is as the public may see it (the street only for a problem
at someone's home, `public_location`), the status, when it was reported, when the council aims to respond and the
latest public update. Never the description, the answers, or who reported it.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from townhall.assistant.entities import find_request_references
from townhall.assistant.replies import Link, ReplyPart, part
from townhall.assistant.turns import Turn, moved_on, uk_date, wants_to_cancel
from townhall.platform.errors import NotFound
from townhall.service_requests import service as requests_service
from townhall.service_requests.public_location import public_location_of
from townhall.service_requests.statuses import OPEN_STATUSES, STATUS_NAMES

ASK = "What is the report's reference? It looks like SR-00012345."
TRACK_LINK: Link = {"label": "Follow a report", "url": "/report-a-problem-track"}


def start_status(turn: Turn) -> list[ReplyPart]:
    references = find_request_references(turn.text)
    if references:
        return _answer(turn, references[0])
    turn.state.update(flow="status", awaiting="reference", options=[])
    return [part(ASK)]


def continue_status(turn: Turn) -> list[ReplyPart] | None:
    references = find_request_references(turn.text)
    if references:
        return _answer(turn, references[0])
    if wants_to_cancel(turn.text):
        turn.state.update(flow=None, awaiting=None)
        return [part("All right. What else can I help you with?")]
    if moved_on(turn, same=frozenset({"request.status"})):
        turn.state.update(flow=None, awaiting=None)
        return None
    return [part("Type the reference, for example SR-00012345, or say cancel.")]


def _answer(turn: Turn, reference: str) -> list[ReplyPart]:
    try:
        text = status_words(turn.session, reference=reference)
    except NotFound:
        turn.state.update(flow="status", awaiting="reference", options=[])
        return [part(f"I could not find a report with the reference {reference}. Check it and type it again, "
                     "or say cancel.")]  # fmt: skip
    turn.state.update(flow=None, awaiting=None)
    return [part(text, links=[TRACK_LINK])]


def status_words(session: Session, *, reference: str) -> str:
    """A report's public status in sentences; NotFound for a reference that does not exist."""
    found = requests_service.request_by_reference(session, reference=reference)
    where = public_location_of(session, found)
    place = where.address or f"{where.latitude:.3f}, {where.longitude:.3f}"
    lines = [
        f"{found.reference}: {found.service.name} at {place}.",
        f"Status: {STATUS_NAMES.get(found.status, found.status)}. Reported on {uk_date(found.requested_at)}.",
    ]
    if found.status in OPEN_STATUSES:
        lines.append(f"We aim to respond by {uk_date(found.expected_at)}.")
    notes = [u for u in requests_service.public_updates(session, request_id=found.id) if u.public_note]
    if notes:
        lines.append(f"Latest update, {uk_date(notes[-1].created_at)}: {notes[-1].public_note}")
    else:
        lines.append("No updates yet.")
    return "\n".join(lines)
