"""Who may see and do what with tickets: one function per question, used by every path.

A ticket a user may not see does not exist for them: callers answer 404, never 403.
"""

from __future__ import annotations

from portal.accounts.models import User
from portal.tickets.models import Participant, Ticket

FILING_ORG_ROLES = ("org_admin", "contact")


def can_file(user: User) -> bool:
    """Staff, and customers who are technical contacts or org admins of an active org."""
    if not user.is_active:
        return False
    return user.is_staff or user.org_role in FILING_ORG_ROLES


def can_file_on_behalf(user: User) -> bool:
    return user.is_active and (user.is_staff or user.org_role == "org_admin")


def can_view_ticket(user: User, ticket: Ticket) -> bool:
    """Staff see every ticket; a customer sees their organization's tickets that they
    filed or take part in, and an org admin all of their organization's."""
    if user is None or not user.is_active:
        return False
    if user.is_staff:
        return True
    if user.organization_id != ticket.organization_id:
        return False
    if user.org_role == "org_admin" or user.id in (ticket.requester_id, ticket.created_by_id):
        return True
    return Participant.select().where(
        (Participant.ticket == ticket.id) & (Participant.user == user.id)).exists()
