"""Knowledge base: articles, their search index, suggestions, feedback, the editor."""


def init_app(app) -> None:
    """The knowledge base's pages, its editor and its template helpers."""
    from portal.kb import staff_views, templating, tracking, views

    app.register_blueprint(views.bp)
    app.register_blueprint(staff_views.bp)
    templating.init_app(app)
    tracking.init_app(app)
