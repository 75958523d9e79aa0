"""The council's own statement of account in its portal."""

from billing.reports import bp
from billing.reports.views import statement_page
from company.auth.access import council
from company.members.scoping import own_member


@bp.route("/portal/statement")
@bp.route("/portal/statement.pdf", endpoint="portal_statement_pdf")
@council
def portal_statement():
    member = own_member()
    return statement_page(member, "reports.portal_statement_pdf", "reports/statement.html")
