"""Integer pence, VAT and financial years. Money is never a float."""

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

import sqlalchemy as sa

from company.clock import add_months, month_of
from company.formats import month_year


class VatCode(StrEnum):
    """VAT treatment of a line: standard 20%, zero-rated, exempt, outside the scope."""

    STANDARD = "S"
    ZERO = "Z"
    EXEMPT = "E"
    OUTSIDE = "O"

    @property
    def in_scope(self) -> bool:
        """A taxable supply (standard or zero-rated): the document is a VAT invoice."""
        return self in (VatCode.STANDARD, VatCode.ZERO)

    @property
    def rate_bp(self) -> int:
        """Rate in basis points (2000 = 20%)."""
        return VAT_RATES_BP[self]

    @property
    def label(self) -> str:
        return VAT_LABELS[self]


# The column type for a VAT code (a CHECK constraint on the letters above).
VAT_CODE = sa.Enum(
    "S", "Z", "E", "O", name="vat_code", native_enum=False, length=1, create_constraint=True
)


VAT_RATES_BP = {VatCode.STANDARD: 2000, VatCode.ZERO: 0, VatCode.EXEMPT: 0, VatCode.OUTSIDE: 0}
VAT_LABELS = {
    VatCode.STANDARD: "Standard rate (20%)",
    VatCode.ZERO: "Zero rate (0%)",
    VatCode.EXEMPT: "Exempt",
    VatCode.OUTSIDE: "Outside the scope of VAT",
}


def rate_label(code: str, rate_bp: int) -> str:
    """A line's VAT as a document's VAT rate column shows it: '20%', '17.5%', '0% (zero
    rated)', 'Exempt', 'Outside scope'."""
    fixed = {"Z": "0% (zero rated)", "E": "Exempt", "O": "Outside scope"}
    return fixed.get(code) or f"{Decimal(rate_bp) / 100:g}%"


def round_half_up(value: Decimal) -> int:
    """Round a Decimal number of pence to whole pence, halves away from zero."""
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def vat_on(net_pence: int, rate_bp: int) -> int:
    """VAT on one line, rounded half-up to the penny."""
    return round_half_up(Decimal(net_pence) * rate_bp / Decimal(10000))


def line_net(quantity: Decimal, unit_pence: int) -> int:
    return round_half_up(Decimal(quantity) * unit_pence)


@dataclass(frozen=True)
class LineAmounts:
    net: int
    vat: int

    @property
    def gross(self) -> int:
        return self.net + self.vat


def line_amounts(quantity: Decimal, unit_pence: int, vat: VatCode) -> LineAmounts:
    net = line_net(quantity, unit_pence)
    return LineAmounts(net, vat_on(net, vat.rate_bp))


# The most any one amount or document may be: £10,000,000.00, far beyond any council's
# contribution or extra. Money columns are 64-bit integer pence (migration 0010), so sums of
# many documents never overflow either.
MAX_PENCE = 1_000_000_000

_POUNDS = re.compile(r"-?\d{1,16}(?:\.\d*)?")


MAX_QUANTITY = Decimal(100_000)

_QUANTITY = re.compile(r"\d{1,6}(?:\.\d{1,2})?")


def parse_quantity(text: str | None) -> Decimal:
    """'2.5' or '1,000' to a Decimal quantity: more than 0, at most 100,000, 2 decimal places;
    ValueError with a message fit for a person."""
    cleaned = (text or "").strip().replace(",", "")
    if not _QUANTITY.fullmatch(cleaned):
        raise ValueError("Quantity must be a number, like 1 or 2.5, with at most 2 decimal places")
    value = Decimal(cleaned)
    if not 0 < value <= MAX_QUANTITY:
        raise ValueError("Quantity must be more than 0 and no more than 100,000")
    return value


def parse_pounds(text: str) -> int:
    """'1,234.50' or '£1234.5' to pence; ValueError with a message fit for a person. Digits,
    a point and a minus sign only (no exponents, infinities or NaN), at most MAX_PENCE."""
    cleaned = (text or "").strip().replace(",", "").replace("£", "")
    if not _POUNDS.fullmatch(cleaned):
        raise ValueError("Enter an amount in pounds, like 1,234.50")
    value = Decimal(cleaned)
    if value != value.quantize(Decimal("0.01")):
        raise ValueError("Amount must not have more than 2 decimal places")
    if abs(value) * 100 > MAX_PENCE:
        raise ValueError(f"Amount must be no more than £{MAX_PENCE // 100:,}.00")
    return int(value * 100)


# Financial years


@dataclass(frozen=True)
class ProRata:
    months: int
    first_month: date  # first day of the first month charged
    last_month: date  # first day of the last month charged

    @property
    def whole_year(self) -> bool:
        return self.months == 12

    def apply(self, annual_pence: int) -> int:
        return round_half_up(Decimal(annual_pence) * self.months / 12)

    def explain(self) -> str:
        if self.whole_year:
            return "12 of 12 months"
        return f"{self.months} of 12 months, {month_year(self.first_month)} to {month_year(self.last_month)}"


def pro_rata(fy_start: date, joined_on: date | None, ceased_on: date | None) -> ProRata | None:
    """The months of the year starting `fy_start` that a member pays for.

    Whole months from its joining month (joining on 15 October pays October to March, 6/12),
    up to and including its leaving month, the month of its last day as a member (the day
    before `ceased_on`). None when it is not a member at any time in that year.
    """
    last = add_months(fy_start, 11)
    if joined_on is None:
        return None
    first = max(fy_start, month_of(joined_on))
    if ceased_on is not None:
        last = min(last, month_of(ceased_on - timedelta(days=1)))
    if last < first:
        return None
    months = (last.year - first.year) * 12 + last.month - first.month + 1
    return ProRata(months, first, last)


def sum_pence(expression):
    """SQL SUM of pence that comes back as an int on every database (PostgreSQL's SUM of
    integers is NUMERIC, which would arrive as a Decimal); 0 when there are no rows."""
    import sqlalchemy as sa

    return sa.cast(sa.func.coalesce(sa.func.sum(expression), 0), sa.BigInteger)
