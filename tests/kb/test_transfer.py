"""import-articles / export-articles: a team's FAQ folder in and out."""

from portal.kb import search
from portal.kb.models import Article

GOOD = """---
title: ログインできない場合の対処方法
kind: faq
language: ja
category: アカウント
status: published
slug: login-trouble
---
本文(Markdown)です。
"""


def _write(folder, name, text):
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")


def test_import_reports_bad_files_by_name_and_line_and_imports_the_rest(runner, tmp_path):
    folder = tmp_path / "faq"
    _write(folder, "good.md", GOOD)
    _write(folder, "no-slug.md", GOOD.replace("slug: login-trouble\n", "").replace(
        "ログインできない場合", "別の記事"))
    _write(folder, "bad-kind.md", GOOD.replace("kind: faq", "kind: blog").replace(
        "login-trouble", "other"))
    _write(folder, "no-header.md", "just text\n")
    _write(folder, "unclosed.md", "---\ntitle: x\n")
    result = runner.invoke(args=["import-articles", str(folder)])
    assert result.exit_code == 1
    assert "bad-kind.md:3: refused" in result.output
    assert "no-header.md:1: refused" in result.output
    assert "unclosed.md:2: refused" in result.output
    assert "created 2, updated 0, refused 3" in result.output
    assert {a.slug for a in Article.select()} == {"login-trouble", "no-slug"}
    assert search.search("別の記事", "ja")[0][0].slug == "no-slug"


def test_reimport_updates_by_slug(runner, tmp_path):
    folder = tmp_path / "faq"
    _write(folder, "a.md", GOOD)
    assert runner.invoke(args=["import-articles", str(folder)]).exit_code == 0
    _write(folder, "a.md", GOOD.replace("本文(Markdown)です。", "新しい本文です。"))
    result = runner.invoke(args=["import-articles", str(folder)])
    assert result.exit_code == 0 and "created 0, updated 1" in result.output
    assert Article.select().count() == 1
    assert "新しい本文" in Article.get().body
    assert search.search("新しい本文", "ja")[0][0].slug == "login-trouble"


def test_export_then_import_gives_the_same_articles(runner, demo, tmp_path):
    before = {a.slug: (a.title, a.body.strip(), a.kind, a.language, a.category, a.status)
              for a in Article.select()}
    assert runner.invoke(args=["export-articles", str(tmp_path / "out")]).exit_code == 0
    Article.update(title="changed").execute()
    result = runner.invoke(args=["import-articles", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    after = {a.slug: (a.title, a.body.strip(), a.kind, a.language, a.category, a.status)
             for a in Article.select()}
    assert after == before
