"""The one GOV.UK date input: day, month and year boxes, specific messages, never a 500."""

import re
from datetime import date

import pytest
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict

from company.ui.fields import DateField, Required


class When(FlaskForm):
    class Meta:
        csrf = False

    on = DateField("Date of the meeting", [Required("Enter the date of the meeting")])


def _form(day, month, year):
    return When(MultiDict({"on-day": day, "on-month": month, "on-year": year}))


@pytest.mark.parametrize(
    "day, month, year, message, bad",
    [
        ("", "", "", "Enter the date of the meeting", "day"),
        ("1", "", "2026", "Date of the meeting must include a month", "month"),
        ("31", "2", "2026", "Date of the meeting must be a real date", "day"),
        ("1", "13", "2026", "the month must be 1 to 12", "month"),
        ("1", "4", "26", "Year must include 4 numbers", "year"),
        ("1", "4", "1066", "Year must be between 1900 and 2099", "year"),
        ("1", "4", "9999", "Year must be between 1900 and 2099", "year"),
        ("1", "4", "9" * 5000, "Year must include 4 numbers", "year"),  # int() of it would fail
        ("9" * 5000, "4", "2026", "Date of the meeting must be a real date", "day"),
        ("1\x00", "4", "2026", "the day must be a number", "day"),
        ("1", "-4", "2026", "the month must be a number", "month"),
        ("one", "4", "2026", "the day must be a number", "day"),
        ("1", "4", "２０２６", "the year must be a number", "year"),  # full-width digits
    ],
)
def test_bad_dates_get_a_specific_message_on_the_box_at_fault(app, day, month, year, message, bad):
    with app.test_request_context():
        form = _form(day, month, year)
        assert not form.validate()
        assert message in form.on.errors[0]
        assert form.on.error_anchor == f"on-{bad}"
        html = str(form.on())
        assert f'id="on-{bad}"' in html and "govuk-input--error" in html
        assert "\x00" not in html


def test_a_good_date_parses_and_shows_in_the_boxes(app):
    with app.test_request_context():
        form = _form(" 7 ", "12", "2026")
        assert form.validate() and form.on.data == date(2026, 12, 7)
        html = str(form.on())
        assert re.search(r'name="on-day"[^>]*value="7"', html)
        assert 'name="on-year"' in html and "govuk-date-input" in html


def test_aged_debt_takes_its_date_from_the_query_string(ctx, client, login_as):
    from company.auth.roles import Role
    from tests import factories
    from tests.helpers import text_of

    factories.company_settings()
    login_as(factories.user(Role.FINANCE))
    r = client.get("/billing/aged-debt?as_at-day=15&as_at-month=6&as_at-year=2026")
    assert r.status_code == 200 and "Aged debt as at 15 June 2026" in text_of(r)
    html = r.get_data(as_text=True)
    assert 'type="date"' not in html
    assert 'name="as_at-day"' in html and 'name="as_at-month"' in html
    r = client.get("/billing/aged-debt?as_at-day=31&as_at-month=2&as_at-year=2026")
    assert r.status_code == 200 and "As at must be a real date" in text_of(r)
    assert 'href="#as_at-day"' in r.get_data(as_text=True)
    r = client.get("/billing/aged-debt?as_at-day=1&as_at-month=1&as_at-year=" + "9" * 5000)
    assert r.status_code == 200 and "Year must include 4 numbers" in text_of(r)
