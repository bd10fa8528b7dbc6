"""The staff side of participatory budgeting: cycles, pools, projects (also from
accepted ideas), the register and voting codes, paper ballots, counting and publishing,
implementation tracking, the audit log and Pabulib files.

Every URL is under ``/<slug>/budget/manage``. Each view loads its object, checks one
named permission (``authorize`` also 404s objects of another municipality), calls one
service and renders or redirects; the request commits.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask import (
    Response,
    abort,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_babel import format_datetime, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms import SelectChoice

from participation.budget import audit_text, services
from participation.budget import permissions as can
from participation.budget.admin_forms import (
    IMPLEMENTATION_LABELS,
    METHOD_LABELS,
    POOL_ACCESS_LABELS,
    RESIDENCE_LABELS,
    RULE_LABELS,
    VERIFICATION_LABELS,
    ActionForm,
    CodesForm,
    CycleForm,
    ImplementationForm,
    MilestoneForm,
    PabulibForm,
    PhotoForm,
    PoolForm,
    ProjectForm,
    PublishResultsForm,
    RegisterForm,
    RuleForm,
    from_ideas_form,
    paper_ballot_form,
)
from participation.budget.models import (
    Channel,
    Cycle,
    Method,
    Milestone,
    Pool,
    PoolAccess,
    Project,
    ProjectImage,
    Residence,
    Rule,
    Verification,
)
from participation.budget.voting import Phase
from participation.core import services as core_services
from participation.core.i18n import money
from participation.core.ids import whole_number
from participation.core.models import Country
from participation.core.permissions import authorize, require
from participation.core.tenancy import local_to_utc, municipality_blueprint, utc_to_local
from participation.core.uploads import upload_folder
from participation.extensions import db
from participation.ideas import services as ideas_services
from participation.maps import services as maps_services
from participation.maps import widgets

bp = municipality_blueprint("budget_admin", __name__, url_prefix="/budget")


@bp.record_once
def _template_globals(state):
    # For the staff area's overview (core's admin index links to each module's work).
    state.app.jinja_env.globals.update(can_manage_budget=can.can_manage_budget)


PHASE_LABELS = {
    Phase.PREPARATION: _l("Preparation"),
    Phase.VOTING: _l("Voting"),
    Phase.COUNTING: _l("Counting"),
    Phase.RESULTS: _l("Results published"),
}
ACTION_LABELS = {
    "cycle_created": _l("Cycle created"),
    "cycle_changed": _l("Cycle changed"),
    "cycle_published": _l("Cycle published"),
    "pool_created": _l("Pool created"),
    "pool_changed": _l("Pool changed"),
    "pool_deleted": _l("Pool deleted"),
    "categories_changed": _l("Categories changed"),
    "project_created": _l("Project created"),
    "project_changed": _l("Project changed"),
    "project_from_idea": _l("Project made from an idea"),
    "project_deleted": _l("Project deleted"),
    "project_images_added": _l("Project images added"),
    "project_image_removed": _l("Project image removed"),
    "register_imported": _l("Register of residents imported"),
    "codes_generated": _l("Voting codes generated"),
    "codes_shown": _l("Voting codes shown in clear for printing"),
    "codes_printed": _l("Voting codes printed and erased"),
    "paper_ballot_entered": _l("Paper ballot entered"),
    "tallied": _l("Votes counted (preview)"),
    "results_published": _l("Results published"),
    "pabulib_imported": _l("Pabulib file imported"),
    "imported_ballots_removed": _l("Imported ballots removed"),
    "implementation_updated": _l("Implementation updated"),
    "milestone_added": _l("Milestone added"),
    "milestone_changed": _l("Milestone changed"),
    "photo_added": _l("Photo added"),
    "photo_removed": _l("Photo removed"),
}
D21_CHOICES = (("0", _l("No vote")), ("1", _l("Plus")), ("-1", _l("Minus")))


@bp.context_processor
def _context():
    return {
        "phase_labels": PHASE_LABELS,
        "method_labels": METHOD_LABELS,
        "rule_labels": RULE_LABELS,
        "verification_labels": VERIFICATION_LABELS,
        "implementation_labels": IMPLEMENTATION_LABELS,
        "Phase": Phase,
        "Method": Method,
        "Verification": Verification,
        "municipality": g.municipality,
    }


# --- loading and checking ---------------------------------------------------------------


def _cycle(cycle_id: int, check=can.can_manage_cycle) -> Cycle:
    cycle = db.get_or_404(Cycle, cycle_id)
    authorize(check, cycle)
    return cycle


def _pool(cycle: Cycle, pool_id: int) -> Pool:
    pool = db.get_or_404(Pool, pool_id)
    if pool.cycle_id != cycle.id:
        abort(404)
    return pool


def _project(cycle: Cycle, project_id: int) -> Project:
    project = db.get_or_404(Project, project_id)
    if project.cycle_id != cycle.id:
        abort(404)
    return project


def _valid_action() -> None:
    if not ActionForm().validate_on_submit():
        abort(400)


def _same_minute(stored: datetime | None, typed: datetime | None) -> datetime | None:
    """The stored time when the form sends it back unchanged (to the minute)."""
    if stored is not None and typed is not None:
        minute = {"second": 0, "microsecond": 0}
        if utc_to_local(stored).replace(**minute) == utc_to_local(typed).replace(**minute):
            return stored
    return typed


def _district_choices(blank_label: str, coded_only: bool = False) -> list[SelectChoice]:
    districts = maps_services.districts_of(g.municipality)
    if coded_only:
        districts = [d for d in districts if d.code]
    return [SelectChoice("", blank_label)] + [SelectChoice(str(d.id), d.name) for d in districts]


# --- the overview -----------------------------------------------------------------------


@bp.get("/manage")
@login_required
@require(can.can_manage_budget)
def overview():
    cycles = services.cycles_of(g.municipality, include_unpublished=True)
    return render_template(
        "budget/admin/overview.html",
        cycles=[(cycle, services.phase(cycle)) for cycle in cycles],
    )


# --- a cycle's details ------------------------------------------------------------------


def _cycle_form(cycle: Cycle | None) -> CycleForm:
    data = None
    if request.method == "GET":
        if cycle is not None:
            data = {
                "title": cycle.title,
                "year": cycle.year,
                "description": cycle.description,
                "idea_call": str(cycle.idea_call_id or ""),
                "review_until": utc_to_local(cycle.review_until),
                "voting_opens_at": utc_to_local(cycle.voting_opens_at),
                "voting_closes_at": utc_to_local(cycle.voting_closes_at),
                "min_age": cycle.min_age,
                "residence": cycle.residence.value,
                "pool_access": cycle.pool_access.value,
                "verification": cycle.verification.value,
                "expenditure": cycle.expenditure,
                "categories": "\n".join(c.name for c in cycle.categories),
            }
        else:
            zone = ZoneInfo(g.municipality.timezone)
            opens = (datetime.now(zone) + timedelta(days=60)).replace(
                hour=8, minute=0, second=0, microsecond=0, tzinfo=None
            )
            data = {
                "year": opens.year + 1,
                "voting_opens_at": opens,
                "voting_closes_at": opens + timedelta(days=14, hours=12),
            }
    form = CycleForm(data=data)
    calls = [call for group in ideas_services.calls_of(g.municipality).values() for call in group]
    form.idea_call.choices = [SelectChoice("", _("No call for ideas"))] + [
        SelectChoice(str(call.id), call.title) for call in calls
    ]
    return form


# Who may vote: what locks when voting opens, but the opening time itself.
WHO_MAY_VOTE = tuple(name for name in services.LOCKED_WHEN_VOTING if name != "voting_opens_at")


def _locked_fields(cycle: Cycle | None) -> tuple[str, ...]:
    """The cycle's settings that can no longer change (see ``services.save_cycle``)."""
    if cycle is None:
        return ()
    current = services.phase(cycle)
    if current == Phase.PREPARATION:
        return ()
    if current == Phase.VOTING:
        return services.LOCKED_WHEN_VOTING
    return (*services.LOCKED_WHEN_VOTING, "voting_closes_at")


