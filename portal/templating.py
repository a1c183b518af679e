"""Area-free template helpers: the locale, local times, localized names, page links, labels.

Each area registers its own helpers in its `init_app` (e.g. `portal/tickets/templating.py`).
"""

from __future__ import annotations

import re
from datetime import UTC
from functools import lru_cache
from weakref import WeakKeyDictionary

from babel import Locale
from babel.dates import (
    TIMEDELTA_UNITS,
    format_timedelta,
    get_date_format,
    get_datetime_format,
    get_time_format,
    parse_pattern,
)
from flask import request, url_for
from flask.globals import request_ctx
from flask_babel import (
    format_date,
    format_datetime,
    get_locale,
    get_timezone,
    get_translations,
)
from jinja2 import pass_context
from markupsafe import Markup

from portal.config import LOCALES
from portal.i18n import select_timezone
from portal.security import csrf_token


def current_locale() -> str:
    return str(get_locale() or "ja")


_LABELS: dict[tuple[str, str], dict] = {}


def labels(group: str, make, locale: str | None = None) -> dict:
    """A group of UI labels in the reader's language (``locale``, which must be the
    current one, saves looking it up), made once per language."""
    key = (group, locale or current_locale())
    found = _LABELS.get(key)
    if found is None:
        found = _LABELS[key] = make()
    return found


def language_name(code: str) -> str:
    """A language's name in that language (日本語, English), as a language menu shows it."""
    return _LANGUAGE_NAMES.get(code, code)


_LANGUAGE_NAMES = {code: Locale.parse(code).get_display_name(code) for code in LOCALES}


def localized(obj) -> str:
    """``obj.name(locale)`` for models that carry a name per language."""
    return obj.name(current_locale()) if obj is not None else ""


# One unambiguous way to write a day per language, year first (never month/day guessing):
# 2026/11/30 17:12 in Japanese, 2026-11-30 17:12 in English. "long" and "full" keep the
# language's words (weekday names) for the few pages that need them.
DATE_PATTERNS = {"ja": "yyyy/MM/dd", "en": "yyyy-MM-dd"}
TIME_PATTERN = "HH:mm"


def date_pattern(locale: str, with_time: bool = True) -> str:
    """The one short date (and time) pattern of ``locale``, as Babel patterns."""
    day = DATE_PATTERNS.get(locale, DATE_PATTERNS["en"])
    return f"{day} {TIME_PATTERN}" if with_time else day


# The same short patterns as Python format strings: a queue page shows 150 times, and
# formatting the numbers directly costs a tenth of applying Babel's pattern.
_FIELDS = {"yyyy": "{0.year:04d}", "MM": "{0.month:02d}", "dd": "{0.day:02d}",
           "HH": "{0.hour:02d}", "mm": "{0.minute:02d}"}


@lru_cache(maxsize=16)
def _numeric(locale: str, with_time: bool) -> str:
    """The short pattern of ``locale`` as a ``str.format`` template."""
    pattern = date_pattern(locale, with_time)
    template = re.sub(r"yyyy|MM|dd|HH|mm", lambda m: _FIELDS[m.group()], pattern)
    if re.search(r"[A-Za-z]", re.sub(r"\{0\.\w+:0\dd\}", "", template)):
        raise ValueError(f"not a numeric pattern: {pattern}")
    return template


@lru_cache(maxsize=64)
def _pattern(locale: str, fmt: str, with_time: bool):
    """The pattern for a named format, parsed once (formatting then costs ~4 µs
    instead of ~50 µs: a 300-message thread shows 300 times)."""
    loc = Locale.parse(locale)
    if fmt in ("short", "medium"):
        return loc, parse_pattern(date_pattern(locale, with_time))
    date = get_date_format(fmt, locale=loc).pattern
    if not with_time:
        return loc, parse_pattern(date)
    joined = str(get_datetime_format(fmt, locale=loc))
    time = get_time_format(fmt, locale=loc).pattern
    return loc, parse_pattern(joined.replace("{0}", time).replace("{1}", date))


def _formatted(moment, fmt: str, with_time: bool, locale: str | None = None,
               zone=None) -> str:
    if not moment:
        return ""
    if fmt not in ("short", "medium", "long", "full"):
        return format_datetime(moment, fmt) if with_time else format_date(moment, fmt)
    locale = locale or current_locale()
    aware = moment.replace(tzinfo=UTC).astimezone(zone or get_timezone())
    if fmt in ("short", "medium"):
        return _numeric(locale, with_time).format(aware)
    loc, pattern = _pattern(locale, fmt, with_time)
    return pattern.apply(aware, loc)


