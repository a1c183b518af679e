"""Administration: the outbox today; plans, types and users to come."""
