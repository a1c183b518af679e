"""The profile half of /account: name and password (the preferences are the other half)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import login_user

from portal.accounts import profile
from portal.errors import ServiceError

ACTIONS = ("profile", "password")


def handle(user, page_context: dict):
    """Apply the posted profile form; on refusal show the page with the message beside
    the field and what was typed (never the passwords)."""
    action = request.form.get("action")
    try:
        if action == "password":
            fresh = profile.change_password(user, request.form.get("current_password", ""),
                                            request.form.get("password", "")[:1024],
                                            request.form.get("confirm", "")[:1024])
            login_user(fresh)  # this browser stays signed in with the new session token
            flash(gettext("Your password was changed. Other sessions were signed out."),
                  "success")
        else:
            profile.rename(user, request.form.get("name", "")[:100])
            flash(gettext("Saved."), "success")
    except ServiceError as err:
        typed = {"name": request.form.get("name", "")[:100]} if action == "profile" else {}
        return render_template("accounts/preferences.html", profile_errors={
            err.field or "name": err.text(gettext)}, typed=typed, **page_context), 400
    return redirect(url_for("accounts.preferences"))