def local_time(moment, fmt: str = "medium") -> str:
    """A stored UTC time in the viewer's zone and language."""
    return _formatted(moment, fmt, True)


# --- looked up once per rendered page --------------------------------------------------
# A page asks for the reader's language and zone, and for their translations, dozens of
# times (a queue page several hundred); Flask-Babel finds each through four lookups of
# the request context. ``_per_render`` puts them into every template's context once, and
# the template functions below read them from there (Flask-Babel's own lookup when a
# template is rendered without them, e.g. straight from the Jinja environment).


def _per_render() -> dict:
    # ``_once`` keeps what a page asks for again and again (its CSRF token) for this one
    # rendering only: a new dict for every page rendered.
    # Flask-WTF offers ``csrf_token`` through a context processor too: replaced here.
    return {"_translations": get_translations(), "_locale": current_locale(),
            "_zone": get_timezone(), "_once": {}, "csrf_token": _csrf_token}


def context_locale(context) -> str:
    """The reader's language, from the page's context (for ``pass_context`` helpers)."""
    return _context_locale(context)


def _context_locale(context) -> str:
    return context.get("_locale") or current_locale()


def _context_zone(context):
    return context.get("_zone") or get_timezone()


def _context_translations(context):
    found = context.get("_translations")
    return found if found is not None else get_translations()


@pass_context
def _gettext(context, string: str) -> str:
    return _context_translations(context).ugettext(string)


@pass_context
def _underscore(context, string: str, **variables) -> str:
    """``_()``: what Jinja's i18n extension does (newstyle: autoescaped, always formatted),
    without its two indirections through the context."""
    translations = _context_translations(context)
    autoescape = context.eval_ctx.autoescape
    if not variables:  # the same text every time: made once per catalog
        made = _MESSAGES.get(translations)
        if made is None:
            made = _MESSAGES[translations] = {}
        found = made.get((string, autoescape))
        if found is None:
            found = made[(string, autoescape)] = _message(translations, string, autoescape, {})
        return found
    return _message(translations, string, autoescape, variables)


def _message(translations, string: str, autoescape: bool, variables: dict) -> str:
    text = translations.ugettext(string)
    if autoescape:
        text = Markup(text)  # noqa: S704  (our catalog's own text, as Jinja's i18n marks it)
    return text % variables


# Per catalog (Flask-Babel keeps one per language for the life of the process), the
# messages templates show without variables; gone with the catalog.
_MESSAGES: WeakKeyDictionary = WeakKeyDictionary()


@pass_context
def _page_locale(context) -> str:
    """``current_locale()`` for templates: from the page's context."""
    return _context_locale(context)


@pass_context
def _page_zone(context) -> str:
    """The reader's zone's name for templates (``select_timezone``'s, as Flask-Babel
    resolved it for this page)."""
    zone = context.get("_zone")
    return str(zone) if zone is not None else select_timezone()


@pass_context
def _csrf_token(context) -> str:
    """The request's CSRF token (the same all through it), asked for once per page
    instead of once per form."""
    once = context.get("_once")
    if once is None:
        return csrf_token()
    token = once.get("csrf_token")
    if token is None:
        token = once["csrf_token"] = csrf_token()
    return token


@pass_context
def _ngettext(context, singular: str, plural: str, num: int) -> str:
    return _context_translations(context).ungettext(singular, plural, num)


@pass_context
def _pgettext(context, msgctxt: str, string: str) -> str:
    return _context_translations(context).upgettext(msgctxt, string)


@pass_context
def _npgettext(context, msgctxt: str, singular: str, plural: str, num: int) -> str:
    return _context_translations(context).unpgettext(msgctxt, singular, plural, num)


@pass_context
def _local_time_filter(context, moment, fmt: str = "medium") -> str:
    return _formatted(moment, fmt, True, _context_locale(context), _context_zone(context))


@pass_context
def _local_date_filter(context, moment, fmt: str = "medium") -> str:
    return _formatted(moment, fmt, False, _context_locale(context), _context_zone(context))


@pass_context
def _iso_local_filter(context, moment) -> str:
    return _iso(moment, _context_zone(context))


@pass_context
def _duration_filter(context, seconds: int) -> str:
    return duration_in(context, seconds)


def duration_in(context, seconds: int) -> str:
    """:func:`duration` in the language of a page's template ``context``."""
    return _duration(seconds, _context_locale(context), _context_translations(context))


def here() -> str:
    """This page's path and query, for "come back here" links (computed only if used)."""
    return request.full_path.rstrip("?")


