"""Answers beyond the first slice's bin day and band: reports, a report's status, a council tax balance, and
knowledge articles for everything else. `dialogue.py` calls `answer` for a new intent and `continue_flow` while
a report or a status question is in progress.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from townhall.assistant import balance, report_flow, status_flow
from townhall.assistant.knowledge import knowledge_answer
from townhall.assistant.replies import ReplyPart
from townhall.assistant.turns import Turn

FLOWS: dict[str, Callable[[Turn], list[ReplyPart] | None]] = {
    "report": report_flow.continue_report,
    "status": status_flow.continue_status,
}


def flow_intent(state: dict[str, Any]) -> str:
    """The intent a report or status flow in progress acts on (what the API reports while it asks its questions)."""
    if state.get("flow") == "status":
        return "request.status"
    intents_by_service = {code: intent for intent, code in report_flow.REPORT_SERVICES.items()}
    return intents_by_service.get(str(state.get("service")), "report")


def continue_flow(turn: Turn) -> list[ReplyPart] | None:
    return FLOWS[str(turn.state["flow"])](turn)


def answer(turn: Turn) -> list[ReplyPart] | None:
    """The reply for the message's intent, or None when it is not one of these (the dialogue's fixed replies)."""
    intent = turn.prediction.intent
    if intent in report_flow.REPORT_SERVICES:
        return report_flow.start_report(turn)
    if intent == "request.status":
        return status_flow.start_status(turn)
    if intent == "counciltax.balance":
        return balance.balance_reply(turn)
    found = knowledge_answer(turn.session, intent=intent, settings=turn.settings)
    if found is None:
        return None
    return [{"text": found.text, "options": [], "links": list(found.links)}]
