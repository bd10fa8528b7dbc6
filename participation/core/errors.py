"""Translated error pages for the codes a person can meet."""

from __future__ import annotations

from flask import Flask, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

ERRORS = {
    400: (_l("Bad request"), _l("The request could not be understood. Go back and try again.")),
    403: (_l("Access denied"), _l("You do not have permission to see this page.")),
    404: (_l("Page not found"), _l("The page you asked for does not exist or was moved.")),
    405: (_l("Method not allowed"), _l("This address does not accept that kind of request.")),
    413: (
        _l("File too large"),
        _l("What you sent is larger than this site accepts. Choose a smaller file."),
    ),
    429: (
        _l("Too many attempts"),
        _l("You tried too many times in a short while. Wait a minute and try again."),
    ),
    500: (
        _l("Something went wrong"),
        _l("An error on our side stopped the request. Nothing you sent was saved; try again."),
    ),
}
CSRF_MESSAGE = _l(
    "The form expired or was sent from another site. Reload the page and send it again."
)


def render_error(code: int, message: str | None = None):
    title, default_message = ERRORS.get(code, ERRORS[500])
    return (
        render_template(
            "errors/error.html", code=code, title=title, message=message or default_message
        ),
        code,
    )


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return render_error(400, str(CSRF_MESSAGE))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code in ERRORS:
            if request.path.startswith("/api/"):
                return {"error": error.name, "status": error.code}, error.code
            return render_error(error.code)
        return error

    @app.errorhandler(500)
    def server_error(error):
        return render_error(500)
