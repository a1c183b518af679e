"""Reader pages: home, article list, articles, search, suggestions, feedback."""

from __future__ import annotations

import re
import secrets

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext
from flask_login import current_user, login_required

from portal import counters
from portal.kb import search, services, tracking
from portal.kb.pagecache import public_page
from portal.pagination import page_number
from portal.templating import current_locale

bp = Blueprint("kb", __name__)

MAX_QUERY = 2000


_OUTLINE_LINE = re.compile(r"^\s*(#.*|[(（].*[)）])\s*$")


def _query() -> str:
    """``q``, or (from the ticket form) the subject and the start of the description.

    A description still holds the type's outline: its headings and (hint) lines say
    nothing about the problem, so they are left out of the search.
    """
    q = request.args.get("q")
    if q is None:
        told = [line for line in request.args.get("description", "")[:2000].splitlines()
                if not _OUTLINE_LINE.match(line)]
        q = request.args.get("subject", "") + "\n" + "\n".join(told)[:600]
    return q[:MAX_QUERY].strip()


def _voter(create: bool = True) -> str | None:
    """Who is voting: the user, or this browser (a random id kept in its session)."""
    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    if "voter" not in session:
        if not create:
            return None
        session["voter"] = secrets.token_urlsafe(12)
    return f"browser:{session['voter']}"


@bp.route("/")
def home():
    locale = current_locale()
    return render_template("kb/home.html", popular=services.popular(locale),
                           known=services.known_issues(locale, 5))


@bp.route("/kb/")
@public_page
def index():
    return render_template("kb/index.html", **services.overview(current_locale()))


@bp.route("/kb/category/<key>")
@public_page
def category(key: str):
    found = services.category_by_key(key)
    page = services.category_page(found, current_locale(), page_number(request.args.get("page")))
    return render_template("kb/category.html", category=found, page=page)


@bp.route("/kb/search")
def search_page():
    q = _query()
    found = search.lookup(q, current_locale(), limit=30) if q else search.Found([], [])
    fragment = request.htmx and not request.htmx.history_restore_request
    tracking.searched("search", q, found.hits, whole_page=not fragment)
    if fragment:
        return render_template("kb/_results.html", q=q, hits=found.hits, found=found)
    return render_template("kb/search.html", q=q, hits=found.hits, found=found)


@bp.route("/kb/suggest")
def suggest():
    q = _query()
    found = search.lookup(q, current_locale(), limit=5) if q else search.Found([], [])
    tracking.searched("suggest", q, found.hits)
    return render_template("kb/_suggestions.html", q=q, hits=found.hits, found=found)


@bp.route("/kb/suggest/shown", methods=["POST"])
@login_required
def suggestions_shown():
    """Counted by a POST from the suggestions themselves, for the deflection rate."""
    counters.bump("suggestions_shown")
    return "", 204


@bp.route("/kb/<slug>")
@public_page
def article(slug: str):
    found = services.published(slug)
    return render_template("kb/article.html", article=found,
                           related=services.related(found),
                           voted=services.has_voted(found, _voter(create=False)),
                           asked="no" if request.args.get("missing") == "no" else "")


@bp.route("/kb/<slug>/viewed", methods=["POST"])
def viewed(slug: str):
    """Counted by a POST from the page itself, so a GET (or a link prefetch) changes nothing."""
    found = services.published(slug)
    services.count_view(found)
    tracking.outcome("clicked", found.id)
    return "", 204


@bp.route("/kb/<slug>/answered", methods=["POST"])
@login_required
def answered(slug: str):
    """The customer's question was answered by this article: no ticket is filed."""
    done = services.record_deflection(slug, current_user._get_current_object(),
                                      request.form.get("q", "")[:MAX_QUERY])
    tracking.outcome("answered", done.article_id)
    flash(gettext("Glad it helped. Your request was not sent; you can open a ticket any "
                  "time."), "success")
    return redirect(url_for("kb.article", slug=slug))


@bp.route("/kb/<slug>/feedback", methods=["POST"])
def feedback(slug: str):
    found = services.published(slug)
    choice = request.form.get("helpful")
    if choice not in ("yes", "no"):
        return render_template("kb/_feedback.html", article=found, voted=False,
                               invalid=True), 400
    comment = request.form.get("comment", "")
    services.give_feedback(found, _voter(), choice == "yes", comment)
    if choice == "yes":
        tracking.outcome("answered", found.id)
    # A "no" asks what was missing (once), then thanks.
    asked = "no" if choice == "no" and not comment.strip() else ""
    if request.htmx:
        return render_template("kb/_feedback.html", article=found, voted=True, asked=asked)
    return redirect(url_for("kb.article", slug=slug, missing=asked or None,
                            _anchor="feedback"))
