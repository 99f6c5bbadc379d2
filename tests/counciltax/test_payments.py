"""Money in and money going back: which methods give money back, in one spelling, and what the resident reads."""

from __future__ import annotations

import pytest

from townhall.counciltax.payments import MONEY_BACK, MONEY_BACK_NAMES, kind_of, payment_method, payment_words


@pytest.mark.parametrize(
    ("method", "kind", "words"),
    [
        ("refund", "refund", "Refund to you"),
        ("direct debit return", "returned", "Direct debit returned"),
        ("card chargeback", "returned", "Card payment reversed"),
        ("returned payment", "returned", "Payment returned"),
        ("direct debit", "payment", "Direct debit"),
        ("BACS", "payment", "BACS"),
        ("", "payment", "Payment"),
    ],
)
def test_each_method_has_a_kind_and_plain_words(method: str, kind: str, words: str) -> None:
    assert (kind_of(method), payment_words(method)) == (kind, words)


def test_money_going_back_has_one_spelling_and_other_methods_stay_as_written() -> None:
    assert payment_method("Direct Debit Return") == "direct debit return"
    assert payment_method("REFUND") == "refund"
    assert payment_method("Direct Debit") == "Direct Debit"


def test_every_method_of_money_going_back_fits_the_table_and_is_named_in_messages() -> None:
    assert all(len(method) <= 20 for method in MONEY_BACK)
    assert MONEY_BACK_NAMES == "refund, direct debit return, card chargeback or returned payment"
