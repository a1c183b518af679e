"""A ticket's thread: its messages and files for a viewer, and what its page shows around
them. No Flask here."""

from __future__ import annotations

import json

from peewee import JOIN

from portal.accounts.models import User
from portal.accounts.services import active_staff
from portal.db import Prepared
from portal.errors import N_, NotFound
from portal.tickets import lifecycle, policy, satisfaction, sla_clock
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
# The files of a thread's messages, found through the messages (attachments are indexed
# by message); a customer's list leaves out those of notes.
_FILES = Prepared(lambda ticket_id, after: (
    Attachment.select(Attachment).join(Message, on=(Attachment.message == Message.id))
    .where((Message.ticket == ticket_id) & (Message.id > after)).order_by(Attachment.id)),
    -1, -2)
_PARTICIPANTS = Prepared(
    lambda ticket_id: (User.select().join(Participant, on=(Participant.user == User.id))
                       .where(Participant.ticket == ticket_id).order_by(User.name)), -1)


def thread(ticket: Ticket, viewer: User, after: int = 0) -> list[Message]:
    """Messages oldest first (only those newer than ``after``); notes only for staff."""
    # Staff see every kind ("" is none of them); customers everything but notes.
    messages = _MESSAGES.rows(ticket.id, after, "" if viewer.is_staff else "note")
    files: dict[int, list[Attachment]] = {}
    shown = {m.id for m in messages}
    for item in _FILES.rows(ticket.id, after) if messages else []:
        if item.message_id in shown:
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
        context["can_solve"] = lifecycle.may_solve(viewer, ticket)
        context["can_escalate"] = lifecycle.may_escalate(viewer, ticket)
        context["can_withdraw"] = lifecycle.may_withdraw(viewer, ticket)
        context["can_vote"] = satisfaction.may_vote(viewer, ticket)
        context["can_follow_up"] = ticket.status == "closed" and policy.can_file(viewer)
    if viewer.is_staff or context["can_vote"] or ticket.status == "closed":
        context["vote"] = satisfaction.vote_of(ticket)
    if ticket.priority != ticket.severity:
        context["priority_reason"] = priority_reason(ticket)
    return context


def priority_reason(ticket: Ticket) -> str:
    """Why staff last changed the priority (what the customer is told beside severity)."""
    for body in (Message.select(Message.body)
                 .where((Message.ticket == ticket) & (Message.kind == "event")
                        & Message.body.contains('"event": "priority"'))
                 .order_by(Message.id.desc()).limit(1).tuples()):
        try:
            return json.loads(body[0]).get("reason", "")
        except ValueError:
            return ""
    return ""


def show_context(ticket: Ticket, viewer: User) -> dict:
    messages = thread(ticket, viewer)
    earlier = ticket.follow_up_of if ticket.follow_up_of_id else None
    if earlier is not None and not policy.can_view_ticket(viewer, earlier):
        earlier = None
    return {"messages": messages, "last_id": messages[-1].id if messages else 0,
            "earlier": earlier, "earlier_messages": thread(earlier, viewer) if earlier else [],
            **page_context(ticket, viewer)}


def participants_of(ticket: Ticket) -> list[User]:
    return _PARTICIPANTS.rows(ticket.id)
