"""Applying, approving, onboarding, joining, leaving and the register of members."""

import csv
import io
import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from company.audit import AuditEvent
from company.auth.roles import Role
from company.clock import uk_today
from company.extensions import db
from company.members import services
from company.members.models import Application, Member
from company.members.services import MemberError, Status
from company.outbox import send_pending
from tests import factories
from tests.helpers import text_of

SOUTHAMPTON = "E06000045"


def apply_form(**overrides):
    start = uk_today() + timedelta(days=60)
    data = {
        "gss_code": SOUTHAMPTON,
        "other_name": "",
        "other_address": "",
        "contact_name": "Morgan Ellis",
        "contact_email": "Morgan.Ellis@southampton.gov.example",
        "contact_role": "Chief Digital Officer",
        "proposed_start-day": str(start.day),
        "proposed_start-month": str(start.month),
        "proposed_start-year": str(start.year),
    }
    data.update(overrides)
    return data


def date_parts(prefix, day):
    return {
        f"{prefix}-day": str(day.day),
        f"{prefix}-month": str(day.month),
        f"{prefix}-year": str(day.year),
    }


def test_a_council_applies_from_the_official_list_and_is_told_what_happens_next(
    ctx, client, mailbox
):
    r = client.post("/apply", data=apply_form())
    page = text_of(r)
    assert "Application sent" in page and "Southampton City Council" in page
    application = db.session.scalar(sa.select(Application))
    assert application.gss_code == SOUTHAMPTON
    assert application.body_type == "Unitary authority" and application.region == "South East"
    assert application.contact_email == "morgan.ellis@southampton.gov.example"
    send_pending()
    [message] = mailbox.wait_for(1)
    assert message["To"] == "morgan.ellis@southampton.gov.example"
    assert "Southampton City Council" in mailbox.body(message)


def test_apply_page_lists_current_councils_only(client):
    page = client.get("/apply").get_data(as_text=True)
    assert "Southampton City Council" in page
    assert "Allerdale Borough Council" not in page  # abolished 2023: dated data, not a constant


@pytest.mark.parametrize(
    "overrides, message",
    [
        (
            {"gss_code": ""},
            "Select your council, or enter the name of your organisation if it is not listed",
        ),
        (
            {"contact_email": "not an email"},
            "Enter an email address in the correct format, like name@example.com",
        ),
        ({"contact_name": ""}, "Enter your full name"),
        (
            {"proposed_start-day": "", "proposed_start-month": "", "proposed_start-year": ""},
            "Enter the proposed start date",
        ),
        ({"proposed_start-month": ""}, "Proposed start date must include a month"),
        (
            {"proposed_start-day": "31", "proposed_start-month": "2"},
            "Proposed start date must be a real date",
        ),
        (
            {"other_name": "Somewhere Parish Council"},
            "Choose a council from the list or enter another body's name, not both",
        ),
        ({"gss_code": "", "other_name": "Somewhere Parish Council"}, "Enter the body's address"),
    ],
)
def test_bad_applications_get_a_specific_error_and_save_nothing(ctx, client, overrides, message):
    r = client.post("/apply", data=apply_form(**overrides))
    page = text_of(r)
    assert page.startswith("Error: Apply to join – Flatpack")
    assert "There is a problem" in page and message in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Application)) == 0


def test_an_empty_application_lists_every_missing_answer_at_once(client):
    page = text_of(client.post("/apply", data={}))
    summary = page.split("There is a problem")[1].split("Apply to join")[0]
    for message in [
        "Select your council, or enter the name",
        "Enter your full name",
        "Enter your work email address",
        "Enter your role",
        "Enter the proposed start date",
    ]:
        assert message in summary


def test_unknown_gss_code_is_refused_by_the_service(ctx):
    with pytest.raises(MemberError, match="not a GSS code on the official list"):
        services.body_from("E99999999", None, None)


def test_a_proposed_start_in_the_past_is_refused(ctx, client):
    page = text_of(
        client.post(
            "/apply",
            data=apply_form(**date_parts("proposed_start", uk_today() - timedelta(days=1))),
        )
    )
    assert "Proposed start date must be today or in the future" in page


def test_a_council_with_an_open_application_cannot_apply_twice(ctx, client):
    client.post("/apply", data=apply_form())
    page = text_of(client.post("/apply", data=apply_form()))
    assert "Southampton City Council already has an application waiting for a decision" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Application)) == 1


