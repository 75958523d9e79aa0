"""The dependency rules of the code, checked on its import graph (see README, "Map of the code").

1. `company` never imports `billing`, except in `create_app` (the composition root).
2. Billing features import only features below them (BILLING_LAYERS), and never another
   feature's `views`, `portal` or `api`.
3. No module imports a `_private` name from another module.
4. A company feature (`company/<feature>/`) imports platform modules and the foundation features
   (auth, members, settings) only: the board, members' decisions and filings can never reach
   billing or the portal.
5. No import circles at import time (imports inside `register`/`create_app` compose the app and
   do not count).
"""

from tests import layers
from tests.layers import Edge

# The composition functions: they may import anything.
COMPOSERS = {"create_app", "register"}
FOUNDATION = {"auth", "members", "settings"}
PLATFORM_PACKAGES = {"ui", "pdf", "data", "static"}
NEXT_WAVE = {"board", "resolutions", "filings"}
# Lowest first: a billing module may import the billing modules listed before its own layer.
# The ledger sits on the invoice and payment models and under every service that moves money.
BILLING_LAYERS = [
    {"billing.money"},
    {"billing.fields", "billing.invoices.models", "billing.payments.models"},
    {"billing.ledger", "billing.balances"},
    {"billing.invoices"},
    {"billing.payments"},
    {
        "billing.contributions",
        "billing.extras",
        "billing.bank",
        "billing.card",
        "billing.credit_control",
        "billing.reports",
        "billing.balances_cli",
    },
    {"billing.cli", "billing.demo", "billing.models", "billing"},
]
WEB_MODULES = {"views", "portal", "api"}


def _company_feature(module: str) -> str | None:
    """`company.<feature>...` for a feature package (a folder; the next wave's by name)."""
    parts = module.split(".")
    if parts[0] != "company" or len(parts) < 2 or parts[1] in PLATFORM_PACKAGES:
        return None
    name = parts[1]
    return name if name in NEXT_WAVE or (layers.ROOT / "company" / name).is_dir() else None


def company_imports_billing(edges) -> list[Edge]:
    return [
        e
        for e in edges
        if e.source.startswith("company")
        and e.target.split(".")[0] == "billing"
        and not (e.source == "company" and e.function == "create_app")
    ]


def _layer(module: str) -> int | None:
    """The layer of the most specific entry naming `module` or a package holding it."""
    found = [
        (len(name), rank)
        for rank, names in enumerate(BILLING_LAYERS)
        for name in names
        if module == name or module.startswith(name + ".")
    ]
    return max(found)[1] if found else None


def _billing_feature(module: str) -> str:
    return ".".join(module.split(".")[:2])


def billing_upward(edges) -> list[Edge]:
    found = []
    for e in edges:
        if not (e.source.startswith("billing") and e.target.startswith("billing")):
            continue
        if e.function in COMPOSERS or _billing_feature(e.source) == _billing_feature(e.target):
            continue
        source, target = _layer(e.source), _layer(e.target)
        if (
            source is None
            or target is None
            or target >= source
            or e.target.rpartition(".")[2] in WEB_MODULES
        ):
            found.append(e)
    return found


def private_imports(edges) -> list[Edge]:
    return [e for e in edges if e.source != e.target and any(n.startswith("_") for n in e.names)]


def company_feature_breaches(edges) -> list[Edge]:
    found = []
    for e in edges:
        source = _company_feature(e.source)
        if source is None or e.function in COMPOSERS:
            continue
        if e.target.split(".")[0] == "billing":
            found.append(e)
            continue
        target = _company_feature(e.target)
        if target is None or target == source:
            continue
        if target not in FOUNDATION:
            found.append(e)
    return found


def import_time_edges(edges) -> list[Edge]:
    return [e for e in edges if e.function not in COMPOSERS]


# Breaches being removed; empty now, and kept as the place to list one (it may only shrink).
KNOWN = {
    "company_imports_billing": set(),
    "billing_upward": set(),
    "private_imports": set(),
    "company_feature_breaches": set(),
    "cycles": [],
}


def _labels(found: list[Edge]) -> set[str]:
    return {f"{e.source} -> {e.target}" for e in found}


def test_company_never_imports_billing():
    assert _labels(company_imports_billing(layers.edges())) <= KNOWN["company_imports_billing"]


def test_billing_features_import_only_downward():
    assert _labels(billing_upward(layers.edges())) <= KNOWN["billing_upward"]


def test_no_private_names_imported_across_modules():
    assert _labels(private_imports(layers.edges())) <= KNOWN["private_imports"]


def test_company_features_import_only_the_foundation():
    assert _labels(company_feature_breaches(layers.edges())) <= KNOWN["company_feature_breaches"]


def test_no_import_circles():
    assert layers.cycles(import_time_edges(layers.edges())) == KNOWN["cycles"]


def test_the_rules_catch_what_they_forbid():
    """Each rule, fed a made-up breach, reports it (so the checks above can fail)."""
    bad = [
        Edge("company.board.services", "billing.ledger", 3, None, ("owed",)),
        Edge("company.board.views", "company.portal.views", 4, None, ()),
        Edge("billing.invoices.services", "billing.card.services", 5, None, ()),
        Edge("billing.reports.views", "billing.invoices.views", 6, None, ()),
        Edge("billing.reports.views", "company.members.views", 7, None, ("_attach",)),
        Edge("company.a", "company.b", 8, None, ()),
        Edge("company.b", "company.a", 9, None, ()),
        Edge("company.c", "company.d", 10, "register", ()),
        Edge("company.d", "company.c", 11, None, ()),
    ]
    assert _labels(company_imports_billing(bad)) == {"company.board.services -> billing.ledger"}
    assert _labels(company_feature_breaches(bad)) == {
        "company.board.services -> billing.ledger",
        "company.board.views -> company.portal.views",
    }
    assert _labels(billing_upward(bad)) == {
        "billing.invoices.services -> billing.card.services",
        "billing.reports.views -> billing.invoices.views",
    }
    assert _labels(private_imports(bad)) == {"billing.reports.views -> company.members.views"}
    assert layers.cycles(import_time_edges(bad)) == [["company.a", "company.b"]]
