"""core and maps: municipalities, accounts, roles, districts

Revision ID: 73f1ea32005b
Revises: 
Create Date: 2026-11-23 11:25:09.182819

"""
import sqlalchemy as sa
from alembic import op

import participation.core.models
import participation.maps.types


# revision identifiers, used by Alembic.
revision = '73f1ea32005b'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        # Geometry columns need PostGIS; on SQLite they are WKB blobs.
        op.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    op.create_table('core_municipality',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=63), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('country', sa.Enum('CZ', 'PL', 'other', name='core_country', native_enum=False, length=8), nullable=False),
    sa.Column('default_language', sa.String(length=5), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('contact_email', sa.String(length=254), nullable=True),
    sa.Column('contact_phone', sa.String(length=40), nullable=True),
    sa.Column('contact_address', sa.Text(), nullable=True),
    sa.Column('website', sa.String(length=300), nullable=True),
    sa.Column('logo_filename', sa.String(length=200), nullable=True),
    sa.Column('created_at', participation.core.models.UTCDateTime(), nullable=False),
    sa.CheckConstraint("default_language IN ('cs', 'pl', 'en')", name=op.f('ck_core_municipality_default_language')),
    sa.CheckConstraint('length(currency) = 3', name=op.f('ck_core_municipality_currency_code')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_core_municipality')),
    sa.UniqueConstraint('slug', name=op.f('uq_core_municipality_slug'))
    )
    op.create_table('core_user',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('language', sa.String(length=5), nullable=True),
    sa.Column('email_confirmed_at', participation.core.models.UTCDateTime(), nullable=True),
    sa.Column('is_platform_admin', sa.Boolean(), nullable=False),
    sa.Column('session_version', sa.Integer(), nullable=False),
    sa.Column('notify_status_changes', sa.Boolean(), nullable=False),
    sa.Column('notify_replies', sa.Boolean(), nullable=False),
    sa.Column('notify_news', sa.Boolean(), nullable=False),
    sa.Column('created_at', participation.core.models.UTCDateTime(), nullable=False),
    sa.Column('last_login_at', participation.core.models.UTCDateTime(), nullable=True),
    sa.Column('deleted_at', participation.core.models.UTCDateTime(), nullable=True),
    sa.CheckConstraint("language IN ('cs', 'pl', 'en')", name=op.f('ck_core_user_language')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_core_user')),
    sa.UniqueConstraint('email', name=op.f('uq_core_user_email'))
    )
    op.create_table('core_role_grant',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Enum('admin', 'coordinator', 'moderator', 'reviewer', 'resident', name='core_role', native_enum=False, length=16), nullable=False),
    sa.Column('granted_at', participation.core.models.UTCDateTime(), nullable=False),
    sa.Column('granted_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['granted_by_id'], ['core_user.id'], name=op.f('fk_core_role_grant_granted_by_id_core_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['municipality_id'], ['core_municipality.id'], name=op.f('fk_core_role_grant_municipality_id_core_municipality'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['core_user.id'], name=op.f('fk_core_role_grant_user_id_core_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_core_role_grant')),
    sa.UniqueConstraint('user_id', 'municipality_id', 'role', name=op.f('uq_core_role_grant_user_id_municipality_id_role'))
    )
    with op.batch_alter_table('core_role_grant', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_core_role_grant_municipality_id'), ['municipality_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_core_role_grant_user_id'), ['user_id'], unique=False)

    op.create_table('maps_district',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('code', sa.String(length=50), nullable=True),
    sa.Column('boundary', participation.maps.types.Geometry('MULTIPOLYGON', srid=4326), nullable=False),
    sa.Column('population', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['municipality_id'], ['core_municipality.id'], name=op.f('fk_maps_district_municipality_id_core_municipality'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_maps_district')),
    sa.UniqueConstraint('municipality_id', 'name', name=op.f('uq_maps_district_municipality_id_name'))
    )
    with op.batch_alter_table('maps_district', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_maps_district_municipality_id'), ['municipality_id'], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.create_index(
            "ix_maps_district_boundary_gist", "maps_district", ["boundary"], postgresql_using="gist"
        )


def downgrade():
    with op.batch_alter_table('maps_district', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_maps_district_municipality_id'))

    op.drop_table('maps_district')
    with op.batch_alter_table('core_role_grant', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_core_role_grant_user_id'))
        batch_op.drop_index(batch_op.f('ix_core_role_grant_municipality_id'))

    op.drop_table('core_role_grant')
    op.drop_table('core_user')
    op.drop_table('core_municipality')
