"""Admin pages under /admin/."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

from portal.accounts.guards import admin_required
from portal.mail import sender

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.route("/outbox")
@admin_required
def outbox():
    """Mail not yet sent, with how often it failed and why."""
    return render_template("admin/outbox.html", rows=sender.pending(),
                           max_attempts=current_app.config["MAIL_MAX_ATTEMPTS"])
