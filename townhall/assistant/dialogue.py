"""The residents' assistant's dialogue: one message in, the assistant's replies out, state kept in the database.

`handle_message` understands a message with the intent engine, then, in this order:
1. a safeguarding concern gets the safeguarding reply at once and the conversation is marked urgent and handed off;
1b. while a person has the conversation (or it waits for one in office hours) the message is theirs: only a short
   acknowledgement (handoff.py); an answer to a call-back question continues it (callbacks.py);
2. an answer to the question the assistant asked (a postcode, an address) continues that question's flow;
3. otherwise the message's intent decides: bin day and council tax band ask for a postcode then an address and
   answer from live data; asking for a person, or two messages in a row the engine did not understand, hand the
   conversation to a person (in office hours the staff queue, out of hours an offer of a call back); the rest get
   a short fixed reply. Fillers ("ok", "hmm"), closings the engine is unsure of and two questions in one
   message are read more closely first (small_talk.py).
Residents' messages are stored redacted. Service functions: no commit, errors for people.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.orm import Session

from townhall.assistant import answering, callbacks, handoff, lookups, replies
from townhall.assistant.engine import IntentEngine, Prediction
from townhall.assistant.entities import find_addresses, find_bands, words_besides_addresses
from townhall.assistant.intents import OUT_OF_SCOPE, SAFEGUARDING
from townhall.assistant.models import Conversation, Message
from townhall.assistant.other_services import other_service_named, other_service_reply
from townhall.assistant.redaction import redact
from townhall.assistant.replies import ReplyPart
from townhall.assistant.small_talk import (
    SOCIAL,
    TWO_THINGS,
    Clause,
    as_question,
    clauses,
    filler_reply,
    is_filler,
    other_question_offer,
    social_intent,
    two_questions,
)
from townhall.assistant.topics import topic_named, topic_reply
from townhall.assistant.turns import wants_to_cancel
from townhall.config import Settings, get_settings
from townhall.places.postcodes import find_postcodes
from townhall.platform import clock
from townhall.platform.errors import InvalidInput, NotFound

MAX_MESSAGE_LENGTH = 2_000
# Below this, the engine's best guess is treated as "not understood" rather than acted on.
LOW_CONFIDENCE = 0.4
# An answer to "what is your postcode?" may be an address with a few words around it ("I live at 1 George Close")
ADDRESS_ANSWER_OTHER_WORDS = 5
MISUNDERSTOOD_BEFORE_HANDOFF = 2
ADDRESS_FLOWS = {"bins.next_collection": lookups.bin_days, "counciltax.band": lookups.council_tax_band}
POSTCODE_QUESTIONS = {
    "bins.next_collection": "I can tell you your next bin collection days. What is your postcode?",
    "counciltax.band": "I can tell you a home's council tax band and this year's charge. What is its postcode?",
}


@dataclass(slots=True)
class Reply:
    conversation_id: str
    intent: str
    confidence: float
    replies: list[ReplyPart]
    state: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class _Turn:
    """One message being answered: what the engine thought and the state the reply may change."""

    session: Session
    conversation: Conversation
    text: str
    prediction: Prediction
    state: dict[str, Any]
    today: date
    settings: Settings
    acting_intent: str | None = None  # what the dialogue acts on when not the engine's guess (a flow's intent)
    user_id: int | None = None
    engine: IntentEngine | None = None  # to read the parts of a message that may ask two things


def start_conversation(session: Session, *, user_id: int | None = None) -> Conversation:
    """A new, empty conversation, belonging to `user_id` when a signed-in resident starts it."""
    conversation = Conversation(started_at=datetime.now(UTC), state={}, urgent=False, handed_off=False, user_id=user_id)
    session.add(conversation)
    session.flush()
    return conversation


def check_message(text: str) -> str:
    cleaned = text.strip()
    if not cleaned:
        raise InvalidInput("Type a message")
    if len(cleaned) > MAX_MESSAGE_LENGTH:
        raise InvalidInput(f"Messages can be up to {MAX_MESSAGE_LENGTH:,} characters; this one has {len(cleaned):,}")
    return cleaned


def conversation_for(session: Session, *, conversation_id: str, user_id: int | None = None) -> Conversation:
    """The conversation; NotFound when there is none, or when it belongs to someone other than `user_id`."""
    found = session.get(Conversation, conversation_id)
    if found is None or (found.user_id is not None and found.user_id != user_id):
        raise NotFound("There is no such conversation")
    return found


def handle_message(
    session: Session,
    *,
    conversation_id: str,
    text: str,
    engine: IntentEngine,
    today: date,
    user_id: int | None = None,
    settings: Settings | None = None,
) -> Reply:
    """Answer one resident message; stores it (redacted) and the replies, and updates the conversation."""
    cleaned = check_message(text)
    conversation = conversation_for(session, conversation_id=conversation_id, user_id=user_id)
    if user_id is not None and conversation.user_id is None:
        # A signed-in person's own data (a council tax balance) may be answered from here on: the conversation
        # becomes theirs alone, no longer open to whoever else holds its id (one started over the JSON API)
        conversation.user_id = user_id
    prediction = engine.predict([cleaned])[0]
    _store(session, conversation, "resident", cleaned, prediction)
    turn = _Turn(session, conversation, cleaned, prediction, dict(conversation.state or {}), today,
                 settings or get_settings(), user_id=user_id, engine=engine)  # fmt: skip
    parts = _respond(turn)
    parts += _offer_other_question(turn)
    if turn.acting_intent is None and _understood(prediction) and not conversation.handed_off:
        parts += handoff.offer_person_if_unsure(prediction.intent, prediction.confidence)
    conversation.state = turn.state  # a new dict, so the JSON column sees the change
    contacts = replies.published_contacts(turn.settings)
    for reply in parts:
        _store(
            session,
            conversation,
            "assistant",
            reply["text"],
            None,
            options=reply["options"],
            keep=contacts,
            links=reply.get("links"),
        )
    session.flush()
    intent = turn.acting_intent or prediction.intent
    return Reply(conversation.id, intent, round(prediction.confidence, 4), parts, dict(turn.state))


def _store(
    session: Session, conversation: Conversation, sender: str, text: str, prediction: Prediction | None,
    options: list[replies.Option] | None = None, keep: tuple[str, ...] = (), links: list[replies.Link] | None = None,
) -> None:  # fmt: skip
    session.add(
        Message(
            conversation_id=conversation.id, sender=sender, text=redact(text, keep),
            intent=prediction.intent if prediction else None,
            confidence=prediction.confidence if prediction else None, created_at=datetime.now(UTC),
            options=[dict(option) for option in options] if options else None,
            links=[dict(link) for link in links] if links else None,
        )
    )  # fmt: skip


def _respond(turn: _Turn) -> list[ReplyPart]:
    if turn.prediction.intent == SAFEGUARDING and not _answers_question(turn):
        return _safeguarding(turn)
    with_person = _with_person(turn)
    if with_person is not None:
        return with_person
    continued = _continue_flow(turn)
    if continued is not None:
        return continued
    return _new_intent(turn)


def _answers_question(turn: _Turn) -> bool:
    """Whether the message is only a bare answer (a number, a postcode) to the question the assistant asked."""
    if not turn.state.get("awaiting"):
        return False
    leftover = turn.text
    for postcode in find_postcodes(turn.text):
        leftover = leftover.upper().replace(postcode, "").replace(postcode.replace(" ", ""), "")
    return len(leftover.strip(" .,")) <= 3


def _safeguarding(turn: _Turn) -> list[ReplyPart]:
    handoff.start_handoff(turn.session, conversation=turn.conversation, reason="safeguarding", urgent=True,
                          now=clock.now())  # fmt: skip
    turn.state.update(awaiting=None, flow=None, options=[], misunderstood=0)
    return replies.safeguarding(turn.settings)


def _with_person(turn: _Turn) -> list[ReplyPart] | None:
    """While a person has the conversation (or it waits for one in office hours) the message is theirs: one short
    acknowledgement. Out of hours, answering a call-back question. None: the assistant answers as usual."""
    now = clock.now()
    session, conversation = turn.session, turn.conversation
    person = handoff.passes_to_person(session, conversation=conversation, settings=turn.settings, now=now)
    if person is not None:
        turn.acting_intent = "contact.human"
        turn.state.update(awaiting=None, flow=None, options=[])
        return handoff.acknowledge(session, handoff=person)
    answered = callbacks.continue_callback(
        session, conversation_id=conversation.id, text=turn.text, state=turn.state, settings=turn.settings, now=now
    )
    if answered is not None:
        turn.acting_intent = "contact.human"
    return answered


def _continue_flow(turn: _Turn) -> list[ReplyPart] | None:
    """The next step of a postcode-then-address question, or None when the message does not answer it."""
    flow, awaiting = turn.state.get("flow"), turn.state.get("awaiting")
    if flow in answering.FLOWS:  # reports and status (answering.py)
        turn.acting_intent = answering.flow_intent(turn.state)
        continued = answering.continue_flow(turn)
        if continued is None:
            turn.acting_intent = None  # the resident has moved on to something else
        return continued
    if flow not in ADDRESS_FLOWS or awaiting is None:
        return None
    return _continue_address_flow(turn, str(flow), str(awaiting))


def _continue_address_flow(turn: _Turn, flow: str, awaiting: str) -> list[ReplyPart] | None:
    turn.acting_intent = flow  # the resident is answering the flow's question, whatever the engine makes of it
    if wants_to_cancel(turn.text):
        turn.state.update(awaiting=None, flow=None, options=[], misunderstood=0)
        return [replies.part("All right, I have stopped. What else can I help you with?")]
    if awaiting == "address":
        uprn = lookups.chosen_uprn(turn.session, uprns=list(turn.state.get("options", [])), text=turn.text)
        if uprn is not None:
            turn.state.update(awaiting=None, flow=None, options=[], misunderstood=0)
            return ADDRESS_FLOWS[flow](turn.session, uprn=uprn, today=turn.today)
    if words_besides_addresses(turn.text) <= ADDRESS_ANSWER_OTHER_WORDS:
        named = _answer_for_named_address(turn, flow)
        if named is not None:
            return named
    postcodes = find_postcodes(turn.text)
    if postcodes:
        return _offer_addresses(turn, flow, postcodes[0])
    if _understood(turn.prediction) and turn.prediction.intent not in (flow, OUT_OF_SCOPE):
        turn.state.update(awaiting=None, flow=None, options=[])
        turn.acting_intent = None
        return None  # the resident has moved on to something else
    return _ask_again(turn, awaiting)


def _ask_again(turn: _Turn, awaiting: str) -> list[ReplyPart]:
    if _count_misunderstanding(turn):
        return _hand_off(turn, reason="not_understood")
    if awaiting == "address":
        count = len(turn.state.get("options", []))
        return [replies.part(f"Reply with a number from 1 to {count}, or type your postcode again.")]
    return [replies.part(POSTCODE_AGAIN)]


POSTCODE_AGAIN = (
    f"Please type your postcode, for example {replies.POSTCODE_EXAMPLE}, or your house number and street. "
    "Or say cancel."
)


def _answer_for_named_address(turn: _Turn, flow: str) -> list[ReplyPart] | None:
    """The answer for the address the message names ("I live at 1 George Close"), the addresses to choose from
    when it matches several, or a request for the postcode when it matches none; None when it names none."""
    named = lookups.named_addresses(turn.session, text=turn.text)
    if named is None:
        return None
    if len(named) == 1:
        turn.state.update(awaiting=None, flow=None, options=[], misunderstood=0)
        return ADDRESS_FLOWS[flow](turn.session, uprn=named[0].uprn, today=turn.today)
    if named:
        uprns, parts = lookups.named_address_options(named)
        turn.state.update(flow=flow, awaiting="address", options=uprns, misunderstood=0)
        return parts
    if find_postcodes(turn.text):
        return None  # the postcode's addresses are offered instead
    turn.state.update(flow=flow, awaiting="postcode", options=[])
    return [replies.part(f"I could not find {find_addresses(turn.text)[0]} in the council's area. "
                         "What is its postcode?")]  # fmt: skip


def _offer_addresses(turn: _Turn, flow: str, postcode: str) -> list[ReplyPart]:
    uprns, parts = lookups.address_options(turn.session, postcode=postcode)
    turn.state.update(flow=flow, awaiting="address" if uprns else "postcode", options=uprns, misunderstood=0)
    return parts


def _new_intent(turn: _Turn) -> list[ReplyPart]:
    intent = turn.prediction.intent
    topic = topic_named(turn.text)
    if topic is not None:  # "bins" alone is no question: which one about bins, not a guess or "I cannot help"
        turn.state["misunderstood"] = 0
        return topic_reply(topic)
    if is_filler(turn.text) and intent not in SOCIAL:  # "ok", "fine", "hmm": no question, whatever the guess
        return filler_reply()  # and not counted towards a hand-off (small_talk.py)
    if not _understood(turn.prediction):
        return _not_understood(turn)
    turn.state["misunderstood"] = 0
    if intent == "contact.human":
        return _hand_off(turn)
    return _other_question(turn) + _answer(turn, intent)


def _answer(turn: _Turn, intent: str) -> list[ReplyPart]:
    if intent in ADDRESS_FLOWS:
        return _start_address_flow(turn, intent)
    answered = answering.answer(turn)  # reports, status, balance, knowledge articles (answering.py)
    return answered if answered is not None else replies.fixed_reply(intent)


def _other_question(turn: _Turn) -> list[ReplyPart]:
    """When an understood message also asks something else in another part ("my bin was missed, and there is a
    pothole on my road"), that part as a button, before the answer to the whole (small_talk.py)."""
    parts = clauses(turn.engine, turn.text) if turn.engine is not None else []
    both = two_questions(parts)
    if both is None or turn.prediction.intent not in {clause.prediction.intent for clause in both}:
        return []
    other = both[1] if both[0].prediction.intent == turn.prediction.intent else both[0]
    return _keep_other_question(turn, other)


def _keep_other_question(turn: _Turn, other: Clause) -> list[ReplyPart]:
    """Say there were two questions; the other is offered once this one's answer is done (``_offer_other_question``)."""
    turn.state["other_question"] = as_question(other)
    return [replies.part(TWO_THINGS)]


def _offer_other_question(turn: _Turn) -> list[ReplyPart]:
    """The question kept from a message that asked two, as a button, once nothing is waiting for an answer."""
    question = turn.state.get("other_question")
    if not question:
        return []
    if turn.conversation.handed_off:
        del turn.state["other_question"]  # a person reads the whole conversation, the other question included
        return []
    if turn.state.get("flow") or turn.state.get("awaiting"):
        return []
    del turn.state["other_question"]
    return other_question_offer(str(question))


def _not_understood(turn: _Turn) -> list[ReplyPart]:
    """A message the engine did not understand: read more closely, else counted, and handed off the second time."""
    unsure = _read_more_closely(turn)
    if unsure is not None:
        return unsure
    other = other_service_named(turn.text)
    if other is not None:  # the council's, not the assistant's: say who can help, not "go to GOV.UK"
        turn.state["misunderstood"] = 0
        return other_service_reply(other, turn.settings)
    if _count_misunderstanding(turn):
        return _hand_off(turn, reason="not_understood")
    return replies.out_of_scope() if turn.prediction.intent == OUT_OF_SCOPE else replies.not_understood()


def _start_address_flow(turn: _Turn, intent: str) -> list[ReplyPart]:
    """Bin days or a council tax band: the named address's answer, its postcode's addresses, or the question."""
    named = _answer_for_named_address(turn, intent)
    if named is not None:
        return named
    postcodes = find_postcodes(turn.text)
    if postcodes:
        return _offer_addresses(turn, intent, postcodes[0])
    turn.state.update(flow=intent, awaiting="postcode", options=[])
    bands = find_bands(turn.text) if intent == "counciltax.band" else ()
    if bands:  # "how much is band D?": the band's charge, and the home's charge if they give its postcode
        return lookups.band_charge(turn.session, band=bands[0], today=turn.today)
    return [replies.part(POSTCODE_QUESTIONS[intent])]


def _read_more_closely(turn: _Turn) -> list[ReplyPart] | None:
    """A message the engine did not understand as a whole: a closing it was split on ("that's all thanks"), a
    safeguarding concern or two questions in its parts (small_talk.py). None: it is not understood."""
    social = social_intent(turn.prediction)
    if social is not None:
        turn.state["misunderstood"] = 0
        turn.acting_intent = social
        return replies.fixed_reply(social)
    parts = clauses(turn.engine, turn.text) if turn.engine is not None else []
    if any(clause.prediction.intent == SAFEGUARDING for clause in parts):
        turn.acting_intent = SAFEGUARDING
        return _safeguarding(turn)
    both = two_questions(parts)
    if both is None:
        return None
    first, second = both
    turn.text, turn.prediction = first.text, first.prediction
    turn.state["misunderstood"] = 0
    answer = _answer(turn, first.prediction.intent)
    turn.acting_intent = turn.acting_intent or first.prediction.intent
    return _keep_other_question(turn, second) + answer


def _understood(prediction: Prediction) -> bool:
    """Whether the assistant can act on the message. Out of scope never counts: the engine is as sure of
    gibberish as of a question about passports, and either way the resident has not been helped."""
    return prediction.intent != OUT_OF_SCOPE and prediction.confidence >= LOW_CONFIDENCE


def _count_misunderstanding(turn: _Turn) -> bool:
    """Count one more message not understood; True when that makes enough in a row to hand off."""
    turn.state["misunderstood"] = int(turn.state.get("misunderstood", 0)) + 1
    return bool(turn.state["misunderstood"] >= MISUNDERSTOOD_BEFORE_HANDOFF)


def _hand_off(turn: _Turn, reason: str = "asked") -> list[ReplyPart]:
    turn.acting_intent = "contact.human"
    turn.state.update(awaiting=None, flow=None, options=[], misunderstood=0)
    return handoff.hand_off(turn.session, conversation=turn.conversation, reason=reason, state=turn.state,
                            settings=turn.settings, now=clock.now())  # fmt: skip
