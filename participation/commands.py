"""Our commands of the ``participation`` CLI; ``create_app`` adds them to ``app.cli``."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from participation.core import services
from participation.core.demo import DEMO_PASSWORD, DEMO_SLUG
from participation.demo import load_demo
from participation.extensions import db


@click.command("demo")
@click.option("--force", is_flag=True, help="Load even with a production configuration.")
@with_appcontext
def demo_command(force: bool) -> None:
    """Load the demo municipality (idempotent)."""
    if current_app.config["ENVIRONMENT"] not in {"development", "test"} and not force:
        raise click.ClickException(
            "Refusing to load demo accounts into a production configuration; use --force."
        )
    municipality = load_demo()
    db.session.commit()
    click.echo(
        f"Demo municipality '{municipality.name}' is at /{DEMO_SLUG}/ "
        f"(accounts: admin@demo.test, coordinator@demo.test, ..., password {DEMO_PASSWORD})."
    )


@click.command("create-platform-admin")
@click.argument("email")
@click.password_option()
@with_appcontext
def create_platform_admin_command(email: str, password: str) -> None:
    """Create (or promote) a platform administrator."""
    user = services.find_user_by_email(email)
    if user is None:
        user = services.create_user(email, password, confirmed=True)
    else:
        services.set_password(user, password)
        services.confirm_email(user)
    user.is_platform_admin = True
    db.session.commit()
    click.echo(f"{user.email} is a platform administrator.")


COMMANDS = (demo_command, create_platform_admin_command)
