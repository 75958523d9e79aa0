"""GOV.UK pages: layout, titles, errors, dates and money as people read them."""

from datetime import date, datetime

import pytest
from werkzeug.exceptions import InternalServerError

from company.auth.roles import Role
from company.formats import long_date as uk_date
from company.formats import long_datetime as uk_datetime
from company.formats import pounds
from tests import factories
from tests.helpers import text_of


@pytest.mark.parametrize(
    "value, shown",
    [(date(2026, 4, 1), "1 April 2026"), (date(2027, 12, 31), "31 December 2027"), (None, "")],
)
def test_dates_read_the_uk_way(value, shown):
    assert uk_date(value) == shown


def test_times_are_shown_in_uk_time_across_summer_time():
    assert uk_datetime(datetime(2026, 7, 1, 12, 30)) == "1 July 2026 at 1:30pm"  # BST
    assert uk_datetime(datetime(2026, 1, 1, 0, 5)) == "1 January 2026 at 12:05am"  # GMT
    assert (
        uk_date(datetime(2026, 3, 31, 23, 30)) == "1 April 2026"
    )  # UTC late evening is the next UK day in BST


@pytest.mark.parametrize(
    "pence, shown",
    [
        (123450, "£1,234.50"),
        (5, "£0.05"),
        (0, "£0.00"),
        (-1200, "-£12.00"),
        (100000000, "£1,000,000.00"),
    ],
)
def test_money_is_integer_pence_shown_in_pounds(pence, shown):
    assert pounds(pence) == shown


def test_money_refuses_floats():
    with pytest.raises(TypeError):
        pounds(12.5)


def test_layout_has_skip_link_generic_header_phase_banner_and_our_own_footer(client, app):
    html = client.get("/").get_data(as_text=True)
    assert 'class="govuk-skip-link"' in html and 'href="#main-content"' in html
    assert "govuk-generic-header" in html and app.config["COMPANY_NAME"] in html
    assert "govuk-phase-banner" in html and "Beta" in html
    assert "govuk-footer" in html and "Registered in England and Wales" in html
    assert (
        "Crown copyright" not in html and "govuk-footer__crown" not in html and "GOV.UK" not in html
    )
    assert "<title>Home – Flatpack</title>" in html
    assert '<html lang="en-GB"' in html
    assert 'type="module"' in html


def test_navigation_depends_on_the_role(ctx, client, login_as):
    anon = text_of(client.get("/apply"))
    assert "Apply to join" in anon and "Register of members" not in anon
    login_as(factories.user(Role.DIRECTOR))
    html = client.get("/dashboard").get_data(as_text=True)
    nav = html.split('class="govuk-service-navigation__list"')[1].split("</ul>")[0]
    assert "Register of members" in nav and "Members" in nav and "Sign out" in nav
    assert "Applications" not in nav and "Users" not in nav


def test_navigation_marks_the_current_section(ctx, client, login_as):
    login_as(factories.user(Role.ADMIN))
    html = client.get("/admin/members").get_data(as_text=True)
    assert "govuk-service-navigation__item--active" in html.split("Members</")[0][-400:]


def test_404_page_in_house_style(client):
    r = client.get("/no-such-page")
    assert r.status_code == 404
    assert "<title>Page not found – Flatpack</title>" in r.get_data(as_text=True)
    assert "If you typed the web address, check it is correct" in text_of(r)


def test_500_page_in_house_style(app):
    from company import create_app

    app = create_app("test", {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})
    client = app.test_client()

    @app.route("/_boom")
    def boom():  # pragma: no cover - the error handler renders instead
        raise InternalServerError()

    boom.access_rule = "public"
    r = client.get("/_boom")
    assert r.status_code == 500
    assert "Sorry, there is a problem with the service" in text_of(r)


def test_flash_messages_are_notification_banners(ctx, client, login_as):
    login_as(factories.user(Role.ADMIN))
    client.post(
        "/admin/users/invite",
        data={"name": "A Person", "email": "a@example.com", "role": "finance"},
    )
    html = client.get("/admin/users").get_data(as_text=True)
    assert (
        "govuk-notification-banner--success" in html and "Invitation sent to a@example.com" in html
    )


def test_error_summary_links_to_the_field_in_error(client):
    html = client.post("/apply", data={"contact_name": "", "proposed_start-day": "1"}).get_data(
        as_text=True
    )
    assert "govuk-error-summary" in html
    assert 'href="#contact_name"' in html
    assert 'href="#proposed_start-month"' in html  # a date error points at the first missing part
    assert "govuk-input--error" in html


def test_audit_values_read_as_people_write_them():
    from company.ui.filters import audit_value

    assert audit_value("2026-04-01") == "1 April 2026"
    assert audit_value(12000, "gross_pence") == "£120.00"
    assert audit_value(True) == "Yes" and audit_value(None) == "(blank)"
    assert audit_value("BR-2026-01") == "BR-2026-01"
