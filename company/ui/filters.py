"""Jinja filters: the `company.formats` functions under their template names, and HTML helpers."""

from datetime import date

from markupsafe import Markup, escape

from company import formats


def lines(text: str | None) -> Markup:
    """Multi-line text (addresses) as escaped HTML with line breaks."""
    return Markup("<br>").join(escape(line) for line in (text or "").splitlines())


def audit_value(value, field: str = "") -> str:
    """An audited value as a person reads it: dates the UK way, pence as pounds, yes/no."""
    if value is None or value == "":
        return "(blank)"
    if field.endswith("_pence") and isinstance(value, int):
        return formats.pounds(value)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            return formats.long_date(date.fromisoformat(value))
        except ValueError:
            return value
    return str(value)


def register(app) -> None:
    from .fields import error_list

    app.jinja_env.globals["error_list"] = error_list
    app.add_template_filter(formats.long_date, "uk_date")
    app.add_template_filter(formats.long_datetime, "uk_datetime")
    app.add_template_filter(formats.pounds, "money")
    app.add_template_filter(formats.month_year, "month_year")
    app.add_template_filter(formats.short_month, "short_month")
    app.add_template_filter(lines, "lines")
    app.add_template_filter(audit_value, "audit_value")
