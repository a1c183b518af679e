"""Quick start: ``python app.py`` prepares the database, loads demo data and serves.

``app`` is also importable for ``flask --app app …`` and for WSGI servers.
"""

from portal import create_app

app = create_app()

if __name__ == "__main__":
    from portal.serve import quickstart

    quickstart(app)
