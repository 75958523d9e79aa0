"""Sign-in, invitations, password resets and user changes. Views and CLI call these."""

import hashlib
import secrets
from datetime import timedelta
from functools import cache

import sqlalchemy as sa
from flask import current_app, render_template
from werkzeug.security import check_password_hash, generate_password_hash

from company import audit, outbox
from company.clock import utcnow
from company.errors import FieldError
from company.extensions import db
from company.links import external_url

from . import sessions
from .models import AuthToken, SignInAttempt, User
from .roles import COUNCIL_ROLES, STAFF_ROLES, Role

INVITE, RESET = "invite", "reset"
MIN_PASSWORD = 12


@cache
def _dummy_hash(method: str) -> str:
    """Checked when the account does not exist, so the time taken does not reveal it."""
    return generate_password_hash("not-a-real-password", method=method)


class AuthError(FieldError):
    """A refusal with a message fit to show the person."""


class TooManyAttempts(AuthError):
    pass


class TokenInvalid(AuthError):
    pass


def hash_password(password: str) -> str:
    # scrypt (salted) by default; the test suite sets a cheaper method for speed.
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


# The commonest passwords of 12 characters or more in published breach lists, lower-cased.
COMMON_PASSWORDS = frozenset(
    [
        "123456789012",
        "1234567890123",
        "12345678901234",
        "1234567890qwerty",
        "1q2w3e4r5t6y",
        "1qaz2wsx3edc",
        "password1234",
        "password12345",
        "password123456",
        "passwordpassword",
        "qwertyuiop12",
        "qwertyuiop123",
        "qwerty123456",
        "qwertyuiopasdf",
        "iloveyou1234",
        "letmein12345",
        "welcome12345",
        "welcome123456",
        "administrator",
        "administrator1",
        "changeme1234",
        "abcdefghijkl",
        "abcd12345678",
        "asdfghjkl123",
        "football1234",
        "baseball1234",
        "monkey123456",
        "dragon123456",
        "sunshine1234",
        "princess1234",
        "aaaaaaaaaaaa",
        "trustno11234",
        "1234qwerasdf",
        "zaq12wsxcde3",
        "superman1234",
        "starwars1234",
    ]
)


def _trivial(password: str) -> bool:
    """Common, a few characters repeated ('abcabcabcabc'), or a run ('123456789012')."""
    low = password.lower()
    if low in COMMON_PASSWORDS or len(set(low)) < 4:
        return True
    if any(low == low[:n] * (len(low) // n) + low[: len(low) % n] for n in range(1, 5)):
        return True
    steps = {ord(b) - ord(a) for a, b in zip(low, low[1:], strict=False)}
    return steps <= {1} or steps <= {-1} or steps <= {1, -9} or steps <= {-1, 9}


def check_new_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AuthError(f"Password must be {MIN_PASSWORD} characters or more")
    if len(password) > 128:
        raise AuthError("Password must be 128 characters or fewer")
    if _trivial(password):
        raise AuthError(
            "Choose a password that is harder to guess: not a common password, a repeated "
            "pattern or a run of letters or numbers. Three random words work well"
        )


def user_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))


def _failures(since, exclude: int, **match) -> int:
    conditions = [getattr(SignInAttempt, k) == v for k, v in match.items()]
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(SignInAttempt)
        .where(
            *conditions,
            SignInAttempt.at >= since,
            SignInAttempt.succeeded.is_(False),
            SignInAttempt.id != exclude,
        )
    )


def _known_here(email: str, address: str, now) -> bool:
    """Has this account signed in from this address in the last 30 days?"""
    return (
        db.session.scalar(
            sa.select(SignInAttempt.id)
            .where(
                SignInAttempt.email == email,
                SignInAttempt.address == address,
                SignInAttempt.succeeded.is_(True),
                SignInAttempt.at >= now - timedelta(days=30),
            )
            .limit(1)
        )
        is not None
    )


