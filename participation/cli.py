"""The ``participation`` command: Flask's CLI (run, db, ...) plus our own commands."""

from __future__ import annotations

import click
from flask.cli import FlaskGroup

from participation import create_app


@click.group(cls=FlaskGroup, create_app=create_app)
def main() -> None:
    """Manage the participation platform."""
