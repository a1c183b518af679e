"""Knowledge-base rules: writing articles, keeping search in step, feedback. No Flask here."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field

from markupsafe import Markup
from peewee import fn

from portal import clock, counters
from portal.accounts.models import Product, User
from portal.db import transaction
from portal.errors import N_, NotFound, ServiceError
from portal.kb import search
from portal.kb.models import KINDS, LANGUAGES, STATUSES, Article, ArticleFeedback, Deflection
from portal.text import render_markdown

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
MAX_TITLE = 200
MAX_BODY = 100_000
MAX_CATEGORY = 80


@dataclass
class ArticleInput:
    """What an author submits; :func:`validate` fills ``errors`` per field."""

    title: str = ""
    body: str = ""
    kind: str = "faq"
    language: str = "ja"
    category: str = ""
    status: str = "draft"
    slug: str = ""
    product: str = ""  # product code, empty for none
    errors: dict[str, str] = field(default_factory=dict)


def validate(data: ArticleInput, current: Article | None = None) -> bool:
    """Check every field; messages are catalog keys (see ``portal.errors.N_``)."""
    data.title, data.category = data.title.strip(), data.category.strip()
    data.slug = data.slug.strip()
    errors = data.errors
    errors.clear()
    if not data.title:
        errors["title"] = N_("Please enter a title.")
    elif len(data.title) > MAX_TITLE:
        errors["title"] = N_("The title is too long (200 characters at most).")
    if not data.body.strip():
        errors["body"] = N_("Please write the article.")
    elif len(data.body) > MAX_BODY:
        errors["body"] = N_("The article is too long (100,000 characters at most).")
    if data.kind not in KINDS:
        errors["kind"] = N_("Please choose a kind.")
    if data.language not in LANGUAGES:
        errors["language"] = N_("The language must be ja or en.")
    if data.status not in STATUSES:
        errors["status"] = N_("The status must be draft or published.")
    if len(data.category) > MAX_CATEGORY:
        errors["category"] = N_("The category is too long (80 characters at most).")
    if data.slug and not SLUG.match(data.slug):
        errors["slug"] = N_("Use lower-case letters, digits and hyphens only.")
    elif data.slug:
        clash = Article.select().where(Article.slug == data.slug)
        if current is not None:
            clash = clash.where(Article.id != current.id)
        if clash.exists():
            errors["slug"] = N_("Another article already uses this slug.")
    if data.product and not Product.select().where(Product.code == data.product).exists():
        errors["product"] = N_("Please choose a product from the list.")
    return not errors


def plain_text(html: str) -> str:
    """Sanitized HTML as text, for snippets and the index."""
    return Markup(html).striptags()  # noqa: S704 -- html is sanitizer output; we only read it


def _slug_for(title: str) -> str:
    words = re.findall(r"[a-z0-9]+", title.lower())
    base = "-".join(words)[:60].strip("-") or "article"
    slug = base
    while Article.select().where(Article.slug == slug).exists():
        slug = f"{base}-{secrets.token_hex(3)}"
    return slug


def _apply(article: Article, data: ArticleInput) -> None:
    article.title, article.body = data.title, data.body
    article.body_html = render_markdown(data.body)
    article.plain = plain_text(article.body_html)
    article.kind, article.language, article.category = data.kind, data.language, data.category
    article.product = Product.get_or_none(Product.code == data.product) if data.product else None
    if data.status == "published" and not article.published_at:
        article.published_at = clock.now()
    article.status = data.status
    article.updated_at = clock.now()


def save_article(data: ArticleInput, author: User | None = None,
                 article: Article | None = None) -> Article:
    """Create or update an article and its place in the search index, all at once."""
    with transaction():
        if not validate(data, article):
            raise ServiceError(N_("Please correct the marked fields."))
        if article is None:
            article = Article(author=author, slug=data.slug or _slug_for(data.title))
        elif article.is_published:
            search.unindex_article(article.id, article.title, article.plain)
        if data.slug:
            article.slug = data.slug
        _apply(article, data)
        article.save()
        if article.is_published:
            search.index_article(article.id, article.title, article.plain, article.language)
    return article


def set_status(article: Article, status: str) -> Article:
    """Publish or unpublish; the index follows in the same transaction."""
    data = as_input(article)
    data.status = status
    return save_article(data, article=article)


def delete_article(article: Article) -> None:
    with transaction():
        if article.is_published:
            search.unindex_article(article.id, article.title, article.plain)
        article.delete_instance()


def as_input(article: Article) -> ArticleInput:
    return ArticleInput(
        title=article.title, body=article.body, kind=article.kind,
        language=article.language, category=article.category, status=article.status,
        slug=article.slug, product=article.product.code if article.product_id else "",
    )


def reindex() -> int:
    """Rebuild the whole search index from the articles; return how many were indexed."""
    with transaction():
        return search.rebuild()


# --- reading -----------------------------------------------------------------------------

def published(slug: str) -> Article:
    """A published article, or NotFound (drafts do not exist for readers)."""
    article = Article.get_or_none((Article.slug == slug) & (Article.status == "published"))
    if article is None:
        raise NotFound(N_("There is no such article."))
    return article


def article_by_id(article_id: int) -> Article:
    """Any article, drafts included (for the editor)."""
    article = Article.get_or_none(Article.id == article_id)
    if article is None:
        raise NotFound(N_("There is no such article."))
    return article


def _published():
    return Article.select(Article.id, Article.slug, Article.title, Article.kind,
                          Article.language, Article.category, Article.views,
                          Article.updated_at).where(Article.status == "published")


def popular(language: str, limit: int = 8) -> list[Article]:
    """Most viewed published articles, the reader's language first."""
    return list(_published().order_by((Article.language != language), Article.views.desc())
                .limit(limit))