def fixed_url(endpoint: str, **values) -> str:
    """``url_for(endpoint, **values)`` for a link that is the same on every page (the
    layout's static files and menu), built once per address the site is reached at.

    A URL depends only on the rule, its values and how the request's adapter is bound
    (server name, script root, scheme, subdomain): all of them are the key. Anything
    else goes to ``url_for`` itself: a relative endpoint, an option (``_external`` …),
    or URL defaults registered by the app (which could change it per page).
    """
    ctx = request_ctx._get_current_object()
    adapter, app = ctx.url_adapter, ctx.app
    if endpoint[:1] == "." or app.url_default_functions or any(
            name[:1] == "_" for name in values):
        return url_for(endpoint, **values)
    key = (adapter.server_name, adapter.script_name, adapter.url_scheme, adapter.subdomain,
           endpoint, *sorted(values.items())) if values else (
        adapter.server_name, adapter.script_name, adapter.url_scheme, adapter.subdomain,
        endpoint)
    urls = app.extensions.setdefault("fixed_urls", {})
    found = urls.get(key)
    if found is None:
        if len(urls) >= 1000:
            urls.clear()
        found = urls[key] = url_for(endpoint, **values)
    return found


def page_url(page, number: int) -> str:
    """This list's URL with its known filters (``page.args``) and ``page`` = ``number``."""
    return url_for(request.endpoint, **request.view_args, **page.args, page=number)


def local_date(moment, fmt: str = "medium") -> str:
    """The calendar day of a stored UTC time, in the viewer's zone and language."""
    return _formatted(moment, fmt, False)


def filesize(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def iso_local(moment) -> str:
    """A stored UTC time as ISO 8601 with the viewer's offset (for ``datetime=``)."""
    return _iso(moment, get_timezone())


def _iso(moment, zone) -> str:
    if not moment:
        return ""
    return moment.replace(tzinfo=UTC).astimezone(zone).isoformat(timespec="seconds")


def duration(seconds: int) -> str:
    """A span of time in words short enough for a countdown: 2 d 3 h, 1 h 20 min, 5 min."""
    return _duration(seconds, current_locale(), get_translations())


def _duration(seconds: int, locale: str, translations) -> str:
    minutes = max(0, abs(int(seconds))) // 60
    days, rest = divmod(minutes, 1440)
    hours, minutes = divmod(rest, 60)
    if days:
        return translations.ugettext("%(d)d d %(h)d h") % {"d": days, "h": hours}
    if hours:
        return translations.ugettext("%(h)d h %(m)d min") % {"h": hours, "m": minutes}
    return translations.ugettext("%(m)d min") % {"m": minutes}


_AGES: dict[tuple[str, int, str], str] = {}


def short_age(seconds: float, locale: str) -> str:
    """Babel's ``format_timedelta(seconds, threshold=1, format="short")`` ("3 days",
    "3日"), worked out once per unit, number and language: a queue page asks fifty times.

    Its words depend only on the unit Babel picks and the rounded number, which are
    found here the way Babel finds them."""
    for unit, per_unit in TIMEDELTA_UNITS:
        value = abs(seconds) / per_unit
        if value >= 1 or unit == "second":
            if unit == "second" and value > 0:
                value = max(1, value)
            key = (unit, int(round(value)), locale)
            break
    text = _AGES.get(key)
    if text is None:
        text = format_timedelta(seconds, threshold=1, format="short", locale=locale)
        if len(_AGES) < 20_000:  # units × numbers × languages: a few thousand at most
            _AGES[key] = text
    return text


def nothing(*args, **kwargs) -> str:
    """Shows nothing, whatever it is given (a stand-in for a macro with nothing to say)."""
    return ""


def init_app(app) -> None:
    """Offer the area-free helpers to every template; each area adds its own."""
    app.jinja_env.globals.update(LOCALES=LOCALES, current_locale=current_locale,
                                 page_url=page_url, here=here, current_zone=select_timezone,
                                 language_name=language_name, nothing=nothing,
                                 fixed_url=fixed_url)
    app.jinja_env.filters.update(localized=localized, local_time=_local_time_filter,
                                 local_date=_local_date_filter, filesize=filesize,
                                 iso_local=_iso_local_filter, duration=_duration_filter)
    # Flask-Babel installed its own (a context lookup per message); the same messages,
    # with the translations looked up once per page.
    app.jinja_env.install_gettext_callables(gettext=_gettext, ngettext=_ngettext,
                                            pgettext=_pgettext, npgettext=_npgettext,
                                            newstyle=True)
    app.jinja_env.globals.update(_=_underscore, gettext=_underscore, csrf_token=_csrf_token,
                                 current_locale=_page_locale, current_zone=_page_zone)
    app.context_processor(_per_render)