def test_an_existing_member_cannot_apply(ctx, client):
    factories.member(gss=SOUTHAMPTON)
    page = text_of(client.post("/apply", data=apply_form()))
    assert "Southampton City Council is already a member" in page


def test_another_public_body_can_apply_by_name_and_address(ctx, client):
    r = client.post(
        "/apply",
        data=apply_form(
            gss_code="",
            other_name="Hassocks Parish Council",
            other_address="Parish Office\nHassocks",
        ),
    )
    assert "Application sent" in text_of(r)
    application = db.session.scalar(sa.select(Application))
    assert application.gss_code is None and application.body_type == "Other public body"
    assert application.address == "Parish Office\nHassocks"


def _open_application(client):
    client.post("/apply", data=apply_form())
    return db.session.scalar(sa.select(Application))


def test_admin_approves_an_application_with_date_and_resolution(ctx, client, login_as, mailbox):
    application = _open_application(client)
    admin = factories.user(Role.ADMIN)
    login_as(admin)
    assert "Southampton City Council" in text_of(client.get("/admin/applications"))
    r = client.post(
        f"/admin/applications/{application.id}",
        data={
            "decision": "approve",
            **date_parts("approve-approved_on", uk_today()),
            "approve-resolution": "BR-2026-014",
        },
    )
    member = db.session.scalar(sa.select(Member))
    assert r.headers["Location"] == f"/admin/members/{member.id}"
    assert member.approved_on == uk_today() and member.approval_resolution == "BR-2026-014"
    assert services.status(member) == Status.ONBOARDING
    assert application.status.value == "approved"
    page = text_of(client.get(r.headers["Location"]))
    assert "Onboarding" in page and "0 of 6 tasks complete" in page
    assert (
        "Application: approved" in page and admin.email in page
    )  # the audit log, on the member page
    send_pending()
    assert any("approved" in m["Subject"] for m in mailbox.wait_for(2))
    assert (
        "Southampton"
        not in text_of(client.get("/admin/applications"))
        .split("Applications to join")[1]
        .split("Add a council")[0]
    )


def test_application_page_offers_today_as_the_approval_date(ctx, client, login_as):
    application = _open_application(client)
    login_as(factories.user(Role.ADMIN))
    html = client.get(f"/admin/applications/{application.id}").get_data(as_text=True)
    today = uk_today()
    for part, value in [("day", today.day), ("month", today.month), ("year", today.year)]:
        box = re.search(rf'<input[^>]*id="approve-approved_on-{part}"[^>]*>', html).group(0)
        assert f'value="{value}"' in box


def test_approval_date_cannot_be_in_the_future(ctx, client, login_as):
    application = _open_application(client)
    login_as(factories.user(Role.ADMIN))
    r = client.post(
        f"/admin/applications/{application.id}",
        data={
            "decision": "approve",
            **date_parts("approve-approved_on", uk_today() + timedelta(days=1)),
            "approve-resolution": "BR-1",
        },
    )
    assert "Date the board approved must be today or in the past" in text_of(r)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Member)) == 0


def test_admin_declines_with_a_reason_that_is_emailed(ctx, client, login_as, mailbox):
    application = _open_application(client)
    login_as(factories.user(Role.ADMIN))
    r = client.post(
        f"/admin/applications/{application.id}", data={"decision": "decline", "decline-reason": ""}
    )
    assert "Enter the reason for declining" in text_of(r)
    client.post(
        f"/admin/applications/{application.id}",
        data={"decision": "decline", "decline-reason": "Outside our region for now."},
    )
    db.session.refresh(application)
    assert application.status.value == "declined"
    send_pending()
    declined = [m for m in mailbox.wait_for(2) if m["Subject"].startswith("Your application")]
    assert "Outside our region for now." in mailbox.body(declined[0])
    # once declined the council may apply again
    assert "Application sent" in text_of(client.post("/apply", data=apply_form()))


def test_a_decided_application_cannot_be_decided_again(ctx, client):
    application = _open_application(client)
    admin = factories.user(Role.ADMIN)
    services.decline_application(application, "No", admin)
    with pytest.raises(MemberError, match="already declined"):
        services.approve_application(application, uk_today(), "BR-1", admin)


