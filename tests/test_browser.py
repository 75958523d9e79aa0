"""The joining journey in a real browser: a council applies, an admin approves and onboards it,
its first portal user accepts the emailed invitation, and the council enters the register.

Runs headless Chromium against the app on a live server (see tests/browser.py); skipped with a
reason when Chromium is absent. Screenshots of each main step go to tests/screenshots/.
"""

import re
from datetime import timedelta

import pytest

from company.clock import uk_today
from company.formats import long_date
from company.outbox import send_pending
from tests import factories
from tests.browser import (  # noqa: F401 - the fixtures, which pytest finds by name
    chromium_fixture,
    fill_date,
    live_server_fixture,
    new_page_fixture,
    screenshot,
    sign_in,
)

expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect

pytestmark = pytest.mark.browser

COUNCIL_GSS, COUNCIL = "E06000045", "Southampton City Council"
NAME, EMAIL, ROLE = "Robin Applicant", "robin.applicant@southampton.example", "Head of Digital"
NEW_PASSWORD = "wide awake council meadow"
INVITE_SUBJECT = "You have been invited to Flatpack"
ADDRESS = "Civic Centre\nSouthampton\nSO14 7LY"


def nav(page, text: str):
    """A link in the header's service navigation."""
    return page.get_by_role("navigation", name="Menu").get_by_role("link", name=text, exact=True)


def success_banner(page):
    return page.locator(".govuk-notification-banner--success")


