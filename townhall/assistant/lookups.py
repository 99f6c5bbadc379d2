"""Live answers for the assistant: addresses at a postcode, and a chosen address's bin days or council tax band.

Each returns reply parts; the dialogue keeps only UPRNs in a conversation's state, never the postcode.
"""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from townhall.assistant.replies import Option, ReplyPart, part
from townhall.bins.service import OUTLOOK_WEEKS, BinNetwork, bin_day_outlook, load_network
from townhall.bins.wording import day_and_date, describe_when
from townhall.counciltax.billing import FinancialYear
from townhall.counciltax.service import charge_years, property_charge
from townhall.places.models import Property
from townhall.places.service import addresses_at_postcode
from townhall.platform.cache import TTLCache
from townhall.platform.errors import NotFound

# Streams, rounds and schedule changes, reloaded at most once a minute per worker (as the bins API does): loading
# them is most of a bin-day answer's cost.
_networks: TTLCache[str, BinNetwork] = TTLCache(max_entries=8, ttl_seconds=60.0)
_NUMBER_CHOICE = re.compile(r"^\s*(?:no\.?|number|option)?\s*(\d{1,3})\s*\.?\s*$", re.I)


def address_options(session: Session, *, postcode: str) -> tuple[list[int], list[ReplyPart]]:
    """The addresses at `postcode` as numbered options, with their UPRNs in the same order."""
    found = addresses_at_postcode(session, postcode=postcode)
    if not found:
        return [], [part("I could not find any addresses at that postcode in the council's area. Check it and "
                         "type it again.")]  # fmt: skip
    options: list[Option] = [{"value": str(n), "label": a.address} for n, a in enumerate(found, start=1)]
    question = "Which address? Reply with its number or type the address."
    return [a.uprn for a in found], [part(question, options)]


def _words(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split())


def chosen_uprn(session: Session, *, uprns: list[int], text: str) -> int | None:
    """The address a resident picked from `uprns` by its number or its text; None when it is not clear."""
    number = _NUMBER_CHOICE.match(text)
    if number:
        index = int(number.group(1))
        return uprns[index - 1] if 1 <= index <= len(uprns) else None
    typed = _words(text)
    if len(typed) < 3:
        return None
    rows = session.execute(select(Property.uprn, Property.address).where(Property.uprn.in_(uprns))).all()
    exact = [row.uprn for row in rows if _words(row.address) == typed]
    if exact:
        return int(exact[0])
    starting = [row.uprn for row in rows if _words(row.address).startswith(typed + " ")]
    return int(starting[0]) if len(starting) == 1 else None


def _network(session: Session) -> BinNetwork:
    key = str(session.get_bind().engine.url)
    found = _networks.get(key)
    if found is None:
        found = load_network(session)
        _networks.put(key, found)
    return found


def bin_days(session: Session, *, uprn: int, today: date) -> list[ReplyPart]:
    """The next collection of each stream at a property, in words: "Recycling: Thursday 3 December, in 5 days"."""
    try:
        outlook = bin_day_outlook(session, uprn=uprn, today=today, network=_network(session))
    except NotFound:
        return [part("I could not find that address's collections. Try the bin day page at /bin-day.")]
    lines = []
    for stream in outlook.streams:
        day = stream.next_collection.date if stream.next_collection else None
        if day is None:
            lines.append(f"{stream.stream.name}: {_none_due(stream.stream.code.value)}")
        elif (day - today).days <= 1:
            lines.append(f"{stream.stream.name}: {describe_when(day, today)}, {day_and_date(day, today=today)}")
        else:
            lines.append(f"{stream.stream.name}: {describe_when(day, today)}")
    parts = [part(f"The next collections at {outlook.address}:\n" + "\n".join(lines))]
    if outlook.changes:
        parts.append(part("Some collections in the coming weeks are on a different day from usual."))
    parts.append(part(f"All the dates, and a calendar you can subscribe to, are at /bin-day/{uprn}."))
    return parts


def _none_due(stream_code: str) -> str:
    # as the bin day page says it: with no garden waste round, the address does not pay for the service
    if stream_code == "garden":
        return "not collected here (garden waste is a paid service this address does not subscribe to)"
    return f"no collection due in the next {OUTLOOK_WEEKS} weeks"


def council_tax_band(session: Session, *, uprn: int, today: date) -> list[ReplyPart]:
    """A property's band and this financial year's charge (before any discount)."""
    current = FinancialYear.containing(today).starts
    years = charge_years(session)
    year = current if current in years or not years else years[-1]
    charge = property_charge(session, uprn=uprn, year=year)
    if charge.band is None or charge.charge is None:
        text = f"{charge.address} has no council tax band. It may not be a home, or it may be exempt."
    else:
        text = (
            f"{charge.address} is in council tax band {charge.band}. The charge for {charge.label} is "
            f"{charge.charge.total} for the year, before any discount or reduction."
        )
    return [part(text), part(f"How the charge is made up is at /council-tax/band/{uprn}.")]