def _shown_as_text(cycle: Cycle, form: CycleForm, names: tuple[str, ...]) -> list[tuple]:
    """The locked settings as the form would have called them, with their values: shown
    as text, not as inputs that could only be refused."""
    words = {
        "residence": RESIDENCE_LABELS,
        "pool_access": POOL_ACCESS_LABELS,
        "verification": VERIFICATION_LABELS,
    }
    shown = []
    for name in names:
        value = getattr(cycle, name)
        if name in words:
            value = words[name][value]
        elif isinstance(value, datetime):
            value = format_datetime(value, "short")
        shown.append((form[name].label.text, value))
        delattr(form, name)
    return shown


def _cycle_error_field(cycle: Cycle | None, fields: dict, message: str) -> str:
    """The form field a refusal of ``save_cycle`` is about."""
    if cycle is not None:
        for name in services.LOCKED_WHEN_VOTING:
            if name in fields and getattr(cycle, name) != fields[name]:
                return name
    by_message = {
        _("Voting has closed; its closing time cannot change."): "voting_closes_at",
        _("The closing time cannot be moved into the past."): "voting_closes_at",
        _("While voting runs, its closing time can only move later."): "voting_closes_at",
        _("Voting must close after it opens."): "voting_closes_at",
        _("Choose a call for ideas of this municipality."): "idea_call",
        _("The minimum age must be between 0 and 120."): "min_age",
        _("The expenditure cannot be negative."): "expenditure",
    }
    return by_message.get(message, "title")


def _changed_while_locked(cycle: Cycle, locked: tuple[str, ...], fixed: list) -> list[str]:
    """The locked settings a form sends with another value than the cycle's: a form opened
    before voting opened and sent after. Those are refused, not dropped in silence."""
    labels = dict(zip(locked, (label for label, _value in fixed), strict=True))
    changed = []
    for name in locked:
        sent = request.form.get(name)
        if sent is None:
            continue
        stored = getattr(cycle, name)
        if isinstance(stored, datetime):
            try:
                typed = local_to_utc(datetime.fromisoformat(sent))
            except ValueError:
                typed = None
            same = _same_minute(stored, typed) == stored
        elif name == "min_age":
            same = whole_number(sent) == stored
        else:
            same = sent == stored.value
        if not same:
            changed.append(str(labels[name]))
    return changed


def _save_cycle(cycle: Cycle | None):
    municipality = g.municipality
    form = _cycle_form(cycle)
    locked = _locked_fields(cycle)
    fixed = _shown_as_text(cycle, form, locked) if cycle is not None else []
    polish = municipality.country == Country.PL
    status = 200
    if form.is_submitted():
        status = 422
    refused = _changed_while_locked(cycle, locked, fixed) if locked and form.is_submitted() else []
    if refused:
        form.validate()  # the other fields' own errors too; what was typed stays
    elif form.validate_on_submit():

        def typed(name: str):
            """A time as typed, or the cycle's own where it is locked."""
            if name in locked:
                return getattr(cycle, name)
            return local_to_utc(form[name].data)

        opens, closes = typed("voting_opens_at"), typed("voting_closes_at")
        review = local_to_utc(form.review_until.data)
        if cycle is not None:
            opens = _same_minute(cycle.voting_opens_at, opens)
            closes = _same_minute(cycle.voting_closes_at, closes)
            review = _same_minute(cycle.review_until, review)
        call_id = whole_number(form.idea_call.data)
        if closes <= opens:
            form.voting_closes_at.errors.append(_("Voting must close after it opens."))
        elif review is not None and review > opens:
            form.review_until.errors.append(_("Review and appeals must end before voting opens."))
        else:
            fields = {
                "title": form.title.data.strip(),
                "year": form.year.data,
                "description": form.description.data or "",
                "idea_call_id": call_id,
                "review_until": review,
                "voting_opens_at": opens,
                "voting_closes_at": closes,
            }
            if locked:  # who may vote: as it is
                fields.update({name: getattr(cycle, name) for name in WHO_MAY_VOTE})
            else:
                fields.update(
                    min_age=form.min_age.data,
                    residence=Residence(form.residence.data),
                    pool_access=PoolAccess(form.pool_access.data),
                    verification=Verification(form.verification.data),
                )
            if polish:
                fields["expenditure"] = form.expenditure.data
            try:
                saved = services.save_cycle(cycle, municipality, current_user, **fields)
                services.save_categories(
                    saved, current_user, (form.categories.data or "").splitlines()
                )
            except services.CategoryInUse as error:
                form.categories.errors.extend(error.messages)
            except services.BudgetError as error:
                name = _cycle_error_field(cycle, fields, str(error))
                (form[name] if name in form else form.title).errors.append(str(error))
            else:
                flash(_("The cycle is saved."), "success")
                warning = services.minimum_total_warning(saved)
                if warning:
                    flash(warning, "warning")
                return redirect(url_for("budget_admin.cycle", cycle_id=saved.id))
    return (
        render_template(
            "budget/admin/cycle_edit.html",
            form=form,
            cycle=cycle,
            polish=polish,
            locked=bool(locked),
            fixed=fixed,
            refused=refused,
        ),
        status,
    )


