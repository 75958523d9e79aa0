"""Every model of the company side, imported so that Alembic and `create_app` see them.

Billing's models are imported by `billing.models` when `create_app` registers billing.
"""

from company.audit import AuditEvent
from company.auth.models import AuthToken, SignInAttempt, User
from company.members.models import Application, Member
from company.outbox import OutboxMessage
from company.settings.models import CompanySettings

__all__ = [
    "Application",
    "AuditEvent",
    "AuthToken",
    "CompanySettings",
    "Member",
    "OutboxMessage",
    "SignInAttempt",
    "User",
]
