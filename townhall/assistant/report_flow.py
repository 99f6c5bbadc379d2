"""Reporting a problem through the assistant: where it is, the service's required questions, a description,
"check your report", then a real service request through `service_requests.service.create_request`.

The draft lives in the conversation's state until it is sent or cancelled (UPRNs and coordinates, never the
postcode typed). Every rule the web journey applies is applied here by the same service function: the location
must be in the council's area, answers must be allowed values, and a missed bin must be inside its reporting
window (checked as soon as the date is known, and again when the report is sent).
"""

from __future__ import annotations

import re
import secrets
from typing import Any

from sqlalchemy import select

from townhall.assistant import lookups
from townhall.assistant.entities import find_addresses, find_bin_streams, find_dates, words_besides_addresses
from townhall.assistant.replies import POSTCODE_EXAMPLE, Link, Option, ReplyPart, part
from townhall.assistant.report_answers import (
    Question,
    ReportService,
    answer_words,
    options_of,
    parse_answer,
    question_text,
    report_service,
)
from townhall.assistant.turns import Turn, moved_on, uk_date, wants_to_cancel
from townhall.identity.models import User
from townhall.places.models import Property
from townhall.places.postcodes import find_postcodes
from townhall.platform import clock
from townhall.platform.errors import NotFound
from townhall.service_requests import missed_bins
from townhall.service_requests import service as requests_service

REPORT_SERVICES = {
    "report.pothole": "pothole",
    "report.streetlight": "street_light",
    "report.flytipping": "fly_tipping",
    "report.graffiti": "graffiti",
    "report.noise": "noise",
    "bins.missed": missed_bins.MISSED_BIN_SERVICE,
}
DRAFT_KEYS = (
    "service",
    "uprn",
    "latitude",
    "longitude",
    "near",
    "where",
    "answers",
    "question",
    "description",
    "draft",
)
NOT_AT_AN_ADDRESS = "0"
# An answer to "where is it?" may be an address with a few words around it ("it's outside 12 High Street")
ADDRESS_ANSWER_OTHER_WORDS = 5
_SEND = re.compile(r"^\s*(1|send( it)?|yes|y|confirm|correct|ok(ay)?|that'?s right)\b", re.I)
_CHANGE = re.compile(r"^\s*(2|change( something)?|edit|wrong)\b", re.I)
_NO_DESCRIPTION = re.compile(r"^\s*(skip|no|none|nothing( else)?|n/?a)[\s.!]*$", re.I)
CHANGES = {"1": "where", "2": "answers", "3": "description"}


def start_report(turn: Turn) -> list[ReplyPart]:
    """Begin a report for the message's intent; a postcode in the message goes straight to the addresses."""
    try:
        service = report_service(turn.session, code=REPORT_SERVICES[turn.prediction.intent])
    except NotFound:
        return [part("I cannot take that report here at the moment. You can report it at /report-a-problem.")]
    clear(turn.state)
    turn.state.update(flow="report", service=service.code, answers=_answers_in(turn, service),
                      draft=secrets.token_hex(8), misunderstood=0)  # fmt: skip
    intro = part(f"I can report this to the council's {service.team} team ({service.name}).")
    named = _at_named_address(turn, service)
    if named is not None:
        return [intro, *named]
    postcodes = find_postcodes(turn.text)
    if postcodes:
        return [intro, *_offer_addresses(turn, service, postcodes[0])]
    turn.state["awaiting"] = "postcode"
    return [intro, part(_postcode_question(service))]


def clear(state: dict[str, Any]) -> None:
    for key in DRAFT_KEYS:
        state.pop(key, None)
    state.update(flow=None, awaiting=None, options=[])


def continue_report(turn: Turn) -> list[ReplyPart] | None:
    """The next step of the report in progress, or None (draft dropped) when the resident asks something else."""
    if wants_to_cancel(turn.text):
        clear(turn.state)
        return [part("I have cancelled the report. Nothing was sent.")]
    try:
        service = report_service(turn.session, code=str(turn.state.get("service")))
    except NotFound:
        clear(turn.state)
        return None
    step = turn.state.get("awaiting")
    handler = _STEPS.get(str(step))
    if handler is None:
        clear(turn.state)
        return None
    return handler(turn, service)


# --- where ---------------------------------------------------------------------------------------------------


