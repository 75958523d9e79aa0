"""Forms for extras: the catalogue, quotes and cancelling an order (finance); requesting,
accepting and declining (the council, in its portal)."""

from decimal import Decimal

from flask_wtf import FlaskForm
from wtforms.validators import Length, Optional, ValidationError

from billing.extras.models import InvoiceRule, Pricing
from billing.fields import VAT_CHOICES, PoundsField
from billing.money import parse_quantity
from company.formats import pence_decimal
from company.ui.fields import (
    BooleanField,
    DateField,
    IntegerField,
    RadioField,
    Required,
    SelectField,
    StringField,
    TextAreaField,
    choices,
)

LINE_ROWS = 5
PRICING_LABELS = {
    Pricing.FIXED: "Fixed price",
    Pricing.DAY_RATE: "Day rate",
    Pricing.ON_QUOTE: "Priced on quote",
}
RULE_LABELS = {
    InvoiceRule.ON_ACCEPTANCE: "In full when the quote is accepted",
    InvoiceRule.ON_DELIVERY: "In full on delivery",
    InvoiceRule.STAGED: "In stages: a percentage on acceptance, the rest on delivery",
}


def _decimal(text: str | None) -> Decimal | None:
    """A valid quantity (billing.money.parse_quantity), or None."""
    try:
        return parse_quantity(text)
    except ValueError:
        return None


def _valid_quantity(value: Decimal | None) -> bool:
    return value is not None


class ExtraForm(FlaskForm):
    name = StringField("Name", [Required("Enter a name"), Length(max=120)])
    description = TextAreaField("Description", [Required("Enter a description"), Length(max=2000)])
    pricing = RadioField(
        "How it is priced",
        choices=choices([(p.value, label) for p, label in PRICING_LABELS.items()]),
        validators=[Required("Select how it is priced")],
    )
    price = PoundsField(
        "Price excluding VAT, in pounds",
        [Optional()],
        description="The fixed price, or the rate for one day. Leave blank when priced on quote.",
    )
    default_days = StringField(
        "Usual number of days (optional)",
        [Optional()],
        description="For day-rate extras: the days a quote starts with",
    )
    vat_code = SelectField("VAT", choices=VAT_CHOICES, default="S")
    invoice_rule = RadioField(
        "When it is invoiced",
        choices=choices([(r.value, label) for r, label in RULE_LABELS.items()]),
        validators=[Required("Select when it is invoiced")],
    )
    stage_percent = IntegerField(
        "Percentage invoiced on acceptance",
        [Optional()],
        description="For staged invoicing only, between 1 and 99",
    )
    active = BooleanField(
        "Offered to member councils",
        default=True,
        description="Untick to retire it: existing orders are not affected",
    )

    def validate_default_days(self, field):
        if field.data and not _valid_quantity(_decimal(field.data)):
            raise ValidationError(
                "Usual number of days must be a number more than 0, like 5 or 2.5"
            )

    def values(self) -> dict:
        """What services.save_extra expects."""
        pricing = Pricing(self.pricing.data)
        rule = InvoiceRule(self.invoice_rule.data)
        return {
            "name": self.name.data,
            "description": self.description.data,
            "pricing": pricing,
            "price_pence": self.price.pence if pricing != Pricing.ON_QUOTE else None,
            "default_days": _decimal(self.default_days.data) if self.default_days.data else None,
            "vat_code": self.vat_code.data,
            "invoice_rule": rule,
            "stage_percent": self.stage_percent.data if rule == InvoiceRule.STAGED else None,
            "active": bool(self.active.data),
        }

    @classmethod
    def for_extra(cls, extra):
        return cls(
            formdata=None,
            name=extra.name,
            description=extra.description,
            pricing=extra.pricing.value,
            price=pence_decimal(extra.price_pence),
            default_days=_quantity_text(extra.default_days),
            vat_code=extra.vat_code,
            invoice_rule=extra.invoice_rule.value,
            stage_percent=extra.stage_percent,
            active=extra.active,
        )


def _quantity_text(value) -> str:
    if value is None:
        return ""
    return format(Decimal(value).normalize(), "f")


