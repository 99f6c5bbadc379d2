"""British surnames with a realistic frequency: a known head and a long tail.

Faker's en_GB list gives the 500 commonest surnames of Great Britain with their share of the population in
percent (Smith 1.15, Jones 0.94, ...). Those 500 add up to 39.5%: the other 60.5% of people carry rarer
surnames. Drawing only from the 500 (normalised to 100%) makes a town far more homogeneous than a real one:
Smith becomes one person in 35 instead of one in 87, and in a million people most full names are shared.

``surname_pool()`` keeps the head as published and gives the missing 60.5% to a long tail:

- real rarer surnames first (Faker's Irish list, names found across Britain too), then
- surnames built the way many English ones were: a place name from two elements (``Ash`` + ``worth``,
  ``Brad`` + ``ley``), and patronymics from given names (``Robert`` -> ``Robertson``, ``Roberts``,
  ``MacRobert``, ``FitzRobert``).

Tail frequencies follow a power law that continues the head smoothly: rank r gets ``w500 * (r / 500) ** -s``,
with the exponent ``s`` solved so the tail adds up to exactly the missing share. The pool is fixed (it does
not depend on any seed); only the draws from it depend on the caller's random generator.
"""

from __future__ import annotations

import re
from functools import cache

import numpy as np

# First elements of English and Scottish place names (a hill, a tree, a river, a person, a colour...).
_PLACE_FIRST = (
    "Ab", "Ack", "Alder", "All", "Alt", "Ap", "Ash", "Ast", "Aus", "Bad", "Bag", "Barn", "Bark", "Bas", "Beck",
    "Bed", "Bel", "Ben", "Bex", "Bick", "Bil", "Birch", "Black", "Blen", "Bol", "Bos", "Bot", "Brad", "Bram",
    "Bran", "Bray", "Brent", "Brid", "Brig", "Brom", "Brook", "Broom", "Brough", "Buck", "Burn", "Bux", "Cal",
    "Cam", "Carl", "Cas", "Chad", "Chal", "Char", "Chat", "Ched", "Chel", "Ches", "Chil", "Chip", "Chis",
    "Church", "Clay", "Clif", "Clip", "Cob", "Cold", "Comp", "Cong", "Cop", "Cot", "Coul", "Crab", "Cran",
    "Cress", "Crom", "Cros", "Crow", "Cud", "Cul", "Dal", "Dar", "Dart", "Daw", "Deb", "Den", "Der", "Dew",
    "Did", "Dit", "Don", "Dor", "Down", "Dray", "Dun", "Dur", "Eas", "Ed", "Eg", "Elm", "Els", "Ers", "Ev", "Ex",
    "Fair", "Fal", "Far", "Fel", "Fen", "Fern", "Fin", "Flam", "Fol", "Fran", "Frem", "Ful", "Gar", "Gat", "Gil",
    "Glad", "Glas", "Gold", "Good", "Gos", "Grim", "Hal", "Han", "Har", "Hart", "Has", "Hat", "Haw", "Hay",
    "Hazel", "Heath", "Hed", "Hel", "Hem", "Hen", "Hes", "Hey", "High", "Hind", "Hol", "Hols", "Hop", "Horn",
    "Hors", "Hud", "Hum", "Hun", "Ick", "Ing", "Ips", "Kel", "Ken", "Ket", "Kid", "Kil", "Kir", "Kirk", "Knap",
    "Lam", "Lang", "Lath", "Lax", "Led", "Lem", "Lid", "Lind", "Ling", "Lit", "Long", "Lud", "Lyn", "Mal",
    "Marl", "Mel", "Mer", "Mid", "Mil", "Mon", "Mor", "Moss", "Mot", "Net", "Nor", "North", "Not", "Oak", "Ock",
    "Old", "Os", "Ot", "Ox", "Pad", "Pal", "Pel", "Pem", "Pen", "Pick", "Pil", "Pres", "Pud", "Rad", "Ram",
    "Rath", "Raw", "Red", "Ren", "Rick", "Rid", "Ring", "Rip", "Rock", "Rom", "Ros", "Roth", "Row", "Rud",
    "Rush", "Rye", "Sal", "Sand", "Sax", "Scar", "Sel", "Shap", "Shel", "Sher", "Ship", "Shir", "Stan", "Stap",
    "Stock", "Stow", "Strat", "Sud", "Sun", "Sut", "Swin", "Tad", "Tam", "Tan", "Thorn", "Thur", "Til", "Tod",
    "Tot", "Tur", "Up", "Wad", "Wal", "Wan", "War", "Wat", "Wel", "Wen", "Wes", "West", "Whit", "Wick", "Wig",
    "Wil", "Win", "Wit", "Wol", "Wood", "Wor", "Wrox", "Yar", "Yeo",
)  # fmt: skip
# Second elements: a farm, a clearing, a ford, a hill, a valley, a wood...
_PLACE_SECOND = (
    "ley", "ton", "ford", "field", "worth", "ham", "by", "thorpe", "wood", "well", "bridge", "croft", "hurst",
    "dale", "den", "don", "stone", "ington", "ingham", "cott", "combe", "more", "stead", "wick", "bury",
    "borough", "land", "hall", "ridge", "shaw", "low", "ney", "ett", "ing", "ey", "away", "brook", "burn",
    "cliffe", "cote", "fold", "gate", "grave", "grove", "holt", "hope", "lake", "mere", "pool", "row", "sey",
    "side", "stall", "stow", "way", "win", "with", "wright", "thwaite", "garth", "ness", "ock", "cock", "kin",
)  # fmt: skip
_TRIPLE = re.compile(r"(.)\1\1")


