"""Staff accounts, passwords, server-side sessions, API tokens and sign-in throttling."""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from destinations.auth.models import ROLES, ApiToken, StaffSession, User
from destinations.database import utcnow
from destinations.security import ratelimit

MIN_PASSWORD_LENGTH = 12
TOKEN_SCOPES = ("read", "write")
_hasher = PasswordHasher()
# Verifying against this when no account matches keeps the timing of an unknown
# email close to that of a wrong password.
_DUMMY_HASH = _hasher.hash("not a real password")


class AccountError(ValueError):
    """A problem with account details, with a message for the person who typed them."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def configure_hasher(time_cost: int | None = None, memory_cost: int | None = None) -> None:
    global _hasher, _DUMMY_HASH
    if time_cost or memory_cost:
        _hasher = PasswordHasher(time_cost=time_cost or 2, memory_cost=memory_cost or 65536, parallelism=1)
        _DUMMY_HASH = _hasher.hash("not a real password")


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def hash_secret(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def check_password_rules(password: str) -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise AccountError(
            "password", f"Password must be at least {MIN_PASSWORD_LENGTH} characters long."
        )


def hash_password(password: str) -> str:
    """An argon2 hash with the configured cost (for bulk loaders that hash once)."""
    return _hasher.hash(password)


def set_password(user: User, password: str) -> None:
    check_password_rules(password)
    user.password_hash = _hasher.hash(password)


def create_user(
    session: Session,
    *,
    email: str,
    name: str,
    role: str,
    password: str | None = None,
    provider_id: int | None = None,
) -> User:
    email = normalise_email(email)
    if "@" not in email or email.startswith("@") or email.endswith("@"):
        raise AccountError("email", "Enter an email address in the correct format, like name@example.gov.uk.")
    if role not in ROLES:
        raise AccountError("role", f"Role must be one of: {', '.join(ROLES)}.")
    if provider_id is not None and role != "college":
        raise AccountError("provider_id", "Only college users belong to a provider.")
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise AccountError("email", f"There is already an account for {email}.")
    user = User(email=email, name=(name or "").strip() or email.split("@")[0], role=role, provider_id=provider_id)
    if password is not None:
        set_password(user, password)
    session.add(user)
    session.flush()
    return user


def generate_password() -> str:
    return secrets.token_urlsafe(15)


@dataclass
class SignInResult:
    user: User | None
    throttled: bool = False
    account_id: int | None = None  # the account a failed attempt named, for the audit log


def _throttle_keys(email: str, address: str | None) -> tuple[str, str]:
    return ratelimit.bucket_key("sign-in", "account", email), ratelimit.bucket_key("sign-in", "address", address or "-")


def authenticate(
    session: Session,
    email: str,
    password: str,
    *,
    address: str | None,
    now: datetime,
    window: timedelta,
    max_per_account: int,
    max_per_address: int,
) -> SignInResult:
    """Check email and password, counting failures per account and per address."""
    email = normalise_email(email)
    account_key, address_key = _throttle_keys(email, address)
    if (
        ratelimit.count(session, account_key, now, window) >= max_per_account
        or ratelimit.count(session, address_key, now, window) >= max_per_address
    ):
        return SignInResult(user=None, throttled=True)
    user = session.scalar(select(User).where(User.email == email))
    ok = False
    try:
        ok = _hasher.verify(user.password_hash if user and user.password_hash else _DUMMY_HASH, password or "")
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok or user is None or not user.active or not user.password_hash:
        ratelimit.hit(session, account_key, now, window)
        ratelimit.hit(session, address_key, now, window)
        return SignInResult(user=None, account_id=user.id if user else None)
    ratelimit.reset(session, account_key)
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return SignInResult(user=user)


def start_session(session: Session, user: User) -> str:
    """Open a server-side session and return its key (kept only in the signed cookie)."""
    key = secrets.token_urlsafe(32)
    session.add(StaffSession(key_hash=hash_secret(key), user_id=user.id))
    user.session_key = key
    return key


def load_session_user(
    session: Session, key: str, *, now: datetime, idle: timedelta, absolute: timedelta
) -> User | None:
    """The user of a live session, or None when it has ended, idled out or expired."""
    row = session.scalar(select(StaffSession).where(StaffSession.key_hash == hash_secret(key)))
    if row is None or row.ended_at is not None:
        return None
    if not row.user.active or now - row.last_seen_at > idle or now - row.created_at > absolute:
        row.ended_at = now
        return None
    if now - row.last_seen_at > timedelta(seconds=60):
        row.last_seen_at = now  # coarse, so a page of requests is not a page of writes
    row.user.session_key = key
    return row.user


def end_session(session: Session, key: str | None, now: datetime | None = None) -> None:
    if not key:
        return
    session.execute(
        update(StaffSession)
        .where(StaffSession.key_hash == hash_secret(key), StaffSession.ended_at.is_(None))
        .values(ended_at=now or utcnow())
    )


def end_all_sessions(session: Session, user: User, now: datetime | None = None) -> None:
    session.execute(
        update(StaffSession)
        .where(StaffSession.user_id == user.id, StaffSession.ended_at.is_(None))
        .values(ended_at=now or utcnow())
    )


def set_active(session: Session, user: User, active: bool) -> None:
    """Enable or disable an account; disabling ends every session it has."""
    user.active = active
    if not active:
        end_all_sessions(session, user)


def create_token(session: Session, user: User, *, scopes: tuple[str, ...] = TOKEN_SCOPES, name: str = "") -> tuple[ApiToken, str]:
    """Create an API token; the plain value is returned once and never stored."""
    unknown = set(scopes) - set(TOKEN_SCOPES)
    if unknown:
        raise AccountError("scope", f"Unknown scope {', '.join(sorted(unknown))}: use {', '.join(TOKEN_SCOPES)}.")
    if not user.active:
        raise AccountError("email", "That account is disabled, so it cannot have API tokens.")
    value = "dps_" + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, token_hash=hash_secret(value), prefix=value[:12], scopes=" ".join(scopes), name=name)
    session.add(token)
    session.flush()
    return token, value


def load_token_user(session: Session, value: str, *, now: datetime) -> User | None:
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_secret(value)))
    if token is None or token.revoked_at is not None or not token.user.active:
        return None
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
        token.last_used_at = now
    user = token.user
    user.api_token = token
    return user


def revoke_token(token: ApiToken, now: datetime | None = None) -> None:
    token.revoked_at = now or utcnow()