@bp.route("/manage/new", methods=["GET", "POST"])
@login_required
@require(can.can_manage_budget)
def new_cycle():
    return _save_cycle(None)


@bp.route("/manage/<int:cycle_id>/edit", methods=["GET", "POST"])
@login_required
def edit_cycle(cycle_id: int):
    return _save_cycle(_cycle(cycle_id))


# --- a cycle's staff page ---------------------------------------------------------------


def _warnings(cycle: Cycle, phase: Phase) -> list[str]:
    warnings = []
    if not cycle.pools:
        warnings.append(_("The cycle has no pool yet: add at least one before publishing it."))
    for pool in cycle.pools:
        if not pool.projects and phase == Phase.PREPARATION:
            warnings.append(_("The pool “%(name)s” has no projects yet.", name=pool.name))
    minimum = services.minimum_total_warning(cycle)
    if minimum:
        warnings.append(minimum)
    if cycle.published_at is None and phase != Phase.PREPARATION:
        warnings.append(_("Voting has opened but the cycle is not published: nobody can vote."))
    if cycle.verification == Verification.CODE and not services.code_batches(cycle):
        warnings.append(_("Voters need voting codes, but no codes have been generated yet."))
    if cycle.verification == Verification.REGISTER and not core_services.register_size(
        cycle.municipality
    ):
        warnings.append(_("Voters are checked against the register, but it is empty."))
    imported = services.imported_ballots(cycle)
    for pool in cycle.pools:
        count = imported.get(pool.id)
        if count:
            warnings.append(
                ngettext(
                    "The pool “%(name)s” holds %(num)d imported ballot: it would be counted "
                    "with the real votes once voting opens.",
                    "The pool “%(name)s” holds %(num)d imported ballots: they would be counted "
                    "with the real votes once voting opens.",
                    count,
                    name=pool.name,
                )
            )
    return warnings


@bp.get("/manage/<int:cycle_id>")
@login_required
def cycle(cycle_id: int):
    cycle = _cycle(cycle_id)
    phase = services.phase(cycle)
    return render_template(
        "budget/admin/cycle.html",
        cycle=cycle,
        phase=phase,
        warnings=_warnings(cycle, phase),
        action=ActionForm(),
        total=services.pools_total(cycle),
        imported=services.imported_ballots(cycle),
    )


@bp.post("/manage/<int:cycle_id>/publish")
@login_required
def publish_cycle(cycle_id: int):
    cycle = _cycle(cycle_id)
    _valid_action()
    try:
        services.publish_cycle(cycle, current_user)
    except services.BudgetError as error:
        flash(str(error), "error")
    else:
        flash(_("The cycle is published."), "success")
    return redirect(url_for("budget_admin.cycle", cycle_id=cycle.id))


# --- pools ------------------------------------------------------------------------------

POOL_PARAMETERS = (
    "max_projects",
    "min_share",
    "k",
    "points",
    "points_cap",
    "plus_votes",
    "minus_votes",
)
# Which parameters each method uses; the others are saved empty.
METHOD_PARAMETERS = {
    Method.APPROVAL: ("max_projects", "min_share"),
    Method.K_APPROVAL: ("k",),
    Method.POINTS: ("points", "points_cap"),
    Method.D21: ("plus_votes", "minus_votes"),
}


def _save_pool(cycle: Cycle, pool: Pool | None):
    data = None
    if request.method == "GET":
        if pool is not None:
            data = {name: getattr(pool, name) for name in ("name", "amount", "currency")}
            data.update({name: getattr(pool, name) for name in POOL_PARAMETERS})
            data.update(
                district=str(pool.district_id or ""),
                method=pool.method.value,
                rule=pool.rule.value,
                changeable=pool.changeable,
            )
        else:
            data = {"currency": g.municipality.currency}
    form = PoolForm(data=data)
    form.district.choices = _district_choices(_("The whole municipality"))
    status = 422 if form.is_submitted() else 200
    if form.validate_on_submit():
        method = Method(form.method.data)
        used = METHOD_PARAMETERS[method]
        fields = {
            "name": form.name.data.strip(),
            "amount": form.amount.data,
            "currency": form.currency.data.strip().upper(),
            "method": method,
            "rule": Rule(form.rule.data),
            "changeable": form.changeable.data,
            **{name: (form[name].data if name in used else None) for name in POOL_PARAMETERS},
        }
        if method == Method.D21:
            fields["minus_votes"] = fields["minus_votes"] or 0
        if pool is None:
            fields["position"] = len(cycle.pools)
        try:
            pool = services.save_pool(
                pool,
                cycle,
                current_user,
                district=maps_services.district_of(g.municipality, form.district.data),
                **fields,
            )
        except services.BudgetError as error:
            form.method.errors.append(str(error))
        else:
            flash(_("The pool is saved."), "success")
            warning = services.minimum_total_warning(cycle)
            if warning:
                flash(warning, "warning")
            return redirect(url_for("budget_admin.cycle", cycle_id=cycle.id))
    return (
        render_template("budget/admin/pool_edit.html", cycle=cycle, pool=pool, form=form),
        status,
    )


@bp.route("/manage/<int:cycle_id>/pools/new", methods=["GET", "POST"])
@login_required
def new_pool(cycle_id: int):
    cycle = _cycle(cycle_id)
    if services.phase(cycle) != Phase.PREPARATION:
        flash(_("Pools cannot change once voting has opened."), "error")
        return redirect(url_for("budget_admin.cycle", cycle_id=cycle.id))
    return _save_pool(cycle, None)


@bp.route("/manage/<int:cycle_id>/pools/<int:pool_id>/edit", methods=["GET", "POST"])
@login_required
def edit_pool(cycle_id: int, pool_id: int):
    cycle = _cycle(cycle_id)
    pool = _pool(cycle, pool_id)
    phase = services.phase(cycle)
    if phase == Phase.PREPARATION:
        return _save_pool(cycle, pool)
    # Once voting has opened only the rule may change, until voting closes.
    form = RuleForm(data={"rule": pool.rule.value} if request.method == "GET" else None)
    status = 200
    if phase == Phase.VOTING and form.is_submitted():
        status = 422
        if form.validate_on_submit():
            try:
                services.change_pool_rule(pool, Rule(form.rule.data), current_user)
            except services.BudgetError as error:
                form.rule.errors.append(str(error))
            else:
                flash(_("The pool's rule is saved."), "success")
                return redirect(url_for("budget_admin.cycle", cycle_id=cycle.id))
    elif form.is_submitted():
        flash(_("The rule cannot change once voting has closed."), "error")
        return redirect(url_for("budget_admin.cycle", cycle_id=cycle.id))
    return (
        render_template(
            "budget/admin/pool_rule.html", cycle=cycle, pool=pool, form=form, phase=phase
        ),
        status,
    )


