"""Satisfaction (CSAT): the requester's one good-or-bad vote on a resolved ticket, and
the staff's tables of votes per agent and per organization. No Flask here.

Only a POST records: the mail links to a page that asks, so a mail scanner that follows
links never votes. The vote may change until the ticket closes.
"""

from __future__ import annotations

from datetime import datetime

from peewee import JOIN, Case, fn

from portal import clock
from portal.accounts.models import Organization, User
from portal.db import Prepared, transaction
from portal.errors import N_, ServiceError
from portal.tickets.lifecycle import MAX_REASON, Refused
from portal.tickets.models import RATINGS, Satisfaction, Ticket


def may_vote(user: User, ticket: Ticket) -> bool:
    """The requester, while the ticket is resolved (not yet closed)."""
    return not user.is_staff and user.id == ticket.requester_id and ticket.status == "resolved"


# Read on every staff ticket page: composed once (``portal.db.Prepared``).
_VOTE = Prepared(lambda ticket_id: Satisfaction.select().where(Satisfaction.ticket == ticket_id),
                 -1)


def vote_of(ticket: Ticket) -> Satisfaction | None:
    found = _VOTE.rows(ticket.id)
    return found[0] if found else None


def vote(user: User, ticket: Ticket, rating: str, comment: str = "") -> Satisfaction:
    """Record the requester's vote, replacing an earlier one; refused once closed."""
    if rating not in RATINGS:
        raise ServiceError(N_("Please choose good or bad."), "rating")
    comment = (comment or "").strip()[:MAX_REASON]
    if user.is_staff or user.id != ticket.requester_id:
        raise Refused(N_("Only the requester can rate this ticket."))
    with transaction():
        ticket = Ticket.get_by_id(ticket.id)
        if ticket.status != "resolved":
            raise Refused(N_("You can rate a ticket once it is resolved and until it is "
                             "closed."))
        now = clock.now()
        found = vote_of(ticket)
        if found is None:
            return Satisfaction.create(ticket=ticket, voter=user, rating=rating,
                                       comment=comment, created_at=now, updated_at=now)
        found.rating, found.comment, found.updated_at = rating, comment, now
        found.save()
        return found


def _table(name, since: datetime | None):
    """Votes and good votes grouped by ``name`` (the caller joins and groups)."""
    good = fn.SUM(Case(None, [(Satisfaction.rating == "good", 1)], 0))
    query = (Satisfaction.select(name.alias("name"), good.alias("good"),
                                 fn.COUNT(Satisfaction.id).alias("votes"))
             .join(Ticket))
    if since is not None:
        query = query.where(Satisfaction.updated_at >= since)
    return query


def by_agent(since: datetime | None = None) -> list[dict]:
    """Votes per assignee (unassigned tickets under an empty name), most votes first."""
    query = _table(User.name, since)
    query = (query.join(User, JOIN.LEFT_OUTER, on=(Ticket.assignee == User.id))
             .group_by(User.id, User.name)
             .order_by(fn.COUNT(Satisfaction.id).desc(), User.name))
    return _rows(query)


def by_organization(since: datetime | None = None) -> list[dict]:
    """Votes per customer organization, most votes first."""
    query = _table(Organization.name, since)
    query = (query.join(Organization, on=(Ticket.organization == Organization.id))
             .group_by(Organization.id, Organization.name)
             .order_by(fn.COUNT(Satisfaction.id).desc(), Organization.name))
    return _rows(query)


def _rows(query) -> list[dict]:
    rows = []
    for row in query.dicts():
        votes, good = int(row["votes"] or 0), int(row["good"] or 0)
        rows.append({"name": row["name"] or "", "votes": votes, "good": good,
                     "bad": votes - good, "percent": round(100 * good / votes) if votes else 0})
    return rows
