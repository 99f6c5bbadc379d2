"""Money in and money going back on a council tax account: which payment `method`s give money back, and the words
a resident reads for each line of their payments.

A payment is signed whole pence. Money in (a direct debit collected, a card payment, a bank transfer: the method is
whatever the revenues system calls it) is 0 or more. Money going back is negative, and its method says which: a
refund of a credit to the resident, or a payment that came back (a direct debit returned unpaid or recalled under
the Direct Debit Guarantee, a card chargeback, a bounced cheque or a recalled transfer). One signed column keeps
"paid so far" a plain sum everywhere it is used (the balance, the instalments covered, earlier years' arrears), as
revenues systems' own extracts carry it, and needs no second table that a query could forget.
"""

from __future__ import annotations

from typing import Literal

PaymentKind = Literal["payment", "refund", "returned"]

REFUND = "refund"
DIRECT_DEBIT_RETURN = "direct debit return"
# The methods of money going back (each fits the table's 20 characters), their kind and what the resident reads
MONEY_BACK: dict[str, tuple[PaymentKind, str]] = {
    REFUND: ("refund", "Refund to you"),
    DIRECT_DEBIT_RETURN: ("returned", "Direct debit returned"),
    "card chargeback": ("returned", "Card payment reversed"),
    "returned payment": ("returned", "Payment returned"),
}
MONEY_BACK_NAMES = ", ".join(list(MONEY_BACK)[:-1]) + f" or {list(MONEY_BACK)[-1]}"  # for messages


def payment_method(text: str) -> str:
    """A method of money going back in its one spelling ("Refund" is "refund"), so that the table can be queried
    for it; any other method as it is."""
    lowered = text.lower()
    return lowered if lowered in MONEY_BACK else text


def is_money_back(method: str) -> bool:
    return method in MONEY_BACK


def kind_of(method: str) -> PaymentKind:
    return MONEY_BACK[method][0] if method in MONEY_BACK else "payment"


def payment_words(method: str) -> str:
    """What a resident reads for a payment: "Refund to you", "Direct debit returned", or the method ("Card")."""
    if method in MONEY_BACK:
        return MONEY_BACK[method][1]
    return method[:1].upper() + method[1:] if method else "Payment"