def _place_names() -> list[str]:
    names = []
    for first in _PLACE_FIRST:
        for second in _PLACE_SECOND:
            # "Hill" + "ley" is written "Hilley", never "Hillley"
            names.append(_TRIPLE.sub(r"\1\1", first + second))
    return names


def _patronymics() -> list[str]:
    from faker.providers.person.en_GB import Provider as British

    names = []
    for given in sorted(set(British.first_names_male)):
        if len(given) < 3 or not given.isalpha():
            continue
        names += [f"{given}son", f"{given}s", f"Mac{given}", f"Fitz{given.lower()}"]
    return names


def _key(name: str) -> str:
    """Names that standardise the same way are one name (O'Brien and OBrien)."""
    return re.sub(r"[^A-Z]", "", name.upper())


@cache
def surname_pool() -> tuple[tuple[str, ...], np.ndarray]:
    """(surnames, probabilities), commonest first; the same on every call and every machine."""
    from faker.providers.person.en_GB import Provider as British
    from faker.providers.person.en_IE import Provider as Irish

    head = sorted(British.last_names.items(), key=lambda item: (-item[1], item[0]))
    seen = {_key(name) for name, _ in head}
    tail: list[str] = []
    # A fixed order (not alphabetical, not seeded by the caller) so that frequency is unrelated to spelling
    order = np.random.default_rng(1881)
    real_rarer = sorted(set(Irish.last_names))
    real_rarer = [real_rarer[i] for i in order.permutation(len(real_rarer))]
    built = _place_names() + _patronymics()
    built = [built[i] for i in order.permutation(len(built))]
    for name in [*real_rarer, *built]:
        if _key(name) not in seen and len(_key(name)) >= 3:
            seen.add(_key(name))
            tail.append(name)
    head_share = np.array([share for _, share in head]) / 100.0
    tail_share = _power_law_tail(float(head_share[-1]), len(head), len(tail), 1.0 - float(head_share.sum()))
    shares = np.concatenate([head_share, tail_share])
    return tuple(name for name, _ in head) + tuple(tail), shares / shares.sum()


def _power_law_tail(last_head_share: float, head_size: int, tail_size: int, total: float) -> np.ndarray:
    """Shares for ranks head_size+1 ... continuing ``last_head_share * (rank / head_size) ** -s``, with ``s``
    found by bisection so that they add up to ``total``."""
    ranks = np.arange(head_size + 1, head_size + tail_size + 1) / head_size

    def tail_sum(exponent: float) -> float:
        return float((last_head_share * ranks**-exponent).sum())

    low, high = 0.0, 5.0  # the sum falls as the exponent grows
    for _ in range(100):
        middle = (low + high) / 2
        if tail_sum(middle) > total:
            low = middle
        else:
            high = middle
    return np.asarray(last_head_share * ranks ** -((low + high) / 2))


def tail_exponent() -> float:
    """The power-law exponent of the tail, for the documentation and tests."""
    _, shares = surname_pool()
    head = 500
    ratio = shares[head] / shares[head - 1]  # rank 501 against rank 500
    return float(-np.log(ratio) / np.log((head + 1) / head))
