from datetime import date

import pytest

from townhall.counciltax.billing import FinancialYear
from townhall.counciltax.instalments import (
    Instalment,
    InstalmentTerms,
    Payment,
    account_position,
    instalments_for,
    revised_instalments,
    split_evenly,
)

YEAR = FinancialYear(2026)
BAND_E = 176886
BILLED = date(2026, 3, 10)


def pay(plan: tuple[Instalment, ...], up_to: date) -> list[Payment]:
    """Each instalment paid in full on its due date, up to `up_to`."""
    return [Payment(i.due, i.pence) for i in plan if i.due <= up_to]


def test_ten_instalments_april_to_january_first_takes_the_odd_pennies() -> None:
    plan = instalments_for(BAND_E, YEAR, billed_on=BILLED)
    assert [i.due for i in plan] == [date(2026, m, 1) for m in range(4, 13)] + [date(2027, 1, 1)]
    assert [i.pence for i in plan] == [17694] + [17688] * 9
    assert sum(i.pence for i in plan) == BAND_E


def test_twelve_instalments_on_the_15th_run_april_to_march() -> None:
    plan = instalments_for(BAND_E, YEAR, InstalmentTerms(months=12, day_of_month=15), billed_on=BILLED)
    assert plan[0].due == date(2026, 4, 15) and plan[-1].due == date(2027, 3, 15)
    assert len({i.pence for i in plan[1:]}) == 1
    assert sum(i.pence for i in plan) == BAND_E


@pytest.mark.parametrize("amount", [0, 1, 9, 10, 11, 99999, 144725, 289450, 1234567])
@pytest.mark.parametrize("count", [1, 3, 10, 12])
def test_split_always_adds_up_and_only_the_first_differs(amount: int, count: int) -> None:
    shares = split_evenly(amount, count)
    assert sum(shares) == amount and len(shares) == count
    assert len(set(shares[1:])) <= 1
    assert 0 <= shares[0] - shares[-1] < count


def test_a_bill_issued_mid_year_uses_the_months_with_14_days_notice() -> None:
    plan = instalments_for(100000, YEAR, billed_on=date(2026, 9, 18))
    # 1 October is 13 days away: too soon, so November to January.
    assert [i.due for i in plan] == [date(2026, 11, 1), date(2026, 12, 1), date(2027, 1, 1)]
    assert [i.pence for i in plan] == [33334, 33333, 33333]


def test_a_bill_issued_after_the_last_instalment_month_is_one_instalment_14_days_later() -> None:
    plan = instalments_for(50000, YEAR, billed_on=date(2027, 2, 10))
    assert plan == (Instalment(date(2027, 2, 24), 50000),)


@pytest.mark.parametrize(("months", "day"), [(11, 1), (10, 0), (10, 29)])
def test_terms_are_checked(months: int, day: int) -> None:
    with pytest.raises(ValueError, match="instalment"):
        InstalmentTerms(months=months, day_of_month=day)


def test_recalculated_mid_year_keeps_payments_and_spreads_the_rest() -> None:
    plan = instalments_for(BAND_E, YEAR, billed_on=BILLED)
    payments = pay(plan, date(2026, 10, 1))  # April to October paid: 17694 + 6 x 17688 = 123822
    new_charge = 160000
    revised = revised_instalments(plan, new_charge, payments=payments, revised_on=date(2026, 10, 12))
    assert revised[0] == Instalment(date(2026, 10, 12), 123822, settled=True)
    # 36178 left over November to January; the first takes the odd penny.
    assert [(i.due, i.pence) for i in revised[1:]] == [
        (date(2026, 11, 1), 12060),
        (date(2026, 12, 1), 12059),
        (date(2027, 1, 1), 12059),
    ]
    assert sum(i.pence for i in revised) == new_charge


def test_recalculation_within_14_days_of_an_instalment_skips_it() -> None:
    plan = instalments_for(BAND_E, YEAR, billed_on=BILLED)
    revised = revised_instalments(plan, BAND_E, payments=pay(plan, date(2026, 10, 1)), revised_on=date(2026, 10, 20))
    assert [i.due for i in revised if not i.settled] == [date(2026, 12, 1), date(2027, 1, 1)]
    assert sum(i.pence for i in revised) == BAND_E


def test_arrears_at_recalculation_are_part_of_the_balance_spread() -> None:
    plan = instalments_for(BAND_E, YEAR, billed_on=BILLED)
    payments = pay(plan, date(2026, 6, 1))  # stopped paying after June
    revised = revised_instalments(plan, BAND_E, payments=payments, revised_on=date(2026, 10, 12))
    assert sum(i.pence for i in revised) == BAND_E
    assert revised[0].pence == sum(p.pence for p in payments)


def test_recalculation_to_less_than_was_paid_leaves_a_credit() -> None:
    plan = instalments_for(BAND_E, YEAR, billed_on=BILLED)
    payments = pay(plan, date(2026, 10, 1))
    revised = revised_instalments(plan, 100000, payments=payments, revised_on=date(2026, 10, 12))
    assert revised == (Instalment(date(2026, 10, 12), 100000, settled=True),)
    position = account_position(100000, revised, payments, today=date(2026, 10, 12))
    assert position.balance_pence == 100000 - 123822  # a credit of £238.22
    assert position.overdue_pence == 0 and position.next_instalment is None


