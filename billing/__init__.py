"""Money: everything priced, invoiced or paid. May import `company`; never the reverse.

Each feature is a package with one blueprint and a `register(app)`; `register` here calls them
(in the order of their layers) and adds the `flask billing` commands and the demo seeder.
"""

FEATURES = (
    "contributions",
    "invoices",
    "payments",
    "bank",
    "card",
    "credit_control",
    "reports",
    "extras",
)


def register(app) -> None:
    """Blueprints and commands of the billing side (called by company.create_app)."""
    from importlib import import_module

    import billing.models  # noqa: F401  (every billing table registered)
    from billing.cli import billing_cli
    from billing.demo import seed

    for name in FEATURES:
        import_module(f"billing.{name}").register(app)
    app.extensions.setdefault("demo_seeders", []).append(seed)
    app.cli.add_command(billing_cli)
