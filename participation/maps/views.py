"""District pages, the district import and boundary drawing, and the districts GeoJSON."""

from __future__ import annotations

import json
import secrets
from pathlib import Path

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from participation.core.permissions import require
from participation.core.tenancy import municipality_blueprint
from participation.core.uploads import upload_folder
from participation.maps import geometry, services, widgets
from participation.maps.forms import (
    BoundaryForm,
    DistrictImportConfirmForm,
    DistrictImportForm,
    FindDistrictForm,
)
from participation.maps.geojson import geojson_response
from participation.maps.permissions import can_manage_districts

bp = municipality_blueprint("maps", __name__, url_prefix="/districts")
admin_bp = municipality_blueprint("maps_admin", __name__, url_prefix="/admin/districts")
api_bp = municipality_blueprint("maps_api", __name__, before_slug="/api/v1")

IMPORT_FOLDER = "district-imports"
IMPORT_MAX_BYTES = 20 * 1024 * 1024


@api_bp.get("/districts.geojson")
def districts_geojson():
    return geojson_response(services.districts_geojson(g.municipality))


@bp.get("/")
def index():
    municipality = g.municipality
    districts = services.districts_of(municipality)
    collection = services.districts_geojson(municipality)
    widget = None
    if districts:
        widget = widgets.choropleth(
            collection["features"],
            {d.id: d.population for d in districts},
            legend_title=_("Residents"),
            label=_("Map of the districts by number of residents"),
            value_label=_("Residents"),
        )
    return render_template(
        "maps/district_list.html",
        municipality=municipality,
        districts=districts,
        map=widget,
        total=sum(d.population or 0 for d in districts),
    )


@bp.route("/find", methods=["GET", "POST"])
def find():
    municipality = g.municipality
    form = FindDistrictForm()
    form.district.choices = services.district_choices(municipality, _("Do not know"))
    place = None
    if form.validate_on_submit():
        if form.lat.data is None and form.lon.data is None:
            form.lat.errors.append(_("Click the map, or type the latitude and longitude."))
        else:
            place = services.check_location(form, municipality, required=True)
    widget = widgets.location_picker(
        services.municipality_boundary(municipality),
        lat_input=form.lat.id,
        lon_input=form.lon.id,
        status_id="picker-status",
        label=_("Map: click to mark the place, or focus the map and press Enter for its centre"),
        placed_text=_("Place marked at {lat}, {lon}."),
        marker_title=_("The marked place"),
    )
    return render_template(
        "maps/district_find.html", municipality=municipality, form=form, place=place, map=widget
    )


@admin_bp.route("/import", methods=["GET", "POST"])
@login_required
@require(can_manage_districts)
def import_districts():
    municipality = g.municipality
    form = DistrictImportForm()
    if form.validate_on_submit():
        data = form.file.data.stream.read(IMPORT_MAX_BYTES + 1)
        form.file.data.close()
        if len(data) > IMPORT_MAX_BYTES:
            form.file.errors.append(_("The file is larger than 20 MB."))
        else:
            parsed = geometry.parse_districts(
                data,
                form.name_property.data.strip(),
                (form.code_property.data or "").strip() or None,
                (form.population_property.data or "").strip() or None,
                (form.municipality_feature.data or "").strip() or None,
            )
            if not parsed.ok:
                problems = [services.describe(p) for p in parsed.errors]
                return render_template(
                    "maps/district_import.html",
                    form=form,
                    municipality=municipality,
                    problems=problems,
                )
            token = f"{municipality.id}-{secrets.token_hex(16)}"
            (upload_folder(IMPORT_FOLDER) / f"{token}.geojson").write_bytes(data)
            confirm = DistrictImportConfirmForm(formdata=None)
            for name in (
                "name_property",
                "code_property",
                "population_property",
                "municipality_feature",
            ):
                getattr(confirm, name).data = (getattr(form, name).data or "").strip()
            confirm.token.data = token
            confirm.replace.data = "1" if form.replace.data else ""
            return _preview(municipality, parsed, confirm)
    return render_template(
        "maps/district_import.html", form=form, municipality=municipality, problems=[]
    )


def _preview(municipality, parsed, confirm):
    collection = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": i,
                "properties": {"name": d.name},
                "geometry": json.loads(json.dumps(d.boundary.__geo_interface__)),
            }
            for i, d in enumerate(parsed.districts)
        ],
    }
    widget = widgets.choropleth(
        collection["features"],
        {i: d.population for i, d in enumerate(parsed.districts)},
        legend_title=_("Residents"),
        label=_("Preview of the districts in the file"),
        value_label=_("Residents"),
    )
    existing = {d.name for d in services.districts_of(municipality)}
    return render_template(
        "maps/district_import_preview.html",
        municipality=municipality,
        districts=parsed.districts,
        existing=existing,
        removed=sorted(existing - {d.name for d in parsed.districts})
        if confirm.replace.data
        else [],
        repairs=[services.describe(p) for p in parsed.repairs],
        has_boundary=parsed.municipality_boundary is not None,
        form=confirm,
        map=widget,
    )


@admin_bp.post("/import/confirm")
@login_required
@require(can_manage_districts)
def confirm_import():
    municipality = g.municipality
    form = DistrictImportConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    token = form.token.data
    if not token.startswith(f"{municipality.id}-") or not token.replace("-", "").isalnum():
        abort(404)
    path = upload_folder(IMPORT_FOLDER) / f"{Path(token).name}.geojson"
    if not path.exists():
        flash(_("The uploaded file is no longer here. Upload it again."), "error")
        return redirect(url_for("maps_admin.import_districts"))
    parsed = geometry.parse_districts(
        path.read_bytes(),
        form.name_property.data,
        form.code_property.data or None,
        form.population_property.data or None,
        form.municipality_feature.data or None,
    )
    try:
        report = services.import_districts(municipality, parsed, replace=bool(form.replace.data))
    except services.ImportRefused as refused:
        for message in refused.messages:
            flash(message, "error")
        return redirect(url_for("maps_admin.import_districts"))
    path.unlink(missing_ok=True)
    flash(
        _(
            "Districts saved: %(created)d new, %(updated)d updated, %(removed)d removed. "
            "%(points)d places were assigned to their districts again.",
            created=len(report.created),
            updated=len(report.updated),
            removed=len(report.removed),
            points=report.points_reassigned,
        ),
        "success",
    )
    for message in report.repairs:
        flash(message, "warning")
    return redirect(url_for("maps.index"))


@admin_bp.route("/boundary", methods=["GET", "POST"])
@login_required
@require(can_manage_districts)
def boundary():
    municipality = g.municipality
    form = BoundaryForm()
    if request.method == "GET":
        own = services.own_boundary(municipality)
        if own is not None:
            form.area.data = json.dumps(own.__geo_interface__)
    if form.validate_on_submit():
        services.set_municipality_boundary(municipality, form.area_shape, "drawn")
        flash(
            _("The boundary is saved.")
            if form.area_shape is not None
            else _("The boundary is now the union of the districts."),
            "success",
        )
        return redirect(url_for("maps_admin.boundary"))
    widget = widgets.draw_tool(
        services.municipality_boundary(municipality),
        form.area.id,
        label=_("Map for drawing the boundary"),
    )
    return render_template(
        "maps/boundary_edit.html", municipality=municipality, form=form, map=widget
    )
