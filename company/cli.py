"""Registers the app's command groups: users, outbox, demo."""

import click
from flask.cli import AppGroup

from .auth.cli import users_cli
from .demo import demo_cli

outbox_cli = AppGroup("outbox", help="Send queued email.")


@outbox_cli.command("send")
@click.option("--limit", default=500, show_default=True)
def send(limit):
    """Send due messages over SMTP (run from cron every minute in production)."""
    from .outbox import send_pending

    counts = send_pending(limit=limit)
    click.echo(" ".join(f"{k}={v}" for k, v in counts.items()))


@outbox_cli.command("retry")
@click.argument("message_id", type=int)
def retry(message_id):
    """Queue a failed or unknown message again, after checking it did not arrive."""
    from .outbox import requeue

    try:
        requeue(message_id)
    except LookupError as exc:
        raise click.UsageError(str(exc)) from exc
    click.echo(f"queued {message_id}")


def register(app) -> None:
    for group in (users_cli, outbox_cli, demo_cli):
        app.cli.add_command(group)
