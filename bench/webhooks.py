"""Stripe webhook throughput: signed payment_intent.succeeded events, half of them duplicates.

Builds a SQLite database with issued invoices, then posts N events through the Flask test
client: N/2 distinct PaymentIntents (each invoice paid in four parts) and a replay of each, in a
shuffled order. Every event is verified (HMAC signature), stored once, and recorded as a card
payment set against its invoice. Checks the outcome (one payment per PaymentIntent, every
invoice paid) and prints events handled per second; the target is 200/s.
Run: `.venv/bin/python bench/webhooks.py [N]`. Last line: `events_per_second=<n>`.
"""

import hashlib
import hmac
import json
import random
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from company import create_app  # noqa: E402
from company.extensions import db  # noqa: E402

SECRET = "whsec_bench"
PARTS = 4  # PaymentIntents per invoice


def build(app, invoices: int) -> list[tuple[int, str, int]]:
    """Issued invoices of a few members: (id, number, gross) each."""
    from datetime import date
    from decimal import Decimal

    from flask_migrate import upgrade

    from billing.invoices import services as invoice_services
    from company.members.models import Member
    from company.settings import services as settings

    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        row = settings.current()
        row.legal_name, row.company_number = "Flatpack Councils Ltd", "12345678"
        row.registered_office = "1 Civic Square\nBrighton\nBN1 1AA"
        row.bank_account_name, row.bank_sort_code = "Flatpack Councils Ltd", "309950"
        row.bank_account_number = "00733445"
        members = []
        for i in range(5):
            m = Member(
                name=f"Bench Council {i}",
                body_type="District council",
                address="Town Hall",
                contact_name="Pat",
                contact_email=f"c{i}@example.com",
                approved_on=date(2025, 1, 15),
                approval_resolution=f"BR-{i}",
                joined_on=date(2025, 4, 1),
                agreement_signed_on=date(2025, 2, 1),
                invoice_address="Accounts Payable",
                finance_email=f"f{i}@example.com",
                po_required=False,
            )
            db.session.add(m)
            members.append(m)
        db.session.commit()
        out = []
        for i in range(invoices):
            draft = invoice_services.new_draft(members[i % len(members)])
            invoice_services.add_line(draft, "Service", 10000 + i * 100, Decimal(1), "S")
            db.session.flush()
            invoice = invoice_services.issue(draft, send=False)
            out.append((invoice.id, invoice.number, invoice.gross_pence))
        return out


def events(invoices: list[tuple[int, str, int]]) -> list[dict]:
    """PARTS PaymentIntents per invoice whose amounts add up to its total."""
    now = int(time.time())
    out = []
    for invoice_id, number, gross in invoices:
        part = gross // PARTS
        for p in range(PARTS):
            amount = part if p < PARTS - 1 else gross - part * (PARTS - 1)
            intent = f"pi_bench_{invoice_id}_{p}"
            out.append(
                {
                    "id": f"evt_bench_{invoice_id}_{p}",
                    "object": "event",
                    "type": "payment_intent.succeeded",
                    "created": now,
                    "data": {
                        "object": {
                            "id": intent,
                            "object": "payment_intent",
                            "amount": amount,
                            "amount_received": amount,
                            "currency": "gbp",
                            "status": "succeeded",
                            "metadata": {"invoice_id": str(invoice_id), "invoice_number": number},
                        }
                    },
                }
            )
    return out


def sign(payload: dict) -> tuple[bytes, dict]:
    body = json.dumps(payload).encode()
    at = int(time.time())
    mac = hmac.new(SECRET.encode(), f"{at}.".encode() + body, hashlib.sha256).hexdigest()
    return body, {"Stripe-Signature": f"t={at},v1={mac}", "Content-Type": "application/json"}


def main() -> None:
    total = int(sys.argv[1]) if len(sys.argv) > 1 else 400
    distinct = max(PARTS, total // 2 // PARTS * PARTS)
    tmp = Path(tempfile.mkdtemp(prefix="flatpack-bench-"))
    app = create_app(
        "test",
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'bench.db'}",
            "STRIPE_SECRET_KEY": "sk_test_bench",
            "STRIPE_PUBLISHABLE_KEY": "pk_test_bench",
            "STRIPE_WEBHOOK_SECRET": SECRET,
            "STRIPE_API_BASE": "http://127.0.0.1:9",  # never called: events only
        },
    )
    invoices = build(app, distinct // PARTS)
    unique = [sign(e) for e in events(invoices)]
    posts = unique + unique  # every event twice: Stripe retries, replays, duplicates
    random.Random(7).shuffle(posts)
    client = app.test_client()
    statuses: dict[str, int] = {}
    start, cpu = time.perf_counter(), time.process_time()
    for body, headers in posts:
        r = client.post("/stripe/webhook", data=body, headers=headers)
        key = "duplicate" if r.status_code == 200 and r.json["outcome"] == "duplicate" else ""
        key = key or str(r.status_code)
        statuses[key] = statuses.get(key, 0) + 1
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu

    from billing.invoices.models import Invoice, Status
    from billing.payments.models import Payment

    with app.app_context():
        payments = db.session.scalar(sa.select(sa.func.count(Payment.id)))
        paid = db.session.scalar(
            sa.select(sa.func.count(Invoice.id)).where(Invoice.status == Status.PAID)
        )
    print(f"invoices={len(invoices)} events_posted={len(posts)} distinct={len(unique)}")
    print(f"responses={statuses} payments={payments} invoices_paid={paid}")
    print(
        f"seconds={seconds:.2f} cpu_seconds={cpu:.2f} per_event_ms={1000 * seconds / len(posts):.2f}"
    )
    if payments != len(unique) or paid != len(invoices) or statuses.get("duplicate") != len(unique):
        print("FAILED: expected one payment per PaymentIntent and every invoice paid")
        sys.exit(1)
    print(f"events_per_second={len(posts) / seconds:.0f}")


if __name__ == "__main__":
    main()
