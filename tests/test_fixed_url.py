"""The layout's links built once per address the site is reached at: always what
``url_for`` gives for the request at hand."""

from flask import url_for

from portal.templating import fixed_url


def test_the_same_link_as_url_for_whatever_the_address(app):
    for base in ("http://localhost/", "http://localhost/support/", "https://help.example/"):
        for _ in range(2):  # built, then kept
            with app.test_request_context("/kb/", base_url=base):
                assert fixed_url("kb.index") == url_for("kb.index")
                assert fixed_url("static", filename="css/portal.css") == url_for(
                    "static", filename="css/portal.css")
    with app.test_request_context("/kb/", base_url="http://localhost/support/"):
        assert fixed_url("kb.index") == "/support/kb/"
        assert fixed_url("kb.index", _external=True) == "http://localhost/support/kb/"


def test_the_layout_links_follow_the_script_root(app, client):
    page = client.get("/kb/", base_url="http://localhost/support/").get_data(as_text=True)
    assert 'href="/support/kb/"' in page and 'href="/support/static/css/portal.css"' in page
    page = client.get("/kb/").get_data(as_text=True)
    assert 'href="/kb/"' in page and 'href="/static/css/portal.css"' in page
