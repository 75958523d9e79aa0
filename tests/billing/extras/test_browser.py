"""Extras in a real browser: a council user requests a data migration, finance quotes it, and the
council accepts the quote with a purchase order number and finds the first invoice (staged: 50% on
acceptance) in its Invoices page.

Runs headless Chromium against the app on a live server (see tests/browser.py); skipped with a
reason when Chromium is absent. Screenshots go to tests/screenshots/extras-*.png.
"""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from billing.extras import services
from billing.extras.models import InvoiceRule, Order, Pricing
from billing.invoices.models import Invoice
from company.auth.models import User
from company.auth.roles import Role
from company.clock import uk_today
from company.extensions import db
from tests import factories
from tests.browser import (  # noqa: F401 - the fixtures, which pytest finds by name
    chromium_fixture,
    live_server_fixture,
    new_page_fixture,
    screenshot,
    sign_in,
)

expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect

pytestmark = pytest.mark.browser

PO = "PO-4500012345"


def nav(page, text: str):
    return page.get_by_role("navigation", name="Menu").get_by_role("link", name=text, exact=True)


def success_banner(page):
    return page.locator(".govuk-notification-banner--success")


def test_council_requests_data_migration_and_accepts_the_quote_with_a_po(app, new_page):
    with app.app_context():
        factories.company_settings()  # so invoices can be issued on acceptance
        member = factories.member(po_required=True)
        email = factories.user(Role.COUNCIL_USER, member=member, name="Sam Council").email
        finance_id = factories.user(Role.FINANCE, name="Fin Ance").id
        for values in (
            {"name": "Data migration", "description": "Move your records from your legacy system",
             "pricing": Pricing.DAY_RATE, "price_pence": 60000, "vat_code": "S",
             "invoice_rule": InvoiceRule.STAGED, "stage_percent": 50},
            {"name": "Training day", "description": "A day's training for your staff",
             "pricing": Pricing.FIXED, "price_pence": 90000, "vat_code": "S",
             "invoice_rule": InvoiceRule.ON_DELIVERY},
            {"name": "Custom feature", "description": "A feature built for your council",
             "pricing": Pricing.ON_QUOTE, "vat_code": "S", "invoice_rule": InvoiceRule.ON_DELIVERY},
        ):  # fmt: skip
            services.save_extra(values, "test")

    # 1. The council user finds Extras in the menu: the catalogue with its prices.
    council = new_page()
    sign_in(council, email, factories.PASSWORD)
    nav(council, "Extras").click()
    expect(council.get_by_role("heading", level=1)).to_have_text("Extras")
    migration = council.get_by_role("row").filter(has_text="Data migration")
    expect(migration).to_contain_text("£600.00 a day")
    expect(council.get_by_role("row").filter(has_text="Training day")).to_contain_text("£900.00")
    expect(council.get_by_role("row").filter(has_text="Custom feature")).to_contain_text(
        "Priced on quote"
    )
    screenshot(council, "extras-01-catalogue")

    # 2. It requests a data migration, describing what the council needs.
    migration.get_by_role("button", name="Request Data migration").click()
    expect(council.get_by_role("heading", level=1)).to_have_text("Request an extra")
    expect(council.get_by_label("Data migration")).to_be_checked()
    council.get_by_role("button", name="Send request").click()
    expect(council.locator(".govuk-error-summary")).to_contain_text(
        "Describe what your council needs"
    )
    council.get_by_label("Describe what your council needs").fill(
        "Migrate 12 years of housing case records from our legacy system"
    )
    council.get_by_role("button", name="Send request").click()
    expect(success_banner(council)).to_contain_text("Your request has been sent")
    expect(council.get_by_role("heading", level=1)).to_have_text("Data migration")
    expect(council.locator(".govuk-summary-list").first).to_contain_text("Requested")
    screenshot(council, "extras-02-requested")
    order_id = int(re.search(r"/orders/(\d+)$", council.url).group(1))

    # 3. Finance quotes five days.
    with app.app_context():
        order = db.session.get(Order, order_id)
        extra = order.extra
        reference = services.quote(
            order,
            [("Data migration: 5 days", Decimal(5), extra.price_pence, "S", extra)],
            uk_today() + timedelta(days=30),
            "Payment within 30 days",
            db.session.get(User, finance_id),
        ).reference

    # 4. The council sees the quote; accepting needs its PO number; then it accepts.
    council.reload()
    expect(council.get_by_text(reference).first).to_be_visible()
    expect(council.locator("table").first).to_contain_text("£3,600.00")
    council.get_by_role("button", name="Accept quote").click()
    expect(council.locator(".govuk-error-summary")).to_contain_text(
        "Enter your purchase order number"
    )
    screenshot(council, "extras-03-quote-needs-po")
    council.get_by_label("Purchase order number").fill(PO)
    council.get_by_role("button", name="Accept quote").click()
    expect(council.get_by_role("heading", level=1)).to_have_text(f"Accept quote {reference}?")
    screenshot(council, "extras-03b-confirm-accept")
    council.get_by_role("button", name="Accept quote").click()
    expect(success_banner(council)).to_contain_text(f"You have accepted quote {reference}")
    status = council.locator(".govuk-summary-list__row").filter(has_text="Status")
    expect(status.locator(".govuk-tag")).to_have_text("Accepted")
    expect(council.get_by_role("button", name="Accept quote")).to_have_count(0)
    with app.app_context():
        invoice = db.session.scalar(sa.select(Invoice).where(Invoice.order_id == order_id))
        number, gross = invoice.number, invoice.gross_pence
    assert gross == 180000  # 50% of £3,000.00 plus VAT
    expect(council.get_by_role("link", name=number)).to_be_visible()
    screenshot(council, "extras-04-accepted")

    # 5. The invoice is in the council's Invoices page, and opens.
    nav(council, "Invoices").click()
    row = council.get_by_role("row").filter(has_text=number)
    expect(row).to_contain_text("£1,800.00")
    screenshot(council, "extras-05-invoices")
    row.get_by_role("link", name=number, exact=True).click()
    expect(council.get_by_text(PO).first).to_be_visible()
