"""The ticket life cycle: replies, notes, status, priority, assignment, escalation, time.

```
new ──staff reply──▶ investigating ◀──customer reply── waiting_on_customer
  │                      │   ▲                                 ▲
  │                      │   └─────────────────────────────────┘ staff asks
  │                      ▼
  └────────────▶ resolved ──(customer replies: reopens to investigating)
                     │
                     └──(N days, or staff)──▶ closed   (final: a follow-up ticket cites it)
```

Every rule is here and nowhere else; views, mail and the CLI call these functions.
Each action is one transaction holding the change, its event line, its audit row and
the signals its subscribers write into.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from portal import clock, settings
from portal.accounts.models import STAFF_ROLES, User
from portal.accounts.services import normalize_email, record
from portal.db import transaction
from portal.errors import N_, ServiceError
from portal.sla.models import PRIORITIES
from portal.text import render_markdown
from portal.tickets import events, sla_clock, uploads
from portal.tickets.models import OPEN_STATUSES, STATUSES, Attachment, Message, Ticket

TRANSITIONS: dict[str, frozenset[str]] = {
    "new": frozenset({"investigating", "resolved"}),
    "investigating": frozenset({"waiting_on_customer", "resolved"}),
    "waiting_on_customer": frozenset({"investigating", "resolved"}),
    "resolved": frozenset({"investigating", "closed"}),
    "closed": frozenset(),
}
MAX_BODY = 50_000
MAX_REASON = 2_000


class Refused(ServiceError):
    """The action is not allowed in the ticket's present state, or not for this user."""

    status = 409


def allowed(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, frozenset())


def allowed_transitions(ticket: Ticket, user: User) -> list[str]:
    """The statuses ``user`` may move the ticket to from where it is, in the usual order
    (only staff change a status by hand): what the status control offers."""
    if not user.is_staff:
        return []
    return [s for s in STATUSES if allowed(ticket.status, s)]


def reply_statuses() -> list[str]:
    """The statuses a staff reply may set: the reply puts the ticket under investigation,
    and the table goes on from there."""
    return [s for s in STATUSES if s == "investigating" or allowed("investigating", s)]


def _event(ticket: Ticket, actor: User | None, code: str, **params) -> Message:
    """A quiet system line in the thread; its words are chosen when it is shown."""
    body = json.dumps({"event": code, **params}, ensure_ascii=False)
    return Message.create(ticket=ticket, author=actor, kind="event", body=body, body_html="",
                          created_at=clock.now())


def _move(ticket: Ticket, target: str, actor: User | None, withdrawal: bool = False,
          **event_params) -> None:
    """Change the status (inside the caller's transaction) with its event and audit.

    ``withdrawal``: the requester closes an open ticket, a step the table does not offer
    to anyone else."""
    old = ticket.status
    if not (allowed(old, target) or (withdrawal and old in OPEN_STATUSES
                                     and target == "closed")):
        raise Refused(N_("The ticket cannot move from its present status to that one."),
                      "status")
    now = clock.now()
    ticket.status, ticket.status_changed_at, ticket.updated_at = target, now, now
    ticket.last_activity_at = now
    if target == "resolved":
        ticket.resolved_at = now
    elif target == "closed":
        ticket.closed_at = now
    if target in ("resolved", "closed"):
        ticket.escalated = False  # an escalation ends with the work it asked for
    elif old in ("resolved", "closed"):
        ticket.resolved_at = None
    ticket.save()
    sla_clock.status_changed(ticket, old, target, now)
    _event(ticket, actor, "status", old=old, new=target, **event_params)
    record(actor, "status", "ticket", ticket.id, old=old, new=target)
    events.status_changed.send(ticket, old=old, new=target, actor=actor)


def _require_staff(user: User) -> None:
    if not user.is_staff:
        raise Refused(N_("Only support staff can do this."))


def _reload(ticket: Ticket) -> Ticket:
    """The ticket as it is now inside the lock (another request may have changed it)."""
    return Ticket.get_by_id(ticket.id)


# --- messages ----------------------------------------------------------------------------

