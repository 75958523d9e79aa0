"""Service navigation: what each role sees in the header."""

from flask import request, url_for
from flask_login import current_user

from company.auth.roles import Role

# (label, endpoint, roles allowed); the first matching endpoint prefix marks the active item.
ITEMS = [
    ("Home", "core.dashboard", {Role.ADMIN, Role.FINANCE, Role.DIRECTOR}),
    ("Applications", "members.list_applications", {Role.ADMIN}),
    ("Invoices", "invoices.list_invoices", {Role.ADMIN, Role.FINANCE, Role.DIRECTOR}),
    ("Extras", "extras.list_orders", {Role.ADMIN, Role.FINANCE}),
    ("Payments", "payments.list_payments", {Role.ADMIN, Role.FINANCE}),
    ("Contributions", "contributions.list_schedules", {Role.ADMIN, Role.FINANCE}),
    ("Members", "members.list_members", {Role.ADMIN, Role.FINANCE, Role.DIRECTOR}),
    ("Register of members", "members.register", {Role.ADMIN, Role.DIRECTOR}),
    ("Users", "auth.list_users", {Role.ADMIN}),
    ("Settings", "settings.edit", {Role.ADMIN}),
    ("Your council", "portal.home", {Role.COUNCIL_USER, Role.COUNCIL_ADMIN}),
    ("Invoices", "invoices.portal_list_invoices", {Role.COUNCIL_USER, Role.COUNCIL_ADMIN}),
    ("Extras", "extras.portal_list_orders", {Role.COUNCIL_USER, Role.COUNCIL_ADMIN}),
    ("Statement", "reports.portal_statement", {Role.COUNCIL_USER, Role.COUNCIL_ADMIN}),
    ("Users", "portal.users", {Role.COUNCIL_USER, Role.COUNCIL_ADMIN}),
]
ANONYMOUS = [("Apply to join", "members.apply"), ("Sign in", "auth.sign_in")]
ACTIVE_GROUPS = {
    "members.list_applications": ("members.list_applications", "members.show_application"),
    "members.list_members": (
        "members.list_members",
        "members.show_member",
        "members.add_member",
        "members.edit_task",
        "members.invite_user",
    ),
    "auth.list_users": ("auth.",),
    "portal.users": ("portal.users", "portal.invite_user", "portal.remove_user"),
    "portal.home": ("portal.home", "portal.edit_details"),
    "invoices.list_invoices": (
        "invoices.list_invoices",
        "invoices.show_invoice",
        "invoices.new_invoice",
        "invoices.credit_invoice",
        "invoices.invoice_document",
    ),
    "contributions.list_schedules": (
        "contributions.list_schedules",
        "contributions.show_schedule",
        "contributions.run_contributions",
        "contributions.show_run",
    ),
    "invoices.portal_list_invoices": ("member_billing.", "card.portal_pay", "card.portal_paying"),
    "payments.list_payments": (
        "payments.",
        "bank.",
        "credit_control.",
        "card.list_payments",
        "card.show_payment",
    ),
    "reports.portal_statement": ("portal_statement.",),
    "extras.list_orders": ("extras.",),
    "extras.portal_list_orders": ("member_extras.",),
}


def navigation() -> list[dict]:
    endpoint = request.endpoint or ""
    if current_user.is_authenticated:
        items = [(label, ep) for label, ep, roles in ITEMS if current_user.role in roles]
    else:
        items = ANONYMOUS
    return [
        {
            "text": label,
            "href": url_for(ep),
            "active": endpoint == ep or endpoint.startswith(ACTIVE_GROUPS.get(ep, (ep,))),
        }
        for label, ep in items
    ]


def register(app) -> None:
    @app.context_processor
    def _nav():
        return {"service_navigation": navigation}
