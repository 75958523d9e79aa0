"""Reports: statements of account, aged debt, the finance dashboard and exports."""

from flask import Blueprint

bp = Blueprint("reports", __name__)


def register(app) -> None:
    from billing.reports import portal, views  # noqa: F401  (their routes)
    from company.auth.roles import COUNCIL_ROLES
    from company.ui import navigation

    app.register_blueprint(bp)
    navigation.also_current(
        app,
        "payments.list_payments",
        "reports.member_statement",
        "reports.member_statement_pdf",
        "reports.aged_debt",
        "reports.aged_debt_csv",
        "reports.dashboard",
        "reports.exports",
        "reports.export_csv",
    )
    navigation.add(
        app,
        "Statement",
        "reports.portal_statement",
        COUNCIL_ROLES,
        active=("reports.portal_statement_pdf",),
        order=230,
    )
