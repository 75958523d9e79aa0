"""The job queue: one Huey instance whose storage is chosen when the app is created.

SQLite (a file under `instance/`, nothing to install) by default; Redis when `REDIS_URL` is set,
so any number of web and worker machines share one queue. In tests `JOBS_IMMEDIATE` runs each
task as it is enqueued, in memory; the queue's own tests use the real storages and a real worker.

Tasks are declared at import time with `task()` or `periodic()` beside the code they run, and
each runs in a fresh app context (its own database session), as it would in a worker.
"""

import functools
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context
from huey import Huey, crontab
from huey.storage import MemoryStorage, RedisStorage, SqliteStorage

__all__ = ["SCHEDULES", "configure", "crontab", "describe", "huey", "periodic", "task"]

LONDON = ZoneInfo("Europe/London")
huey = Huey("flatpack", storage_class=MemoryStorage, utc=True)
SCHEDULES: list[tuple[str, str]] = []  # (task name, when), for `flask jobs status` and the README
_app = None  # the app of this process; a worker has exactly one


def configure(app) -> None:
    """Point the queue at the storage the app's configuration names."""
    global _app
    _app = app
    huey._immediate = bool(app.config["JOBS_IMMEDIATE"])
    if huey._immediate:
        huey.storage = MemoryStorage(huey.name)
    elif app.config.get("REDIS_URL"):
        huey.storage = RedisStorage(huey.name, url=app.config["REDIS_URL"])
    else:
        huey.storage = SqliteStorage(huey.name, filename=app.config["JOBS_DB"])


def describe() -> str:
    storage = huey.storage
    if isinstance(storage, RedisStorage):
        kwargs = storage.conn.connection_pool.connection_kwargs
        return f"Redis at {kwargs.get('host', '?')}:{kwargs.get('port', '?')}"
    if isinstance(storage, SqliteStorage):
        return f"SQLite file {storage.filename}"
    return "in memory (tasks run as they are queued)"


def _in_app(fn):
    @functools.wraps(fn)
    def run(*args, **kwargs):
        app = current_app._get_current_object() if has_app_context() else _app
        with app.app_context():
            return fn(*args, **kwargs)

    return run


def task(**options):
    """A background task: `name(args)` queues it (`name.call_local(args)` runs it here)."""

    def decorate(fn):
        return huey.task(**options)(_in_app(fn))

    return decorate


def london(schedule):
    """A crontab read on the clock in Europe/London (Huey's own clock is UTC)."""

    def validate(when: datetime) -> bool:
        local = when.replace(tzinfo=UTC).astimezone(LONDON).replace(tzinfo=None)
        return schedule(local)

    return validate


def periodic(when: str, **cron):
    """A task the worker runs on a schedule, e.g. `@periodic("daily at 07:00", hour=7, minute=0)`;
    crontab fields are read in Europe/London."""

    def decorate(fn):
        name = f"{fn.__module__}.{fn.__name__}"
        SCHEDULES.append((name, when))
        return huey.periodic_task(london(crontab(**cron)))(_in_app(fn))

    return decorate