@bp.route("/manage/<int:cycle_id>/pools/<int:pool_id>/delete", methods=["GET", "POST"])
@login_required
def delete_pool(cycle_id: int, pool_id: int):
    cycle = _cycle(cycle_id)
    pool = _pool(cycle, pool_id)
    form = ActionForm()
    if request.method == "GET" and services.phase(cycle) != Phase.PREPARATION:
        # No confirmation for what would be refused.
        flash(_("Pools cannot change once voting has opened."), "error")
        return redirect(url_for("budget_admin.cycle", cycle_id=cycle.id))
    if request.method == "POST":
        _valid_action()
        try:
            services.delete_pool(pool, current_user)
        except services.BudgetError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            flash(_("The pool is deleted."), "success")
        return redirect(url_for("budget_admin.cycle", cycle_id=cycle.id))
    return render_template(
        "budget/admin/confirm.html",
        cycle=cycle,
        title=_("Delete the pool “%(name)s”?", name=pool.name),
        explanation=_(
            "The pool is deleted with its settings. A pool with projects cannot be "
            "deleted: move or delete its projects first."
        ),
        button=_("Delete the pool"),
        form=form,
        back=url_for("budget_admin.cycle", cycle_id=cycle.id),
    )


# --- projects ---------------------------------------------------------------------------


@bp.get("/manage/<int:cycle_id>/projects")
@login_required
def projects(cycle_id: int):
    cycle = _cycle(cycle_id)
    return render_template(
        "budget/admin/projects.html",
        cycle=cycle,
        editable=can.can_edit_projects(current_user, cycle),
        ideas_waiting=len(services.ideas_for_projects(cycle)) if cycle.idea_call_id else 0,
    )


def _refuse_when_voting(cycle: Cycle):
    if not can.can_edit_projects(current_user, cycle):
        flash(_("Projects cannot change once voting has opened."), "error")
        return redirect(url_for("budget_admin.projects", cycle_id=cycle.id))
    return None


def _pool_choices(cycle: Cycle, blank: str | None = None) -> list[SelectChoice]:
    choices = [SelectChoice("", blank)] if blank else []
    return choices + [SelectChoice(str(p.id), p.name) for p in cycle.pools]


@bp.route("/manage/<int:cycle_id>/projects/from-ideas", methods=["GET", "POST"])
@login_required
def projects_from_ideas(cycle_id: int):
    cycle = _cycle(cycle_id)
    refused = _refuse_when_voting(cycle)
    if refused:
        return refused
    ideas = services.ideas_for_projects(cycle)
    form = from_ideas_form(ideas, _pool_choices(cycle, _("Choose a pool")))
    status = 422 if form.is_submitted() else 200
    if ideas and form.validate_on_submit():
        chosen = [(idea, e) for idea, e in ideas if form[f"take_{idea.id}"].data]
        if not chosen:
            form[f"take_{ideas[0][0].id}"].errors.append(_("Tick at least one idea."))
        for idea, _estimate in chosen:
            if not form[f"pool_{idea.id}"].data:
                form[f"pool_{idea.id}"].errors.append(_("Choose a pool."))
            if form[f"cost_{idea.id}"].data is None:
                form[f"cost_{idea.id}"].errors.append(_("Enter the cost."))
        if chosen and not any(form[f].errors for f in form._fields):
            made = 0
            for idea, _estimate in chosen:
                pool = _pool(cycle, int(form[f"pool_{idea.id}"].data))
                try:
                    services.project_from_idea(
                        cycle, idea, pool, form[f"cost_{idea.id}"].data, current_user
                    )
                    made += 1
                except services.BudgetError as error:
                    field = (
                        "cost" if str(error) == _("The cost must be more than zero.") else "pool"
                    )
                    form[f"{field}_{idea.id}"].errors.append(str(error))
            if made == len(chosen):
                flash(
                    ngettext(
                        "%(num)d project is made from an idea.",
                        "%(num)d projects are made from ideas.",
                        made,
                    ),
                    "success",
                )
                return redirect(url_for("budget_admin.projects", cycle_id=cycle.id))
    return (
        render_template(
            "budget/admin/projects_from_ideas.html", cycle=cycle, ideas=ideas, form=form
        ),
        status,
    )


def _save_project(cycle: Cycle, project: Project | None):
    municipality = g.municipality
    if request.method == "GET" and project is not None:
        form = ProjectForm(
            data={
                "title": project.title,
                "description": project.description,
                "cost": project.cost,
                "pool": str(project.pool_id),
                "category": str(project.category_id or ""),
                "cost_note": project.cost_note,
                "lat": project.lat,
                "lon": project.lon,
                "district": str(project.district_id or ""),
                "address": project.address,
            }
        )
    else:
        form = ProjectForm(data={"pool": request.args.get("pool", "")})
    form.pool.choices = _pool_choices(cycle, _("Choose a pool"))
    form.category.choices = [SelectChoice("", _("No category"))] + [
        SelectChoice(str(c.id), c.name) for c in cycle.categories
    ]
    form.district.choices = maps_services.district_choices(municipality, _("Not in a district"))
    status = 422 if form.is_submitted() else 200
    if form.validate_on_submit():
        place = maps_services.check_location(form, municipality)
        pool = next((p for p in cycle.pools if str(p.id) == form.pool.data), None)
        category = next((c for c in cycle.categories if str(c.id) == form.category.data), None)
        if pool is None:
            form.pool.errors.append(_("Choose a pool."))
        elif place is not None:
            try:
                saved = services.save_project(
                    project,
                    cycle,
                    pool,
                    current_user,
                    category=category,
                    place=place,
                    title=form.title.data,
                    description=form.description.data or "",
                    cost=form.cost.data,
                    cost_note=form.cost_note.data or "",
                )
                services.add_project_images(
                    saved,
                    current_user,
                    request.files.getlist(form.images.name),
                    form.image_alt.data or "",
                )
            except services.ProjectImageError as error:
                # Neither the project nor its changes are kept without the pictures.
                db.session.rollback()
                form.images.errors.append(str(error))
            except services.WrongPlace as error:
                (form.lat if place.lat is not None else form.district).errors.append(str(error))
            except services.BudgetError as error:
                form.title.errors.append(str(error))
            else:
                flash(_("The project is saved."), "success")
                return redirect(url_for("budget_admin.projects", cycle_id=cycle.id))
    widget = widgets.location_picker(
        maps_services.municipality_boundary(municipality),
        form.lat.id,
        form.lon.id,
        "picker-status",
        label=_("Map: click to mark the place, or focus the map and press Enter for its centre"),
        placed_text=_("Place marked at {lat}, {lon}."),
        marker_title=_("The place of the project"),
    )
    return (
        render_template(
            "budget/admin/project_edit.html",
            cycle=cycle,
            project=project,
            form=form,
            map=widget,
            pictures=services.project_pictures(project) if project is not None else [],
            images_max=services.PROJECT_IMAGES_MAX,
        ),
        status,
    )


