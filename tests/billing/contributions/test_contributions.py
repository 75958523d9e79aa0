"""Schedules, bands, pro-rata and the annual run: preview, drafts, issue; safe to repeat."""

import os
import signal
import subprocess
import sys
import time
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from billing.contributions import services
from billing.contributions.models import ContributionSchedule
from billing.invoices.models import Invoice, Status
from company.audit import AuditEvent
from company.auth.roles import Role
from company.extensions import db
from tests import factories
from tests.helpers import ROOT, identity, pdf_text, text_of

FY = date(2026, 4, 1)


@pytest.fixture
def company(ctx):
    factories.company_settings()
    return factories.schedule(2026)


def test_members_get_a_default_band_from_their_type_and_changes_are_audited(ctx):
    district = factories.member(gss="E07000223")  # Adur: non-metropolitan district
    county = factories.member(gss="E10000032")  # West Sussex: county
    assert services.band_code(district) == "district" and services.band_code(county) == "county"
    admin = factories.user(Role.FINANCE)
    services.set_band(district, "unitary", admin)
    assert services.band_code(district) == "unitary"
    event = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "member.band_changed")
    )
    assert event.change_items == [("contribution_band", None, "unitary")]


def test_a_new_schedule_is_copied_from_last_year_with_an_uplift(ctx):
    finance = factories.user(Role.FINANCE)
    first = services.create_schedule(FY, finance)
    assert [b.code for b in first.bands][:2] == ["district", "unitary"]
    services.save_band(
        first, "district", "District council", 500001, "S", finance, band=first.bands[0]
    )
    services.approve_schedule(first, date(2026, 3, 1), "BR-2026-010", finance)
    second = services.copy_schedule(first, date(2027, 4, 1), Decimal("3.5"), finance)
    assert second.bands[0].annual_pence == 517501  # £5,000.01 × 1.035 = £5,175.010… → £5,175.01
    assert second.copied_from_id == first.id and not second.approved
    with pytest.raises(services.ContributionError, match="already a schedule for 2027/28"):
        services.copy_schedule(first, date(2027, 4, 1), Decimal(0), finance)


def test_an_approved_schedule_cannot_change(company):
    with pytest.raises(services.ScheduleLocked, match="approved on 1 March 2026 and cannot change"):
        services.save_band(company, "new", "New band", 100, "S", None)
    with pytest.raises(services.ScheduleLocked):
        services.approve_schedule(company, date(2026, 3, 2), "again", None)


def test_preview_shows_band_months_amount_vat_and_warnings_and_writes_nothing(company):
    full = factories.member(gss="E07000223", joined_on=date(2024, 4, 1))
    joiner = factories.member(gss="E06000043", joined_on=date(2026, 10, 15), po_required=True)
    factories.member(gss="E08000025", joined_on=date(2027, 4, 1))  # joins next year
    factories.member(
        gss="E09000022", joined_on=date(2024, 4, 1), ceased_on=date(2026, 4, 1)
    )  # left
    rows = {row.member.id: row for row in services.preview(FY)}
    assert set(rows) == {full.id, joiner.id}
    assert (
        rows[full.id].band.code,
        rows[full.id].months.months,
        rows[full.id].net_pence,
        rows[full.id].vat_pence,
    ) == ("district", 12, 500000, 100000)
    assert (rows[joiner.id].months.months, rows[joiner.id].net_pence) == (
        6,
        600000,
    )  # 6/12 of £12,000
    assert rows[joiner.id].po_missing and any(
        "Purchase order number needed" in w for w in rows[joiner.id].warnings
    )
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Invoice)) == 0


def test_the_run_refuses_an_unapproved_schedule(ctx):
    factories.schedule(2026, approved=False)
    with pytest.raises(services.ContributionError, match="has not been approved by the board yet"):
        services.preview(FY)


def test_drafts_are_made_once_per_member_and_year(company):
    factories.member(joined_on=date(2024, 4, 1))
    factories.member(joined_on=date(2026, 10, 15))
    first = services.create_drafts(FY)
    assert (first.created, first.drafts) == (2, 2)
    again = services.create_drafts(FY)
    assert (again.created, again.drafts) == (0, 2)
    descriptions = [inv.lines[0].description for inv in db.session.scalars(sa.select(Invoice))]
    assert any(
        "pro rata 6 of 12 months, October 2026 to March 2027 (annual amount £" in d
        for d in descriptions
    )


