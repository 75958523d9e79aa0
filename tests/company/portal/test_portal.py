"""The member council's portal: its own membership, users and details, nothing else."""

import sqlalchemy as sa

from company.audit import AuditEvent
from company.auth.models import User
from company.auth.roles import Role
from company.extensions import db
from company.outbox import send_pending
from tests import factories
from tests.helpers import text_of


def test_portal_home_shows_membership_status_and_dates(ctx, client, login_as):
    member = factories.member(founding=True)
    login_as(factories.user(Role.COUNCIL_USER, member=member))
    page = text_of(client.get("/portal/"))
    assert (
        member.name in page
        and "Member since 1 April 2025" in page
        and "Founding member Yes" in page
    )
    assert "Change" not in page  # only council administrators change details


def test_council_admin_edits_contact_and_invoice_details_and_the_change_is_audited(
    ctx, client, login_as
):
    member = factories.member()
    admin = factories.user(Role.COUNCIL_ADMIN, member=member)
    login_as(admin)
    form = client.get("/portal/details").get_data(as_text=True)
    assert member.finance_email in form  # pre-filled
    r = client.post(
        "/portal/details",
        data={
            "contact_name": "New Contact",
            "contact_email": "new@council.example",
            "contact_role": "",
            "address": member.address,
            "invoice_address": "Shared Services\nPO Box 9",
            "finance_email": "ap@council.example",
            "supplier_number": "V-100",
            "po_required": "yes",
        },
    )
    assert r.headers["Location"] == "/portal/"
    assert "Your council's details are saved" in text_of(client.get("/portal/"))
    db.session.refresh(member)
    assert member.po_required is True and member.supplier_number == "V-100"
    event = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "member.details_changed_by_council")
    )
    assert event.actor == admin.email
    assert (
        dict((k, (old, new)) for k, old, new in event.change_items)["finance_email"][1]
        == "ap@council.example"
    )


def test_details_form_errors_change_nothing(ctx, client, login_as):
    member = factories.member()
    login_as(factories.user(Role.COUNCIL_ADMIN, member=member))
    before = member.finance_email
    page = text_of(
        client.post("/portal/details", data={"contact_name": "", "finance_email": "nope"})
    )
    assert (
        "Enter the main contact's full name" in page
        and "Enter an email address in the correct format" in page
    )
    db.session.refresh(member)
    assert member.finance_email == before


def test_council_admin_invites_a_colleague_who_joins_the_same_council(
    ctx, client, login_as, mailbox
):
    member = factories.member()
    login_as(factories.user(Role.COUNCIL_ADMIN, member=member))
    r = client.post(
        "/portal/users/invite",
        data={"name": "Colleague", "email": "colleague@council.example", "role": "council_user"},
    )
    assert r.headers["Location"] == "/portal/users"
    colleague = db.session.scalar(sa.select(User).where(User.email == "colleague@council.example"))
    assert colleague.member_id == member.id and colleague.role == Role.COUNCIL_USER
    send_pending()
    assert mailbox.wait_for(1)[0]["To"] == "colleague@council.example"
    assert "Colleague" in text_of(client.get("/portal/users"))


def test_inviting_an_address_with_an_account_elsewhere_reveals_nothing(
    ctx, client, login_as, mailbox
):
    """A council admin inviting someone who has an account at another council (or on the
    staff) sees exactly what a new invitation shows; nothing is created, and the owner of the
    address is told by email."""
    ours, theirs = factories.member(), factories.member()
    elsewhere = factories.user(Role.COUNCIL_USER, member=theirs, email="pat@other.example")
    staff = factories.user(Role.FINANCE, email="fin@flatpack.example")
    login_as(factories.user(Role.COUNCIL_ADMIN, member=ours))
    answers = []
    for email in ("new@council.example", elsewhere.email, staff.email):
        r = client.post(
            "/portal/users/invite",
            data={"name": "Someone", "email": email, "role": "council_user"},
        )
        with client.session_transaction() as sess:
            flashed = [(c, m.replace(email, "EMAIL")) for c, m in sess.pop("_flashes", [])]
        answers.append((r.status_code, r.headers.get("Location"), flashed))
    assert answers[0] == answers[1] == answers[2]
    assert answers[1][2] == [("success", "Invitation sent to EMAIL.")]
    assert db.session.get(User, elsewhere.id).member_id == theirs.id
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(User).where(User.member_id == ours.id)
        )
        == 2
    )
    send_pending()
    told = {m["To"]: m for m in mailbox.wait_for(3)}
    assert "already has an account" in mailbox.body(told["pat@other.example"])
    assert "already has an account" in mailbox.body(told["fin@flatpack.example"])


def test_council_admin_removes_a_colleague_after_confirming(ctx, client, login_as):
    member = factories.member()
    login_as(factories.user(Role.COUNCIL_ADMIN, member=member))
    colleague = factories.user(Role.COUNCIL_USER, member=member)
    assert f"Remove {colleague.name}?" in text_of(
        client.get(f"/portal/users/{colleague.id}/remove")
    )
    client.post(f"/portal/users/{colleague.id}/remove")
    db.session.refresh(colleague)
    assert colleague.active is False
    table = text_of(client.get("/portal/users")).split("People who can sign in")[1]
    assert colleague.name not in table


def test_council_admin_cannot_remove_themselves(ctx, client, login_as):
    member = factories.member()
    me = factories.user(Role.COUNCIL_ADMIN, member=member)
    login_as(me)
    client.post(f"/portal/users/{me.id}/remove")
    assert "You cannot remove yourself" in text_of(client.get("/portal/users"))
    db.session.refresh(me)
    assert me.active


def test_portal_users_lists_only_this_councils_users(ctx, client, login_as):
    mine, theirs = factories.member(), factories.member()
    login_as(factories.user(Role.COUNCIL_USER, member=mine, name="Mine Person"))
    factories.user(Role.COUNCIL_USER, member=theirs, name="Their Person")
    page = text_of(client.get("/portal/users"))
    assert "Mine Person" in page and "Their Person" not in page
