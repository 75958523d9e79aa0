"""Test data, one module per side of the product; `factories.member()` and the rest work as before."""

from tests.factories.billing import draft_invoice, schedule
from tests.factories.members import PASSWORD, code_for, company_settings, member, user

__all__ = [
    "PASSWORD",
    "code_for",
    "company_settings",
    "draft_invoice",
    "member",
    "schedule",
    "user",
]
