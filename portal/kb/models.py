"""Articles and what readers tell us about them."""

from __future__ import annotations

from peewee import CharField, DateTimeField, ForeignKeyField, IntegerField, TextField

from portal import clock
from portal.accounts.models import Product, User
from portal.config import LOCALES
from portal.db import BaseModel

KINDS = ("faq", "known_issue", "howto")
STATUSES = ("draft", "published")
LANGUAGES = LOCALES  # an article is written in one of the languages the portal speaks


class Article(BaseModel):
    slug = CharField(unique=True)
    title = CharField()
    body = TextField()  # markdown source
    body_html = TextField()  # render_markdown(body): sanitized
    plain = TextField()  # body as plain text: snippets and the search index
    kind = CharField()
    category = CharField(default="")
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
