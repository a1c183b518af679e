"""The invitation mail: written to the outbox in the transaction that makes the invitation."""

from __future__ import annotations

from types import SimpleNamespace

from portal import settings
from portal.accounts.models import Invitation, User
from portal.errors import N_


def on_invitation(invitation: Invitation, token: str, link: str, mail: bool = True) -> None:
    """Queue the mail in the inviter's language (the invitee has none yet)."""
    from portal.mail.notify import queue

    if not mail:
        return
    inviter = User.get_or_none(User.id == invitation.invited_by_id)
    locale = (inviter.locale if inviter else None) or settings.get("DEFAULT_LOCALE", "ja")
    recipient = SimpleNamespace(name="", email=invitation.email, locale=locale)
    queue(recipient, "invitation", N_("Invitation to %(org_name)s on Madoguchi Support"),
          None, invite_link=link, org_name=invitation.organization.name,
          inviter_name=inviter.name if inviter else "",
          expires_at=invitation.expires_at)
