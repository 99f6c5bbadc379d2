"""Removing personal data from assistant transcripts before they are kept for review and training.

Each kind of identifier is replaced by a token naming it, so a reviewer still sees what the resident gave.
Service request references (SR-00012345) are not personal and stay, so conversations can be followed up.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from townhall.places.postcodes import is_valid_postcode

_EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# National Insurance numbers: two letters, six digits in any grouping, a final A-D; any spacing. Any two
# letters, not only the prefixes HMRC issues: people type the QQ example and typos; over-redacting is safe.
_NI_NUMBER = re.compile(r"\b[A-Z]{2}(?:\s*\d){6}\s*[A-D]\b", re.IGNORECASE)
# Card numbers: 13 to 19 digits, in groups of any size separated by spaces or hyphens, passing the Luhn check.
_CARD_CANDIDATE = re.compile(r"(?<!\d)\d(?:[\s-]?\d){12,18}(?!\d)")
# UK phone numbers: 0 or +44 (with optional (0)), then 9 or 10 more digits in any grouping.
_PHONE = re.compile(r"(?<![\w+])(?:\+\s?44\s?(?:\(0\)\s?)?|\(?0)\d(?:[\s-]?\)?[\s-]?\d){8,9}(?!\d)")
_ACCOUNT = re.compile(r"(?<!\d)5\d{7}(?!\d)")
_SERVICE_REQUEST = re.compile(r"\bSR[-\s]?\d{8}\b", re.IGNORECASE)
_POSTCODE_CANDIDATE = re.compile(r"\b([A-Za-z]{1,2}[0-9][A-Za-z0-9]?)\s*([0-9][A-Za-z]{2})\b")


def redact(text: str, keep: Collection[str] = ()) -> str:
    """`text` with postcodes, e-mails, phone, account, National Insurance and card numbers replaced.

    ``keep`` are strings left as written wherever they appear: the council's own published numbers and addresses
    in the assistant's replies, which are no one's personal data and which a resident reading the transcript needs.
    """
    protected, originals = _protect(text, keep)
    redacted = _EMAIL.sub("[email]", protected)
    redacted = _NI_NUMBER.sub("[ni-number]", redacted)
    redacted = _CARD_CANDIDATE.sub(_card_or_original, redacted)
    redacted = _PHONE.sub("[phone]", redacted)
    redacted = _ACCOUNT.sub("[account]", redacted)
    redacted = _POSTCODE_CANDIDATE.sub(_postcode_or_original, redacted)
    return _restore(redacted, originals)


def _protect(text: str, keep: Collection[str]) -> tuple[str, list[str]]:
    # Service request references and kept strings are swapped for placeholders with no digits, so no pattern can
    # eat part of one; longer kept strings first, so one that holds another stays whole.
    originals: list[str] = []

    def hold(match: re.Match[str]) -> str:
        originals.append(match.group(0))
        return f"\x00{'x' * (len(originals) - 1)}\x00"

    kept = sorted((item for item in set(keep) if item.strip()), key=len, reverse=True)
    if kept:
        text = re.sub("|".join(re.escape(item) for item in kept), hold, text)
    return _SERVICE_REQUEST.sub(hold, text), originals


def _restore(text: str, originals: list[str]) -> str:
    return re.sub("\x00(x*)\x00", lambda match: originals[len(match.group(1))], text)


def _card_or_original(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group(0))
    return "[card]" if passes_luhn(digits) else match.group(0)


def _postcode_or_original(match: re.Match[str]) -> str:
    return "[postcode]" if is_valid_postcode(match.group(1) + match.group(2)) else match.group(0)


def passes_luhn(digits: str) -> bool:
    """The check digit payment cards carry, which rules out most long numbers that are not cards."""
    total = 0
    for position, character in enumerate(reversed(digits)):
        value = int(character)
        if position % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0
