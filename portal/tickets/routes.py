"""The tickets blueprint: every ticket route wired in one place."""

from __future__ import annotations

from flask import Blueprint

from portal.tickets import actions, views

bp = Blueprint("tickets", __name__, url_prefix="/tickets")

ROUTES = [  # rule, view (its name is the endpoint), methods
    ("/", views.index, ["GET"]),
    ("/new", views.new, ["GET", "POST"]),
    ("/<ref>", views.show, ["GET"]),
    ("/<int:number>/attachments/<int:attachment_id>", views.attachment, ["GET"]),
    ("/<int:number>/messages", actions.poll, ["GET"]),
    ("/<int:number>/sla", actions.sla, ["GET"]),
    ("/<int:number>/messages", actions.reply, ["POST"]),
    ("/<int:number>/status", actions.status, ["POST"]),
    ("/<int:number>/priority", actions.priority, ["POST"]),
    ("/<int:number>/assign", actions.assign, ["POST"]),
    ("/<int:number>/solve", actions.solve, ["POST"]),
    ("/<int:number>/escalate", actions.escalate, ["POST"]),
    ("/<int:number>/close", actions.withdraw, ["POST"]),
    ("/<int:number>/satisfaction", actions.satisfaction, ["GET", "POST"]),
    ("/<int:number>/type", actions.change_type, ["POST"]),
    ("/<int:number>/severity", actions.severity, ["POST"]),
    ("/<int:number>/participants", actions.participants, ["POST"]),
    ("/<int:number>/acknowledge", actions.acknowledge, ["POST"]),
]
for rule, view, methods in ROUTES:
    bp.add_url_rule(rule, view_func=view, methods=methods)
