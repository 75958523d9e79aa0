"""Append-only audit events: who changed what, when. Written in the same transaction as the change."""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from enum import Enum
from typing import Any

import sqlalchemy as sa
from flask import has_request_context
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.orm import Mapped, Session, mapped_column

from company.clock import utcnow
from company.extensions import db


class AuditEvent(db.Model):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    actor: Mapped[str] = mapped_column(sa.String(254))  # email or "system"/"public", kept as text
    action: Mapped[str] = mapped_column(sa.String(60))
    entity: Mapped[str] = mapped_column(sa.String(40))
    entity_id: Mapped[int | None]
    member_id: Mapped[int | None] = mapped_column(sa.ForeignKey("members.id"), index=True)
    changes: Mapped[str] = mapped_column(sa.Text, default="{}")

    @property
    def change_items(self) -> list[tuple[str, Any, Any]]:
        """(field, before, after): a change recorded by changes_of() is a [before, after] pair;
        any other value (a list of invoice numbers, say) is shown whole, as the after."""
        data = json.loads(self.changes or "{}")
        return [
            (k, v[0], v[1]) if isinstance(v, list) and len(v) == 2 else (k, None, _shown(v))
            for k, v in data.items()
        ]


class AuditIsAppendOnly(RuntimeError):
    pass


@event.listens_for(Session, "before_flush")
def _refuse_audit_edits(session, _context, _instances):
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, AuditEvent):
            raise AuditIsAppendOnly("audit events cannot be changed or deleted")


def _plain(value):
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


def _shown(value):
    return ", ".join(str(v) for v in value) if isinstance(value, list) else value


def changes_of(obj, values: dict) -> dict:
    """Apply `values` to `obj`; return {field: [old, new]} for those that really changed."""
    changed = {}
    for key, new in values.items():
        old = getattr(obj, key)
        if old != new:
            changed[key] = [_plain(old), _plain(new)]
            setattr(obj, key, new)
    return changed


def record(
    action: str, entity: str, entity_id=None, *, member_id=None, changes=None, actor=None
) -> AuditEvent | None:
    """Add an audit event to the session; the caller's commit writes it with the change.
    Returns it, or None inside `batched()` (written when the block ends)."""
    if actor is None and has_request_context() and current_user.is_authenticated:
        actor = current_user
    values = dict(
        at=utcnow(),
        actor_id=getattr(actor, "id", None),
        actor=getattr(actor, "email", None) or (actor if isinstance(actor, str) else "public"),
        action=action,
        entity=entity,
        entity_id=entity_id,
        member_id=member_id,
        changes=json.dumps({k: v for k, v in (changes or {}).items()}, default=str, sort_keys=True),
    )
    pending = db.session.info.get(_BATCHED)
    if pending is not None:
        pending.append(values)
        return None
    row = AuditEvent(**values)
    db.session.add(row)
    return row


_BATCHED = "audit_batched"


@contextmanager
def batched() -> Iterator[None]:
    """Write the events recorded inside the block in one INSERT when it ends (still inside the
    caller's transaction): an annual run records two for each of thousands of invoices, and one
    ORM object each is a sixth of its storing time. An error inside the block writes none."""
    session = db.session()
    if session.info.get(_BATCHED) is not None:  # already batching: the outer block writes them
        yield
        return
    session.info[_BATCHED] = []
    try:
        yield
        pending = session.info[_BATCHED]
        if pending:
            session.execute(sa.insert(AuditEvent), pending)
    finally:
        session.info.pop(_BATCHED, None)


def for_member(member_id: int, limit: int = 200) -> list[AuditEvent]:
    return db.session.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.member_id == member_id)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(limit)
    ).all()
