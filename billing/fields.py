"""Form fields for money: pounds typed by people, read as integer pence."""

from wtforms.validators import ValidationError

from billing.money import VAT_LABELS, VatCode, parse_pounds
from company.ui.fields import StringField, choices

VAT_CHOICES = choices([(code.value, VAT_LABELS[code]) for code in VatCode])


class PoundsField(StringField):
    """Money typed in pounds ('1,234.50'); .pence holds integer pence once valid."""

    pence: int | None = None

    def pre_validate(self, form):
        self.pence = None
        if self.data:
            try:
                self.pence = parse_pounds(self.data)
            except ValueError as exc:
                raise ValidationError(str(exc)) from exc

    def __call__(self, **kwargs):
        kwargs.setdefault("class_", "govuk-input--width-10")
        kwargs.setdefault("inputmode", "decimal")
        return super().__call__(**kwargs)