@bp.route("/manage/<int:cycle_id>/projects/new", methods=["GET", "POST"])
@login_required
def new_project(cycle_id: int):
    cycle = _cycle(cycle_id)
    return _refuse_when_voting(cycle) or _save_project(cycle, None)


@bp.route("/manage/<int:cycle_id>/projects/<int:project_id>/edit", methods=["GET", "POST"])
@login_required
def edit_project(cycle_id: int, project_id: int):
    cycle = _cycle(cycle_id)
    project = _project(cycle, project_id)
    return _refuse_when_voting(cycle) or _save_project(cycle, project)


@bp.route("/manage/<int:cycle_id>/projects/<int:project_id>/delete", methods=["GET", "POST"])
@login_required
def delete_project(cycle_id: int, project_id: int):
    cycle = _cycle(cycle_id)
    project = _project(cycle, project_id)
    refused = _refuse_when_voting(cycle)
    if refused:
        return refused
    form = ActionForm()
    if request.method == "POST":
        _valid_action()
        try:
            services.delete_project(project, current_user)
        except services.BudgetError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            flash(_("The project is deleted."), "success")
        return redirect(url_for("budget_admin.projects", cycle_id=cycle.id))
    return render_template(
        "budget/admin/confirm.html",
        cycle=cycle,
        title=_("Delete the project “%(title)s”?", title=project.title),
        explanation=_(
            "The project and its images are deleted. An idea it was made from "
            "stays, and can become a project again."
        ),
        button=_("Delete the project"),
        form=form,
        back=url_for("budget_admin.projects", cycle_id=cycle.id),
    )


@bp.route(
    "/manage/<int:cycle_id>/projects/<int:project_id>/images/<int:image_id>/remove",
    methods=["GET", "POST"],
)
@login_required
def remove_project_image(cycle_id: int, project_id: int, image_id: int):
    cycle = _cycle(cycle_id)
    project = _project(cycle, project_id)
    image = db.get_or_404(ProjectImage, image_id)
    if image.project_id != project.id or image.implementation:
        abort(404)
    refused = _refuse_when_voting(cycle)
    if refused:
        return refused
    back = url_for("budget_admin.edit_project", cycle_id=cycle.id, project_id=project.id)
    form = ActionForm()
    if request.method == "POST":
        _valid_action()
        try:
            services.remove_project_image(image, current_user)
        except services.BudgetError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            flash(_("The image was removed."), "success")
        return redirect(back)
    return render_template(
        "budget/admin/project_image_remove.html",
        cycle=cycle,
        project=project,
        image=image,
        form=form,
        back=back,
    )


@bp.get("/manage/images/<path:name>")
@login_required
@require(can.can_manage_budget)
def image(name: str):
    """A picture of one of this town's projects, for its staff."""
    if services.image_named(g.municipality, name) is None:
        abort(404)
    return send_from_directory(upload_folder(services.IMAGE_FOLDER), name, max_age=3600)


# --- the register of residents ----------------------------------------------------------


@bp.route("/manage/<int:cycle_id>/register", methods=["GET", "POST"])
@login_required
def register(cycle_id: int):
    cycle = _cycle(cycle_id)
    municipality = cycle.municipality
    size = core_services.register_size(municipality)
    voting = services.cycles_voting_by_register(municipality)
    form = RegisterForm()
    if size:
        form.replace.label.text = ngettext(
            "Replace the current register of %(num)d resident",
            "Replace the current register of %(num)d residents",
            size,
        )
        # While a cycle votes by the register, the page's own notice says what that means.
        form.replace.description = _(
            "Residents who are not in the new file are removed from the register."
        )
    else:
        del form.replace
    report = None
    status = 422 if form.is_submitted() else 200
    if form.validate_on_submit():
        try:
            text = form.file.data.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            form.file.errors.append(_("The file must be UTF-8 text."))
        else:
            if size and not form.replace.data:
                form.replace.errors.append(
                    _("Tick the box to replace the current register; nothing was imported.")
                )
            else:
                report = services.import_resident_register(cycle, text, current_user)
                if not report.errors:
                    flash(
                        ngettext(
                            "The register is imported: %(num)d resident (replacing %(replaced)d).",
                            "The register is imported: %(num)d residents (replacing %(replaced)d).",
                            report.imported,
                            replaced=report.replaced,
                        ),
                        "success",
                    )
                    return redirect(url_for("budget_admin.register", cycle_id=cycle.id))
                form.file.errors.append(
                    ngettext(
                        "The file has %(num)d error; nothing was imported.",
                        "The file has %(num)d errors; nothing was imported.",
                        len(report.errors),
                    )
                )
    # The key is made on first use; it is shown so the office can hash its identifiers.
    key = core_services.ensure_register_key(municipality)
    return (
        render_template(
            "budget/admin/register.html",
            cycle=cycle,
            form=form,
            report=report,
            key=key,
            size=size,
            voting=voting,
            districts=[d for d in maps_services.districts_of(municipality) if d.code],
        ),
        status,
    )


# --- voting codes -----------------------------------------------------------------------


@bp.route("/manage/<int:cycle_id>/codes", methods=["GET", "POST"])
@login_required
def codes(cycle_id: int):
    cycle = _cycle(cycle_id, can.can_manage_codes)
    batches = services.code_batches(cycle)
    form = CodesForm()
    form.district.choices = _district_choices(_("The whole municipality"), coded_only=True)
    status = 200
    if cycle.verification == Verification.CODE and form.is_submitted():
        status = 422
        if form.validate_on_submit():
            name = form.batch.data.strip()
            if any(batch.name == name for batch in batches):
                form.batch.errors.append(_("A batch with this name exists; choose another."))
            else:
                try:
                    services.generate_voting_codes(
                        cycle,
                        form.count.data,
                        name,
                        current_user,
                        district=maps_services.district_of(g.municipality, form.district.data),
                    )
                except (services.BudgetError, core_services.ServiceError) as error:
                    form.count.errors.append(str(error))
                else:
                    flash(
                        ngettext(
                            "%(num)d code is generated. Print the letters, then mark the "
                            "batch printed.",
                            "%(num)d codes are generated. Print the letters, then mark the "
                            "batch printed.",
                            form.count.data,
                        ),
                        "success",
                    )
                    return redirect(url_for("budget_admin.letters", cycle_id=cycle.id, batch=name))
    elif form.is_submitted():
        abort(409)
    return (
        render_template(
            "budget/admin/codes.html",
            cycle=cycle,
            form=form,
            batches=batches,
            district_names={
                d.code: d.name for d in maps_services.districts_of(g.municipality) if d.code
            },
        ),
        status,
    )


