"""The second factor: TOTP codes (RFC 6238) from an authenticator app, and ten single-use
recovery codes. Required for staff (admin, finance, director) unless TOTP_REQUIRED is off;
offered to council users. Codes are throttled like passwords (same attempts table, same
waits), and a code is accepted once: never again within its 30 seconds."""

import hashlib
import secrets
from datetime import UTC

import pyotp
import segno
import sqlalchemy as sa
from flask import current_app
from markupsafe import Markup

from company import audit
from company.clock import utcnow
from company.extensions import db

from . import services, sessions
from .models import RecoveryCode, SignInAttempt, User

RECOVERY_CODES = 10
CODE_PREFIX = "code:"  # attempts at a code are recorded under "code:<email>"


class CodeError(services.AuthError):
    pass


def required(user: User) -> bool:
    return not user.is_council and current_app.config["TOTP_REQUIRED"]


def new_secret() -> str:
    return pyotp.random_base32()


def display_key(secret: str) -> str:
    """The key as people type it into an app: groups of four."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def setup_uri(user: User, secret: str) -> str:
    issuer = current_app.config["SERVICE_NAME"]
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=issuer)


def qr_svg(user: User, secret: str) -> Markup:
    """The set-up QR code as inline SVG, made on the server (no script, no request elsewhere)."""
    svg = segno.make(setup_uri(user, secret), error="m").svg_inline(
        scale=5, title="QR code to scan with your authenticator app", svgclass="app-qr"
    )
    return Markup(svg)  # noqa: S704 - segno's own SVG of our own URI


def _step_matching(secret: str, code: str, after: int | None) -> int | None:
    """The time step (30 s) whose code this is, within one step either way, if later than
    `after`; else None."""
    code = "".join(code.split())
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    now_step = totp.timecode(utcnow().replace(tzinfo=UTC))
    for step in (now_step - 1, now_step, now_step + 1):
        if (after is None or step > after) and secrets.compare_digest(
            totp.generate_otp(step), code
        ):
            return step
    return None


def _hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def _normal(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def new_recovery_codes(user: User) -> list[str]:
    """Ten fresh codes, replacing any left; shown once, stored hashed. The caller commits."""
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
        db.session.add(RecoveryCode(user_id=user.id, code_hash=_hash(raw)))
    return codes


def recovery_codes_left(user: User) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(RecoveryCode.id)).where(
            RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
        )
    )


def set_up(user: User, secret: str, code: str) -> list[str]:
    """Turn the second factor on with the key the person's app now holds, proved by a code
    from it; returns the recovery codes to show once."""
    step = _step_matching(secret, code or "", None)
    if step is None:
        raise CodeError(
            "Enter the 6-digit code your authenticator app shows now for this account", "code"
        )
    user.totp_secret, user.totp_enabled_at, user.totp_last_step = secret, utcnow(), step
    codes = new_recovery_codes(user)
    audit.record("user.second_factor_set_up", "user", user.id, member_id=user.member_id, actor=user)
    services.email_user(user, "second_factor_set_up", "A second factor was set up on your account")
    db.session.commit()
    return codes


def check(user: User, code: str, address: str) -> str:
    """Check a code from the app or a recovery code, throttled; returns "app" or "recovery".
    The attempt is recorded before anything is counted, as sign-in does."""
    now = utcnow()
    key = (CODE_PREFIX + user.email)[:254]
    attempt = SignInAttempt(email=key, address=(address or "-")[:64], succeeded=False, at=now)
    db.session.add(attempt)
    db.session.commit()
    wait = services.wait_minutes(key, attempt.address, attempt.id, now)
    if wait:
        raise services.TooManyAttempts(
            f"Too many wrong codes. Wait {wait} minutes, then try again.", "code"
        )
    code = code or ""
    step = _step_matching(user.totp_secret, code, user.totp_last_step) if user.totp_secret else None
    if (
        step is not None
        and db.session.execute(  # once: two requests cannot both use it
            sa.update(User)
            .where(User.id == user.id)
            .where(sa.or_(User.totp_last_step.is_(None), User.totp_last_step < step))
            .values(totp_last_step=step)
        ).rowcount
    ):
        attempt.succeeded = True
        db.session.commit()
        db.session.refresh(user)
        return "app"
    normal = _normal(code)
    row = (
        db.session.scalar(
            sa.select(RecoveryCode).where(
                RecoveryCode.user_id == user.id,
                RecoveryCode.code_hash == _hash(normal),
                RecoveryCode.used_at.is_(None),
            )
        )
        if len(normal) == 10
        else None
    )
    if (
        row is not None
        and db.session.execute(
            sa.update(RecoveryCode)
            .where(RecoveryCode.id == row.id, RecoveryCode.used_at.is_(None))
            .values(used_at=now)
        ).rowcount
    ):
        attempt.succeeded = True
        audit.record(
            "user.recovery_code_used", "user", user.id, member_id=user.member_id, actor=user,
            changes={"left": recovery_codes_left(user)},
        )  # fmt: skip
        db.session.commit()
        return "recovery"
    raise CodeError(
        "Enter the 6-digit code from your authenticator app, or a recovery code", "code"
    )


def confirm_identity(user: User, password: str, code: str | None, address: str) -> None:
    """For a sensitive action: the password again, and a fresh code when the user has a
    second factor. Marks the session confirmed; the caller commits."""
    services.check_password_again(user, password or "", address)
    if user.has_second_factor:
        check(user, code or "", address)
    sessions.mark_confirmed()


def check_reset(user: User, actor: User | None) -> None:
    """Refuse a reset that cannot be done, before asking to confirm it."""
    if actor is not None and user.id == getattr(actor, "id", None):
        raise services.AuthError(
            "You cannot reset your own second factor: ask another company secretary, or use "
            "`flask --app wsgi users reset-second-factor` on the server"
        )
    if not user.has_second_factor:
        raise services.AuthError(f"{user.name} has no second factor set up")


def reset(user: User, actor: User | None) -> None:
    """The company secretary turns off a user's second factor (lost phone): they set it up
    again at their next sign-in; every session of theirs ends; they are emailed."""
    check_reset(user, actor)
    user.totp_secret = user.totp_enabled_at = user.totp_last_step = None
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    sessions.end_all(user, "second factor reset")
    audit.record(
        "user.second_factor_reset", "user", user.id, member_id=user.member_id,
        actor=actor or "cli",
    )  # fmt: skip
    services.email_user(user, "second_factor_reset", "Your second factor was reset")
    db.session.commit()
