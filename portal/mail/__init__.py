"""Mail: the outbox and its sender, notifications, replies that come in by mail."""
