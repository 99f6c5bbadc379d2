"""Creating a resident's account: confirmed from the email address before the account exists.

Registering sends an email and answers "check your email" whatever the address, so the page never says whether
an address already has an account, and no one can take an address they cannot read. A new address gets a link
that makes the account (once, within 24 hours); an address that has an account already gets an email saying so,
with the ways to sign in. Attempts are rate-limited per client address.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from townhall.identity import ratelimit
from townhall.identity.email_links import EmailWording, looks_like_token, new_token, token_hash
from townhall.identity.models import PendingRegistration, User
from townhall.identity.passwords import hash_password, password_problem
from townhall.identity.service import TooManyAttempts, create_user, normalise_email, user_by_email
from townhall.identity.timeutil import as_utc, utc_now
from townhall.platform.errors import Conflict, InvalidInput, NotFound
from townhall.platform.outbox import OutboxMessage, queue_email

LINK_LIFETIME = timedelta(hours=24)
# Attempts from one client address in ratelimit.WINDOW: a household or an office shares one, but making accounts
# in bulk, or sending confirmation emails to address after address, is stopped
MAX_REGISTRATIONS_PER_CLIENT = 10


class RegistrationLinkExpired(NotFound):
    """The link is unknown, used or more than a day old: the person registers again."""


class PasswordProblem(InvalidInput):
    """The password cannot be used: the message belongs by the password field."""


class PasswordMismatch(InvalidInput):
    """The confirmation differs: the message belongs by the second field."""


def start_registration(
    session: Session, *, email: str, password: str, confirm: str, client: str, secret: str, wording: EmailWording
) -> OutboxMessage:
    """Check the form and email the address: a link that makes the account, or word that it has one already.

    Returns the email queued (the demo, which sends none, shows it). InvalidInput for a form to correct;
    TooManyAttempts once ``client`` has tried MAX_REGISTRATIONS_PER_CLIENT times in the window.
    """
    client_key = ratelimit.limiter_key(secret, "register-client", client)
    if ratelimit.is_limited(session, keys={client_key: MAX_REGISTRATIONS_PER_CLIENT}):
        raise TooManyAttempts(
            "There have been too many attempts to create an account. Wait 15 minutes, then try again."
        )
    ratelimit.record_failure(session, keys=[client_key])  # every attempt counts, kept even when it is refused
    address = normalise_email(email)
    if problem := password_problem(password):
        raise PasswordProblem(problem)
    if password != confirm:
        raise PasswordMismatch("The passwords do not match")
    # Both answers cost one password hash (about 0.1 s), so the time taken cannot tell whether an address has an
    # account any more than the page can
    password_hash = hash_password(password)
    if user_by_email(session, email=address) is not None:
        return queue_email(session, recipient=address, subject=f"You already have an account - {wording.council_name}",
                           body=_already_registered(wording))  # fmt: skip
    token = _new_link(session, email=address, password_hash=password_hash)
    link = f"{wording.public_url}/register/confirm/{token}"
    return queue_email(session, recipient=address, subject=f"Confirm your email address - {wording.council_name}",
                       body=_confirm_email(wording, link))  # fmt: skip


def _new_link(session: Session, *, email: str, password_hash: str) -> str:
    now = utc_now()
    # A newer request replaces the address's earlier ones; requests past their day are nobody's any more
    session.execute(
        delete(PendingRegistration).where((PendingRegistration.email == email) | (PendingRegistration.expires_at < now))
    )
    token, kept = new_token()
    session.add(
        PendingRegistration(
            token_hash=kept, email=email, password_hash=password_hash, created_at=now,
            expires_at=now + LINK_LIFETIME,
        )
    )  # fmt: skip
    session.flush()
    return token


def _confirm_email(wording: EmailWording, link: str) -> str:
    return (
        f"Someone asked to create a {wording.council_name} account with this email address.\n\n"
        f"To create it, open this link within 24 hours:\n\n{link}\n\n"
        "If you did not ask, you can ignore this email: no account will be made.\n"
    )


def _already_registered(wording: EmailWording) -> str:
    return (
        f"Someone asked to create a {wording.council_name} account with this email address, but it has one "
        f"already.\n\nSign in at {wording.public_url}/sign-in. If you have forgotten your password, choose a new "
        f"one at {wording.public_url}/password-reset.\n\n"
        "If you did not ask, you can ignore this email: nothing has changed.\n"
    )


def pending_registration(session: Session, *, token: str) -> PendingRegistration:
    """The registration this link confirms, while it can; RegistrationLinkExpired otherwise."""
    row = None
    if looks_like_token(token):
        row = session.scalar(select(PendingRegistration).where(PendingRegistration.token_hash == token_hash(token)))
    if row is None or utc_now() >= as_utc(row.expires_at):
        raise RegistrationLinkExpired("This link to create your account has expired or has already been used")
    return row


def confirm_registration(session: Session, *, token: str) -> User:
    """Make the account the link was sent for, with the password chosen then; the link is used up.

    RegistrationLinkExpired for a link that cannot be used; Conflict when the address has had an account made
    since (another link followed first).
    """
    pending = pending_registration(session, token=token)
    session.delete(pending)
    session.flush()
    if user_by_email(session, email=pending.email) is not None:
        raise Conflict("An account with this email address has been made already. Sign in with it.")
    user = create_user(session, email=pending.email, password=None, roles=["resident"])
    user.password_hash = pending.password_hash  # chosen when they registered; never held in plain text since
    return user