def post_message(user: User, ticket: Ticket, body: str, files=(), internal: bool = False,
                 status: str = "", channel: str = "web") -> Message:
    """A reply (or, for staff, an internal note) with its attachments and its effect on
    the status: a customer's reply reopens or resumes, a staff reply starts work."""
    body = body or ""
    if not body.strip() and not files:
        raise ServiceError(N_("Please write a message or attach a file."), "body")
    if len(body) > MAX_BODY:
        raise ServiceError(N_("The message is too long (50,000 characters at most)."), "body")
    if (internal or status) and not user.is_staff:
        raise Refused(N_("Only support staff can do this."))
    if ticket.status == "closed":
        raise Refused(N_("This ticket is closed. Please open a follow-up ticket instead."))
    used = sum(a.size for a in Attachment.select(Attachment.size).where(
        Attachment.ticket == ticket))
    refused = uploads.check_names(list(files))
    if refused:
        raise refused
    stored = uploads.store(list(files), already=used)
    try:
        return _post(user, ticket, body, stored, internal, status, channel)
    except BaseException:
        uploads.discard(stored)
        raise


def _post(user, ticket, body, stored, internal, status, channel) -> Message:
    with transaction():
        ticket = _reload(ticket)
        if ticket.status == "closed":
            raise Refused(N_("This ticket is closed. Please open a follow-up ticket instead."))
        now = clock.now()
        message = Message.create(ticket=ticket, author=user, body=body, channel=channel,
                                 kind="note" if internal else "reply",
                                 body_html=render_markdown(body), created_at=now)
        for item in stored:
            Attachment.create(message=message, ticket=ticket, filename=item.filename,
                              stored_name=item.stored_name, content_type=item.content_type,
                              size=item.size, sha256=item.sha256, created_at=now)
        ticket.last_activity_at = ticket.updated_at = now
        if not internal:
            ticket.last_public_author = user
            ticket.customer_spoke_last = not user.is_staff
            _reply_effect(user, ticket, now)
        ticket.save()
        if status and status != ticket.status:
            _move(ticket, status, user)
        events.message_posted.send(ticket, message=message)
    return message


def _reply_effect(user: User, ticket: Ticket, now: datetime) -> None:
    if user.is_staff:
        if ticket.first_response_at is None:
            ticket.first_response_at = now
            ticket.save(only=[Ticket.first_response_at])
        if ticket.status == "new":
            _move(ticket, "investigating", user)
    elif ticket.status in ("waiting_on_customer", "resolved"):
        _move(ticket, "investigating", user, reopened=ticket.status == "resolved")
    sla_clock.replied(ticket, user.is_staff, now)


# --- staff controls ----------------------------------------------------------------------

def change_status(user: User, ticket: Ticket, status: str) -> Ticket:
    _require_staff(user)
    with transaction():
        ticket = _reload(ticket)
        if status == ticket.status:
            return ticket
        _move(ticket, status, user)
    return ticket


def change_priority(user: User, ticket: Ticket, priority: str, reason: str) -> Ticket:
    _require_staff(user)
    if priority not in {str(p) for p in PRIORITIES}:
        raise ServiceError(N_("The priority must be 1, 2, 3 or 4."), "priority")
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(N_("Please give a reason for the new priority."), "reason")
    with transaction():
        ticket = _reload(ticket)
        old = ticket.priority
        if old == int(priority):
            return ticket
        ticket.priority, ticket.updated_at = int(priority), clock.now()
        ticket.save(only=[Ticket.priority, Ticket.updated_at])
        _event(ticket, user, "priority", old=old, new=int(priority), reason=reason[:MAX_REASON])
        record(user, "priority", "ticket", ticket.id, old=old, new=int(priority),
               reason=reason[:MAX_REASON])
        due = sla_clock.priority_changed(ticket)
        if due:
            _event(ticket, None, "sla_recomputed", priority=int(priority),
                   **{name: moment.isoformat() for name, moment in due.items()})
    return ticket


def assign(user: User, ticket: Ticket, email: str) -> Ticket:
    """Give the ticket to an agent (by e-mail), or take it back with an empty one."""
    _require_staff(user)
    agent = None
    if (email or "").strip():
        agent = User.get_or_none(User.email == normalize_email(email))
        if agent is None or agent.role not in STAFF_ROLES or not agent.active:
            raise ServiceError(N_("%(email)s is not an active support agent."), "assignee",
                               email=email.strip())
    with transaction():
        ticket = _reload(ticket)
        if ticket.assignee_id == (agent.id if agent else None):
            return ticket
        old = ticket.assignee.name if ticket.assignee_id else ""
        ticket.assignee, ticket.updated_at = agent, clock.now()
        ticket.save(only=[Ticket.assignee, Ticket.updated_at])
        taken = {"taken": True} if agent is not None and agent.id == user.id else {}
        _event(ticket, user, "assign", old=old, new=agent.name if agent else "", **taken)
        record(user, "assign", "ticket", ticket.id, assignee=agent.email if agent else None)
    return ticket


