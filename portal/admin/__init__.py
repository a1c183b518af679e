"""Administration under /admin/: organizations, users, plans, types, products, audit, mail."""


def init_app(app) -> None:
    """The admin pages."""
    from portal.admin import views

    app.register_blueprint(views.bp)
