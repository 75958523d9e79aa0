"""The second step of signing in (a code, or setting up the app), and a person's own security
page: their second factor, recovery codes and sessions."""

import time

from flask import flash, redirect, render_template, request, session, url_for
from flask_login import current_user

from company.extensions import db
from company.links import safe_next
from company.ui.pages import refusals_on

from . import bp, second_factor, sessions
from .access import public, signed_in
from .forms import CodeForm, ConfirmIdentityForm, SetUpCodeForm
from .models import User

PENDING = "signing_in"  # in the signed cookie: who gave a right password, and when
SETUP = "totp_setup"  # the key being set up, until a code proves the app holds it
CODES_ONCE = "recovery_codes_once"
PENDING_SECONDS = 600


def home_for(user) -> str:
    return url_for("portal.home") if user.is_council else url_for("core.dashboard")


def start_second_step(user: User, next_url: str | None):
    """After a right password: on to the code, or to setting up the app, or signed in."""
    if not user.has_second_factor and not second_factor.required(user):
        sessions.sign_in(user)
        return redirect(next_url or home_for(user))
    session[PENDING] = {
        "user": user.id, "key": user.session_key, "at": int(time.time()), "next": next_url,
    }  # fmt: skip
    step = "auth.sign_in_code" if user.has_second_factor else "auth.sign_in_set_up"
    return redirect(url_for(step))


def _pending_user() -> User | None:
    pending = session.get(PENDING) or {}
    if not isinstance(pending, dict) or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None
    user = (
        db.session.get(User, pending.get("user")) if isinstance(pending.get("user"), int) else None
    )
    if user is None or not user.active or user.session_key != pending.get("key"):
        return None
    return user


def _finish_sign_in(user: User):
    next_url = (session.pop(PENDING, None) or {}).get("next")
    sessions.sign_in(user)
    return redirect(safe_next(next_url) or home_for(user))


def _start_again():
    session.pop(PENDING, None)
    flash("Sign in again: that took more than 10 minutes, or the account changed.", "important")
    return redirect(url_for("auth.sign_in"))


@bp.route("/sign-in/code", methods=["GET", "POST"])
@public
def sign_in_code():
    user = _pending_user()
    if user is None or not user.has_second_factor:
        return _start_again()
    form = CodeForm()
    if form.validate_on_submit():
        with refusals_on(form, default="code"):
            used = second_factor.check(user, form.code.data, request.remote_addr or "-")
            response = _finish_sign_in(user)
            if used == "recovery":
                left = second_factor.recovery_codes_left(user)
                flash(
                    f"You used a recovery code: {left} left. If you have lost your phone, set up "
                    "your authenticator app again from Your account.",
                    "important",
                )
            return response
    return render_template("auth/sign_in_code.html", form=form), 400 if form.errors else 200


def _setup_secret() -> str:
    secret = session.get(SETUP)
    if not isinstance(secret, str) or len(secret) != 32:
        secret = session[SETUP] = second_factor.new_secret()
    return secret


def _set_up_page(user: User, form, action: str, required: bool):
    secret = _setup_secret()
    if form.validate_on_submit():
        with refusals_on(form, default="code"):
            codes = second_factor.set_up(user, secret, form.code.data)
            session.pop(SETUP, None)
            session[CODES_ONCE] = codes
            return None
    page = render_template(
        "auth/set_up_code.html",
        form=form,
        action=action,
        required=required,
        qr=second_factor.qr_svg(user, secret),
        key=second_factor.display_key(secret),
    )
    return page, 400 if form.errors else 200


@bp.route("/sign-in/set-up", methods=["GET", "POST"])
@public
def sign_in_set_up():
    """Staff without a second factor set it up before their first page."""
    user = _pending_user()
    if user is None or user.has_second_factor:
        return _start_again()
    page = _set_up_page(user, SetUpCodeForm(), url_for("auth.sign_in_set_up"), True)
    if page is not None:
        return page
    _finish_sign_in(user)
    return redirect(url_for("auth.recovery_codes"))


@bp.route("/account/security")
@signed_in
def security():
    return render_template(
        "auth/security.html",
        left=second_factor.recovery_codes_left(current_user),
        required=second_factor.required(current_user),
        current=sessions.current(),
        others=sessions.live_others(current_user),
    )


@bp.route("/account/security/set-up", methods=["GET", "POST"])
@signed_in
def set_up_second_factor():
    if current_user.has_second_factor:
        return redirect(url_for("auth.security"))
    page = _set_up_page(
        current_user,
        SetUpCodeForm(),
        url_for("auth.set_up_second_factor"),
        second_factor.required(current_user),
    )
    return page or redirect(url_for("auth.recovery_codes"))


@bp.route("/account/security/recovery-codes")
@signed_in
def recovery_codes():
    """The codes just made, shown this once (they are stored hashed)."""
    codes = session.pop(CODES_ONCE, None)
    if not codes:
        return redirect(url_for("auth.security"))
    return render_template("auth/recovery_codes.html", codes=codes)


@bp.route("/account/security/new-recovery-codes", methods=["GET", "POST"])
@signed_in
def new_recovery_codes():
    if not current_user.has_second_factor:
        return redirect(url_for("auth.security"))
    form = ConfirmIdentityForm()
    if form.validate_on_submit():
        with refusals_on(form, default="password"):
            second_factor.confirm_identity(
                current_user, form.password.data, form.code.data, request.remote_addr or "-"
            )
            session[CODES_ONCE] = second_factor.new_recovery_codes(current_user)
            db.session.commit()
            return redirect(url_for("auth.recovery_codes"))
    return render_template("auth/new_recovery_codes.html", form=form), 400 if form.errors else 200


@bp.route("/account/security/sign-out-others", methods=["POST"])
@signed_in
def sign_out_others():
    ended = sessions.end_all(current_user, "signed out elsewhere", keep=sessions.current())
    db.session.commit()
    flash(f"Signed out of {ended} other {'session' if ended == 1 else 'sessions'}.", "success")
    return redirect(url_for("auth.security"))
