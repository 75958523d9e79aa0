"""Bank statements: import, automatic matching and finance's review."""

from flask import Blueprint

bp = Blueprint("bank", __name__)


def register(app) -> None:
    from billing.bank import views  # noqa: F401  (their routes)
    from company.auth.roles import Role
    from company.ui import navigation

    app.register_blueprint(bp)
    navigation.also_current(app, "payments.list_payments", "bank")
    navigation.add(
        app,
        "Bank statements",
        "bank.index",
        {Role.ADMIN, Role.FINANCE},
        active=("bank",),
        order=2,
        group="payments",
    )
