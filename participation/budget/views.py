"""Public pages of participatory budgeting: the cycles, a cycle's projects, a project,
voting (proving who may vote, the ballot, review, the receipt), checking a receipt and
changing a ballot by it, results and implementation.

Who is voting is kept in the session (signed, as all of it) between proving it and
casting, with the time they proved it (it expires after ``VOTER_MAX_AGE``): the
voter-roll key (never the code or identifier the voter typed: those are hashed by the
service), the district, the pools they may use and those they voted in. The ballot itself
travels only in the form; its receipt only in the page that answers the cast.
"""

from __future__ import annotations

import json
import time
from decimal import Decimal
from fractions import Fraction

from flask import (
    Response,
    abort,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    send_from_directory,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from wtforms import SelectChoice
from wtforms.validators import Optional

from participation.budget import permissions as can
from participation.budget import services, voting
from participation.budget.forms import (
    CONTROL_PREFIX,
    BallotForm,
    CodeIdentifyForm,
    EmailIdentifyForm,
    FilterForm,
    ReceiptForm,
    RegisterIdentifyForm,
    as_numbers,
    ballot_values,
    birth_year_range,
)
from participation.budget.models import (
    Cycle,
    Implementation,
    Method,
    Pool,
    Project,
    Residence,
    Rule,
    Verification,
)
from participation.budget.voting import Phase
from participation.core import exports
from participation.core.ids import whole_number
from participation.core.tenancy import municipality_blueprint
from participation.core.uploads import upload_folder
from participation.extensions import db, limiter
from participation.maps import services as maps_services
from participation.maps import widgets
from participation.maps.models import District

bp = municipality_blueprint("budget", __name__, url_prefix="/budget")

SESSION_KEY = "budget_voters"  # cycle id: who is voting (see _remember)
VOTER_MAX_AGE = 2 * 60 * 60  # seconds between proving who you are and casting
ACTIONS = ("filter", "check", "review", "change", "cast")

PHASE_LABELS = {
    Phase.PREPARATION: _l("Preparing"),
    Phase.VOTING: _l("Voting open"),
    Phase.COUNTING: _l("Counting"),
    Phase.RESULTS: _l("Results published"),
}
IMPLEMENTATION_LABELS = {
    Implementation.PLANNED: _l("Planned"),
    Implementation.IN_PREPARATION: _l("In preparation"),
    Implementation.IN_PROGRESS: _l("In progress"),
    Implementation.DONE: _l("Done"),
    Implementation.CANCELLED: _l("Cancelled"),
}
PHASE_ORDER = {Phase.VOTING: 0, Phase.PREPARATION: 1, Phase.COUNTING: 2, Phase.RESULTS: 3}


# --- words -----------------------------------------------------------------------------------


def _money(amount, currency: str) -> str:
    from flask_babel import format_currency

    return format_currency(amount, currency)


def method_text(pool: Pool) -> str:
    """How a pool is voted, in a sentence."""
    method = Method(pool.method)
    currency = pool.currency
    if method == Method.APPROVAL:
        parts = [_("Choose projects up to %(amount)s.", amount=_money(pool.amount, currency))]
        if pool.min_share:
            minimum = pool.amount * pool.min_share / 100
            parts.append(
                _(
                    "Your projects must add up to at least %(minimum)s.",
                    minimum=_money(minimum, currency),
                )
            )
        if pool.max_projects:
            parts.append(
                ngettext(
                    "Choose at most %(num)d project.",
                    "Choose at most %(num)d projects.",
                    pool.max_projects,
                )
            )
        return " ".join(parts)
    if method == Method.K_APPROVAL:
        return ngettext(
            "%(num)d vote: choose up to %(num)d project.",
            "%(num)d votes: choose up to %(num)d projects.",
            pool.k or 0,
        )
    if method == Method.POINTS:
        text = ngettext(
            "%(num)d point to give to the projects you like.",
            "%(num)d points to give to the projects you like.",
            pool.points or 0,
        )
        if pool.points_cap:
            text += " " + ngettext(
                "At most %(num)d point per project.",
                "At most %(num)d points per project.",
                pool.points_cap,
            )
        return text
    plus = ngettext("%(num)d plus vote", "%(num)d plus votes", pool.plus_votes or 0)
    if not pool.minus_votes:
        return _("%(plus)s; no minus votes.", plus=plus)
    minus = ngettext("%(num)d minus vote", "%(num)d minus votes", pool.minus_votes)
    return _(
        "%(plus)s and %(minus)s; a minus vote only after two plus votes, and never both on "
        "one project.",
        plus=plus,
        minus=minus,
    )


def phase_text(cycle: Cycle) -> str:
    from flask_babel import format_datetime

    current = services.phase(cycle)
    opens = format_datetime(cycle.voting_opens_at, "short")
    closes = format_datetime(cycle.voting_closes_at, "short")
    if current == Phase.PREPARATION:
        return _("Voting opens on %(opens)s and closes on %(closes)s.", opens=opens, closes=closes)
    if current == Phase.VOTING:
        return _("Voting is open until %(closes)s.", closes=closes)
    if current == Phase.COUNTING:
        return _("Voting closed on %(closes)s. The results will be published here.", closes=closes)
    return _(
        "Voting closed on %(closes)s. The results were published on %(published)s.",
        closes=closes,
        published=format_datetime(cycle.results_published_at, "short"),
    )


def date_and_time(value) -> str:
    """The date in full and the time in hours and minutes ("4. května 2026 16:45"): the
    long form would add seconds and a zone ("16:45:21 SEČ")."""
    from flask_babel import format_datetime, get_locale

    locale = get_locale()
    pattern = (
        locale.datetime_formats["long"]
        .replace("{1}", locale.date_formats["long"].pattern)
        .replace("{0}", locale.time_formats["short"].pattern)
    )
    return format_datetime(value, pattern)


def _fraction(value) -> Fraction | None:
    if value is None or value == "":
        return None
    try:
        return Fraction(str(value))
    except (ValueError, ZeroDivisionError):
        return None


def _decimal(value: Fraction) -> Decimal:
    return Decimal(value.numerator) / Decimal(value.denominator)


def fate_text(pool: Pool, project: Project, explanation: str) -> str:
    """A project's fate in a tally, in words, from ``PoolResult.explanation``."""
    if not explanation:
        return ""
    try:
        fate = json.loads(explanation)
    except ValueError:
        return ""
    currency = pool.currency
    status = fate.get("status")
    equal_shares = Rule(pool.rule) in (Rule.MES, Rule.MES_ADD1) and pool.method in (
        Method.APPROVAL,
        Method.K_APPROVAL,
    )
    if status == "selected" and equal_shares:
        price = _fraction(fate.get("price"))
        payers = int(fate.get("payers") or 0)
        if price is not None and payers:
            text = ngettext(
                "Funded by Equal Shares in round %(round)d: its %(num)d supporter paid %(price)s.",
                "Funded by Equal Shares in round %(round)d: each of its %(num)d supporters "
                "paid %(price)s at most.",
                payers,
                round=int(fate.get("round") or 0),
                price=_money(_decimal(price), currency),
            )
            spent_all = int(fate.get("paid_all_they_had") or 0)
            if spent_all:
                text += " " + ngettext(
                    "%(num)d of them spent all the money they had left.",
                    "%(num)d of them spent all the money they had left.",
                    spent_all,
                )
            return text
        return _("Funded by Equal Shares.")
    if status == "selected":
        # Greedy fills the pool (pabutools' rule): a project nobody voted for, or with no
        # more plus than minus votes, is funded when money is left after the others.
        score = _fraction(fate.get("score"))
        if score is not None and score <= 0:
            if pool.method == Method.D21:
                return _(
                    "Funded: it had no more plus votes than minus votes, but money was left "
                    "in the pool after the projects with a higher score, and it fitted."
                )
            if pool.method == Method.POINTS:
                return _(
                    "Funded: nobody gave it points, but money was left in the pool after "
                    "the projects with points, and it fitted."
                )
            return _(
                "Funded: nobody voted for it, but money was left in the pool after the "
                "projects with votes, and it fitted."
            )
        return _("Funded: it had enough votes and still fitted in the pool.")
    if status == "completion":
        score = _fraction(fate.get("score"))
        if score is not None and score <= 0:
            # The greedy completion fills the pool too (pabutools' rule).
            return _(
                "Funded from the money Equal Shares left unspent: nobody voted for it, but "
                "money was left after the projects with votes, and it fitted."
            )
        remaining = _fraction(fate.get("remaining"))
        if remaining is not None:
            return _(
                "Funded from the money Equal Shares left unspent (%(remaining)s were left "
                "when its turn came, by votes).",
                remaining=_money(_decimal(remaining), currency),
            )
        return _("Funded from the money Equal Shares left unspent.")
    if status == "no_money":
        available = _fraction(fate.get("available"))
        if available is not None:
            return _(
                "Not funded: in round %(round)d its supporters had only %(available)s left "
                "of the %(cost)s it costs.",
                round=int(fate.get("round") or 0),
                available=_money(_decimal(available), currency),
                cost=_money(project.cost, currency),
            )
        return _("Not funded: its supporters did not have enough money left.")
    if status == "did_not_fit":
        remaining = _fraction(fate.get("remaining"))
        if remaining is not None:
            return _(
                "Not funded: when its turn came only %(remaining)s were left in the pool, "
                "less than its cost of %(cost)s.",
                remaining=_money(_decimal(remaining), currency),
                cost=_money(project.cost, currency),
            )
        return _("Not funded: it no longer fitted in the pool.")
    if status == "no_support":
        return _("Not funded: nobody voted for it.")
    return ""


@bp.context_processor
def _helpers():
    return {
        "method_text": method_text,
        "phase_text": phase_text,
        "date_and_time": date_and_time,
        "phase_of": services.phase,
        "phase_labels": PHASE_LABELS,
        "implementation_labels": IMPLEMENTATION_LABELS,
        "Phase": Phase,
        "Method": Method,
        "can": can,
    }


# --- loading ---------------------------------------------------------------------------------


def _cycle(cycle_id: int) -> Cycle:
    """The cycle of the URL's town; an unpublished one is "not found" for the public."""
    cycle = db.get_or_404(Cycle, cycle_id)
    if cycle.municipality_id != g.municipality.id or not can.can_view_cycle(current_user, cycle):
        abort(404)
    return cycle


def _pool(cycle: Cycle, pool_id: int) -> Pool:
    pool = db.get_or_404(Pool, pool_id)
    if pool.cycle_id != cycle.id:
        abort(404)
    return pool


def _ballot_pool(cycle_id: int, pool_id: int):
    """The cycle, its pool and the pool's projects' costs in one query (a cast needs no
    more), with the same 404s as :func:`_cycle` and :func:`_pool`."""
    found = services.ballot_pool(g.municipality, cycle_id, pool_id)
    if found is None or not can.can_view_cycle(current_user, found[0]):
        abort(404)
    return found


def _projects_map(projects, label: str, new_tab: bool = False) -> widgets.MapWidget | None:
    """The projects with a place on a map, each marker's popup a link to its page (in a
    new tab from the ballot, so that the choices made so far stay)."""
    places = [
        widgets.LinkedPlace(p.lat, p.lon, p.title, url_for("budget.project", project_id=p.id))
        for p in projects
        if p.lat is not None and p.lon is not None
    ]
    return widgets.linked_places_map(places, label, new_tab=new_tab) if places else None


def _choices(items, blank: str) -> list[SelectChoice]:
    return [SelectChoice("", blank)] + [SelectChoice(str(key), label) for key, label in items]


def _filter_projects(projects, pool_id: str, category: str, district: str, words: str):
    words = words.strip().lower()
    return [
        p
        for p in projects
        if (not pool_id or str(p.pool_id) == pool_id)
        and (not category or str(p.category_id) == category)
        and (not district or str(p.district_id) == district)
        and (not words or words in f"{p.title} {p.description}".lower())
    ]


def _districts_of(projects):
    seen = {p.district.id: p.district.name for p in projects if p.district is not None}
    return sorted(seen.items(), key=lambda item: item[1])


# --- the list and a cycle --------------------------------------------------------------------


@bp.get("/")
def index():
    cycles = services.cycles_of(g.municipality)
    cycles.sort(key=lambda c: (PHASE_ORDER[services.phase(c)], -c.year, -c.id))
    return render_template("budget/index.html", municipality=g.municipality, cycles=cycles)


@bp.get("/<int:cycle_id>/")
def cycle(cycle_id: int):
    cycle = _cycle(cycle_id)
    projects = [p for pool in cycle.pools for p in pool.projects]
    form = FilterForm(request.args)
    form.pool.choices = _choices([(p.id, p.name) for p in cycle.pools], _("All pools"))
    form.category.choices = _choices(
        [(c.id, c.name) for c in cycle.categories], _("All categories")
    )
    form.district.choices = _choices(_districts_of(projects), _("All districts"))
    shown = _filter_projects(
        projects,
        form.pool.data or "",
        form.category.data or "",
        form.district.data or "",
        form.q.data or "",
    )
    filtered = len(shown) != len(projects)
    return render_template(
        "budget/cycle.html",
        municipality=g.municipality,
        cycle=cycle,
        phase=services.phase(cycle),
        projects=shown,
        total_projects=len(projects),
        filtered=filtered,
        form=form,
        map=_projects_map(shown, _("Map of the projects")),
        receipt_form=ReceiptForm(),
        show_results=can.can_view_results(current_user, cycle),
    )


@bp.get("/images/<path:name>")
def image(name: str):
    """A picture of a project this town shows (not of an unpublished cycle's, to the
    public, nor of another town's)."""
    picture = services.image_named(g.municipality, name)
    if picture is None or not can.can_view_project(current_user, picture.project):
        abort(404)
    response = send_from_directory(upload_folder(services.IMAGE_FOLDER), name, max_age=86400)
    if picture.project.cycle.published_at is None:  # staff only: no shared cache keeps it
        response.cache_control.public = False
        response.cache_control.private = True
    return response


@bp.get("/projects/<int:project_id>")
def project(project_id: int):
    project = db.get_or_404(Project, project_id)
    cycle = _cycle(project.cycle_id)
    result = None
    if cycle.results_published_at is not None:
        result = next(
            (r for r in services.results_of(project.pool) if r.project_id == project.id), None
        )
    widget = None
    if project.lat is not None and project.lon is not None:
        widget = widgets.point_map(
            project.lat,
            project.lon,
            label=_("Map of the project's place"),
            marker_title=project.title,
        )
    idea_url = None
    if project.idea_id is not None:
        idea_url = url_for("ideas.idea", idea_id=project.idea_id)
    return render_template(
        "budget/project.html",
        municipality=g.municipality,
        cycle=cycle,
        project=project,
        pool=project.pool,
        result=result,
        fate=fate_text(project.pool, project, result.explanation) if result else "",
        map=widget,
        idea_url=idea_url,
        pictures=[i for i in project.images if not i.implementation],
        photos=[i for i in project.images if i.implementation],
    )


# --- who is voting (kept signed in the session) ----------------------------------------------


def _remember(voter: services.VoterPass, voted: set[int] | frozenset[int]) -> None:
    """Keep who is voting in the session (signed with it), with when they proved it."""
    voters = dict(session.get(SESSION_KEY) or {})
    voters[str(voter.cycle_id)] = {
        "m": voter.method.value,
        "k": voter.voter_key,
        "d": voter.district_id,
        "p": sorted(voter.pool_ids),
        "v": sorted(voted),
        "x": voter.code_id,
        # An account voter's account, checked again at the cast; no other needs one.
        "u": current_user.id if voter.method == Verification.EMAIL else None,
        "t": int(time.time()),
    }
    session[SESSION_KEY] = voters


def _forget(cycle: Cycle) -> None:
    voters = dict(session.get(SESSION_KEY) or {})
    if voters.pop(str(cycle.id), None) is not None:
        session[SESSION_KEY] = voters


def _voter_pass(
    cycle_id: int, verification: Verification
) -> tuple[services.VoterPass, set[int]] | None:
    """Who proved, in this session, that they may vote in the cycle, and the pools they
    have voted in; read from the session alone (an account voter's account is checked)."""
    voters = session.get(SESSION_KEY) or {}
    data = voters.get(str(cycle_id))
    if data is None:
        return None
    if not isinstance(data, dict) or not 0 <= time.time() - data["t"] <= VOTER_MAX_AGE:
        # Expired, or kept by an earlier version: forgotten; the voter proves it again.
        session[SESSION_KEY] = {k: v for k, v in voters.items() if k != str(cycle_id)}
        return None
    method = Verification(data["m"])
    if method != verification:
        return None
    if method == Verification.EMAIL and (
        not current_user.is_authenticated or current_user.id != data["u"]
    ):
        return None
    voter = services.VoterPass(
        cycle_id=cycle_id,
        method=method,
        voter_key=data["k"],
        district_id=data["d"],
        pool_ids=frozenset(data["p"]),
        code_id=data["x"],
    )
    return voter, set(data["v"])


def _voter(cycle: Cycle) -> tuple[services.Eligibility, set[int]] | None:
    """Who proved, in this session, that they may vote in ``cycle`` (their pools and
    district loaded), and where they voted."""
    known = _voter_pass(cycle.id, Verification(cycle.verification))
    if known is None:
        return None
    voter, voted = known
    eligibility = services.Eligibility(
        cycle_id=cycle.id,
        method=voter.method,
        voter_key=voter.voter_key,
        district=db.session.get(District, voter.district_id) if voter.district_id else None,
        pools=tuple(p for p in cycle.pools if p.id in voter.pool_ids),
        code_id=voter.code_id,
    )
    return eligibility, voted


def _not_open(cycle: Cycle, message: str | None = None):
    return (
        render_template(
            "budget/not_open.html",
            municipality=g.municipality,
            cycle=cycle,
            message=message,
            results_published=services.phase(cycle) == Phase.RESULTS,
        ),
        403,
    )


def _identify_form(cycle: Cycle):
    municipality = g.municipality
    has_district_pools = any(p.district_id is not None for p in cycle.pools)
    method = Verification(cycle.verification)
    if method == Verification.EMAIL:
        form = EmailIdentifyForm()
        if cycle.min_age == 0:
            form.birth_year.validators = [Optional(), birth_year_range()]
            form.birth_year.flags.required = False
        show_district = has_district_pools
    elif method == Verification.CODE:
        form = CodeIdentifyForm()
        show_district = has_district_pools
    else:
        form = RegisterIdentifyForm()
        show_district = has_district_pools and cycle.residence == Residence.MUNICIPALITY
    form.district.choices = maps_services.district_choices(municipality, _("Choose a district"))
    if not show_district:
        del form.district
    return form


def _proof(cycle: Cycle, form):
    method = Verification(cycle.verification)
    field = getattr(form, "district", None)
    district = maps_services.district_of(g.municipality, field.data if field else None)
    if method == Verification.EMAIL:
        return services.AccountProof(current_user, district, form.birth_year.data)
    if method == Verification.CODE:
        return services.CodeProof(form.code.data, district)
    return services.RegisterProof(form.identifier.data, district)


def _refusal_field(cycle: Cycle, form, message: str):
    """The field a refusal is about, so that it is shown beside it."""
    about_district = message in (
        _("Choose the district you live in."),
        _("Choose a district of this municipality."),
        _("There is no pool you may vote in."),
        _("You have already voted in another district's pool."),
    )
    if about_district and getattr(form, "district", None) is not None:
        return form.district
    method = Verification(cycle.verification)
    if method == Verification.CODE:
        return form.code
    if method == Verification.REGISTER:
        return form.identifier
    return form.birth_year


def _identify_limit() -> str:
    return current_app.config["VOTER_IDENTIFY_RATE_LIMIT"]


@bp.route("/<int:cycle_id>/vote", methods=["GET", "POST"])
# Register identifiers (birth numbers, say) can be guessed; proofs are tried slowly.
@limiter.limit(_identify_limit, exempt_when=lambda: request.method != "POST")
def vote(cycle_id: int):
    """Prove who you are; then the pools you may vote in."""
    cycle = _cycle(cycle_id)
    if not cycle.pools or not can.can_vote(current_user, cycle.pools[0]):
        return _not_open(cycle)
    known = _voter(cycle)
    if known is not None and request.method == "GET":
        eligibility, voted = known
        return render_template(
            "budget/pools.html",
            municipality=g.municipality,
            cycle=cycle,
            eligibility=eligibility,
            voted=voted,
            action=BallotForm(),
        )
    method = Verification(cycle.verification)
    needs_account = method == Verification.EMAIL
    if needs_account and not current_user.is_authenticated:
        return render_template(
            "budget/identify.html", municipality=g.municipality, cycle=cycle, form=None
        )
    if needs_account and not current_user.email_confirmed:
        return render_template(
            "budget/identify.html",
            municipality=g.municipality,
            cycle=cycle,
            form=None,
            unconfirmed=True,
        )
    form = _identify_form(cycle)
    status = 200
    if form.validate_on_submit():
        try:
            eligibility = services.eligibility(cycle, _proof(cycle, form))
        except services.BudgetError as refusal:
            for message in refusal.messages:
                _refusal_field(cycle, form, message).errors.append(message)
            status = 422
        else:
            _remember(eligibility.voter_pass(), eligibility.voted_pool_ids)
            return redirect(url_for(".vote", cycle_id=cycle.id))
    elif request.method == "POST":
        status = 422
    return (
        render_template(
            "budget/identify.html", municipality=g.municipality, cycle=cycle, form=form
        ),
        status,
    )


@bp.post("/<int:cycle_id>/vote/forget")
def forget(cycle_id: int):
    cycle = _cycle(cycle_id)
    if not BallotForm().validate_on_submit():
        abort(400)
    _forget(cycle)
    flash(_("This browser no longer holds who you are. Prove it again to vote."), "success")
    return redirect(url_for(".cycle", cycle_id=cycle.id))


# --- the ballot ------------------------------------------------------------------------------


def _ballot_page(
    cycle: Cycle,
    pool: Pool,
    values: dict[int, str],
    *,
    action_url: str,
    receipt: str = "",
    summary=None,
    problems=(),
    valid: bool = False,
    who_first: bool = False,
    status: int = 200,
):
    projects = list(pool.projects)
    source = request.form if request.method == "POST" else request.args
    words = (source.get("q") or "").strip()
    category = source.get("category") or ""
    district = source.get("district") or ""
    problems = list(problems)
    # What is wrong with one project is said beside its control: shown whatever the filters.
    by_project: dict[int, list[str]] = {}
    for problem in problems:
        if problem.project_id is not None:
            by_project.setdefault(problem.project_id, []).append(problem.message)
    filtered = {p.id for p in _filter_projects(projects, "", category, district, words)}
    shown = [p for p in projects if p.id in filtered or p.id in by_project]
    shown_ids = {p.id for p in shown}
    form = BallotForm()
    form.receipt.data = receipt
    return (
        render_template(
            "budget/ballot.html",
            municipality=g.municipality,
            cycle=cycle,
            pool=pool,
            projects=shown,
            hidden_values={p: v for p, v in values.items() if p not in shown_ids},
            all_projects=projects,
            values=values,
            filters={"q": words, "category": category, "district": district},
            categories=[
                c for c in cycle.categories if any(p.category_id == c.id for p in projects)
            ],
            districts=_districts_of(projects),
            summary=summary,
            problems=problems,
            project_problems=by_project,
            valid=valid,
            who_first=who_first,
            form=form,
            action_url=action_url,
            changing=bool(receipt),
            map=_projects_map(projects, _("Map of the projects on this ballot"), new_tab=True),
        ),
        status,
    )


def _review_page(cycle: Cycle, pool: Pool, numbers: dict[int, int], summary, action_url, receipt):
    by_id = {p.id: p for p in pool.projects}
    chosen = [(by_id[p], v) for p, v in numbers.items() if v != 0 and p in by_id]
    chosen.sort(key=lambda item: (-item[1], item[0].title))
    form = BallotForm()
    form.receipt.data = receipt
    return render_template(
        "budget/review.html",
        municipality=g.municipality,
        cycle=cycle,
        pool=pool,
        chosen=chosen,
        summary=summary,
        form=form,
        action_url=action_url,
        changing=bool(receipt),
    )


def _handle_ballot(cycle: Cycle, pool: Pool, action_url: str, cast, receipt: str = "", costs=None):
    """The ballot's steps, the same whether casting or changing by receipt: filter, check
    my ballot (without JavaScript), review, change, and finally ``cast(numbers)``.

    The cast itself reads only the controls sent and leaves every check to the service,
    which makes them anyway: one request, no work twice (bench/voting.py)."""
    action = request.form.get("action", "filter")
    if action not in ACTIONS:
        action = "filter"
    # The CSRF token was checked before the view (CSRFProtect); the form has nothing
    # else to validate, so a cast does not build it.
    if action != "cast" and not BallotForm().validate_on_submit():
        abort(400)
    if action == "cast":
        numbers, bad = as_numbers(ballot_values(request.form, _sent_projects()))
        if not bad:
            return cast(numbers)
    raw = ballot_values(request.form, [p.id for p in pool.projects])
    if action in ("filter", "change"):
        return _ballot_page(cycle, pool, raw, action_url=action_url, receipt=receipt)
    numbers, bad = as_numbers(raw)
    if costs is None:
        costs = services.pool_costs(pool)
    problems: list[services.BallotProblem] = []
    if bad:
        titles = {p.id: p.title for p in pool.projects}
        problems = [
            services.BallotProblem(_("Enter whole numbers only."), p, titles[p]) for p in bad
        ]
    try:
        services.check_values(pool, numbers, costs)
    except services.BudgetError as refusal:
        found = _ballot_problems(refusal)
        # With a value that is no number, totals mean nothing: the other projects' own
        # problems are said too (one round for the voter), the whole ballot's are not.
        problems += [p for p in found if p.project_id is not None] if bad else found
    summary = voting.summarize({p: v for p, v in numbers.items() if v}, costs)
    if action == "check" or problems:
        return _ballot_page(
            cycle,
            pool,
            raw,
            action_url=action_url,
            receipt=receipt,
            summary=summary,
            problems=problems,
            valid=not problems,
            status=200 if action == "check" else 422,
        )
    return _review_page(cycle, pool, numbers, summary, action_url, receipt)


def _ballot_problems(refusal: services.BudgetError) -> list[services.BallotProblem]:
    """Each problem of a refused ballot, with the project it is about where there is one."""
    if isinstance(refusal, services.BallotRefused):
        return refusal.problems
    return [services.BallotProblem(message) for message in refusal.messages]


def _refused(cycle: Cycle, pool: Pool, numbers, refusal, action_url: str, receipt: str = ""):
    """A cast the service refused: closed voting on its own page; a problem with the
    ballot on the ballot, every choice kept."""
    if services.phase(cycle) != Phase.VOTING:
        return _not_open(cycle, refusal.messages[0])
    return _ballot_page(
        cycle,
        pool,
        {p: str(v) for p, v in numbers.items()},
        action_url=action_url,
        receipt=receipt,
        problems=_ballot_problems(refusal),
        status=422,
    )


@bp.route("/<int:cycle_id>/vote/<int:pool_id>", methods=["GET", "POST"])
def ballot(cycle_id: int, pool_id: int):
    if request.method == "POST" and request.form.get("action") == "cast":
        cast = _cast_at_once(cycle_id, pool_id)
        if cast is not None:
            return cast
    cycle, pool, costs = _ballot_pool(cycle_id, pool_id)
    if not can.can_vote(current_user, pool):
        return _not_open(cycle)
    known = _voter_pass(cycle.id, Verification(cycle.verification))
    action_url = url_for(".ballot", cycle_id=cycle.id, pool_id=pool.id)
    if known is None and request.method == "POST":
        # Forgotten since the ballot was given (another tab, a logout, the time): the
        # choices stay on the page, nothing is cast, and proving it again opens beside.
        if not BallotForm().validate_on_submit():
            abort(400)
        return _ballot_page(
            cycle,
            pool,
            ballot_values(request.form, [p.id for p in pool.projects]),
            action_url=action_url,
            who_first=True,
            status=403,
        )
    if known is None:
        flash(_("First tell us who you are; then you get your ballot."), "warning")
        return redirect(url_for(".vote", cycle_id=cycle.id))
    voter, voted = known
    if pool.id not in voter.pool_ids:
        flash(_("You may not vote in this pool."), "error")
        return redirect(url_for(".vote", cycle_id=cycle.id))
    if request.method == "GET":
        if pool.id in voted:
            flash(_("You have already voted in this pool."), "warning")
            return redirect(url_for(".vote", cycle_id=cycle.id))
        return _ballot_page(cycle, pool, {}, action_url=action_url)

    def cast(numbers):
        return _cast(services.BallotRules.of(pool, costs), numbers, voter, voted)

    return _handle_ballot(cycle, pool, action_url, cast, costs=costs)


def _sent_projects() -> list[int]:
    """The projects a cast names (its ``p-<id>`` controls); anything else is not read."""
    return [
        number
        for key in request.form
        if key.startswith(CONTROL_PREFIX)
        and (number := whole_number(key[len(CONTROL_PREFIX) :])) is not None
    ]


def _cast_at_once(cycle_id: int, pool_id: int):
    """The review's "Cast my ballot" by a voter allowed in an open pool, with a well-formed
    ballot: the pool's rules in one query (:func:`services.ballot_rules`, plain values), the
    voter from the session, the ballot in one statement. ``None`` for anything else, which
    the ballot's own steps then show (not open, who you are, whole numbers)."""
    rules = services.ballot_rules(g.municipality, cycle_id, pool_id)
    if rules is None or not can.can_cast(current_user, rules):
        return None
    known = _voter_pass(cycle_id, rules.verification)
    if known is None or pool_id not in known[0].pool_ids:
        return None
    numbers, bad = as_numbers(ballot_values(request.form, _sent_projects()))
    if bad:
        return None
    return _cast(rules, numbers, *known)


def _cast(rules: services.BallotRules, numbers, voter: services.VoterPass, voted: set[int]):
    """Cast; the receipt is on the page that answers, and only there (not cached by the
    browser; nothing else, the session included, holds it). A voter on the roll already
    goes back to their pools, as when they ask for the ballot again."""
    try:
        receipt = services.cast(rules, numbers, voter)
    except services.AlreadyVoted as refusal:
        # Also when the ballot went in from another tab or browser.
        _remember(voter, voted | {rules.pool_id})
        flash(str(refusal), "warning")
        return redirect(url_for(".vote", cycle_id=rules.cycle_id), 303)
    except services.BudgetError as refusal:
        cycle, pool, _costs = _ballot_pool(rules.cycle_id, rules.pool_id)
        action_url = url_for(".ballot", cycle_id=cycle.id, pool_id=pool.id)
        return _refused(cycle, pool, numbers, refusal, action_url)
    _remember(voter, voted | {rules.pool_id})
    response = make_response(
        render_template(
            "budget/cast.html",
            municipality=g.municipality,
            rules=rules,
            receipt=receipt,
            more=bool(voter.pool_ids - voted - {rules.pool_id}),
        )
    )
    # The code is for this voter, once: not kept by the browser's cache.
    response.headers["Cache-Control"] = "no-store"
    return response


# --- receipts --------------------------------------------------------------------------------


@bp.route("/<int:cycle_id>/receipt", methods=["GET", "POST"])
def receipt(cycle_id: int):
    cycle = _cycle(cycle_id)
    form = ReceiptForm()
    status = None
    code = 200
    if form.validate_on_submit():
        status = services.receipt_status(cycle, form.receipt.data)
    elif request.method == "POST":
        code = 422
    can_change = bool(
        status is not None
        and status.counted
        and status.pool.changeable
        and services.phase(cycle) == Phase.VOTING
    )
    return (
        render_template(
            "budget/receipt.html",
            municipality=g.municipality,
            cycle=cycle,
            form=form,
            status=status,
            can_change=can_change,
            change_form=BallotForm(receipt=form.receipt.data),
        ),
        code,
    )


@bp.post("/<int:cycle_id>/receipt/change")
def change(cycle_id: int):
    """Change the ballot the receipt finds (pools that allow it, while voting runs)."""
    cycle = _cycle(cycle_id)
    form = BallotForm()
    if not form.validate_on_submit():
        abort(400)
    code = (form.receipt.data or "").strip()
    found = services.receipt_status(cycle, code) if code else None
    if found is None or not found.counted:
        flash(_("No ballot has this receipt code."), "error")
        return redirect(url_for(".receipt", cycle_id=cycle.id))
    pool = found.pool
    if not pool.changeable:
        flash(_("Ballots in this pool cannot be changed."), "error")
        return redirect(url_for(".receipt", cycle_id=cycle.id))
    if services.phase(cycle) != Phase.VOTING:
        return _not_open(cycle)
    action_url = url_for(".change", cycle_id=cycle.id)
    if "action" not in request.form:
        stored = services.ballot_values(pool, code) or {}
        return _ballot_page(
            cycle,
            pool,
            {p: str(v) for p, v in stored.items()},
            action_url=action_url,
            receipt=code,
        )

    def cast(numbers):
        try:
            services.change_ballot(pool, code, numbers)
        except services.BudgetError as refusal:
            return _refused(cycle, pool, numbers, refusal, action_url, receipt=code)
        return render_template(
            "budget/changed.html",
            municipality=g.municipality,
            cycle=cycle,
            pool=pool,
            summary=voting.summarize(numbers, services.pool_costs(pool)),
        )

    return _handle_ballot(cycle, pool, action_url, cast, receipt=code)


# --- results ---------------------------------------------------------------------------------


def _pool_results(pool: Pool):
    by_id = {p.id: p for p in pool.projects}
    rows = []
    for result in services.results_of(pool):
        project = by_id.get(result.project_id)
        if project is None:
            continue
        rows.append(
            {
                "project": project,
                "score": result.score,
                "selected": result.selected,
                "fate": fate_text(pool, project, result.explanation),
            }
        )
    winners = [row["project"] for row in rows if row["selected"]]
    return {
        "pool": pool,
        "rows": rows,
        "winners": winners,
        "spent": sum((p.cost for p in winners), Decimal(0)),
        "equal_shares": Rule(pool.rule) in (Rule.MES, Rule.MES_ADD1)
        and pool.method in (Method.APPROVAL, Method.K_APPROVAL),
    }


def _score_label(pool: Pool) -> str:
    if pool.method == Method.POINTS:
        return _("Points")
    if pool.method == Method.D21:
        return _("Net score (plus minus minus)")
    return _("Votes")


def _results_pending(cycle: Cycle):
    """Results asked for before they are published, by someone who may not preview them:
    when they will be, and the way back (downloads too: a person may follow their link)."""
    return (
        render_template("budget/results_pending.html", municipality=g.municipality, cycle=cycle),
        404,
    )


@bp.get("/<int:cycle_id>/results")
def results(cycle_id: int):
    cycle = _cycle(cycle_id)
    if not can.can_view_results(current_user, cycle):
        return _results_pending(cycle)
    pools = [_pool_results(pool) for pool in cycle.pools]
    for item in pools:
        item["score_label"] = _score_label(item["pool"])
    winners = [p for item in pools for p in item["winners"]]
    turnout = services.turnout_by_district(cycle)
    districts = maps_services.districts_of(g.municipality)
    turnout_map = None
    if districts and turnout:
        turnout_map = widgets.choropleth(
            maps_services.districts_geojson(g.municipality)["features"],
            {d.id: turnout.get(d.id, 0) for d in districts},
            legend_title=_("Voters"),
            label=_("Map of the number of voters by district"),
            value_label=_("Voters"),
        )
    return render_template(
        "budget/results.html",
        municipality=g.municipality,
        cycle=cycle,
        pools=pools,
        published=cycle.results_published_at is not None,
        winners_map=_projects_map(winners, _("Map of the winning projects")),
        turnout=[(d, turnout.get(d.id, 0)) for d in districts],
        turnout_unknown=turnout.get(None, 0),
        turnout_total=sum(turnout.values()),
        turnout_map=turnout_map,
    )


@bp.get("/<int:cycle_id>/results/<int:pool_id>.pb")
def results_pabulib(cycle_id: int, pool_id: int):
    cycle = _cycle(cycle_id)
    pool = _pool(cycle, pool_id)
    if not can.can_view_results(current_user, cycle):
        return _results_pending(cycle)
    try:
        text = services.export_pabulib(cycle, pool)
    except services.BudgetError:
        abort(404)
    return Response(
        text,
        mimetype="text/plain",
        headers={
            "Content-Disposition": f'attachment; filename="budget-{cycle.id}-pool-{pool.id}.pb"'
        },
    )


@bp.get("/<int:cycle_id>/results.csv")
def results_csv(cycle_id: int):
    cycle = _cycle(cycle_id)
    if not can.can_view_results(current_user, cycle):
        return _results_pending(cycle)
    columns = ("pool_id", "pool", "project_id", "project", "cost", "currency", "score", "selected")
    rows = [
        {
            "pool_id": pool.id,
            "pool": pool.name,
            "project_id": row["project"].id,
            "project": row["project"].title,
            "cost": row["project"].cost,
            "currency": pool.currency,
            "score": row["score"],
            "selected": 1 if row["selected"] else 0,
        }
        for pool in cycle.pools
        for row in _pool_results(pool)["rows"]
    ]
    # Titles can be residents' own (projects made from ideas): core.exports makes them inert.
    return Response(
        exports.to_csv(rows, columns),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="budget-{cycle.id}-results.csv"'},
    )


# --- implementation --------------------------------------------------------------------------


@bp.get("/implementation")
def implementation():
    """Winning projects of every cycle with published results, and how far they got."""
    groups = []
    for c in services.cycles_of(g.municipality):
        if c.results_published_at is None:
            continue
        winners = [p for pool in c.pools for p in _pool_results(pool)["winners"]]
        if winners:
            groups.append((c, winners))
    projects = [p for _c, winners in groups for p in winners]
    return render_template(
        "budget/implementation.html",
        municipality=g.municipality,
        groups=groups,
        map=_projects_map(projects, _("Map of the winning projects")),
    )
