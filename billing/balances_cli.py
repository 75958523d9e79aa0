"""`flask billing balances`: check the stored balances against the rows they sum, or restate."""

import click

from billing import balances
from company.extensions import db


@click.command("balances")
@click.option("--restate", is_flag=True, help="Work every stored balance out again and save it.")
def balances_command(restate):
    """Check every invoice's and payment's stored balance against its rows (exit 1 if any
    differ, listing them); with --restate, work them all out again first."""
    if restate:
        balances.restate(db.session)
        db.session.commit()
    wrong = balances.mismatches(db.session)
    for line in wrong:
        click.echo(line)
    click.echo(f"balances: {len(wrong)} differ")
    if wrong:
        raise SystemExit(1)
