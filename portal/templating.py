"""Template helpers: the current locale, local times, localized names."""

from __future__ import annotations

from flask import request, url_for
from flask_babel import format_date, format_datetime, get_locale, gettext

from portal.config import LOCALES


def current_locale() -> str:
    return str(get_locale() or "ja")


_KIND_LABELS: dict[str, dict[str, str]] = {}


def kind_labels() -> dict[str, str]:
    """Article kinds in the reader's language (looked up once per language)."""
    locale = current_locale()
    if locale not in _KIND_LABELS:
        _KIND_LABELS[locale] = {"faq": gettext("FAQ"), "howto": gettext("How-to"),
                                "known_issue": gettext("Known issue")}
    return _KIND_LABELS[locale]


def localized(obj) -> str:
    """``obj.name(locale)`` for models that carry a name per language."""
    return obj.name(current_locale()) if obj is not None else ""


def local_time(moment, fmt: str = "medium") -> str:
    """A stored UTC time in the viewer's zone and language."""
    return format_datetime(moment, fmt) if moment else ""


def page_url(number: int) -> str:
    """This page's URL with its filters kept and ``page`` set to ``number``."""
    args = {**request.view_args, **request.args.to_dict(), "page": number}
    return url_for(request.endpoint, **args)


def local_date(moment, fmt: str = "medium") -> str:
    """The calendar day of a stored UTC time, in the viewer's zone and language."""
    return format_date(moment, fmt) if moment else ""


def init_app(app) -> None:
    app.jinja_env.globals.update(LOCALES=LOCALES, current_locale=current_locale,
                                 page_url=page_url, kind_labels=kind_labels)
    app.jinja_env.filters.update(localized=localized, local_time=local_time,
                                 local_date=local_date)

    @app.context_processor
    def _request_path():
        return {"here": request.full_path.rstrip("?") if request else "/"}
