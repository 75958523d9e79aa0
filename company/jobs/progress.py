"""Progress of a long job that a person watches: a row with state, done of total and a
heartbeat, shared by every feature's long jobs (annual runs, bank-statement matching).

The row is created `queued` in the request that asks for the work, and the task moves it to
`running`, beats every few seconds while it works, and ends `done` or `failed`. A running row
whose heartbeat has stopped (its worker was killed, or restarted by a deploy) is shown
`stopped`, and so is a row queued so long that no worker can be taking it; the work is
idempotent, so the page offers to run it again and that finishes the rest.
"""

import json
import threading
from contextlib import contextmanager
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Mapped, mapped_column

from company.clock import utcnow
from company.extensions import db

QUEUED, RUNNING, DONE, FAILED, STOPPED = "queued", "running", "done", "failed", "stopped"
ACTIVE = (QUEUED, RUNNING)

STOPPED_REASON = (
    "The work stopped without finishing: the process doing it went away (a restart or a "
    "deploy). Nothing was half-done, and running it again finishes the rest"
)
NEVER_STARTED = (
    "No job worker took the work in time: check that `flask --app wsgi jobs worker` is running "
    "(the queue's state is at /healthz). Nothing was done, and running it again queues it again"
)


class Progress:
    """Columns of a watched job; mixed into a feature's own table (`billing_runs`, …)."""

    state: Mapped[str] = mapped_column(sa.String(10), default=QUEUED)
    total: Mapped[int] = mapped_column(default=0)
    done: Mapped[int] = mapped_column(default=0)
    summary: Mapped[str | None] = mapped_column(sa.Text)  # JSON: the result, or {"error": …}
    finished_at: Mapped[datetime | None]
    heartbeat_at: Mapped[datetime | None]  # written every few seconds while the job runs

    @property
    def result(self) -> dict:
        return json.loads(self.summary) if self.summary else {}

    @property
    def percent(self) -> int:
        if self.total:
            return 100 * self.done // self.total
        return 100 if self.state == DONE else 0


def queue(row: Progress) -> None:
    """Mark `row` queued now (first time, or again after it stopped); the caller commits and
    then queues the task."""
    row.state, row.heartbeat_at, row.finished_at, row.summary = QUEUED, utcnow(), None, None


def _seconds(name: str, default: float) -> timedelta:
    return timedelta(seconds=float(current_app.config.get(name, default)))


def stop_abandoned(model) -> int:
    """Mark `model`'s rows whose worker went silent, or that no worker took, as stopped."""
    now = utcnow()
    silent = now - _seconds("JOBS_ABANDONED_AFTER_SECONDS", 60)
    unclaimed = now - _seconds("JOBS_UNCLAIMED_AFTER_SECONDS", 900)
    stopped = 0
    for state, cutoff, reason in (
        (RUNNING, silent, STOPPED_REASON),
        (QUEUED, unclaimed, NEVER_STARTED),
    ):
        stopped += db.session.execute(
            sa.update(model)
            .where(
                model.state == state,
                sa.or_(model.heartbeat_at.is_(None), model.heartbeat_at < cutoff),
            )
            .values(state=STOPPED, finished_at=now, summary=json.dumps({"error": reason}))
        ).rowcount
    db.session.commit()
    return stopped


def _set(model, row_id: int, **values) -> None:
    db.session.execute(sa.update(model).where(model.id == row_id).values(**values))
    db.session.commit()


@contextmanager
def tracking(model, row_id: int):
    """Run the body as the row's job: `running` with a heartbeat in its own thread and
    connection, then `done` with the summary the body returns through `report`, or `failed`
    with the error. Yields `report(done, total)` for progress; set `.result` for the summary."""
    app = current_app._get_current_object()
    _set(model, row_id, state=RUNNING, heartbeat_at=utcnow(), finished_at=None, summary=None)
    finished = threading.Event()
    beat = float(app.config.get("JOBS_BEAT_SECONDS", 5))

    def heartbeat() -> None:
        with app.app_context():
            while not finished.wait(beat):
                db.session.execute(
                    sa.update(model)
                    .where(model.id == row_id, model.state == RUNNING)
                    .values(heartbeat_at=utcnow())
                )
                db.session.commit()
            db.session.remove()

    class Report:
        result: dict = {}

        def __call__(self, done: int, total: int) -> None:
            _set(model, row_id, done=done, total=total, heartbeat_at=utcnow())

    report = Report()
    threading.Thread(target=heartbeat, daemon=True, name=f"beat-{model.__tablename__}").start()
    try:
        yield report
        values = {"state": DONE, "summary": json.dumps(report.result)}
    except Exception as exc:  # noqa: BLE001 - recorded for the person watching the job
        db.session.rollback()
        app.logger.exception("%s %s failed", model.__tablename__, row_id)
        values = {"state": FAILED, "summary": json.dumps({"error": str(exc)})}
    finally:
        finished.set()
    _set(model, row_id, finished_at=utcnow(), **values)
    db.session.remove()
