"""Staff side: the ticket queue and dashboards (built on the tickets services)."""
