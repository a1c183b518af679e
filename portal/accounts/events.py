"""Signals about accounts; ``mail`` listens (accounts never imports it)."""

from blinker import Namespace

_signals = Namespace()

password_reset_requested = _signals.signal("password-reset-requested")  # sender: User; token=
# sender: Invitation; token=, link=, mail= (False: the caller shows the link itself)
invitation_created = _signals.signal("invitation-created")