@bp.get("/manage/<int:cycle_id>/codes/letters")
@login_required
def letters(cycle_id: int):
    cycle = _cycle(cycle_id, can.can_manage_codes)
    batch = request.args.get("batch", "")
    batch_info = next((b for b in services.code_batches(cycle) if b.name == batch), None)
    if batch_info is None:
        abort(404)
    codes = services.show_codes(cycle, batch, current_user)
    vote_url = url_for("budget.cycle", cycle_id=cycle.id, _external=True)
    response = make_response(
        render_template(
            "budget/admin/letters.html",
            cycle=cycle,
            batch=batch_info,
            codes=codes,
            vote_url=vote_url,
        )
    )
    # Codes in clear are ballots not yet cast: not kept by the browser's cache.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/manage/<int:cycle_id>/codes/printed", methods=["GET", "POST"])
@login_required
def codes_printed(cycle_id: int):
    cycle = _cycle(cycle_id, can.can_manage_codes)
    batch = request.form.get("batch") or request.args.get("batch", "")
    if not any(b.name == batch for b in services.code_batches(cycle)):
        abort(404)
    if request.method == "GET":
        return render_template(
            "budget/admin/confirm.html",
            cycle=cycle,
            title=_("Mark the batch “%(name)s” printed and erase its codes?", name=batch),
            explanation=_(
                "Do this only when every letter is printed. The codes in clear are then "
                "erased from the platform and the letters cannot be printed again; the codes "
                "keep working for voting."
            ),
            button=_("Mark the batch printed and erase the codes"),
            form=ActionForm(),
            back=url_for("budget_admin.letters", cycle_id=cycle.id, batch=batch),
        )
    _valid_action()
    erased = services.mark_codes_printed(cycle, batch, current_user)
    flash(
        ngettext(
            "The batch is marked printed; %(num)d code in clear is erased.",
            "The batch is marked printed; %(num)d codes in clear are erased.",
            erased,
        ),
        "success",
    )
    return redirect(url_for("budget_admin.codes", cycle_id=cycle.id))


def _paper_refusal(cycle: Cycle) -> str | None:
    """Why paper ballots cannot be entered now, or None."""
    if cycle.verification == Verification.EMAIL:
        return _(
            "This cycle checks voters by their email accounts. Paper ballots need voting "
            "codes or the register of residents, so that nobody votes both on paper and "
            "online; change the verification before voting opens to take paper ballots."
        )
    if not can.can_enter_paper_ballots(current_user, cycle):
        return _("Paper ballots are entered during voting and counting only.")
    return None


@bp.get("/manage/<int:cycle_id>/paper")
@login_required
def paper(cycle_id: int):
    cycle = _cycle(cycle_id)
    return render_template("budget/admin/paper.html", cycle=cycle, refusal=_paper_refusal(cycle))


def _paper_form(cycle: Cycle, pool: Pool):
    projects = sorted(pool.projects, key=lambda p: (p.title, p.id))
    form = paper_ballot_form(pool, projects, D21_CHOICES)
    if cycle.verification == Verification.CODE:
        form.identifier.label.text = _("Voting code")
        form.identifier.description = _("As printed in the letter; dashes do not matter.")
    else:
        form.identifier.label.text = _("Identifier in the register of residents")
        form.identifier.description = _(
            "As on the voter's document; spaces, dashes and capitals do not matter."
        )
    form.district.choices = _district_choices(_("As the evidence says"))
    form.district.description = (
        _("The district the voter chooses to vote for.")
        if cycle.residence == Residence.MUNICIPALITY
        else _("Only when the letter or register does not say where the voter lives.")
    )
    return form, projects


def _ballot_values(form, pool: Pool, projects) -> dict[int, int]:
    values = {}
    for project in projects:
        data = form[f"project_{project.id}"].data
        if pool.method in (Method.APPROVAL, Method.K_APPROVAL):
            value = 1 if data else 0
        elif pool.method == Method.POINTS:
            value = data or 0
        else:
            value = int(data) if data in ("1", "-1") else 0
        if value:
            values[project.id] = value
    return values


@bp.route("/manage/<int:cycle_id>/paper/<int:pool_id>", methods=["GET", "POST"])
@login_required
def paper_ballot(cycle_id: int, pool_id: int):
    cycle = _cycle(cycle_id)
    pool = _pool(cycle, pool_id)
    refusal = _paper_refusal(cycle)
    if refusal:
        if request.method == "POST":
            abort(409)
        return render_template("budget/admin/paper.html", cycle=cycle, refusal=refusal)
    form, projects = _paper_form(cycle, pool)
    for project in projects:
        form[f"project_{project.id}"].description = _(
            "Cost: %(cost)s", cost=money(project.cost, pool.currency)
        )
    ballot_errors: list[str] = []
    status = 422 if form.is_submitted() else 200
    if form.validate_on_submit():
        district = maps_services.district_of(g.municipality, form.district.data)
        if cycle.verification == Verification.CODE:
            proof = services.CodeProof(
                form.identifier.data, district=district, birth_year=form.birth_year.data
            )
        else:
            proof = services.RegisterProof(form.identifier.data, district=district)
        values = _ballot_values(form, pool, projects)
        voter = None
        try:
            services.check_values(pool, values)
        except services.BudgetError as error:
            ballot_errors = error.messages
        try:
            voter = services.eligibility(cycle, proof)
        except services.BudgetError as error:
            form.identifier.errors.append(str(error))
        if voter is not None and not ballot_errors:
            try:
                services.cast_ballot(
                    pool, values, voter, channel=Channel.PAPER, entered_by=current_user
                )
            except services.BudgetError as error:
                # Who is voting is refused (already voted, another pool), not the ballot.
                form.identifier.errors.append(str(error))
            else:
                return redirect(
                    url_for("budget_admin.paper_done", cycle_id=cycle.id, pool_id=pool.id)
                )
    return (
        render_template(
            "budget/admin/paper_ballot.html",
            cycle=cycle,
            pool=pool,
            form=form,
            projects=projects,
            ballot_errors=ballot_errors,
        ),
        status,
    )


