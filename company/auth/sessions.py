"""Signed-in sessions held on the server (UserSession rows).

The cookie carries `<user id>:<token>`; the row, found by the token's SHA-256, says whether the
session is still good: not signed out, not idle longer than the role allows (staff 30 minutes,
council users 2 hours), not older than the absolute lifetime. Ending the row ends the session
wherever the cookie is, which is how a password change or a second-factor reset signs a person
out everywhere.
"""

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app, g, has_request_context, request
from flask_login import login_user, logout_user

from company.clock import utcnow
from company.extensions import db
from company.ui.converters import is_id

from .models import User, UserSession

TOUCH_EVERY = timedelta(minutes=1)  # last_seen_at is written at most this often


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def idle_limit(user: User) -> timedelta:
    cfg = current_app.config
    minutes = cfg[
        "SESSION_IDLE_MINUTES_COUNCIL" if user.is_council else "SESSION_IDLE_MINUTES_STAFF"
    ]
    return timedelta(minutes=minutes)


def lifetime() -> timedelta:
    return timedelta(hours=current_app.config["SESSION_LIFETIME_HOURS"])


def _open(user: User) -> tuple[UserSession, str]:
    token = secrets.token_urlsafe(32)
    now = utcnow()
    row = UserSession(
        user_id=user.id,
        token_hash=_hash(token),
        created_at=now,
        last_seen_at=now,
        identity_confirmed_at=now,  # the password (and code) were just given
        address=(request.remote_addr or "-")[:64] if has_request_context() else None,
    )
    db.session.add(row)
    db.session.commit()
    return row, token


def sign_in(user: User) -> UserSession:
    """Open a session for `user` (whose password, and code if they have one, were checked)
    and put it in the cookie."""
    row, token = _open(user)
    user.session_token = token
    login_user(user)
    g.user_session = row
    return row


def session_id_for(user: User) -> str:
    """A new session's cookie value, for tests and tools that sign in without the form."""
    _row, token = _open(user)
    return f"{user.id}:{token}"


def expired(row: UserSession, user: User, now: datetime) -> str | None:
    """Why the session is over, or None."""
    if row.ended_at is not None:
        return row.ended_reason or "ended"
    if now - row.last_seen_at > idle_limit(user):
        return "idle"
    if now - row.created_at > lifetime():
        return "lifetime"
    return None


def load(session_id: str) -> User | None:
    """flask-login's user loader: the user of a live session, else None (and the row ended)."""
    user_id, _, token = (session_id or "").partition(":")
    if not is_id(user_id) or not token or len(token) > 100:
        return None
    row = db.session.scalar(sa.select(UserSession).where(UserSession.token_hash == _hash(token)))
    if row is None or not hmac.compare_digest(str(row.user_id), user_id):
        return None
    user = db.session.get(User, row.user_id)
    if user is None or not user.active:
        return None
    now = utcnow()
    reason = expired(row, user, now)
    if reason:
        if row.ended_at is None:
            row.ended_at, row.ended_reason = now, reason
            db.session.commit()
        if has_request_context():
            g.session_ended = reason
        return None
    if now - row.last_seen_at >= TOUCH_EVERY:
        row.last_seen_at = now
        db.session.commit()
    user.session_token = token
    if has_request_context():
        g.user_session = row
    return user


def current() -> UserSession | None:
    return g.get("user_session") if has_request_context() else None


def sign_out() -> None:
    row = current()
    if row is not None and row.ended_at is None:
        row.ended_at, row.ended_reason = utcnow(), "signed out"
        db.session.commit()
    logout_user()


def end_all(user: User, reason: str, keep: UserSession | None = None) -> int:
    """End every live session of `user` (but `keep`); the caller commits."""
    query = sa.update(UserSession).where(
        UserSession.user_id == user.id, UserSession.ended_at.is_(None)
    )
    if keep is not None:
        query = query.where(UserSession.id != keep.id)
    return db.session.execute(query.values(ended_at=utcnow(), ended_reason=reason)).rowcount


def mark_confirmed() -> None:
    row = current()
    if row is not None:
        row.identity_confirmed_at = utcnow()


def live_others(user: User) -> list[UserSession]:
    """The user's other sessions that are still open (not ended, not idle, not too old)."""
    now = utcnow()
    rows = db.session.scalars(
        sa.select(UserSession)
        .where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
        .order_by(UserSession.last_seen_at.desc())
        .limit(50)
    ).all()
    here = current()
    return [r for r in rows if (here is None or r.id != here.id) and not expired(r, user, now)]
