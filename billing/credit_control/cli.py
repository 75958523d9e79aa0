"""`flask billing reminders`: send the payment reminders that are due (run daily from cron)."""

import click

from billing.credit_control import reminders


@click.command("reminders")
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Act as if today were this date (YYYY-MM-DD); defaults to today in the UK.",
)
def reminders_command(today):
    """Email the payment reminders that have come round and record those skipped.

    Safe to run again: each reminder is decided once. Prints `sent=<n> skipped=<n>`."""
    result = reminders.run(today.date() if today else None)
    for number in result.invoices:
        click.echo(f"  reminded {number}")
    click.echo(result.line())
