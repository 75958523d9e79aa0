"""The annual contribution run at scale: preview → drafts → issue (numbers, PDFs, emails queued).

    python bench/invoice_run.py --members 400
    DATABASE_URL=postgresql+psycopg://… python bench/invoice_run.py --members 10000

Seeds N member councils into a fresh database (a temporary SQLite file unless DATABASE_URL is
set; it is emptied), then times each stage. The company's control statement is set to name three
councils: every real invoice names all the controlling councils (a few hundred at most; a long
list is printed at the end of the PDF), but N synthetic members are not N controlling councils,
and a statement naming 10,000 of them would measure the statement, not the run. Prints the time of each stage, invoices per second and peak memory (RSS), then renders the
run's own PDFs again on every core, alone (the median of three), and prints the issue stage's
share of that throughput: the floor, since a run cannot issue faster than it renders, and on
two cores this process's own CPU (numbering, storing, emails) is taken from the renderers. Last lines `invoices_per_second=<n>` and `share_of_pdf_alone=<ratio>`.
"""

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from billing.contributions import services as contributions  # noqa: E402
from company import create_app  # noqa: E402
from company.extensions import db  # noqa: E402
from company.members.models import Member  # noqa: E402
from company.settings import services as settings  # noqa: E402

YEAR = date(2026, 4, 1)
ISSUE = "issue (numbers, PDFs, emails queued)"


def build(app, n: int) -> None:
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
        row.control_statement = (
            "{company} is controlled by local authorities within the meaning of Part V of the Local "
            "Government and Housing Act 1989: Adur District Council, Brighton and Hove City Council "
            "and West Sussex County Council."
        )  # set directly: see the docstring
        types = [
            "Non-metropolitan district",
            "Unitary authority",
            "County",
            "London borough",
            "Parish council",
        ]
        db.session.execute(
            sa.insert(Member),
            [
                dict(
                    name=f"Bench Council {i:05d}",
                    body_type=types[i % len(types)],
                    address=f"Town Hall {i}",
                    contact_name="Pat",
                    contact_email=f"c{i}@example.com",
                    founding=False,
                    approved_on=date(2024, 1, 1),
                    approval_resolution=f"BR-{i}",
                    joined_on=date(2024, 4, 1 + i % 28),
                    agreement_signed_on=date(2024, 2, 1),
                    invoice_address=f"Accounts Payable\nTown Hall {i}",
                    finance_email=f"ap{i}@example.com",
                    po_required=False,
                    created_at=date(2024, 1, 1),
                )
                for i in range(n)
            ],
        )
        db.session.commit()
        contributions.create_schedule(YEAR, "bench")
        schedule = contributions.schedule_for(YEAR)
        contributions.approve_schedule(schedule, date(2026, 3, 1), "BR-BENCH", "bench")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=400)
    args = parser.parse_args()

    url = os.environ.get("DATABASE_URL") or f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}"
    app = create_app(
        "test", {"SQLALCHEMY_DATABASE_URI": url, "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"}
    )
    t = time.perf_counter()
    build(app, args.members)
    print(
        f"database: {sa.engine.make_url(url).get_backend_name()}, members: {args.members}, seeded in {time.perf_counter() - t:.1f} s"
    )
    with app.test_request_context():
        stages = {}
        t = time.perf_counter()
        rows = contributions.preview(YEAR)
        stages["preview"] = time.perf_counter() - t
        t = time.perf_counter()
        contributions.create_drafts(YEAR, "bench")
        stages["drafts"] = time.perf_counter() - t
        t, cpu = time.perf_counter(), time.process_time()
        result = contributions.issue_drafts(YEAR, "bench", issue_date=date(2026, 4, 15))
        stages[ISSUE] = time.perf_counter() - t
        cpu = time.process_time() - cpu
        memory = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        alone = render_alone()
    for name, seconds in stages.items():
        print(f"{name:40} {seconds:8.2f} s")
    total = sum(stages.values())
    issue = stages[ISSUE]
    print(f"{'total':40} {total:8.2f} s   ({len(rows)} previewed, {result.line()})")
    print(f"peak memory (RSS) {memory:.0f} MB")
    print(
        f"the same {result.issued} PDFs rendered alone on {os.cpu_count()} cores: {alone:.2f} s, "
        f"{result.issued / alone:.0f} a second"
    )
    print(
        f"issue stage: {result.issued / issue:.0f} invoices a second, {alone / issue:.2f} of that;"
        f" {cpu:.1f} s of this process's CPU (numbering, storing, emails)"
    )
    print(f"invoices_per_second={result.issued / total:.0f}")
    print(f"share_of_pdf_alone={alone / issue:.2f}")


def render_alone() -> float:
    """Seconds to render the run's own PDFs again, and nothing else, on every core (the pool
    started inside the timing, as the run's is): the floor the issue stage is measured
    against."""
    from billing.invoices import services as invoices
    from billing.invoices.models import Invoice
    from billing.invoices.render import pdf_renderer

    documents = [
        invoices.document_of(invoice)
        for invoice in db.session.scalars(
            sa.select(Invoice)
            .options(selectinload(Invoice.lines))
            .where(Invoice.number.is_not(None))
            .order_by(Invoice.id)
        )
    ]
    times = []
    for _ in range(3):  # the median of three: this machine's speed wanders by a tenth
        start = time.perf_counter()
        with pdf_renderer(len(documents)) as renderer:
            renderer.submit(documents)()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


if __name__ == "__main__":
    main()
