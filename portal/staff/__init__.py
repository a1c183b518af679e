"""Staff side: the ticket queue and dashboards (built on the tickets area)."""


def init_app(app) -> None:
    """The queue, the dashboard and the canned replies."""
    from portal.staff import kept, rows, views, views_dashboard, views_replies

    app.register_blueprint(views.bp)
    app.register_blueprint(views_dashboard.bp)
    app.register_blueprint(views_replies.bp)
    app.jinja_env.globals["queue_rows"] = rows.queue_rows
    kept.init_app(app)
