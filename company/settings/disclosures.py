"""The company-law disclosures, in one place (uk-rules §4.1 and §6.4): the registered name,
place of registration, number and registered office (Names and Trading Disclosures Regulations
2015, reg 24-25), the VAT number, and the local-authority control statement (Local Authorities
(Companies) Order 1995 art 4), which websites do not need.

`lines()` is pure: it builds the text from the particulars given (an issued document passes the
ones stored on it at issue). `current_lines()` reads today's settings, for emails and the site.
"""

from datetime import date

from company.clock import uk_today
from company.settings import services

NOT_SET = "not yet recorded"


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


def current_lines(on: date | None = None, website: bool = False) -> list[str]:
    """The disclosures from today's settings; a website omits the control statement."""
    row = services.current()
    return lines(
        row.legal_name,
        row.registered_in,
        row.company_number,
        row.registered_office,
        services.vat_display(row.vat_number) if row.vat_number else None,
        None if website else services.control_statement(row, on or uk_today()),
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
