"""The platform's own scheduled tasks: the outbox and the worker's heartbeat."""

from company.clock import utcnow
from company.jobs.queue import huey, periodic, task

BEAT_KEY = "worker-heartbeat"


@periodic("every minute", minute="*")
def send_outbox() -> None:
    from company.outbox import send_pending

    send_pending(limit=500)


@task()
def send_outbox_now() -> None:
    """Queued after a request that queued email, so it leaves within seconds, not a minute."""
    from company.outbox import send_pending

    send_pending(limit=100)


@periodic("every minute", minute="*")
def worker_heartbeat() -> None:
    """Proves a worker is taking tasks: /healthz and `flask jobs status` read its age."""
    huey.put(BEAT_KEY, utcnow().isoformat())


def last_heartbeat():
    from datetime import datetime

    value = huey.get(BEAT_KEY, peek=True)
    return datetime.fromisoformat(value) if value else None
