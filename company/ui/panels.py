"""Named places on a page where other features add a panel, registered in their `register(app)`.

`panels.add(app, "invoice", "credit_control/_panel_invoice.html", context)` and, in the page,
`{{ panels("invoice", invoice=invoice) }}`. `context(**kwargs)` returns the panel's variables,
or None to leave it out. A page never names the features that add to it.
"""

from flask import current_app, render_template
from markupsafe import Markup

KEY = "panels"


def add(app, page: str, template: str, context=None) -> None:
    app.extensions.setdefault(KEY, {}).setdefault(page, []).append((template, context))


def render(page: str, **kwargs) -> Markup:
    parts = []
    for template, context in current_app.extensions.get(KEY, {}).get(page, []):
        extra = context(**kwargs) if context else {}
        if extra is not None:
            parts.append(render_template(template, **kwargs, **extra))
    return Markup("\n".join(parts))  # noqa: S704  (rendered by Jinja, already escaped)


def register(app) -> None:
    app.jinja_env.globals["panels"] = render
