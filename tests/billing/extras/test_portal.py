"""Extras in the council's portal: request, see the quote, accept with a PO or decline."""

from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from billing.extras import services
from billing.extras.models import InvoiceRule, Order, OrderStatus, Pricing
from billing.invoices.models import Invoice
from company.auth.roles import Role
from company.clock import uk_today
from company.extensions import db
from tests import factories
from tests.helpers import text_of


@pytest.fixture
def setup(ctx, login_as):
    factories.company_settings()
    member = factories.member(po_required=True)
    council_user = factories.user(Role.COUNCIL_USER, member=member)
    finance = factories.user(Role.FINANCE)
    migration = services.save_extra(
        {"name": "Data migration", "description": "Move your records", "pricing": Pricing.DAY_RATE,
         "price_pence": 60000, "vat_code": "S", "invoice_rule": InvoiceRule.STAGED, "stage_percent": 50},
        finance,
    )  # fmt: skip
    services.save_extra(
        {"name": "Training day", "description": "A day's training", "pricing": Pricing.FIXED,
         "price_pence": 90000, "vat_code": "S", "invoice_rule": InvoiceRule.ON_DELIVERY},
        finance,
    )  # fmt: skip
    services.save_extra(
        {"name": "Custom feature", "description": "Built for you", "pricing": Pricing.ON_QUOTE,
         "vat_code": "S", "invoice_rule": InvoiceRule.ON_DELIVERY},
        finance,
    )  # fmt: skip
    login_as(council_user)
    return member, council_user, finance, migration


def _quote(order, finance, extra, days=5, valid=30):
    return services.quote(
        order,
        [(f"{extra.name}: {days} days", Decimal(days), extra.price_pence, "S", extra)],
        uk_today() + timedelta(days=valid),
        "Payment in 30 days",
        finance,
    )


def _requested(member, council_user, extra):
    return services.request_extra(member, "", "Migrate 12 years of records", council_user, extra)


def test_the_list_shows_the_catalogue_with_prices_and_the_councils_orders(setup, client):
    member, council_user, finance, extra = setup
    _requested(member, council_user, extra)
    r = client.get("/portal/extras/")
    assert r.status_code == 200
    page = text_of(r)
    assert "£600.00 a day" in page and "£900.00" in page and "Priced on quote" in page
    assert "Data migration" in page and "Requested" in page and "Not quoted yet" in page
    assert f'href="/portal/extras/request?extra={extra.id}"' in r.get_data(as_text=True)
    html = r.get_data(as_text=True)
    assert "govuk-service-navigation__item--active" in html.split("Extras</")[0][-400:]


def test_a_council_requests_an_extra_and_lands_on_its_order(setup, client):
    member, council_user, finance, extra = setup
    r = client.get(f"/portal/extras/request?extra={extra.id}")
    assert r.status_code == 200 and f'value="{extra.id}" checked' in r.get_data(as_text=True)
    r = client.post(
        "/portal/extras/request",
        data={"extra": str(extra.id), "title": "", "request": "Migrate our case records"},
    )
    order = db.session.scalar(sa.select(Order))
    assert r.status_code == 302 and r.headers["Location"] == f"/portal/extras/orders/{order.id}"
    assert (order.title, order.extra_id, order.member_id) == ("Data migration", extra.id, member.id)
    page = text_of(client.get(r.headers["Location"]))
    assert "Your request has been sent" in page
    assert (
        "Migrate our case records" in page
        and "We have your request and will send you a quote" in page
    )


def test_something_else_and_the_errors_of_an_empty_request(setup, client):
    r = client.post("/portal/extras/request", data={"request": ""})
    page = text_of(r)
    assert "There is a problem" in page
    assert "Select an extra, or select Something else" in page
    assert "Describe what your council needs" in page
    assert db.session.scalar(sa.select(sa.func.count(Order.id))) == 0
    r = client.post(
        "/portal/extras/request",
        data={"extra": "other", "title": "Planning reports", "request": "Monthly reports"},
    )
    assert r.status_code == 302
    order = db.session.scalar(sa.select(Order))
    assert (order.title, order.extra_id) == ("Planning reports", None)


def test_the_council_sees_the_quote_and_accepts_it_with_a_po_number(setup, client):
    member, council_user, finance, extra = setup
    order = _requested(member, council_user, extra)
    q = _quote(order, finance, extra)
    url = f"/portal/extras/orders/{order.id}"
    page = text_of(client.get(url))
    assert q.reference in page and "Valid until" in page
    assert "Data migration: 5 days" in page and "£3,000.00" in page and "£3,600.00" in page
    assert "Accept quote" in page and "Decline quote" in page

    # The council needs a PO: without one the service refuses, shown against the field.
    r = client.post(f"{url}/accept", data={"accept-po_number": ""})
    assert r.status_code == 200
    page = text_of(r)
    assert "There is a problem" in page and "Enter your purchase order number" in page
    assert order.status == OrderStatus.QUOTED

    # With it, the council is asked first: the totals, the PO and when it is invoiced.
    page = text_of(client.post(f"{url}/accept", data={"accept-po_number": "PO-4500012"}))
    assert f"Accept quote {q.reference}?" in page and "£3,600.00" in page and "PO-4500012" in page
    assert "agrees to buy this work" in page
    assert order.status == OrderStatus.QUOTED
    assert not db.session.scalars(sa.select(Invoice).where(Invoice.order_id == order.id)).all()

    r = client.post(f"{url}/accept", data={"accept-po_number": "PO-4500012", "confirm": "yes"})
    assert r.status_code == 302 and r.headers["Location"] == url
    page = text_of(client.get(url))
    assert f"You have accepted quote {q.reference}" in page
    assert "Accepted" in page and "PO-4500012" in page
    [invoice] = db.session.scalars(sa.select(Invoice).where(Invoice.order_id == order.id)).all()
    assert invoice.net_pence == 150000 and invoice.po_number == "PO-4500012"
    assert invoice.number in page
    assert f'href="/portal/invoices/{invoice.id}"' in client.get(url).get_data(as_text=True)
    assert "Accept quote" not in page
    assert invoice.number in text_of(client.get("/portal/invoices"))
    assert client.get(f"/portal/invoices/{invoice.id}").status_code == 200