def test_account_on_time_shows_the_next_instalment() -> None:
    plan = instalments_for(BAND_E, YEAR, billed_on=BILLED)
    position = account_position(BAND_E, plan, pay(plan, date(2026, 6, 1)), today=date(2026, 6, 15))
    assert position.paid_pence == 17694 + 2 * 17688
    assert position.balance_pence == BAND_E - position.paid_pence
    assert position.overdue_pence == 0
    assert position.next_instalment == Instalment(date(2026, 7, 1), 17688)


def test_a_missed_instalment_is_overdue_the_day_after_it_was_due() -> None:
    plan = instalments_for(BAND_E, YEAR, billed_on=BILLED)
    payments = pay(plan, date(2026, 5, 1))
    assert account_position(BAND_E, plan, payments, today=date(2026, 6, 1)).overdue_pence == 0
    late = account_position(BAND_E, plan, payments, today=date(2026, 6, 2))
    assert late.overdue_pence == 17688
    assert late.next_instalment == Instalment(date(2026, 7, 1), 17688)


def test_part_payment_in_advance_reduces_the_next_instalment() -> None:
    plan = instalments_for(BAND_E, YEAR, billed_on=BILLED)
    payments = [*pay(plan, date(2026, 5, 1)), Payment(date(2026, 5, 20), 10000)]
    position = account_position(BAND_E, plan, payments, today=date(2026, 5, 21))
    assert position.next_instalment == Instalment(date(2026, 6, 1), 7688)


def test_payments_after_today_are_not_counted() -> None:
    plan = instalments_for(BAND_E, YEAR, billed_on=BILLED)
    position = account_position(BAND_E, plan, [Payment(date(2026, 4, 2), BAND_E)], today=date(2026, 4, 1))
    assert position.paid_pence == 0
    assert position.next_instalment == plan[0]


def test_fully_paid_account_has_nothing_next() -> None:
    plan = instalments_for(BAND_E, YEAR, billed_on=BILLED)
    position = account_position(BAND_E, plan, [Payment(date(2026, 4, 1), BAND_E)], today=date(2026, 4, 2))
    assert position.balance_pence == 0 and position.next_instalment is None


# --- money going back: refunds and returned payments are negative payments ---------------------------------------


def test_a_returned_direct_debit_leaves_its_instalment_unpaid_and_overdue_again() -> None:
    plan = instalments_for(BAND_E, YEAR, billed_on=BILLED)
    payments = [*pay(plan, date(2026, 6, 1)), Payment(date(2026, 6, 5), -17688)]  # June's collection returned
    before = account_position(BAND_E, plan, payments, today=date(2026, 6, 4))
    assert before.overdue_pence == 0 and before.paid_pence == 17694 + 2 * 17688
    after = account_position(BAND_E, plan, payments, today=date(2026, 6, 5))
    assert after.paid_pence == 17694 + 17688 and after.overdue_pence == 17688
    assert after.balance_pence == BAND_E - after.paid_pence
    assert after.next_instalment == Instalment(date(2026, 7, 1), 17688)


def test_a_refund_of_a_credit_brings_the_balance_back_to_nothing() -> None:
    plan = instalments_for(BAND_E, YEAR, billed_on=BILLED)
    payments = pay(plan, date(2026, 10, 1))
    revised = revised_instalments(plan, 100000, payments=payments, revised_on=date(2026, 10, 12))
    refunded = [*payments, Payment(date(2026, 11, 9), -23822)]
    position = account_position(100000, revised, refunded, today=date(2026, 11, 9))
    assert (position.paid_pence, position.balance_pence, position.overdue_pence) == (100000, 0, 0)


def test_a_revised_plan_counts_only_what_stayed_paid() -> None:
    plan = instalments_for(BAND_E, YEAR, billed_on=BILLED)
    payments = [*pay(plan, date(2026, 5, 1)), Payment(date(2026, 5, 6), -17688)]  # May's returned before revising
    revised = revised_instalments(plan, 150000, payments=payments, revised_on=date(2026, 5, 10))
    assert revised[0] == Instalment(date(2026, 5, 10), 17694, settled=True)
    assert sum(i.pence for i in revised) == 150000


def test_a_revised_plan_never_opens_with_a_negative_paid() -> None:
    plan = instalments_for(BAND_E, YEAR, billed_on=BILLED)
    revised = revised_instalments(plan, 150000, payments=[Payment(date(2026, 4, 2), -500)], revised_on=date(2026, 4, 9))
    assert all(not i.settled for i in revised) and sum(i.pence for i in revised) == 150000


def test_a_bill_of_nothing_has_no_instalments() -> None:
    assert instalments_for(0, YEAR, billed_on=date(2026, 3, 10)) == ()
