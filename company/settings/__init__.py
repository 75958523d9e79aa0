"""The company's particulars (one row): names, numbers, bank details, the control statement."""

from flask import Blueprint

bp = Blueprint("settings", __name__)


def register(app) -> None:
    from company.auth.roles import Role
    from company.settings import views  # noqa: F401  (its routes)
    from company.ui import navigation

    app.register_blueprint(bp)
    from company.settings import disclosures

    app.jinja_env.globals["disclosures"] = disclosures.current_lines
    app.jinja_env.globals["website_disclosures"] = disclosures.website_lines
    navigation.add(app, "Settings", "settings.edit", {Role.ADMIN}, order=95)
