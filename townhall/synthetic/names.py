"""Realistic British names, drawn in bulk: first names from Faker's en_GB lists, surnames by their frequency
(``townhall.synthetic.surnames``: the 500 commonest at their published shares, then a long tail)."""

from __future__ import annotations

from functools import cache

import numpy as np
from faker.providers.person.en_GB import Provider as BritishNames

from townhall.synthetic.surnames import surname_pool


@cache
def _surnames() -> tuple[list[str], np.ndarray]:
    names, shares = surname_pool()
    return list(names), shares


class NameDrawer:
    """Draws names from one generator; pre-draws indices in blocks because single draws are slow."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self.female = list(BritishNames.first_names_female)
        self.male = list(BritishNames.first_names_male)
        self.surnames, self.surname_weights = _surnames()
        self._surname_block: list[int] = []

    def first_name(self, sex: str) -> str:
        names = self.female if sex == "F" else self.male
        return names[int(self.rng.integers(len(names)))]

    def middle_name(self, sex: str) -> str | None:
        return self.first_name(sex) if self.rng.random() < 0.6 else None

    def surname(self) -> str:
        if not self._surname_block:
            self._surname_block = self.rng.choice(len(self.surnames), size=4096, p=self.surname_weights).tolist()
        return self.surnames[self._surname_block.pop()]
