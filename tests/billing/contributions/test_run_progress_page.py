"""The run-progress page updates its live region in place while a run goes: it never reloads
itself (WCAG 2.2.1), and screen readers hear each change."""

from datetime import date

import pytest

from billing.contributions.runs import ContributionRun
from company.auth.roles import Role
from company.extensions import db
from tests import factories
from tests.browser import (  # noqa: F401 - the fixtures, which pytest finds by name
    chromium_fixture,
    live_server_fixture,
    new_page_fixture,
    sign_in,
)

pytestmark = pytest.mark.browser


def test_progress_updates_without_reloading_and_shows_the_result(app, new_page):
    with app.app_context():
        finance = factories.user(Role.FINANCE)
        run = ContributionRun(year_start=date(2026, 4, 1), stage="issue", total=10, done=2)
        db.session.add(run)
        db.session.commit()
        email, run_id = finance.email, run.id
    page = new_page()
    sign_in(page, email, factories.PASSWORD)
    page.goto(f"/billing/runs/{run_id}")
    assert page.locator('meta[http-equiv="refresh"]').count() == 0
    status = page.locator("#run-status")
    assert status.get_attribute("aria-live") == "polite"
    page.get_by_text("2 of 10 done (20%)").wait_for()
    page.evaluate("window.notReloaded = true")
    with app.app_context():
        db.session.get(ContributionRun, run_id).done = 7
        db.session.commit()
    status.get_by_text("7 of 10 done (70%)").wait_for()
    with app.app_context():
        row = db.session.get(ContributionRun, run_id)
        row.done, row.state, row.summary = 10, "done", '{"issued": 10, "total_pence": 1200000}'
        db.session.commit()
    status.get_by_text("10 issued").wait_for()
    assert page.evaluate("window.notReloaded") is True
