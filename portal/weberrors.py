"""Error pages, in the reader's language, for every error the portal answers with."""

from __future__ import annotations

from flask import render_template
from flask_babel import gettext
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from portal.errors import ServiceError


def _titles() -> dict[int, tuple[str, str]]:
    return {
        400: (gettext("Bad request"), gettext("The request could not be understood.")),
        403: (gettext("Not allowed"), gettext("You do not have permission to do this.")),
        404: (gettext("Page not found"),
              gettext("The page does not exist, or you do not have access to it.")),
        405: (gettext("Not allowed"), gettext("This action is not available here.")),
        413: (gettext("Too large"),
              gettext("What you sent is larger than the portal accepts.")),
        429: (gettext("Too many requests"), gettext("Please wait a moment and try again.")),
        500: (gettext("Something went wrong"),
              gettext("An error occurred on our side. Please try again in a moment.")),
    }


def render_error(code: int, detail: str | None = None):
    title, message = _titles().get(code, _titles()[500])
    return render_template("errors/error.html", code=code, title=title,
                           message=detail or message), code


def init_app(app) -> None:
    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        return render_error(exc.code or 500)

    @app.errorhandler(CSRFError)
    def _csrf(exc: CSRFError):
        return render_error(400, gettext(
            "The form has expired or was sent from another site. Please reload the page "
            "and try again."))

    @app.errorhandler(ServiceError)
    def _service(exc: ServiceError):
        return render_error(exc.status, exc.text(gettext))

