"""Mail: the outbox and its sender, notifications, replies that come in by mail."""


def init_app(app) -> None:
    """Mail about tickets and accounts, from their signals."""
    from portal.mail import notify

    notify.init_app(app)