def _postcode_question(service: ReportService) -> str:
    if service.location_is_private:
        return "What is the postcode of the address?"
    return f"Where is it? Type the postcode there (or the nearest one), for example {POSTCODE_EXAMPLE}."


def _offer_addresses(turn: Turn, service: ReportService, postcode: str) -> list[ReplyPart]:
    uprns, parts = lookups.address_options(turn.session, postcode=postcode)
    if not uprns:
        turn.state.update(awaiting="postcode", options=[])
        return parts
    turn.state.update(awaiting="address", options=uprns)
    if not service.location_is_private:
        parts[0]["text"] = "Which address is it at? Reply with its number, or 0 if it is in the street and not at one."
        parts[0]["options"].append({"value": NOT_AT_AN_ADDRESS, "label": "Not at one of these addresses"})
    return parts


def _at_named_address(turn: Turn, service: ReportService) -> list[ReplyPart] | None:
    """The next step when the message names one of the council's addresses ("outside 12 High Street"), the
    addresses to choose from when it matches several, a request for the postcode when it matches none; None when
    it names none (or none here, but it has a postcode, whose addresses are offered instead)."""
    named = lookups.named_addresses(turn.session, text=turn.text)
    if named is None:
        return None
    if len(named) == 1:
        turn.state.update(uprn=named[0].uprn, latitude=None, longitude=None, where=None, options=[])
        return _next_step(turn, service)
    if named:
        uprns, parts = lookups.named_address_options(named)
        turn.state.update(awaiting="address", options=uprns)
        return parts
    if find_postcodes(turn.text):
        return None
    turn.state["awaiting"] = "postcode"
    return [part(f"I could not find {find_addresses(turn.text)[0]} in the council's area. "
                 f"{_postcode_question(service)}")]  # fmt: skip


def _on_postcode(turn: Turn, service: ReportService) -> list[ReplyPart] | None:
    if words_besides_addresses(turn.text) <= ADDRESS_ANSWER_OTHER_WORDS:
        named = _at_named_address(turn, service)
        if named is not None:
            return named
    postcodes = find_postcodes(turn.text)
    if postcodes:
        return _offer_addresses(turn, service, postcodes[0])
    if moved_on(turn, same=frozenset(REPORT_SERVICES)):
        clear(turn.state)
        return None
    return [part(f"{_postcode_question(service)} Or say cancel to stop.")]


def _on_address(turn: Turn, service: ReportService) -> list[ReplyPart] | None:
    uprns = [int(u) for u in turn.state.get("options", [])]
    if turn.text.strip() == NOT_AT_AN_ADDRESS and not service.location_is_private:
        _place_near(turn, uprns)
        turn.state.update(awaiting="where", options=[])
        return [part('Describe where it is, for example "outside number 12" or "by the bus stop".')]
    uprn = lookups.chosen_uprn(turn.session, uprns=uprns, text=turn.text)
    if uprn is not None:
        turn.state.update(uprn=uprn, latitude=None, longitude=None, where=None, options=[])
        return _next_step(turn, service)
    if words_besides_addresses(turn.text) <= ADDRESS_ANSWER_OTHER_WORDS:
        named = _at_named_address(turn, service)
        if named is not None:
            return named
    postcodes = find_postcodes(turn.text)
    if postcodes:
        return _offer_addresses(turn, service, postcodes[0])
    if moved_on(turn, same=frozenset(REPORT_SERVICES)):
        clear(turn.state)
        return None
    lowest = "0" if not service.location_is_private else "1"
    return [part(f"Reply with a number from {lowest} to {len(uprns)}, type your postcode again, or say cancel.")]


def _place_near(turn: Turn, uprns: list[int]) -> None:
    """A street problem near a postcode: the middle of its addresses, and the street's name for the words."""
    rows = turn.session.execute(
        select(Property.latitude, Property.longitude, Property.street_name, Property.town).where(
            Property.uprn.in_(uprns)
        )
    ).all()
    turn.state.update(
        uprn=None,
        latitude=round(sum(r.latitude for r in rows) / len(rows), 6),
        longitude=round(sum(r.longitude for r in rows) / len(rows), 6),
        near=", ".join(p for p in (rows[0].street_name, rows[0].town) if p),
    )


