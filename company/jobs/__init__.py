"""Background work on a job queue (Huey): tasks, schedules in the code, `flask jobs worker`.

A feature declares its tasks in its own `tasks.py` with `company.jobs.queue.task` or `periodic`
and imports that module in its `register(app)`; the worker runs every task and schedule that
the app registered. Long jobs that a person watches keep their progress in a row with
`company.jobs.progress.Progress`.
"""

from company.jobs.queue import configure, huey


def register(app) -> None:
    from company.jobs import tasks  # noqa: F401  (the platform's schedules)
    from company.jobs.cli import jobs_cli

    configure(app)
    app.cli.add_command(jobs_cli)


__all__ = ["huey", "register"]
