import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, url_for

from company import outbox
from company.auth.access import admin
from company.extensions import db
from company.formats import long_datetime
from company.ui.pages import confirmation, confirmed

from . import bp


@bp.route("/admin/messages")
@admin
def stuck():
    """Messages that failed after every attempt, or whose sender stopped mid-send."""
    rows = db.session.scalars(
        sa.select(outbox.OutboxMessage)
        .where(outbox.OutboxMessage.status.in_([outbox.FAILED, outbox.UNKNOWN]))
        .order_by(outbox.OutboxMessage.created_at.desc())
        .limit(500)
    ).all()
    return render_template("messages/stuck.html", messages=rows)


@bp.route("/admin/messages/<int:message_id>/send-again", methods=["POST"])
@admin
def send_again(message_id: int):
    msg = db.session.get(outbox.OutboxMessage, message_id)
    if msg is None or msg.status not in (outbox.FAILED, outbox.UNKNOWN):
        abort(404)
    if not confirmed():
        points = [f"The email “{msg.subject}” goes to {msg.to} with the next send."]
        if msg.status == outbox.UNKNOWN:
            points.append(
                "Its sender stopped while sending it, so it may have arrived already: "
                "the person could get it twice."
            )
        return confirmation(
            title=f"Send this email to {msg.to} again?",
            action=url_for("messages.send_again", message_id=msg.id),
            button="Send it again",
            cancel=url_for("messages.stuck"),
            rows=[("Subject", msg.subject), ("Created", long_datetime(msg.created_at))],
            points=points,
            warning="An email cannot be taken back once sent.",
        )
    outbox.requeue(msg.id)
    flash(f"The email to {msg.to} will be sent again within a minute.", "success")
    return redirect(url_for("messages.stuck"))
