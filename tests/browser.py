"""Browser-test support: the session app on a live server, and headless Chromium via Playwright.

A test module imports the fixture functions (`from .browser import chromium_fixture, ...`); pytest
finds them by their names `chromium`, `live_server` and `new_page`. They drive
Debian's Chromium at /usr/bin/chromium (never a downloaded one: do not run `playwright install`);
without it every browser test is skipped with a reason that `pytest -ra` shows.

Pages are checked with axe-core (npm `axe-core`, WCAG 2.0, 2.1 and 2.2 A and AA rules): every page
a test passes to `new_page.audit.check(page)` (tests/test_browser_pages.py checks every GET page
that way), and the page each browser context ends on; a test with any violation fails at teardown,
naming the page, the rule and the elements.
"""

import json
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from werkzeug.serving import make_server

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE_SCRIPT = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
AXE_RUN = """() => {
  // One run at a time per page: axe refuses to start while another run is going.
  const run = () => axe.run(document, {runOnly: {type: "tag", values: TAGS}}).then(result =>
    result.violations.map(v => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ") + "  " + n.html.slice(0, 160)),
    })));
  window.__axeRuns = (window.__axeRuns || Promise.resolve()).then(run, run);
  return window.__axeRuns;
}""".replace("TAGS", json.dumps(AXE_TAGS))
SKIP_REASON = "Chromium not installed (apt-get install chromium); browser tests skipped"
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
VIEWPORT = {"width": 1280, "height": 900}
TIMEOUT_MS = 5_000  # each auto-waiting step; the pages are local, so this is generous


def chromium_path() -> str | None:
    if Path("/usr/bin/chromium").is_file():
        return "/usr/bin/chromium"
    return shutil.which("chromium")


class LiveServer:
    """The Flask app served by werkzeug on a free loopback port, in a daemon thread."""

    def __init__(self, app):
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> "LiveServer":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)

    def local(self, url: str) -> str:
        """The same path on this server (emails link to BASE_URL, http://localhost in tests)."""
        scheme, netloc = urlsplit(self.url)[:2]
        return urlunsplit((scheme, netloc, *urlsplit(url)[2:]))


@pytest.fixture(scope="module", name="chromium")
def chromium_fixture():
    """A headless Chromium, shared by a module's tests; skips when Chromium is absent."""
    executable = chromium_path()
    if executable is None:
        pytest.skip(SKIP_REASON)
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        sync_api.expect.set_options(timeout=TIMEOUT_MS)
        yield browser
        browser.close()


@pytest.fixture(scope="module", name="live_server")
def live_server_fixture(app) -> Iterator[LiveServer]:
    global _APP
    _APP = app
    server = LiveServer(app).start()
    yield server
    server.stop()


class AxeAudit:
    """axe-core run on the pages given to `check()`; violations kept by page URL and rule."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.checked: list[str] = []
        self.violations: dict[tuple[str, str], dict] = {}

    def check(self, page) -> None:
        url = page.url
        if not url.startswith(self.base_url):
            return  # about:blank before the first page
        for violation in page.evaluate(AXE_RUN):
            self.violations.setdefault((url, violation["id"]), violation)
        self.checked.append(url)

    def report(self) -> str:
        lines = []
        for (url, rule), v in sorted(self.violations.items()):
            lines.append(f"{url}: {rule} ({v['impact']}): {v['help']}")
            lines.extend(f"    {node}" for node in v["nodes"])
        return "\n".join(lines)


def axe_available() -> bool:
    return AXE_SCRIPT.is_file()


@pytest.fixture(name="new_page")
def new_page_fixture(chromium, live_server):
    """Make pages, each in its own browser context (own cookies: one person each).

    `make(viewport=...)` sets another window size; `make.audit.check(page)` runs axe-core on a
    page now, and every page is checked as it stands when the test ends; any violation fails
    the test (at teardown). So does anything the Content-Security-Policy refused, and any
    uncaught script error.
    """
    if not axe_available():
        pytest.fail(f"{AXE_SCRIPT} is missing: run `npm ci` (axe-core is a devDependency)")
    contexts, pages, audit = [], [], AxeAudit(live_server.url)
    refused: list[str] = []

    def make(viewport=None):
        context = chromium.new_context(base_url=live_server.url, viewport=viewport or VIEWPORT)
        context.set_default_timeout(TIMEOUT_MS)
        context.add_init_script(path=str(AXE_SCRIPT))
        contexts.append(context)
        page = context.new_page()
        page.on("console", lambda m: _note_refusal(m, page, refused))
        page.on("pageerror", lambda e: refused.append(f"{page.url}: script error: {e}"))
        pages.append(page)
        return page

    make.audit = audit
    yield make
    for page in pages:
        if not page.is_closed():
            audit.check(page)
    for context in contexts:
        context.close()
    if audit.violations:
        pytest.fail("axe-core found accessibility violations:\n" + audit.report(), pytrace=False)
    if refused:
        pytest.fail("the browser refused or failed:\n" + "\n".join(refused), pytrace=False)


def _note_refusal(message, page, refused: list[str]) -> None:
    if "Content Security Policy" in message.text:
        refused.append(f"{page.url}: {message.text}")


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot as tests/screenshots/<name>.png (gitignored)."""
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def fill_date(page, field_id: str, value) -> None:
    """Fill a GOV.UK date input's three boxes (ids <field_id>-day, -month, -year)."""
    page.locator(f"#{field_id}-day").fill(str(value.day))
    page.locator(f"#{field_id}-month").fill(str(value.month))
    page.locator(f"#{field_id}-year").fill(str(value.year))


_APP = None  # the live server's app, to read a user's authenticator key


def sign_in(page, email: str, password: str) -> None:
    """Sign in through the form (fields #email and #password), then, as staff must, with the
    code their authenticator app shows (from the key the factories gave them), and wait for
    the next page."""
    page.goto("/sign-in")
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    if urlsplit(page.url).path == "/sign-in/code":
        from company.auth.services import user_by_email
        from tests.factories import code_for

        with _APP.app_context():
            code = code_for(user_by_email(email))
        page.locator("#code").fill(code)
        page.get_by_role("button", name="Continue").click()
    page.get_by_text("Signed in as").wait_for()
