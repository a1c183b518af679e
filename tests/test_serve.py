"""``portal serve``: what it does before gunicorn forks the workers."""

import gc

from portal import serve


def test_serve_freezes_startup_objects_and_closes_the_database_before_forking(app, monkeypatch):
    seen = {}

    def run(self):
        seen["frozen"] = gc.get_freeze_count()
        seen["options"] = self.options
        seen["db_closed"] = serve.db.is_closed()

    monkeypatch.setattr(serve._Gunicorn, "run", run)
    gc.unfreeze()
    try:
        serve.serve(app, "127.0.0.1", 5999, workers=3, threads=4)
    finally:
        gc.unfreeze()
    assert seen["frozen"] > 10_000  # the modules and the app, out of the collector's sight
    assert seen["db_closed"]  # no SQLite connection crosses the fork
    assert seen["options"]["workers"] == 3 and seen["options"]["threads"] == 4
    assert seen["options"]["bind"] == "127.0.0.1:5999"
