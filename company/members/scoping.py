"""The one path by which member data is loaded.

Staff (admin, finance, director) see every member's rows; a council user sees only rows of their
own council, and anything else is a 404, so guessing ids reveals nothing. Every model holding
member data has a `member_id` column (the Member itself is scoped by `id`).
"""

import sqlalchemy as sa
from flask import abort
from flask_login import current_user

from company.extensions import db


def _member_column(model):
    from .models import Member

    return model.id if model is Member else model.member_id


def scoped(model, user=None) -> sa.Select:
    """A select of `model` limited to what `user` (default: the signed-in user) may see."""
    user = user or current_user
    query = sa.select(model)
    if not user.is_authenticated:
        return query.where(sa.false())
    if user.is_council:
        query = query.where(_member_column(model) == user.member_id)
    return query


def member_scoped(model, object_id: int, user=None):
    """The row `object_id` of `model` if `user` may see it; otherwise 404."""
    row = db.session.scalar(scoped(model, user).where(model.id == object_id))
    if row is None:
        abort(404)
    return row


def own_member():
    """The signed-in council user's own member council (the portal pages' subject)."""
    from .models import Member

    return member_scoped(Member, current_user.member_id)
