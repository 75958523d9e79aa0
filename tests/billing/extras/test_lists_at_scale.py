"""The orders list and the extras reports with many orders: 50 rows a page, the status filter
kept across pages, counts and totals for every order (not just the page), and the same SQL
statements a page however many orders and councils there are."""

import re
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from billing.extras import reports, services
from billing.extras.models import InvoiceRule, Order, OrderStatus, Pricing
from billing.invoices import services as invoices
from billing.invoices.models import Invoice
from company.auth.roles import Role
from company.extensions import db
from company.members.models import Member
from tests import factories
from tests.helpers import text_of

BASE = "/billing/extras"
START = datetime(2026, 1, 5, 9, 0)


@pytest.fixture
def finance(ctx, login_as):
    factories.company_settings()
    officer = factories.user(Role.FINANCE)
    login_as(officer)
    return officer


def council(n: int) -> Member:
    return factories.member(body_type="Parish council", name=f"Parish Council {n:03d}")


def add_orders(member: Member, count: int, status=OrderStatus.REQUESTED, first: int = 1):
    """`count` orders titled "Order 001"…, each a minute newer than the one before."""
    db.session.add_all(
        Order(
            member=member,
            title=f"Order {n:03d}",
            request="Please quote",
            status=status,
            created_at=START + timedelta(minutes=n),
        )
        for n in range(first, first + count)
    )
    db.session.commit()


def titles(response) -> list[str]:
    return re.findall(r"Order \d{3}", text_of(response))


def quoted(member, finance, pence, extra=None, title="Training"):
    q = services.quote_for(
        member,
        title,
        [("Day of work", Decimal(1), pence, "S", extra)],
        services.default_valid_until(),
        None,
        finance,
        extra=extra,
    )
    return q.order


def test_the_orders_list_shows_fifty_a_page_and_page_two_the_fifty_first(finance, client):
    add_orders(council(1), 51)
    first = client.get(f"{BASE}/")
    assert first.status_code == 200
    shown = titles(first)
    assert len(shown) == 50 and shown[0] == "Order 051" and shown[-1] == "Order 002"
    assert "51 orders" in text_of(first)
    assert "Page 1 of 2" in text_of(first)
    html = first.get_data(as_text=True)
    assert 'class="govuk-pagination' in html and 'aria-label="Pages of orders"' in html
    assert f'href="{BASE}/?page=2"' in html

    second = client.get(f"{BASE}/?page=2")
    assert titles(second) == ["Order 001"]
    assert "Page 2 of 2" in text_of(second)
    assert f'href="{BASE}/?page=1"' in second.get_data(as_text=True)
    assert client.get(f"{BASE}/?page=0").status_code == 200  # a bad page number: the first
    assert titles(client.get(f"{BASE}/?page=0")) == shown


def test_the_status_filter_is_kept_across_pages_and_counts_cover_every_order(finance, client):
    member = council(1)
    add_orders(member, 51)  # requested
    add_orders(member, 3, OrderStatus.CANCELLED, first=101)  # newer than any requested
    html = client.get(f"{BASE}/").get_data(as_text=True)
    # the counts in the filter are for all 54 orders, not the 50 on the page
    assert ">All statuses (54)</option>" in html
    assert ">Requested (51)</option>" in html and ">Cancelled (3)</option>" in html
    assert ">Quoted (0)</option>" in html

    first = client.get(f"{BASE}/?status=requested")
    page = text_of(first)
    assert "51 orders with status requested" in page
    shown = titles(first)
    assert len(shown) == 50 and "Order 101" not in shown and shown[0] == "Order 051"
    html = first.get_data(as_text=True)
    assert 'value="requested" selected' in html
    assert f'href="{BASE}/?page=2&amp;status=requested"' in html

    second = client.get(f"{BASE}/?page=2&status=requested")
    assert titles(second) == ["Order 001"]
    assert "51 orders with status requested" in text_of(second)
    assert f'href="{BASE}/?page=1&amp;status=requested"' in second.get_data(as_text=True)

    cancelled = client.get(f"{BASE}/?status=cancelled")
    assert titles(cancelled) == ["Order 103", "Order 102", "Order 101"]
    assert "3 orders with status cancelled" in text_of(cancelled)
    assert "govuk-pagination" not in cancelled.get_data(as_text=True)  # one page: no links


