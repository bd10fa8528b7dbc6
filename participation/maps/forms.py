"""Forms of the maps module, and the location fields other modules' forms reuse."""

from __future__ import annotations

import json

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from shapely.geometry import shape
from wtforms import (
    BooleanField,
    DecimalField,
    HiddenField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from participation.maps import geometry


class LocationFields:
    """A place: the map writes latitude and longitude; district and address work without it.

    Use with ``maps.services.check_location(form, municipality)`` in the view.
    """

    lat = DecimalField(
        _l("Latitude"),
        places=6,
        validators=[Optional(), NumberRange(min=-90, max=90)],
        description=_l("Set by clicking the map, or type it, e.g. 49.4144."),
    )
    lon = DecimalField(
        _l("Longitude"),
        places=6,
        validators=[Optional(), NumberRange(min=-180, max=180)],
        description=_l("Set by clicking the map, or type it, e.g. 14.6578."),
    )
    district = SelectField(_l("District"), choices=[], validators=[Optional()], coerce=str)
    address = StringField(
        _l("Address or description of the place"),
        validators=[Optional(), Length(max=300)],
        description=_l("For example a street and house number, or 'the park behind the school'."),
    )


class FindDistrictForm(LocationFields, FlaskForm):
    submit = SubmitField(_l("Find the district"))


class DistrictImportForm(FlaskForm):
    file = FileField(
        _l("GeoJSON file"),
        validators=[FileRequired(_l("Choose a GeoJSON file."))],
        description=_l("District boundaries in longitude and latitude (WGS84), as polygons."),
    )
    name_property = StringField(
        _l("Property with the district name"),
        default="name",
        validators=[DataRequired(), Length(max=100)],
    )
    code_property = StringField(
        _l("Property with the district code"), validators=[Optional(), Length(max=100)]
    )
    population_property = StringField(
        _l("Property with the population"), validators=[Optional(), Length(max=100)]
    )
    municipality_feature = StringField(
        _l("Name of a feature that is the whole municipality"),
        validators=[Optional(), Length(max=200)],
        description=_l(
            "Some files also carry the whole town as one feature; it then becomes "
            "the municipality's boundary."
        ),
    )
    replace = BooleanField(_l("Remove districts that are not in the file"))
    submit = SubmitField(_l("Check and preview"))


class DistrictImportConfirmForm(FlaskForm):
    token = HiddenField(validators=[DataRequired()])
    name_property = HiddenField(validators=[DataRequired()])
    code_property = HiddenField()
    population_property = HiddenField()
    municipality_feature = HiddenField()
    replace = HiddenField()
    submit = SubmitField(_l("Save these districts"))


def validate_area(form, field):
    if not field.data:
        return
    try:
        area = geometry.polygonal_part(shape(json.loads(field.data)))
    except (ValueError, TypeError, KeyError, AttributeError):
        raise ValidationError(_l("This is not a GeoJSON polygon.")) from None
    if area is None:
        raise ValidationError(_l("Draw at least one polygon."))
    if not geometry.is_wgs84(area):
        raise ValidationError(_l("The coordinates must be longitude and latitude (WGS84)."))
    form.area_shape = area if area.is_valid else geometry.repair(area)


class BoundaryForm(FlaskForm):
    area = TextAreaField(
        _l("Boundary as GeoJSON"),
        validators=[Optional(), validate_area],
        description=_l(
            "Drawn on the map, or pasted as a GeoJSON polygon or multipolygon. "
            "Leave empty to use the union of the districts."
        ),
    )
    submit = SubmitField(_l("Save the boundary"))
    area_shape = None
