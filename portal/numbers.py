"""Numbers that come from outside (URLs, form fields, mail headers) on their way to SQL.

Threat: a number the database cannot hold (``/tickets/99999999999999999999999``) makes
the driver raise instead of finding nothing, and a digit Python accepts but ``int()``
refuses (``²``, ``١``) does the same: either way a 500 instead of a 404. Every id is read
here: ASCII digits only, no larger than a signed 64-bit integer (SQLite's INTEGER and
PostgreSQL's BIGINT); anything else is "no such object".
"""

from __future__ import annotations

from werkzeug.routing import IntegerConverter

MAX_ID = 2**63 - 1


def parse_id(text: str | int | None) -> int | None:
    """``text`` as a whole number the database can hold, else None."""
    if isinstance(text, int):
        return text if 0 <= text <= MAX_ID else None
    text = (text or "").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 19:
        return None
    number = int(text)
    return number if number <= MAX_ID else None


class BoundedIntConverter(IntegerConverter):
    """``<int:…>`` in every route: a larger number does not match, so the URL is a 404."""

    def __init__(self, map, *args, **kwargs):  # noqa: A002 -- Werkzeug's signature
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def init_app(app) -> None:
    """Install the bounded converter; call before any blueprint adds its routes."""
    app.url_map.converters["int"] = BoundedIntConverter
