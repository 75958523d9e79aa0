"""How dates, times and money read on every page: '1 April 2026', '£1,234.50'."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from markupsafe import Markup, escape

LONDON = ZoneInfo("Europe/London")


def uk_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_london(value)
    return f"{value.day} {value:%B %Y}"


def to_london(value: datetime) -> datetime:
    """Stored datetimes are naive UTC; show them in UK time (GMT or BST)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(LONDON)


def uk_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    local = to_london(value)
    hour = local.hour % 12 or 12
    suffix = "am" if local.hour < 12 else "pm"
    return f"{uk_date(local)} at {hour}:{local.minute:02d}{suffix}"


def money(pence: int | None) -> str:
    """Integer pence to '£1,234.50' ('-£12.00' for negatives)."""
    if pence is None:
        return ""
    if not isinstance(pence, int):
        raise TypeError("money is integer pence")
    sign = "-" if pence < 0 else ""
    pounds, pennies = divmod(abs(pence), 100)
    return f"{sign}£{pounds:,}.{pennies:02d}"


def lines(text: str | None) -> Markup:
    """Multi-line text (addresses) as escaped HTML with line breaks."""
    return Markup("<br>").join(escape(line) for line in (text or "").splitlines())


def audit_value(value, field: str = "") -> str:
    """An audited value as a person reads it: dates the UK way, pence as pounds, yes/no."""
    if value is None or value == "":
        return "(blank)"
    if field.endswith("_pence") and isinstance(value, int):
        return money(value)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            return uk_date(date.fromisoformat(value))
        except ValueError:
            return value
    return str(value)


def register(app) -> None:
    from .fields import error_list

    app.jinja_env.globals["error_list"] = error_list
    app.add_template_filter(uk_date, "uk_date")
    app.add_template_filter(uk_datetime, "uk_datetime")
    app.add_template_filter(money, "money")
    app.add_template_filter(lines, "lines")
    app.add_template_filter(audit_value, "audit_value")
