"""The knowledge base's template helpers."""

from __future__ import annotations

from flask_babel import gettext

from portal.templating import labels


def kind_labels() -> dict[str, str]:
    return labels("kinds", lambda: {"faq": gettext("FAQ"), "howto": gettext("How-to"),
                                     "known_issue": gettext("Known issue")})


def init_app(app) -> None:
    """Offer the knowledge base's helpers to every template."""
    app.jinja_env.globals.update(kind_labels=kind_labels)
