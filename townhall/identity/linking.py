"""Residents linking their account to a council tax account, confirmed with a second fact (the postcode).

Council tax accounts live in another module; the check is behind `AccountLinkVerifier`, chosen in one place
(`default_verifier`): the council tax module's own check, or a stand-in a test or another deployment installs.
"""

from __future__ import annotations

import re
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from townhall.identity import ratelimit
from townhall.identity.models import AccountLink, User
from townhall.identity.roles import require_role
from townhall.identity.service import actor_for
from townhall.identity.timeutil import utc_now
from townhall.platform.audit import record_access
from townhall.platform.errors import Conflict, InvalidInput, NotFound

REFERENCE = re.compile(r"^[A-Z0-9]{6,20}$")
MAX_LINK_FAILURES = 5  # per resident per 15 minutes: a postcode is guessable, so guessing is limited
# and per client address: a new resident account costs nothing, so a limit per resident alone could be walked round
MAX_LINK_FAILURES_PER_CLIENT = 20


class AccountLinkVerifier(Protocol):
    def verify(self, session: Session, reference: str, postcode: str) -> bool:
        """Whether the council tax account `reference` exists and its property is at `postcode`."""
        ...


class CouncilTaxAccounts:
    """Confirms a link against the council tax module's accounts: the account exists and is at that postcode."""

    def verify(self, session: Session, reference: str, postcode: str) -> bool:
        from townhall.counciltax.service import verify_account_link

        return verify_account_link(session, reference=reference, postcode=postcode)


def default_verifier() -> AccountLinkVerifier:
    """The one place the verifier is chosen."""
    return CouncilTaxAccounts()


LONGEST_POSTCODE = 10  # "ZX11 0AA" with spaces to spare


class LinkProblem(InvalidInput):
    """What is wrong with the form, and the field it is about (``reference`` or ``postcode``)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def link_council_tax_account(
    session: Session,
    *,
    user: User,
    reference: str,
    postcode: str,
    verifier: AccountLinkVerifier,
    secret: str,
    client: str,
) -> AccountLink:
    require_role(user, "resident")
    cleaned = re.sub(r"\s+", "", reference).upper()
    if not REFERENCE.match(cleaned):
        raise LinkProblem(
            "reference", "Enter your council tax account reference: 6 to 20 letters and numbers, from your bill"
        )
    if not postcode.strip():
        raise LinkProblem("postcode", "Enter the postcode of the property the account is for")
    if len(postcode.strip()) > LONGEST_POSTCODE:
        raise LinkProblem("postcode", "Enter the postcode only, like ZX1 0AA, not the whole address")
    keys = {
        ratelimit.limiter_key(secret, "link", str(user.id)): MAX_LINK_FAILURES,
        ratelimit.limiter_key(secret, "link-client", client): MAX_LINK_FAILURES_PER_CLIENT,
    }
    if ratelimit.is_limited(session, keys=keys):
        from townhall.identity.service import TooManyAttempts

        raise TooManyAttempts("There have been too many attempts to link an account. Wait 15 minutes.")
    if not verifier.verify(session, cleaned, postcode):
        ratelimit.record_failure(session, keys=list(keys))
        raise InvalidInput("We could not find a council tax account with that reference and postcode")
    existing = session.scalar(
        select(AccountLink).where(AccountLink.user_id == user.id, AccountLink.account_reference == cleaned)
    )
    if existing is not None:
        raise Conflict("That council tax account is already linked to your account")
    link = AccountLink(user_id=user.id, account_reference=cleaned, linked_at=utc_now())
    session.add(link)
    session.flush()
    record_access(session, actor=actor_for(user), action="link_council_tax_account",
                  subject_type="council_tax_account", subject_id=cleaned)  # fmt: skip
    return link


def links_of(session: Session, *, user: User) -> list[AccountLink]:
    return list(session.scalars(select(AccountLink).where(AccountLink.user_id == user.id).order_by(AccountLink.id)))


def own_link(session: Session, *, user: User, link_id: int) -> AccountLink:
    """One of the resident's own links; another resident's link is "not found", never shown."""
    link = session.get(AccountLink, link_id)
    if link is None or link.user_id != user.id:
        raise NotFound("There is no linked account with that number on your account")
    return link


def unlink(session: Session, *, user: User, link_id: int) -> None:
    link = own_link(session, user=user, link_id=link_id)
    session.delete(link)
    record_access(session, actor=actor_for(user), action="unlink_council_tax_account",
                  subject_type="council_tax_account", subject_id=link.account_reference)  # fmt: skip
