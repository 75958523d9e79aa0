"""`flask billing …`: the group each billing feature's commands are added to (nothing imports back)."""

from flask.cli import AppGroup

from billing.balances_cli import balances_command
from billing.contributions.cli import contributions_command
from billing.credit_control.cli import reminders_command
from billing.invoices.cli import pdf_command

billing_cli = AppGroup("billing", help="Contributions, invoices, credit control.")
for command in (balances_command, contributions_command, pdf_command, reminders_command):
    billing_cli.add_command(command)
