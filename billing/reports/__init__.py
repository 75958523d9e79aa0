"""Reports: statements of account, aged debt, the finance dashboard and exports."""

from flask import Blueprint

bp = Blueprint("reports", __name__)


def register(app) -> None:
    from billing.reports import portal, views  # noqa: F401  (their routes)
    from company.auth.roles import COUNCIL_ROLES, Role
    from company.ui import navigation

    app.register_blueprint(bp)
    finance = {Role.ADMIN, Role.FINANCE}
    readers = {Role.ADMIN, Role.FINANCE, Role.DIRECTOR}  # directors read, never act
    statements = ("reports.statements", "reports.member_statement", "reports.member_statement_pdf")
    pages = ("reports.dashboard", "reports.aged_debt", "reports.aged_debt_csv")
    exports = ("reports.exports", "reports.export_csv")
    navigation.add(
        app, "Reports", "reports.dashboard", readers, active=pages + statements + exports, order=55
    )
    for label, endpoint, roles, active, order in [
        ("Dashboard", "reports.dashboard", readers, (), 1),
        ("Aged debt", "reports.aged_debt", readers, ("reports.aged_debt_csv",), 2),
        ("Statements", "reports.statements", finance, statements, 3),
        ("Exports", "reports.exports", finance, exports, 4),
    ]:
        navigation.add(app, label, endpoint, roles, active=active, order=order, group="reports")
    navigation.add(
        app,
        "Statement",
        "reports.portal_statement",
        COUNCIL_ROLES,
        active=("reports.portal_statement_pdf",),
        order=230,
    )
