"""Paying by card in a real browser, under the card page's Content-Security-Policy: Stripe.js
(here localstripe's, from its own loopback origin) loads, the form script runs, the payment is
confirmed and the webhook records it. A script or request the policy refused fails the test
(tests/browser.py)."""

import pytest

from billing.invoices.models import Status
from company.auth.roles import Role
from tests import factories
from tests.billing.card.test_card_payments import (  # noqa: F401 - fixtures found by name
    GROSS,
    fresh,
    issued,
    localstripe,
    payments,
    stripe_loop,
    wait_for,
)
from tests.browser import (  # noqa: F401 - the fixtures, which pytest finds by name
    chromium_fixture,
    live_server_fixture,
    new_page_fixture,
    screenshot,
    sign_in,
)

pytestmark = pytest.mark.browser

THREE_D_SECURE = "4000002760003184"  # a test card that asks for authentication


def test_a_council_pays_an_invoice_by_card_in_the_browser(ctx, stripe_loop, new_page):  # noqa: F811
    factories.company_settings()
    member = factories.member()
    user = factories.user(Role.COUNCIL_USER, member=member)
    invoice = issued(member)
    page = new_page()
    sign_in(page, user.email, factories.PASSWORD)
    page.goto(f"/portal/invoices/{invoice.id}")
    page.get_by_role("button", name="Pay by card").click()
    page.locator("#card-element input").first.wait_for()  # Stripe.js mounted the card field
    screenshot(page, "card-pay")
    # localstripe's Stripe.js does not read the card field: attach a card that needs 3-D Secure
    # as the real one would, and the browser's confirmCardPayment() does the authentication.
    intent_id = page.locator("#card-form").get_attribute("data-secret").split("_secret_")[0]
    method = stripe_loop.v1.payment_methods.create(
        params={"type": "card", "card": {"number": THREE_D_SECURE, "exp_month": 12,
                                         "exp_year": 2030, "cvc": "123"}}
    )  # fmt: skip
    stripe_loop.v1.payment_intents.update(intent_id, params={"payment_method": method.id})
    assert stripe_loop.v1.payment_intents.confirm(intent_id)["status"] == "requires_action"
    page.get_by_role("button", name="Pay £3,000.00").click()
    page.get_by_role("button", name="Complete authentication").click()  # localstripe's 3-D Secure
    page.wait_for_url(f"**/portal/invoices/{invoice.id}/pay?payment_intent=*")
    wait_for(lambda: fresh(invoice).status == Status.PAID)
    [payment] = payments()
    assert (payment.amount_pence, payment.method) == (GROSS, "card")
    page.reload()
    page.get_by_text("We have received your card payment of £3,000.00").wait_for()
