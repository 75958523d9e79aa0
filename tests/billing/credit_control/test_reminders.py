"""Credit control: the reminder schedule, disputes, the finance list and the late-payment claim."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from billing import ledger
from billing.credit_control import overdue as overdue_list
from billing.credit_control import reminders
from billing.credit_control.models import Reminder
from billing.invoices import services as invoices
from billing.invoices.models import Invoice, Status
from billing.payments import services as payments
from company import outbox
from company.audit import AuditEvent
from company.auth.roles import Role
from company.clock import uk_today
from company.extensions import db
from company.formats import pounds
from tests import factories
from tests.helpers import text_of


@pytest.fixture
def member(ctx):
    factories.company_settings()
    return factories.member()


def issued(member, day=date(2025, 4, 1), pence=100000, vat="Z", po_number=None) -> Invoice:
    """An issued invoice (30-day terms: due 30 days after `day`), not emailed."""
    draft = factories.draft_invoice(member, lines=[("Item", 1, pence, vat)], po_number=po_number)
    return invoices.issue(draft, issue_date=day, send=False)


def rows(invoice) -> list[tuple[int, bool, str]]:
    return [
        (r.stage, r.sent, r.reason)
        for r in db.session.scalars(
            sa.select(Reminder).where(Reminder.invoice_id == invoice.id).order_by(Reminder.stage)
        )
    ]


def outbox_count() -> int:
    """Reminder emails queued (issuing a credit note emails it too)."""
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(outbox.OutboxMessage)
        .where(outbox.OutboxMessage.subject.startswith("Reminder: "))
    )


def attention_numbers() -> dict[str, list[str]]:
    return {a.invoice.number: a.reasons for a in reminders.needs_attention()}


# The schedule


def test_the_default_schedule(app):
    assert app.config["REMINDER_STAGES"] == [-7, 0, 14, 30]
    assert [reminders.stage_label(s) for s in (-7, 0, 14, 30)] == [
        "7 days before the due date",
        "On the due date",
        "14 days overdue",
        "30 days overdue",
    ]


def test_nothing_is_sent_before_the_first_stage(member):
    inv = issued(member)
    assert inv.due_date == date(2025, 5, 1)
    result = reminders.run(today=inv.due_date - timedelta(days=8))
    assert (result.sent, result.skipped) == (0, 0)
    assert rows(inv) == [] and outbox_count() == 0


def test_seven_days_before_sends_one_email_however_often_the_run_goes(member, mailbox):
    inv = issued(member, pence=250000, po_number="PO-77")
    today = inv.due_date - timedelta(days=7)
    assert reminders.run(today=today).line() == "sent=1 skipped=0"
    assert reminders.run(today=today).line() == "sent=0 skipped=0"
    assert outbox.send_pending()["sent"] == 1
    messages = mailbox.wait_for(1)
    assert len(messages) == 1
    message = messages[0]
    assert message["To"] == member.finance_email
    assert message["Subject"] == f"Reminder: invoice {inv.number} is due on 1 May 2025"
    body = mailbox.body(message)
    assert inv.number in body and "£2,500.00" in body and "PO-77" in body
    assert "due to be paid by 1 May 2025" in body
    assert "Account name: Flatpack Councils Ltd" in body
    assert "Sort code: 30-99-50" in body and "Account number: 00733445" in body
    assert f"Payment reference: {inv.number}" in body
    assert f"/portal/invoices/{inv.id}" in body
    assert rows(inv) == [(-7, True, f"emailed to {member.finance_email}")]
    assert db.session.scalar(sa.select(Reminder.decided_on)) == today


def test_the_contact_email_is_used_when_there_is_no_finance_email(member, mailbox):
    member.finance_email = None
    db.session.commit()
    inv = issued(member)
    reminders.run(today=inv.due_date)
    outbox.send_pending()
    assert [m["To"] for m in mailbox.wait_for(1)] == [member.contact_email]
    assert mailbox.messages[0]["Subject"] == f"Reminder: invoice {inv.number} is due today"


def test_a_missed_run_catches_up_with_only_the_latest_stage(member, mailbox):
    inv = issued(member)
    assert reminders.run(today=inv.due_date - timedelta(days=8)).line() == "sent=0 skipped=0"
    # cron did not run for three weeks
    today = inv.due_date + timedelta(days=14)
    assert reminders.run(today=today).line() == "sent=1 skipped=2"
    assert rows(inv) == [
        (-7, False, reminders.SUPERSEDED),
        (0, False, reminders.SUPERSEDED),
        (14, True, f"emailed to {member.finance_email}"),
    ]
    outbox.send_pending()
    assert len(mailbox.wait_for(1)) == 1
    message = mailbox.messages[0]
    assert message["Subject"] == f"Reminder: invoice {inv.number} is overdue"
    assert "is now 14 days overdue" in mailbox.body(message)
    # the later stages follow on their days, once each
    assert reminders.run(today=today + timedelta(days=1)).line() == "sent=0 skipped=0"
    assert reminders.run(today=inv.due_date + timedelta(days=30)).line() == "sent=1 skipped=0"
    assert reminders.run(today=inv.due_date + timedelta(days=90)).line() == "sent=0 skipped=0"
    assert [stage for stage, sent, _ in rows(inv) if sent] == [14, 30]


def test_a_part_paid_invoice_is_reminded_of_what_is_left(member, mailbox):
    inv = issued(member, pence=100000)
    payments.record_payment(member, 40000, date(2025, 4, 20), "bank_transfer", None, None)
    assert inv.status == Status.PART_PAID
    reminders.run(today=inv.due_date)
    outbox.send_pending()
    body = mailbox.body(mailbox.wait_for(1)[0])
    assert "Amount to pay: £600.00 (the invoice was for £1,000.00)" in body


def test_a_disputed_invoice_gets_none_and_is_listed_for_finance(member, mailbox):
    inv = issued(member)
    reminders.mark_disputed(inv, "Charged for 12 users, we have 10", None)
    result = reminders.run(today=inv.due_date + timedelta(days=14))
    assert result.line() == "sent=0 skipped=3"
    assert rows(inv) == [(-7, False, "disputed"), (0, False, "disputed"), (14, False, "disputed")]
    assert outbox_count() == 0
    reasons = attention_numbers()[inv.number]
    assert "Charged for 12 users, we have 10" in reasons[0]
    assert any("Reminder not sent (14 days overdue" in r and "disputed" in r for r in reasons)
    # cleared: reminders resume with the next stage
    reminders.clear_dispute(inv, "Credit note agreed", None)
    assert reminders.run(today=inv.due_date + timedelta(days=20)).line() == "sent=0 skipped=0"
    assert reminders.run(today=inv.due_date + timedelta(days=30)).line() == "sent=1 skipped=0"
    assert inv.number not in attention_numbers()


def test_an_invoice_missing_a_required_po_gets_none_and_is_listed_for_finance(member):
    inv = issued(member)
    member.po_required = True  # the council said so after the invoice went out
    db.session.commit()
    assert reminders.run(today=inv.due_date).line() == "sent=0 skipped=2"
    assert rows(inv) == [
        (-7, False, reminders.NO_PO),
        (0, False, reminders.NO_PO),
    ]
    assert outbox_count() == 0
    assert any("No purchase order number" in r for r in attention_numbers()[inv.number])


def test_an_invoice_with_its_po_is_reminded_even_when_the_member_requires_one(member):
    member.po_required = True
    db.session.commit()
    inv = issued(member, po_number="PO-1")
    assert reminders.run(today=inv.due_date).line() == "sent=1 skipped=1"  # -7 superseded
    assert inv.number not in attention_numbers()


def test_paid_and_credited_invoices_get_none_and_nothing_is_recorded(member):
    paid = issued(member)
    payments.record_payment(
        member, 100000, date(2025, 4, 10), "bank_transfer", None, None, allocations=[(paid, 100000)]
    )
    credited = issued(member)
    note = invoices.credit(credited, "Raised in error", None, issue_date=date(2025, 4, 2))
    assert paid.status == Status.PAID and credited.status == Status.CREDITED
    draft = factories.draft_invoice(member)
    assert reminders.run(today=date(2025, 6, 15)).line() == "sent=0 skipped=0"
    for inv in (paid, credited, note, draft):
        assert rows(inv) == []
    assert outbox_count() == 0
    assert reminders.needs_attention() == []
    assert overdue_list.overdue(today=date(2025, 6, 15)).count == 0


def test_a_concurrent_run_that_decided_first_wins(member, monkeypatch):
    inv = issued(member)
    real_decide = reminders.decide

    def decide_after_another_run(invoice, today, due, pending):
        with db.engine.begin() as conn:  # another process, committed first
            conn.execute(
                sa.insert(Reminder).values(
                    invoice_id=invoice.id, stage=-7, decided_on=today, sent=True, reason="other"
                )
            )
        return real_decide(invoice, today, due, pending)

    monkeypatch.setattr(reminders, "decide", decide_after_another_run)
    result = reminders.run(today=inv.due_date - timedelta(days=7))
    assert result.line() == "sent=0 skipped=0"
    assert rows(inv) == [(-7, True, "other")]
    assert outbox_count() == 0  # our email went with our rollback


def test_a_failed_reminder_email_is_listed_for_finance(member):
    inv = issued(member)
    reminders.run(today=inv.due_date)
    message = db.session.scalar(sa.select(outbox.OutboxMessage))
    message.status = outbox.FAILED
    db.session.commit()
    reasons = attention_numbers()[inv.number]
    assert reasons == [f"Reminder email to {member.finance_email} could not be sent (failed)"]


def test_cli_sends_and_prints_one_summary_line(app, member):
    inv = issued(member)
    other = issued(factories.member())
    reminders.mark_disputed(other, "Wrong address", None)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["billing", "reminders", "--today", "2025-05-01"])
    assert result.exit_code == 0, result.output
    # ours: 0 sent, -7 superseded; the disputed one: -7 and 0 skipped
    assert result.output.strip().splitlines()[-1] == "sent=1 skipped=3"
    assert f"reminded {inv.number}" in result.output
    again = runner.invoke(args=["billing", "reminders", "--today", "2025-05-01"])
    assert again.output.strip().splitlines()[-1] == "sent=0 skipped=0"
    bad = runner.invoke(args=["billing", "reminders", "--today", "1 May 2025"])
    assert bad.exit_code != 0


def test_the_claim_on_an_invoice_matches_the_worked_example(member):
    inv = issued(member, day=date(2025, 4, 1), pence=1200000, vat="S")
    assert inv.gross_pence == 1440000 and inv.due_date == date(2025, 5, 1)
    claim = reminders.claimable(inv, today=date(2025, 6, 30))
    assert claim.days_late == 60
    assert claim.interest_pence == 30181 and claim.compensation_pence == 10000
    assert reminders.claimable(inv, today=date(2025, 5, 1)) is None


def test_the_claim_follows_part_payments_and_credits(member):
    inv = issued(member, day=date(2025, 4, 1), pence=1000000)
    payments.record_payment(member, 500000, date(2025, 5, 31), "bank_transfer", None, None)
    claim = reminders.claimable(inv, today=date(2025, 6, 30))
    assert claim.interest.pence_days == 1000000 * 30 + 500000 * 30
    assert claim.owed_pence == 500000 and claim.debt_pence == 1000000
    invoices.credit(inv, "Discount", None, amount_pence=500000, issue_date=date(2025, 6, 1))
    assert ledger.owed(inv) == 0
    assert reminders.claimable(inv, today=date(2025, 6, 30)) is None


# Web


@pytest.fixture
def finance(member, login_as):
    user = factories.user(Role.FINANCE)
    login_as(user)
    return user


def overdue(member, days_late=60, pence=1200000) -> Invoice:
    """Issued so that it is `days_late` days past its due date today."""
    return issued(member, day=uk_today() - timedelta(days=30 + days_late), pence=pence, vat="S")


def test_finance_marks_an_invoice_disputed_and_clears_it(client, member, finance):
    inv = issued(member)
    url = f"/billing/invoices/{inv.id}"
    page = text_of(client.get(url))
    assert "Credit control" in page and "Not disputed." in page and "Mark as disputed" in page

    r = client.post(f"/billing/credit-control/invoices/{inv.id}/dispute", data={"note": " "})
    assert r.status_code == 400
    assert "Enter what the council disputes" in text_of(r)
    assert inv.disputed_at is None

    r = client.post(
        f"/billing/credit-control/invoices/{inv.id}/dispute",
        data={"note": "Charged for 12 users, we have 10"},
    )
    assert r.status_code == 302 and r.location.endswith(f"{url}#credit-control")
    page = text_of(client.get(url))
    assert "is marked as disputed" in page
    assert "Disputed since" in page and "Charged for 12 users, we have 10" in page
    assert "Mark as not disputed" in page
    assert inv.disputed_at is not None

    r = client.post(
        f"/billing/credit-control/invoices/{inv.id}/dispute/clear",
        data={"note": "Credit note agreed"},
    )
    assert r.status_code == 302
    page = text_of(client.get(url))
    assert "is no longer disputed" in page and "Not disputed." in page
    assert inv.disputed_at is None and inv.dispute_note is None

    events = db.session.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.entity == "invoice", AuditEvent.entity_id == inv.id)
        .order_by(AuditEvent.id)
    ).all()
    actions = [e.action for e in events]
    assert actions[-2:] == ["invoice.disputed", "invoice.dispute_cleared"]
    assert events[-2].actor == finance.email
    assert events[-1].change_items[-1] == ("resolution", None, "Credit note agreed")


def test_the_dispute_page_changes_the_note(client, member, finance):
    inv = issued(member)
    reminders.mark_disputed(inv, "First note", None)
    r = client.get(f"/billing/credit-control/invoices/{inv.id}/dispute")
    assert r.status_code == 200 and "First note" in r.get_data(as_text=True)
    client.post(f"/billing/credit-control/invoices/{inv.id}/dispute", data={"note": "Second"})
    assert inv.dispute_note == "Second"
    last = db.session.scalar(sa.select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1))
    assert last.action == "invoice.dispute_note_changed"
    assert last.change_items == [("dispute_note", "First note", "Second")]


def test_clearing_an_invoice_that_is_not_disputed_is_refused(client, member, finance):
    inv = issued(member)
    r = client.post(f"/billing/credit-control/invoices/{inv.id}/dispute/clear", data={})
    assert r.status_code == 302
    assert "This invoice is not marked as disputed" in text_of(client.get(r.location))


@pytest.mark.parametrize("role", [Role.DIRECTOR, Role.COUNCIL_USER])
def test_only_finance_and_admin_use_credit_control(ctx, client, login_as, member, role):
    inv = issued(member)
    login_as(factories.user(role, member=member if role == Role.COUNCIL_USER else None))
    assert client.get("/billing/credit-control/").status_code == 403
    r = client.post(f"/billing/credit-control/invoices/{inv.id}/dispute", data={"note": "x"})
    assert r.status_code == 403
    assert inv.disputed_at is None


def test_reminders_and_the_claim_show_on_the_invoice_page(client, member, finance):
    inv = overdue(member, days_late=20)
    reminders.run()  # today: due 20 days ago, so stage 14 goes and -7 and 0 are superseded
    page = text_of(client.get(f"/billing/invoices/{inv.id}"))
    assert "7 days before the due date" in page and "Superseded by a later reminder" in page
    assert "14 days overdue" in page and f"Emailed to {member.finance_email}" in page
    assert "Next reminder: 30 days overdue, on" in page
    claim = reminders.claimable(inv)
    assert claim.days_late == 20
    assert "Late payment interest and compensation" in page
    assert f"Interest to date {pounds(claim.interest_pence)}" in page
    assert "Fixed compensation £100.00 on a debt of £14,400.00" in page
    assert f"Could be claimed {pounds(claim.total_pence)}" in page
    assert "Claiming is a finance decision" in page
    assert "outside the scope of VAT" in page
    assert 'href="/billing/invoices/new"' in client.get(f"/billing/invoices/{inv.id}").get_data(
        as_text=True
    )


def test_no_interest_figure_is_shown_for_an_unchecked_reference_rate(
    client, member, finance, monkeypatch
):
    """As on 1 January 2027 with the table checked to 30 June 2026: compensation only."""
    from billing.credit_control import late_payment

    inv = overdue(member, days_late=20)
    monkeypatch.setattr(late_payment, "BANK_RATE_CHECKED_TO", date(2020, 1, 1))
    page = text_of(client.get(f"/billing/invoices/{inv.id}"))
    assert "Interest cannot be worked out yet: check the Bank of England Bank Rate on" in page
    assert "Interest to date To be confirmed once the reference rate is checked" in page
    assert "Could be claimed £100.00 plus interest" in page
    assert "Interest rate 8% over the reference rate, simple interest: to be confirmed" in page
    assert "11.75%" not in page and "a day)" not in page
    listing = text_of(client.get("/billing/credit-control/"))
    assert "To be confirmed check Bank Rate on" in listing and "£100.00 plus interest" in listing


def test_a_paid_invoice_page_shows_no_claim_and_no_reminders(client, member, finance):
    inv = overdue(member)
    payments.record_payment(member, inv.gross_pence, uk_today(), "bank_transfer", None, None)
    page = text_of(client.get(f"/billing/invoices/{inv.id}"))
    assert "No reminders are sent: paid." in page
    assert "Late payment interest" not in page


def test_credit_control_lists_what_needs_attention_and_what_could_be_claimed(
    client, member, finance
):
    late = overdue(member, days_late=60)
    disputed = issued(member, day=uk_today() - timedelta(days=10))
    reminders.mark_disputed(disputed, "Wrong rate", None)
    po_member = factories.member()
    no_po = issued(po_member, day=uk_today() - timedelta(days=10))
    po_member.po_required = True
    db.session.commit()
    reminders.run()
    r = client.get("/billing/credit-control/")
    assert r.status_code == 200
    page = text_of(r)
    assert "Invoices that need attention" in page
    assert disputed.number in page and "Wrong rate" in page
    assert no_po.number in page and "No purchase order number" in page
    claim = reminders.claimable(late)
    assert late.number in page and claim.days_late == 60
    assert pounds(claim.interest_pence) in page and "£100.00" in page
    assert pounds(claim.total_pence) in page
    assert "Claiming is a finance decision" in page and "outside the scope of VAT" in page
    assert "Late Payment of Commercial Debts (Interest) Act 1998" in page
    # the link from the finance navigation's section
    assert 'href="/billing/invoices/new"' in r.get_data(as_text=True)


def test_credit_control_says_when_nothing_needs_attention(client, member, finance):
    page = text_of(client.get("/billing/credit-control/"))
    assert "No invoices need attention." in page and "No invoices are overdue." in page


def test_credit_on_account_stops_reminders_for_what_it_covers(member, mailbox):
    older = issued(member, pence=30000)
    newer = issued(member, day=date(2025, 4, 2), pence=100000)
    # £500 received and left on account (no invoice chosen): it covers the older invoice in
    # full and £200 of the newer one.
    payments.record_payment(member, 50000, date(2025, 4, 20), "bank_transfer", None, None, [])
    reminders.run(today=newer.due_date)
    assert rows(older) == []  # nothing to chase, nothing recorded
    outbox.send_pending()
    (message,) = mailbox.wait_for(1)
    assert newer.number in message["Subject"]
    assert "Amount to pay: £800.00 (the invoice was for £1,000.00)" in mailbox.body(message)
