"""`flask jobs worker` (a consumer: tasks and schedules) and `flask jobs status`."""

import logging
import os
import signal
import threading
import time

import click
from flask.cli import AppGroup

from company.clock import utcnow
from company.jobs import health
from company.jobs.queue import SCHEDULES, describe, huey
from company.jobs.tasks import BEAT_KEY

jobs_cli = AppGroup("jobs", help="The background job queue.")


@jobs_cli.command("worker")
@click.option("--threads", default=2, show_default=True, help="Tasks run at once.")
@click.option("--no-schedules", is_flag=True, help="Take queued tasks only; run no schedules.")
@click.option("--exit-with-parent", is_flag=True, help="Stop when the starting process is gone.")
def worker(threads, no_schedules, exit_with_parent):
    """Take tasks from the queue and run the schedules, until stopped (Ctrl+C or SIGTERM lets
    running tasks finish; a killed worker's tasks are shown stopped and can be run again)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    if huey.immediate:
        raise click.UsageError("JOBS_IMMEDIATE is set: tasks run as they are queued, no worker")
    click.echo(f"Job worker on {describe()}, {threads} threads")
    if exit_with_parent:
        _exit_with(os.getppid())
    huey.put(BEAT_KEY, utcnow().isoformat())  # seen at once, not at the first minute
    consumer = huey.create_consumer(
        workers=threads, worker_type="thread", periodic=not no_schedules, check_worker_health=True
    )
    consumer.run()


def _exit_with(parent: int) -> None:
    def watch():
        while os.getppid() == parent:
            time.sleep(0.5)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, daemon=True, name="exit-with-parent").start()


@jobs_cli.command("status")
def status():
    """Where the queue is, what waits in it, the schedules and when a worker last ran."""
    state = health.state()
    click.echo(f"queue: {describe()}")
    for key in ("pending", "scheduled", "worker_seen_seconds_ago"):
        click.echo(f"{key}: {state.get(key)}")
    for name, when in SCHEDULES:
        click.echo(f"schedule: {name} {when}")
