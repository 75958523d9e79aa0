"""Imports every model so that Alembic and create_app see the whole schema."""

from billing.contributions.models import ContributionBand, ContributionSchedule
from billing.extras.models import Extra, Order, Quote, QuoteLine
from billing.invoices.models import BillingRun, Invoice, InvoiceLine, NumberSequence
from billing.payments.models import (
    Allocation,
    BankImport,
    BankLine,
    BankMapping,
    Payment,
    Reminder,
    StripeEvent,
)

from .audit import AuditEvent
from .auth.models import AuthToken, SignInAttempt, User
from .members.models import Application, Member
from .outbox import OutboxMessage
from .settings.models import CompanySettings

__all__ = [
    "Extra",
    "Order",
    "Quote",
    "QuoteLine",
    "Allocation",
    "BankImport",
    "BankLine",
    "BankMapping",
    "Payment",
    "Reminder",
    "StripeEvent",
    "BillingRun",
    "CompanySettings",
    "ContributionBand",
    "ContributionSchedule",
    "Invoice",
    "InvoiceLine",
    "NumberSequence",
    "Application",
    "AuditEvent",
    "AuthToken",
    "Member",
    "OutboxMessage",
    "SignInAttempt",
    "User",
]
