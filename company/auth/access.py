"""Every view declares who may use it; anything undeclared is refused.

`@public` or `@allow(Role.ADMIN, ...)` mark the view; `enforce()` runs before every request and
checks the mark, so forgetting a decorator denies access instead of opening it. A test walks
`app.url_map` and fails when a view has no mark.
"""

from collections.abc import Callable

from flask import abort, current_app, g, redirect, request, url_for
from flask_login import current_user

from .roles import COUNCIL_ROLES, STAFF_ROLES, Role

PUBLIC = "public"
SIGNED_IN = "signed-in"
ATTR = "access_rule"


def public(view: Callable) -> Callable:
    setattr(view, ATTR, PUBLIC)
    return view


def signed_in(view: Callable) -> Callable:
    """Any signed-in user, whatever the role (their own account pages)."""
    setattr(view, ATTR, SIGNED_IN)
    return view


def allow(*roles: Role) -> Callable[[Callable], Callable]:
    if not roles:
        raise ValueError("allow() needs at least one role")

    def mark(view: Callable) -> Callable:
        setattr(view, ATTR, frozenset(roles))
        return view

    return mark


# The presets, named by what they allow; views use these, never a role list of their own.
staff = allow(*STAFF_ROLES)
council = allow(*COUNCIL_ROLES)
admin = allow(Role.ADMIN)  # company users, settings, applications
finance = allow(Role.FINANCE, Role.ADMIN)  # changes money
finance_read = allow(
    Role.FINANCE, Role.ADMIN, Role.DIRECTOR
)  # reads invoices, dashboard, aged debt
registers = allow(Role.ADMIN, Role.DIRECTOR)  # statutory registers
council_admin = allow(Role.COUNCIL_ADMIN)  # a council's own users and details


def rule_for(endpoint: str | None):
    if endpoint is None:
        return None
    if endpoint == "static" or endpoint.endswith(".static"):
        return PUBLIC
    view = current_app.view_functions.get(endpoint)
    return getattr(view, ATTR, None)


def may_visit(endpoint: str) -> bool:
    """Whether the signed-in user passes `endpoint`'s rule (templates hide links that refuse)."""
    rule = rule_for(endpoint)
    if rule in (PUBLIC, SIGNED_IN):
        return rule == PUBLIC or current_user.is_authenticated
    return bool(rule) and current_user.is_authenticated and current_user.role in rule


# What a staff user without the second factor they must have may still reach: setting it up.
SET_UP_ENDPOINTS = {"auth.set_up_second_factor", "auth.recovery_codes", "auth.sign_out"}


def _must_set_up(user) -> bool:
    from .second_factor import required

    return not user.has_second_factor and required(user)


def enforce():
    """before_request hook: 404s pass through to Flask; undeclared views are refused."""
    if request.endpoint is None:
        return None
    rule = rule_for(request.endpoint)
    if rule is None:
        current_app.logger.error("view %s has no access rule; refused", request.endpoint)
        abort(403)
    if rule == PUBLIC:
        return None
    if not current_user.is_authenticated:
        ended = {"ended": "idle"} if g.get("session_ended") == "idle" else {}
        return redirect(url_for("auth.sign_in", next=request.full_path.rstrip("?"), **ended))
    if request.endpoint not in SET_UP_ENDPOINTS and _must_set_up(current_user):
        return redirect(url_for("auth.set_up_second_factor"))
    if rule == SIGNED_IN:
        return None
    if current_user.role not in rule:
        abort(403)
    return None
