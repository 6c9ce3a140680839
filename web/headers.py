"""Headers every response carries (a strict Content-Security-Policy and friends), and /favicon.ico."""

from __future__ import annotations

from flask import Blueprint, Flask, Response, current_app

# Scripts and styles come only from /static (no inline script, no inline style, no eval); nothing
# may frame the pages; forms post only here. The API's JSON gets the same: it costs nothing there.
CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self'", "object-src 'none'",
    "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'",
))
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",  # frame-ancestors for browsers that predate it
    "Referrer-Policy": "same-origin",  # a query in the address is not sent to the sites articles link to
}

bp = Blueprint("assets", __name__)


@bp.get("/favicon.ico")
def favicon() -> Response:
    """Serve the site icon, which browsers ask for at this address whatever the page says."""
    return current_app.send_static_file("favicon.ico")


def secure(response: Response) -> Response:
    """Add the security headers to a response (a view's own values win)."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def init_app(app: Flask) -> None:
    """Register /favicon.ico and the headers of every response, error pages included."""
    app.register_blueprint(bp)
    app.after_request(secure)
