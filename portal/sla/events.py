"""Signals of the sla area, sent after a change of its rules has committed.

``rules_changed`` (sender: the name of what changed) lets the tickets area recompute
the due times of open tickets; receivers return how many tickets they updated.
"""

from blinker import Namespace

_signals = Namespace()

rules_changed = _signals.signal("sla-rules-changed")
