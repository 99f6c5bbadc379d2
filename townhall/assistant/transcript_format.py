"""How a transcript is shown on the pages: links in the council's replies made clickable, safely; times and waits
in words."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from markupsafe import Markup, escape

# Only web addresses and the site's own paths become links: never javascript:, data: or a protocol-relative
# "//host". A path must start a word (after a space, a bracket or nothing), so "and/or", "24/7" and "</b>" stay text.
LINK = re.compile(r"https?://[^\s<>\"']+|(?<![^\s(])/[a-z0-9][a-z0-9\-/]*", re.IGNORECASE)
TRAILING = ".,;:!?)"
# A reply's own links (a knowledge article's, "Your account") may carry a query or a fragment, but the same schemes:
# a web address, or a path on this site ("/x", never "//host", which is another site).
SAFE_TARGET = re.compile(r"https?://[^\s<>\"']+|/(?!/)[^\s<>\"']*", re.IGNORECASE)
LONDON = ZoneInfo("Europe/London")


def linkify(text: str) -> Markup:
    """`text` escaped, with its web addresses and site paths as links."""
    pieces: list[Markup] = []
    position = 0
    for found in LINK.finditer(text):
        target = found.group(0).rstrip(TRAILING)
        pieces.append(escape(text[position : found.start()]))
        pieces.append(Markup('<a class="th-link" href="{0}">{0}</a>').format(target))
        position = found.start() + len(target)
    pieces.append(escape(text[position:]))
    return Markup("").join(pieces)


def is_safe_target(url: str) -> bool:
    """Whether ``url`` may be a link's address on the council's pages: never javascript:, data: or another scheme."""
    return SAFE_TARGET.fullmatch(url) is not None


def reply_links(links: Sequence[Mapping[str, str]] | None) -> Markup:
    """A reply's links (label and address) as a list under its text; a link whose address is not safe shows its
    label only."""
    if not links:
        return Markup("")
    items = [
        Markup('<li><a class="th-link" href="{0}">{1}</a></li>').format(link["url"], link["label"])
        if is_safe_target(link["url"])
        else Markup("<li>{0}</li>").format(link["label"])
        for link in links
    ]
    return Markup('<ul class="th-list th-chat__links">') + Markup("").join(items) + Markup("</ul>")


def waited(duration: timedelta) -> str:
    """ "under a minute", "12 minutes", "2 hours 5 minutes", "3 days 4 hours"."""
    minutes = max(0, int(duration.total_seconds() // 60))
    if minutes < 1:
        return "under a minute"
    days, remainder = divmod(minutes, 24 * 60)
    hours, minutes = divmod(remainder, 60)
    parts = [(days, "day"), (hours, "hour")] if days else [(hours, "hour"), (minutes, "minute")]
    return " ".join(f"{n} {unit}{'s' if n != 1 else ''}" for n, unit in parts if n) or "under a minute"


def at(moment: datetime) -> str:
    """ "14:05 on Monday 30 November" in UK time."""
    local = moment.astimezone(LONDON)
    return f"{local:%H:%M} on {local:%A} {local.day} {local:%B}"
