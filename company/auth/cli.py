import click
from flask.cli import AppGroup

from company.extensions import db
from company.members.models import Member

from . import services
from .roles import Role

users_cli = AppGroup("users", help="Manage users.")


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", default=None, help="Defaults to the part of the email before @.")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--member-id", type=int, default=None, help="The member council, for council roles.")
@click.password_option(envvar="FLATPACK_PASSWORD", help="Or set FLATPACK_PASSWORD.")
def create(email, name, role, member_id, password):
    """Create a user who can sign in at once (e.g. the first admin)."""
    member = None
    if member_id is not None:
        member = db.session.get(Member, member_id)
        if member is None:
            raise click.UsageError(f"No member council with id {member_id}")
    try:
        user = services.create_user(
            email, name or email.split("@")[0], Role(role), password, member=member
        )
    except services.AuthError as exc:
        raise click.UsageError(str(exc)) from exc
    db.session.commit()
    click.echo(f"Created {user.role.value} {user.email}")


@users_cli.command("reset-second-factor")
@click.argument("email")
def reset_second_factor(email):
    """Turn off a user's second factor (they set it up again at their next sign-in)."""
    from . import second_factor

    user = services.user_by_email(email)
    if user is None:
        raise click.UsageError(f"No user with the email address {email}")
    try:
        second_factor.reset(user, None)
    except services.AuthError as exc:
        raise click.UsageError(str(exc)) from exc
    click.echo(f"Second factor reset for {user.email}; every session of theirs has ended")
