"""Accounts: people, organizations, sign-in, passwords, invitations, preferences."""


def init_app(app) -> None:
    """Sign-in, password and preferences pages, and the organization's pages."""
    from portal import site
    from portal.accounts import org_views, services, views

    app.register_blueprint(views.bp)
    app.register_blueprint(org_views.bp)
    # The preview's throttle and the language switch's memory for signed-in users.
    site.lend(app, take_slot=services.take_slot, remember_locale=services.set_locale)