def test_a_second_contribution_invoice_for_the_same_year_is_refused_by_the_database(company):
    member = factories.member()
    services.create_drafts(FY)
    from billing.invoices import services as invoices

    invoices.new_draft(member, purpose="contribution", year_start=FY)
    with pytest.raises(sa.exc.IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_a_run_charging_vat_is_refused_up_front_without_the_vat_number(company, mailbox):
    factories.member(joined_on=date(2024, 4, 1))
    services.create_drafts(FY)
    factories.company_settings(vat_number=None)
    with pytest.raises(services.ContributionError, match="Enter the company's VAT number"):
        services.issue_drafts(FY, issue_date=date(2026, 4, 2))
    assert db.session.scalar(sa.select(Invoice.number).where(Invoice.number.is_not(None))) is None


def test_issue_numbers_every_draft_and_holds_those_waiting_for_a_po(company, mailbox):
    a = factories.member(joined_on=date(2024, 4, 1))
    b = factories.member(joined_on=date(2024, 4, 1), po_required=True)
    services.create_drafts(FY)
    result = services.issue_drafts(FY, issue_date=date(2026, 4, 2))
    assert (result.issued, result.held, result.drafts) == (1, 1, 1)
    assert result.line() == f"drafts=1 issued=1 held=1 total_pence={result.total_pence}"
    held = db.session.scalar(sa.select(Invoice).where(Invoice.member_id == b.id))
    assert held.status == Status.DRAFT and "purchase order" in held.held_reason
    from billing.invoices import services as invoices

    invoices.set_po_number(held, "PO-B", None)  # the council (or finance) enters it: released
    result = services.issue_drafts(FY, issue_date=date(2026, 4, 3))
    assert (result.issued, result.held, result.drafts) == (2, 0, 0)
    numbers = db.session.scalars(sa.select(Invoice.number).order_by(Invoice.sequence_no)).all()
    assert numbers == ["INV-2026-00001", "INV-2026-00002"]
    assert (
        db.session.scalar(sa.select(Invoice.po_number).where(Invoice.member_id == b.id)) == "PO-B"
    )
    assert a.name in db.session.scalar(
        sa.select(Invoice.customer_name).where(Invoice.member_id == a.id)
    )


def test_cli_runs_preview_drafts_and_issue_with_one_summary_line(app, company):
    for i in range(3):
        factories.member(
            body_type="Non-metropolitan district", name=f"District {i}", joined_on=date(2024, 4, 1)
        )
    runner = app.test_cli_runner()
    result = runner.invoke(args=["billing", "contributions", "--year", "2026"])
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1] == "drafts=3 issued=0 held=0 total_pence=0"
    result = runner.invoke(args=["billing", "contributions", "--year", "2026", "--issue"])
    assert result.output.strip().splitlines()[-1] == "drafts=0 issued=3 held=0 total_pence=1800000"
    again = runner.invoke(args=["billing", "contributions", "--year", "2026", "--issue"])
    assert again.output.strip().splitlines()[-1] == "drafts=0 issued=3 held=0 total_pence=1800000"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Invoice)) == 3
    bad = runner.invoke(args=["billing", "contributions", "--year", "2030"])
    assert bad.exit_code != 0 and "There is no contribution schedule for 2030/31" in bad.output


def test_a_run_killed_half_way_completes_when_run_again_with_no_gaps(app, company):
    """A real process is killed while issuing; the next run finishes with numbers 1..N."""
    n = 120
    for i in range(n):
        factories.member(
            name=f"Parish {i:03d}", body_type="Parish council", joined_on=date(2024, 4, 1)
        )
    services.create_drafts(FY)
    env = {
        **os.environ,
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "FLATPACK_ENV": "development",
        "OUTBOX_SEND_AFTER_REQUEST": "0",
    }
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "flask",
            "--app",
            "wsgi",
            "billing",
            "contributions",
            "--year",
            "2026",
            "--issue",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )

    def issued():
        return db.session.scalar(
            sa.select(sa.func.count()).select_from(Invoice).where(Invoice.status == Status.ISSUED)
        )

    deadline = time.monotonic() + 60
    while issued() < 10 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
        db.session.rollback()
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    db.session.rollback()
    part = issued()
    assert 0 < part < n, "the run should have been stopped part-way"
    result = services.issue_drafts(FY)
    assert (result.issued, result.drafts) == (n, 0)
    numbers = db.session.scalars(sa.select(Invoice.sequence_no).order_by(Invoice.sequence_no)).all()
    assert numbers == list(range(1, n + 1))


