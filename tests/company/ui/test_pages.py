"""The one refusal shape: a service's FieldError is rolled back, then shown on its form or flashed."""

import ast

import pytest
from flask import get_flashed_messages
from flask_wtf import FlaskForm
from wtforms import StringField

from company.errors import FieldError
from company.extensions import db
from company.ui.pages import refusals_flashed, refusals_on
from tests import factories, layers


class TwoFields(FlaskForm):
    class Meta:
        csrf = False

    name = StringField()
    reason = StringField()


def _renamed(member):
    """A change flushed to the database but not committed, as a service's would be."""
    member.name = "Renamed by a refused call"
    db.session.flush()


@pytest.mark.parametrize(
    "field, kwargs, shown_on",
    [
        ("reason", {}, "reason"),
        (None, {}, "name"),
        (None, {"default": "reason"}, "reason"),
        ("lines", {"lines": "reason"}, "reason"),
        ("nonsuch", {}, "name"),
    ],
)
def test_a_refusal_is_rolled_back_and_shown_on_its_field(app, ctx, field, kwargs, shown_on):
    member = factories.member(name="Kept Council")
    with app.test_request_context("/", method="POST"):
        form = TwoFields()
        with refusals_on(form, **kwargs):
            _renamed(member)
            raise FieldError("Enter a reason", field)
        assert form[shown_on].errors == ["Enter a reason"]
        assert [f.name for f in form if f.errors] == [shown_on]
        assert member.name == "Kept Council"


def test_a_button_refusal_is_rolled_back_and_flashed(app, ctx):
    member = factories.member(name="Kept Council")
    with app.test_request_context("/", method="POST"):
        with refusals_flashed():
            _renamed(member)
            raise FieldError("Already issued")
        assert get_flashed_messages(with_categories=True) == [("error", "Already issued")]
        assert member.name == "Kept Council"


def test_other_errors_are_not_swallowed(app, ctx):
    with (
        app.test_request_context("/", method="POST"),
        pytest.raises(KeyError),
        refusals_on(TwoFields()),
    ):
        raise KeyError("a bug")


# Views that still catch a refusal themselves, and why.
HAND_WRITTEN = {
    ("company.auth.views", "_set_password"): "an invalid link is its own page, not a refusal",
    (
        "billing.invoices.views",
        "issue_invoice",
    ): "commits the hold reason found while trying to issue",
    (
        "billing.contributions.views",
        "run_contributions",
    ): "a preview that cannot be worked out is shown in the page",
    ("billing.bank.views", "index"): "an import lists every bad row, not one message",
    ("billing.reports.views", "aged_debt"): "a date typed in the address, not a service refusal",
}


def test_views_show_refusals_through_the_helpers():
    found = set()
    for module, path in layers.modules().items():
        if not path.name.endswith(("views.py", "portal.py")):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef):
                for inner in ast.walk(node):
                    if isinstance(inner, ast.ExceptHandler) and "Error" in ast.unparse(inner.type):
                        found.add((module, node.name))
    assert found <= set(HAND_WRITTEN), sorted(found - set(HAND_WRITTEN))