@bp.get("/manage/<int:cycle_id>/paper/<int:pool_id>/done")
@login_required
def paper_done(cycle_id: int, pool_id: int):
    cycle = _cycle(cycle_id)
    pool = _pool(cycle, pool_id)
    return render_template("budget/admin/paper_done.html", cycle=cycle, pool=pool)


# --- counting and results ---------------------------------------------------------------


def _results_page(cycle: Cycle, form: PublishResultsForm, status: int = 200):
    phase = services.phase(cycle)
    tallies, published = {}, {}
    if phase == Phase.COUNTING:
        for pool in cycle.pools:
            tally = services.tally_pool(pool, by=current_user)
            tallies[pool.id] = (tally, _tally_rows(tally))
    elif phase == Phase.RESULTS:
        for pool in cycle.pools:
            projects = {p.id: p for p in pool.projects}
            rows = [
                (projects[r.project_id], r.score, r.position if r.selected else None)
                for r in services.results_of(pool)
                if r.project_id in projects
            ]
            spent = sum((p.cost for p, _s, won in rows if won is not None), Decimal(0))
            published[pool.id] = (rows, spent)
    return (
        render_template(
            "budget/admin/results.html",
            cycle=cycle,
            phase=phase,
            tallies=tallies,
            published=published,
            form=form,
            may_tally=can.can_tally(current_user, cycle),
            may_publish=can.can_publish_results(current_user, cycle),
        ),
        status,
    )


def _tally_rows(tally) -> list[tuple[Project, int, int | None]]:
    """Every project with its score and, for winners, the order they were chosen in."""
    order = {p.id: n for n, p in enumerate(tally.selected, start=1)}
    scores = tally.scores
    rows = [(p, scores.get(p.id, 0), order.get(p.id)) for p in tally.projects.values()]
    return sorted(rows, key=lambda r: (r[2] is None, r[2] or 0, -r[1], r[0].title))


@bp.get("/manage/<int:cycle_id>/results")
@login_required
def results(cycle_id: int):
    cycle = _cycle(cycle_id)
    return _results_page(cycle, PublishResultsForm())


@bp.post("/manage/<int:cycle_id>/results/publish")
@login_required
def publish_results(cycle_id: int):
    cycle = _cycle(cycle_id, can.can_publish_results)
    form = PublishResultsForm()
    if not form.validate_on_submit():
        return _results_page(cycle, form, 422)
    try:
        services.publish_results(cycle, current_user)
    except services.BudgetError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        flash(_("The results are published."), "success")
    return redirect(url_for("budget_admin.results", cycle_id=cycle.id))


# --- implementation ---------------------------------------------------------------------


def _winners(cycle: Cycle) -> list[tuple[Pool, list[Project]]]:
    winners = []
    for pool in cycle.pools:
        projects = {p.id: p for p in pool.projects}
        selected = [projects.get(r.project_id) for r in services.results_of(pool) if r.selected]
        winners.append((pool, [p for p in selected if p is not None]))
    return winners


@bp.get("/manage/<int:cycle_id>/implementation")
@login_required
def implementation(cycle_id: int):
    cycle = _cycle(cycle_id)
    tracking = can.can_track_implementation(current_user, cycle)
    return render_template(
        "budget/admin/implementation.html",
        cycle=cycle,
        tracking=tracking,
        winners=_winners(cycle) if tracking else [],
    )


def _tracked(cycle_id: int, project_id: int) -> tuple[Cycle, Project]:
    cycle = _cycle(cycle_id, can.can_track_implementation)
    project = _project(cycle, project_id)
    if not any(project in projects for _pool, projects in _winners(cycle)):
        abort(404)
    return cycle, project


def _tracking_page(cycle, project, status=200, **forms):
    forms.setdefault(
        "status_form",
        ImplementationForm(
            prefix="status",
            formdata=None,
            data={
                "status": project.implementation.value,
                "progress": project.progress,
                "note": project.implementation_note,
            },
        ),
    )
    forms.setdefault("milestone_form", MilestoneForm(prefix="new", formdata=None))
    forms.setdefault("photo_form", PhotoForm(prefix="photo", formdata=None))
    failed = forms.pop("failed_milestone", None)
    milestone_forms = {
        m.id: failed
        if failed is not None and failed._prefix == f"m{m.id}-"
        else MilestoneForm(
            prefix=f"m{m.id}",
            formdata=None,
            data={"title": m.title, "due": m.due, "done_on": m.done_on},
        )
        for m in project.milestones
    }
    return (
        render_template(
            "budget/admin/tracking.html",
            cycle=cycle,
            project=project,
            milestone_forms=milestone_forms,
            photos=[i for i in project.images if i.implementation],
            action=ActionForm(),
            **forms,
        ),
        status,
    )


def _back_to_tracking(cycle, project):
    return redirect(url_for("budget_admin.tracking", cycle_id=cycle.id, project_id=project.id))


@bp.route("/manage/<int:cycle_id>/implementation/<int:project_id>", methods=["GET", "POST"])
@login_required
def tracking(cycle_id: int, project_id: int):
    cycle, project = _tracked(cycle_id, project_id)
    if request.method == "GET":
        return _tracking_page(cycle, project)
    form = ImplementationForm(prefix="status")
    if form.validate_on_submit():
        try:
            services.update_implementation(
                project, current_user, form.status.data, form.progress.data, form.note.data or ""
            )
        except services.BudgetError as error:
            form.progress.errors.append(str(error))
        else:
            flash(_("The progress is saved."), "success")
            return _back_to_tracking(cycle, project)
    return _tracking_page(cycle, project, 422, status_form=form)


@bp.post("/manage/<int:cycle_id>/implementation/<int:project_id>/milestones")
@login_required
def add_milestone(cycle_id: int, project_id: int):
    cycle, project = _tracked(cycle_id, project_id)
    form = MilestoneForm(prefix="new")
    if form.validate_on_submit():
        try:
            milestone = services.add_milestone(
                project, current_user, form.title.data, form.due.data
            )
            if form.done_on.data:
                services.complete_milestone(milestone, current_user, form.done_on.data)
        except services.DoneLater as error:
            form.done_on.errors.append(str(error))
        except services.BudgetError as error:
            form.title.errors.append(str(error))
        else:
            flash(_("The milestone is added."), "success")
            return _back_to_tracking(cycle, project)
    return _tracking_page(cycle, project, 422, milestone_form=form)


def _milestone(project: Project, milestone_id: int) -> Milestone:
    milestone = db.get_or_404(Milestone, milestone_id)
    if milestone.project_id != project.id:
        abort(404)
    return milestone


