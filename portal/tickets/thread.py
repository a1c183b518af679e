"""A ticket's thread: its messages and files for a viewer, and what its page shows around
them. No Flask here."""

from __future__ import annotations

from peewee import JOIN

from portal.accounts.models import User
from portal.accounts.services import active_staff
from portal.db import Prepared
from portal.errors import N_, NotFound
from portal.tickets import sla_clock
from portal.tickets.listing import get_ticket
from portal.tickets.models import Attachment, Message, Participant, Ticket
from portal.tickets.numbering import format_number


def _messages(ticket_id: int, after: int, hidden: str):
    # Only the author's name and role: a long thread builds hundreds of these rows.
    return (Message.select(Message, User.id, User.name, User.role)
            .join(User, JOIN.LEFT_OUTER)
            .where((Message.ticket == ticket_id) & (Message.id > after)
                   & (Message.kind != hidden)).order_by(Message.id))


# Read on every ticket page and every poll: composed once (see ``portal.db.Prepared``).
_MESSAGES = Prepared(_messages, -1, -2, "sample-kind")
_PARTICIPANTS = Prepared(
    lambda ticket_id: (User.select().join(Participant, on=(Participant.user == User.id))
                       .where(Participant.ticket == ticket_id).order_by(User.name)), -1)


def thread(ticket: Ticket, viewer: User, after: int = 0) -> list[Message]:
    """Messages oldest first (only those newer than ``after``); notes only for staff."""
    # Staff see every kind ("" is none of them); customers everything but notes.
    messages = _MESSAGES.rows(ticket.id, after, "" if viewer.is_staff else "note")
    files: dict[int, list[Attachment]] = {}
    for item in Attachment.select().where(Attachment.message.in_([m.id for m in messages])):
        files.setdefault(item.message_id, []).append(item)
    for message in messages:
        message.files = files.get(message.id, [])
    return messages


def get_attachment(user: User, number: str | int, attachment_id: int) -> Attachment:
    """An attachment of a ticket the user may see (never one on a note, for customers)."""
    ticket = get_ticket(user, number)
    item = (Attachment.select(Attachment, Message).join(Message)
            .where((Attachment.id == attachment_id) & (Attachment.ticket == ticket)).first())
    if item is None or (item.message.kind == "note" and not user.is_staff):
        raise NotFound(N_("There is no such file."))
    return item


def page_context(ticket: Ticket, viewer: User) -> dict:
    """What the ticket header and its controls need, for this viewer."""
    context = {"ref": format_number(ticket.number), "participants": participants_of(ticket),
               "agents": [], "sla": sla_clock.shown(ticket, viewer.is_staff)}
    if viewer.is_staff:
        context["agents"] = active_staff()
    else:
        context["can_solve"] = ticket.is_open and ticket.assignee_id is not None
        context["can_escalate"] = ticket.is_open and not ticket.escalated
    return context


def show_context(ticket: Ticket, viewer: User) -> dict:
    messages = thread(ticket, viewer)
    return {"messages": messages, "last_id": messages[-1].id if messages else 0,
            **page_context(ticket, viewer)}


def participants_of(ticket: Ticket) -> list[User]:
    return _PARTICIPANTS.rows(ticket.id)
