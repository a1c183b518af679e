"""Forgotten passwords, and the user's own preferences."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_required

from portal import clock
from portal.accounts import profile_views, services
from portal.errors import ServiceError

COMMON_ZONES = ("Asia/Tokyo", "Asia/Seoul", "Asia/Shanghai", "Asia/Singapore", "UTC",
                "Europe/London", "Europe/Berlin", "America/New_York", "America/Los_Angeles")


def forgot():
    if request.method == "POST":
        services.request_password_reset(request.form.get("email", "")[:254])
        # The same words whether or not the address has an account.
        flash(gettext("If the address belongs to an account, a link to set a new password "
                      "is on its way. It works for one hour."), "success")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/forgot.html")


def reset(token: str):
    error = field = None
    if request.method == "POST":
        try:
            services.reset_password(token, request.form.get("password", ""),
                                    request.form.get("confirm", ""))
        except ServiceError as err:
            error, field = err.text(gettext), err.field
        else:
            flash(gettext("Your password was changed. Please sign in."), "success")
            return redirect(url_for("accounts.login"))
    else:
        try:
            services.user_for_reset(token)
        except ServiceError as err:
            error = err.text(gettext)
    return render_template("accounts/reset.html", token=token, error=error,
                           field=field), 400 if error else 200


@login_required
def preferences():
    user = current_user._get_current_object()
    if request.form.get("action") in profile_views.ACTIONS:
        return profile_views.handle(user, {"common": COMMON_ZONES,
                                           "zones": sorted(clock.real_zones())})
    if request.method == "POST":
        try:
            services.update_preferences(user, request.form.get("locale", ""),
                                        request.form.get("timezone", ""),
                                        bool(request.form.get("notify_own")))
        except ServiceError as err:
            flash(err.text(gettext), "error")
        else:
            flash(gettext("Saved."), "success")
            return redirect(url_for("accounts.preferences"))
    zones = sorted(clock.real_zones())
    return render_template("accounts/preferences.html", common=COMMON_ZONES, zones=zones)
