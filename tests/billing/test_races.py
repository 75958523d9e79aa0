"""Money moves under real concurrent requests: eight signed-in browsers (threads with their own
HTTP connections) post the same move at the same moment to the app on a live server, on
SQLite here and on PostgreSQL in CI. Each race ends with the books' invariants checked: nothing
allocated, credited or refunded beyond what there was, statuses agreeing with what is owed, and
the audit trail matching the recorded amounts. Every loser gets a clear refusal, never a 5xx."""

import html
import json
import re
import threading
import urllib.parse
import urllib.request
from datetime import date
from decimal import Decimal
from http.cookiejar import CookieJar

import pytest
import sqlalchemy as sa

from billing import ledger
from billing.extras import services as extras
from billing.extras.models import InvoiceRule, Order, OrderStatus, Pricing
from billing.invoices import services as invoices
from billing.invoices.models import Invoice, Kind, Status
from billing.payments import services as payments
from billing.payments.models import Allocation, Payment
from company.audit import AuditEvent
from company.auth.roles import Role
from company.extensions import db
from tests import factories
from tests.browser import LiveServer
from tests.helpers import identity

RACERS = 8
CSRF = re.compile(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"')


class Browser:
    """One signed-in person's cookies and CSRF token, over plain HTTP to the live server."""

    def __init__(self, base: str, email: str, via_form: bool = True):
        self.base, self.email = base, email
        self.jar = CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        if via_form:
            self._sign_in()
        else:  # one more session of the same person, as a second tab or machine would have
            self._session_cookie()

    def _sign_in(self) -> None:
        """The sign-in form, then the code from the person's authenticator app (staff)."""
        from company.auth.services import user_by_email

        page = self.get("/sign-in")[1]
        status, page = self.post(
            "/sign-in",
            {"email": self.email, "password": factories.PASSWORD},
            token=CSRF.search(page).group(1),
        )
        assert status in (200, 302)
        if 'name="code"' in page:
            status, _ = self.post(
                "/sign-in/code",
                {"code": factories.code_for(user_by_email(self.email))},
                token=CSRF.search(page).group(1),
            )
            assert status in (200, 302)

    def _session_cookie(self) -> None:
        """A session opened on the server and its signed cookie, without the form: eight sign-ins
        of one person in the same 30 seconds could not each have a fresh code."""
        from http.cookiejar import Cookie

        from flask import current_app

        from company.auth import sessions
        from company.auth.services import user_by_email

        sid = sessions.session_id_for(user_by_email(self.email))
        value = current_app.session_interface.get_signing_serializer(current_app).dumps(
            {"_user_id": sid, "_fresh": True}
        )
        host = urllib.parse.urlsplit(self.base).hostname
        self.jar.set_cookie(
            Cookie(0, current_app.config["SESSION_COOKIE_NAME"], value, None, False, host,
                   False, False, "/", True, False, None, False, None, None, {})
        )  # fmt: skip
        self.token = CSRF.search(self.get("/")[1]).group(1)

    def get(self, path: str) -> tuple[int, str]:
        with self.opener.open(self.base + path, timeout=60) as response:
            return response.status, response.read().decode()

    def post(self, path: str, data: dict, token: str | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode({"csrf_token": token or self.token, **data}).encode()
        request = urllib.request.Request(self.base + path, data=body)  # noqa: S310 (loopback)
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()


def race(browser: Browser, path: str, data: dict, n: int = RACERS) -> list[tuple[int, str]]:
    """`n` posts of `data` to `path`, released together, each from its own signed-in browser
    (as `browser`'s person: own cookies, so each sees its own flashed answer); their answers."""
    browsers = [Browser(browser.base, browser.email, via_form=False) for _ in range(n)]
    start = threading.Barrier(n)
    answers: list = [None] * n

    def one(i):
        start.wait()
        answers[i] = browsers[i].post(path, data)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    db.session.expire_all()
    assert all(status < 500 for status, _ in answers), [s for s, _ in answers]
    return answers


def said(answers, text: str) -> int:
    """How many answers show `text` (whitespace and entities as a reader sees them)."""
    return sum(text in " ".join(html.unescape(page).split()) for _, page in answers)


def check_books() -> None:
    """The invariants every race must leave true."""
    for invoice in db.session.scalars(sa.select(Invoice).where(Invoice.kind == Kind.INVOICE)):
        if invoice.status == Status.DRAFT:
            continue
        owed = ledger.owed(invoice)
        assert owed >= 0, f"{invoice.number} over-allocated or over-credited by {-owed}"
        for line_id, (net, vat) in invoices.credited_by_line(invoice).items():
            line = next(ln for ln in invoice.lines if ln.id == line_id)
            assert net <= line.net_pence and vat <= line.vat_pence, invoice.number
        expected = {0: {Status.PAID, Status.CREDITED}}.get(owed, {Status.ISSUED, Status.PART_PAID})
        assert invoice.status in expected, (invoice.number, invoice.status, owed)
    for payment in db.session.scalars(sa.select(Payment)):
        assert payments.unallocated(payment) >= 0, f"payment {payment.id} over-allocated"
    recorded = db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(Allocation.amount_pence), 0))
    )
    audited = sum(
        json.loads(e.changes)["amount_pence"]
        for e in db.session.scalars(
            sa.select(AuditEvent).where(
                AuditEvent.action.in_(["payment.allocated", "payment.allocation_reversed"])
            )
        )
    )
    assert audited == recorded, "audit events disagree with the allocations recorded"