@bp.post("/manage/<int:cycle_id>/implementation/<int:project_id>/milestones/<int:milestone_id>")
@login_required
def edit_milestone(cycle_id: int, project_id: int, milestone_id: int):
    cycle, project = _tracked(cycle_id, project_id)
    milestone = _milestone(project, milestone_id)
    form = MilestoneForm(prefix=f"m{milestone.id}")
    if form.validate_on_submit():
        try:
            services.update_milestone(
                milestone, current_user, form.title.data, form.due.data, form.done_on.data
            )
        except services.DoneLater as error:
            form.done_on.errors.append(str(error))
        except services.BudgetError as error:
            form.title.errors.append(str(error))
        else:
            flash(_("The milestone is saved."), "success")
            return _back_to_tracking(cycle, project)
    return _tracking_page(cycle, project, 422, failed_milestone=form)


@bp.post(
    "/manage/<int:cycle_id>/implementation/<int:project_id>/milestones/<int:milestone_id>/done"
)
@login_required
def milestone_done(cycle_id: int, project_id: int, milestone_id: int):
    cycle, project = _tracked(cycle_id, project_id)
    milestone = _milestone(project, milestone_id)
    _valid_action()
    services.complete_milestone(milestone, current_user)
    flash(_("The milestone is marked done today."), "success")
    return _back_to_tracking(cycle, project)


@bp.post("/manage/<int:cycle_id>/implementation/<int:project_id>/photos")
@login_required
def add_photo(cycle_id: int, project_id: int):
    cycle, project = _tracked(cycle_id, project_id)
    form = PhotoForm(prefix="photo")
    if form.validate_on_submit():
        try:
            services.add_photo(project, current_user, form.photo.data, form.alt.data)
        except services.BudgetError as error:
            form.photo.errors.append(str(error))
        else:
            flash(_("The photo is added."), "success")
            return _back_to_tracking(cycle, project)
    return _tracking_page(cycle, project, 422, photo_form=form)


@bp.route(
    "/manage/<int:cycle_id>/implementation/<int:project_id>/photos/<int:image_id>/delete",
    methods=["GET", "POST"],
)
@login_required
def remove_photo(cycle_id: int, project_id: int, image_id: int):
    cycle, project = _tracked(cycle_id, project_id)
    image = db.get_or_404(ProjectImage, image_id)
    if image.project_id != project.id or not image.implementation:
        abort(404)
    if request.method == "GET":
        return render_template(
            "budget/admin/confirm.html",
            cycle=cycle,
            title=_("Remove the photo “%(alt)s”?", alt=image.alt or project.title),
            explanation=_("The photo is deleted from the project's public page and the platform."),
            button=_("Remove the photo"),
            form=ActionForm(),
            back=url_for("budget_admin.tracking", cycle_id=cycle.id, project_id=project.id),
        )
    _valid_action()
    services.remove_photo(image, current_user)
    flash(_("The photo is removed."), "success")
    return _back_to_tracking(cycle, project)


# --- the audit log ----------------------------------------------------------------------


@bp.get("/manage/<int:cycle_id>/audit")
@login_required
def audit(cycle_id: int):
    cycle = _cycle(cycle_id, can.can_view_audit)
    names = audit_text.Names(cycle)
    entries = [
        (entry, ACTION_LABELS.get(entry.action, entry.action), audit_text.describe(entry, names))
        for entry in reversed(services.audit_log(cycle))
    ]
    return render_template("budget/admin/audit.html", cycle=cycle, entries=entries)


# --- Pabulib files ----------------------------------------------------------------------


@bp.route("/manage/<int:cycle_id>/pools/<int:pool_id>/pabulib", methods=["GET", "POST"])
@login_required
def import_pabulib(cycle_id: int, pool_id: int):
    cycle = _cycle(cycle_id)
    pool = _pool(cycle, pool_id)
    form = PabulibForm()
    status = 422 if form.is_submitted() else 200
    if form.validate_on_submit():
        try:
            text = form.file.data.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            form.file.errors.append(_("The file must be UTF-8 text."))
        else:
            try:
                report = services.import_pabulib(cycle, pool, text, current_user)
            except services.BudgetError as error:
                form.file.errors.append(str(error))
            else:
                flash(
                    _(
                        "The file is imported: %(projects)s and %(ballots)s.",
                        projects=ngettext("%(num)d project", "%(num)d projects", report.projects),
                        ballots=ngettext("%(num)d ballot", "%(num)d ballots", report.ballots),
                    ),
                    "success",
                )
                return redirect(url_for("budget_admin.projects", cycle_id=cycle.id))
    return (
        render_template(
            "budget/admin/pabulib.html",
            cycle=cycle,
            pool=pool,
            form=form,
            phase=services.phase(cycle),
        ),
        status,
    )


@bp.route(
    "/manage/<int:cycle_id>/pools/<int:pool_id>/imported-ballots/delete", methods=["GET", "POST"]
)
@login_required
def remove_imported_ballots(cycle_id: int, pool_id: int):
    cycle = _cycle(cycle_id)
    pool = _pool(cycle, pool_id)
    form = ActionForm()
    back = url_for("budget_admin.cycle", cycle_id=cycle.id)
    if request.method == "GET" and pool.id not in services.imported_ballots(cycle):
        # No confirmation for what would be refused or has nothing to remove.
        if services.phase(cycle) != Phase.PREPARATION:
            flash(_("Ballots cannot be removed once voting has opened."), "error")
        return redirect(back)
    if request.method == "POST":
        _valid_action()
        try:
            removed = services.remove_imported_ballots(pool, current_user)
        except services.BudgetError as error:
            flash(str(error), "error")
        else:
            flash(
                ngettext(
                    "%(num)d imported ballot is removed.",
                    "%(num)d imported ballots are removed.",
                    removed,
                ),
                "success",
            )
        return redirect(back)
    return render_template(
        "budget/admin/confirm.html",
        cycle=cycle,
        title=_("Remove the imported ballots of “%(name)s”?", name=pool.name),
        explanation=_(
            "The ballots and voters loaded from a Pabulib file are deleted; the projects "
            "stay. Do this before voting opens, or they are counted with the real votes."
        ),
        button=_("Remove the imported ballots"),
        form=form,
        back=back,
    )


@bp.get("/manage/<int:cycle_id>/pools/<int:pool_id>/export.pb")
@login_required
def export_pabulib(cycle_id: int, pool_id: int):
    cycle = _cycle(cycle_id, can.can_tally)
    pool = _pool(cycle, pool_id)
    try:
        content = services.export_pabulib(cycle, pool)
    except services.BudgetError as error:
        flash(str(error), "error")
        return redirect(url_for("budget_admin.results", cycle_id=cycle.id))
    filename = f"{g.municipality.slug}_{cycle.year}_pool-{pool.id}.pb"
    return Response(
        content,
        mimetype="text/plain",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
