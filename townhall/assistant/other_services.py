"""Council services the assistant has no answer for: planning, licensing, elections and the like.

A question about one of them is not out of scope for the council, only for the assistant, so "go to GOV.UK"
would send the resident to the wrong place. When the engine does not understand a message (out of scope, or
unsure) and it names one of these services, the assistant says it cannot help with that here and who can.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from townhall.assistant.replies import ReplyPart, part
from townhall.config import Settings


@dataclass(frozen=True, slots=True)
class OtherService:
    team: str  # "the planning team"
    deals_with: str  # "planning applications, planning permission and building control"
    words: re.Pattern[str]
    online: str = ""  # a national page that does the job itself, when there is one


OTHER_SERVICES: tuple[OtherService, ...] = (
    OtherService(
        "the planning team",
        "planning applications, planning permission, building control and protected trees",
        re.compile(
            r"\b(planning|planing|building control|building regs?|building regulations|listed building|"
            r"conservation area|tree preservation|tpo|(build(ing)? an?|house|rear|side) extension|"
            r"loft conversion|dropped kerb)\b",
            re.I,
        ),
    ),
    OtherService(
        "the licensing team",
        "licences for taxis, alcohol, pubs and clubs, street trading, animals and houses in multiple occupation",
        re.compile(
            r"\b(licen[cs]e|licen[cs]ing)\b.*\b(taxi|cab|alcohol|premises|pub|bar|club|street trading|market|"
            r"hmo|dog breeding|animal|pet shop|scrap|gambling|event|busk\w*)\b|"
            r"\b(taxi|premises|alcohol|hmo|street trading|gambling)\s+licen[cs]e\b",
            re.I,
        ),
    ),
    OtherService(
        "the electoral services team",
        "the electoral register, polling cards, postal votes and elections",
        re.compile(
            r"\b(register(ed)? to vote|electoral roll|electoral register|poll(ing)? (card|station)|postal vote|"
            r"proxy vote|voter id|elections?)\b",
            re.I,
        ),
        online="You can register to vote online at https://www.gov.uk/register-to-vote.",
    ),
    OtherService(
        "the environmental health team",
        "food hygiene, pests such as rats and wasps, and pollution",
        re.compile(
            r"\b(food hygiene|food poisoning|hygiene rating|dirty (restaurant|takeaway|kitchen)|rats?|mice|"
            r"wasps?|cockroach(es)?|bed ?bugs|pest control|air pollution|bonfire smoke)\b",
            re.I,
        ),
    ),
    OtherService(
        "the benefits team",
        "housing benefit and help with rent",
        re.compile(r"\b(housing benefit|help with (my )?rent|discretionary housing payment)\b", re.I),
    ),
    OtherService(
        "the business rates team",
        "business rates and reliefs",
        re.compile(r"\b(business rates?|non.?domestic rates|small business rate relief)\b", re.I),
    ),
    OtherService(
        "the parks and open spaces team",
        "parks, playgrounds, public toilets, allotments and cemeteries",
        re.compile(
            r"(?<!car )\b(parks?|playgrounds?|play area|public (toilets?|loos?)|allotments?|cemetery|cemeteries|"
            r"burial|crematorium)\b",
            re.I,
        ),
    ),
)


def other_service_named(text: str) -> OtherService | None:
    """The council service the message is about that the assistant cannot answer, if it names one."""
    return next((service for service in OTHER_SERVICES if service.words.search(text)), None)


def other_service_reply(service: OtherService, settings: Settings) -> list[ReplyPart]:
    text = (
        f"The council's {service.team.removeprefix('the ')} deals with {service.deals_with}. I cannot help with "
        f"that here: call {settings.council_phone} or email {settings.council_email}, or ask me to pass you to a "
        "person."
    )
    return [part(text)] + ([part(service.online)] if service.online else [])
