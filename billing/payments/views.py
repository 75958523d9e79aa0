"""Finance pages for payments received (recording, allocating, reversing), statements, aged
debt, the finance dashboard and exports."""

import sqlalchemy as sa
from flask import Blueprint, render_template

from company.auth.access import allow
from company.auth.roles import Role
from company.extensions import db

from .models import Payment

bp = Blueprint("payments", __name__, url_prefix="/billing")
MONEY = allow(Role.FINANCE, Role.ADMIN)


@bp.route("/payments")
@MONEY
def list_payments():
    payments = db.session.scalars(
        sa.select(Payment)
        .options(sa.orm.joinedload(Payment.member))
        .order_by(Payment.received_on.desc(), Payment.id.desc())
        .limit(200)
    ).all()
    return render_template("payments/list.html", payments=payments)
