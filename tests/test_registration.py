"""Features add themselves: a new package's register(app) is all it takes to appear."""

from flask import Blueprint, render_template_string
from jinja2 import FileSystemLoader

from company import create_app
from company.auth import sessions as auth_sessions
from company.auth.access import staff
from company.auth.roles import Role
from company.ui import navigation, panels
from tests import factories
from tests.helpers import ROOT


def _noticeboard(app) -> None:
    """A made-up feature, registered the way every real one is."""
    bp = Blueprint("noticeboard", __name__)

    @bp.get("/noticeboard")
    @staff
    def list_notices():
        return render_template_string(
            '{% extends "layouts/base.html" %}{% block content %}{{ panels("notices") }}{% endblock %}'
        )

    app.register_blueprint(bp)
    navigation.add(app, "Noticeboard", "noticeboard.list_notices", {Role.DIRECTOR}, order=75)
    panels.add(app, "member", "_notice_panel.html", lambda member: {"count": 3})
    panels.add(app, "notices", "_notice_panel.html", lambda: None)  # left out: context says None


def test_a_registered_feature_adds_its_navigation_and_panels(app, ctx, tmp_path):
    (tmp_path / "_notice_panel.html").write_text(
        "<p>{{ count }} notices name {{ member.name }}</p>"
    )
    other = create_app("test", {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})
    other.jinja_loader.loaders.append(FileSystemLoader(str(tmp_path)))
    _noticeboard(other)
    member = factories.member(name="Adur District Council")
    client = other.test_client()

    def login_as(user):
        with client.session_transaction() as sess:
            sess["_user_id"], sess["_fresh"] = auth_sessions.session_id_for(user), True

    login_as(factories.user(Role.DIRECTOR))

    page = client.get("/noticeboard").get_data(as_text=True)
    nav = page.split('class="govuk-service-navigation__list"')[1].split("</ul>")[0]
    assert "Noticeboard" in nav and nav.index("Members") < nav.index("Noticeboard")
    assert "govuk-service-navigation__item--active" in nav.split("Noticeboard</")[0][-400:]
    assert "notices name" not in page
    with other.test_request_context():
        shown = render_template_string('{{ panels("member", member=m) }}', m=member)
    assert shown == "<p>3 notices name Adur District Council</p>"

    login_as(factories.user(Role.FINANCE))
    assert "Noticeboard" not in client.get("/dashboard").get_data(as_text=True)


def test_no_central_lists_name_other_features():
    """Pages do not include other features' templates; navigation names no endpoint itself."""
    root = ROOT
    templates = "\n".join(p.read_text() for p in (root / "templates").rglob("*.html"))
    assert "ignore missing" not in templates
    source = (root / "company/ui/navigation.py").read_text()
    assert "billing" not in source and "invoices." not in source and "members.list" not in source
