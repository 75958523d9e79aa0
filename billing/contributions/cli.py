"""`flask billing contributions`: the annual contribution run from the command line."""

import sys

import click

from billing.contributions import services as contributions
from company.clock import financial_year_label


def _year_start(year: int):
    from datetime import date

    from company.settings.services import current

    return date(year, current().year_start_month, 1)


@click.command("contributions")
@click.option(
    "--year",
    type=int,
    required=True,
    help="Financial year by its first calendar year, e.g. 2026 for 2026/27.",
)
@click.option("--issue", "do_issue", is_flag=True, help="Also issue the drafts (and email them).")
def contributions_command(year, do_issue):
    """Preview, create drafts and (with --issue) issue the year's contribution invoices.

    Safe to run again: nothing is made twice and no invoice number is skipped."""
    year_start = _year_start(year)
    try:
        rows = contributions.preview(year_start)
    except contributions.ContributionError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{financial_year_label(year_start)}: {len(rows)} members")
    for row in rows:
        for warning in row.warnings:
            click.echo(f"  {row.member.name}: {warning}")

    def bar(label):
        state = {"bar": None}

        def progress(done, total):
            if state["bar"] is None:
                state["bar"] = click.progressbar(length=max(total, 1), label=label, file=sys.stderr)
                state["bar"].__enter__()
            state["bar"].update(done - state["bar"].pos)
            if done >= total:
                state["bar"].__exit__(None, None, None)

        return progress

    result = contributions.create_drafts(year_start, progress=bar("Drafts"))
    if do_issue:
        result = contributions.issue_drafts(year_start, progress=bar("Issuing"))
    click.echo(result.line())
