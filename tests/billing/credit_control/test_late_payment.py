"""Statutory late-payment interest and fixed compensation (uk-rules.md §6.2)."""

from datetime import date
from decimal import Decimal

import pytest

from billing.credit_control import late_payment as lp


def test_the_worked_example_exactly():
    """£14,400 due 2025-05-01, paid 2025-06-30: 60 days at 4.75% + 8% = £301.81, and £100."""
    assert lp.reference_date(date(2025, 5, 2)) == date(2024, 12, 31)
    assert lp.bank_rate_on(date(2024, 12, 31)) == Decimal("4.75")
    assert lp.statutory_rate(date(2025, 5, 2)) == Decimal("12.75")
    assert lp.interest_pence(1440000, date(2025, 5, 1), date(2025, 6, 30)) == 30181
    claim = lp.claim(date(2025, 5, 1), date(2025, 6, 30), 1440000, [])
    assert claim.days_late == 60
    assert claim.interest_pence == 30181 and claim.compensation_pence == 10000
    assert claim.total_pence == 40181
    assert claim.interest.daily_pence == 503  # £5.0301 a day
    assert claim.interest.rate_text == "12.75%" and claim.interest.reference_rate_text == "4.75%"


@pytest.mark.parametrize(
    "debt_pence, compensation",
    [(1, 4000), (99999, 4000), (100000, 7000), (999999, 7000), (1000000, 10000), (10**9, 10000)],
)
def test_compensation_bands(debt_pence, compensation):
    assert lp.compensation_pence(debt_pence) == compensation


@pytest.mark.parametrize(
    "due, reference, bank_rate",
    [
        (date(2025, 2, 10), date(2024, 12, 31), "4.75"),  # late in February: 31 December rate
        (date(2025, 8, 10), date(2025, 6, 30), "4.25"),  # late in August: 30 June rate
        (date(2024, 12, 31), date(2024, 12, 31), "4.75"),  # late from 1 January
        (date(2025, 6, 29), date(2024, 12, 31), "4.75"),  # late from 30 June
        (date(2025, 6, 30), date(2025, 6, 30), "4.25"),  # late from 1 July
        (date(2024, 2, 15), date(2023, 12, 31), "5.25"),
        (date(2024, 9, 1), date(2024, 6, 30), "5.25"),  # the 1 August 2024 cut came later
    ],
)
def test_the_reference_rate_is_fixed_by_the_half_year_the_debt_becomes_late(
    due, reference, bank_rate
):
    claim = lp.claim(due, date(2026, 1, 1), 100000, [])
    assert claim.interest.reference_date == reference
    assert claim.interest.reference_rate == Decimal(bank_rate)
    assert claim.interest.rate == Decimal(bank_rate) + 8


def test_the_rate_stays_fixed_when_bank_rate_changes_while_the_debt_is_late():
    # Late from 2 February 2025: 31 Dec 2024 rate (4.75%) even after the cuts of 6 Feb and 8 May.
    claim = lp.claim(date(2025, 2, 1), date(2025, 12, 1), 100000, [])
    assert claim.interest.rate == Decimal("12.75")


def test_bank_rate_changes_take_effect_on_their_day():
    assert lp.bank_rate_on(date(2025, 8, 6)) == Decimal("4.25")
    assert lp.bank_rate_on(date(2025, 8, 7)) == Decimal("4.00")
    assert lp.bank_rate_on(date(2023, 8, 3)) == Decimal("5.25")
    assert lp.bank_rate_on(date(2024, 11, 6)) == Decimal("5.00")
    with pytest.raises(lp.RateUnknown):
        lp.bank_rate_on(date(2019, 1, 1))


def test_the_bank_rate_table_is_in_order_and_has_the_known_changes():
    dates = [d for d, _ in lp.BANK_RATE_CHANGES]
    assert dates == sorted(dates) and len(set(dates)) == len(dates)
    for day, rate in [
        (date(2023, 8, 3), "5.25"),
        (date(2024, 8, 1), "5.00"),
        (date(2024, 11, 7), "4.75"),
        (date(2025, 2, 6), "4.50"),
        (date(2025, 5, 8), "4.25"),
        (date(2025, 8, 7), "4.00"),
        (date(2025, 12, 18), "3.75"),
    ]:
        assert (day, Decimal(rate)) in lp.BANK_RATE_CHANGES
    assert dates[-1] <= lp.BANK_RATE_CHECKED_TO


def test_no_figure_is_stated_for_a_reference_date_after_the_checked_table():
    """Debts first late from 1 January 2027 take Bank Rate on 31 December 2026: not yet checked."""
    assert not lp.claim(date(2026, 12, 30), date(2026, 12, 31), 1440000, []).rate_needs_checking
    claim = lp.claim(date(2026, 12, 31), date(2027, 2, 1), 1440000, [])
    assert claim.rate_needs_checking and claim.interest.reference_date == date(2026, 12, 31)
    assert claim.interest_pence is None and claim.interest.rate is None
    assert claim.interest.rate_text == "to be confirmed"
    assert claim.compensation_pence == 10000 and claim.total_pence == 10000  # compensation only
    with pytest.raises(lp.RateUnconfirmed):
        lp.statutory_rate(date(2027, 1, 1))