def test_declining_needs_a_reason(setup, client):
    member, council_user, finance, extra = setup
    order = _requested(member, council_user, extra)
    _quote(order, finance, extra)
    url = f"/portal/extras/orders/{order.id}"
    page = text_of(client.post(f"{url}/decline", data={"decline-reason": ""}))
    assert "There is a problem" in page and "Enter the reason for declining" in page
    page = text_of(client.post(f"{url}/decline", data={"decline-reason": "No budget this year"}))
    assert f"Decline quote {order.quotes[0].reference}?" in page
    assert "cannot be accepted afterwards" in page and order.status == OrderStatus.QUOTED
    r = client.post(
        f"{url}/decline", data={"decline-reason": "No budget this year", "confirm": "yes"}
    )
    assert r.status_code == 302
    page = text_of(client.get(url))
    assert "You have declined quote" in page and "Declined" in page
    assert "No budget this year" in page
    assert order.status == OrderStatus.DECLINED
    # A second attempt is refused with the service's message, not a crash.
    page = text_of(
        client.post(f"{url}/decline", data={"decline-reason": "Again"}, follow_redirects=True)
    )
    assert "has already been declined" in page


def test_a_revised_quote_shows_the_old_version_as_superseded(setup, client):
    member, council_user, finance, extra = setup
    order = _requested(member, council_user, extra)
    v1 = _quote(order, finance, extra, days=5)
    v2 = _quote(order, finance, extra, days=4)
    page = text_of(client.get(f"/portal/extras/orders/{order.id}"))
    assert v2.reference in page and "£2,400.00" in page
    assert f"{v1.reference}: £3,600.00, superseded" in page


def test_an_expired_quote_cannot_be_accepted(setup, client):
    member, council_user, finance, extra = setup
    order = _requested(member, council_user, extra)
    q = _quote(order, finance, extra)
    q.valid_until = uk_today() - timedelta(days=1)
    db.session.commit()
    url = f"/portal/extras/orders/{order.id}"
    page = text_of(client.get(url))
    assert "This quote expired on" in page and "Accept quote" not in page
    r = client.post(f"{url}/accept", data={"accept-po_number": "PO-1"}, follow_redirects=True)
    page = text_of(r)
    assert "There is a problem" in page and "expired on" in page and "ask for a new quote" in page
    assert order.status == OrderStatus.QUOTED


def test_the_timeline_shows_the_orders_history(setup, client):
    member, council_user, finance, extra = setup
    order = _requested(member, council_user, extra)
    _quote(order, finance, extra)
    page = text_of(client.get(f"/portal/extras/orders/{order.id}"))
    assert "Order: requested" in page and "Order: moved" in page


def test_the_council_downloads_its_quote_pdf_and_not_another_councils(setup, client):
    from tests.helpers import pdf_text

    member, council_user, finance, extra = setup
    order = _requested(member, council_user, extra)
    v1 = _quote(order, finance, extra, days=5)
    v2 = _quote(order, finance, extra, days=4)
    html = client.get(f"/portal/extras/orders/{order.id}").get_data(as_text=True)
    assert f'href="/portal/extras/quotes/{v2.id}.pdf"' in html
    assert f'href="/portal/extras/quotes/{v1.id}.pdf"' in html  # the superseded version too
    r = client.get(f"/portal/extras/quotes/{v2.id}.pdf")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    assert v2.number in pdf_text(r.data) and "£2,400.00" in pdf_text(r.data)
    theirs = services.request_extra(factories.member(), "Theirs", "Hush", "test", extra)
    their_quote = _quote(theirs, finance, extra)
    assert client.get(f"/portal/extras/quotes/{their_quote.id}.pdf").status_code == 404
    assert client.get("/portal/extras/quotes/999999.pdf").status_code == 404


def test_another_councils_order_is_not_listed(setup, client):
    member, council_user, finance, extra = setup
    other = factories.member()
    services.request_extra(other, "Their secret project", "Hush", "test", extra)
    page = text_of(client.get("/portal/extras/"))
    assert "Their secret project" not in page


def test_staff_cannot_use_the_council_pages(ctx, client, login_as):
    login_as(factories.user(Role.FINANCE))
    assert client.get("/portal/extras/").status_code == 403


def test_the_councils_timeline_names_the_company_not_its_staff(ctx, client, login_as):
    from datetime import timedelta
    from decimal import Decimal

    from billing.extras import services
    from company.auth.roles import Role
    from company.clock import uk_today
    from tests import factories

    factories.company_settings()
    member = factories.member()
    council_user = factories.user(Role.COUNCIL_USER, member=member)
    finance = factories.user(Role.FINANCE, email="priya@company.example")
    order = services.request_extra(member, "Training", "Two days for new starters", council_user)
    services.quote(
        order,
        [("Training day", Decimal(2), 90000, "S", None)],
        uk_today() + timedelta(days=10),
        None,
        finance,
    )
    login_as(council_user)
    page = client.get(f"/portal/extras/orders/{order.id}").get_data(as_text=True)
    assert "priya@company.example" not in page and council_user.email in page
