"""Money: everything priced, invoiced or paid. May import `company`; never the reverse."""


def register(app) -> None:
    """Blueprints and commands of the billing side (called by company.create_app)."""
    from .cli import billing_cli
    from .portal import bp as portal_bp
    from .views import bp

    app.register_blueprint(bp)
    app.register_blueprint(portal_bp)
    from .payments import bank_views, credit_control_views, stripe_views
    from .payments import views as payment_views

    for module in (payment_views, bank_views, stripe_views, credit_control_views):
        app.register_blueprint(module.bp)
    app.register_blueprint(payment_views.portal_bp)
    from .extras import portal_views as extras_portal
    from .extras import views as extras_views

    app.register_blueprint(extras_views.bp)
    app.register_blueprint(extras_portal.bp)
    from .demo import seed

    app.extensions.setdefault("demo_seeders", []).append(seed)
    app.cli.add_command(billing_cli)
