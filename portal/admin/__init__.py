"""Administration under /admin/: organizations, users, plans, types, products, audit, mail."""
