"""The synonym groups staff add at /staff/kb/synonyms, kept in the database.

A group is two or more words or phrases, in either language, that a search treats
alike (see :mod:`portal.kb.lexicon`, which also holds the groups shipped with the
portal). Every change raises ``kb_synonym_revision`` in the same transaction, so every
worker reads the groups again within a second; no re-indexing is needed.
"""

from __future__ import annotations

from peewee import IntegerField, TextField

from portal.db import BaseModel, db, transaction
from portal.errors import N_, NotFound, ServiceError

MAX_WORDS = 30
MAX_WORD = 60
MAX_GROUPS = 2000


class Synonym(BaseModel):
    """One group: its words, one a line."""

    words = TextField()

    class Meta:
        table_name = "kb_synonym"

    @property
    def word_list(self) -> list[str]:
        return [w for w in self.words.split("\n") if w]


class SynonymRevision(BaseModel):
    """One row, raised by every change to the groups."""

    value = IntegerField(default=0)

    class Meta:
        table_name = "kb_synonym_revision"


def owner() -> object | None:
    """Whose groups the cached lexicon holds: the app (each test has its own)."""
    from flask import current_app, has_app_context

    return current_app._get_current_object() if has_app_context() else None


def revision() -> int:
    row = db.execute_sql("SELECT value FROM kb_synonym_revision WHERE id = 1").fetchone()
    return row[0] if row else 0


def staff_groups() -> list[tuple[str, ...]]:
    return [tuple(g.word_list) for g in Synonym.select().order_by(Synonym.id)]


def groups() -> list[Synonym]:
    return list(Synonym.select().order_by(Synonym.id.desc()))


def parse_words(text: str) -> list[str]:
    """Words from a form: separated by commas (either width) or lines, each once."""
    for mark in ("、", "，", "\n"):
        text = text.replace(mark, ",")
    words: list[str] = []
    for word in text.split(","):
        word = " ".join(word.split())
        if word and word.casefold() not in {w.casefold() for w in words}:
            words.append(word)
    return words


def _checked(text: str) -> str:
    from portal.kb.lexicon import word_key

    words = parse_words(text)
    if len(words) < 2:
        raise ServiceError(N_("A group needs at least two words, separated by commas."),
                           field="words")
    if len(words) > MAX_WORDS:
        raise ServiceError(N_("A group holds at most %(num)d words."), field="words",
                           num=MAX_WORDS)
    for word in words:
        if len(word) > MAX_WORD:
            raise ServiceError(N_("A word or phrase is at most %(num)d characters."),
                               field="words", num=MAX_WORD)
        if not word_key(word):
            raise ServiceError(N_("“%(word)s” has no letters or digits to search for."),
                               field="words", word=word)
    return "\n".join(words)


def _revised() -> None:
    (SynonymRevision.insert(id=1, value=1)
     .on_conflict(conflict_target=[SynonymRevision.id],
                  update={SynonymRevision.value: SynonymRevision.value + 1})
     .execute())


def _changed() -> None:
    from portal.kb import lexicon

    lexicon.forget()


def add_group(text: str) -> Synonym:
    words = _checked(text)
    with transaction():
        if Synonym.select().count() >= MAX_GROUPS:
            raise ServiceError(N_("There are too many synonym groups already."))
        group = Synonym.create(words=words)
        _revised()
    _changed()
    return group


def shipped_groups() -> list:
    """The synonym groups shipped with the portal (shown to staff, not editable)."""
    from portal.kb import lexicon  # it reads this module's groups: imported late

    return [g for g in lexicon.shipped() if g.synonyms]


def group_by_id(group_id: int) -> Synonym:
    found = Synonym.get_or_none(Synonym.id == group_id)
    if found is None:
        raise NotFound(N_("No such synonym group."))
    return found


def edit_group(group: Synonym, text: str) -> Synonym:
    words = _checked(text)
    with transaction():
        group.words = words
        group.save()
        _revised()
    _changed()
    return group


def delete_group(group: Synonym) -> None:
    with transaction():
        group.delete_instance()
        _revised()
    _changed()
