"""Our commands of the ``participation`` CLI; ``create_app`` adds them to ``app.cli``."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from participation.budget.commands import budget_group
from participation.consultations import services as consultations_services
from participation.core import services
from participation.core.demo import DEMO_PASSWORD, DEMO_SLUG
from participation.core.models import Municipality
from participation.demo import load_demo
from participation.extensions import db
from participation.ideas import services as ideas_services
from participation.maps import geometry
from participation.maps import services as maps_services


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


@click.group("maps")
def maps_group() -> None:
    """Districts and maps."""


@maps_group.command("import-districts")
@click.argument("slug")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--name-property", required=True, help="The feature property with the name.")
@click.option("--code-property", help="The feature property with the district's code.")
@click.option("--population-property", help="The feature property with the population.")
@click.option(
    "--municipality-feature",
    help="The name of a feature that is the whole municipality (its boundary, not a district).",
)
@click.option("--replace", is_flag=True, help="Remove districts that are not in the file.")
@with_appcontext
def import_districts_command(
    slug, file, name_property, code_property, population_property, municipality_feature, replace
) -> None:
    """Import district boundaries from a GeoJSON FILE into municipality SLUG."""
    municipality = get_municipality_or_404_cli(slug)
    with open(file, "rb") as f:
        parsed = geometry.parse_districts(
            f.read(), name_property, code_property, population_property, municipality_feature
        )
    try:
        report = maps_services.import_districts(municipality, parsed, replace=replace)
    except maps_services.ImportRefused as refused:
        db.session.rollback()
        for message in refused.messages:
            click.echo(message, err=True)
        raise click.ClickException("Nothing was imported.") from None
    db.session.commit()
    for message in report.repairs:
        click.echo(message)
    click.echo(
        f"{len(report.created)} created, {len(report.updated)} updated, "
        f"{len(report.removed)} removed; {report.points_reassigned} points assigned again."
    )


def get_municipality_or_404_cli(slug: str):
    municipality = db.session.scalar(select(Municipality).where(Municipality.slug == slug))
    if municipality is None:
        raise click.ClickException(f"No municipality with the address name '{slug}'.")
    return municipality


@click.group("ideas")
def ideas_group() -> None:
    """Calls for ideas."""


@ideas_group.command("expire")
@with_appcontext
def expire_ideas_command() -> None:
    """Close ideas whose support deadline passed below the threshold (run daily)."""
    with current_app.test_request_context(base_url=current_app.config["BASE_URL"]):
        count = ideas_services.expire_overdue()
        db.session.commit()
    click.echo(f"{count} ideas did not reach their supporters in time.")


@click.group("consultations")
def consultations_group() -> None:
    """E-consultations."""


@consultations_group.command("notify")
@with_appcontext
def notify_consultations_command() -> None:
    """Email followers of consultations that have opened or close within a week (run hourly)."""
    with current_app.test_request_context(base_url=current_app.config["BASE_URL"]):
        sent = consultations_services.send_due_notices()
        db.session.commit()
    click.echo(
        f"{sent['opened']} consultations announced as open, "
        f"{sent['closing']} reminded a week before closing."
    )


COMMANDS = (
    demo_command,
    create_platform_admin_command,
    maps_group,
    ideas_group,
    consultations_group,
    budget_group,
)
