"""Finance pages for extras: catalogue, quoting from the web, revising, delivering, cancelling,
quote documents and email, reports and CSVs, and who may see them."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from flask import current_app

from billing.extras import services
from billing.extras.models import Extra, InvoiceRule, Order, OrderStatus, Pricing, Quote
from billing.invoices import services as invoices
from billing.invoices.models import Invoice
from company.auth.roles import Role
from company.clock import financial_year_label, financial_year_start, uk_today
from company.extensions import db
from company.outbox import send_pending
from tests import factories
from tests.helpers import pdf_text, text_of

BASE = "/billing/extras"


@pytest.fixture
def setup(ctx, login_as):
    factories.company_settings()
    member = factories.member()
    finance = factories.user(Role.FINANCE)
    login_as(finance)
    migration = services.save_extra(
        {"name": "Data migration", "description": "Move your data", "pricing": Pricing.DAY_RATE,
         "price_pence": 60000, "default_days": Decimal(5), "vat_code": "S",
         "invoice_rule": InvoiceRule.STAGED, "stage_percent": 50},
        finance,
    )  # fmt: skip
    return member, finance, migration


def valid_until_fields(days=30):
    day = uk_today() + timedelta(days=days)
    return {
        "valid_until-day": day.day,
        "valid_until-month": day.month,
        "valid_until-year": day.year,
    }


def line_fields(*lines):
    data = {}
    for i, (description, quantity, price, vat) in enumerate(lines, 1):
        data.update(
            {
                f"description_{i}": description,
                f"quantity_{i}": quantity,
                f"unit_price_{i}": price,
                f"vat_code_{i}": vat,
            }
        )
    return data


def quoted_order(member, finance, extra=None, pence=100000):
    q = services.quote_for(
        member,
        "Training",
        [("Training day", Decimal(1), pence, "S", extra)],
        services.default_valid_until(),
        None,
        finance,
        extra=extra,
    )
    return q.order


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def test_add_change_and_retire_an_extra(setup, client):
    _member, _finance, _migration = setup
    form = {
        "name": "Accessibility audit",
        "description": "A WCAG 2.2 audit of one service",
        "pricing": "fixed",
        "price": "2,500",
        "vat_code": "S",
        "invoice_rule": "staged",
        "active": "y",
    }
    response = client.post(f"{BASE}/catalogue/new", data=form)
    assert response.status_code == 400
    assert "Enter the percentage invoiced on acceptance" in text_of(response)

    response = client.post(f"{BASE}/catalogue/new", data={**form, "stage_percent": "40"})
    assert response.status_code == 302
    extra = db.session.scalar(sa.select(Extra).where(Extra.name == "Accessibility audit"))
    assert (extra.price_pence, extra.stage_percent, extra.active) == (250000, 40, True)
    page = text_of(client.get(f"{BASE}/catalogue"))
    assert "Accessibility audit" in page and "£2,500.00" in page
    assert "Accessibility audit Retired" not in page

    edit = text_of(client.get(f"{BASE}/catalogue/{extra.id}"))
    assert "2500.00" in client.get(f"{BASE}/catalogue/{extra.id}").get_data(as_text=True)
    assert "Change Accessibility audit" in edit
    form.pop("active")  # unticked: retired
    response = client.post(f"{BASE}/catalogue/{extra.id}", data={**form, "stage_percent": "40"})
    assert response.status_code == 302
    db.session.refresh(extra)
    assert extra.active is False
    assert "Accessibility audit Retired" in text_of(client.get(f"{BASE}/catalogue"))


def test_price_is_needed_unless_priced_on_quote(setup, client):
    form = {
        "name": "Consultancy",
        "description": "Advice",
        "pricing": "day_rate",
        "vat_code": "S",
        "invoice_rule": "on_delivery",
        "active": "y",
    }
    assert "Enter the price" in text_of(client.post(f"{BASE}/catalogue/new", data=form))
    response = client.post(f"{BASE}/catalogue/new", data={**form, "pricing": "on_quote"})
    assert response.status_code == 302


def test_quote_a_member_from_the_web_and_the_email_arrives(setup, client, mailbox):
    member, _finance, migration = setup
    data = {
        "member_id": member.id,
        "extra_id": migration.id,
        "title": "Case records migration",
        **line_fields(("Data migration: 5 days", "5", "600", "S"), ("Project setup", "1", "250.50", "Z")),
        **valid_until_fields(),
        "terms": "Payment within 30 days",
    }  # fmt: skip
    response = client.post(f"{BASE}/orders/new", data=data)
    assert response.status_code == 302
    order = db.session.scalar(sa.select(Order))
    q = order.quotes[0]
    assert response.headers["Location"].endswith(f"{BASE}/orders/{order.id}")
    assert order.extra_id == migration.id and order.status == OrderStatus.QUOTED
    assert (q.net_pence, q.vat_pence) == (325050, 60000)
    assert [ln.extra_id for ln in q.lines] == [migration.id, None]

    page = text_of(client.get(f"{BASE}/orders/{order.id}"))
    assert q.number in page and "Awaiting reply" in page and "£3,850.50" in page
    assert "Order: opened by finance" in page  # the timeline
    assert f"Quote {q.number} sent to {member.contact_email}" in page

    assert send_pending()["sent"] == 1
    [message] = mailbox.wait_for(1)
    assert message["To"] == member.contact_email
    assert message["Subject"] == f"Quote {q.number} from Flatpack Councils Ltd"
    body = mailbox.body(message)
    assert "Case records migration" in body and "£3,850.50" in body
    if "extras.portal_show_order" in current_app.view_functions:
        assert f"/portal/extras/orders/{order.id}" in body
    else:
        assert "http://localhost/portal" in body
    [attachment] = list(message.iter_attachments())
    assert attachment.get_filename() == f"{q.number}.pdf"
    assert q.number in pdf_text(attachment.get_payload(decode=True))


def test_new_quote_form_errors(setup, client):
    response = client.post(f"{BASE}/orders/new", data={"title": "", **valid_until_fields()})
    assert response.status_code == 400
    page = text_of(response)
    assert "There is a problem" in page
    for message in (
        "Select the member council",
        "Enter a title for the order",
        "Add at least one line to the quote",
    ):
        assert message in page
    member = setup[0]
    response = client.post(
        f"{BASE}/orders/new",
        data={
            "member_id": member.id,
            "title": "Training",
            **line_fields(("Training", "0", "", "S")),
            **valid_until_fields(days=-1),
        },
    )
    page = text_of(response)
    assert "Quantity for line 1 must be a number more than 0" in page
    assert "Enter the unit price for line 1" in page
    response = client.post(
        f"{BASE}/orders/new",
        data={
            "member_id": member.id,
            "title": "Training",
            **line_fields(("Training", "1", "900", "S")),
            **valid_until_fields(days=-1),
        },
    )
    assert "Valid until must be today or in the future" in text_of(response)
    assert db.session.scalar(sa.select(sa.func.count(Order.id))) == 0


def test_order_page_prefills_from_the_extra_and_revising_makes_a_new_version(
    setup, client, mailbox
):
    member, finance, migration = setup
    order = services.request_extra(member, "", "Migrate 12 years of records", finance, migration)
    html = client.get(f"{BASE}/orders/{order.id}").get_data(as_text=True)
    assert 'value="5"' in html and 'value="600.00"' in html  # 5 days at the day rate
    assert "Migrate 12 years of records" in text_of(client.get(f"{BASE}/orders/{order.id}"))

    first = {**line_fields(("Data migration", "5", "600", "S")), **valid_until_fields()}
    assert client.post(f"{BASE}/orders/{order.id}/quote", data=first).status_code == 302
    second = {**line_fields(("Data migration", "4", "600", "S")), **valid_until_fields(45)}
    assert client.post(f"{BASE}/orders/{order.id}/quote", data=second).status_code == 302
    db.session.refresh(order)
    v1, v2 = order.quotes
    assert v1.superseded and not v2.superseded and v2.version == 2 and v2.net_pence == 240000
    page = text_of(client.get(f"{BASE}/orders/{order.id}"))
    assert "Replaced" in page and f"{v2.number} v2" in page
    assert f"becomes {v2.number} v3" in page  # the revise form is offered again

    send_pending()
    messages = mailbox.wait_for(2)
    assert [m["Subject"] for m in messages] == [
        f"Quote {v1.number} from Flatpack Councils Ltd",
        f"Quote {v1.number} v2 from Flatpack Councils Ltd",
    ]
    [attachment] = list(messages[1].iter_attachments())
    assert attachment.get_filename() == f"{v1.number}-v2.pdf"


def test_deliver_invoices_the_rest_and_the_order_links_its_invoices(setup, client):
    member, finance, migration = setup
    order = quoted_order(member, finance, extra=migration, pence=300000)
    services.accept(order.quotes[0], finance)
    assert client.post(f"{BASE}/orders/{order.id}/start").status_code == 302
    assert db.session.get(Order, order.id).status == OrderStatus.IN_PROGRESS
    page = text_of(client.post(f"{BASE}/orders/{order.id}/deliver"))  # asks first
    assert "delivered?" in page and "To invoice now, excluding VAT £1,500.00" in page
    assert "is issued and emailed to" in page
    assert db.session.get(Order, order.id).status == OrderStatus.IN_PROGRESS
    response = client.post(
        f"{BASE}/orders/{order.id}/deliver", data={"confirm": "yes"}, follow_redirects=True
    )
    page = text_of(response)
    assert "Order delivered" in page and "Invoiced" in page
    bills = db.session.scalars(sa.select(Invoice).where(Invoice.order_id == order.id)).all()
    assert [b.net_pence for b in bills] == [150000, 150000]
    html = response.get_data(as_text=True)
    for bill in bills:
        assert f"/billing/invoices/{bill.id}" in html and bill.number in page
    assert "Invoiced so far £3,000.00 excluding VAT" in page
    assert "Send revised quote" not in page and "Cancel order" not in page


def test_cancelling_an_invoiced_order_asks_for_credit_notes(setup, client):
    member, finance, migration = setup
    order = quoted_order(member, finance, extra=migration, pence=300000)
    services.accept(order.quotes[0], finance)  # staged: half invoiced on acceptance

    response = client.post(f"{BASE}/orders/{order.id}/cancel", data={"reason": ""})
    assert response.status_code == 400
    assert "Enter the reason for cancelling" in text_of(response)
    response = client.post(f"{BASE}/orders/{order.id}/cancel", data={"reason": "No longer needed"})
    assert response.status_code == 400
    page = text_of(response)
    assert "There is a problem" in page
    assert "raise credit notes for its invoices (£1,500.00 excluding VAT) before cancelling" in page
    assert db.session.get(Order, order.id).status == OrderStatus.ACCEPTED

    other = quoted_order(member, finance)
    response = client.post(
        f"{BASE}/orders/{other.id}/cancel",
        data={"reason": "Council changed its plans"},
        follow_redirects=True,
    )
    assert "Order cancelled" in text_of(response)
    assert db.session.get(Order, other.id).status == OrderStatus.CANCELLED


def test_quote_document_and_pdf(setup, client):
    member, finance, _migration = setup
    q = services.quote_for(
        member,
        "Training",
        [
            ("Training day", Decimal(2), 90000, "S", None),
            ("Course materials", Decimal("2.5"), 1000, "Z", None),
        ],
        services.default_valid_until(),
        "Travel is included",
        finance,
    )
    page = text_of(client.get(f"{BASE}/quotes/{q.id}"))
    assert f"Quote {q.number}" in page and "Travel is included" in page and "£2,185.00" in page

    response = client.get(f"{BASE}/quotes/{q.id}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    for expected in (
        q.number,
        member.name,
        "Training day",
        "Course materials",
        "2.5",
        "£900.00",
        "Total excluding VAT £1,825.00",
        "VAT £360.00",
        "Total including VAT £2,185.00",
        "Travel is included",
    ):
        assert expected in text
    assert client.get(f"{BASE}/quotes/999.pdf").status_code == 404


def test_orders_list_filters_by_status(setup, client):
    member, finance, migration = setup
    quoted = quoted_order(member, finance, pence=90000)
    services.request_extra(member, "Migration", "Please quote", finance, migration)
    page = text_of(client.get(f"{BASE}/"))
    assert "Training" in page and "Migration" in page and quoted.quotes[0].number in page
    page = text_of(client.get(f"{BASE}/?status=requested"))
    assert "Migration" in page and "Training" not in page
    assert "No orders with this status" in text_of(client.get(f"{BASE}/?status=invoiced"))


def test_reports_and_csvs(setup, client):
    member, finance, migration = setup
    year = financial_year_label(financial_year_start(uk_today(), 4))
    delivered = quoted_order(member, finance, extra=migration, pence=300000)
    services.accept(delivered.quotes[0], finance)
    services.deliver(delivered, finance)
    other = quoted_order(member, finance, pence=50000)  # no extra: "Other", on delivery
    services.accept(other.quotes[0], finance)
    services.deliver(other, finance)
    [bill] = db.session.scalars(sa.select(Invoice).where(Invoice.order_id == other.id)).all()
    invoices.credit(bill, "Half a day was cancelled", finance, amount_pence=20000)
    open_order = quoted_order(member, finance, pence=70000)
    accepted = quoted_order(member, finance, extra=migration, pence=100000)
    services.accept(accepted.quotes[0], finance)  # 50% invoiced

    page = text_of(client.get(f"{BASE}/reports"))
    assert f"{year} Data migration £3,500.00 £0.00 £3,500.00" in page
    assert f"{year} Other £500.00 £200.00 £300.00" in page
    assert "£1,700.00 £500.00" in page  # open orders: value and invoiced so far

    assert csv_rows(client.get(f"{BASE}/reports/income.csv")) == [
        ["Extra", "Financial year", "Invoiced", "Credited", "Net income"],
        ["Data migration", year, "3500.00", "0.00", "3500.00"],
        ["Other", year, "500.00", "200.00", "300.00"],
    ]
    rows = csv_rows(client.get(f"{BASE}/reports/open-orders.csv"))
    assert rows[0][0] == "Order"
    assert sorted((r[0], r[3], r[5], r[6]) for r in rows[1:]) == sorted(
        [
            (str(open_order.id), "Quoted", "700.00", "0.00"),
            (str(accepted.id), "Accepted", "1000.00", "500.00"),
        ]
    )
    rows = csv_rows(client.get(f"{BASE}/reports/awaiting-reply.csv"))
    assert [r[0] for r in rows[1:]] == [open_order.quotes[0].number]
    assert rows[1][3:6] == ["700.00", "140.00", "840.00"] and rows[1][7] == "No"


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/catalogue",
        "/catalogue/new",
        "/orders/new",
        "/orders/{order}",
        "/quotes/{quote}",
        "/quotes/{quote}.pdf",
        "/reports",
        "/reports/income.csv",
    ],
)
def test_council_users_and_directors_are_refused(setup, client, login_as, path):
    member, finance, _migration = setup
    order = quoted_order(member, finance)
    url = BASE + path.format(order=order.id, quote=order.quotes[0].id)
    for role in (Role.COUNCIL_ADMIN, Role.COUNCIL_USER):
        login_as(factories.user(role, member=member))
        assert client.get(url).status_code == 403
    login_as(factories.user(Role.DIRECTOR))
    assert client.get(url).status_code == 403
    login_as(factories.user(Role.ADMIN))
    assert client.get(url).status_code == 200


def test_council_users_cannot_post_to_order_actions(setup, client, login_as):
    member, finance, _migration = setup
    order = quoted_order(member, finance)
    login_as(factories.user(Role.COUNCIL_ADMIN, member=member))
    for action in ("quote", "start", "deliver", "cancel"):
        assert client.post(f"{BASE}/orders/{order.id}/{action}").status_code == 403
    assert db.session.scalar(sa.select(sa.func.count(Quote.id))) == 1


def test_extra_names_are_unique(setup, client):
    response = client.post(
        f"{BASE}/catalogue/new",
        data={
            "name": "Data migration",
            "description": "Again",
            "pricing": "on_quote",
            "vat_code": "S",
            "invoice_rule": "on_delivery",
        },
    )
    assert response.status_code == 400
    assert "There is already an extra with this name" in text_of(response)
