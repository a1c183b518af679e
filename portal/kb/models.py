"""Articles and what readers tell us about them."""

from __future__ import annotations

from peewee import (
    BooleanField,
    CharField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    TextField,
)

from portal import clock
from portal.accounts.models import Product, User
from portal.config import LOCALES
from portal.db import BaseModel

KINDS = ("faq", "known_issue", "howto")
STATUSES = ("draft", "published")
LANGUAGES = LOCALES  # an article is written in one of the languages the portal speaks


class Category(BaseModel):
    """One topic, named in each language; either name may be empty (the other is shown).

    ``count_ja``/``count_en`` are the published articles in each language, kept in step by
    the services in the transaction that publishes, moves or deletes an article, so the
    knowledge-base index shows them without counting.
    """

    slug = CharField(null=True, unique=True)
    name_ja = CharField(default="")
    name_en = CharField(default="")
    count_ja = IntegerField(default=0)
    count_en = IntegerField(default=0)
    created_at = DateTimeField(default=clock.now)

    def name(self, language: str) -> str:
        """The name in ``language``, else the other one."""
        own, other = ((self.name_ja, self.name_en) if language == "ja"
                      else (self.name_en, self.name_ja))
        return own or other

    def named_in(self, language: str) -> bool:
        return bool(self.name_ja if language == "ja" else self.name_en)

    @property
    def count(self) -> int:
        return self.count_ja + self.count_en

    @property
    def key(self) -> str:
        """What its URL says: the slug, else the id."""
        return self.slug or str(self.id)


class Article(BaseModel):
    slug = CharField(unique=True)
    title = CharField()
    body = TextField()  # markdown source
    body_html = TextField()  # render_markdown(body): sanitized
    plain = TextField()  # body as plain text: snippets and the search index
    kind = CharField()
    category = ForeignKeyField(Category, null=True, column_name="category_id",
                               backref="articles")
    product = ForeignKeyField(Product, null=True)
    language = CharField()
    status = CharField(default="draft")
    helpful = IntegerField(default=0)
    not_helpful = IntegerField(default=0)
    views = IntegerField(default=0)
    links = IntegerField(default=0)  # links to it that staff placed in replies
    author = ForeignKeyField(User, null=True)
    created_at = DateTimeField(default=clock.now)
    updated_at = DateTimeField(default=clock.now)
    published_at = DateTimeField(null=True)

    @property
    def is_published(self) -> bool:
        return self.status == "published"


class ArticleFeedback(BaseModel):
    """One vote per reader and article; ``voter`` is a user id or a browser's random id."""

    article = ForeignKeyField(Article, on_delete="CASCADE")
    voter = CharField()
    helpful = IntegerField()
    comment = TextField(default="")  # what a "no" voter missed, for the writers
    created_at = DateTimeField(default=clock.now)


class Deflection(BaseModel):
    """A customer said an article answered them instead of filing a ticket."""

    article = ForeignKeyField(Article, null=True, on_delete="SET NULL")
    user = ForeignKeyField(User, null=True)
    query = TextField(default="")
    created_at = DateTimeField(default=clock.now)


class KbRevision(BaseModel):
    """One row: raised by every change readers can see (see ``portal.kb.pagecache``)."""

    value = IntegerField(default=0)


class SearchLog(BaseModel):
    """One search by one reader, as it ended (see ``portal.kb.searchlog``).

    A visitor is only a random id kept in their browser's session; a signed-in reader is
    their user. ``shown`` holds the ids of the articles shown, so a later click can be
    told apart from a visit that did not come from this search.
    """

    source = CharField()  # "search" (the search page) or "suggest" (the ticket form)
    query = TextField()  # normalized (portal.kb.textforms.normalize), spaces collapsed
    language = CharField()  # the reader's locale
    results = IntegerField(default=0)  # articles shown (at most the page's limit)
    top_article = ForeignKeyField(Article, null=True, on_delete="SET NULL",
                                  column_name="top_article_id")
    shown = TextField(default="")  # ids of the articles shown, space-separated
    user = ForeignKeyField(User, null=True, on_delete="SET NULL")
    visitor = CharField(null=True)
    clicked = BooleanField(default=False)
    answered = BooleanField(default=False)
    filed = BooleanField(default=False)  # a ticket was filed right after
    created_at = DateTimeField(default=clock.now)
    last_at = DateTimeField(default=clock.now)

    class Meta:
        table_name = "search_log"
