"""Knowledge-base rules: writing articles, keeping search in step, feedback. No Flask here."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from typing import NamedTuple

from markupsafe import Markup
from peewee import JOIN

from portal import clock, counters
from portal.accounts.models import Product, User
from portal.db import Prepared, db, transaction
from portal.errors import N_, NotFound, ServiceError
from portal.kb import search
from portal.kb.models import (
    KINDS,
    LANGUAGES,
    STATUSES,
    Article,
    ArticleFeedback,
    Category,
    Deflection,
    KbRevision,
)
from portal.pagination import Page
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


def category_named(name: str, language: str) -> Category | None:
    """The category called ``name`` in either language; a new one named in ``language``
    when none is (empty: no category)."""
    name = name.strip()
    if not name:
        return None
    found = (Category.select().where((Category.name_ja == name) | (Category.name_en == name))
             .order_by(Category.id).first())
    if found is None:
        found = Category.create(slug=_category_slug(name),
                                **{"name_ja" if language == "ja" else "name_en": name})
    return found


def _category_slug(name: str) -> str | None:
    """A URL name from a Latin name, unless it is taken; otherwise the id serves."""
    slug = "-".join(re.findall(r"[a-z0-9]+", name.lower()))[:60].strip("-")
    if not slug or slug.isdigit() or Category.select().where(Category.slug == slug).exists():
        return None
    return slug


def _revised() -> None:
    """Raise ``kb_revision``: readers' pages kept by ``portal.kb.pagecache`` are stale."""
    search.forget_counts()
    (KbRevision.insert(id=1, value=1)
     .on_conflict(conflict_target=[KbRevision.id], update={KbRevision.value: KbRevision.value + 1})
     .execute())


def _count(category_id: int | None, language: str, step: int) -> None:
    """Keep a category's stored count of published articles in ``language`` in step."""
    if category_id is not None:
        column = Category.count_ja if language == "ja" else Category.count_en
        Category.update({column: column + step}).where(Category.id == category_id).execute()


def _apply(article: Article, data: ArticleInput) -> None:
    article.title, article.body = data.title, data.body
    article.body_html = render_markdown(data.body)
    article.plain = plain_text(article.body_html)
    article.kind, article.language = data.kind, data.language
    article.category = category_named(data.category, data.language)
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
            _count(article.category_id, article.language, -1)
        if data.slug:
            article.slug = data.slug
        _apply(article, data)
        article.save()
        if article.is_published:
            search.index_article(article.id, article.title, article.plain)
            _count(article.category_id, article.language, +1)
        _revised()
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
            _count(article.category_id, article.language, -1)
        article.delete_instance()
        _revised()


def as_input(article: Article) -> ArticleInput:
    return ArticleInput(
        title=article.title, body=article.body, kind=article.kind,
        language=article.language, status=article.status,
        category=article.category.name(article.language) if article.category_id else "",
        slug=article.slug, product=article.product.code if article.product_id else "",
    )


def reindex() -> int:
    """Rebuild the whole search index from the articles; return how many were indexed."""
    with transaction():
        return search.rebuild()


# --- reading -----------------------------------------------------------------------------

# Read on every article page: composed once (see ``portal.db.Prepared``), with its category.
_PUBLISHED = Prepared(
    lambda slug, status: (Article.select(Article, Category).join(Category, JOIN.LEFT_OUTER)
                          .where((Article.slug == slug) & (Article.status == status))),
    "sample-slug", "published")


def published(slug: str) -> Article:
    """A published article, or NotFound (drafts do not exist for readers)."""
    found = _PUBLISHED.rows(slug, "published")
    article = found[0] if found else None
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


def _other(language: str) -> str:
    return next((code for code in LANGUAGES if code != language), language)


_COLUMNS = "id, slug, title, kind, language, category_id, views, updated_at"


def _reader_first(where: str, params: tuple, order: str, language: str,
                  limit: int) -> tuple[str, list]:
    """SQL for the first ``limit`` rows in ``language`` and the first ``limit`` in the
    other language, each read in order from an index (see m0012): a list that puts the
    reader's language first costs the same at 100 articles and at 100,000."""
    parts, values = [], []
    for lang in (language, _other(language)):
        # ``where`` and ``order`` are this module's constants; values are bound.
        parts.append(f"SELECT * FROM (SELECT {_COLUMNS} FROM article"  # noqa: S608
                     f" WHERE status = 'published' AND language = ? AND {where}"
                     f" ORDER BY {order} LIMIT {int(limit)}) AS t")
        values += [lang, *params]
    return " UNION ALL ".join(parts), values


def _articles(sql: str, params: list) -> list[Listed]:
    """Rows of ``_COLUMNS``, in the order given."""
    return [_row(row) for row in db.execute_sql(sql, params).fetchall()]


class Listed(NamedTuple):
    """An article as lists show it: lighter to make than a model instance."""

    id: int
    slug: str
    title: str
    kind: str
    language: str
    category_id: int | None
    views: int
    updated_at: object = None


def _row(row: tuple) -> Listed:
    return Listed(*row[:7], Article.updated_at.python_value(row[7]))


def popular(language: str, limit: int = 8) -> list[Listed]:
    """Most viewed published articles, the reader's language first."""
    # The reader's language came first; the other fills what is left.
    return _articles(*_reader_first("1 = 1", (), "views DESC, id", language, limit))[:limit]


def known_issues(language: str, limit: int = 8) -> list[Listed]:
    """Known issues, the latest change first, the reader's language before the other."""
    return _articles(*_reader_first("kind = 'known_issue'", (), "updated_at DESC, id",
                                    language, limit))[:limit]


