"""maps: district population and municipality boundary

Revision ID: 0c790aec4a19
Revises: 73f1ea32005b
Create Date: 2026-11-23 11:40:15.600800

"""
import sqlalchemy as sa
from alembic import op

import participation.core.models
import participation.maps.types


# revision identifiers, used by Alembic.
revision = '0c790aec4a19'
down_revision = '73f1ea32005b'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('maps_municipality_boundary',
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.Column('boundary', participation.maps.types.Geometry('MULTIPOLYGON', srid=4326), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('updated_at', participation.core.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['municipality_id'], ['core_municipality.id'], name=op.f('fk_maps_municipality_boundary_municipality_id_core_municipality'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('municipality_id', name=op.f('pk_maps_municipality_boundary'))
    )
    op.create_table('maps_district_population',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('district_id', sa.Integer(), nullable=False),
    sa.Column('age_band', sa.String(length=20), nullable=False),
    sa.Column('gender', sa.String(length=20), nullable=False),
    sa.Column('residents', sa.Integer(), nullable=False),
    sa.CheckConstraint('residents >= 0', name=op.f('ck_maps_district_population_residents_not_negative')),
    sa.ForeignKeyConstraint(['district_id'], ['maps_district.id'], name=op.f('fk_maps_district_population_district_id_maps_district'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_maps_district_population')),
    sa.UniqueConstraint('district_id', 'age_band', 'gender', name=op.f('uq_maps_district_population_district_id_age_band_gender'))
    )
    with op.batch_alter_table('maps_district_population', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_maps_district_population_district_id'), ['district_id'], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.create_index(
            "ix_maps_municipality_boundary_boundary_gist",
            "maps_municipality_boundary",
            ["boundary"],
            postgresql_using="gist",
        )


def downgrade():
    with op.batch_alter_table('maps_district_population', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_maps_district_population_district_id'))

    op.drop_table('maps_district_population')
    op.drop_table('maps_municipality_boundary')