def test_admin_adds_another_public_body_by_hand(ctx, client, login_as):
    login_as(factories.user(Role.ADMIN))
    r = client.post(
        "/admin/members/new",
        data={
            "gss_code": "",
            "other_name": "East Sussex Fire Authority",
            "other_address": "20 Upperton Road\nEastbourne",
            "contact_name": "Kim Fire",
            "contact_email": "kim@esfrs.example",
            **date_parts("approved_on", date(2025, 3, 1)),
            "resolution": "BR-2025-007",
            "founding": "y",
        },
    )
    member = db.session.scalar(sa.select(Member))
    assert r.headers["Location"] == f"/admin/members/{member.id}"
    assert (
        member.gss_code is None
        and member.founding
        and member.address.startswith("20 Upperton Road")
    )


def onboarding_member():
    return factories.member(
        joined_on=None, onboarded=False, approved_on=uk_today() - timedelta(days=10), address=None
    )


def test_onboarding_checklist_is_a_task_list_completed_item_by_item(ctx, client, login_as, mailbox):
    member = onboarding_member()
    login_as(factories.user(Role.ADMIN))
    base = f"/admin/members/{member.id}"
    page = client.get(base).get_data(as_text=True)
    assert "govuk-task-list" in page and "Incomplete" in page
    steps = [
        ("agreement", date_parts("signed_on", uk_today() - timedelta(days=2))),
        ("address", {"address": "Civic Centre\nSouthampton"}),
        ("invoice-address", {"invoice_address": "Accounts Payable\nPO Box 1"}),
        ("finance-contact", {"finance_email": "AP@council.example"}),
        ("purchase-orders", {"po_required": "yes", "supplier_number": "SUP-991"}),
    ]
    for task, data in steps:
        r = client.post(f"{base}/tasks/{task}", data=data)
        assert r.status_code == 302, (task, text_of(r))
    r = client.post(
        f"{base}/invite",
        data={"name": "Pat Example", "email": "pat@council.example", "role": "council_admin"},
    )
    assert r.status_code == 302
    db.session.refresh(member)
    assert (
        member.finance_email == "ap@council.example"
        and member.po_required is True
        and member.supplier_number == "SUP-991"
    )
    assert all(t.done for t in services.onboarding_tasks(member))
    assert "6 of 6 tasks complete" in text_of(client.get(base))
    send_pending()
    assert [m["To"] for m in mailbox.wait_for(1)] == ["pat@council.example"]


def test_task_forms_show_specific_errors(ctx, client, login_as):
    member = onboarding_member()
    login_as(factories.user(Role.ADMIN))
    base = f"/admin/members/{member.id}/tasks"
    assert "Enter the finance contact email address" in text_of(
        client.post(f"{base}/finance-contact", data={"finance_email": ""})
    )
    assert "Select yes if the council needs a purchase order number" in text_of(
        client.post(f"{base}/purchase-orders", data={})
    )
    future = date_parts("signed_on", uk_today() + timedelta(days=5))
    assert "must be today or in the past" in text_of(client.post(f"{base}/agreement", data=future))
    assert client.get(f"{base}/nonsense").status_code == 404


def test_joining_needs_a_complete_checklist_and_a_date_not_before_approval(ctx, client, login_as):
    member = onboarding_member()
    login_as(factories.user(Role.ADMIN))
    url = f"/admin/members/{member.id}/joining"
    r = client.post(url, data=date_parts("joined_on", uk_today()))
    assert r.status_code == 400 and "Complete the onboarding checklist first" in text_of(r)
    services.update_member(
        member,
        {
            "agreement_signed_on": uk_today(),
            "address": "A",
            "invoice_address": "B",
            "finance_email": "f@x.example",
            "po_required": False,
        },
        None,
    )
    factories.user(Role.COUNCIL_ADMIN, member=member)
    r = client.post(url, data=date_parts("joined_on", member.approved_on - timedelta(days=1)))
    assert "Joining date must be the same as or after the date the board approved" in text_of(r)
    assert member.joined_on is None
    r = client.post(url, data=date_parts("joined_on", uk_today()))
    assert r.status_code == 302
    db.session.refresh(member)
    assert member.joined_on == uk_today() and services.status(member) == Status.MEMBER


def test_a_future_joining_date_keeps_the_council_onboarding_until_that_day(ctx):
    member = factories.member(joined_on=uk_today() + timedelta(days=30))
    assert services.status(member) == Status.ONBOARDING
    assert services.status(member, uk_today() + timedelta(days=30)) == Status.MEMBER
    assert member not in services.register_entries()
    assert member in services.register_entries(uk_today() + timedelta(days=30))


