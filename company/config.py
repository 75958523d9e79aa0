"""Configuration, read from the environment when the app is created (see the README's table)."""

import os
from pathlib import Path

DEFAULT_SECRET = "dev-only-not-secret"  # noqa: S105 - production refuses it, see check()
INSTANCE = Path(__file__).resolve().parent.parent / "instance"


class ConfigError(RuntimeError):
    """The app refuses to start with an unsafe or incomplete configuration."""


def _bool(env, name: str, default: bool) -> bool:
    value = env.get(name)
    return default if value is None else value.strip().lower() in {"1", "true", "yes", "on"}


def load(env_name: str | None = None, env=None) -> dict:
    """Settings for `env_name` (development, test or production) from environment `env`."""
    env = os.environ if env is None else env
    env_name = env_name or env.get("FLATPACK_ENV", "development")
    if env_name not in {"development", "test", "production"}:
        raise ConfigError(
            f"FLATPACK_ENV must be development, test or production, not {env_name!r}."
        )
    production = env_name == "production"
    cfg = {
        "ENV_NAME": env_name,
        "TESTING": env_name == "test",
        "SECRET_KEY": env.get("SECRET_KEY", DEFAULT_SECRET),
        "SQLALCHEMY_DATABASE_URI": env.get("DATABASE_URL")
        or ("" if production else f"sqlite:///{INSTANCE / 'flatpack.db'}"),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "COMPANY_NAME": env.get("COMPANY_NAME", "Flatpack Councils Ltd"),
        # Where people report accessibility problems (the accessibility statement)
        "ACCESSIBILITY_CONTACT": env.get("ACCESSIBILITY_CONTACT", "secretary@flatpack.example"),
        "SERVICE_NAME": env.get("SERVICE_NAME", "Flatpack"),
        "PHASE": env.get("PHASE", "Beta"),
        "BASE_URL": env.get("BASE_URL", "http://127.0.0.1:5000").rstrip("/"),
        # Mail leaves through the outbox over SMTP; `make run` starts a console SMTP on 1025.
        "MAIL_SERVER": env.get("MAIL_SERVER", "127.0.0.1"),
        "MAIL_PORT": int(env.get("MAIL_PORT", "1025")),
        "MAIL_USERNAME": env.get("MAIL_USERNAME"),
        "MAIL_PASSWORD": env.get("MAIL_PASSWORD"),
        "MAIL_USE_TLS": _bool(env, "MAIL_USE_TLS", False),
        "MAIL_FROM": env.get("MAIL_FROM", "Flatpack <no-reply@flatpack.example>"),
        "OUTBOX_SEND_AFTER_REQUEST": _bool(env, "OUTBOX_SEND_AFTER_REQUEST", env_name != "test"),
        # The job queue (company/jobs): Redis when REDIS_URL is set, else a SQLite file. In tests
        # tasks run as they are queued (JOBS_IMMEDIATE); the queue's own tests use a real worker.
        "REDIS_URL": env.get("REDIS_URL") or None,
        "JOBS_DB": env.get("JOBS_DB", str(INSTANCE / "jobs.db")),
        "JOBS_IMMEDIATE": _bool(env, "JOBS_IMMEDIATE", env_name == "test"),
        "JOBS_BEAT_SECONDS": float(env.get("JOBS_BEAT_SECONDS", "5")),
        "JOBS_ABANDONED_AFTER_SECONDS": float(env.get("JOBS_ABANDONED_AFTER_SECONDS", "60")),
        "JOBS_UNCLAIMED_AFTER_SECONDS": float(env.get("JOBS_UNCLAIMED_AFTER_SECONDS", "900")),
        # No request body over 12 MB is read at all (a bank statement may be 10 MB); 413 instead.
        "MAX_CONTENT_LENGTH": int(env.get("MAX_CONTENT_LENGTH", str(12 * 1024 * 1024))),
        # How many reverse proxies in front of the app set X-Forwarded-For (0: trust none, so
        # the address sign-in throttling sees is the connection's own).
        "TRUSTED_PROXIES": int(env.get("TRUSTED_PROXIES", "0")),
        "SIGNIN_MAX_FAILURES_PER_ACCOUNT": 5,
        "SIGNIN_MAX_FAILURES_PER_ADDRESS": 20,
        "SIGNIN_WINDOW_MINUTES": 15,
        "PASSWORD_HASH_METHOD": "scrypt",
        # A second factor (TOTP) for staff: required unless turned off; council users may opt in.
        "TOTP_REQUIRED": _bool(env, "TOTP_REQUIRED", True),
        # Sessions end after this long idle, and in any case this long after signing in.
        "SESSION_IDLE_MINUTES_STAFF": int(env.get("SESSION_IDLE_MINUTES_STAFF", "30")),
        "SESSION_IDLE_MINUTES_COUNCIL": int(env.get("SESSION_IDLE_MINUTES_COUNCIL", "120")),
        "SESSION_LIFETIME_HOURS": int(env.get("SESSION_LIFETIME_HOURS", "12")),
        "INVITE_VALID_DAYS": 7,
        "RESET_VALID_MINUTES": 60,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "PREFERRED_URL_SCHEME": "https" if production else "http",
        "WTF_CSRF_TIME_LIMIT": None,
        # Card payments: offered only when all three Stripe keys are set.
        "STRIPE_SECRET_KEY": env.get("STRIPE_SECRET_KEY"),
        "STRIPE_PUBLISHABLE_KEY": env.get("STRIPE_PUBLISHABLE_KEY"),
        "STRIPE_WEBHOOK_SECRET": env.get("STRIPE_WEBHOOK_SECRET"),
        "STRIPE_API_BASE": env.get("STRIPE_API_BASE"),  # e.g. a local Stripe-compatible server
        # Credit control: reminder stages in days relative to the due date.
        "REMINDER_STAGES": [
            int(x) for x in env.get("REMINDER_STAGES", "-7,0,14,30").split(",")
        ],  # tokens last the session, so a long pause loses no form
    }
    if env_name == "test":
        cfg["SECRET_KEY"] = "test-secret"  # noqa: S105
        cfg["BASE_URL"] = "http://localhost"
        cfg["PASSWORD_HASH_METHOD"] = "pbkdf2:sha256:1000"  # noqa: S105 - fast; scrypt is tested too
    return cfg


def check(cfg: dict) -> None:
    """Refuse to run production with the default secret or without a real database."""
    if cfg["ENV_NAME"] != "production":
        return
    if cfg["SECRET_KEY"] in ("", DEFAULT_SECRET) or len(cfg["SECRET_KEY"]) < 16:
        raise ConfigError("SECRET_KEY must be set to a long random value in production.")
    if not cfg["SQLALCHEMY_DATABASE_URI"]:
        raise ConfigError("DATABASE_URL must be set in production.")
