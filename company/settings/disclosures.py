"""The company-law disclosures, in one place (uk-rules §4.1 and §6.4): the registered name,
place of registration, number and registered office (Names and Trading Disclosures Regulations
2015, reg 24-25), the VAT number, and the local-authority control statement (Local Authorities
(Companies) Order 1995 art 4), which websites do not need.

`lines()` is pure (no database; the PDF kit uses it): it builds the text from the particulars
given (an issued document passes the ones stored on it at issue). `current_lines()` reads today's settings, for emails and
the site; `current_particulars()` gives them to a PDF made now.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

from flask import g

NOT_SET = "not yet recorded"


@dataclass(frozen=True)
class Particulars:
    """The company as a document names it (an invoice's stored seller has the same fields)."""

    legal_name: str
    registered_office: str  # multi-line
    registered_in: str | None
    company_number: str | None
    vat_number: str | None  # display form, "GB 980 7806 84"
    control_statement: str | None


def lines(
    legal_name: str,
    registered_in: str | None,
    company_number: str | None,
    registered_office: str | None,
    vat_number: str | None = None,
    control_statement: str | None = None,
) -> list[str]:
    office = ", ".join(p.strip() for p in (registered_office or "").splitlines() if p.strip())
    name = legal_name.rstrip(".")
    first = (
        f"{name}. Registered in {registered_in or NOT_SET}, "
        f"company number {company_number or NOT_SET}. "
        f"Registered office: {office or NOT_SET}."
    )
    result = [first + (f" VAT number {vat_number}." if vat_number else "")]
    if control_statement:
        result.append(" ".join(control_statement.split()))
    return result


@contextmanager
def held() -> Iterator[None]:
    """Work out the disclosures once for everything sent inside the block (an annual run's
    thousands of emails), rather than once per email; the particulars cannot change under a run
    that sends them in one transaction per batch."""
    previous = g.get("disclosures_held")
    g.disclosures_held = {}
    try:
        yield
    finally:
        g.disclosures_held = previous


def current_lines(on: date | None = None, website: bool = False) -> list[str]:
    """The disclosures from today's settings; a website omits the control statement."""
    from company.clock import uk_today

    memo = g.get("disclosures_held")
    if memo is None:
        return _current_lines(on or uk_today(), website)
    key = (on or uk_today(), website)
    if key not in memo:
        memo[key] = _current_lines(*key)
    return memo[key]


def _current_lines(on: date, website: bool) -> list[str]:
    from company.settings import services

    row = services.current()
    return lines(
        row.legal_name,
        row.registered_in,
        row.company_number,
        row.registered_office,
        services.vat_display(row.vat_number) if row.vat_number else None,
        None if website else services.control_statement(row, on),
    )


def website_lines() -> list[str]:
    """The site footer's disclosures; the bare name if the database cannot be read (the footer
    of an error page must still render)."""
    from flask import current_app
    from sqlalchemy.exc import SQLAlchemyError

    try:
        return current_lines(website=True)
    except SQLAlchemyError:
        return [current_app.config["COMPANY_NAME"]]


def current_particulars(on: date | None = None):
    """Today's particulars for a document made now (a statement, a quote), as the PDF kit takes
    them: the VAT number in its display form and the control statement for `on`."""
    from company.clock import uk_today
    from company.settings import services

    row = services.current()
    return Particulars(
        legal_name=row.legal_name,
        registered_office=row.registered_office or "",
        registered_in=row.registered_in,
        company_number=row.company_number,
        vat_number=services.vat_display(row.vat_number),
        control_statement=services.control_statement(row, on or uk_today()),
    )