# uk-rules.md §6.2.1, "Statutory rate by reference date"
@pytest.mark.parametrize(
    "first_late, reference, statutory",
    [
        (date(2023, 3, 1), date(2022, 12, 31), "11.50"),
        (date(2023, 9, 1), date(2023, 6, 30), "13.00"),
        (date(2024, 3, 1), date(2023, 12, 31), "13.25"),
        (date(2024, 9, 1), date(2024, 6, 30), "13.25"),
        (date(2025, 3, 1), date(2024, 12, 31), "12.75"),
        (date(2025, 9, 1), date(2025, 6, 30), "12.25"),
        (date(2026, 1, 1), date(2025, 12, 31), "11.75"),  # after the 18 Dec 2025 cut, not 12.00
        (date(2026, 6, 30), date(2025, 12, 31), "11.75"),
        (date(2026, 7, 1), date(2026, 6, 30), "11.75"),
        (date(2026, 12, 31), date(2026, 6, 30), "11.75"),
    ],
)
def test_the_statutory_rate_by_reference_date(first_late, reference, statutory):
    assert lp.reference_date(first_late) == reference
    assert lp.statutory_rate(first_late) == Decimal(statutory)


# uk-rules.md §6.2.1, "Worked examples": (debt, due, as at, movements, days, rate, interest, comp.)
@pytest.mark.parametrize(
    "debt, due, as_at, movements, days, rate, interest, compensation",
    [
        (1440000, date(2025, 5, 1), date(2025, 6, 30), [], 60, "12.75", 30181, 10000),
        (
            100000,
            date(2025, 9, 30),
            date(2025, 10, 31),
            [(date(2025, 10, 10), -50000)],
            31,
            "12.25",
            688,
            7000,
        ),
        (1440000, date(2026, 3, 31), date(2026, 5, 30), [], 60, "11.75", 27814, 10000),
        (600000, date(2026, 1, 15), date(2026, 12, 2), [], 321, "11.75", 62001, 7000),
        (120000, date(2026, 7, 31), date(2026, 12, 2), [], 124, "11.75", 4790, 7000),
    ],
)
def test_the_worked_examples(debt, due, as_at, movements, days, rate, interest, compensation):
    claim = lp.claim(due, as_at, debt, movements)
    assert claim.days_late == days and claim.interest.rate == Decimal(rate)
    assert claim.interest_pence == interest and claim.compensation_pence == compensation
    assert not claim.rate_needs_checking


def test_missing_the_december_2025_cut_would_overcharge():
    """At 12.00% the third worked example would be £284.05 rather than £278.14."""
    at_twelve = lp.interest_on_balances(date(2026, 3, 31), date(2026, 5, 30), 1440000, [])
    assert at_twelve.pence_days * Decimal("0.12") / 365 // 1 == 28405
    assert at_twelve.interest_pence == 27814


def test_nothing_is_late_on_or_before_the_due_date():
    assert lp.claim(date(2025, 5, 1), date(2025, 5, 1), 1440000, []) is None
    assert lp.claim(date(2025, 5, 1), date(2025, 4, 1), 1440000, []) is None
    assert lp.interest_pence(1440000, date(2025, 5, 1), date(2025, 5, 1)) == 0
    one_day = lp.claim(date(2025, 5, 1), date(2025, 5, 2), 1440000, [])
    assert one_day.days_late == 1 and one_day.interest_pence == 503


def test_interest_follows_the_balance_day_by_day():
    """£10,000 due 1 May; £5,000 paid 31 May (still owed interest that day); as at 30 June."""
    movements = [(date(2025, 5, 31), -500000)]
    claim = lp.claim(date(2025, 5, 1), date(2025, 6, 30), 1000000, movements)
    # 2–31 May: 30 days on £10,000; 1–30 June: 30 days on £5,000
    assert claim.interest.pence_days == 1000000 * 30 + 500000 * 30
    assert claim.interest_pence == 15719  # 45,000,000 × 12.75% / 365 = 15,719.18
    assert claim.debt_pence == 1000000 and claim.owed_pence == 500000
    assert claim.compensation_pence == 10000  # on the debt when it became late
    assert claim.interest.daily_pence == 175  # on £5,000


def test_money_paid_before_the_due_date_reduces_the_debt():
    claim = lp.claim(date(2025, 5, 1), date(2025, 6, 30), 1440000, [(date(2025, 4, 20), -500000)])
    assert claim.debt_pence == 940000 and claim.compensation_pence == 7000
    assert claim.interest_pence == lp.interest_pence(940000, date(2025, 5, 1), date(2025, 6, 30))


def test_nothing_to_claim_when_nothing_was_owed_when_due():
    assert lp.claim(date(2025, 5, 1), date(2025, 6, 30), 1000, [(date(2025, 4, 1), -1000)]) is None


def test_rates_read_as_people_write_them():
    assert lp.percent(Decimal("12.75")) == "12.75%"
    assert lp.percent(Decimal("12.00")) == "12%"
    assert lp.percent(Decimal("10.50")) == "10.5%"
    assert lp.percent(Decimal("10")) == "10%"
