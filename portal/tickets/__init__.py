"""Tickets: filing, threads, life cycle, attachments, access policy."""


def init_app(app) -> None:
    """The ticket pages and actions, their template helpers, and the SLA clock's subscription."""
    from portal.tickets import formpage, kept, routes, sla_clock, templating

    app.register_blueprint(routes.bp)
    sla_clock.init_app(app)
    templating.init_app(app)
    formpage.init_app(app)
    kept.init_app(app)
