"""Annual runs started from the web: a background thread does the work and records progress
in a ContributionRun row, which the progress page reads. The CLI calls the same services directly."""

import json
import threading
from datetime import date

import sqlalchemy as sa

from billing.contributions import services as contributions
from billing.contributions.models import ContributionRun
from company.clock import utcnow
from company.extensions import db

__all__ = ["ContributionRun", "active", "result_of", "start"]


def active(year_start: date) -> ContributionRun | None:
    return db.session.scalar(
        sa.select(ContributionRun).where(
            ContributionRun.year_start == year_start, ContributionRun.state == "running"
        )
    )


def start(app, year_start: date, stage: str, actor) -> ContributionRun:
    if active(year_start):
        raise contributions.ContributionError("A run for this year is already in progress")
    contributions.approved_schedule(year_start)  # refuse early, with the reason, if not approved
    run = ContributionRun(year_start=year_start, stage=stage, started_by_id=actor.id)
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
                .values(done=done, total=total)
            )
            db.session.commit()

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
        db.session.execute(
            sa.update(ContributionRun)
            .where(ContributionRun.id == run_id)
            .values(finished_at=utcnow(), **values)
        )
        db.session.commit()
        db.session.remove()


def result_of(run: ContributionRun) -> dict:
    return json.loads(run.summary) if run.summary else {}
