"""Annual runs started from the web: the request records a queued ContributionRun and queues
the task; a job worker does the work and records progress in the row, which the progress page
reads. The CLI calls the same services directly."""

from datetime import date

import sqlalchemy as sa

from billing.contributions import services as contributions
from billing.contributions.models import ContributionRun
from company.extensions import db
from company.jobs import progress
from company.jobs.queue import task

__all__ = ["ContributionRun", "active", "contribution_run", "start", "stop_abandoned"]


def stop_abandoned() -> int:
    """Mark runs whose worker went away (or that no worker took) as stopped; returns how many."""
    return progress.stop_abandoned(ContributionRun)


def active(year_start: date) -> ContributionRun | None:
    """The year's run waiting or in progress, if a worker has it (a silent one is stopped)."""
    stop_abandoned()
    return db.session.scalar(
        sa.select(ContributionRun).where(
            ContributionRun.year_start == year_start, ContributionRun.state.in_(progress.ACTIVE)
        )
    )


def start(year_start: date, stage: str, actor) -> ContributionRun:
    if active(year_start):
        raise contributions.ContributionError("A run for this year is already in progress")
    contributions.approved_schedule(year_start)  # refuse early, with the reason, if not approved
    run = ContributionRun(year_start=year_start, stage=stage, started_by_id=actor.id)
    progress.queue(run)
    db.session.add(run)
    db.session.commit()
    contribution_run(run.id)  # queued after the commit, so the worker finds the row
    return run


@task()
def contribution_run(run_id: int) -> None:
    """The task: drafts or issue for the run's year, reporting progress in the row. Safe to
    run again for the same row: the services skip what is already done."""
    from company.auth.models import User

    run = db.session.get(ContributionRun, run_id)
    if run is None or run.state not in progress.ACTIVE:
        return  # stopped meanwhile: its page offers a new run
    actor = db.session.get(User, run.started_by_id) if run.started_by_id else None
    year_start, stage = run.year_start, run.stage
    action = contributions.create_drafts if stage == "drafts" else contributions.issue_drafts
    with progress.tracking(ContributionRun, run_id) as report:
        report.result = action(year_start, actor, progress=report).__dict__
