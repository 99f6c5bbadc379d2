"""Accounts and signing in: create users, check passwords with rate limits, give each user an audit actor."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from townhall.identity import ratelimit
from townhall.identity.models import User, UserRole
from townhall.identity.passwords import hash_password, needs_rehash, password_matches, password_problem
from townhall.identity.roles import check_role_names, is_staff
from townhall.identity.timeutil import utc_now
from townhall.platform.audit import Actor, record_access
from townhall.platform.errors import Conflict, InvalidInput, TownhallError
from townhall.platform.outbox import WRONG_EMAIL_FORMAT, is_email_address

SIGN_IN_FAILED = "Enter a correct email address and password"  # the same words whichever was wrong


class TooManyAttempts(TownhallError):
    status_code = 429


@dataclass(frozen=True, slots=True)
class SignInAttempt:
    email: str
    password: str
    client: str
    secret: str  # keys the rate-limit hashes


def normalise_email(email: str) -> str:
    cleaned = email.strip().lower()
    if not is_email_address(cleaned):
        raise InvalidInput(WRONG_EMAIL_FORMAT)
    return cleaned


def actor_for(user: User) -> Actor:
    return Actor("user", user.id, is_staff=is_staff(user))


def user_by_email(session: Session, *, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == email.strip().lower()))


def create_user(
    session: Session, *, email: str, password: str | None, roles: list[str], display_name: str = ""
) -> User:
    """A new active user with `roles`; `password` None for staff who only sign in through OIDC."""
    address = normalise_email(email)
    check_role_names(roles)
    if not roles:
        raise InvalidInput("Give the user at least one role")
    if password is not None and (problem := password_problem(password)):
        raise InvalidInput(problem)
    if user_by_email(session, email=address) is not None:
        raise Conflict("An account with that email address already exists")
    user = User(
        email=address,
        display_name=display_name.strip() or address.split("@")[0],
        password_hash=hash_password(password) if password is not None else None,
        is_active=True,
        created_at=utc_now(),
        role_rows=[UserRole(role=role) for role in sorted(set(roles))],
    )
    session.add(user)
    session.flush()
    record_access(session, actor=Actor("system", None), action="create_user", subject_type="user", subject_id=user.id)
    return user


def sign_in(session: Session, *, attempt: SignInAttempt) -> User:
    """The user whose email and password these are; TooManyAttempts when rate-limited; InvalidInput otherwise.

    The message never says whether the email or the password was wrong.
    """
    account_key = ratelimit.limiter_key(attempt.secret, "account", attempt.email)
    client_key = ratelimit.limiter_key(attempt.secret, "client", attempt.client)
    limits = {account_key: ratelimit.MAX_PER_ACCOUNT, client_key: ratelimit.MAX_PER_CLIENT}
    if ratelimit.is_limited(session, keys=limits):
        raise TooManyAttempts("There have been too many attempts to sign in. Wait 15 minutes, then try again.")
    user = user_by_email(session, email=attempt.email)
    matched = password_matches(user.password_hash if user else None, attempt.password)
    if user is None or not matched or not user.is_active:
        ratelimit.record_failure(session, keys=[account_key, client_key])
        raise InvalidInput(SIGN_IN_FAILED)
    ratelimit.clear_failures(session, key=account_key)
    if user.password_hash is not None and needs_rehash(user.password_hash):
        user.password_hash = hash_password(attempt.password)  # the only moment the password is at hand
    record_access(session, actor=actor_for(user), action="sign_in", client=attempt.client)
    return user
