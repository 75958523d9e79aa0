"""Statutory late-payment interest and fixed compensation: what could be claimed on a late debt.

Late Payment of Commercial Debts (Interest) Act 1998 (see shared/domain/uk-rules.md §6.2):

- Interest is simple, day by day, at 8% over the Bank of England reference rate.
- The reference rate is fixed for the life of each debt: Bank Rate as it stood on 31 December
  for a debt that becomes late between January and June, and on 30 June for one that becomes
  late between July and December.
- Interest runs from the day after the due date up to and including the day of payment (here:
  the day the claim is worked out). A year is taken as 365 days.
- Fixed compensation per debt (s5A): £40 under £1,000, £70 from £1,000 to under £10,000, £100
  from £10,000.
- Both are outside the scope of VAT. Claiming them is a decision for finance, not this code.

Money is integer pence; rates are Decimal percentages. Nothing here reads the database.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

STATUTORY_MARGIN = Decimal("8.00")  # percentage points over the reference rate
DAYS_IN_YEAR = 365

# Bank of England Bank Rate: (date the change took effect, new rate in % a year), oldest first.
#
# !!! KEEP THIS TABLE UP TO DATE !!!
# Source: Bank of England, "Official Bank Rate history"
#   https://www.bankofengland.co.uk/boeapps/database/Bank-Rate.asp
# Add a row whenever the Monetary Policy Committee changes Bank Rate, and move
# BANK_RATE_CHECKED_TO forward each time the table is checked against that page. Claims whose
# reference date falls after BANK_RATE_CHECKED_TO show no interest figure, only what to check.
BANK_RATE_CHANGES: tuple[tuple[date, Decimal], ...] = (
    (date(2020, 3, 11), Decimal("0.25")),
    (date(2020, 3, 19), Decimal("0.10")),
    (date(2021, 12, 16), Decimal("0.25")),
    (date(2022, 2, 3), Decimal("0.50")),
    (date(2022, 3, 17), Decimal("0.75")),
    (date(2022, 5, 5), Decimal("1.00")),
    (date(2022, 6, 16), Decimal("1.25")),
    (date(2022, 8, 4), Decimal("1.75")),
    (date(2022, 9, 22), Decimal("2.25")),
    (date(2022, 11, 3), Decimal("3.00")),
    (date(2022, 12, 15), Decimal("3.50")),
    (date(2023, 2, 2), Decimal("4.00")),
    (date(2023, 3, 23), Decimal("4.25")),
    (date(2023, 5, 11), Decimal("4.50")),
    (date(2023, 6, 22), Decimal("5.00")),
    (date(2023, 8, 3), Decimal("5.25")),
    (date(2024, 8, 1), Decimal("5.00")),
    (date(2024, 11, 7), Decimal("4.75")),
    (date(2025, 2, 6), Decimal("4.50")),
    (date(2025, 5, 8), Decimal("4.25")),
    (date(2025, 8, 7), Decimal("4.00")),
    (date(2025, 12, 18), Decimal("3.75")),  # held on 5 Feb, 19 Mar, 30 Apr and 18 Jun 2026
)
# The table is known to be complete up to this date (no MPC decision between 18 June and 30 June
# 2026). No figure is stated for a reference date after it: the page says what to check instead.
BANK_RATE_CHECKED_TO = date(2026, 6, 30)

# Fixed compensation (s5A): (debt below this many pence, compensation in pence); else the last.
COMPENSATION_BANDS: tuple[tuple[int | None, int], ...] = (
    (100000, 4000),  # under £1,000: £40
    (1000000, 7000),  # £1,000 to under £10,000: £70
    (None, 10000),  # £10,000 or more: £100
)


class RateUnknown(LookupError):
    """The table does not reach back to the date asked for."""


class RateUnconfirmed(RateUnknown):
    """The reference date is after the table was last checked: no rate is stated for it."""

    def __init__(self, reference: date):
        super().__init__(f"Bank Rate on {reference.isoformat()} has not been checked")
        self.reference_date = reference


def bank_rate_on(day: date) -> Decimal:
    """Bank Rate in force at the end of `day`."""
    rate = None
    for effective, value in BANK_RATE_CHANGES:
        if effective > day:
            break
        rate = value
    if rate is None:
        raise RateUnknown(f"No Bank Rate recorded for {day.isoformat()}")
    return rate


def reference_date(first_late_day: date) -> date:
    """31 December before a debt late in January–June; 30 June for one late in July–December."""
    if first_late_day.month <= 6:
        return date(first_late_day.year - 1, 12, 31)
    return date(first_late_day.year, 6, 30)


def statutory_rate(first_late_day: date) -> Decimal:
    """The yearly interest rate (%) fixed for a debt that becomes late on `first_late_day`.

    Raises RateUnconfirmed when its reference date is after BANK_RATE_CHECKED_TO."""
    reference = reference_date(first_late_day)
    if reference > BANK_RATE_CHECKED_TO:
        raise RateUnconfirmed(reference)
    return bank_rate_on(reference) + STATUTORY_MARGIN


@dataclass(frozen=True)
class RatePeriod:
    """Debts due from `first_due` to `last_due` become late in the same half-year, so they share
    a reference date and a statutory rate (None while that reference rate is unconfirmed)."""

    first_due: date
    last_due: date
    rate: Decimal | None


def rate_periods(last_due: date) -> list[RatePeriod]:
    """`statutory_rate` as a table by due date, oldest first, up to the half-year holding
    `last_due`, for lists that work claims out in SQL. A debt due before the first period has no
    claim: its reference date is before the Bank Rate table starts (RateUnknown)."""
    periods = []
    # A half-year end before the table starts (and before it was checked to): no rate.
    reference = reference_date(min(BANK_RATE_CHANGES[0][0], BANK_RATE_CHECKED_TO))
    while reference <= last_due:
        following = (
            date(reference.year + 1, 6, 30)
            if reference.month == 12
            else date(reference.year, 12, 31)
        )
        try:
            rate = statutory_rate(reference + timedelta(days=1))
        except RateUnconfirmed:
            rate = None
        except RateUnknown:
            reference = following
            continue
        periods.append(RatePeriod(reference, following - timedelta(days=1), rate))
        reference = following
    return periods


def compensation_pence(debt_pence: int) -> int:
    """Fixed compensation for one late debt of `debt_pence`."""
    for below, amount in COMPENSATION_BANDS:
        if below is None or debt_pence < below:
            return amount
    raise AssertionError("unreachable: the last band has no limit")


def percent(value: Decimal) -> str:
    """A rate as people write it: '12.75%', '8%', '10.5%'."""
    text = f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{text}%"


def interest_on(pence_days: int, rate: Decimal) -> int:
    """Simple interest at `rate` % a year on `pence_days` (pence owed × days), rounded half up
    once. Worked in whole numbers, so exactly: a Decimal product, rounded to 28 digits, can land
    just below an exact half penny (£9,975 for 365 days at 8.10% is 80,797.5p, which a Decimal
    product made 80,797.4999…p and rounded down). The credit control list totals the same
    arithmetic in SQL."""
    numerator, denominator = rate.as_integer_ratio()
    per_year = 100 * DAYS_IN_YEAR * denominator
    return (2 * pence_days * numerator + per_year) // (2 * per_year)


def interest_pence(principal_pence: int, due_date: date, paid_on: date) -> int:
    """Simple interest on `principal_pence` from the day after `due_date` to `paid_on`."""
    return interest_on_balances(due_date, paid_on, principal_pence, []).interest_pence


@dataclass(frozen=True)
class Interest:
    days: int  # days late, as at the date asked for
    rate: Decimal | None  # % a year; None while the reference rate is unconfirmed
    reference_date: date
    reference_rate: Decimal | None
    pence_days: int  # sum over the late days of the balance owed that day
    interest_pence: int | None
    daily_pence: int | None  # what one more day adds, on the balance owed now (rounded)

    @property
    def confirmed(self) -> bool:
        return self.rate is not None

    @property
    def rate_text(self) -> str:
        return percent(self.rate) if self.confirmed else "to be confirmed"

    @property
    def reference_rate_text(self) -> str:
        return percent(self.reference_rate) if self.confirmed else "to be confirmed"


def interest_on_balances(
    due_date: date, as_at: date, opening_pence: int, movements: list[tuple[date, int]]
) -> Interest:
    """Interest to `as_at` on a balance that starts at `opening_pence` and changes by each
    (date, pence) in `movements` (payments and credits negative). A movement dated on a day counts
    from the next day: money paid on a late day still owed interest for that day. Rounded once."""
    first_late = due_date + timedelta(days=1)
    try:
        rate = statutory_rate(first_late)
    except RateUnconfirmed:
        rate = None
    days = max((as_at - due_date).days, 0)
    pence_days = 0
    balance = opening_pence + sum(p for d, p in movements if d < first_late)
    day = first_late
    for when, change in sorted((d, p) for d, p in movements if first_late <= d <= as_at):
        # the balance before `when` runs up to and including `when`
        pence_days += max(balance, 0) * ((when - day).days + 1)
        day = when + timedelta(days=1)
        balance += change
    if day <= as_at:
        pence_days += max(balance, 0) * ((as_at - day).days + 1)
    return Interest(
        days=days,
        rate=rate,
        reference_date=reference_date(first_late),
        reference_rate=rate - STATUTORY_MARGIN if rate is not None else None,
        pence_days=pence_days,
        interest_pence=interest_on(pence_days, rate) if rate is not None else None,
        daily_pence=interest_on(max(balance, 0), rate) if rate is not None else None,
    )


@dataclass(frozen=True)
class Claim:
    """What could be claimed on one overdue invoice, as at a date."""

    as_at: date
    due_date: date
    debt_pence: int  # owed when it became late: the debt the compensation is for
    owed_pence: int  # still owed as at `as_at`
    interest: Interest
    compensation_pence: int

    @property
    def days_late(self) -> int:
        return self.interest.days

    @property
    def interest_pence(self) -> int:
        return self.interest.interest_pence

    @property
    def total_pence(self) -> int:
        """Interest and compensation; compensation alone while the rate is unconfirmed."""
        return (self.interest.interest_pence or 0) + self.compensation_pence

    @property
    def rate_needs_checking(self) -> bool:
        """No interest figure is stated: the reference rate must be checked first."""
        return not self.interest.confirmed


def claim(
    due_date: date, as_at: date, opening_pence: int, movements: list[tuple[date, int]]
) -> Claim | None:
    """The claim on a debt of `opening_pence` due on `due_date`, or None if it is not late."""
    if as_at <= due_date:
        return None
    first_late = due_date + timedelta(days=1)
    debt = opening_pence + sum(p for d, p in movements if d < first_late)
    owed = opening_pence + sum(p for d, p in movements if d <= as_at)
    if debt <= 0:
        return None
    return Claim(
        as_at=as_at,
        due_date=due_date,
        debt_pence=debt,
        owed_pence=owed,
        interest=interest_on_balances(due_date, as_at, opening_pence, movements),
        compensation_pence=compensation_pence(debt),
    )