def known_issues(language: str, limit: int = 8) -> list[Article]:
    return list(_published().where(Article.kind == "known_issue")
                .order_by((Article.language != language), Article.updated_at.desc())
                .limit(limit))


def categories(language: str) -> list[tuple[str, list[Article]]]:
    """Published articles grouped by category, the reader's language first."""
    rows = (_published().order_by((Article.language != language), Article.category,
                                  Article.views.desc()))
    groups: dict[str, list[Article]] = {}
    for article in rows:
        groups.setdefault(article.category or "", []).append(article)
    return list(groups.items())


def related(article: Article, limit: int = 5) -> list[search.Hit]:
    """Articles sharing words with this one's title, those of its category first; when
    few share a word, the category's most viewed articles fill the list."""
    hits = search.similar(article.title, article.language, article.id, limit * 3)
    hits.sort(key=lambda hit: hit.category != article.category)  # stable: rank kept within
    hits = hits[:limit]
    if len(hits) < limit:
        shown = [article.id, *(hit.id for hit in hits)]
        hits += [search.Hit(a.id, a.slug, a.title, a.kind, a.language, a.category, False)
                 for a in _published()
                 .where((Article.category == article.category) & Article.id.not_in(shown))
                 .order_by(Article.views.desc(), Article.id.desc())
                 .limit(limit - len(hits))]
    return hits


def count_view(article: Article) -> None:
    with transaction():
        Article.update(views=Article.views + 1).where(Article.id == article.id).execute()


MAX_FEEDBACK_COMMENT = 2_000


def give_feedback(article: Article, voter: str, helpful: bool, comment: str = "") -> bool:
    """Record one vote per reader; False if this reader had already voted.

    A "no" may come with what the reader missed (for the writers); sent after the vote,
    it is added to that reader's "no"."""
    comment = (comment or "").strip()[:MAX_FEEDBACK_COMMENT]
    with transaction():  # immediate: two clicks at once cannot both pass the check
        if has_voted(article, voter):
            if comment and not helpful:
                ArticleFeedback.update(comment=comment).where(
                    (ArticleFeedback.article == article) & (ArticleFeedback.voter == voter)
                    & (ArticleFeedback.helpful == 0)).execute()
            return False
        ArticleFeedback.create(article=article, voter=voter, helpful=int(helpful),
                               comment="" if helpful else comment)
        column = Article.helpful if helpful else Article.not_helpful
        Article.update({column: column + 1}).where(Article.id == article.id).execute()
    return True


def missing_notes(article: Article, limit: int = 20) -> list[ArticleFeedback]:
    """What readers who voted "no" said was missing, newest first (for the writers)."""
    return list(ArticleFeedback.select().where(
        (ArticleFeedback.article == article) & (ArticleFeedback.helpful == 0)
        & (ArticleFeedback.comment != "")).order_by(ArticleFeedback.id.desc()).limit(limit))


def has_voted(article: Article, voter: str | None) -> bool:
    return bool(voter) and ArticleFeedback.select().where(
        (ArticleFeedback.article == article) & (ArticleFeedback.voter == voter)).exists()


def record_deflection(slug: str, user: User | None, query: str) -> Deflection:
    """The customer's question was answered by this article: no ticket needed."""
    with transaction():
        article = published(slug)
        counters.bump("answered")  # the dashboard's deflection rate reads the counter
        return Deflection.create(article=article, user=user, query=query[:500])


def staff_list(status: str = "", kind: str = "", language: str = "", q: str = ""):
    """Articles for the editor's list, newest change first (a query, for paginate)."""
    query = Article.select(Article.id, Article.slug, Article.title, Article.kind,
                           Article.language, Article.category, Article.status,
                           Article.views, Article.helpful, Article.not_helpful,
                           Article.updated_at)
    if status in STATUSES:
        query = query.where(Article.status == status)
    if kind in KINDS:
        query = query.where(Article.kind == kind)
    if language in LANGUAGES:
        query = query.where(Article.language == language)
    if q.strip():
        needle = q.strip()
        query = query.where(Article.title.contains(needle) | (Article.slug == needle.lower()))
    return query.order_by(Article.updated_at.desc(), Article.id.desc())


def category_names() -> list[str]:
    rows = Article.select(fn.DISTINCT(Article.category)).where(Article.category != "")
    return sorted(r.category for r in rows)
