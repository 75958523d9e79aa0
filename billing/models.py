"""Every billing model, imported so that Alembic and `create_app` see the whole schema (and the
session keeps the stored balances: billing.balances)."""

import billing.balances  # noqa: F401
from billing.bank.models import BankImport, BankLine, BankMapping
from billing.card.models import StripeEvent
from billing.contributions.models import ContributionBand, ContributionRun, ContributionSchedule
from billing.credit_control.models import Reminder
from billing.extras.models import Extra, Order, Quote, QuoteLine
from billing.invoices.models import Invoice, InvoiceLine, NumberSequence
from billing.payments.models import Allocation, Payment

__all__ = [
    "Allocation",
    "BankImport",
    "BankLine",
    "BankMapping",
    "ContributionBand",
    "ContributionRun",
    "ContributionSchedule",
    "Extra",
    "Invoice",
    "InvoiceLine",
    "NumberSequence",
    "Order",
    "Payment",
    "Quote",
    "QuoteLine",
    "Reminder",
    "StripeEvent",
]
