"""Tickets: filing, threads, life cycle, attachments, access policy."""
