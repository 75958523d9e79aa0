"""Payment reminders, daily at 07:00 UK time (the same run as `flask billing reminders`)."""

from company.jobs.queue import periodic


@periodic("daily at 07:00", hour=7, minute=0)
def send_reminders() -> None:
    """Each reminder is decided once, so a second run the same day (or a catch-up after missed
    days) sends nothing twice."""
    from billing.credit_control import reminders

    reminders.run()