def test_council_applies_is_onboarded_and_its_first_user_signs_up(
    app, mailbox, new_page, live_server
):
    today = uk_today()
    with app.app_context():
        admin_email = factories.user("admin", name="Alex Admin").email

    # 1. An anonymous visitor applies; an empty form first shows the GOV.UK error pattern.
    visitor = new_page()
    visitor.goto("/apply")
    expect(visitor.get_by_role("heading", level=1)).to_have_text(re.compile("^Apply to join"))
    visitor.get_by_role("button", name="Send application").click()
    summary = visitor.locator(".govuk-error-summary")
    expect(summary).to_contain_text("There is a problem")
    expect(summary.get_by_role("link", name="Enter your full name")).to_have_attribute(
        "href", "#contact_name"
    )
    expect(visitor).to_have_title(re.compile(r"^Error: Apply to join"))
    expect(visitor.locator("#contact_name-error")).to_contain_text("Enter your full name")
    expect(summary.get_by_role("link")).to_have_text(
        [
            "Select your council, or enter the name of your organisation if it is not listed",
            "Enter your full name",
            "Enter your work email address",
            "Enter your role",
            "Enter the proposed start date",
        ]
    )
    screenshot(visitor, "01-apply-errors")
    summary.get_by_role("link", name="Enter the proposed start date").click()
    expect(visitor.locator("#proposed_start-day")).to_be_focused()  # GOV.UK JavaScript is working

    visitor.get_by_label("Council", exact=True).select_option(COUNCIL_GSS)
    visitor.get_by_label("Your full name").fill(NAME)
    visitor.get_by_label("Your work email address").fill(EMAIL)
    visitor.get_by_label("Your role").fill(ROLE)
    fill_date(visitor, "proposed_start", today + timedelta(days=60))
    visitor.get_by_role("button", name="Send application").click()
    expect(visitor.get_by_role("heading", name="Application sent")).to_be_visible()
    expect(visitor.locator(".govuk-panel")).to_contain_text(COUNCIL)
    expect(visitor.get_by_text(f"We have sent a confirmation to {EMAIL}")).to_be_visible()
    expect(visitor).to_have_title(re.compile("^Application sent"))
    screenshot(visitor, "02-application-sent")

    # 2. An admin signs in, opens the application and approves it.
    admin = new_page()
    sign_in(admin, admin_email, factories.PASSWORD)
    expect(admin.get_by_text("Signed in as Alex Admin")).to_be_visible()

    nav(admin, "Applications").click()
    expect(admin.get_by_role("heading", name="Applications to join")).to_be_visible()
    admin.get_by_role("link", name=COUNCIL).click()
    expect(admin.get_by_role("heading", level=1)).to_have_text(COUNCIL)
    expect(admin.locator(".govuk-summary-list")).to_contain_text(EMAIL)
    fill_date(admin, "approve-approved_on", today)
    admin.get_by_label("Board resolution reference").fill("BR-2026-042")
    screenshot(admin, "03-application")
    admin.get_by_role("button", name="Approve application").click()

    expect(success_banner(admin)).to_contain_text(f"{COUNCIL} is approved")
    expect(admin.get_by_role("heading", level=1)).to_contain_text(COUNCIL)
    expect(admin.locator("h1 .govuk-tag")).to_have_text("Onboarding")
    expect(admin.get_by_role("heading", name="Onboarding", exact=True)).to_be_visible()
    expect(admin.get_by_text("0 of 6 tasks complete.")).to_be_visible()
    screenshot(admin, "04-member-approved")

    # 3. The admin works through the onboarding task list, one task page each.
    def do(task: str, done: int, fill) -> None:
        """Open a task from the list, fill its form, save, and see the count go up."""
        admin.get_by_role("link", name=task).click()
        expect(admin.locator(".govuk-caption-l")).to_have_text(COUNCIL)
        fill()
        admin.get_by_role("button", name="Save").click()
        expect(success_banner(admin)).to_contain_text("Saved.")
        expect(admin.get_by_text(f"{done} of 6 tasks complete.")).to_be_visible()

    def type_into(label: str, text: str):
        return lambda: admin.get_by_label(label).fill(text)

    def no_purchase_orders():
        question = admin.get_by_role("group", name=re.compile("purchase order number"))
        question.get_by_label("No", exact=True).check()

    do("Membership agreement signed", 1, lambda: fill_date(admin, "signed_on", today))
    do(
        "Council address (for the register of members)",
        2,
        type_into("Council address", ADDRESS),
    )
    do("Invoice address", 3, type_into("Invoice address", "Accounts Payable\nPO Box 1767"))
    do("Finance contact email", 4, type_into("Finance contact email", "ap@southampton.example"))
    do("Purchase orders and supplier number", 5, no_purchase_orders)

    admin.get_by_role("link", name="First portal user invited").click()
    expect(admin.get_by_role("heading", name="Invite a portal user")).to_be_visible()
    expect(admin.get_by_label("Full name")).to_have_value(NAME)
    expect(admin.get_by_label("Email address")).to_have_value(EMAIL)
    expect(admin.get_by_label("Role")).to_have_value("council_admin")
    admin.get_by_role("button", name="Send invitation").click()
    expect(success_banner(admin)).to_contain_text(f"Invitation sent to {EMAIL}")
    expect(admin.get_by_text("6 of 6 tasks complete.")).to_be_visible()
    expect(admin.get_by_text(f"{NAME} ({EMAIL}), council administrator, invited")).to_be_visible()
    screenshot(admin, "05-onboarding-complete")

    fill_date(admin, "joined_on", today)  # pre-filled with the proposed date; joining today
    admin.get_by_role("button", name="Confirm joining date").click()
    expect(success_banner(admin)).to_contain_text(f"{COUNCIL} is now a member.")
    expect(admin.locator("h1 .govuk-tag")).to_have_text("Member")
    expect(admin.get_by_role("button", name="Confirm joining date")).to_have_count(0)
    screenshot(admin, "06-member-joined")

    # 4. The invitation arrives by email; the invitee creates a password and lands on the portal.
    with app.app_context():
        assert send_pending()["sent"] >= 1
    invitations = [m for m in mailbox.to(EMAIL) if m["Subject"] == INVITE_SUBJECT]
    assert len(invitations) == 1, [m["Subject"] for m in mailbox.messages]
    body = mailbox.body(invitations[0])
    assert f"as council administrator for {COUNCIL}" in body
    link = re.search(r"http://localhost/invitations/\S+", body).group(0)

    invitee = new_page()
    invitee.goto(live_server.local(link))
    expect(invitee.get_by_role("heading", name="Create your account")).to_be_visible()
    expect(invitee.get_by_text(f"as {NAME} ({EMAIL})")).to_contain_text(COUNCIL)
    invitee.locator("#password").fill(NEW_PASSWORD)
    invitee.locator("#confirm").fill(NEW_PASSWORD)
    screenshot(invitee, "07-create-account")
    invitee.get_by_role("button", name="Create account").click()

    expect(invitee).to_have_url(re.compile(r"/portal/$"))
    expect(success_banner(invitee)).to_contain_text("Your password has been set")
    expect(invitee.get_by_role("heading", level=1)).to_contain_text(COUNCIL)
    expect(invitee.locator("h1 .govuk-tag")).to_have_text("Member")
    expect(invitee.get_by_text(f"Signed in as {NAME}")).to_be_visible()
    expect(nav(invitee, "Your council")).to_be_visible()
    address = invitee.locator(".govuk-summary-list__row").filter(has_text="Council address")
    expect(address.locator("dd").first).to_contain_text("Civic Centre")
    assert address.locator("dd").first.inner_text().strip() == ADDRESS  # its lines, no markup
    screenshot(invitee, "08-portal-home")

    # 5. The council is now in the register of members, registered today.
    nav(admin, "Register of members").click()
    expect(admin.get_by_role("heading", name="Register of members")).to_be_visible()
    row = admin.get_by_role("row").filter(has_text=COUNCIL)
    expect(row).to_have_count(1)
    expect(row.get_by_role("cell").nth(1)).to_contain_text("Civic Centre")
    expect(row.get_by_role("cell").nth(2)).to_have_text(long_date(today))
    screenshot(admin, "09-register")
