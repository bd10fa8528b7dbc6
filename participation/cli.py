"""The ``participation`` command: Flask's CLI (run, db, ...) plus our own commands.

The commands are the app's (``create_app`` adds them to ``app.cli``). The ``budget`` group
is also the CLI group's own, found before the app is built, so that
``participation budget tally`` recounts a Pabulib file without building the app: no
configuration, no database, and a start in a fraction of the time."""

from __future__ import annotations

import click
from flask.cli import FlaskGroup

from participation import create_app
from participation.budget.commands import budget_group


@click.group(cls=FlaskGroup, create_app=create_app)
def main() -> None:
    """Manage the participation platform."""


main.add_command(budget_group)
