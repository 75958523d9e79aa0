"""Every kind of page, in a real browser on the demo company, at 320 px wide (a phone, or 1280 px
zoomed to 400%): nothing is wider than the window (WCAG 1.4.10 reflow; wide tables scroll inside
their own region), and axe-core finds no WCAG A or AA violation (see tests/browser.py).

Each page is opened once, as the first role allowed to see it; the dashboard and the home page as
every role. Screenshots go to tests/screenshots/narrow-*.png.
"""

import pytest
import sqlalchemy as sa

from company.auth.models import User
from company.auth.roles import Role
from company.demo import password_for
from company.extensions import db
from tests.browser import (  # noqa: F401 - the fixtures, which pytest finds by name
    chromium_fixture,
    live_server_fixture,
    new_page_fixture,
    screenshot,
    sign_in,
)
from tests.test_every_page import _urls

pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

pytestmark = pytest.mark.browser

NARROW = {"width": 320, "height": 800}
ROLES = [Role.FINANCE, Role.ADMIN, Role.COUNCIL_ADMIN, Role.DIRECTOR, Role.COUNCIL_USER]
EVERY_ROLE = {"core.index", "core.dashboard"}
# The pages the issue named, which must be among those reached.
MUST_REACH = {
    "invoices.list_invoices",
    "invoices.show_invoice",
    "payments.list_payments",
    "credit_control.index",
    "reports.aged_debt",
    "reports.member_statement",
    "reports.portal_statement",
    "reports.dashboard",
    "invoices.portal_list_invoices",
    "invoices.portal_show_invoice",
    "members.register",
    "core.dashboard",
}
SCREENSHOTS = {"invoices.list_invoices", "invoices.show_invoice", "reports.aged_debt"}
WIDTH = "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
# The innermost elements that stick out past the window's right edge, to name in a failure.
STICKING_OUT = """(width) => {
  const clipped = e => e.closest(".app-table-wrapper") !== null;
  return [...document.querySelectorAll("body *")]
    .filter(e => e.getBoundingClientRect().right > width + 1 && !clipped(e))
    .filter(e => ![...e.children].some(c => c.getBoundingClientRect().right > width + 1))
    .slice(0, 3).map(e => e.outerHTML.slice(0, 160));
}"""


def test_every_page_fits_a_320px_window_and_passes_axe(app, new_page):
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["demo", "seed"])
        assert result.exit_code == 0, result.output
        plan = []  # (role, email, [(endpoint, url)])
        seen: set[str] = set()
        for role in ROLES:
            user = db.session.scalar(sa.select(User).where(User.role == role).order_by(User.id))
            urls = {}
            for endpoint, url in _urls(app, user):
                if endpoint in urls or url.endswith((".pdf", ".csv")) or endpoint == "core.healthz":
                    continue
                if endpoint in seen and endpoint not in EVERY_ROLE:
                    continue
                urls[endpoint] = url
            seen |= set(urls)
            plan.append((role, user.email, list(urls.items())))

    too_wide, reached = [], set()
    for role, email, urls in plan:
        page = new_page(viewport=NARROW)
        sign_in(page, email, password_for(role))
        for endpoint, url in urls:
            response = page.goto(url)
            if response.status != 200 or "text/html" not in response.headers["content-type"]:
                continue
            reached.add(endpoint)
            new_page.audit.check(page)
            scroll, _ = page.evaluate(WIDTH)
            if scroll > NARROW["width"]:
                culprits = page.evaluate(STICKING_OUT, NARROW["width"])
                too_wide.append(f"{role.value} {url} ({endpoint}): {scroll} px wide: {culprits}")
            if endpoint in SCREENSHOTS:
                screenshot(page, f"narrow-{endpoint.replace('.', '-')}")
    assert reached >= MUST_REACH, MUST_REACH - reached
    assert too_wide == [], "\n".join(too_wide)


def test_the_axe_check_fails_a_page_with_a_violation(new_page, live_server):
    page = new_page()
    page.goto("/accessibility")
    page.evaluate("document.querySelector('main').append(document.createElement('img'))")
    new_page.audit.check(page)
    assert any(rule == "image-alt" for _, rule in new_page.audit.violations)
    new_page.audit.violations.clear()  # the page is fine again; teardown checks it anew
    page.goto("/accessibility")