def test_open_orders_on_the_reports_page_are_paged_and_the_total_covers_every_page(finance, client):
    member = council(1)
    accepted = quoted(member, finance, 100000)  # £1,000, the oldest: on the last page
    services.accept(accepted.quotes[0], finance)  # no extra: invoiced on delivery
    services.deliver(accepted, finance)  # delivered and invoiced: closed, not open
    staged = services.save_extra(
        {"name": "Migration", "description": "Move data", "pricing": Pricing.FIXED,
         "price_pence": 200000, "vat_code": "S", "invoice_rule": InvoiceRule.STAGED,
         "stage_percent": 50},
        finance,
    )  # fmt: skip
    half = quoted(member, finance, 200000, extra=staged, title="Migration")
    services.accept(half.quotes[0], finance)  # £1,000 of £2,000 invoiced on acceptance
    [bill] = db.session.scalars(sa.select(Invoice).where(Invoice.order_id == half.id)).all()
    invoices.credit(bill, "Part was not needed", finance, amount_pence=25000)
    waiting = quoted(member, finance, 70000)  # £700, awaiting a reply
    for o in (half, waiting):  # older than the 50 requested orders below
        o.created_at = START
    db.session.commit()
    add_orders(member, 50)  # requested, nothing quoted: value £0.00

    first = client.get(f"{BASE}/reports")
    page = text_of(first)
    assert "52 open orders" in page
    assert "Migration" not in page.split("52 open orders")[1].split("Total")[0]  # on page 2
    assert "Total, all pages £2,700.00 £750.00" in page  # every open order, not the page's
    assert "Open orders: page 1 of 2" in page
    html = first.get_data(as_text=True)
    assert 'aria-label="Pages of open orders"' in html
    assert f'href="{BASE}/reports?open_page=2#open-orders"' in html

    second = text_of(client.get(f"{BASE}/reports?open_page=2"))
    assert "Migration" in second and "Training" in second and "Order 001" not in second
    assert "Total, all pages £2,700.00 £750.00" in second
    assert "1 quote awaiting a reply" in second

    rows = client.get(f"{BASE}/reports/open-orders.csv").get_data(as_text=True).splitlines()
    assert len(rows) == 1 + 52  # the CSV still has every open order


def test_quotes_awaiting_a_reply_are_paged_apart_from_open_orders(finance, client, monkeypatch):
    monkeypatch.setattr(reports, "PER_PAGE", 2)
    member = council(1)
    orders = [quoted(member, finance, 10000 * (n + 1), title=f"Order {n:03d}") for n in range(3)]
    numbers = [o.quotes[0].number for o in orders]  # all valid for 30 days: by id
    first = text_of(client.get(f"{BASE}/reports"))
    assert "3 quotes awaiting a reply" in first and "3 open orders" in first
    assert "Quotes awaiting a reply: page 1 of 2" in first
    assert (
        numbers[0] in first and numbers[1] in first and numbers[2] not in first.split("3 quotes")[1]
    )

    response = client.get(f"{BASE}/reports?open_page=2&awaiting_page=2")
    html = response.get_data(as_text=True)
    awaiting = text_of(response).split("3 quotes awaiting a reply")[1]
    assert numbers[2] in awaiting and numbers[0] not in awaiting
    # each table's links keep the other table's page
    assert f'href="{BASE}/reports?open_page=2&amp;awaiting_page=1#awaiting-reply"' in html
    assert f'href="{BASE}/reports?open_page=1&amp;awaiting_page=2#open-orders"' in html


def book(finance, first: int, count: int, extra) -> None:
    """`count` councils, each with an order at a different point in its life (with quotes,
    revisions, invoices and credit notes), so any per-row query would show."""
    for n in range(first, first + count):
        member = council(n)
        kind = n % 6
        if kind == 0:
            services.request_extra(member, "Migration", "Please quote", finance, extra)
            continue
        order = quoted(member, finance, 50000 + n, extra=extra if kind in (2, 3) else None)
        if kind == 1:
            services.quote(
                order,
                [("Revised", Decimal(2), 30000, "S", None)],
                services.default_valid_until(),
                None,
                finance,
            )
        if kind in (2, 3, 4):
            services.accept(order.quotes[-1], finance)  # staged: half invoiced now
        if kind == 3:
            services.start_work(order, finance)
            bill = db.session.scalars(
                sa.select(Invoice).where(Invoice.order_id == order.id)
            ).first()
            invoices.credit(bill, "Less work", finance, amount_pence=1000)
        if kind == 4:
            services.deliver(order, finance)
        if kind == 5:
            services.cancel(order, finance, "Not needed")


def statements(client, path: str) -> int:
    seen: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        seen.append(statement)

    client.get(path)  # warm: anything cached once per process is not counted
    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert client.get(path).status_code == 200
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    return len(seen)


PAGES = [f"{BASE}/", f"{BASE}/?status=quoted", f"{BASE}/reports"]


def test_the_pages_run_the_same_statements_for_3_and_12_councils_and_for_hundreds(finance, client):
    extra = services.save_extra(
        {"name": "Migration", "description": "Move data", "pricing": Pricing.FIXED,
         "price_pence": 200000, "vat_code": "S", "invoice_rule": InvoiceRule.STAGED,
         "stage_percent": 50},
        finance,
    )  # fmt: skip
    book(finance, 1, 3, extra)
    assert db.session.scalar(sa.select(sa.func.count(Order.id))) == 3
    small = {path: statements(client, path) for path in PAGES}

    book(finance, 4, 9, extra)
    assert db.session.scalar(sa.select(sa.func.count(Order.id))) == 12
    assert {path: statements(client, path) for path in PAGES} == small

    # hundreds more (past a batch of 500 ids, where loading every row took more statements)
    members = db.session.scalars(sa.select(Member)).all()
    db.session.execute(
        sa.insert(Order),
        [
            dict(
                member_id=members[n % len(members)].id,
                title=f"Bulk {n}",
                status=OrderStatus.QUOTED if n % 2 else OrderStatus.REQUESTED,
                created_at=START,
            )
            for n in range(600)
        ],
    )
    db.session.commit()
    assert {path: statements(client, path) for path in PAGES} == small