def _run_in_batches_of_two(monkeypatch, members: int) -> list:
    monkeypatch.setattr(services, "ISSUE_BATCH", 2)
    made = [factories.member(joined_on=date(2024, 4, 1)) for _ in range(members)]
    services.create_drafts(FY)
    return made


def test_pdfs_rendered_ahead_are_not_used_when_a_number_is_taken_between_batches(
    company, monkeypatch, mailbox
):
    """The next batch's PDFs are rendered, with the numbers that should follow, while this
    batch is stored; an invoice issued by hand in between takes one of those numbers, and the
    run must then render again rather than send a PDF bearing someone else's number."""
    from billing.invoices import services as invoices
    from company.settings import services as settings

    settings.current().control_statement = "{company} is controlled by its members."  # names none
    _run_in_batches_of_two(monkeypatch, 5)
    by_hand = factories.draft_invoice(factories.member(joined_on=date(2024, 4, 1)))
    ahead, taken = services._render_ahead, []

    def render_ahead_then_issue_one_by_hand(*args):
        result = ahead(*args)
        if not taken:  # after the first batch's look-ahead: the hand issue wins the next number
            taken.append(invoices.issue(by_hand, issue_date=date(2026, 4, 2), commit=False))
        return result

    monkeypatch.setattr(services, "_render_ahead", render_ahead_then_issue_one_by_hand)
    result = services.issue_drafts(FY, issue_date=date(2026, 4, 2))
    assert result.issued_now == 5
    issued = db.session.scalars(sa.select(Invoice).order_by(Invoice.sequence_no)).all()
    assert [i.sequence_no for i in issued] == [1, 2, 3, 4, 5, 6]  # gapless, the hand one among
    assert taken[0].sequence_no == 3
    for invoice in issued:
        text = pdf_text(invoice.pdf)
        assert invoice.number in text and invoice.customer_name in text  # its own, no other
        assert not any(o.customer_name in text for o in issued if o is not invoice)


def test_a_run_renders_each_pdf_once_with_the_next_batch_rendered_ahead(
    company, monkeypatch, mailbox
):
    """Each batch's PDFs were started while the batch before it was stored: nothing is
    rendered twice, and each batch renders only the one batch ahead (memory flat in N)."""
    from billing.invoices import render as rendering

    _run_in_batches_of_two(monkeypatch, 7)
    rendered = []
    real = rendering.render
    monkeypatch.setattr(rendering, "render", lambda doc: rendered.append(doc.number) or real(doc))
    services.issue_drafts(FY, issue_date=date(2026, 4, 2))
    numbers = db.session.scalars(sa.select(Invoice.number).order_by(Invoice.sequence_no)).all()
    assert sorted(rendered) == numbers  # each once
    assert len(numbers) == 7
    events = db.session.execute(
        sa.select(AuditEvent.action, sa.func.count()).group_by(AuditEvent.action)
    ).all()  # written a batch at a time, in one INSERT each: none lost
    assert {"invoice.issued": 7, "invoice.sent": 7}.items() <= dict(events).items()


def test_a_run_works_out_the_disclosures_once_not_once_an_email(company, mailbox):
    """Every email carries the control statement naming the member councils; reading the
    members for each of a run's emails made a 10,000-member run quadratic."""
    from sqlalchemy import event

    from company.settings import services as settings

    row = settings.current()
    row.control_statement = "{company} is controlled by {members}."
    db.session.commit()
    for _ in range(4):
        factories.member(joined_on=date(2024, 4, 1))
    services.create_drafts(FY)
    statements = []

    def note(_conn, _cursor, statement, *_args):
        if "joined_on <=" in statement and "ceased_on" in statement:
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        services.issue_drafts(FY, issue_date=date(2026, 4, 2))
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
    assert len(statements) == 2  # the seller snapshot once, the emails' disclosures once


# Web


