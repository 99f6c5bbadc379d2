"""Messages that are not questions, and messages that are two: read before counting a message as not understood.

Three cases the engine, trained on single questions, gets wrong in a way a resident notices:

- *Closing words the engine splits between intents.* "That's all thanks" is part goodbye, part thanks: neither
  alone is sure enough, so it came out as "not understood", and said again it handed the conversation to a person.
  When the engine's probability is nearly all on the social intents (``SOCIAL``), the likeliest of them answers.
- *Fillers* ("ok", "yes", "hmm", "what?", "fine"). They carry no question: the engine guessed (a parking fine for
  "fine") or did not understand, and two of them queued the conversation for staff. The assistant asks what the
  resident would like, with the topics as buttons, and does not count it towards a hand-off.
- *Two questions in one message* ("when is my bin day and how much is band D?"). The whole reads like neither;
  each part alone is clear. One is answered, and the other is kept in the conversation and offered as a button
  once that answer is done (after its postcode question, if it asks one): the assistant asks one follow-up at a
  time, and the page shows the buttons of the latest reply only.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from townhall.assistant.engine import IntentEngine, Prediction
from townhall.assistant.intents import INTENTS, OUT_OF_SCOPE, SAFEGUARDING
from townhall.assistant.replies import CAN_HELP_WITH, Option, ReplyPart, part

SOCIAL = ("thanks", "goodbye", "greeting")
PERSON = "contact.human"
# The share of the engine's probability on social intents that makes a closing or a greeting of a message it was
# unsure of ("that's all thanks": goodbye 0.52, thanks 0.47)
SOCIAL_SHARE = 0.8

_FILLER_WORDS = (
    r"ok|okay|okey|k|kk|yes|yeah|yep|yup|ya|no|nope|nah|hmm+|hm+|um+|uh+|er+|erm|what|eh|pardon|sorry|fine|grand|"
    r"right|alright|all right|sure|cool|ha|haha|lol|oh|ah|i see|really|so|and|well"
)
_FILLER = re.compile(rf"^[\s.,!?…]*(?:(?:{_FILLER_WORDS})[\s.,!?…]*)+$", re.IGNORECASE)
# The buttons under "what would you like to ask?": each sends a topic, which `topics.py` answers with its questions
_TOPIC_BUTTONS = ("Bins and recycling", "Council tax", "Report a problem", "Parking", "Housing")

# Where one message may hold two questions: a question mark, "and", "also", a full stop or a semicolon
_CLAUSE_BREAK = re.compile(r"\?|;|(?<=[a-z0-9])\.\s|\s(?:and also|and|also|plus)\s", re.IGNORECASE)
_LEADING_JOINER = re.compile(r"^(?:(?:and|also|plus|but|then|oh)\b[\s,]*)+", re.IGNORECASE)
_SHORTEST_CLAUSE_WORDS = 3
# Each part must be this sure on its own: a wrong second answer is worse than asking again
CLAUSE_CONFIDENCE = 0.6


def is_filler(text: str) -> bool:
    """Whether the message is only words that ask nothing ("ok", "yes", "hmm", "what?")."""
    return bool(_FILLER.fullmatch(text))


def filler_reply() -> list[ReplyPart]:
    options: list[Option] = [{"value": topic, "label": topic} for topic in _TOPIC_BUTTONS]
    return [part(f"What would you like to ask? {CAN_HELP_WITH}", options)]


def social_intent(prediction: Prediction) -> str | None:
    """The social intent a message the engine was unsure of most likely is, when nearly all its probability is
    on those intents (``SOCIAL_SHARE``); None otherwise."""
    probabilities = dict(prediction.alternatives)
    if prediction.intent != OUT_OF_SCOPE:
        probabilities[prediction.intent] = prediction.confidence
    social = {intent: p for intent, p in probabilities.items() if intent in SOCIAL}
    if not social or sum(social.values()) < SOCIAL_SHARE:
        return None
    return max(social, key=social.__getitem__)


@dataclass(frozen=True, slots=True)
class Clause:
    text: str
    prediction: Prediction


def clauses(engine: IntentEngine, text: str) -> list[Clause]:
    """The parts of a message that may hold more than one question, each as the engine reads it on its own; empty
    when the message does not split into two or more parts of a few words."""
    parts = [_LEADING_JOINER.sub("", piece.strip(" ,.!")) for piece in _CLAUSE_BREAK.split(text)]
    parts = [piece for piece in parts if len(piece.split()) >= _SHORTEST_CLAUSE_WORDS]
    if len(parts) < 2:
        return []
    return [Clause(piece, prediction) for piece, prediction in zip(parts, engine.predict(parts), strict=True)]


def two_questions(parts: Sequence[Clause]) -> tuple[Clause, Clause] | None:
    """The first two parts that ask different things the assistant can answer, each clearly; None if there are
    not two."""
    clear = [clause for clause in parts if _clear_question(clause.prediction)]
    if not clear:
        return None
    first = clear[0]
    second = next((clause for clause in clear if clause.prediction.intent != first.prediction.intent), None)
    return None if second is None else (first, second)


def _clear_question(prediction: Prediction) -> bool:
    """An intent the assistant answers (not a person, a safeguarding concern or small talk), and sure of it."""
    answered = prediction.intent in INTENTS and prediction.intent not in (OUT_OF_SCOPE, SAFEGUARDING, PERSON, *SOCIAL)
    return answered and prediction.confidence >= CLAUSE_CONFIDENCE


TWO_THINGS = "You asked about two things. I will answer one first, then offer you the other."


def as_question(clause: Clause) -> str:
    """A part of a message as a question to send back: its first letter a capital."""
    return clause.text[0].upper() + clause.text[1:]


def other_question_offer(question: str) -> list[ReplyPart]:
    """After the first answer is done: the other question, as a button that asks it."""
    return [
        part("You also asked something else. Choose it when you are ready:", [{"value": question, "label": question}])
    ]
