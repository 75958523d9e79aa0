"""Users, single-use tokens (invitations and password resets) and sign-in attempts."""

import hashlib
from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from company.clock import utcnow
from company.extensions import db, string_enum

from .roles import Role

ROLE_ENUM = string_enum(Role, "role", 20)


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        sa.CheckConstraint(
            "(role IN ('council_user', 'council_admin')) = (member_id IS NOT NULL)",
            name="council_role_has_member",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    role: Mapped[Role] = mapped_column(ROLE_ENUM)
    member_id: Mapped[int | None] = mapped_column(sa.ForeignKey("members.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_signed_in_at: Mapped[datetime | None]
    # The second factor (TOTP, RFC 6238): the shared key, when it was set up, and the last time
    # step accepted (a code is accepted once, never replayed within its 30 seconds).
    totp_secret: Mapped[str | None] = mapped_column(sa.String(64))
    totp_enabled_at: Mapped[datetime | None]
    totp_last_step: Mapped[int | None] = mapped_column(sa.BigInteger)

    member = relationship("Member", back_populates="users")
    # Set on the instance by company.auth.sessions when a session is opened or loaded.
    session_token = None  # str

    @property
    def is_active(self) -> bool:  # flask-login: removed users cannot sign in
        return self.active

    @property
    def session_key(self) -> str:
        """Changes with the password: a sign-in half done (the code still to enter) is refused
        if the password changed meanwhile."""
        return hashlib.sha256(f"{self.id}:{self.password_hash or ''}".encode()).hexdigest()[:20]

    def get_id(self) -> str:
        """flask-login: what the session cookie holds, the user and their server-side session
        (company.auth.sessions): ending that row ends the session, wherever the cookie is."""
        if not self.session_token:
            raise RuntimeError("sign in through company.auth.sessions.sign_in")
        return f"{self.id}:{self.session_token}"

    @property
    def has_second_factor(self) -> bool:
        return self.totp_enabled_at is not None

    @property
    def has_password(self) -> bool:
        return self.password_hash is not None

    @property
    def is_council(self) -> bool:
        return self.role.is_council

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


class AuthToken(db.Model):
    """A single-use link. Only the SHA-256 of the token is stored."""

    __tablename__ = "auth_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    purpose: Mapped[str] = mapped_column(sa.String(20))  # "invite" or "reset"
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    user = relationship(User, foreign_keys=[user_id])
    created_by = relationship(User, foreign_keys=[created_by_id])


class SignInAttempt(db.Model):
    __tablename__ = "sign_in_attempts"
    __table_args__ = (
        sa.Index("ix_sign_in_attempts_email_at", "email", "at"),
        sa.Index("ix_sign_in_attempts_address_at", "address", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254))
    address: Mapped[str] = mapped_column(sa.String(64))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    succeeded: Mapped[bool]


class RecoveryCode(db.Model):
    """One of ten single-use codes that stand in for the authenticator app; stored hashed."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    code_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    used_at: Mapped[datetime | None]


class UserSession(db.Model):
    """A signed-in session, held on the server: the cookie carries its token, of which only the
    SHA-256 is stored. It ends when the user signs out, after the idle timeout or the absolute
    lifetime, or for every session of a user when their password or second factor changes."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When the password and a code were last given (sign-in, or again for a sensitive action)
    identity_confirmed_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    ended_reason: Mapped[str | None] = mapped_column(sa.String(40))
    address: Mapped[str | None] = mapped_column(sa.String(64))
