"""Knowledge base: articles, their search index, suggestions, feedback, the editor."""


def init_app(app) -> None:
    """The knowledge base's pages, its editor and its template helpers."""
    from portal import datamove
    from portal.kb import pagecache, search, staff_views, templating, tracking, views

    app.register_blueprint(views.bp)
    app.register_blueprint(staff_views.bp)
    templating.init_app(app)
    tracking.init_app(app)
    pagecache.init_app(app)
    # SQLite's FTS5 tables (PostgreSQL's index lives on ``article``): made again, not copied.
    datamove.derived("kb", ("article_fts", "article_title_fts"), lambda: (
        f"search index rebuilt: {search.rebuild()} published articles"))
