"""Every model with a place carries its town: re-assigning districts after an import
finds a municipality's items by that column."""

from __future__ import annotations

import participation  # noqa: F401  (imports every model module)
from participation.maps.models import Located


def test_every_located_model_has_a_municipality_column():
    assert len(Located.LOCATED_MODELS) >= 3
    for model in Located.LOCATED_MODELS:
        column = model.__table__.c.get("municipality_id")
        assert column is not None, model.__name__
        assert not column.nullable, model.__name__
        assert [fk.column.table.name for fk in column.foreign_keys] == ["core_municipality"]
