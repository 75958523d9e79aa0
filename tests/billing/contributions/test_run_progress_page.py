"""The run-progress page updates its live region in place while a run goes: it never reloads
itself (WCAG 2.2.1), and screen readers hear each change."""

from datetime import date

import pytest
import sqlalchemy as sa

from billing.contributions.runs import ContributionRun
from company.auth.roles import Role
from company.clock import utcnow
from company.extensions import db
from tests import factories
from tests.browser import (  # noqa: F401 - the fixtures, which pytest finds by name
    chromium_fixture,
    live_server_fixture,
    new_page_fixture,
    sign_in,
)
from tests.helpers import text_of

pytestmark = pytest.mark.browser


def test_progress_updates_without_reloading_and_shows_the_result(app, new_page):
    with app.app_context():
        finance = factories.user(Role.FINANCE)
        run = ContributionRun(
            year_start=date(2026, 4, 1),
            stage="issue",
            state="running",
            total=10,
            done=2,
            heartbeat_at=utcnow(),
        )  # a run whose worker is alive
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


def test_a_run_whose_worker_went_away_shows_as_stopped_and_can_be_resumed(ctx, client, login_as):
    """A run still marked running whose worker has been silent for a minute (a restart, a
    deploy) is shown stopped, no longer blocks the year, and its page offers to resume it;
    resuming finishes the work with nothing done twice."""
    from datetime import timedelta

    from billing.contributions import runs
    from billing.invoices.models import Invoice, Status

    factories.company_settings()
    factories.schedule(2026)
    for _ in range(3):
        factories.member()
    login_as(factories.user(Role.FINANCE))
    from billing.contributions import services as contributions

    contributions.create_drafts(date(2026, 4, 1))  # three drafts
    dead = ContributionRun(
        year_start=date(2026, 4, 1), stage="issue", state="running", total=3, done=1,
        heartbeat_at=utcnow() - timedelta(minutes=5),
    )  # fmt: skip
    db.session.add(dead)
    db.session.commit()
    assert runs.active(date(2026, 4, 1)) is None
    page = text_of(client.get(f"/billing/runs/{dead.id}"))
    assert "The run stopped" in page and "the process doing it went away" in page
    assert "Resume the run" in page and "1 of 3 were done" in page
    r = client.post("/billing/contributions/2026/issue", data={"confirm": "yes"})
    assert r.status_code == 302 and r.headers["Location"] != f"/billing/runs/{dead.id}"
    import time

    deadline = time.monotonic() + 30
    while runs.active(date(2026, 4, 1)) is not None and time.monotonic() < deadline:
        time.sleep(0.2)  # the resumed run works in the background
    db.session.expire_all()
    issued = db.session.scalars(sa.select(Invoice).where(Invoice.status != Status.DRAFT)).all()
    assert sorted(i.sequence_no for i in issued) == [1, 2, 3]
