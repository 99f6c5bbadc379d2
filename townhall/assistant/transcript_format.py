"""How a transcript is shown on the pages: links in the council's replies made clickable, safely; times and waits
in words."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from markupsafe import Markup, escape

# Only web addresses and the site's own paths become links: never javascript:, data: or a protocol-relative
# "//host". A path must start a word (after a space, a bracket or nothing), so "and/or", "24/7" and "</b>" stay text.
LINK = re.compile(r"https?://[^\s<>\"']+|(?<![^\s(])/[a-z0-9][a-z0-9\-/]*", re.IGNORECASE)
TRAILING = ".,;:!?)"
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