@pytest.fixture
def served(app, ctx):
    factories.company_settings()
    server = LiveServer(app).start()
    finance = factories.user(Role.FINANCE)
    yield server, Browser(server.url, finance.email), finance
    server.stop()


def issued(member, pence=100000):
    draft = factories.draft_invoice(member, lines=(("Service", 1, pence, "S"),))
    return invoices.issue(draft, send=False)  # £1,200.00 with VAT for 100000


def test_eight_payments_at_once_never_over_allocate_a_part_paid_invoice(served):
    server, browser, finance = served
    member = factories.member()
    invoice = issued(member)  # £1,200.00
    payments.record_payment(member, 20000, date(2026, 12, 1), "bank_transfer", "part", finance)
    answers = race(
        browser,
        "/billing/payments/new",
        {"member_id": member.id, "amount": "300.00", "received_on-day": "7",
         "received_on-month": "12", "received_on-year": "2026", "method": "bank_transfer",
         "allocate": "oldest"},
    )  # fmt: skip
    assert said(answers, "Payment recorded") + said(answers, "allocated") >= 1
    db.session.refresh(invoice)
    assert ledger.owed(invoice) == 0 and invoice.status == Status.PAID
    allocated = db.session.scalar(
        sa.select(sa.func.sum(Allocation.amount_pence)).where(Allocation.invoice_id == invoice.id)
    )
    assert allocated == 120000  # £1,000 of the £2,400 received is credit on account
    assert payments.member_credit(member.id) == 20000 + 8 * 30000 - 120000
    check_books()


def test_one_credit_allocated_eight_times_at_once_is_allocated_once(served):
    server, browser, finance = served
    member = factories.member()
    first, second = issued(member), issued(member)
    payment = payments.record_payment(
        member, 50000, date(2026, 12, 1), "bank_transfer", "credit", finance, allocations=[]
    )
    answers = race(
        browser,
        f"/billing/payments/{payment.id}/allocate",
        {"invoice_id": first.id, "amount": "500.00"},
    )
    assert said(answers, "of this payment is unallocated") == RACERS - 1
    assert payments.unallocated(db.session.get(Payment, payment.id)) == 0
    assert ledger.owed(db.session.get(Invoice, first.id)) == 70000
    assert ledger.owed(db.session.get(Invoice, second.id)) == 120000
    check_books()


def test_one_credit_refunded_eight_times_at_once_is_refunded_once(served, app):
    """Refunds ask for the password and a fresh code; a code counts once, so to race the money
    itself the refunder here has no second factor (TOTP_REQUIRED off) and gives the password.
    Eight passwords at once are each recorded as an attempt before any is counted, so the
    per-account limit (tested in test_auth) is raised here for the burst."""
    server, _, _ = served
    limit = app.config["SIGNIN_MAX_FAILURES_PER_ACCOUNT"]
    app.config["TOTP_REQUIRED"], app.config["SIGNIN_MAX_FAILURES_PER_ACCOUNT"] = False, 100
    try:
        finance = factories.user(Role.FINANCE, second_factor=False)
        browser = Browser(server.url, finance.email)
        member = factories.member()
        payment = payments.record_payment(
            member, 50000, date(2026, 12, 1), "bank_transfer", "credit", finance, allocations=[]
        )
        answers = race(
            browser,
            f"/billing/payments/{payment.id}/refund",
            {"amount": "500.00", "reason": "Paid twice", "confirm": "yes", **identity(finance)},
        )
    finally:
        app.config["TOTP_REQUIRED"] = True
        app.config["SIGNIN_MAX_FAILURES_PER_ACCOUNT"] = limit
    assert said(answers, "is credit that can be refunded") == RACERS - 1
    payment = db.session.get(Payment, payment.id)
    assert payment.refunded_pence == 50000 and len(payment_refunds(payment)) == 1
    check_books()


def test_one_code_given_eight_times_at_once_is_accepted_once(served, app):
    """The same code from the app on eight confirmations at once: one is accepted, the others
    are asked for a new code (a code is never replayed, even in a race). The per-account limit
    is raised for the burst, as above, so that every refusal is the code's."""
    server, browser, finance = served
    member = factories.member()
    payment = payments.record_payment(
        member, 50000, date(2026, 12, 1), "bank_transfer", "credit", finance, allocations=[]
    )
    limit = app.config["SIGNIN_MAX_FAILURES_PER_ACCOUNT"]
    app.config["SIGNIN_MAX_FAILURES_PER_ACCOUNT"] = 100
    try:
        answers = race(
            browser,
            f"/billing/payments/{payment.id}/refund",
            {"amount": "100.00", "reason": "Paid twice", "confirm": "yes", **identity(finance)},
        )
    finally:
        app.config["SIGNIN_MAX_FAILURES_PER_ACCOUNT"] = limit
    assert said(answers, "Enter the 6-digit code from your authenticator app") == RACERS - 1
    assert len(payment_refunds(db.session.get(Payment, payment.id))) == 1


