from datetime import date
from fractions import Fraction

import pytest

from townhall.counciltax.billing import (
    ChargePeriod,
    ExemptionClass,
    FinancialYear,
    Occupancy,
    chargeable_amount,
    discount_for,
    liability_period,
)

BAND_D = 144725
LEAP_YEAR = FinancialYear(2027)  # 1 April 2027 to 31 March 2028, with 29 February 2028


def test_financial_years_have_365_or_366_days() -> None:
    assert FinancialYear(2026).days == 365
    assert LEAP_YEAR.days == 366
    assert LEAP_YEAR.label == "2027/28"
    assert FinancialYear.containing(date(2027, 3, 31)) == FinancialYear(2026)
    assert FinancialYear.containing(date(2027, 4, 1)) == FinancialYear(2027)


def test_someone_moving_in_is_liable_from_that_day() -> None:
    assert liability_period(LEAP_YEAR, moved_in=date(2027, 10, 1)) == (date(2027, 10, 1), date(2028, 3, 31))


def test_someone_moving_out_is_liable_until_the_day_before() -> None:
    assert liability_period(LEAP_YEAR, moved_out=date(2027, 9, 20)) == (date(2027, 4, 1), date(2027, 9, 19))


def test_moving_out_on_1_april_means_no_liability_that_year() -> None:
    with pytest.raises(ValueError, match="not liable"):
        liability_period(LEAP_YEAR, moved_out=date(2027, 4, 1))


def test_mid_year_move_in_a_leap_year_is_charged_by_the_day() -> None:
    first, last = liability_period(LEAP_YEAR, moved_in=date(2027, 10, 1))
    period = ChargePeriod(first, last, Occupancy(adults=2))
    assert period.days == 183
    # 144725 x 183 / 366 = 72362.5 exactly: half a penny, rounded up.
    assert chargeable_amount(BAND_D, LEAP_YEAR, [period]) == 72363


def test_the_same_move_in_an_ordinary_year_divides_by_365() -> None:
    year = FinancialYear(2026)
    first, last = liability_period(year, moved_in=date(2026, 10, 1))
    # 144725 x 182 / 365 = 72164.25
    assert chargeable_amount(BAND_D, year, [ChargePeriod(first, last, Occupancy(adults=2))]) == 72164


def test_whole_year_with_two_adults_is_the_annual_charge() -> None:
    period = ChargePeriod(LEAP_YEAR.first_day, LEAP_YEAR.last_day, Occupancy(adults=2))
    assert chargeable_amount(BAND_D, LEAP_YEAR, [period]) == BAND_D


@pytest.mark.parametrize(
    ("occupancy", "discount"),
    [
        (Occupancy(adults=1), Fraction(1, 4)),
        (Occupancy(adults=2), Fraction(0)),
        (Occupancy(adults=3, disregarded=2), Fraction(1, 4)),  # a parent and two full-time students
        (Occupancy(adults=2, disregarded=2), Fraction(1, 2)),  # everyone disregarded
        (Occupancy(adults=0), Fraction(0)),  # empty: the council's empty-homes rules, not a discount
    ],
)
def test_discounts(occupancy: Occupancy, discount: Fraction) -> None:
    assert discount_for(occupancy) == discount


def test_single_person_discount_for_a_whole_year() -> None:
    period = ChargePeriod(LEAP_YEAR.first_day, LEAP_YEAR.last_day, Occupancy(adults=1))
    assert chargeable_amount(176886, LEAP_YEAR, [period]) == 132665  # 176886 x 3/4 = 132664.5, up


def test_students_only_class_n_exemption_is_nil() -> None:
    period = ChargePeriod(LEAP_YEAR.first_day, LEAP_YEAR.last_day, Occupancy(adults=3, disregarded=3), ExemptionClass.N)
    assert chargeable_amount(BAND_D, LEAP_YEAR, [period]) == 0
    assert "students" in ExemptionClass.N.description


def test_discount_starting_mid_year_is_rounded_once_over_the_whole_bill() -> None:
    periods = [
        ChargePeriod(date(2027, 4, 1), date(2027, 7, 14), Occupancy(adults=2)),
        ChargePeriod(date(2027, 7, 15), date(2028, 1, 9), Occupancy(adults=1)),
        ChargePeriod(date(2028, 1, 10), date(2028, 3, 31), Occupancy(adults=1), ExemptionClass.F),
    ]
    exact = Fraction(BAND_D, 366) * (105 + Fraction(3, 4) * 179 + 0 * 82)
    assert sum(p.days for p in periods) == 366
    assert chargeable_amount(BAND_D, LEAP_YEAR, periods) == int(exact + Fraction(1, 2))


def test_every_exemption_class_has_a_description() -> None:
    assert all(exemption.description for exemption in ExemptionClass)


def test_overlapping_periods_are_refused() -> None:
    periods = [
        ChargePeriod(date(2027, 4, 1), date(2027, 7, 14), Occupancy(adults=2)),
        ChargePeriod(date(2027, 7, 14), date(2027, 8, 1), Occupancy(adults=1)),
    ]
    with pytest.raises(ValueError, match="overlap"):
        chargeable_amount(BAND_D, LEAP_YEAR, periods)


def test_periods_outside_the_year_are_refused() -> None:
    with pytest.raises(ValueError, match="not within 2027/28"):
        chargeable_amount(BAND_D, LEAP_YEAR, [ChargePeriod(date(2027, 3, 1), date(2027, 4, 30), Occupancy(adults=1))])


def test_a_period_cannot_end_before_it_starts() -> None:
    with pytest.raises(ValueError, match="before it starts"):
        ChargePeriod(date(2027, 5, 1), date(2027, 4, 30), Occupancy(adults=1))


def test_more_disregarded_than_adults_is_refused() -> None:
    with pytest.raises(ValueError, match="disregarded"):
        Occupancy(adults=1, disregarded=2)
