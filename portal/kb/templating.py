"""The knowledge base's template helpers."""

from __future__ import annotations

from flask import g, url_for
from flask_babel import gettext

from portal.templating import labels


def kind_labels() -> dict[str, str]:
    return labels("kinds", lambda: {"faq": gettext("FAQ"), "howto": gettext("How-to"),
                                     "known_issue": gettext("Known issue")})


def article_href():
    """A function slug → the article's URL, built by ``url_for`` once per request.

    A list of fifty articles would otherwise pay for fifty URL builds. Slugs are checked
    against ``[a-z0-9-]`` when saved (``services.SLUG``), so they need no quoting.
    """
    if "kb_article_href" not in g:
        head, _, tail = url_for("kb.article", slug="slug-placeholder").rpartition(
            "slug-placeholder")
        g.kb_article_href = lambda slug: f"{head}{slug}{tail}"
    return g.kb_article_href


def init_app(app) -> None:
    """Offer the knowledge base's helpers to every template."""
    app.jinja_env.globals.update(kind_labels=kind_labels, article_href=article_href)
