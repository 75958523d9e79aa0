"""Company settings: validated particulars, audited, and printed on documents as at issue."""

import pytest
import sqlalchemy as sa

from company.audit import AuditEvent
from company.auth.roles import Role
from company.extensions import db
from company.settings import services
from company.settings.models import DEFAULT_STATEMENT
from tests import factories
from tests.helpers import identity, text_of


def form(**overrides):
    data = {
        "legal_name": "Flatpack Councils Ltd",
        "company_number": "12345678",
        "registered_office": "1 Civic Square\nBrighton",
        "registered_in": "England and Wales",
        "vat_number": "GB 980 7806 84",
        "bank_account_name": "Flatpack Councils Ltd",
        "bank_sort_code": "30-99-50",
        "bank_account_number": "00733445",
        "invoice_prefix": "INV",
        "credit_note_prefix": "CN",
        "payment_terms_days": "30",
        "year_start_month": "4",
        "control_statement": DEFAULT_STATEMENT,
    }
    data.update(overrides)
    return data


def test_admin_saves_settings_and_every_change_is_audited(ctx, client, login_as):
    admin = factories.user(Role.ADMIN)
    login_as(admin)
    r = client.post("/admin/settings", data=form())  # sets the VAT number and bank details
    page = text_of(r)
    assert "Change the company's bank details or VAT number?" in page
    assert "VAT number none → GB 980 7806 84" in page and "Sort code none → 30-99-50" in page
    assert services.current().vat_number is None  # asked first: nothing saved yet
    r = client.post(
        "/admin/settings",
        data={**form(), "confirm": "yes", "identity_password": factories.PASSWORD},
    )
    assert r.status_code == 400 and "Enter the 6-digit code" in text_of(r)
    r = client.post("/admin/settings", data={**form(), "confirm": "yes", **identity(admin)})
    assert r.status_code == 302
    row = services.current()
    assert row.vat_number == "980780684" and row.bank_sort_code == "309950"
    page = client.get("/admin/settings").get_data(as_text=True)
    assert 'value="GB 980 7806 84"' in page and 'value="30-99-50"' in page
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "settings.changed"))
    assert event.actor == admin.email and "vat_number" in event.changes


@pytest.mark.parametrize(
    "field, value, message",
    [
        (
            "company_number",
            "1234",
            "Enter a company number in the correct format, like 01234567 or SC123456",
        ),
        ("company_number", "XX123456", "Enter a company number in the correct format"),
        (
            "vat_number",
            "GB 802 3117 81",
            "Enter a valid UK VAT registration number, like GB 980 7806 84",
        ),
        ("bank_sort_code", "30-99", "Enter a valid sort code, like 30-99-50"),
        ("bank_account_number", "1234", "Enter a valid account number"),
        ("payment_terms_days", "200", "Payment terms must be between 0 and 120 days"),
        ("payment_terms_days", "thirty", "Payment terms in days must be a whole number"),
        ("credit_note_prefix", "INV", "Credit notes need a different prefix from invoices"),
        ("control_statement", "Controlled by councils.", "include {members} where their names go"),
    ],
)
def test_bad_settings_get_a_specific_error_and_change_nothing(
    ctx, client, login_as, field, value, message
):
    login_as(factories.user(Role.ADMIN))
    before = services.current().company_number
    r = client.post("/admin/settings", data=form(**{field: value}))
    assert message in text_of(r)
    db.session.expire_all()
    assert services.current().company_number == before


@pytest.mark.parametrize(
    "text, compact",
    [("GB 980 7806 84", "980780684"), ("980780629", "980780629"), ("GD001", "GD001"), ("", None)],
)
def test_vat_numbers_are_checked_with_python_stdnum(ctx, text, compact):
    assert services.clean_vat_number(text) == compact
    if compact == "980780684":
        assert services.vat_display(compact) == "GB 980 7806 84"


def test_scottish_and_english_company_numbers(ctx):
    assert services.clean_company_number("sc123456") == "SC123456"
    assert services.clean_company_number("1234567") == "01234567"


def test_control_statement_names_the_member_councils_on_the_day(ctx):
    from datetime import date

    a = factories.member(joined_on=date(2024, 4, 1))
    b = factories.member(joined_on=date(2025, 4, 1))
    factories.member(joined_on=date(2024, 4, 1), ceased_on=date(2025, 1, 1))  # a former member
    row = factories.company_settings()
    text = services.control_statement(row, date(2025, 6, 1))
    assert "Part V of the Local Government and Housing Act 1989" in text
    assert f"{sorted([a.name, b.name])[0]} and {sorted([a.name, b.name])[1]}" in text
    assert text.startswith("Flatpack Councils Ltd is a company controlled by local authorities")
    assert b.name not in services.control_statement(row, date(2025, 1, 1))


def test_only_admins_change_settings(ctx, client, login_as):
    login_as(factories.user(Role.FINANCE))
    assert client.get("/admin/settings").status_code == 403


def test_every_bad_field_is_reported_at_once_in_the_summary_and_by_the_field(ctx, client, login_as):
    import re

    login_as(factories.user(Role.ADMIN))
    bad = {
        "legal_name": "",  # the form's own check
        "company_number": "1234",  # the service's checks, from here down
        "vat_number": "GB 802 3117 81",
        "bank_sort_code": "30-99",
        "bank_account_number": "1234",
        "invoice_prefix": "INV1",
        "payment_terms_days": "200",
        "control_statement": "Controlled by councils.",
    }
    r = client.post("/admin/settings", data=form(**bad))
    html = r.get_data(as_text=True)
    summary = re.search(r'class="govuk-error-summary".*?</ul>', html, re.S).group(0)
    hrefs = re.findall(r'href="#([^"]+)"', summary)
    assert hrefs == list(bad)  # one link a field, in the page's order
    for field in bad:  # and a message by each field
        assert re.search(rf'<p id="{field}-error" class="govuk-error-message">', html), field
    page = text_of(r)
    for message in [
        "Enter the company's registered name",
        "Enter a company number in the correct format",
        "Enter a valid UK VAT registration number",
        "Enter a valid sort code",
        "Enter a valid account number",
        "Payment terms must be between 0 and 120 days",
        "Prefix must be 1 to 6 letters",
        "include {members} where their names go",
    ]:
        assert page.count(message) == 2, message  # in the summary and by the field
    db.session.expire_all()
    assert services.current().legal_name != ""
