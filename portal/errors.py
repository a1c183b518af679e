"""The one exception type the services raise, carrying a translatable message."""

from __future__ import annotations

from collections.abc import Callable


def N_(message: str) -> str:
    """Mark ``message`` for the catalogs without translating it here (no Flask needed)."""
    return message


class ServiceError(Exception):
    """A rule refused an action. ``field`` names the form field it belongs to, if any."""

    status = 400

    def __init__(self, message: str, field: str | None = None, **params):
        super().__init__(message % params if params else message)
        self.message = message
        self.field = field
        self.params = params

    def text(self, translate: Callable[[str], str] = lambda s: s) -> str:
        """The message in the caller's language (``translate`` is e.g. gettext)."""
        translated = translate(self.message)
        return translated % self.params if self.params else translated


class NotFound(ServiceError):
    """The object does not exist *for this user*; never says whether it exists at all."""

    status = 404


class Throttled(ServiceError):
    status = 429