def _on_where(turn: Turn, service: ReportService) -> list[ReplyPart] | None:
    described = " ".join(turn.text.split())[:200]
    if len(described) < 3:
        return [part('Describe where it is in a few words, for example "outside number 12", or say cancel.')]
    turn.state["where"] = f"{described} (near {turn.state.get('near')})" if turn.state.get("near") else described
    return _next_step(turn, service)


# --- questions -----------------------------------------------------------------------------------------------


def required_questions(service: ReportService) -> list[Question]:
    return sorted((a for a in service.questions if a.variable and a.required), key=lambda a: a.order)


def _answers_in(turn: Turn, service: ReportService) -> dict[str, list[str]]:
    """Answers the first message already gives: a missed bin's kind and day ("my recycling wasn't taken today")."""
    if service.code != missed_bins.MISSED_BIN_SERVICE:
        return {}
    found: dict[str, list[str]] = {}
    streams = find_bin_streams(turn.text)
    if streams:
        found[missed_bins.STREAM_ATTRIBUTE] = [streams[0]]
    dates = find_dates(turn.text, today=turn.today)
    if dates:
        found[missed_bins.DATE_ATTRIBUTE] = [dates[0].isoformat()]
    return found


def _unanswered(turn: Turn, service: ReportService) -> Question | None:
    answers = turn.state.get("answers") or {}
    return next((a for a in required_questions(service) if a.code not in answers), None)


def _ask(turn: Turn, attribute: Question, problem: str = "") -> list[ReplyPart]:
    turn.state.update(awaiting="question", question=attribute.code)
    options = options_of(attribute) if attribute.allowed_values else []
    return [part(f"{problem}{question_text(attribute)}", options)]


def _on_question(turn: Turn, service: ReportService) -> list[ReplyPart] | None:
    attribute = next((a for a in service.questions if a.code == turn.state.get("question")), None)
    if attribute is None:
        return _next_step(turn, service)
    values = parse_answer(attribute, turn.text, today=turn.today)
    if values is None:
        if moved_on(turn, same=frozenset(REPORT_SERVICES)):
            clear(turn.state)
            return None
        allowed = ", ".join(v["name"] for v in attribute.allowed_values)
        return _ask(
            turn, attribute, f"Sorry, I did not understand that answer{f' (it can be: {allowed})' if allowed else ''}. "
        )
    turn.state["answers"] = {**(turn.state.get("answers") or {}), attribute.code: values}
    refusal = _missed_bin_refusal(turn, service)
    if refusal:
        clear(turn.state)
        return [part(f"I cannot take this missed bin report: {refusal}"),
                part("If you think that is wrong, ask to speak to a person.")]  # fmt: skip
    return _next_step(turn, service)


def _missed_bin_refusal(turn: Turn, service: ReportService) -> str | None:
    """The bins module's reporting-window rule, as soon as the address, the bin and the day are known."""
    answers = turn.state.get("answers") or {}
    stream, day = answers.get(missed_bins.STREAM_ATTRIBUTE), answers.get(missed_bins.DATE_ATTRIBUTE)
    if service.code != missed_bins.MISSED_BIN_SERVICE or not stream or not day or turn.state.get("uprn") is None:
        return None
    return requests_service.check_missed_bin(
        turn.session, uprn=int(turn.state["uprn"]), answers={missed_bins.STREAM_ATTRIBUTE: stream[0],
        missed_bins.DATE_ATTRIBUTE: day[0]}, now=clock.now(),
    )  # fmt: skip


# --- description, check, send --------------------------------------------------------------------------------


def _on_description(turn: Turn, service: ReportService) -> list[ReplyPart] | None:
    turn.state["description"] = "" if _NO_DESCRIPTION.match(turn.text) else turn.text.strip()[:4000]
    return _next_step(turn, service)


def _next_step(turn: Turn, service: ReportService) -> list[ReplyPart]:
    """Ask for the first thing the draft still lacks, or show it for checking."""
    state = turn.state
    if state.get("uprn") is None and state.get("latitude") is None:
        state.update(awaiting="postcode")
        return [part(_postcode_question(service))]
    if state.get("uprn") is None and not state.get("where"):
        state.update(awaiting="where")
        return [part('Describe where it is, for example "outside number 12" or "by the bus stop".')]
    refusal = _missed_bin_refusal(turn, service)
    if refusal:
        clear(state)
        return [part(f"I cannot take this missed bin report: {refusal}")]
    missing = _unanswered(turn, service)
    if missing is not None:
        return _ask(turn, missing)
    if state.get("description") is None:
        state.update(awaiting="description")
        return [part("Describe the problem in a sentence or two, or say skip.")]
    state.update(awaiting="confirm")
    return [_check_your_report(turn, service)]


