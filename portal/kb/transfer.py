"""Articles in and out as Markdown files with a small front-matter header.

```
---
title: ログインできない場合の対処方法
kind: faq
language: ja
category: アカウント
status: published
slug: login-trouble
---
本文(Markdown)…
```

The header is ``key: value`` lines between two ``---`` lines (a YAML subset: values
may be quoted, ``#`` lines are comments). A file without ``slug`` takes its file name
as slug, so importing the same folder again updates instead of duplicating.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from peewee import JOIN

from portal.errors import ServiceError
from portal.kb import services
from portal.kb.models import Article, Category

REQUIRED = ("title", "kind", "language", "status")
KNOWN = {"title", "kind", "language", "category", "status", "slug", "product"}


class Refused(Exception):
    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line


@dataclass
class Report:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    refused: list[tuple[str, int, str]] = field(default_factory=list)  # file, line, why


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def parse(text: str, stem: str) -> services.ArticleInput:
    """The article a file describes, or :class:`Refused` with the line at fault."""
    lines = text.lstrip("\ufeff").splitlines()
    if not lines or lines[0].strip() != "---":
        raise Refused(1, "the file must start with a '---' line opening the header")
    header: dict[str, tuple[str, int]] = {}
    for number, line in enumerate(lines[1:], start=2):
        if line.strip() == "---":
            body_start = number
            break
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        key, sep, value = line.partition(":")
        key = key.strip().lower()
        if not sep or not key:
            raise Refused(number, f"expected 'key: value', found {line.strip()[:40]!r}")
        if key not in KNOWN:
            raise Refused(number, f"unknown header key {key!r}")
        header[key] = (_unquote(value), number)
    else:
        raise Refused(len(lines), "the header is not closed by a '---' line")
    for key in REQUIRED:
        if not header.get(key, ("", 0))[0]:
            raise Refused(2, f"the header has no {key!r}")
    data = services.ArticleInput(
        body="\n".join(lines[body_start:]).strip() + "\n",
        slug=header.get("slug", (stem.lower(), 0))[0],
        **{k: v for k, (v, _) in header.items() if k not in ("slug",)},
    )
    if not services.validate(data, Article.get_or_none(Article.slug == data.slug)):
        fieldname, message = next(iter(data.errors.items()))
        line = header.get(fieldname, ("", body_start + 1))[1]
        raise Refused(line, f"{fieldname}: {message}")
    return data


def import_dir(folder: Path) -> Report:
    """Import every ``*.md`` file below ``folder``; a bad file never stops the rest."""
    report = Report()
    for path in sorted(folder.rglob("*.md")):
        name = str(path.relative_to(folder))
        try:
            data = parse(path.read_text(encoding="utf-8"), path.stem)
            existing = Article.get_or_none(Article.slug == data.slug)
            services.save_article(data, article=existing)
        except UnicodeDecodeError:
            report.refused.append((name, 1, "not UTF-8 text"))
        except Refused as err:
            report.refused.append((name, err.line, str(err)))
        except ServiceError as err:
            report.refused.append((name, 1, err.text()))
        else:
            (report.updated if existing else report.created).append(data.slug)
    return report


def export_dir(folder: Path) -> int:
    """Write every article as ``<slug>.md`` in the import format; return the count."""
    folder.mkdir(parents=True, exist_ok=True)
    count = 0
    query = (Article.select(Article, Category).join(Category, JOIN.LEFT_OUTER)
             .order_by(Article.id))
    for article in query:
        category = article.category.name(article.language) if article.category_id else ""
        header = [("title", article.title), ("kind", article.kind),
                  ("language", article.language), ("category", category),
                  ("status", article.status), ("slug", article.slug)]
        if article.product_id:
            header.append(("product", article.product.code))
        lines = ["---", *(f"{k}: {_quote(v)}" for k, v in header), "---", article.body.rstrip()]
        (folder / f"{article.slug}.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
        count += 1
    return count


def _quote(value: str) -> str:
    """Quote a value that would otherwise read back differently."""
    if value != value.strip() or (value[:1] in "\"'#" and value):
        return '"' + value + '"'
    return value
