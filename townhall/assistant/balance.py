"""A council tax balance through the assistant: only a signed-in resident's own linked accounts.

Anyone else (no one signed in, staff, a resident with no linked account) is told how to sign in and link an
account, and nothing about any account: not whether a reference exists, nor whose it is.
"""

from __future__ import annotations

from townhall.assistant.replies import Link, ReplyPart, part
from townhall.assistant.turns import Turn, uk_date
from townhall.counciltax.charges import format_pounds
from townhall.counciltax.schemas import AccountSummary
from townhall.counciltax.service import account_for_caller
from townhall.identity.linking import links_of
from townhall.identity.models import User

SIGN_IN_LINKS: list[Link] = [
    {"label": "Sign in", "url": "/sign-in"},
    {"label": "Create an account", "url": "/register"},
    {"label": "Link your council tax account", "url": "/account/link"},
]
MOST_ACCOUNTS_SHOWN = 3


def balance_reply(turn: Turn) -> list[ReplyPart]:
    user = turn.session.get(User, turn.user_id) if turn.user_id is not None else None
    if user is None or "resident" not in user.roles:
        return [_with_links(
            "I can only show a council tax balance to the account holder, once they have signed in. Sign in (or "
            "create an account), link your council tax account with the reference on your bill and your "
            "postcode, then ask me again.", SIGN_IN_LINKS)]  # fmt: skip
    linked = links_of(turn.session, user=user)
    if not linked:
        return [_with_links(
            "You are signed in, but no council tax account is linked to you yet. Link it with the reference on "
            "your bill and your postcode, then ask me again.", SIGN_IN_LINKS[2:])]  # fmt: skip
    parts = []
    for link in linked[:MOST_ACCOUNTS_SHOWN]:
        summary = account_for_caller(
            turn.session, reference=link.account_reference, user=user, purpose=None, client=None
        )
        parts.append(
            _with_links(
                account_words(summary), [{"label": "Your account", "url": f"/account/links/{link.id}/council-tax"}]
            )
        )
    return parts


def _with_links(text: str, links: list[Link]) -> ReplyPart:
    return part(text, links=links)


def account_words(summary: AccountSummary) -> str:
    """The account's position in sentences: this year's bill, paid, balance, overdue, next instalment."""
    lines = [
        # the address, not the account number: the number is redacted from the kept transcript, so the resident
        # would read "[account]" when the page shows it again
        f"Your council tax account for {summary.address}, {summary.label}:",
        f"This year's bill is {format_pounds(summary.charge_pence)} and you have paid "
        f"{format_pounds(summary.paid_pence)}{_after_money_back(summary)}.",
    ]
    if summary.balance_pence < 0:
        lines.append(f"You are {format_pounds(-summary.balance_pence)} in credit.")
    else:
        lines.append(f"The balance still to pay this year is {format_pounds(summary.balance_pence)}.")
    if summary.overdue_pence > 0:
        lines.append(f"{format_pounds(summary.overdue_pence)} of it is overdue: please pay it as soon as you can.")
    if summary.next_instalment is not None:
        instalment = summary.next_instalment
        lines.append(f"Your next instalment is {format_pounds(instalment.pence)}, due on {uk_date(instalment.due)}.")
    if summary.earlier_years_balance_pence > 0:
        lines.append(f"Earlier years' bills also have {format_pounds(summary.earlier_years_balance_pence)} to pay.")
    return "\n".join(lines)


def _after_money_back(summary: AccountSummary) -> str:
    """What went back this year, after "you have paid £X" (", after £50.00 refunded to you"), or nothing."""
    back = []
    if summary.refunded_pence:
        back.append(f"{format_pounds(summary.refunded_pence)} refunded to you")
    if summary.returned_pence:
        back.append(f"{format_pounds(summary.returned_pence)} of payments returned")
    return f", after {' and '.join(back)}" if back else ""