def wait_minutes(email: str, address: str, attempt_id: int, now) -> int:
    """0, or how long this account must wait before signing in from this address.

    Per account and address together, so nobody can lock a person out from somewhere else:
    after SIGNIN_MAX_FAILURES_PER_ACCOUNT failures the pair waits SIGNIN_WINDOW_MINUTES, and
    each further run of failures doubles the wait (to a day at most). An address spraying many
    accounts (SIGNIN_MAX_FAILURES_PER_ADDRESS failures in the window) is refused for every
    account that has not signed in from it in the last 30 days; colleagues behind the same
    address who have are not."""
    cfg = current_app.config
    limit, window = cfg["SIGNIN_MAX_FAILURES_PER_ACCOUNT"], cfg["SIGNIN_WINDOW_MINUTES"]
    day = _failures(now - timedelta(days=1), attempt_id, email=email, address=address)
    if day >= limit:
        wait = min(window * 2 ** ((day - limit) // limit), 24 * 60)
        if _failures(now - timedelta(minutes=wait), attempt_id, email=email, address=address):
            return wait
    sprayed = _failures(now - timedelta(minutes=window), attempt_id, address=address)
    if sprayed >= cfg["SIGNIN_MAX_FAILURES_PER_ADDRESS"] and not _known_here(email, address, now):
        return window
    return 0


def authenticate(email: str, password: str, address: str) -> User:
    """Check a sign-in, throttled (wait_minutes). The attempt is recorded, as a failure, before
    anything is counted: attempts made at the same moment all count, so none slips past."""
    cfg = current_app.config
    email = email.strip().lower()[:254]
    now = utcnow()
    attempt = SignInAttempt(email=email, address=address[:64], succeeded=False, at=now)
    db.session.add(attempt)
    db.session.commit()
    wait = wait_minutes(email, attempt.address, attempt.id, now)
    if wait:
        raise TooManyAttempts(
            f"Too many failed attempts to sign in. Wait {wait} minutes, then try again, "
            "or reset your password."
        )
    user = user_by_email(email)
    usable = user is not None and user.active and user.has_password
    stored = user.password_hash if usable else _dummy_hash(cfg["PASSWORD_HASH_METHOD"])
    ok = check_password_hash(stored, password) and usable
    if ok:
        attempt.succeeded = True
        user.last_signed_in_at = utcnow()
        db.session.commit()
    if not ok:
        raise AuthError("Enter a correct email address and password")
    return user


def _new_token(user: User, purpose: str, lifetime: timedelta, created_by=None) -> str:
    token = secrets.token_urlsafe(32)
    db.session.add(
        AuthToken(
            user=user,
            purpose=purpose,
            token_hash=hashlib.sha256(token.encode()).hexdigest(),
            expires_at=utcnow() + lifetime,
            created_by=created_by,
        )
    )
    return token


def find_token(token: str, purpose: str) -> AuthToken:
    """The live token, or TokenInvalid with a message saying why."""
    row = db.session.scalar(
        sa.select(AuthToken).where(
            AuthToken.token_hash == hashlib.sha256(token.encode()).hexdigest(),
            AuthToken.purpose == purpose,
        )
    )
    noun = "invitation" if purpose == INVITE else "password reset link"
    if row is None:
        raise TokenInvalid(f"This {noun} is not valid. Check you used the whole link.")
    if row.used_at is not None:
        raise TokenInvalid(f"This {noun} has already been used.")
    if row.expires_at < utcnow():
        raise TokenInvalid(f"This {noun} has expired. Ask for a new one.")
    if not row.user.active:
        raise TokenInvalid(f"This {noun} is for an account that has been removed.")
    return row


def _email(to: str, subject: str, template: str, **context) -> None:
    body = render_template(f"emails/{template}.txt", **context)
    outbox.queue(to, subject, body)


def email_user(user: User, template: str, subject: str) -> None:
    """A notice about the person's own account (templates/emails/<template>.txt)."""
    _email(user.email, subject, template, user=user)


def check_password_again(user: User, password: str, address: str) -> None:
    """The signed-in user's password, for a sensitive action; throttled as sign-in is."""
    try:
        checked = authenticate(user.email, password, address)
    except TooManyAttempts as exc:
        raise TooManyAttempts(str(exc), "password") from exc
    except AuthError as exc:
        raise AuthError("Enter your password correctly", "password") from exc
    if checked.id != user.id:
        raise AuthError("Enter your password correctly", "password")


def tell_existing_account(user: User, member, invited_by: User) -> None:
    """Email the owner of an existing account that a council tried to invite the address."""
    _email(
        user.email,
        f"{member.name} tried to invite you to {current_app.config['SERVICE_NAME']}",
        "invitation_existing",
        member=member,
        invited_by=invited_by,
    )
    audit.record(
        "user.invite_to_existing",
        "user",
        user.id,
        changes={"invited_for": member.name},  # no member_id: not in that council's history
        actor=invited_by,
    )


def invite(email: str, name: str, role: Role, invited_by: User | None, member=None) -> User:
    """Create a user without a password and email a single-use link to set one."""
    email = email.strip().lower()
    role = Role(role)
    if (role in COUNCIL_ROLES) != (member is not None):
        raise AuthError("Council users must belong to exactly one member council")
    existing = user_by_email(email)
    if existing is not None and existing.active:
        raise AuthError("A user with this email address already exists")
    if existing is not None:  # re-inviting a removed user restores the account
        if existing.member_id != (member.id if member else None):
            raise AuthError("This email address belongs to a removed user of another organisation")
        user, before = existing, {"active": False}
        user.active, user.name, user.role, user.password_hash = True, name, role, None
    else:
        user, before = User(email=email, name=name, role=role, member=member), None
        db.session.add(user)
    db.session.flush()
    token = _new_token(
        user, INVITE, timedelta(days=current_app.config["INVITE_VALID_DAYS"]), invited_by
    )
    audit.record(
        "user.invited",
        "user",
        user.id,
        member_id=member.id if member else None,
        changes={
            "email": email,
            "role": role.value,
            "name": name,
            **({"reactivated": True} if before else {}),
        },
        actor=invited_by,
    )
    _email(
        email,
        f"You have been invited to {current_app.config['SERVICE_NAME']}",
        "invitation",
        user=user,
        member=member,
        invited_by=invited_by,
        link=external_url("auth.accept_invitation", token=token),
        days=current_app.config["INVITE_VALID_DAYS"],
    )
    return user


def accept_invitation(token: str, password: str) -> User:
    row = find_token(token, INVITE)
    check_new_password(password)
    row.used_at = utcnow()
    row.user.password_hash = hash_password(password)
    audit.record(
        "user.invitation_accepted",
        "user",
        row.user.id,
        member_id=row.user.member_id,
        actor=row.user,
    )
    db.session.commit()
    return row.user


def request_password_reset(email: str) -> None:
    """Email a reset link if the account exists; say nothing either way (no account probing)."""
    user = user_by_email(email)
    if user is None or not user.active or not user.has_password:
        return
    token = _new_token(user, RESET, timedelta(minutes=current_app.config["RESET_VALID_MINUTES"]))
    _email(
        user.email,
        f"Reset your {current_app.config['SERVICE_NAME']} password",
        "password_reset",
        user=user,
        link=external_url("auth.reset_password", token=token),
        minutes=current_app.config["RESET_VALID_MINUTES"],
    )
    db.session.commit()


def reset_password(token: str, password: str) -> User:
    row = find_token(token, RESET)
    check_new_password(password)
    now = utcnow()
    # Using one link spends every outstanding reset link for the account.
    db.session.execute(
        sa.update(AuthToken)
        .where(
            AuthToken.user_id == row.user_id,
            AuthToken.purpose == RESET,
            AuthToken.used_at.is_(None),
        )
        .values(used_at=now)
    )
    row.user.password_hash = hash_password(password)
    sessions.end_all(row.user, "password changed")  # signed out everywhere
    audit.record(
        "user.password_reset", "user", row.user.id, member_id=row.user.member_id, actor=row.user
    )
    db.session.commit()
    return row.user


def create_user(email: str, name: str, role: Role, password: str, member=None, actor=None) -> User:
    """Used by `flask users create` and the demo data: a user who can sign in at once."""
    role = Role(role)
    check_new_password(password)
    if user_by_email(email):
        raise AuthError(f"A user with the email address {email} already exists")
    if (role in COUNCIL_ROLES) != (member is not None):
        raise AuthError("Council roles need --member-id; other roles must not have one")
    user = User(
        email=email.strip().lower(),
        name=name,
        role=role,
        member=member,
        password_hash=hash_password(password),
    )
    db.session.add(user)
    db.session.flush()
    audit.record(
        "user.created",
        "user",
        user.id,
        member_id=member.id if member else None,
        changes={"email": user.email, "role": role.value},
        actor=actor or "cli",
    )
    return user


def check_role_change(user: User, role: Role, actor: User) -> None:
    if user.id == actor.id:
        raise AuthError("You cannot change your own role: ask another company secretary", "role")
    if user.is_council or role not in STAFF_ROLES:
        raise AuthError("Only company users' roles are changed here", "role")
    if user.role == role:
        raise AuthError(f"{user.name} is already {role.label.lower()}", "role")
    if not user.active:
        raise AuthError(f"{user.name} has been removed", "role")


def change_role(user: User, role: Role, actor: User) -> None:
    """A company user's role (what they may see and do), audited; their sessions carry on
    with the new role at their next page."""
    role = Role(role)
    check_role_change(user, role, actor)
    audit.record(
        "user.role_changed", "user", user.id, changes={"role": [user.role.value, role.value]},
        actor=actor,
    )  # fmt: skip
    user.role = role
    db.session.commit()


def remove_user(user: User, actor: User) -> None:
    """Removing keeps the row (history, audit) but stops sign-in."""
    if user.id == actor.id:
        raise AuthError("You cannot remove yourself")
    if not user.active:
        raise AuthError(f"{user.name} has already been removed")
    user.active = False
    audit.record(
        "user.removed",
        "user",
        user.id,
        member_id=user.member_id,
        changes={"active": [True, False]},
        actor=actor,
    )
    db.session.commit()
