"""Integer pence and financial years. Money is never a float."""

from datetime import date


def financial_year_start(day: date, first_month: int = 4) -> date:
    """First day of the financial year containing `day` (1 April by default)."""
    year = day.year if day.month >= first_month else day.year - 1
    return date(year, first_month, 1)


def financial_year_label(day: date, first_month: int = 4) -> str:
    """'2026/27' for any day from 1 April 2026 to 31 March 2027."""
    start = financial_year_start(day, first_month)
    if first_month == 1:
        return str(start.year)
    return f"{start.year}/{(start.year + 1) % 100:02d}"
