"""The web adapter: an application factory over one Engine."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from markupsafe import Markup, escape
from werkzeug.exceptions import HTTPException

from .. import config as config_module
from ..engine import Engine
from ..errors import JiansuoError


def mark(text: str | None, spans: list | None) -> Markup:
    """Escape `text` and wrap each span in <mark>; the markup never comes from the text itself."""
    if not text:
        return Markup("")
    out, last = [], 0
    for start, end in spans or ():
        out.append(escape(text[last:start]))
        out.append(Markup("<mark>") + escape(text[start:end]) + Markup("</mark>"))
        last = end
    out.append(escape(text[last:]))
    return Markup("").join(out)


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz"


def create_app(config: config_module.Config | None = None, *, engine: Engine | None = None) -> Flask:
    app = Flask(__name__)
    engine = engine or Engine(config or config_module.load())
    app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024
    # The same key order as the CLI's JSON, and Chinese readable as itself.
    app.json.sort_keys = False
    app.json.ensure_ascii = False
    app.extensions["jiansuo"] = engine
    app.jinja_env.filters["mark"] = mark

    from .api import api
    from .pages import pages

    app.register_blueprint(pages)
    app.register_blueprint(api)

    @app.errorhandler(JiansuoError)
    def jiansuo_error(error: JiansuoError):
        if wants_json():
            return jsonify(error.to_dict()), error.http_status
        return render_template("error.html", status=error.http_status, message=error.message), error.http_status

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        code = (error.name or "error").lower().replace(" ", "_")
        message = error.description or error.name
        if wants_json():
            return jsonify({"error": {"code": code, "message": message}}), error.code
        return render_template("error.html", status=error.code, message=message), error.code

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        app.logger.exception("unexpected error on %s", request.path)
        message = "internal error; the server log has the details"
        if wants_json():
            return jsonify({"error": {"code": "internal", "message": message}}), 500
        return render_template("error.html", status=500, message=message), 500

    return app
