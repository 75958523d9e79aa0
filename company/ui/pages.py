"""What views do the same way: show a service's refusal, send a CSV or PDF file.

A refusal is a `FieldError` raised by a service. `refusals_on(form)` shows it against its field,
`refusals_flashed()` as an error banner; both roll back first, so nothing the refused call wrote
is left in the session.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Response, flash, g, render_template, request

from company.errors import FieldError
from company.extensions import db


@contextmanager
def refusals_on(
    form, default: str | None = None, flash_unplaced: bool = False, **aliases: str
) -> Iterator[None]:
    """A FieldError raised inside is rolled back and shown against its field.

    A refusal naming no field goes on `default` (or the form's first field), or is flashed when
    `flash_unplaced`; `aliases` maps a service's field name to the form's (`lines="description_1"`).
    """
    try:
        yield
    except FieldError as exc:
        db.session.rollback()
        if flash_unplaced and not exc.field:
            flash(str(exc), "error")
        else:
            show_on(form, exc, default, **aliases)


def show_on(form, exc: FieldError, default: str | None = None, **aliases: str) -> None:
    """Put a refusal on its form field (or the default or first field when it names none)."""
    name = aliases.get(exc.field, exc.field) if exc.field else None
    field = getattr(form, name, None) if name else None
    field = field or (getattr(form, default) if default else None)
    field = field or next(f for f in form if f.name != "csrf_token")
    field.errors = [*field.errors, str(exc)]


@contextmanager
def refusals_flashed() -> Iterator[None]:
    """For button-only POSTs: a FieldError raised inside is rolled back and flashed."""
    try:
        yield
    except FieldError as exc:
        db.session.rollback()
        flash(str(exc), "error")


CONFIRM = "confirm"


IDENTITY_FIELDS = ("identity_password", "identity_code")


def confirmed(identity: bool = False) -> bool:
    """True when the POST came from a confirmation page (its form sends `confirm=yes`) and,
    for a sensitive action (`identity=True`: refunds, approving a schedule, the company's bank
    details or VAT number, a user's role), the person gave their password and a fresh code from
    their authenticator app on it. A wrong one shows the confirmation page again, saying why."""
    if request.form.get(CONFIRM) != "yes":
        return False
    if not identity:
        return True
    from flask_login import current_user

    from company.auth import second_factor

    try:
        second_factor.confirm_identity(
            current_user,
            request.form.get("identity_password", ""),
            request.form.get("identity_code", ""),
            request.remote_addr or "-",
        )
    except FieldError as exc:
        db.session.rollback()
        g.identity_error = exc
        return False
    return True


def confirmation(
    *,
    title: str,
    action: str,
    button: str,
    cancel: str,
    caption: str | None = None,
    rows: list[tuple[str, str]] = (),
    points: list[str] = (),
    warning: str = "This cannot be undone.",
    destructive: bool = False,
    identity: bool = False,
):
    """The page an irreversible action shows before it acts: what will happen, then one button.

    The button POSTs to `action` again with everything the first POST carried plus `confirm=yes`,
    so the action's view runs its checks twice and acts only the second time (see `confirmed`).
    """
    carried = [
        (name, value)
        for name, values in request.form.lists()
        if name not in ("csrf_token", CONFIRM, *IDENTITY_FIELDS)
        for value in values
    ]
    error = g.pop("identity_error", None) if identity else None
    page = render_template(
        "components/confirm.html",
        title=title,
        caption=caption,
        action=action,
        button=button,
        cancel=cancel,
        rows=list(rows),
        points=list(points),
        warning=warning,
        destructive=destructive,
        carried=carried,
        identity=identity,
        identity_error=error,
    )
    return (page, 400) if error else page


def csv_response(text: str, filename: str) -> Response:
    return Response(
        text,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def pdf_response(data: bytes, filename: str, download: bool = False) -> Response:
    disposition = "attachment" if download else "inline"
    return Response(
        data,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'{disposition}; filename="{filename}"'},
    )
