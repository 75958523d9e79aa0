"""Stored datetimes are UTC; the day a person sees is the UK day."""

from datetime import date, datetime

from company.clock import uk_date


def test_a_late_summer_evening_in_utc_is_the_next_uk_day():
    assert uk_date(datetime(2026, 6, 30, 23, 30)) == date(2026, 7, 1)


def test_in_winter_the_uk_day_is_the_utc_day():
    assert uk_date(datetime(2026, 12, 31, 23, 30)) == date(2026, 12, 31)
