"""WTForms fields that render themselves with govuk-frontend-jinja macros.

Templates write `{{ form.email }}` (or `{{ form.email(hint="…") }}`) and get the GOV.UK
component with label, hint and error message. Error wording follows the design system.
"""

import re
from datetime import date

from flask import current_app
from markupsafe import Markup
from wtforms import fields
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

COMPONENTS = "govuk_frontend_jinja/components/{}/macro.html"


def render_macro(component: str, macro: str, params: dict) -> Markup:
    template = current_app.jinja_env.get_template(COMPONENTS.format(component))
    return Markup(getattr(template.module, macro)(params))  # noqa: S704 - autoescaped template output


def _error(field):
    return {"text": field.errors[0]} if field.errors else None


def _hint(field, kwargs):
    text = kwargs.pop("hint", None) or field.description
    return {"text": text} if text else None


def _label(field, kwargs, classes="govuk-label--s"):
    label = {"text": field.label.text, "classes": kwargs.pop("label_class", classes)}
    if kwargs.pop("page_heading", False):
        label.update(isPageHeading=True, classes="govuk-label--l")
    return label


class GovInput:
    input_type = "text"

    def __call__(self, field, **kwargs):
        params = {
            "id": field.id,
            "name": field.name,
            "type": kwargs.pop("type", self.input_type),
            "label": _label(field, kwargs),
            "hint": _hint(field, kwargs),
            "value": field._value(),
            "errorMessage": _error(field),
            "classes": kwargs.pop("class_", kwargs.pop("classes", "")),
        }
        for key in ("autocomplete", "spellcheck", "inputmode"):
            if key in kwargs:
                params[key] = kwargs.pop(key)
        return render_macro("input", "govukInput", params)


class GovEmail(GovInput):
    input_type = "email"


class GovPassword:
    def __call__(self, field, **kwargs):
        return render_macro(
            "password-input",
            "govukPasswordInput",
            {
                "id": field.id,
                "name": field.name,
                "label": _label(field, kwargs),
                "hint": _hint(field, kwargs),
                "errorMessage": _error(field),
                "autocomplete": kwargs.pop("autocomplete", "current-password"),
            },
        )


class GovTextarea:
    def __call__(self, field, **kwargs):
        return render_macro(
            "textarea",
            "govukTextarea",
            {
                "id": field.id,
                "name": field.name,
                "label": _label(field, kwargs),
                "hint": _hint(field, kwargs),
                "value": field._value(),
                "rows": kwargs.pop("rows", 4),
                "errorMessage": _error(field),
            },
        )


class GovSelect:
    def __call__(self, field, **kwargs):
        items = [
            {"value": c.value, "text": c.label, "selected": c.selected}
            for c in field.iter_choices()
        ]
        return render_macro(
            "select",
            "govukSelect",
            {
                "id": field.id,
                "name": field.name,
                "label": _label(field, kwargs),
                "hint": _hint(field, kwargs),
                "items": items,
                "errorMessage": _error(field),
            },
        )


class GovRadios:
    def __call__(self, field, **kwargs):
        items = [
            {"value": c.value, "text": c.label, "checked": c.selected} for c in field.iter_choices()
        ]
        return render_macro(
            "radios",
            "govukRadios",
            {
                "idPrefix": field.id,
                "name": field.name,
                "classes": kwargs.pop("classes", ""),
                "fieldset": {
                    "legend": {"text": field.label.text, "classes": "govuk-fieldset__legend--s"}
                },
                "hint": _hint(field, kwargs),
                "items": items,
                "errorMessage": _error(field),
            },
        )


class GovCheckbox:
    def __call__(self, field, **kwargs):
        return render_macro(
            "checkboxes",
            "govukCheckboxes",
            {
                "idPrefix": field.id,
                "name": field.name,
                "classes": "govuk-checkboxes--small",
                "items": [
                    {
                        "value": "y",
                        "text": field.label.text,
                        "checked": bool(field.data),
                        "hint": _hint(field, kwargs),
                        "id": field.id,
                    }
                ],
                "errorMessage": _error(field),
            },
        )


class GovDate:
    def __call__(self, field, **kwargs):
        parts = field.raw_parts
        bad = set(field.bad_parts) if field.errors else set()

        def item(part, label, width):
            classes = f"govuk-input--width-{width}"
            if part in bad:
                classes += " govuk-input--error"
            value = re.sub(r"[\x00-\x1f]", "", parts.get(part, ""))[:20]  # shown back, tamed
            return {"name": part, "label": label, "value": value, "classes": classes}

        return render_macro(
            "date-input",
            "govukDateInput",
            {
                "id": field.id,
                "namePrefix": field.name,
                "fieldset": {
                    "legend": {"text": field.label.text, "classes": "govuk-fieldset__legend--s"}
                },
                "hint": _hint(field, kwargs) or {"text": "For example, 27 3 2026"},
                "items": [
                    item("day", "Day", 2),
                    item("month", "Month", 2),
                    item("year", "Year", 4),
                ],
                "errorMessage": _error(field),
            },
        )


def choices(pairs) -> list[SelectChoice]:
    """(value, label) pairs as WTForms choices."""
    return [SelectChoice(value, label) for value, label in pairs]


class StringField(fields.StringField):
    widget = GovInput()

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if isinstance(self.data, str):
            self.data = self.data.strip()


