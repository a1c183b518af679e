"""The portal's idea of "now" (naive UTC, replaceable in tests and time-based jobs), and
the time zones people may live in."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from zoneinfo import available_timezones

_frozen: datetime | None = None


def now() -> datetime:
    """The current time in UTC, without tzinfo (the form stored in the database)."""
    return _frozen or datetime.now(UTC).replace(tzinfo=None)


def freeze(moment: datetime | None) -> None:
    """Fix :func:`now` at ``moment`` (naive UTC); ``None`` lets time run again."""
    global _frozen
    _frozen = moment



# The areas of the tz database's real places. Left out: ``Factory`` (a zone whose
# abbreviation reads "-00"), ``localtime`` and ``posixrules`` (the server's own files),
# the ``posix/`` and ``right/`` copies, ``Etc/GMT+5``-style offsets (whose sign is the
# reverse of what they look like), and the old aliases (``US/Eastern``, ``Japan``).
_AREAS = frozenset({"Africa", "America", "Antarctica", "Arctic", "Asia", "Atlantic",
                    "Australia", "Europe", "Indian", "Pacific"})


@lru_cache(maxsize=1)
def real_zones() -> frozenset[str]:
    """The zones a person may choose: every Area/Place of the tz database, and UTC."""
    return frozenset(z for z in available_timezones() if z.split("/")[0] in _AREAS) | {"UTC"}


def zone_or(name: str | None, default: str) -> str:
    """``name`` if it is a real zone, else ``default`` (a stored value may predate a rule)."""
    return name if name in real_zones() else default