# --- customer actions --------------------------------------------------------------------

def may_solve(user: User, ticket: Ticket) -> bool:
    """A customer marks their ticket solved while it is assigned and not yet resolved."""
    return not user.is_staff and ticket.is_open and ticket.assignee_id is not None


def may_withdraw(user: User, ticket: Ticket) -> bool:
    """The requester (or whoever filed it for them) may close an open ticket."""
    return (not user.is_staff and ticket.is_open
            and user.id in (ticket.requester_id, ticket.created_by_id))


def may_escalate(user: User, ticket: Ticket) -> bool:
    return not user.is_staff and ticket.is_open and not ticket.escalated


def solve(user: User, ticket: Ticket) -> Ticket:
    """The customer says it is solved: only while assigned and not yet resolved."""
    if user.is_staff:
        raise Refused(N_("Staff change the status with the status control."))
    with transaction():
        ticket = _reload(ticket)
        if ticket.status not in OPEN_STATUSES:
            raise Refused(N_("Only an open ticket can be marked as solved."))
        if ticket.assignee_id is None:
            raise Refused(N_("A ticket can be marked as solved once someone is working on "
                             "it. You can withdraw it if it is no longer needed."))
        _move(ticket, "resolved", user, by_customer=True)
    return ticket


def withdraw(user: User, ticket: Ticket, reason: str) -> Ticket:
    """The requester no longer needs an open ticket: it closes now, with their reason."""
    reason = (reason or "").strip()
    if user.is_staff or user.id not in (ticket.requester_id, ticket.created_by_id):
        raise Refused(N_("Only the requester can withdraw a request."))
    if not reason:
        raise ServiceError(N_("Please tell us why you withdraw the request."), "reason")
    with transaction():
        ticket = _reload(ticket)
        if ticket.status not in OPEN_STATUSES:
            raise Refused(N_("Only an open request can be withdrawn."))
        _move(ticket, "closed", user, withdrawal=True, withdrawn=True,
              reason=reason[:MAX_REASON])
    return ticket


def escalate(user: User, ticket: Ticket, reason: str) -> Ticket:
    """Ask for more attention, once per ticket, with a reason staff will see."""
    if user.is_staff:
        raise Refused(N_("Staff change the priority instead of escalating."))
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(N_("Please tell us why this needs more attention."), "reason")
    with transaction():
        ticket = _reload(ticket)
        if ticket.status not in OPEN_STATUSES:
            raise Refused(N_("Only an open ticket can be escalated."))
        if ticket.escalated:
            raise Refused(N_("This ticket has already been escalated."))
        ticket.escalated, ticket.escalation_reason = True, reason[:MAX_REASON]
        ticket.updated_at = ticket.last_activity_at = clock.now()
        ticket.save()
        _event(ticket, user, "escalated", reason=reason[:MAX_REASON])
        record(user, "escalate", "ticket", ticket.id, reason=reason[:MAX_REASON])
        events.escalated.send(ticket, actor=user, reason=reason)
    return ticket


# --- time --------------------------------------------------------------------------------

def tick(now: datetime | None = None) -> tuple[int, int]:
    """Resolve tickets waiting on the customer too long, close long-resolved ones.

    Safe to run every minute from several places: each ticket moves in its own
    transaction, and only if it is still in the state that made it due.
    """
    now = now or clock.now()
    wait_days = settings.get("AUTO_RESOLVE_DAYS", 5)
    close_days = settings.get("AUTO_CLOSE_DAYS", 7)
    resolved = _expire("waiting_on_customer", "resolved", now - timedelta(days=wait_days),
                       "auto_resolved", wait_days)
    closed = _expire("resolved", "closed", now - timedelta(days=close_days), "auto_closed",
                     close_days)
    return resolved, closed


def _expire(status: str, target: str, before: datetime, code: str, days: int) -> int:
    due = [t.id for t in Ticket.select(Ticket.id).where(
        (Ticket.status == status) & (Ticket.status_changed_at <= before))]
    moved = 0
    for ticket_id in due:
        with transaction():
            ticket = Ticket.get_by_id(ticket_id)
            if ticket.status != status or ticket.status_changed_at > before:
                continue  # someone acted on it meanwhile
            _move(ticket, target, None, automatic=code, days=days)
            moved += 1
    return moved