def payment_refunds(payment):
    from billing.payments.models import Refund

    return db.session.scalars(sa.select(Refund).where(Refund.payment_id == payment.id)).all()


def test_eight_credit_notes_at_once_never_credit_more_than_was_invoiced(served):
    server, browser, finance = served
    member = factories.member()
    invoice = issued(member)  # £1,000.00 net
    answers = race(
        browser,
        f"/billing/invoices/{invoice.id}/credit",
        {"how": "amount", "amount": "600.00", "reason": "Overcharged", "confirm": "yes"},
    )
    notes = db.session.scalars(
        sa.select(Invoice).where(Invoice.original_id == invoice.id, Invoice.status != Status.DRAFT)
    ).all()
    assert sum(n.net_pence for n in notes) == 60000  # only one £600 fits in £1,000
    assert said(answers, "left to credit") + said(answers, "can be credited") >= RACERS - 1
    check_books()


def test_eight_reversals_of_one_payment_at_once_reverse_it_once(served):
    server, browser, finance = served
    member = factories.member()
    invoice = issued(member)
    payment = payments.record_payment(
        member, 120000, date(2026, 12, 1), "bank_transfer", "bounced", finance
    )
    answers = race(
        browser,
        f"/billing/payments/{payment.id}/reverse",
        {"reason": "The cheque bounced", "confirm": "yes"},
    )
    assert said(answers, "This payment has already been reversed") == RACERS - 1
    assert ledger.owed(db.session.get(Invoice, invoice.id)) == 120000
    reversals = db.session.scalars(
        sa.select(Allocation).where(
            Allocation.payment_id == payment.id, Allocation.amount_pence < 0
        )
    ).all()
    assert len(reversals) == 1
    check_books()


def test_a_quote_accepted_twice_at_once_is_invoiced_once(served):
    server, _, finance = served
    member = factories.member()
    council = factories.user(Role.COUNCIL_ADMIN, member=member)
    migration = extras.save_extra(
        {"name": "Data migration", "description": "Move your data", "pricing": Pricing.DAY_RATE,
         "price_pence": 50000, "default_days": Decimal(2), "vat_code": "S",
         "invoice_rule": InvoiceRule.STAGED, "stage_percent": 50},
        finance,
    )  # fmt: skip
    quote = extras.quote_for(
        member,
        "Data migration",
        [("Migration days", Decimal(2), 50000, "S", migration)],
        extras.default_valid_until(),
        None,
        finance,
    )
    order_id = quote.order_id
    quote.order.extra = migration  # invoiced as the extra says: 50% on acceptance
    db.session.commit()
    portal = Browser(server.url, council.email)
    answers = race(
        portal,
        f"/portal/extras/orders/{order_id}/accept",
        {"accept-po_number": "", "confirm": "yes"},
        n=2,
    )
    assert said(answers, "You have accepted quote") == 1
    assert said(answers, "has already been accepted") == 1
    made = db.session.scalars(sa.select(Invoice).where(Invoice.order_id == order_id)).all()
    assert db.session.get(Order, order_id).status == OrderStatus.ACCEPTED
    assert [i.net_pence for i in made] == [50000]  # 50% on acceptance, once
    check_books()


MEMBERS = 150  # enough work for the eight runs to overlap


def test_eight_annual_runs_at_once_issue_each_invoice_once_without_tracebacks(app, ctx):
    """Eight `flask billing contributions --issue` processes at once: every one finishes
    cleanly, and the year's invoices are numbered 1..n once each."""
    import os
    import subprocess
    import sys

    from tests.helpers import ROOT

    factories.company_settings()
    factories.schedule(2026)
    from company.members import authorities

    councils = [a.gss_code for a in authorities.current(date(2026, 4, 1))][:MEMBERS]
    for code in councils:
        factories.member(code)
    db.session.commit()
    env = {
        **os.environ,
        "FLATPACK_ENV": "test",
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "MAIL_PORT": "9",  # nothing is sent: the outbox only queues
    }
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "billing", "contributions",
               "--year", "2026", "--issue"]  # fmt: skip
    runs = [
        subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(RACERS)
    ]  # fmt: skip
    outputs = [run.communicate(timeout=120) for run in runs]
    for run, (_out, err) in zip(runs, outputs, strict=True):
        assert run.returncode == 0 and "Traceback" not in err, err[-2000:]
    db.session.expire_all()
    numbers = sorted(
        db.session.scalars(
            sa.select(Invoice.sequence_no).where(Invoice.kind == Kind.INVOICE, Invoice.status != Status.DRAFT)
        )
    )  # fmt: skip
    assert len(numbers) > MEMBERS * 0.9 and numbers == list(range(1, len(numbers) + 1))
    per_member = db.session.execute(
        sa.select(Invoice.member_id, sa.func.count()).group_by(Invoice.member_id)
    ).all()
    assert {n for _, n in per_member} == {1}  # one contribution invoice per member, never two
