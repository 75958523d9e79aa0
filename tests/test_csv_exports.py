"""Every CSV export, with text a hostile user could type into the names, addresses,
descriptions and references it carries: no cell is a live spreadsheet formula, and negative
amounts stay numbers. Every export goes through company/csvfile.py."""

import csv
import io
from datetime import date
from decimal import Decimal
from pathlib import Path

from billing.extras import services as extras
from billing.invoices import services as invoices
from billing.payments import services as payments
from company import csvfile
from company.auth.roles import Role
from tests import factories
from tests.helpers import ROOT

HOSTILE = [
    '=HYPERLINK("http://evil.example","Click")',
    "+44 cmd|' /C calc'!A0",
    "@SUM(A1:A9)",
    "-2+3",
]
EXPORTS = [
    "/register-of-members.csv",
    "/billing/aged-debt.csv",
    "/billing/exports/xero.csv?start-day=1&start-month=4&start-year=2026&end-day=31&end-month=12&end-year=2026",
    "/billing/exports/journal.csv?start-day=1&start-month=4&start-year=2026&end-day=31&end-month=12&end-year=2026",
    "/billing/extras/reports/income.csv",
    "/billing/extras/reports/open-orders.csv",
    "/billing/extras/reports/awaiting-reply.csv",
]


def test_no_export_has_a_live_formula(ctx, client, login_as):
    factories.company_settings()
    member = factories.member(name=HOSTILE[0], address=f"{HOSTILE[1]}\nTown Hall")
    finance = factories.user(Role.FINANCE)
    draft = factories.draft_invoice(
        member, lines=((HOSTILE[2], 1, 100000, "S"),), po_number=HOSTILE[3]
    )
    invoice = invoices.issue(draft, finance, send=False)
    invoices.credit(invoice, HOSTILE[1], finance, amount_pence=10000)
    payments.record_payment(member, 50000, date(2026, 12, 1), "bank_transfer", HOSTILE[2], finance)
    extras.quote_for(
        member, HOSTILE[0], [(HOSTILE[2], Decimal(1), 1000, "S", None)],
        extras.default_valid_until(), None, finance,
    )  # fmt: skip
    login_as(factories.user(Role.ADMIN))
    bad, seen = [], 0
    for url in EXPORTS:
        login_as(finance if url.startswith("/billing") else factories.user(Role.ADMIN))
        response = client.get(url)
        assert response.status_code == 200 and response.mimetype == "text/csv", url
        for row in csv.reader(io.StringIO(response.get_data(as_text=True))):
            for cell in row:
                seen += any(h in cell for h in HOSTILE)
                if cell.startswith(csvfile.TRIGGERS) and not csvfile.NUMBER.fullmatch(cell):
                    bad.append(f"{url}: {cell!r}")
    assert bad == [] and seen >= len(EXPORTS) - 2  # the hostile text did reach the exports


def test_negative_amounts_stay_numbers():
    assert csvfile.safe_cell("-12.50") == "-12.50" and csvfile.safe_cell(-1250) == -1250
    assert csvfile.safe_cell("-2+3") == "'-2+3" and csvfile.safe_cell("=1+1") == "'=1+1"


def test_every_csv_export_uses_the_one_writer():
    users = [
        str(p.relative_to(ROOT))
        for folder in ("company", "billing")
        for p in Path(ROOT, folder).rglob("*.py")
        if "csv.writer(" in p.read_text() and p.name != "csvfile.py"
    ]
    assert users == []
