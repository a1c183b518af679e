"""Site-wide endpoints: health check, markdown preview, language switch."""

from __future__ import annotations

from datetime import timedelta

from flask import (
    Blueprint,
    abort,
    current_app,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required

from portal import db, jobs
from portal.config import LOCALES
from portal.i18n import LOCALE_COOKIE
from portal.security import safe_next
from portal.text import MAX_MARKDOWN, render_markdown

bp = Blueprint("site", __name__)


@bp.route("/healthz")
def healthz():
    """``ok`` on the first line when the database answers, then the database and each
    background job's lease (who holds it, until when, its last run), one per line."""
    text = {"Content-Type": "text/plain; charset=utf-8"}
    if not db.healthy():
        return "database unavailable", 503, text
    lines = ["ok", f"database: {db.kind()} answering"]
    for lease in jobs.states():
        finished = lease.last_finished_at.isoformat() + "Z" if lease.last_finished_at else "never"
        lines.append(
            f"lease {lease.name}: {'held by ' + lease.owner if lease.held else 'free'}"
            f" until {lease.expires_at.isoformat()}Z; last run {finished}"
            + (f"; last error {lease.last_error}" if lease.last_error else ""))
    return "\n".join(lines) + "\n", 200, text


PREVIEWS_PER_MINUTE = 60


@bp.route("/preview", methods=["POST"])
@login_required
def preview():
    """Sanitized HTML of the markdown in ``body`` (the same door every stored text uses).

    The ticket form sends its ``description`` field under that name instead. Only for
    people signed in, and at most :data:`PREVIEWS_PER_MINUTE` each (the editor asks after
    each pause in typing): rendering is bounded, but nobody should be able to keep the
    workers busy with it.
    """
    take_slot = _lent("take_slot")
    if not take_slot(f"preview:{current_user.id}", PREVIEWS_PER_MINUTE, timedelta(minutes=1)):
        return render_template("_preview.html", html="", throttled=True), 429
    body = request.form.get("body", request.form.get("description", ""))[:MAX_MARKDOWN]
    return render_template("_preview.html", html=render_markdown(body))


@bp.route("/language", methods=["POST"])
def language():
    """Remember the chosen language for this browser, and for the user when signed in."""
    locale = request.form.get("locale", "")
    if locale not in LOCALES:
        abort(400)
    if current_user.is_authenticated:
        _lent("remember_locale")(current_user._get_current_object(), locale)
    response = make_response(redirect(safe_next(request.form.get("next")) or url_for("kb.home")))
    response.set_cookie(LOCALE_COOKIE, locale, max_age=365 * 24 * 3600, samesite="Lax",
                        httponly=True, secure=request.is_secure)
    return response


def lend(app, **helpers) -> None:
    """What an area lends these endpoints, from its ``init_app``: ``take_slot`` (a
    throttle: key, how many, per period → allowed) and ``remember_locale`` (user,
    locale)."""
    app.extensions.setdefault("site", {}).update(helpers)


def _lent(name: str):
    return current_app.extensions["site"][name]


def init_app(app) -> None:
    """The site-wide endpoints."""
    app.register_blueprint(bp)
