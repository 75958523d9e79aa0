"""Pence, VAT rounding, financial years and pro-rata, from worked examples."""

from datetime import date
from decimal import Decimal

import pytest

from billing.money import VatCode, line_amounts, parse_pounds, pro_rata, vat_on
from company.clock import financial_year_end, financial_year_label, financial_year_start

FY26 = date(2026, 4, 1)


@pytest.mark.parametrize(
    "net, rate, vat",
    [
        (1000, 2000, 200),
        (1, 2000, 0),
        (2, 2000, 0),
        (3, 2000, 1),
        (250, 2000, 50),
        (1234567, 2000, 246913),
        (1000, 0, 0),
    ],
)
def test_vat_is_per_line_rounded_half_up_to_the_penny(net, rate, vat):
    assert vat_on(net, rate) == vat


def test_half_a_penny_rounds_up_not_to_even():
    assert vat_on(2, 2500) == 1  # 0.5p -> 1p (banker's rounding would give 0)
    assert vat_on(6, 2500) == 2  # 1.5p -> 2p
    assert vat_on(10, 2500) == 3  # 2.5p -> 3p


def test_line_amounts_use_decimal_quantities():
    amounts = line_amounts(Decimal("2.5"), 45000, VatCode.STANDARD)  # 2.5 days at £450
    assert (amounts.net, amounts.vat, amounts.gross) == (112500, 22500, 135000)
    assert line_amounts(Decimal(1), 99999, VatCode.EXEMPT).vat == 0


@pytest.mark.parametrize(
    "text, pence", [("1,234.50", 123450), ("£12", 1200), ("0.05", 5), (" 7.1 ", 710)]
)
def test_pounds_typed_by_a_person_become_pence(text, pence):
    assert parse_pounds(text) == pence


@pytest.mark.parametrize("text", ["12.345", "ten", ""])
def test_bad_amounts_are_refused_with_a_message(text):
    with pytest.raises(ValueError):
        parse_pounds(text)


def test_financial_years_run_1_april_to_31_march():
    assert financial_year_start(date(2026, 4, 1)) == FY26
    assert financial_year_start(date(2027, 3, 31)) == FY26
    assert financial_year_start(date(2026, 3, 31)) == date(2025, 4, 1)
    assert financial_year_end(FY26) == date(2027, 3, 31)
    assert financial_year_label(FY26) == "2026/27"
    assert financial_year_start(date(2026, 6, 1), first_month=1) == date(2026, 1, 1)
    assert financial_year_label(date(2026, 1, 1)) == "2026"


@pytest.mark.parametrize(
    "joined, ceased, months, explained",
    [
        (date(2024, 4, 1), None, 12, "12 of 12 months"),
        (date(2026, 4, 1), None, 12, "12 of 12 months"),
        (
            date(2026, 10, 15),
            None,
            6,
            "6 of 12 months, October 2026 to March 2027",
        ),  # the worked example
        (date(2027, 3, 31), None, 1, "1 of 12 months, March 2027 to March 2027"),
        (date(2024, 4, 1), date(2027, 1, 1), 9, "9 of 12 months, April 2026 to December 2026"),
        (date(2024, 4, 1), date(2026, 12, 15), 9, "9 of 12 months, April 2026 to December 2026"),
        (date(2024, 4, 1), date(2027, 4, 1), 12, "12 of 12 months"),  # leaves at the year's end
        (date(2026, 7, 1), date(2026, 10, 1), 3, "3 of 12 months, July 2026 to September 2026"),
    ],
)
def test_pro_rata_whole_months_from_joining_month_to_leaving_month(
    joined, ceased, months, explained
):
    share = pro_rata(FY26, joined, ceased)
    assert share.months == months
    assert share.explain() == explained


@pytest.mark.parametrize(
    "joined, ceased",
    [
        (None, None),
        (date(2027, 4, 1), None),
        (date(2024, 4, 1), date(2026, 4, 1)),
        (date(2024, 4, 1), date(2025, 1, 1)),
    ],
)
def test_no_charge_for_a_year_the_council_is_not_a_member(joined, ceased):
    assert pro_rata(FY26, joined, ceased) is None


def test_pro_rata_amount_rounds_half_up():
    assert pro_rata(FY26, date(2026, 10, 15), None).apply(1200000) == 600000
    assert pro_rata(FY26, date(2026, 12, 1), None).apply(100001) == 33334  # 4/12 of £1,000.01