class QuoteForm(FlaskForm):
    """Up to LINE_ROWS lines (description, quantity, unit price, VAT), valid until and terms.

    The line fields are flat (description_1, quantity_1, …) so the error summary links to them."""

    valid_until = DateField("Valid until", [Required("Enter the date the quote is valid until")])
    terms = TextAreaField(
        "Terms (optional)",
        [Optional(), Length(max=2000)],
        description="Printed on the quote, for example payment terms or what is not included",
    )

    def line_rows(self):
        """[(number, description, quantity, unit price, VAT)] fields, for the template."""
        return [
            (
                i,
                self[f"description_{i}"],
                self[f"quantity_{i}"],
                self[f"unit_price_{i}"],
                self[f"vat_code_{i}"],
            )
            for i in range(1, LINE_ROWS + 1)
        ]

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        filled = 0
        for i, description, quantity, price, _vat in self.line_rows():
            used = bool(description.data or price.data)
            if not used:
                continue
            filled += 1
            if not description.data:
                description.errors.append(f"Enter a description for line {i}")
                ok = False
            if not _valid_quantity(_decimal(quantity.data)):
                quantity.errors.append(
                    f"Quantity for line {i} must be a number more than 0, like 1 or 2.5"
                )
                ok = False
            if not price.data:
                price.errors.append(f"Enter the unit price for line {i}")
                ok = False
        if not filled and not self.description_1.errors:
            self.description_1.errors.append("Add at least one line to the quote")
            ok = False
        return ok

    def lines(self, extra=None) -> list[tuple]:
        """The filled rows as services.quote lines; the order's extra goes with the first."""
        out = []
        for _i, description, quantity, price, vat in self.line_rows():
            if description.data or price.data:
                out.append(
                    (
                        description.data,
                        _decimal(quantity.data),
                        price.pence,
                        vat.data,
                        extra if not out else None,
                    )
                )
        return out

    def prefill(self, rows: list[tuple]) -> None:
        """Fill line rows from (description, quantity, unit pence, VAT code) tuples."""
        for i, (description, quantity, unit_pence, vat_code) in enumerate(rows[:LINE_ROWS], 1):
            self[f"description_{i}"].data = description
            self[f"quantity_{i}"].data = _quantity_text(quantity)
            self[f"unit_price_{i}"].data = pence_decimal(unit_pence)
            self[f"vat_code_{i}"].data = vat_code


for _i in range(1, LINE_ROWS + 1):
    setattr(
        QuoteForm,
        f"description_{_i}",
        TextAreaField("Description", [Optional(), Length(max=500)]),
    )
    setattr(QuoteForm, f"quantity_{_i}", StringField("Quantity", [Optional()], default="1"))
    setattr(
        QuoteForm,
        f"unit_price_{_i}",
        PoundsField("Unit price excluding VAT, in pounds", [Optional()]),
    )
    setattr(QuoteForm, f"vat_code_{_i}", SelectField("VAT", choices=VAT_CHOICES, default="S"))


class NewQuoteForm(QuoteForm):
    """Finance quotes a member directly: the order is opened with the quote."""

    member_id = SelectField("Member council", validators=[Required("Select the member council")])
    extra_id = SelectField(
        "Extra from the catalogue (optional)",
        description="Sets how the order is invoiced; without one it is invoiced on delivery",
    )
    title = StringField("Title", [Required("Enter a title for the order"), Length(max=200)])


# The error summary follows the page: member, extra and title, the lines, then valid until
# and terms (WTForms orders fields by when they were created).
for _n, _name in enumerate(["member_id", "extra_id", "title"]):
    getattr(NewQuoteForm, _name).creation_counter = -10 + _n
for _n, _name in enumerate(["valid_until", "terms"]):
    getattr(QuoteForm, _name).creation_counter = 10**9 + _n


class CancelForm(FlaskForm):
    reason = TextAreaField(
        "Reason for cancelling", [Required("Enter the reason for cancelling"), Length(max=1000)]
    )


class StatusFilterForm(FlaskForm):
    class Meta:
        csrf = False

    status = SelectField("Status")


# The council's forms, in its portal

SOMETHING_ELSE = "other"


class RequestForm(FlaskForm):
    extra = RadioField(
        "What does your council need?",
        validators=[Required("Select an extra, or select Something else")],
    )
    title = StringField(
        "Short title (optional)",
        [Optional(), Length(max=200)],
        description="For example, Extra reports for the planning team. "
        "Leave blank to use the name of the extra.",
    )
    request = TextAreaField(
        "Describe what your council needs",
        [Required("Describe what your council needs"), Length(max=5000)],
        description="Include dates, volumes and anything we should know to prepare a quote.",
    )


class AcceptForm(FlaskForm):
    po_number = StringField(
        "Purchase order number",
        [
            Optional(),
            Length(max=50, message="Purchase order number must be 50 characters or fewer"),
        ],
    )


class DeclineForm(FlaskForm):
    reason = TextAreaField(
        "Reason for declining",
        [Required("Enter the reason for declining"), Length(max=1000)],
    )
