"""Template helpers: the current locale, local times, localized names."""

from __future__ import annotations

from flask import request, url_for
from flask_babel import format_date, format_datetime, get_locale, gettext

from portal.config import LOCALES


def current_locale() -> str:
    return str(get_locale() or "ja")


_LABELS: dict[tuple[str, str], dict] = {}


def _labels(group: str, make) -> dict:
    """A group of UI labels in the reader's language, looked up once per language."""
    key = (group, current_locale())
    if key not in _LABELS:
        _LABELS[key] = make()
    return _LABELS[key]


def kind_labels() -> dict[str, str]:
    return _labels("kinds", lambda: {"faq": gettext("FAQ"), "howto": gettext("How-to"),
                                     "known_issue": gettext("Known issue")})


def status_labels() -> dict[str, str]:
    return _labels("statuses", lambda: {
        "new": gettext("New"), "investigating": gettext("Investigating"),
        "waiting_on_customer": gettext("Waiting for your reply"),
        "resolved": gettext("Resolved"), "closed": gettext("Closed")})


def severity_labels() -> dict[int, tuple[str, str]]:
    """Each severity's name and when to use it."""
    return _labels("severities", lambda: {
        1: (gettext("1 · Urgent"), gettext("Production is down and work cannot continue.")),
        2: (gettext("2 · High"), gettext("A major function is unusable or badly degraded.")),
        3: (gettext("3 · Normal"),
            gettext("Part of a function misbehaves, and there is a workaround.")),
        4: (gettext("4 · Low"), gettext("A question or a request without time pressure.")),
    })


def can_file() -> bool:
    from flask_login import current_user

    from portal.tickets.policy import can_file as allowed

    return current_user.is_authenticated and allowed(current_user)


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


def ticket_ref(number: int) -> str:
    """A ticket number as people quote it: ``PREFIX-123``."""
    from portal.tickets.services import format_number

    return format_number(number)


def init_app(app) -> None:
    app.jinja_env.globals.update(LOCALES=LOCALES, current_locale=current_locale,
                                 page_url=page_url, kind_labels=kind_labels,
                                 status_labels=status_labels,
                                 severity_labels=severity_labels, can_file=can_file)
    app.jinja_env.filters.update(localized=localized, local_time=local_time,
                                 local_date=local_date, ticket_ref=ticket_ref)

    @app.context_processor
    def _request_path():
        return {"here": request.full_path.rstrip("?") if request else "/"}
