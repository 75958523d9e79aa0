"""Staff pages at the scale of a large collaboration: p95 render time and SQL statements a page.

    python bench/pages.py                       # 10,000 members, 100,000 invoices
    python bench/pages.py --members 1000        # a smaller book, to see that counts stay flat
    DATABASE_URL=postgresql+psycopg://… python bench/pages.py   (the database is emptied)

Seeds N member councils with ten years of contribution invoices each (10 N invoices, one line
each), their payments (most paid in full, some in part, the rest unpaid), a credit note for one
invoice in fifty and extras orders, straight into the tables; then renders every list and report
page as a signed-in finance officer and prints, per page, the p95 and median of RENDERS renders
and the SQL statements one render runs (a slow page gets fewer renders, 5 at least). A page whose statement count grows with N has an N+1;
the last line is `worst_p95_ms=<n>` over the list pages (aged debt as at a date is reported on
its own: it reads the whole ledger as it stood).
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from billing import balances  # noqa: E402
from billing.extras.models import Extra, Order  # noqa: E402
from billing.invoices.models import Invoice, InvoiceLine, NumberSequence  # noqa: E402
from billing.payments.models import Allocation, Payment  # noqa: E402
from company import create_app  # noqa: E402
from company.auth import services as auth_services  # noqa: E402
from company.auth import sessions  # noqa: E402
from company.auth.roles import Role  # noqa: E402
from company.extensions import db  # noqa: E402
from company.members.models import Member  # noqa: E402
from company.settings import services as settings  # noqa: E402

RENDERS = 40
YEARS = list(range(2017, 2027))  # ten financial years, April to March
NET, VAT = 500_000, 100_000  # each contribution: £5,000 + VAT
SELLER = json.dumps(
    {
        "legal_name": "Flatpack Councils Ltd",
        "registered_office": "1 Civic Square\nBrighton\nBN1 1AA",
        "company_number": "12345678",
        "registered_in": "England and Wales",
        "vat_number": "GB 980 7806 84",
        "bank_account_name": "Flatpack Councils Ltd",
        "bank_sort_code": "30-99-50",
        "bank_account_number": "00733445",
        "payment_terms_days": 30,
        "control_statement": None,
    },
    sort_keys=True,
)


def _chunks(rows, size=5000):
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def _insert(table, rows) -> None:
    for chunk in _chunks(rows):
        db.session.execute(sa.insert(table), chunk)


def build(app, n: int) -> tuple[int, int, int]:
    """The book: returns the finance officer's and the secretary's user ids and a member id
    halfway down the list."""
    from flask_migrate import upgrade

    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade(directory=str(ROOT / "migrations"))
        row = settings.current()
        row.company_number, row.registered_office = "12345678", "1 Civic Square\nBrighton\nBN1 1AA"
        row.vat_number, row.bank_account_name = "980780684", "Flatpack Councils Ltd"
        row.bank_sort_code, row.bank_account_number = "309950", "00733445"
        now = datetime(2026, 12, 1, 9, 0)
        _insert(
            Member.__table__,
            [
                dict(
                    id=i + 1,
                    name=f"Bench Council {i:05d}",
                    body_type="Non-metropolitan district",
                    address=f"Town Hall {i}",
                    contact_name="Pat",
                    contact_email=f"c{i}@example.com",
                    founding=i % 7 == 0,
                    approved_on=date(2016, 1, 1),
                    approval_resolution=f"BR-{i}",
                    joined_on=date(2016, 4, 1),
                    agreement_signed_on=date(2016, 2, 1),
                    invoice_address=f"Accounts Payable\nTown Hall {i}",
                    finance_email=f"ap{i}@example.com",
                    po_required=False,
                    created_at=now,
                )
                for i in range(n)
            ],
        )
        invoices, lines, payments, allocations, credits = [], [], [], [], []
        sequence = {year: 0 for year in YEARS}
        invoice_id = payment_id = 0
        for m in range(1, n + 1):
            for year in YEARS:
                invoice_id += 1
                sequence[year] += 1
                issued = date(year, 4, 15)
                # the last two years are partly unpaid, a few older ones too: aged debt to age
                fate = (m + year) % 10
                unpaid = year >= 2025 and fate < 4 or fate == 9
                part = fate == 8
                status = "issued" if unpaid else ("part_paid" if part else "paid")
                credited = invoice_id % 50 == 0 and status == "issued"
                invoices.append(
                    dict(
                        id=invoice_id,
                        version=1,
                        kind="invoice",
                        purpose="contribution",
                        member_id=m,
                        year_start=date(year, 4, 1),
                        status="credited" if credited else status,
                        series=f"INV-{year}",
                        sequence_no=sequence[year],
                        number=f"INV-{year}-{sequence[year]:05d}",
                        issue_date=issued,
                        due_date=date(year, 5, 15),
                        customer_name=f"Bench Council {m - 1:05d}",
                        customer_address="Accounts Payable",
                        net_pence=NET,
                        vat_pence=VAT,
                        gross_pence=NET + VAT,
                        seller=SELLER,
                        sent_at=now,
                        created_at=now,
                        issued_at=now,
                    )
                )
                lines.append(
                    dict(
                        invoice_id=invoice_id,
                        position=0,
                        description=f"Annual contribution {year}/{(year + 1) % 100:02d}",
                        quantity=1,
                        unit_pence=NET,
                        vat_code="S",
                        vat_rate_bp=2000,
                        net_pence=NET,
                        vat_pence=VAT,
                    )
                )
                if credited:
                    credits.append((invoice_id, year))
                if not unpaid:
                    payment_id += 1
                    amount = (NET + VAT) // 2 if part else NET + VAT
                    received = date(year, 5, 10)
                    payments.append(
                        dict(
                            id=payment_id,
                            member_id=m,
                            amount_pence=amount,
                            received_on=received,
                            method="bank_transfer",
                            reference=f"INV-{year}-{sequence[year]:05d}",
                            created_at=now,
                            refunded_pence=0,
                        )
                    )
                    allocations.append(
                        dict(
                            payment_id=payment_id,
                            invoice_id=invoice_id,
                            amount_pence=amount,
                            effective_on=received,
                            created_at=now,
                        )
                    )
        credit_notes, credit_lines = [], []
        cn_sequence = {year: 0 for year in YEARS}
        for original, year in credits:
            invoice_id += 1
            cn_sequence[year] += 1
            credit_notes.append(
                dict(
                    invoices[original - 1],
                    id=invoice_id,
                    kind="credit_note",
                    purpose="contribution",
                    status="issued",
                    series=f"CN-{year}",
                    sequence_no=cn_sequence[year],
                    number=f"CN-{year}-{cn_sequence[year]:05d}",
                    due_date=None,
                    original_id=original,
                    reason="Member left",
                )
            )
            credit_lines.append(dict(lines[original - 1], invoice_id=invoice_id))
        _insert(Invoice.__table__, invoices)
        _insert(InvoiceLine.__table__, lines)
        _insert(Payment.__table__, payments)
        _insert(Allocation.__table__, allocations)
        _insert(Invoice.__table__, credit_notes)
        _insert(InvoiceLine.__table__, credit_lines)
        balances.restate(db.session)  # rows inserted straight into the tables: no flush kept them
        _insert(
            NumberSequence.__table__,
            [dict(series=f"INV-{y}", last_value=v) for y, v in sequence.items()]
            + [dict(series=f"CN-{y}", last_value=v) for y, v in cn_sequence.items()],
        )
        extra = db.session.execute(
            sa.insert(Extra).returning(Extra.id),
            [
                dict(
                    name="Data migration",
                    description="Moving a council's records in",
                    pricing="fixed",
                    price_pence=250_000,
                    vat_code="S",
                    invoice_rule="on_acceptance",
                    created_at=now,
                )
            ],
        ).scalar()
        statuses = ["requested", "quoted", "accepted", "in_progress", "delivered", "cancelled"]
        _insert(
            Order.__table__,
            [
                dict(
                    member_id=m,
                    extra_id=extra,
                    title="Data migration",
                    request="Move our records in",
                    status=statuses[m % len(statuses)],
                    created_at=now,
                )
                for m in range(1, n + 1, 5)
            ],
        )
        officer = auth_services.create_user(
            "finance@example.com", "Finance", Role.FINANCE, "bench password 1", actor="bench"
        )
        secretary = auth_services.create_user(
            "secretary@example.com", "Secretary", Role.ADMIN, "bench password 1", actor="bench"
        )
        db.session.commit()
        return officer.id, secretary.id, n // 2


def pages(member_id: int) -> list[tuple[str, str]]:
    """(what, path) for every list and report page a finance officer compares figures on."""
    return [
        ("invoices, first page", "/billing/invoices"),
        ("invoices, page 40", "/billing/invoices?page=40"),
        ("invoices: 2025, unpaid", "/billing/invoices?year=2025&status=issued"),
        ("invoices: overdue", "/billing/invoices?overdue=1"),
        ("invoices: credit notes", "/billing/invoices?kind=credit_note"),
        ("invoices: one member", f"/billing/invoices?member={member_id}"),
        ("invoices: search a number", "/billing/invoices?q=INV-2024-00042"),
        ("payments", "/billing/payments"),
        ("payments, page 40", "/billing/payments?page=40"),
        ("aged debt today", "/billing/aged-debt"),
        ("statement of a member", f"/billing/members/{member_id}/statement"),
        ("finance dashboard", "/billing/dashboard"),
        ("dashboard", "/dashboard"),
        ("credit control", "/billing/credit-control/"),
        ("extras orders", "/billing/extras/"),
        ("extras reports", "/billing/extras/reports"),
        ("statements (choose a member)", "/billing/statements"),
    ]


SECRETARY_PAGES = [
    ("register of members", "/register-of-members"),
    ("members", "/admin/members"),
]
AS_AT = ("aged debt as at 31 March 2024", "/billing/aged-debt?as_at=2024-03-31")


def measure(client, path: str, statements: list) -> tuple[float, float, int]:
    statements.clear()
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    count = len(statements)
    times: list[float] = []
    began = time.perf_counter()
    while len(times) < RENDERS and (len(times) < 5 or time.perf_counter() - began < 10):
        start = time.perf_counter()
        client.get(path)
        times.append(time.perf_counter() - start)  # a slow page gets fewer renders, 5 at least
    p95 = statistics.quantiles(times, n=20)[-1]
    return p95 * 1000, statistics.median(times) * 1000, count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--only", help="measure only the pages whose name contains this")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}"
    app = create_app(
        "test",
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "WTF_CSRF_ENABLED": False,
            "TOTP_REQUIRED": False,  # the officer signs in by session cookie below
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        },
    )
    start = time.perf_counter()
    officer_id, secretary_id, member_id = build(app, args.members)
    finance, secretary = app.test_client(), app.test_client()
    statements: list = []
    with app.app_context():
        from company.auth.models import User

        for client, user_id in ((finance, officer_id), (secretary, secretary_id)):
            with client.session_transaction() as sess:
                sess["_user_id"] = sessions.session_id_for(db.session.get(User, user_id))
                sess["_fresh"] = True
        db.session.commit()
        counts = db.session.execute(
            sa.select(Invoice.kind, sa.func.count()).group_by(Invoice.kind)
        ).all()
        paid = db.session.scalar(sa.select(sa.func.count()).select_from(Payment))
        sa.event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(1))
    book = ", ".join(f"{c:,} {k.value.replace('_', ' ')}s" for k, c in counts)
    print(
        f"database: {sa.engine.make_url(url).get_backend_name()}, {args.members:,} members, "
        f"{book}, {paid:,} payments; seeded in {time.perf_counter() - start:.0f} s"
    )
    print(f"{'page':34} {'p95 ms':>8} {'median':>8} {'SQL':>5}   ({RENDERS} renders each)")
    worst = 0.0
    for client, what, path in [(finance, *page) for page in pages(member_id)] + [
        (secretary, *page) for page in SECRETARY_PAGES
    ]:
        if args.only and args.only not in what:
            continue
        p95, median, count = measure(client, path, statements)
        worst = max(worst, p95)
        print(f"{what:34} {p95:8.1f} {median:8.1f} {count:5d}")
    if args.only and args.only not in AS_AT[0]:
        return
    p95, median, count = measure(finance, AS_AT[1], statements)
    print(f"{AS_AT[0]:34} {p95:8.1f} {median:8.1f} {count:5d}")
    print(f"worst_p95_ms={worst:.0f}")
    print(f"aged_debt_as_at_p95_ms={p95:.0f}")


if __name__ == "__main__":
    main()
