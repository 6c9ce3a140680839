"""The web front end: HTML pages and a JSON API over one chaja search Engine."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask, current_app

from chaja.search import Engine


def create_app(test_config: dict | None = None) -> Flask:
    """Create the app with its Engine opened once on the configured index."""
    # An explicit instance path: Flask cannot find one for a package in chaja's editable-install namespace.
    app = Flask(__name__, instance_path=str(Path(__file__).resolve().parent / "instance"))
    app.config.from_mapping(INDEX=os.environ.get("CHAJA_INDEX") or "chaja-index", PAGE_SIZE=10)
    if test_config is not None:
        app.config.update(test_config)

    app.json.ensure_ascii = False  # Korean as is, not \uXXXX
    app.json.sort_keys = False  # keep the library's key order
    app.json.mimetype = "application/json; charset=utf-8"

    app.extensions["chaja"] = Engine(app.config["INDEX"])

    from .ids import ArticleIdConverter

    app.url_map.converters["article_id"] = ArticleIdConverter

    from . import api, errors, headers, pages

    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(api.health)
    errors.init_app(app)
    headers.init_app(app)
    return app


def get_engine() -> Engine:
    """Return the current app's Engine."""
    return current_app.extensions["chaja"]