# Read on every /kb/: composed once (see ``portal.db.Prepared``).
_CATEGORIES = Prepared(
    lambda empty: Category.select().where(Category.count_ja + Category.count_en > empty), 0)


def overview(language: str, per_category: int = 3, listed: int = 8) -> dict:
    """What ``/kb/`` shows, in two queries whatever the number of articles: the categories
    with their stored counts and each one's most viewed articles (the reader's language
    first), the known issues and the most viewed overall."""
    cats = sorted(_CATEGORIES.rows(0),
                  key=lambda c: (not c.named_in(language), c.name(language).casefold()))
    parts, values = [], []
    for where, params, order, limit in (
            [("category_id = ?", (c.id,), "views DESC, id", per_category) for c in cats]
            + [("kind = 'known_issue'", (), "updated_at DESC, id", listed),
               ("1 = 1", (), "views DESC, id", listed)]):
        sql, more = _reader_first(where, params, order, language, limit)
        parts.append(sql.replace(" FROM article", f", {len(parts)} AS part FROM article"))
        values += more
    rows: dict[int, list[Article]] = {}
    for row in db.execute_sql(" UNION ALL ".join(parts), values).fetchall():
        # The index shows no dates: none are parsed.
        rows.setdefault(row[-1], []).append(Listed(*row[:7]))
    groups = [(c, rows.get(i, [])[:per_category]) for i, c in enumerate(cats)]
    return {"groups": groups, "known": rows.get(len(cats), [])[:listed],
            "popular": rows.get(len(cats) + 1, [])[:listed]}


def category_by_key(key: str) -> Category:
    """A category by its slug or id, or NotFound."""
    found = Category.get_or_none(Category.slug == key)
    if found is None and key.isdigit():
        found = Category.get_or_none(Category.id == int(key))
    if found is None:
        raise NotFound(N_("There is no such category."))
    return found


def category_page(category: Category, language: str, number: int, per_page: int = 50):
    """One page of a category's published articles, the reader's language first, each
    language most viewed first; both read from the index, counted from the stored counts."""
    own = category.count_ja if language == "ja" else category.count_en
    total = category.count
    pages = max(1, -(-total // per_page))
    number = min(max(1, number), pages)
    start = (number - 1) * per_page
    base = _published().where(Article.category == category).order_by(
        Article.views.desc(), Article.id)  # the index's own order (m0012): no sort
    items = []
    if start < own:
        items += list(base.where(Article.language == language).offset(start).limit(per_page))
    if len(items) < per_page:
        items += list(base.where(Article.language != language)
                      .offset(max(0, start - own)).limit(per_page - len(items)))
    return Page(items, number, per_page, total)


def related(article: Article, limit: int = 5) -> list[search.Hit]:
    """Articles sharing words with this one's title, those of its category first; when
    few share a word, the category's most viewed articles fill the list."""
    hits = search.similar(article.title, article.language, article.id, limit * 3)
    hits.sort(key=lambda hit: hit.category != article.category_id)  # stable: rank kept within
    hits = hits[:limit]
    if len(hits) < limit and article.category_id is not None:
        shown = [article.id, *(hit.id for hit in hits)]
        hits += [search.Hit(a.id, a.slug, a.title, a.kind, a.language, a.category_id, False)
                 for a in _published()
                 .where((Article.category == article.category_id) & Article.id.not_in(shown))
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
    query = (Article.select(Article.id, Article.slug, Article.title, Article.kind,
                            Article.language, Article.category, Article.status,
                            Article.views, Article.helpful, Article.not_helpful,
                            Article.updated_at, Category)
             .join(Category, JOIN.LEFT_OUTER))
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
    """Every category's names in both languages, for the editor's suggestions."""
    names = set()
    for category in Category.select():
        names.update(name for name in (category.name_ja, category.name_en) if name)
    return sorted(names)


def ensure_category(slug: str, name_ja: str, name_en: str) -> Category:
    """The category with this slug or either name, made when there is none (idempotent)."""
    with transaction():
        found = (Category.select().where((Category.slug == slug) | (Category.name_ja == name_ja)
                                         | (Category.name_en == name_en))
                 .order_by(Category.id).first())
        return found or Category.create(slug=slug, name_ja=name_ja, name_en=name_en)


def category_list() -> list[Category]:
    """All categories, for staff to name them in both languages."""
    return list(Category.select().order_by(Category.id))


def rename_category(category: Category, name_ja: str, name_en: str) -> Category:
    """Name a category in both languages. A name another category already has merges
    that category into this one (its articles and counts move here): this is how two
    categories made per language become one."""
    name_ja, name_en = name_ja.strip(), name_en.strip()
    if not (name_ja or name_en):
        raise ServiceError(N_("A category needs a name in at least one language."))
    if max(len(name_ja), len(name_en)) > MAX_CATEGORY:
        raise ServiceError(N_("The category is too long (80 characters at most)."))
    with transaction():
        names = [name for name in (name_ja, name_en) if name]
        for other in Category.select().where(
                (Category.id != category.id)
                & (Category.name_ja.in_(names) | Category.name_en.in_(names))):
            Article.update(category=category).where(Article.category == other).execute()
            Category.update(count_ja=Category.count_ja + other.count_ja,
                            count_en=Category.count_en + other.count_en
                            ).where(Category.id == category.id).execute()
            if not category.slug and other.slug:
                category.slug = other.slug
            other.delete_instance()
        Category.update(name_ja=name_ja, name_en=name_en, slug=category.slug
                        ).where(Category.id == category.id).execute()
        _revised()
    return Category.get_by_id(category.id)
