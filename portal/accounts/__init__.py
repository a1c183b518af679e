"""Accounts: people, organizations, sign-in, passwords, invitations, preferences."""


def init_app(app) -> None:
    """Sign-in, password and preferences pages, and the organization's pages."""
    from portal.accounts import org_views, views

    app.register_blueprint(views.bp)
    app.register_blueprint(org_views.bp)
