"""One way to cut a query into pages, shared by every list."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Page:
    items: list[Any]
    number: int
    per_page: int
    total: int
    capped: bool = False  # there are more than ``total`` (counting stopped there)
    # The list's filters, by name, for the links to other pages. Only these are carried
    # over: a query string's other arguments (``_external``, ``_method``…) would reach
    # ``url_for`` as its own options.
    args: dict[str, str] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


def page_number(raw: str | None) -> int:
    """A page number from a query string; anything odd is page 1."""
    try:
        return max(1, min(int(raw or 1), 100_000))
    except ValueError:
        return 1


def paginate(query, number: int, per_page: int = 25, cap: int | None = None,
             args: dict[str, str] | None = None, counted=None) -> Page:
    """The ``number``-th page of a Peewee ``query`` (a page past the end shows the last).

    With ``cap``, counting stops there, so a huge list costs no more than a long one.
    ``args`` are the list's filters, kept in the links to the other pages.
    ``counted``, when given, is a cheaper query with the same rows (no joins) to count.
    """
    counted = query if counted is None else counted
    total = (counted.limit(cap + 1).count() if cap else counted.count())
    capped = bool(cap) and total > cap
    total = min(total, cap) if cap else total
    pages = max(1, -(-total // per_page))
    number = min(max(1, number), pages)
    kept = {name: value for name, value in (args or {}).items()
            if value and not name.startswith("_")}
    return Page(list(query.paginate(number, per_page)), number, per_page, total, capped, kept)
