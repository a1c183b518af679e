"""An agent's saved views: a name for a set of queue filters. No Flask here."""

from __future__ import annotations

from dataclasses import fields

from portal.accounts.models import User
from portal.db import Prepared, transaction
from portal.errors import N_, NotFound, ServiceError
from portal.staff.models import SavedView
from portal.staff.services import QueueFilters

MAX_NAME = 80
MAX_VIEWS = 30
FILTER_NAMES = tuple(f.name for f in fields(QueueFilters))


def clean_filters(raw: dict[str, str]) -> dict[str, str]:
    """Only the queue's own filters, non-empty, each at most 200 characters."""
    return {name: str(raw[name])[:200] for name in FILTER_NAMES
            if str(raw.get(name) or "").strip()}


# Listed beside every full queue page: composed once (``portal.db.Prepared``).
_SAVED = Prepared(lambda user_id: SavedView.select().where(SavedView.user == user_id)
                  .order_by(SavedView.name), -1)


def saved_views(user: User) -> list[SavedView]:
    return _SAVED.rows(user.id)


def save_view(user: User, name: str, raw_filters: dict[str, str]) -> SavedView:
    """Store the filters under ``name``; the same name again replaces them."""
    name = (name or "").strip()
    if not name:
        raise ServiceError(N_("Give the view a name."), "name")
    if len(name) > MAX_NAME:
        raise ServiceError(N_("The name is too long (80 characters at most)."), "name")
    filters = clean_filters(raw_filters)
    with transaction():
        existing = SavedView.get_or_none((SavedView.user == user.id) & (SavedView.name == name))
        if existing is not None:
            existing.filters = filters
            existing.save(only=[SavedView.filters])
            return existing
        if SavedView.select().where(SavedView.user == user.id).count() >= MAX_VIEWS:
            raise ServiceError(N_("You can keep at most 30 views. Delete one first."), "name")
        return SavedView.create(user=user.id, name=name, filters=filters)


def delete_view(user: User, view_id: int) -> None:
    """Delete one of the agent's own views; another agent's view does not exist for them."""
    with transaction():
        deleted = SavedView.delete().where((SavedView.id == view_id)
                                           & (SavedView.user == user.id)).execute()
    if not deleted:
        raise NotFound(N_("There is no such view."))
