"""Bank statement import and automatic matching at scale.

    python bench/reconcile.py --lines 10000
    DATABASE_URL=postgresql+psycopg://… python bench/reconcile.py

Builds a fresh database (a temporary SQLite file unless DATABASE_URL is set; it is emptied),
seeds member councils and open issued invoices with bulk inserts (bench rows, not issued
through the service: no PDFs, seller '{}'), writes a CSV statement whose references name the
invoices and pay what they owe (one invoice, or two together), plus part payments and unknown
payers left for review and money out that is skipped. Then times the import and the matching,
and imports the same file again (nothing may be added). Last line `lines_per_second=<n>`.
"""

import argparse
import os
import random
import resource
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from billing.bank import matching as bank_matching  # noqa: E402
from billing.bank import services as bank_services  # noqa: E402
from billing.bank import statement as bank_statement  # noqa: E402
from billing.bank.models import BankLine  # noqa: E402
from billing.invoices.models import Invoice, Kind, Status  # noqa: E402
from billing.payments.models import Payment  # noqa: E402
from company import create_app  # noqa: E402
from company.extensions import db  # noqa: E402
from company.members.models import Member  # noqa: E402
from company.settings import services as settings  # noqa: E402

ISSUED_ON = date(2026, 4, 15)
PAID_FROM = date(2026, 5, 1)


def build(app, members: int, invoices: int) -> list[tuple[str, int, int]]:
    """Seed the database; returns (number, member index, gross pence) of each invoice."""
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
        db.session.execute(
            sa.insert(Member),
            [
                dict(
                    name=f"Bench Council {i:05d}",
                    body_type="Non-metropolitan district",
                    address=f"Town Hall {i}",
                    contact_name="Pat",
                    contact_email=f"c{i}@example.com",
                    founding=False,
                    approved_on=date(2024, 1, 1),
                    approval_resolution=f"BR-{i}",
                    joined_on=date(2024, 4, 1),
                    agreement_signed_on=date(2024, 2, 1),
                    invoice_address=f"Accounts Payable\nTown Hall {i}",
                    finance_email=f"ap{i}@example.com",
                    po_required=False,
                    created_at=date(2024, 1, 1),
                )
                for i in range(members)
            ],
        )
        member_ids = db.session.scalars(sa.select(Member.id).order_by(Member.id)).all()
        rng = random.Random(42)
        made, rows = [], []
        for n in range(1, invoices + 1):
            m = (n - 1) % members
            gross = rng.randrange(10_000, 2_000_000)
            number = f"INV-2026-{n:05d}"
            made.append((number, m, gross))
            rows.append(
                dict(
                    kind=Kind.INVOICE,
                    purpose="adhoc",
                    member_id=member_ids[m],
                    year_start=date(2026, 4, 1),
                    status=Status.ISSUED,
                    series="INV-2026",
                    sequence_no=n,
                    number=number,
                    issue_date=ISSUED_ON,
                    due_date=ISSUED_ON + timedelta(days=30),
                    customer_name=f"Bench Council {m:05d}",
                    net_pence=gross,
                    vat_pence=0,
                    gross_pence=gross,
                    seller="{}",
                    issued_at=ISSUED_ON,
                )
            )
        for chunk in range(0, len(rows), 2000):
            db.session.execute(sa.insert(Invoice), rows[chunk : chunk + 2000])
        db.session.commit()
        return made


def pounds(pence: int) -> str:
    return f"{pence // 100:,}.{pence % 100:02d}"


