"""A topic named on its own ("bins", "council tax"): the assistant asks which question, with buttons.

The engine is trained on questions, so one word is no question to it: "bins" came out as out of scope and got
the GOV.UK reply. A resident who types a topic is asking where to start, so the assistant offers the questions it
can answer about it. Each button sends a question as the resident would write it, which the engine then reads.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from townhall.assistant.replies import Option, ReplyPart, part


@dataclass(frozen=True, slots=True)
class Topic:
    name: str  # "bins and recycling", as the question says it
    words: re.Pattern[str]  # the whole message, give or take "my", "the" and punctuation
    questions: tuple[str, ...]


def _alone(words: str) -> re.Pattern[str]:
    return re.compile(rf"^\s*(?:(?:my|the|a|about|re|help with|question about)\s+)*(?:{words})\s*[?.!]*\s*$", re.I)


TOPICS: tuple[Topic, ...] = (
    Topic("bins and recycling",
          _alone(r"bins?(?: and recycling)?|recycling|rubbish|refuse|wheelie bins?|food waste|garden waste"),
          ("When is my bin day?", "My bin was not collected", "I need a new bin", "Garden waste collections",
           "Book a bulky waste collection")),
    Topic("council tax", _alone(r"council tax|counciltax|c\.? ?tax"),
          ("What council tax band is my home?", "How do I pay my council tax?", "How much council tax do I owe?",
           "Can I get a council tax discount?", "I am moving home, what happens to my council tax?")),
    Topic("parking", _alone(r"parking|car parking"),
          ("How do I get a parking permit?", "I want to challenge a parking fine")),
    Topic("housing", _alone(r"housing|council housing|my council house|my council flat"),
          ("How do I apply for council housing?", "I need a repair in my council home")),
    Topic("reporting a problem", _alone(r"report|report a problem|reporting|a problem"),
          ("Report a pothole", "Report a broken street light", "Report fly-tipping", "Report graffiti",
           "Report a noise problem")),
)  # fmt: skip


def topic_named(text: str) -> Topic | None:
    """The topic a message names on its own, if it is nothing more than that."""
    return next((topic for topic in TOPICS if topic.words.fullmatch(text)), None)


def topic_reply(topic: Topic) -> list[ReplyPart]:
    options: list[Option] = [{"value": question, "label": question} for question in topic.questions]
    return [part(f"What would you like to know about {topic.name}?", options)]  # the page says "choose one"
