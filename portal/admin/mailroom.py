"""The outbox as admins see it: states, counts, retry and discard. No Flask here.

Discarding keeps the row and its reason. The sender picks rows by ``send_after``, so a
discarded row is parked at the end of time and never chosen again; "retry now" makes a
row due at once (the sender running inside ``portal serve`` takes it within seconds).
"""

from __future__ import annotations

from datetime import datetime
from email.header import decode_header, make_header
from email.utils import parseaddr

from peewee import DateTimeField, ForeignKeyField, TextField, fn

from portal import clock, settings
from portal.accounts.models import User
from portal.accounts.services import record
from portal.db import transaction
from portal.errors import N_, NotFound, ServiceError
from portal.mail.models import Outbox
from portal.mail.sender import backoff

STATES = ("queued", "failed", "sent", "discarded")
PARKED = datetime(9999, 12, 31)
MAX_REASON = 500


class OutboxRow(Outbox):
    """An outbox row with what administration adds to it."""

    discarded_at = DateTimeField(null=True)
    discarded_reason = TextField(default="")
    discarded_by = ForeignKeyField(User, null=True)

    class Meta:
        table_name = "outbox"


def state(row: OutboxRow) -> str:
    """queued (incl. waiting to be tried again), failed (given up), sent, discarded."""
    return "discarded" if row.discarded_at is not None else row.state


def _where(wanted: str):
    unsent = OutboxRow.sent_at.is_null() & OutboxRow.discarded_at.is_null()
    return {
        "queued": unsent & OutboxRow.failed_at.is_null(),
        "failed": unsent & OutboxRow.failed_at.is_null(False),
        "sent": OutboxRow.sent_at.is_null(False) & OutboxRow.discarded_at.is_null(),
        "discarded": OutboxRow.discarded_at.is_null(False),
        "": unsent,
    }[wanted if wanted in STATES else ""]


def counts() -> dict[str, int]:
    return {name: OutboxRow.select().where(_where(name)).count() for name in STATES}


def search(wanted: str = "", q: str = ""):
    """Rows in one state (default: not yet sent), the most tried first, then the oldest."""
    query = OutboxRow.select().where(_where(wanted))
    q = (q or "").strip()[:100]
    if q:
        query = query.where(OutboxRow.to_address.contains(q) | OutboxRow.subject.contains(q))
    if wanted in ("sent", "discarded"):
        return query.order_by(OutboxRow.id.desc())
    return query.order_by(OutboxRow.attempts.desc(), OutboxRow.id)


def display_address(raw: str) -> str:
    """``=?utf-8?b?…?= <a@b>`` as people read it: ``鈴木 次郎 <a@b>``."""
    name, address = parseaddr(raw or "")
    try:
        name = str(make_header(decode_header(name))) if name else ""
    except (LookupError, UnicodeDecodeError, ValueError):
        pass  # an undecodable name is shown as it is stored
    return f"{name} <{address}>" if name else (address or raw)


def smtp_configured() -> bool:
    return bool(settings.get("SMTP_HOST"))


def last_failure() -> tuple[datetime, str] | None:
    """The most recent failed send, when nothing was sent after it."""
    erring = _where("") & (OutboxRow.attempts > 0) & (OutboxRow.last_error != "")
    failing = list(OutboxRow.select().where(erring)
                   .order_by(OutboxRow.id.desc()).limit(200))
    if not failing:
        return None
    latest = max(failing, key=lambda r: r.send_after - backoff(r.attempts))
    tried_at = latest.send_after - backoff(latest.attempts)
    last_sent = (OutboxRow.select(fn.MAX(OutboxRow.sent_at))
                 .where(OutboxRow.discarded_at.is_null()).scalar())
    if last_sent is not None and not isinstance(last_sent, datetime):
        last_sent = datetime.fromisoformat(str(last_sent))
    if last_sent is not None and last_sent >= tried_at:
        return None
    return tried_at, latest.last_error


def row_by_id(row_id: int) -> OutboxRow:
    found = OutboxRow.get_or_none(OutboxRow.id == row_id)
    if found is None:
        raise NotFound(N_("There is no such mail."))
    return found


def retry(actor: User | None, row: OutboxRow) -> None:
    """Make an unsent (or discarded) mail due now."""
    with transaction():
        row = OutboxRow.get_by_id(row.id)
        if row.sent_at is not None and row.discarded_at is None:
            raise ServiceError(N_("This mail was already sent."))
        OutboxRow.update(send_after=clock.now(), claimed_until=None, failed_at=None,
                         discarded_at=None, discarded_reason="", discarded_by=None,
                         ).where(OutboxRow.id == row.id).execute()
        record(actor, "retry", "outbox", row.id, to=display_address(row.to_address),
               state=[state(row), "queued"])


def discard(actor: User | None, row: OutboxRow, reason: str) -> None:
    """Never send this mail; keep it, with who decided and why."""
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(N_("Please say why this mail is discarded."), "reason")
    if len(reason) > MAX_REASON:
        raise ServiceError(N_("At most 500 characters."), "reason")
    with transaction():
        row = OutboxRow.get_by_id(row.id)
        if row.sent_at is not None or row.discarded_at is not None:
            raise ServiceError(N_("Only mail not yet sent can be discarded."))
        OutboxRow.update(discarded_at=clock.now(), discarded_reason=reason,
                         discarded_by=actor, send_after=PARKED, claimed_until=None).where(
            (OutboxRow.id == row.id) & OutboxRow.sent_at.is_null()).execute()
        record(actor, "discard", "outbox", row.id, to=display_address(row.to_address),
               state=[state(row), "discarded"], reason=reason)