def _check_your_report(turn: Turn, service: ReportService) -> ReplyPart:
    state = turn.state
    where = state.get("where") or _address(turn, state.get("uprn"))
    lines = [f"Problem: {service.name}", f"Where: {where}"]
    answers: dict[str, list[str]] = state.get("answers") or {}
    lines += [f"{a.description} {answer_words(a, answers[a.code])}" for a in service.questions if a.code in answers]
    lines.append(f"Description: {state.get('description') or '(none)'}")
    return part("Check your report:\n" + "\n".join(lines), _numbered("Send the report", "Change something", "Cancel"))


def _numbered(*labels: str) -> list[Option]:
    return [{"value": str(n), "label": label} for n, label in enumerate(labels, start=1)]


def _address(turn: Turn, uprn: Any) -> str:
    found = turn.session.get(Property, int(uprn)) if uprn is not None else None
    return found.address if found else "(not given)"


def _on_confirm(turn: Turn, service: ReportService) -> list[ReplyPart] | None:
    text = turn.text.strip()
    if _SEND.match(text):
        return _send(turn, service)
    if _CHANGE.match(text):
        turn.state.update(awaiting="change")
        options = _numbered("Where it is", "The answers to the questions", "The description")
        return [part("What do you want to change?", options)]
    if text == "3" or re.match(r"^\s*no\b", text, re.I):
        clear(turn.state)
        return [part("I have cancelled the report. Nothing was sent.")]
    return [part("Reply 1 to send the report, 2 to change something or 3 to cancel.")]


def _on_change(turn: Turn, service: ReportService) -> list[ReplyPart] | None:
    choice = turn.text.strip().lower()
    chosen = CHANGES.get(choice) or next((c for c in CHANGES.values() if c.rstrip("s") in choice), None)
    if chosen == "where":
        turn.state.update(uprn=None, latitude=None, longitude=None, where=None, near=None)
    elif chosen == "answers":
        turn.state["answers"] = {}
    elif chosen == "description":
        turn.state["description"] = None
    else:
        return [part("Reply 1 to change where it is, 2 the answers or 3 the description.")]
    return _next_step(turn, service)


def _reporter(turn: Turn) -> int | None:
    """A signed-in resident's id, so the report appears among theirs; staff trying the assistant are not linked."""
    user = turn.session.get(User, turn.user_id) if turn.user_id is not None else None
    return user.id if user is not None and "resident" in user.roles else None


def _send(turn: Turn, service: ReportService) -> list[ReplyPart]:
    state = turn.state
    new = requests_service.NewRequest(
        service_code=service.code, source="assistant", description=str(state.get("description") or ""),
        uprn=state.get("uprn"), latitude=state.get("latitude"), longitude=state.get("longitude"),
        address_string=str(state.get("where") or ""), answers=dict(state.get("answers") or {}),
        reporter_user_id=_reporter(turn), idempotency_key=f"assistant:{turn.conversation.id}:{state.get('draft')}",
    )  # fmt: skip
    try:
        created, _new = requests_service.create_request(turn.session, new=new)
    except requests_service.RequestProblems as problems:
        reasons = "; ".join(message for _field, message in problems.problems)
        return [part(f"I could not send the report: {reasons}. Reply 2 to change something or 3 to cancel.")]
    clear(state)
    links: list[Link] = [{"label": "Follow a report", "url": "/report-a-problem-track"}]
    if new.reporter_user_id is not None:
        links.insert(0, {"label": "Your report", "url": f"/your-reports/{created.id}"})
    thanks = (
        f"Thank you. I have sent your report to the {service.team} team. Its reference is {created.reference}: "
        "keep it to follow the report."
    )
    follow = (
        f"We aim to respond by {uk_date(created.expected_at)}. To follow it, ask me for the status of "
        f"{created.reference}, or use the reference at /report-a-problem-track."
    )
    return [part(thanks), part(follow, links=links)]


_STEPS = {
    "postcode": _on_postcode,
    "address": _on_address,
    "where": _on_where,
    "question": _on_question,
    "description": _on_description,
    "confirm": _on_confirm,
    "change": _on_change,
}
