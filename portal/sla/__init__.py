"""Service levels: business calendars, SLA policies and the due-time function.

``sla`` knows accounts (plans) and nothing of tickets: tickets ask it when a target
is due, and it tells them (a signal) when its rules change.
"""
