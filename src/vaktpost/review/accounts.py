"""Users, password login with lockout, browser sessions and API tokens.

Passwords are hashed with Argon2id. Session cookies and API tokens are random; only their
SHA-256 is stored. A wrong password, an unknown user and a locked account all give the same
answer to the caller, and every attempt is written to the audit log.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import Connection, Engine, delete, insert, select, update

from vaktpost.errors import UserError
from vaktpost.review import audit
from vaktpost.review.policy import ROLES
from vaktpost.review.queue import Reviewer, utcnow
from vaktpost.store.review_tables import api_tokens, users, web_sessions

_hasher = PasswordHasher()
# Verified against when the user does not exist, so both cases cost the same time.
_DUMMY_HASH = _hasher.hash("not a real password")
MIN_PASSWORD = 12


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def as_utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return (
        value.replace(tzinfo=timezone.utc)
        if value.tzinfo is None
        else value.astimezone(timezone.utc)
    )


@dataclass(frozen=True)
class Account(Reviewer):
    display_name: str | None = None
    prefs: dict | None = None


def _account(row) -> Account:
    return Account(row.id, row.username, row.role, row.display_name, row.prefs or {})


def create_user(
    engine: Engine,
    username: str,
    password: str,
    role: str,
    *,
    display_name: str | None = None,
    by: str = "cli",
) -> int:
    username = username.strip()
    if role not in ROLES:
        raise UserError(f"unknown role {role!r}; use one of {', '.join(ROLES)}", where=username)
    if (
        not username
        or len(username) > 100
        or not username.replace(".", "").replace("-", "").replace("_", "").isalnum()
    ):
        raise UserError(
            "a username is 1–100 letters, digits, '.', '-' or '_'", where=username or "username"
        )
    if len(password) < MIN_PASSWORD:
        raise UserError(
            f"the password must have at least {MIN_PASSWORD} characters", where=username
        )
    now = utcnow()
    with engine.begin() as conn:
        if conn.execute(select(users.c.id).where(users.c.username == username)).first():
            raise UserError("a user with this name exists", where=username)
        user_id = conn.execute(
            insert(users)
            .values(
                username=username,
                display_name=display_name,
                role=role,
                password_hash=_hasher.hash(password),
                created_at=now,
                prefs={},
            )
            .returning(users.c.id)
        ).scalar_one()
        audit.append(conn, by, "user.create", f"user:{username}", {"role": role}, now=now)
    return user_id


def authenticate(
    engine: Engine,
    username: str,
    password: str,
    *,
    threshold: int = 5,
    lock_for: timedelta = timedelta(minutes=15),
    now: datetime | None = None,
) -> Account | None:
    """The account if the password is right and the account is neither locked nor disabled."""
    now = now or utcnow()
    with engine.connect() as conn:
        row = conn.execute(select(users).where(users.c.username == username)).first()
    if row is None:
        try:
            _hasher.verify(_DUMMY_HASH, password)
        except VerificationError:
            pass
        with engine.begin() as conn:
            audit.append(conn, username[:100] or "-", "login.failed", "user:unknown", now=now)
        return None
    locked = as_utc(row.locked_until)
    try:
        good = _hasher.verify(row.password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        good = False
    with engine.begin() as conn:
        if locked and locked > now:
            audit.append(conn, username, "login.locked", f"user:{username}", now=now)
            return None
        if row.disabled:
            audit.append(conn, username, "login.disabled", f"user:{username}", now=now)
            return None
        if not good:
            failures = row.failed_logins + 1
            values: dict = {"failed_logins": failures}
            if failures >= threshold:
                values.update(failed_logins=0, locked_until=now + lock_for)
            conn.execute(update(users).where(users.c.id == row.id).values(**values))
            audit.append(
                conn,
                username,
                "login.failed",
                f"user:{username}",
                {"locked": failures >= threshold},
                now=now,
            )
            return None
        conn.execute(
            update(users).where(users.c.id == row.id).values(failed_logins=0, locked_until=None)
        )
        audit.append(conn, username, "login.ok", f"user:{username}", now=now)
    if _hasher.check_needs_rehash(row.password_hash):
        with engine.begin() as conn:
            conn.execute(
                update(users)
                .where(users.c.id == row.id)
                .values(password_hash=_hasher.hash(password))
            )
    return _account(row)


@dataclass(frozen=True)
class Session:
    account: Account
    csrf_token: str
    token_hash: str


def start_session(
    conn: Connection, account: Account, *, max_age: timedelta, now: datetime | None = None
) -> tuple[str, str]:
    """A new session; returns (cookie token, CSRF token)."""
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    conn.execute(
        insert(web_sessions).values(
            token_hash=token_hash(token),
            user_id=account.id,
            csrf_token=csrf,
            created_at=now,
            last_seen_at=now,
            expires_at=now + max_age,
        )
    )
    return token, csrf


def load_session(
    engine: Engine, token: str, *, idle: timedelta, now: datetime | None = None
) -> Session | None:
    """The live session for a cookie token: not past its absolute end nor idle too long."""
    now = now or utcnow()
    digest = token_hash(token)
    with engine.connect() as conn:
        row = conn.execute(
            select(web_sessions, users)
            .join(users, users.c.id == web_sessions.c.user_id)
            .where(web_sessions.c.token_hash == digest)
        ).first()
    if row is None or row.disabled:
        return None
    last_seen = as_utc(row.last_seen_at)
    if as_utc(row.expires_at) <= now or last_seen + idle <= now:
        with engine.begin() as conn:
            conn.execute(delete(web_sessions).where(web_sessions.c.token_hash == digest))
        return None
    if (now - last_seen).total_seconds() > 30:  # touch at most every 30 s: fewer writes
        with engine.begin() as conn:
            conn.execute(
                update(web_sessions)
                .where(web_sessions.c.token_hash == digest)
                .values(last_seen_at=now)
            )
    account = Account(row.user_id, row.username, row.role, row.display_name, row.prefs or {})
    return Session(account, row.csrf_token, digest)


def end_session(engine: Engine, token: str) -> None:
    with engine.begin() as conn:
        conn.execute(delete(web_sessions).where(web_sessions.c.token_hash == token_hash(token)))


def issue_api_token(engine: Engine, username: str, name: str, *, by: str = "cli") -> str:
    """A new API token for a user; shown once, stored only as its hash."""
    token = "vpt_" + secrets.token_urlsafe(32)
    now = utcnow()
    with engine.begin() as conn:
        user_id = conn.execute(select(users.c.id).where(users.c.username == username)).scalar()
        if user_id is None:
            raise UserError("no such user", where=username)
        conn.execute(
            insert(api_tokens).values(
                user_id=user_id, name=name, token_hash=token_hash(token), created_at=now
            )
        )
        audit.append(conn, by, "token.issue", f"user:{username}", {"name": name}, now=now)
    return token


def account_for_api_token(engine: Engine, token: str) -> Account | None:
    with engine.connect() as conn:
        row = conn.execute(
            select(users)
            .join(api_tokens, api_tokens.c.user_id == users.c.id)
            .where(api_tokens.c.token_hash == token_hash(token), api_tokens.c.revoked_at.is_(None))
        ).first()
    if row is None or row.disabled:
        return None
    return _account(row)


def unlock(engine: Engine, username: str, *, by: str = "cli") -> None:
    with engine.begin() as conn:
        done = conn.execute(
            update(users)
            .where(users.c.username == username)
            .values(failed_logins=0, locked_until=None)
        ).rowcount
        if not done:
            raise UserError("no such user", where=username)
        audit.append(conn, by, "user.unlock", f"user:{username}")


def set_prefs(engine: Engine, account: Account, prefs: dict) -> None:
    with engine.begin() as conn:
        conn.execute(update(users).where(users.c.id == account.id).values(prefs=prefs))
        audit.append(conn, account.username, "user.prefs", f"user:{account.username}", prefs)


def list_users(conn: Connection) -> list:
    return conn.execute(select(users).order_by(users.c.username)).all()