class IntegerField(fields.IntegerField):
    widget = GovInput()

    def process_formdata(self, valuelist):
        if valuelist and valuelist[0].strip():
            try:
                self.data = int(valuelist[0].strip())
            except ValueError as exc:
                self.data = None
                raise ValueError(f"{self.label.text} must be a whole number") from exc
        elif valuelist:
            self.data = None

    def __call__(self, **kwargs):
        kwargs.setdefault("inputmode", "numeric")
        kwargs.setdefault("class_", "govuk-input--width-5")
        return super().__call__(**kwargs)


class EmailField(StringField):
    widget = GovEmail()

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data:
            self.data = self.data.lower()


class PasswordField(fields.PasswordField):
    widget = GovPassword()


class TextAreaField(fields.TextAreaField):
    widget = GovTextarea()

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if isinstance(self.data, str):
            self.data = self.data.strip()


class SelectField(fields.SelectField):
    widget = GovSelect()

    def pre_validate(self, form):
        if self.data in (None, ""):
            return  # nothing chosen: the field's own validators say what to do
        super().pre_validate(form)


class RadioField(fields.RadioField):
    widget = GovRadios()


class BooleanField(fields.BooleanField):
    widget = GovCheckbox()


class DateField(fields.Field):
    """GOV.UK date input: three boxes named `<name>-day`, `-month`, `-year`.

    Missing or impossible parts give the design system's messages and never a 500.
    """

    widget = GovDate()

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.submitted: dict[str, str] | None = None  # what was typed, kept even when invalid
        self.bad_parts: list[str] = []

    @property
    def raw_parts(self) -> dict[str, str]:
        """What the boxes show: the submitted text, else the current date value."""
        if self.submitted is not None:
            return self.submitted
        if isinstance(self.data, date):
            return {
                "day": str(self.data.day),
                "month": str(self.data.month),
                "year": str(self.data.year),
            }
        return {}

    def process(self, formdata, data=fields.core.unset_value, extra_filters=None):
        self.process_errors = []
        self.submitted = None
        self.bad_parts = []
        self.data = None if data is fields.core.unset_value else data
        if self.data is None and self.default is not None:
            self.data = self.default() if callable(self.default) else self.default
        if formdata is not None and any(
            f"{self.name}-{p}" in formdata for p in ("day", "month", "year")
        ):
            self.submitted = {
                p: (formdata.get(f"{self.name}-{p}") or "").strip()
                for p in ("day", "month", "year")
            }
            self.data = None
            self._parse()

    min_year, max_year = 1900, 2099

    def _parse(self):
        parts = self.raw_parts
        name = self.label.text
        order = ("day", "month", "year")
        missing = [p for p in order if not parts[p]]
        if len(missing) == 3:
            return  # empty: Optional/required handled by validators
        if missing:
            self._refuse(missing, f"{name} must include a {' and '.join(missing)}")
            return
        for part in order:  # digits only (no signs, spaces, NUL bytes), and not too many
            text = parts[part]
            if not re.fullmatch(r"[0-9]+", text):
                self._refuse([part], f"{name} must be a real date: the {part} must be a number")
                return
            if len(text) > 2 and part != "year":
                self._refuse([part], f"{name} must be a real date")
                return
        if len(parts["year"]) != 4:
            self._refuse(["year"], "Year must include 4 numbers")
            return
        day, month, year = (int(parts[p]) for p in order)
        if not 1 <= month <= 12:
            self._refuse(["month"], f"{name} must be a real date: the month must be 1 to 12")
            return
        if not self.min_year <= year <= self.max_year:
            self._refuse(["year"], f"Year must be between {self.min_year} and {self.max_year}")
            return
        try:
            self.data = date(year, month, day)
        except ValueError:
            self._refuse(["day"], f"{name} must be a real date")

    def _refuse(self, parts: list[str], message: str) -> None:
        self.bad_parts = parts
        self.process_errors.append(message)

    def pre_validate(self, form):
        if self.process_errors:
            raise fields.core.StopValidation()

    @property
    def error_anchor(self) -> str:
        return f"{self.id}-{(self.bad_parts or ['day'])[0]}"


class Required:
    """DataRequired with GOV.UK wording; works for date fields too (via field flags)."""

    field_flags = {"required": True}

    def __init__(self, message: str):
        self.message = message

    def __call__(self, form, field):
        if isinstance(field, DateField):
            if field.data is None and not field.process_errors:
                field.bad_parts = ["day", "month", "year"]
                raise fields.core.StopValidation(self.message)
            return
        if field.data is None or (isinstance(field.data, str) and not field.data.strip()):
            field.errors[:] = []
            raise fields.core.StopValidation(self.message)


def error_anchor(field) -> str:
    return field.error_anchor if isinstance(field, DateField) else field.id


def error_list(form) -> list[dict]:
    """Items for govukErrorSummary, in field order, each linking to the field."""
    return [
        {"text": field.errors[0], "href": f"#{error_anchor(field)}"}
        for field in form
        if field.errors
    ]


__all__ = [
    "BooleanField",
    "DateField",
    "EmailField",
    "IntegerField",
    "PasswordField",
    "RadioField",
    "Required",
    "SelectField",
    "StringField",
    "TextAreaField",
    "ValidationError",
    "choices",
    "error_list",
]
