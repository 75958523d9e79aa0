"""Service navigation: each feature adds its own items in its `register(app)`; nothing here
names another package's pages.

`add(app, label, endpoint, roles, active=…, order=…)` puts an item in the header for those roles;
`active` lists the blueprints or endpoints for which it is the current section. An item given a
`group` appears instead in that group's sub-navigation (`sub_navigation("payments")`).
`also_current(app, item_endpoint, *names)` lets a feature say its pages sit under another's header
item (sub-navigation items are current only for their own `active` pages).
Templates call `may_visit(endpoint)` to leave out a link the reader's role would be refused.
"""

from dataclasses import dataclass

from flask import current_app, request, url_for
from flask_login import current_user

from company.auth.access import may_visit
from company.auth.roles import Role

ANONYMOUS = [("Apply to join", "members.apply"), ("Sign in", "auth.sign_in")]
KEY = "navigation"
ALSO = "navigation_also_current"


@dataclass(frozen=True)
class Item:
    label: str
    endpoint: str
    roles: frozenset[Role]
    active: tuple[str, ...]
    order: int
    group: str | None

    def is_current(self, endpoint: str, blueprint: str | None) -> bool:
        also = current_app.extensions.get(ALSO, {}).get(self.endpoint, ()) if not self.group else ()
        active = {*self.active, *also}
        return endpoint == self.endpoint or endpoint in active or blueprint in active


def add(app, label: str, endpoint: str, roles, active=(), order: int = 100, group=None) -> None:
    items = app.extensions.setdefault(KEY, [])
    items.append(Item(label, endpoint, frozenset(roles), tuple(active), order, group))
    items.sort(key=lambda item: item.order)


def also_current(app, item_endpoint: str, *names: str) -> None:
    app.extensions.setdefault(ALSO, {}).setdefault(item_endpoint, set()).update(names)


def _items(group: str | None) -> list[Item]:
    return [i for i in current_app.extensions.get(KEY, []) if i.group == group]


def _links(items) -> list[dict]:
    endpoint = request.endpoint or ""
    return [
        {
            "text": i.label,
            "href": url_for(i.endpoint),
            "active": i.is_current(endpoint, request.blueprint),
        }
        for i in items
    ]


def navigation() -> list[dict]:
    if not current_user.is_authenticated:
        return [
            {"text": label, "href": url_for(ep), "active": request.endpoint == ep}
            for label, ep in ANONYMOUS
        ]
    return _links(i for i in _items(None) if current_user.role in i.roles)


def sub_navigation(group: str) -> list[dict]:
    if not current_user.is_authenticated:
        return []
    return _links(i for i in _items(group) if current_user.role in i.roles)


def register(app) -> None:
    app.jinja_env.globals["service_navigation"] = navigation
    app.jinja_env.globals["sub_navigation"] = sub_navigation
    app.jinja_env.globals["may_visit"] = may_visit
