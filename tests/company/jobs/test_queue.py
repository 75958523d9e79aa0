"""The job queue for real: tasks queued by the web are run by a `flask jobs worker` process,
on the SQLite queue always and on Redis when Debian's `redis-server` is installed (CI installs
it). A worker killed with SIGKILL mid-run leaves a run shown stopped, and the resumed run
finishes the work exactly: every invoice numbered once, gapless, one email each."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from datetime import date, datetime

import pytest
import sqlalchemy as sa
from huey.storage import RedisStorage, SqliteStorage

from billing.contributions.models import ContributionRun
from billing.invoices.models import Invoice, Kind, Status
from company import outbox
from company.auth.roles import Role
from company.extensions import db
from company.jobs import queue
from company.jobs.queue import huey
from company.members import authorities
from tests import factories
from tests.helpers import ROOT, text_of


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    """A throwaway Redis on loopback, or a skip saying why there is none."""
    binary = shutil.which("redis-server")
    if not binary:
        if os.environ.get("FLATPACK_REQUIRE_REDIS"):
            pytest.fail("FLATPACK_REQUIRE_REDIS is set but redis-server is not installed")
        pytest.skip("Debian's redis-server is not installed (CI installs it)")
    import redis

    port = _free_port()
    here = tmp_path_factory.mktemp("redis")
    server = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(here)],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"redis://127.0.0.1:{port}/0"
    deadline = time.monotonic() + 10
    while True:
        try:
            redis.Redis.from_url(url).ping()
            break
        except redis.ConnectionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
    yield url
    server.terminate()
    server.wait(timeout=10)


@pytest.fixture(params=["sqlite", "redis"])
def real_queue(request, app, tmp_path):
    """The app's queue on real storage (not run-as-queued) for the test; the env a worker
    process needs to share it."""
    env = {
        **os.environ,
        "FLATPACK_ENV": "test",
        "JOBS_IMMEDIATE": "0",
        "JOBS_BEAT_SECONDS": "0.5",
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "MAIL_PORT": str(app.config["MAIL_PORT"]),
    }
    if request.param == "redis":
        url = request.getfixturevalue("redis_url")
        storage = RedisStorage(huey.name, url=url)
        storage.flush_all()
        env["REDIS_URL"] = url
    else:
        path = str(tmp_path / "jobs.db")
        storage = SqliteStorage(huey.name, filename=path)
        env["JOBS_DB"] = path
    huey._immediate, huey.storage = False, storage
    yield env
    queue.configure(app)


class Worker:
    """`flask --app wsgi jobs worker` in its own process."""

    def __init__(self, env):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "wsgi", "jobs", "worker"],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            start_new_session=True,
        )  # fmt: skip

    def kill(self):
        os.killpg(self.process.pid, signal.SIGKILL)  # the worker and its PDF processes
        self.process.wait(timeout=10)

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()
        return self.process.stdout.read()


@pytest.fixture
def worker(real_queue):
    started = []

    def start():
        started.append(Worker(real_queue))
        return started[-1]

    yield start
    for w in started:
        w.stop()


def _wait(condition, timeout=60, every=0.1):
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        assert time.monotonic() < deadline, "timed out"
        time.sleep(every)
    return value


def _run_row(run_id) -> ContributionRun:
    db.session.expire_all()
    return db.session.get(ContributionRun, run_id)


def test_a_run_started_from_the_web_is_done_by_a_worker_process(ctx, client, login_as, worker):
    factories.company_settings()
    factories.schedule(2026)
    for code in [a.gss_code for a in authorities.current(date(2026, 4, 1))][:3]:
        factories.member(code)
    login_as(factories.user(Role.FINANCE))
    db.session.commit()
    r = client.post("/billing/contributions/2026/drafts")
    page = text_of(client.get(r.headers["Location"]))
    assert "Waiting for the job worker to start the run" in page  # queued; no worker yet
    worker()
    run_id = int(r.headers["Location"].rsplit("/", 1)[1])
    _wait(lambda: _run_row(run_id).state == "done")
    assert "Finished: 3 drafts waiting" in text_of(client.get(r.headers["Location"]))


MEMBERS = 300  # enough for the issue stage to take a few seconds


def test_a_worker_killed_mid_run_leaves_it_stopped_and_the_resumed_run_finishes_exactly(
    app, ctx, client, login_as, worker
):
    from billing.contributions import services as contributions

    factories.company_settings()
    factories.schedule(2026)
    for code in [a.gss_code for a in authorities.current(date(2026, 4, 1))][:MEMBERS]:
        factories.member(code)
    login_as(factories.user(Role.FINANCE))
    made = contributions.create_drafts(date(2026, 4, 1))
    db.session.commit()
    to_issue = made.drafts - made.held
    r = client.post("/billing/contributions/2026/issue", data={"confirm": "yes"})
    run_id = int(r.headers["Location"].rsplit("/", 1)[1])
    first = worker()
    run = _wait(lambda: (row := _run_row(run_id)).state == "running" and row.done > 0 and row)
    assert run.done < run.total, "the run finished before it could be killed"
    first.kill()
    app.config["JOBS_ABANDONED_AFTER_SECONDS"] = 2
    try:
        page = _wait(
            lambda: "The run stopped" in (t := text_of(client.get(f"/billing/runs/{run_id}"))) and t,
            timeout=20, every=0.5,
        )  # fmt: skip
    finally:
        app.config["JOBS_ABANDONED_AFTER_SECONDS"] = 60
    assert "the process doing it went away" in page and "Resume the run" in page
    r = client.post("/billing/contributions/2026/issue", data={"confirm": "yes"})
    resumed = int(r.headers["Location"].rsplit("/", 1)[1])
    worker()
    assert _wait(lambda: _run_row(resumed).state in ("done", "failed"), timeout=120) is True
    assert _run_row(resumed).state == "done", _run_row(resumed).summary
    numbers = sorted(
        db.session.scalars(
            sa.select(Invoice.sequence_no).where(
                Invoice.kind == Kind.INVOICE, Invoice.status != Status.DRAFT
            )
        )
    )
    assert to_issue > 250 and numbers == list(range(1, to_issue + 1))  # none skipped or twice
    emails = db.session.scalars(sa.select(outbox.OutboxMessage.subject)).all()
    assert len(emails) == to_issue and len(set(emails)) == to_issue  # one email per invoice


def test_a_statement_is_matched_by_a_worker_with_progress(ctx, client, login_as, worker):
    """The upload adds the lines at once; the matching is the worker's, and the results page
    shows it waiting, then what was matched."""
    from billing.invoices import services as invoices
    from tests.billing.bank.test_bank import _upload, statement

    factories.company_settings()
    finance = factories.user(Role.FINANCE)
    member = factories.member("E07000223")
    draft = factories.draft_invoice(member, lines=[("Contribution", 1, 60000, "Z")])
    inv = invoices.issue(draft, issue_date=date(2026, 4, 1), send=False)
    db.session.commit()
    login_as(finance)
    r = _upload(client, statement(f"20/04/2026,ADUR {inv.number},600.00", "21/04/2026,X,9.00"))
    url = r.headers["Location"]
    page = text_of(client.get(url))
    assert "Added 2 lines" not in page and "Waiting for the job worker" in page
    worker()
    page = _wait(lambda: "Matched automatically" in (t := text_of(client.get(url))) and t)
    assert "Added 2 lines" in page and "Matched automatically 1 line" in page
    db.session.expire_all()
    assert db.session.get(Invoice, inv.id).status == Status.PAID


def test_the_worker_sends_the_outbox_on_its_schedule(ctx, worker, mailbox):
    outbox.queue("someone@example.com", "Sent by the schedule", "Body")
    db.session.commit()
    worker()
    assert [m["Subject"] for m in mailbox.wait_for(1, timeout=30)] == ["Sent by the schedule"]


def test_healthz_reports_the_queue_and_its_worker(ctx, client, worker):
    body = client.get("/healthz").get_json()
    assert body["jobs"]["queue"] == "ok" and body["jobs"]["worker"] == "none"
    worker()
    _wait(lambda: client.get("/healthz").get_json()["jobs"]["worker"] == "ok", timeout=30)


def test_schedules_are_read_on_the_clock_in_london():
    at_seven = queue.london(queue.crontab(hour=7, minute=0))
    assert at_seven(datetime(2026, 7, 1, 6, 0))  # 07:00 BST is 06:00 UTC
    assert not at_seven(datetime(2026, 7, 1, 7, 0))
    assert at_seven(datetime(2026, 12, 1, 7, 0))  # 07:00 GMT
    assert ("billing.credit_control.tasks.send_reminders", "daily at 07:00") in queue.SCHEDULES
    assert ("company.jobs.tasks.send_outbox", "every minute") in queue.SCHEDULES


def test_healthz_is_503_when_the_queue_cannot_be_reached(app, client):
    huey._immediate, huey.storage = (
        False,
        RedisStorage(huey.name, url=f"redis://127.0.0.1:{_free_port()}/0"),
    )
    try:
        r = client.get("/healthz")
    finally:
        queue.configure(app)
    assert r.status_code == 503 and r.json["jobs"]["queue"] == "unreachable"
    assert r.json["database"] == "ok"
