"""Signals sent when something happens to a ticket, inside the transaction of the change.

Subscribers (mail) write their rows in that same transaction, so a notification is never
lost, and never sent for a change that was rolled back. ``tickets`` never imports them.
"""

from blinker import Namespace

_signals = Namespace()

ticket_filed = _signals.signal("ticket-filed")  # sender: Ticket; message=Message
message_posted = _signals.signal("message-posted")  # sender: Ticket; message=Message
status_changed = _signals.signal("status-changed")  # sender: Ticket; old=, new=, actor=
escalated = _signals.signal("escalated")  # sender: Ticket; actor=, reason=
sla_warning = _signals.signal("sla-warning")  # sender: Ticket; target=, kind=, due=
