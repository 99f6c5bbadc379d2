"""UK postcodes: parse anything a person types, give back the canonical form.

The rules are the published format of the Royal Mail Postcode Address File: an outward code (area and district)
and an inward code (sector digit and two unit letters), with letters that never appear in some positions.
We check the format, not whether a postcode exists: existence is the gazetteer's job.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_FIRST = "ABCDEFGHIJKLMNOPRSTUWYZ"  # never Q, V, X
_SECOND = "ABCDEFGHKLMNOPQRSTUVWXY"  # never I, J, Z
_THIRD = "ABCDEFGHJKPSTUW"  # the letter in A9A outward codes
_FOURTH = "ABEHMNPRVWXY"  # the letter in AA9A outward codes
_UNIT = "ABDEFGHJLNPQRSTUWXYZ"  # never C, I, K, M, O, V

_OUTWARD = (
    f"[{_FIRST}][0-9][0-9]?"  # A9, A99
    f"|[{_FIRST}][{_SECOND}][0-9][0-9]?"  # AA9, AA99
    f"|[{_FIRST}][0-9][{_THIRD}]"  # A9A
    f"|[{_FIRST}][{_SECOND}][0-9][{_FOURTH}]"  # AA9A
)
_POSTCODE = re.compile(rf"^(?P<outward>{_OUTWARD})(?P<inward>[0-9][{_UNIT}]{{2}})$")
_SPECIAL = {"GIR0AA": "GIR 0AA"}  # Girobank's historic postcode, still valid
_SPACES = re.compile(r"\s+")
# A postcode somewhere inside free text: "my postcode is zx1 2ab, thanks"
_IN_TEXT = re.compile(r"\b([A-Za-z]{1,2}[0-9][A-Za-z0-9]?)\s*([0-9][A-Za-z]{2})\b")


class InvalidPostcode(ValueError):
    """The text is not in the format of a UK postcode; the message says why, for a person to read."""


@dataclass(frozen=True, slots=True)
class Postcode:
    outward: str
    inward: str

    def __str__(self) -> str:
        return f"{self.outward} {self.inward}"

    @property
    def area(self) -> str:
        """The letters at the start: "ZX" for "ZX1 2AB"."""
        return re.match(r"[A-Z]+", self.outward).group(0)  # type: ignore[union-attr]

    @property
    def district(self) -> str:
        return self.outward

    @property
    def sector(self) -> str:
        """The outward code and sector digit: "ZX1 2" for "ZX1 2AB"."""
        return f"{self.outward} {self.inward[0]}"


def parse_postcode(text: str) -> Postcode:
    """Parse a postcode typed in any case or spacing; raise InvalidPostcode with a readable reason."""
    if not isinstance(text, str) or not text.strip():
        raise InvalidPostcode("Enter a postcode, like AB1 2CD")
    compact = _SPACES.sub("", text).upper()
    if compact in _SPECIAL:
        outward, inward = _SPECIAL[compact].split()
        return Postcode(outward, inward)
    if len(compact) < 5 or len(compact) > 7:
        raise InvalidPostcode(f"'{text.strip()}' is not a full UK postcode: it should be 5 to 7 letters and numbers")
    match = _POSTCODE.match(compact)
    if match is None:
        raise InvalidPostcode(f"'{text.strip()}' is not in the format of a UK postcode, like AB1 2CD")
    return Postcode(match["outward"], match["inward"])


def normalise_postcode(text: str) -> str:
    """The canonical form, upper case with one space: " zx12ab" -> "ZX1 2AB"."""
    return str(parse_postcode(text))


def is_valid_postcode(text: str) -> bool:
    try:
        parse_postcode(text)
    except InvalidPostcode:
        return False
    return True


def find_postcodes(text: str) -> list[str]:
    """Every well-formed postcode in free text, canonical, in the order they appear."""
    found = []
    for match in _IN_TEXT.finditer(text):
        candidate = match.group(1) + match.group(2)
        if is_valid_postcode(candidate):
            found.append(normalise_postcode(candidate))
    return found