def test_leaving_gives_notice_then_the_council_becomes_a_former_member_and_keeps_its_data(
    ctx, client, login_as
):
    member = factories.member(joined_on=date(2024, 4, 1))
    factories.user(Role.COUNCIL_USER, member=member)
    login_as(factories.user(Role.ADMIN))
    leave_on = uk_today() + timedelta(days=90)
    r = client.post(
        f"/admin/members/{member.id}/leaving",
        data={**date_parts("notice_given_on", uk_today()), **date_parts("ceased_on", leave_on)},
    )
    assert r.status_code == 302
    db.session.refresh(member)
    assert services.status(member) == Status.LEAVING
    assert services.status(member, leave_on) == Status.FORMER
    assert member in services.register_entries(
        leave_on
    )  # former members stay on the register, with a ceased date
    assert len(member.users) == 1


def test_leaving_date_before_joining_is_refused(ctx, client, login_as):
    member = factories.member(joined_on=date(2024, 4, 1))
    login_as(factories.user(Role.ADMIN))
    r = client.post(
        f"/admin/members/{member.id}/leaving",
        data={
            **date_parts("notice_given_on", uk_today()),
            **date_parts("ceased_on", date(2024, 3, 1)),
        },
    )
    assert r.status_code == 400
    assert "Leaving date must be after the joining date" in text_of(r)
    db.session.refresh(member)
    assert member.ceased_on is None


def test_founders_and_later_joiners_differ_only_in_the_record(ctx):
    founder = factories.member(founding=True)
    later = factories.member(founding=False, joined_on=date(2026, 1, 1))
    assert services.status(founder) == services.status(later) == Status.MEMBER


def test_register_of_members_page_and_csv_come_from_the_membership_records(ctx, client, login_as):
    a = factories.member(joined_on=date(2024, 4, 1), address="Town Hall\nAdur")
    b = factories.member(
        joined_on=date(2025, 1, 1), notice_given_on=date(2025, 6, 1), ceased_on=date(2025, 12, 31)
    )
    factories.member(joined_on=None, onboarded=False)  # not yet a member: not on the register
    login_as(factories.user(Role.DIRECTOR))
    page = text_of(client.get("/register-of-members"))
    assert "Register of members" in page and "section 113 of the Companies Act 2006" in page
    assert f"{a.name} Town Hall Adur 1 April 2024" in page
    assert f"{b.name}" in page and "31 December 2025" in page
    r = client.get("/register-of-members.csv")
    assert r.headers["Content-Disposition"].startswith('attachment; filename="register-of-members-')
    rows = list(csv.reader(io.StringIO(r.get_data(as_text=True))))
    assert rows[0] == ["Name", "Address", "Date registered as member", "Date ceased to be member"]
    assert rows[1] == [a.name, "Town Hall Adur", "2024-04-01", ""]
    assert rows[2] == [b.name, b.address.replace("\n", " "), "2025-01-01", "2025-12-31"]
    assert len(rows) == 3
    # change the record and the register follows: nothing is typed twice
    services.update_member(a, {"address": "New Civic Centre"}, None)
    assert "New Civic Centre" in client.get("/register-of-members.csv").get_data(as_text=True)


def test_every_member_change_is_audited_with_what_changed(ctx, client, login_as):
    member = factories.member()
    admin = factories.user(Role.ADMIN)
    login_as(admin)
    client.post(
        f"/admin/members/{member.id}/tasks/invoice-address", data={"invoice_address": "New address"}
    )
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.member_id == member.id))
    assert event.action == "member.updated" and event.actor == admin.email
    assert event.change_items == [
        ("invoice_address", f"Accounts Payable\n{member.name}", "New address")
    ]
    page = text_of(client.get(f"/admin/members/{member.id}"))
    assert "Member: updated" in page and "New address" in page


def test_audit_events_cannot_be_changed_or_deleted(ctx):
    from company.audit import AuditIsAppendOnly, record

    event = record("test.event", "member")
    db.session.commit()
    event.action = "edited"
    with pytest.raises(AuditIsAppendOnly):
        db.session.commit()
    db.session.rollback()
    db.session.delete(event)
    with pytest.raises(AuditIsAppendOnly):
        db.session.commit()
    db.session.rollback()


def test_members_list_groups_by_status(ctx, client, login_as):
    factories.member(joined_on=date(2024, 4, 1), founding=True)
    factories.member(joined_on=None, onboarded=False)
    login_as(factories.user(Role.FINANCE))
    page = text_of(client.get("/admin/members"))
    assert "Members (1)" in page and "Approved and onboarding (1)" in page and "Founder" in page
    assert "Add a council" not in page  # finance reads; only the company secretary adds
