"""Imports every model so that Alembic and create_app see the whole schema."""

from .audit import AuditEvent
from .auth.models import AuthToken, SignInAttempt, User
from .members.models import Application, Member
from .outbox import OutboxMessage

__all__ = [
    "Application",
    "AuditEvent",
    "AuthToken",
    "Member",
    "OutboxMessage",
    "SignInAttempt",
    "User",
]
