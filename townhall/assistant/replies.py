"""What the assistant says: fixed replies in plain English, built from settings and the clock where needed.

No database work here; `dialogue.py` decides which reply a message gets and fills in live answers.
"""

from __future__ import annotations

from datetime import datetime
from typing import NotRequired, TypedDict

from townhall.assistant import office_hours
from townhall.assistant.intents import OUT_OF_SCOPE
from townhall.config import Settings, get_settings


class Option(TypedDict):
    value: str  # what the resident can send back ("1")
    label: str  # what they read ("12 High Street, Wexmoor")


class Link(TypedDict):
    label: str  # "Report a problem"
    url: str  # "/report-a-problem": the council's own pages are relative


class ReplyPart(TypedDict):
    text: str
    options: list[Option]
    links: NotRequired[list[Link]]  # pages that say more (knowledge articles, a report's tracking page)


OFFICE_HOURS = "Monday to Friday, 9am to 5pm"
OPENS_AT_HOUR = 9
CLOSES_AT_HOUR = 17
CAN_HELP_WITH = (
    "I can help with bin collection days, council tax bands, reporting problems such as potholes or fly-tipping, "
    "and putting you in touch with a person at the council."
)
NATIONAL_SERVICES = (
    "For national services such as passports, driving licences, benefits, tax and pensions, go to GOV.UK: "
    "https://www.gov.uk"
)

# Intents the assistant cannot yet answer itself: where on the council's site a resident can go instead.
SERVICE_POINTERS: dict[str, str] = {
    "bins.missed": "You can report a missed bin collection at /report-a-problem.",
    "bins.new_container": "You can ask for a new or replacement bin at /report-a-problem.",
    "bins.bulky_waste": "You can ask for a bulky waste collection at /report-a-problem.",
    "bins.garden_subscription": "Your garden waste collection days are at /bin-day. "
    "To join or cancel the garden waste service, ask to speak to a person.",
    "counciltax.balance": "Sign in to your account at /account to see your council tax bill and what you owe.",
    "counciltax.pay": "Sign in to your account at /account to see your council tax instalments and how to pay.",
    "counciltax.discount": "Discounts and reductions on your bill are shown in your account at /account. "
    "To apply for one, ask to speak to a person.",
    "counciltax.move": "To tell the council tax team you are moving, ask to speak to a person. "
    "Your current account is at /account.",
    "report.pothole": "You can report a pothole or damaged road at /report-a-problem.",
    "report.streetlight": "You can report a faulty street light at /report-a-problem.",
    "report.flytipping": "You can report fly-tipping, litter or dog fouling at /report-a-problem.",
    "report.graffiti": "You can report graffiti or vandalism at /report-a-problem.",
    "report.noise": "You can report noise or antisocial behaviour at /report-a-problem.",
    "request.status": "You can follow the reports you have made at /your-reports (sign in first).",
    "housing.repair": "The housing team deals with repairs, damp and mould. Ask to speak to a person.",
    "housing.apply": "The housing options team helps with the housing register and homelessness. "
    "Ask to speak to a person.",
    "parking.permit": "The parking team deals with permits. Ask to speak to a person.",
    "parking.fine": "The parking team deals with parking tickets and appeals. Ask to speak to a person.",
    "opening_hours": f"The council's offices are open {OFFICE_HOURS}.",
}

SHORT_REPLIES: dict[str, str] = {
    "greeting": "Hello. What can I help you with today?",
    "thanks": "You're welcome. Is there anything else?",
    "goodbye": "Goodbye.",
}


def part(text: str, options: list[Option] | None = None, links: list[Link] | None = None) -> ReplyPart:
    made: ReplyPart = {"text": text, "options": options or []}
    if links:
        made["links"] = links
    return made


# How the assistant shows a postcode should be typed: in the council's own (synthetic) area, no one's address
POSTCODE_EXAMPLE = "WX1 2AB"
# How the assistant shows a phone number should be typed: Ofcom's drama ranges, never a real line.
PHONE_EXAMPLES = "01632 960123 or 07700 900123"


def published_contacts(settings: Settings) -> tuple[str, ...]:
    """What the assistant's replies may give that is no one's personal data: the council's own numbers and email
    address, and the example numbers. Transcripts keep these as written (``redaction.redact``'s ``keep``), so a
    resident reading back the safeguarding reply still sees whom to call."""
    return (
        settings.council_phone,
        settings.council_email,
        settings.safeguarding_phone,
        settings.safeguarding_out_of_hours,
        *PHONE_EXAMPLES.split(" or "),
        POSTCODE_EXAMPLE,
    )


def safeguarding(settings: Settings) -> list[ReplyPart]:
    """The reply to a concern about someone at risk: 999 first, then the council's team, then a person."""
    return [
        part("If someone is in immediate danger, call 999."),
        part(
            f"To tell the council you are worried about a child or an adult, call the safeguarding team on "
            f"{settings.safeguarding_phone} ({settings.safeguarding_hours}). At any other time, call "
            f"{settings.safeguarding_out_of_hours}."
        ),
        part("I have asked a member of staff to read this conversation as a priority. They will reply here."),
    ]


def is_office_hours(moment: datetime) -> bool:
    """Whether a person can reply now: the configured office hours, bank holidays closed (office_hours.py)."""
    return office_hours.is_open(moment, get_settings())


def next_opening(moment: datetime) -> datetime:
    """When the office next opens after `moment` (configured days and times, bank holidays skipped)."""
    return office_hours.next_opening(moment, get_settings())


def hand_off(moment: datetime) -> list[ReplyPart]:
    """Passing the conversation to a person: when they will reply, depending on the office's hours."""
    if is_office_hours(moment):
        return [part("I am passing this conversation to a member of staff. A person will reply here shortly.")]
    opens = next_opening(moment)
    return [
        part(
            f"I am passing this conversation to a member of staff. The office is closed now (it is open "
            f"{OFFICE_HOURS}), so a person will reply here after 9am on {opens:%A} {opens.day} {opens:%B}. "
            "If you would rather they phoned you, say so and they will call you back."
        )
    ]


def not_understood() -> list[ReplyPart]:
    return [part(f"Sorry, I did not understand that. {CAN_HELP_WITH}")]


def out_of_scope() -> list[ReplyPart]:
    return [part(f"I cannot help with that here. {CAN_HELP_WITH}"), part(NATIONAL_SERVICES)]


def fixed_reply(intent: str) -> list[ReplyPart]:
    """The reply for an intent that needs no data: a short answer or where to go."""
    if intent in SHORT_REPLIES:
        return [part(SHORT_REPLIES[intent])]
    if intent in SERVICE_POINTERS:
        return [part(SERVICE_POINTERS[intent])]
    if intent == OUT_OF_SCOPE:
        return out_of_scope()
    return not_understood()
