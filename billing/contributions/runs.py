"""Annual runs started from the web: a background thread does the work and records progress
in a ContributionRun row, which the progress page reads. The CLI calls the same services directly."""

import json
import threading
from datetime import date, timedelta

import sqlalchemy as sa

from billing.contributions import services as contributions
from billing.contributions.models import ContributionRun
from company.clock import utcnow
from company.extensions import db

__all__ = ["ContributionRun", "active", "result_of", "start", "stop_abandoned"]

BEAT = timedelta(seconds=5)  # how often a running run's worker says it is alive
ABANDONED_AFTER = timedelta(minutes=1)  # silent this long: its worker is gone

STOPPED = (
    "The run stopped without finishing: the process doing it went away (a restart or a "
    "deploy). Nothing was half-done: each invoice is saved whole, and running again finishes "
    "the rest"
)


def stop_abandoned() -> int:
    """Mark runs whose worker has gone silent as stopped; returns how many."""
    cutoff = utcnow() - ABANDONED_AFTER
    stopped = db.session.execute(
        sa.update(ContributionRun)
        .where(
            ContributionRun.state == "running",
            sa.or_(ContributionRun.heartbeat_at.is_(None), ContributionRun.heartbeat_at < cutoff),
        )
        .values(state="stopped", finished_at=utcnow(), summary=json.dumps({"error": STOPPED}))
    ).rowcount
    db.session.commit()
    return stopped


def active(year_start: date) -> ContributionRun | None:
    """The year's run in progress, if its worker is alive (a silent one is marked stopped)."""
    stop_abandoned()
    return db.session.scalar(
        sa.select(ContributionRun).where(
            ContributionRun.year_start == year_start, ContributionRun.state == "running"
        )
    )


def start(app, year_start: date, stage: str, actor) -> ContributionRun:
    if active(year_start):
        raise contributions.ContributionError("A run for this year is already in progress")
    contributions.approved_schedule(year_start)  # refuse early, with the reason, if not approved
    run = ContributionRun(
        year_start=year_start, stage=stage, started_by_id=actor.id, heartbeat_at=utcnow()
    )
    db.session.add(run)
    db.session.commit()
    if app.config.get("BILLING_RUNS_IN_BACKGROUND", True):
        threading.Thread(target=_work, args=(app, run.id, actor.id), daemon=True).start()
    else:
        _work(app, run.id, actor.id)
    return run


def _work(app, run_id: int, actor_id: int) -> None:
    from company.auth.models import User

    with app.app_context():
        run = db.session.get(ContributionRun, run_id)
        actor = db.session.get(User, actor_id)
        year_start, stage = run.year_start, run.stage

        def progress(done: int, total: int) -> None:
            db.session.execute(
                sa.update(ContributionRun)
                .where(ContributionRun.id == run_id)
                .values(done=done, total=total, heartbeat_at=utcnow())
            )
            db.session.commit()

        finished = threading.Event()
        threading.Thread(target=_beat, args=(app, run_id, finished), daemon=True).start()
        try:
            action = (
                contributions.create_drafts if stage == "drafts" else contributions.issue_drafts
            )
            result = action(year_start, actor, progress=progress)
            values = {"state": "done", "summary": json.dumps(result.__dict__)}
        except Exception as exc:  # noqa: BLE001 - recorded for the person watching the run
            db.session.rollback()
            app.logger.exception("billing run %s failed", run_id)
            values = {"state": "failed", "summary": json.dumps({"error": str(exc)})}
        finished.set()
        db.session.execute(
            sa.update(ContributionRun)
            .where(ContributionRun.id == run_id)
            .values(finished_at=utcnow(), **values)
        )
        db.session.commit()
        db.session.remove()


def _beat(app, run_id: int, finished: threading.Event) -> None:
    """While the run works, say so every BEAT, in its own connection: a page can then tell a
    slow run from one whose process died."""
    with app.app_context():
        while not finished.wait(BEAT.total_seconds()):
            db.session.execute(
                sa.update(ContributionRun)
                .where(ContributionRun.id == run_id, ContributionRun.state == "running")
                .values(heartbeat_at=utcnow())
            )
            db.session.commit()
        db.session.remove()


def result_of(run: ContributionRun) -> dict:
    return json.loads(run.summary) if run.summary else {}
