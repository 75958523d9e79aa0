"""Flatpack: the company side of a council-owned company limited by guarantee."""

from pathlib import Path

from flask import Flask
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader

from . import config as config_module
from .extensions import csrf, db, login_manager, migrate

ROOT = Path(__file__).resolve().parent.parent


def create_app(env_name: str | None = None, overrides: dict | None = None) -> Flask:
    app = Flask(__name__, instance_path=str(ROOT / "instance"))
    app.config.update(config_module.load(env_name))
    app.config.update(overrides or {})
    config_module.check(app.config)
    Path(app.instance_path).mkdir(exist_ok=True)

    app.jinja_loader = ChoiceLoader(
        [
            FileSystemLoader(str(ROOT / "templates")),
            PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}),
        ]
    )
    if app.config["TRUSTED_PROXIES"]:  # X-Forwarded-For only from the configured proxies
        from werkzeug.middleware.proxy_fix import ProxyFix

        n = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)
    from .ui import converters

    converters.register(app)  # before any blueprint's routes are added
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    login_manager.init_app(app)

    from . import auth, core, headers, jobs, members, messages, models, portal, settings  # noqa: F401
    from .auth.access import enforce
    from .ui import errors, filters, navigation, panels

    for feature in (headers, jobs, core, auth, members, messages, portal, settings):
        feature.register(app)
    from . import request_id

    request_id.register(app)
    app.before_request(enforce)
    filters.register(app)
    navigation.register(app)
    panels.register(app)
    errors.register(app)

    from .cli import register as register_cli

    register_cli(app)

    import billing

    billing.register(app)

    if app.config["OUTBOX_SEND_AFTER_REQUEST"]:
        from .jobs.tasks import send_outbox_now
        from .outbox import queued_in_request

        @app.teardown_request
        def _send_mail(exc=None):
            """Mail a request queued leaves within seconds (the worker's schedule is a minute)."""
            if exc is None and queued_in_request():
                try:
                    send_outbox_now()
                except Exception:  # noqa: BLE001 - the every-minute schedule sends it anyway
                    app.logger.exception("queueing the outbox send failed; the schedule sends it")

    return app
