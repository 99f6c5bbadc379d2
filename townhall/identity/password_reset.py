"""Resetting a forgotten password with a link sent by email.

Asking never says whether an account uses the address: the answer is the same, and only a real account with a
password gets an email. The link holds a random token; only its SHA-256 is stored, it works once, for an hour,
and a newer link replaces it. Setting the new password ends every session the account had.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from townhall.identity import ratelimit
from townhall.identity.email_links import EmailWording, looks_like_token, new_token, token_hash
from townhall.identity.models import PasswordResetToken, User
from townhall.identity.passwords import hash_password, password_problem
from townhall.identity.service import TooManyAttempts, actor_for, normalise_email, user_by_email
from townhall.identity.sessions import end_all_sessions
from townhall.identity.timeutil import as_utc, utc_now
from townhall.platform.audit import SYSTEM, record_access
from townhall.platform.errors import InvalidInput, NotFound
from townhall.platform.outbox import queue_email

LINK_LIFETIME = timedelta(hours=1)
# Requests in ratelimit.WINDOW (15 minutes): a few per address (a resident's inbox is not to be flooded), more per
# client address (a household or an office shares one).
MAX_REQUESTS_PER_EMAIL = 3
MAX_REQUESTS_PER_CLIENT = 10
NO_EMAIL = "Enter your email address"


class ResetLinkExpired(NotFound):
    """The link is unknown, used or too old: the person asks for a new one."""


def request_reset_link(
    session: Session, *, email: str, client: str, secret: str, wording: EmailWording
) -> None:  # fmt: skip
    """Queue a reset link for the account with this email, if there is one that signs in with a password.

    Returns nothing either way, so a caller cannot tell. InvalidInput for an address that is not one;
    TooManyAttempts after MAX_REQUESTS_PER_EMAIL for the address or MAX_REQUESTS_PER_CLIENT from the client, in
    15 minutes, whether or not an account exists.
    """
    if not email.strip():
        raise InvalidInput(NO_EMAIL)
    address = normalise_email(email)
    keys = {
        ratelimit.limiter_key(secret, "reset", address): MAX_REQUESTS_PER_EMAIL,
        ratelimit.limiter_key(secret, "reset-client", client): MAX_REQUESTS_PER_CLIENT,
    }
    if ratelimit.is_limited(session, keys=keys):
        raise TooManyAttempts("You have asked for too many links. Wait 15 minutes, then try again.")
    ratelimit.record_failure(session, keys=list(keys))  # every request counts, not only failures
    user = user_by_email(session, email=address)
    if user is None or not user.is_active or user.password_hash is None:
        return  # staff who sign in with their work account reset their password there
    token = _new_token(session, user=user)
    queue_email(
        session, recipient=user.email, subject=f"Reset your password - {wording.council_name}",
        body=_link_email(wording, f"{wording.public_url}/password-reset/{token}"),
    )  # fmt: skip
    record_access(session, actor=SYSTEM, action="password_reset_link_sent", subject_type="user", subject_id=user.id,
                  client=client)  # fmt: skip


def _new_token(session: Session, *, user: User) -> str:
    now = utc_now()
    # A new link replaces the user's earlier ones; links past their hour are nobody's any more.
    session.execute(
        delete(PasswordResetToken).where(
            (PasswordResetToken.user_id == user.id) | (PasswordResetToken.expires_at < now)
        )
    )  # fmt: skip
    token, kept = new_token()
    session.add(PasswordResetToken(token_hash=kept, user_id=user.id, created_at=now, expires_at=now + LINK_LIFETIME))
    session.flush()
    return token


def _link_email(wording: EmailWording, link: str) -> str:
    return (
        f"Someone asked to reset the password for your {wording.council_name} account.\n\n"
        f"To choose a new password, open this link within 1 hour:\n\n{link}\n\n"
        "The link works once. If you did not ask, you can ignore this email: your password has not changed.\n"
    )


def usable_link(session: Session, *, token: str) -> PasswordResetToken:
    """The unused, unexpired reset link this token opens; ResetLinkExpired otherwise."""
    row = None
    if looks_like_token(token):
        row = session.scalar(select(PasswordResetToken).where(PasswordResetToken.token_hash == token_hash(token)))
    if row is None or row.used_at is not None or utc_now() >= as_utc(row.expires_at):
        raise ResetLinkExpired("This link to reset your password has expired or has already been used")
    return row


@dataclass(frozen=True, slots=True)
class NewPassword:
    token: str
    password: str
    confirm: str
    client: str
    secret: str  # keys the sign-in rate limit whose failures are cleared


class PasswordMismatch(InvalidInput):
    """The confirmation differs: the message belongs by the second field."""


def reset_password(session: Session, *, new: NewPassword, wording: EmailWording) -> User:
    """Set the password a valid link's account signs in with; the link is used up and every session ended.

    ResetLinkExpired for a link that cannot be used; InvalidInput (PasswordMismatch) for a password that cannot.
    """
    link = usable_link(session, token=new.token)
    if problem := password_problem(new.password):
        raise InvalidInput(problem)
    if new.password != new.confirm:
        raise PasswordMismatch("The passwords do not match")
    # Used up in the same statement that checks it is unused: of two submissions at once, one wins.
    used = session.execute(
        update(PasswordResetToken)
        .where(PasswordResetToken.id == link.id, PasswordResetToken.used_at.is_(None))
        .values(used_at=utc_now())
        .execution_options(synchronize_session=False)
    )
    if getattr(used, "rowcount", 0) != 1:
        raise ResetLinkExpired("This link to reset your password has expired or has already been used")
    user = session.get_one(User, link.user_id)
    user.password_hash = hash_password(new.password)
    end_all_sessions(session, user_id=user.id)
    ratelimit.clear_failures(session, key=ratelimit.limiter_key(new.secret, "account", user.email))
    record_access(session, actor=actor_for(user), action="password_reset", client=new.client)
    _tell_password_changed(session, user=user, wording=wording)
    return user


def _tell_password_changed(session: Session, *, user: User, wording: EmailWording) -> None:
    # The owner hears of every change, so a reset they did not make does not go unnoticed.
    body = (
        f"The password for your {wording.council_name} account has just been changed, and every device signed in "
        f"to it has been signed out.\n\nIf this was not you, call us now on {wording.council_phone}.\n"
    )
    subject = f"Your password has been changed - {wording.council_name}"
    queue_email(session, recipient=user.email, subject=subject, body=body)
