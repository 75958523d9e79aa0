"""Reading and changing the company's particulars, and what every invoice prints from them."""

import re
from datetime import date

import sqlalchemy as sa
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.gb import vat as gb_vat

from company import audit
from company.errors import FieldError
from company.extensions import db
from company.members.models import Member

from .models import CompanySettings

COMPANY_NUMBER = re.compile(r"^(\d{8}|(SC|NI|OC|SO|SL|NC|LP|NL|R0)\d{6})$")


class SettingsError(FieldError):
    """A refusal to show on the page."""


def current() -> CompanySettings:
    """The settings row, created with defaults the first time it is asked for."""
    row = db.session.get(CompanySettings, 1)
    if row is None:
        row = CompanySettings(id=1)
        db.session.add(row)
        db.session.flush()
    return row


def clean_company_number(text: str) -> str:
    value = re.sub(r"\s", "", text or "").upper()
    if value.isdigit() and len(value) == 7:  # a leading zero is often left off
        value = value.zfill(8)
    if not COMPANY_NUMBER.match(value):
        raise SettingsError(
            "Enter a company number in the correct format, like 01234567 or SC123456",
            "company_number",
        )
    return value


def clean_vat_number(text: str) -> str | None:
    if not (text or "").strip():
        return None
    try:
        return gb_vat.validate(text)
    except StdnumError as exc:
        raise SettingsError(
            "Enter a valid UK VAT registration number, like GB 980 7806 84", "vat_number"
        ) from exc


def vat_display(compact: str | None) -> str | None:
    """'980780684' -> 'GB 980 7806 84' (the form on invoices)."""
    return f"GB {gb_vat.format(compact)}" if compact else None


def clean_sort_code(text: str) -> str:
    digits = re.sub(r"[\s-]", "", text or "")
    if not re.fullmatch(r"\d{6}", digits):
        raise SettingsError("Enter a valid sort code, like 30-99-50", "bank_sort_code")
    return digits


def clean_account_number(text: str) -> str:
    digits = re.sub(r"\s", "", text or "")
    if not re.fullmatch(r"\d{8}", digits):
        raise SettingsError(
            "Enter a valid account number, like 00733445 (8 digits)", "bank_account_number"
        )
    return digits


def sort_code_display(digits: str | None) -> str:
    return f"{digits[:2]}-{digits[2:4]}-{digits[4:]}" if digits else ""


def check(values: dict) -> tuple[dict, list[SettingsError]]:
    """The values as they would be saved, and every refusal of them (not just the first)."""
    row = current()
    clean = dict(values)
    problems: list[SettingsError] = []

    def cleaned(key, how):
        if key in clean:
            try:
                clean[key] = how(clean[key])
            except SettingsError as exc:
                problems.append(exc)

    cleaned("company_number", clean_company_number)
    cleaned("vat_number", clean_vat_number)
    cleaned("bank_sort_code", clean_sort_code)
    cleaned("bank_account_number", clean_account_number)
    if "invoice_prefix" in clean or "credit_note_prefix" in clean:
        good = True
        for key in ("invoice_prefix", "credit_note_prefix"):
            prefix = (clean.get(key) or getattr(row, key)).strip().upper()
            if not re.fullmatch(r"[A-Z]{1,6}", prefix):
                problems.append(SettingsError("Prefix must be 1 to 6 letters, like INV", key))
                good = False
            clean[key] = prefix
        if good and clean["invoice_prefix"] == clean["credit_note_prefix"]:
            problems.append(
                SettingsError(
                    "Credit notes need a different prefix from invoices", "credit_note_prefix"
                )
            )
    statement = clean.get("control_statement")
    if statement is not None and "{members}" not in statement:
        problems.append(
            SettingsError(
                "The statement must name the member councils: include {members} where their "
                "names go",
                "control_statement",
            )
        )
    return clean, problems


# Where the money goes and the company's VAT identity: changing them asks for the person's
# password and a fresh code (a changed account number is the classic invoice fraud).
SENSITIVE = {
    "bank_account_name": "Bank account name",
    "bank_sort_code": "Sort code",
    "bank_account_number": "Account number",
    "vat_number": "VAT number",
}


def sensitive_changes(values: dict) -> list[tuple[str, str, str]]:
    """(label, now, after) for each sensitive setting that `values` would change."""
    row = current()
    clean, _ = check(values)
    shown = {"vat_number": vat_display, "bank_sort_code": sort_code_display}
    changed = []
    for key, label in SENSITIVE.items():
        if key in clean and (clean[key] or None) != (getattr(row, key) or None):
            show = shown.get(key, lambda v: v)
            changed.append((label, show(getattr(row, key)) or "none", show(clean[key]) or "none"))
    return changed


def update(values: dict, actor) -> dict:
    """Validate and save settings; every change is audited. Returns what changed.

    Refused with the first problem `check()` finds (all of them are on the error's `problems`).
    """
    row = current()
    clean, problems = check(values)
    if problems:
        first = problems[0]
        error = SettingsError(str(first), first.field)
        error.problems = problems
        raise error
    changes = audit.changes_of(row, clean)
    if changes:
        audit.record("settings.changed", "company_settings", 1, changes=changes, actor=actor)
    db.session.commit()
    return changes


def missing_for_invoicing(row: CompanySettings) -> list[str]:
    """What must be set before a VAT invoice can be issued."""
    needed = {
        "company number": row.company_number,
        "registered office": row.registered_office,
        "bank account name": row.bank_account_name,
        "sort code": row.bank_sort_code,
        "account number": row.bank_account_number,
    }
    return [name for name, value in needed.items() if not value]


def controlling_members(on: date) -> list[str]:
    """Names of the councils that are members on `on` (they control the company)."""
    return list(
        db.session.scalars(
            sa.select(Member.name)
            .where(
                Member.joined_on.is_not(None),
                Member.joined_on <= on,
                sa.or_(Member.ceased_on.is_(None), Member.ceased_on > on),
            )
            .order_by(Member.name)
        )
    )


def _and_list(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names) or "(no member councils yet)"
    return ", ".join(names[:-1]) + " and " + names[-1]


def control_statement(row: CompanySettings, on: date) -> str:
    """The Local Authorities (Companies) Order 1995 art 4 statement, naming the councils (read
    only when the statement's wording names them)."""
    names = controlling_members(on) if "{members}" in row.control_statement else []
    return row.control_statement.format(company=row.legal_name, members=_and_list(names))