def test_finance_previews_creates_drafts_and_issues_from_the_web(company, client, login_as, app):
    factories.member(joined_on=date(2024, 4, 1))
    factories.member(joined_on=date(2026, 10, 15), po_required=True)
    login_as(factories.user(Role.FINANCE))
    page = text_of(client.get("/billing/contributions/2026"))
    assert (
        "Annual contributions 2026/27" in page
        and "6 of 12 months, October 2026 to March 2027" in page
    )
    assert "Purchase order number needed" in page
    if True:  # the queue runs each task as it is queued in tests (JOBS_IMMEDIATE)
        r = client.post("/billing/contributions/2026/drafts")
        progress = text_of(client.get(r.headers["Location"]))
        assert "Finished: 2 drafts waiting (1 held)" in progress
        r = client.post("/billing/contributions/2026/issue")
        page = text_of(r)  # asks first, and issues nothing yet
        assert "Issue 1 contribution invoice for 2026/27?" in page
        assert "Held for a purchase order number (not issued) 1" in page
        assert "emailed to its council's finance contact" in page
        assert services.summary(date(2026, 4, 1)).issued == 0
        r = client.post("/billing/contributions/2026/issue", data={"confirm": "yes"})
        assert "1 issued" in text_of(client.get(r.headers["Location"]))


def test_a_web_run_works_in_the_background_and_shows_progress(company, client, login_as):
    for _ in range(3):
        factories.member(joined_on=date(2024, 4, 1))
    login_as(factories.user(Role.FINANCE))
    r = client.post("/billing/contributions/2026/drafts")
    url = r.headers["Location"]
    deadline = time.monotonic() + 10
    while "Finished" not in (page := text_of(client.get(url))) and time.monotonic() < deadline:
        assert "done" in page or "Finished" in page
        time.sleep(0.1)
    assert "Finished: 3 drafts waiting" in page


def test_schedule_pages_edit_approve_and_copy(ctx, client, login_as):
    login_as(finance := factories.user(Role.FINANCE))
    r = client.post("/billing/schedules", data={"year": "2026"})
    assert r.headers["Location"] == "/billing/schedules/2026"
    r = client.post(
        "/billing/schedules/2026/bands",
        data={
            "code": "district",
            "name": "District council",
            "annual": "5,250.00",
            "vat_code": "S",
        },
    )
    assert r.status_code == 302
    page = text_of(client.get("/billing/schedules/2026"))
    assert "£5,250.00" in page
    r = client.post(
        "/billing/schedules/2026/bands",
        data={"code": "x", "name": "X", "annual": "lots", "vat_code": "S"},
    )
    assert "Enter an amount in pounds" in text_of(r)
    r = client.post(
        "/billing/schedules/2026/approve",
        data={
            "approved_on-day": "1",
            "approved_on-month": "3",
            "approved_on-year": "2026",
            "resolution": "BR-2026-003",
        },
    )
    page = text_of(r)  # asks first, naming the bands and the approval
    assert "Approve the 2026/27 contribution schedule?" in page
    assert "district: District council £5,250.00 a year" in page and "1 March 2026" in page
    assert "can no longer change" in page
    db.session.expire_all()
    assert not db.session.scalar(sa.select(ContributionSchedule)).approved
    r = client.post(
        "/billing/schedules/2026/approve",
        data={
            "approved_on-day": "1",
            "approved_on-month": "3",
            "approved_on-year": "2026",
            "resolution": "BR-2026-003",
            "confirm": "yes",
            **identity(finance),
        },
    )
    assert "is approved and can no longer change" in text_of(client.get(r.headers["Location"]))
    r = client.post("/billing/schedules/2026/copy", data={"uplift": "2"})
    assert r.headers["Location"] == "/billing/schedules/2027"
    assert "£5,355.00" in text_of(client.get("/billing/schedules/2027"))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ContributionSchedule)) == 2


def test_council_sees_how_its_figure_was_worked_out(company, client, login_as):
    member = factories.member(gss="E06000043", joined_on=date(2026, 10, 15))
    login_as(factories.user(Role.COUNCIL_USER, member=member))
    page = text_of(client.get("/portal/invoices"))
    assert "Your contribution for 2026/27" in page and "Unitary authority" in page
    assert (
        "£12,000.00 excluding VAT" in page and "6 of 12 months, October 2026 to March 2027" in page
    )
    assert "£6,000.00 plus VAT £1,200.00 = £7,200.00" in page
