"""What /healthz and `flask jobs status` say about the queue."""

from company.clock import utcnow
from company.jobs.queue import huey

WORKER_LATE_SECONDS = 180  # the heartbeat runs every minute


def state() -> dict:
    """{"queue": "ok" | "unreachable", "pending", "scheduled", "worker": "ok" | "late" | "none",
    "worker_seen_seconds_ago"}. Immediate mode has no worker to ask after."""
    from company.jobs.tasks import last_heartbeat

    try:
        pending, scheduled = huey.pending_count(), huey.scheduled_count()
        beat = last_heartbeat()
    except Exception as exc:  # noqa: BLE001 - any storage failure is "unreachable"
        return {"queue": "unreachable", "error": type(exc).__name__}
    result = {"queue": "ok", "pending": pending, "scheduled": scheduled}
    if huey.immediate:
        return result | {"worker": "immediate"}
    if beat is None:
        return result | {"worker": "none", "worker_seen_seconds_ago": None}
    ago = int((utcnow() - beat).total_seconds())
    worker = "ok" if ago <= WORKER_LATE_SECONDS else "late"
    return result | {"worker": worker, "worker_seen_seconds_ago": ago}
