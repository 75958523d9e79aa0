import re

import sqlalchemy as sa

from company.auth.models import User
from company.auth.roles import Role
from company.extensions import db
from company.members import services
from company.members.models import Application, Member
from company.members.services import Status


def test_demo_seed_builds_a_believable_company_and_prints_sign_ins(app, ctx):
    result = app.test_cli_runner().invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if re.fullmatch(r"\S+ \S+@\S+ \S+", line)]
    assert {line.split()[0] for line in lines} == {r.value for r in Role}  # a user for every role
    members = db.session.scalars(sa.select(Member)).all()
    assert 10 <= len(members) <= 14
    statuses = {services.status(m) for m in members}
    assert {Status.MEMBER, Status.LEAVING, Status.ONBOARDING} <= statuses
    assert any(m.founding for m in members) and any(not m.founding for m in members)
    assert (
        len({m.body_type for m in members}) >= 4
    )  # districts, unitaries, counties, boroughs, a parish
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Application)) == 1
    # billing: last year's contributions issued (one credited), this year's schedule to approve
    from billing.contributions.models import ContributionSchedule
    from billing.invoices.models import Invoice, Kind

    kinds = [inv.kind for inv in db.session.scalars(sa.select(Invoice))]
    assert kinds.count(Kind.CREDIT_NOTE) == 1 and kinds.count(Kind.INVOICE) >= 9
    assert [
        s.approved
        for s in db.session.scalars(
            sa.select(ContributionSchedule).order_by(ContributionSchedule.year_start)
        )
    ] == [True, False]
    from billing.invoices.models import Status as InvoiceStatus

    statuses = {
        inv.status
        for inv in db.session.scalars(sa.select(Invoice).where(Invoice.kind == Kind.INVOICE))
    }
    assert {
        InvoiceStatus.PAID,
        InvoiceStatus.PART_PAID,
        InvoiceStatus.ISSUED,
    } <= statuses  # payments to reconcile and chase
    # a council that needs PO numbers has a one-off invoice held for want of one, and can sign in
    held = db.session.scalars(
        sa.select(Invoice).where(Invoice.held_reason.is_not(None), Invoice.purpose == "adhoc")
    ).all()
    assert len(held) == 1 and held[0].status == InvoiceStatus.DRAFT
    assert held[0].member.po_required and held[0].po_number is None
    assert any(u.role == Role.COUNCIL_ADMIN and u.active for u in held[0].member.users)
    # the printed sign-ins work
    role, email, password = lines[0].split()
    client = app.test_client()
    assert client.post("/sign-in", data={"email": email, "password": password}).status_code == 302


def test_demo_seed_on_a_database_with_data_changes_nothing(app, ctx):
    runner = app.test_cli_runner()
    runner.invoke(args=["demo", "seed"])
    before = (
        db.session.scalar(sa.select(sa.func.count()).select_from(Member)),
        db.session.scalar(sa.select(sa.func.count()).select_from(User)),
    )
    result = runner.invoke(args=["demo", "seed"])
    assert result.exit_code == 0
    assert "already has data; nothing was changed" in result.output
    after = (
        db.session.scalar(sa.select(sa.func.count()).select_from(Member)),
        db.session.scalar(sa.select(sa.func.count()).select_from(User)),
    )
    assert before == after