def statement(made: list[tuple[str, int, int]], lines: int) -> tuple[bytes, int]:
    """The CSV, and how many of its lines should match automatically. Of every 100 lines: 90
    pay one invoice, 3 pay two of one member's invoices together, 3 pay part of an invoice,
    1 is from an unknown payer, 3 are money out."""
    rng = random.Random(7)
    out = ["Date,Description,Amount"]
    by_member: dict[int, list[tuple[str, int]]] = {}
    for number, m, gross in made:
        by_member.setdefault(m, []).append((number, gross))
    wanted = sum(1 for i in range(lines) if 4 <= i % 100 < 7)
    pairs = [v[:2] for v in by_member.values() if len(v) >= 2][:wanted]
    used = {number for pair in pairs for number, _ in pair}
    singles = iter([(n, g) for n, _, g in made if n not in used])
    pairs = iter(pairs)
    expected = 0
    for i in range(lines):
        day = (PAID_FROM + timedelta(days=i % 150)).strftime("%d/%m/%Y")
        kind = i % 100
        if kind < 3:
            out.append(f"{day},CARD PAYMENT SUPPLIER {i},-{pounds(rng.randrange(100, 50_000))}")
        elif kind < 4:
            out.append(f'{day},UNKNOWN PAYER REF {i},"{pounds(rng.randrange(100, 50_000))}"')
        elif kind < 7:
            (a, ga), (b, gb) = next(pairs)
            out.append(f'{day},BENCH CC {a} {b},"{pounds(ga + gb)}"')
            expected += 1
        elif kind < 10:
            number, gross = next(singles)
            out.append(f'{day},BENCH CC PART {number},"£{pounds(gross // 2)}"')
        else:
            number, gross = next(singles)
            ref = number if i % 2 else number.replace("-", " ").lower()
            out.append(f'{day},BENCH CC {ref},"{pounds(gross)}"')
            expected += 1
    return ("\r\n".join(out) + "\r\n").encode(), expected


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=10_000)
    parser.add_argument("--members", type=int, default=2_000)
    args = parser.parse_args()
    invoices = args.lines  # one open invoice per line of the statement, near enough

    url = os.environ.get("DATABASE_URL") or f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}"
    app = create_app("test", {"SQLALCHEMY_DATABASE_URI": url})
    t = time.perf_counter()
    made = build(app, args.members, invoices)
    data, expected = statement(made, args.lines)
    print(
        f"database: {sa.engine.make_url(url).get_backend_name()}, members: {args.members}, "
        f"invoices: {invoices}, statement: {args.lines} lines ({len(data) / 1e6:.1f} MB), "
        f"seeded in {time.perf_counter() - t:.1f} s"
    )
    columns = bank_statement.Columns("Date", "Description", "Amount")
    with app.test_request_context():
        t = time.perf_counter()
        imported = bank_services.import_statement(data, "bench.csv", columns, "bench", match=False)
        read_and_added = time.perf_counter() - t
        t = time.perf_counter()
        bank_matching.match_import(imported, "bench")
        matching = time.perf_counter() - t
        elapsed = read_and_added + matching
        result = bank_services.summary(imported)
        t = time.perf_counter()
        again = bank_services.summary(
            bank_services.import_statement(data, "bench.csv", columns, "bench")
        )
        again_elapsed = time.perf_counter() - t
        payments = db.session.scalar(sa.select(sa.func.count(Payment.id)))
        stored = db.session.scalar(sa.select(sa.func.count(BankLine.id)))
        paid = db.session.scalar(
            sa.select(sa.func.count(Invoice.id)).where(Invoice.status == Status.PAID)
        )
    print(
        f"read, check and add {read_and_added:8.2f} s   read {result.read}, added {result.added}, "
        f"money out {result.money_out}"
    )
    print(
        f"match and record    {matching:8.2f} s   matched {result.matched} (expected {expected}), "
        f"to review {result.to_review}; {1000 * matching / max(result.matched, 1):.2f} ms a payment"
    )
    print(f"{'total':19} {elapsed:8.2f} s")
    print(
        f"same file again     {again_elapsed:8.2f} s   added {again.added}, already imported "
        f"{again.already}"
    )
    print(f"payments {payments}, invoices paid {paid}, bank lines stored {stored}")
    assert result.matched == expected, "every line paying what is owed should match"
    assert again.added == 0 and stored == result.added and payments == result.matched
    print(f"peak memory (RSS) {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    print(f"lines_per_second={result.read / elapsed:.0f}")


if __name__ == "__main__":
    main()
