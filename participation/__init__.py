"""participation: public participation for municipalities."""

from __future__ import annotations

import importlib
import logging
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
# Every model module, imported by create_app so that the metadata (and Alembic) sees all tables.
MODEL_MODULES = (
    "participation.core.models",
    "participation.maps.models",
    "participation.ideas.models",
    "participation.consultations.models",
    "participation.budget.models",
)


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the application. Nothing is migrated or loaded here.

    The modules are imported here, not at the top: ``participation budget tally`` and the
    pure modules (``budget.rules``, ``budget.pabulib``) import this package without needing
    the app, its blueprints and their dependencies (folium, openpyxl, the models)."""
    from participation import commands, extensions
    from participation.budget import admin_views as budget_admin_views
    from participation.budget import views as budget_views
    from participation.config import load_config
    from participation.consultations import admin_views as consultations_admin_views
    from participation.consultations import report_views as consultations_report_views
    from participation.consultations import views as consultations_views
    from participation.core import (
        account_views,
        admin_views,
        auth,
        database,
        errors,
        i18n,
        ids,
        security,
        views,
    )
    from participation.ideas import views as ideas_views
    from participation.maps import views as maps_views
    from participation.maps import widgets as maps_widgets

    for name in MODEL_MODULES:
        importlib.import_module(name)
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=str(TEMPLATES),
    )
    # <int:...> in every URL rule: a number past a 64-bit id is no page (404).
    app.url_map.converters["int"] = ids.IdConverter
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.update(load_config(app.instance_path))
    if test_config:
        app.config.update(test_config)
    logging.basicConfig(level=logging.INFO)

    extensions.db.init_app(app)
    database.init_app(app)
    extensions.migrate.init_app(
        app, extensions.db, directory=str(Path(__file__).resolve().parent.parent / "migrations")
    )
    extensions.csrf.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    extensions.limiter.init_app(app)
    errors.init_app(app)

    auth.init_app(app)
    # Every blueprint is registered here, in one place.
    app.register_blueprint(views.bp)
    app.register_blueprint(account_views.bp)
    app.register_blueprint(admin_views.platform_bp)
    app.register_blueprint(views.municipality_bp)
    app.register_blueprint(admin_views.bp)
    app.register_blueprint(maps_views.bp)
    app.register_blueprint(maps_views.admin_bp)
    app.register_blueprint(maps_views.api_bp)
    app.register_blueprint(ideas_views.bp)
    app.register_blueprint(ideas_views.api_bp)
    app.register_blueprint(consultations_views.bp)
    app.register_blueprint(consultations_admin_views.bp)
    app.register_blueprint(consultations_report_views.bp)
    app.register_blueprint(budget_views.bp)
    app.register_blueprint(budget_admin_views.bp)
    maps_widgets.use_local_assets()
    if app.config["TRUSTED_PROXIES"]:
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    for command in commands.COMMANDS:
        app.cli.add_command(command)
    return app
