from fractions import Fraction

import pytest

from townhall.counciltax.charges import (
    BAND_PROPORTIONS,
    Band,
    BodyKind,
    Precept,
    band_charge,
    charge_for_band,
    format_pounds,
    round_half_up,
)

BAND_D_1447_25 = 144725


@pytest.mark.parametrize(
    ("band", "pence"),
    [
        (Band.A, 96483),  # published: £964.83
        (Band.B, 112564),
        (Band.C, 128644),
        (Band.D, 144725),
        (Band.E, 176886),  # published: £1,768.86
        (Band.F, 209047),
        (Band.G, 241208),
        (Band.H, 289450),  # published: £2,894.50
    ],
)
def test_every_band_from_band_d_1447_25(band: Band, pence: int) -> None:
    assert band_charge(BAND_D_1447_25, band) == pence


def test_proportions_are_the_statutory_ninths() -> None:
    assert [BAND_PROPORTIONS[b] * 9 for b in Band] == [6, 7, 8, 9, 11, 13, 15, 18]


def test_round_half_up_rounds_halves_up_not_to_even() -> None:
    assert round_half_up(Fraction(5, 2)) == 3
    assert round_half_up(Fraction(7, 2)) == 4
    assert round_half_up(Fraction(249, 100)) == 2
    assert round_half_up(Fraction(0)) == 0


def test_known_facts_hold_when_band_d_is_split_between_bodies() -> None:
    precepts = [
        Precept("Anytown District Council", BodyKind.DISTRICT, 100001),
        Precept("Shire County Council", BodyKind.COUNTY, 44724),
    ]
    assert charge_for_band(precepts, Band.A).total_pence == 96483
    assert charge_for_band(precepts, Band.E).total_pence == 176886
    assert charge_for_band(precepts, Band.H).total_pence == 289450


def test_each_body_is_rounded_on_its_own_and_the_bill_adds_the_lines() -> None:
    # Two bodies of £1.00 at Band D: each Band A line is 66.67p, rounded to 67p; the total 134p, not 133p.
    precepts = [Precept("Parish", BodyKind.PARISH, 100), Precept("Fire", BodyKind.FIRE, 100)]
    charge = charge_for_band(precepts, Band.A)
    assert [line.pence for line in charge.lines] == [67, 67]
    assert charge.total_pence == 134


def test_a_charge_keeps_one_line_per_body_in_order() -> None:
    precepts = [
        Precept("Anytown District Council", BodyKind.DISTRICT, 21000),
        Precept("Shire County Council", BodyKind.COUNTY, 160000),
        Precept("Shire Police", BodyKind.POLICE, 26000),
        Precept("Shire Fire", BodyKind.FIRE, 8500),
        Precept("Little Snoring Parish", BodyKind.PARISH, 4500),
    ]
    charge = charge_for_band(precepts, Band.C)
    assert [line.kind for line in charge.lines] == list(BodyKind)
    assert charge.total_pence == sum(band_charge(p.band_d_pence, Band.C) for p in precepts)


def test_negative_band_d_is_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        band_charge(-1, Band.A)


def test_format_pounds() -> None:
    assert format_pounds(176886) == "£1,768.86"
    assert format_pounds(5) == "£0.05"
    assert format_pounds(-300) == "-£3.00"
