"""budget and resident register

Revision ID: 13a1c9877c6c
Revises: 1b7df4df9b8b
Create Date: 2026-11-23 13:59:35.375389

"""
import sqlalchemy as sa
from alembic import op

import participation.core.models
import participation.maps.types



# revision identifiers, used by Alembic.
revision = '13a1c9877c6c'
down_revision = '1b7df4df9b8b'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('core_register_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.Column('id_hash', sa.String(length=64), nullable=False),
    sa.Column('district_code', sa.String(length=40), nullable=True),
    sa.Column('birth_year', sa.Integer(), nullable=True),
    sa.Column('imported_at', participation.core.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['municipality_id'], ['core_municipality.id'], name=op.f('fk_core_register_entry_municipality_id_core_municipality'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_core_register_entry')),
    sa.UniqueConstraint('municipality_id', 'id_hash', name=op.f('uq_core_register_entry_municipality_id_id_hash'))
    )
    with op.batch_alter_table('core_register_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_core_register_entry_municipality_id'), ['municipality_id'], unique=False)

    op.create_table('core_voting_code',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.Column('scope', sa.String(length=60), nullable=False),
    sa.Column('batch', sa.String(length=60), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=True),
    sa.Column('district_code', sa.String(length=40), nullable=True),
    sa.Column('created_at', participation.core.models.UTCDateTime(), nullable=False),
    sa.Column('printed_at', participation.core.models.UTCDateTime(), nullable=True),
    sa.Column('used_at', participation.core.models.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['municipality_id'], ['core_municipality.id'], name=op.f('fk_core_voting_code_municipality_id_core_municipality'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_core_voting_code')),
    sa.UniqueConstraint('municipality_id', 'code_hash', name=op.f('uq_core_voting_code_municipality_id_code_hash'))
    )
    with op.batch_alter_table('core_voting_code', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_core_voting_code_municipality_id'), ['municipality_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_core_voting_code_scope'), ['scope'], unique=False)

    op.create_table('budget_cycle',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('idea_call_id', sa.Integer(), nullable=True),
    sa.Column('review_until', participation.core.models.UTCDateTime(), nullable=True),
    sa.Column('voting_opens_at', participation.core.models.UTCDateTime(), nullable=False),
    sa.Column('voting_closes_at', participation.core.models.UTCDateTime(), nullable=False),
    sa.Column('results_published_at', participation.core.models.UTCDateTime(), nullable=True),
    sa.Column('published_at', participation.core.models.UTCDateTime(), nullable=True),
    sa.Column('min_age', sa.Integer(), nullable=False),
    sa.Column('residence', sa.Enum('district', 'municipality', name='budget_residence', native_enum=False, length=20), nullable=False),
    sa.Column('pool_access', sa.Enum('own_district', 'any', name='budget_pool_access', native_enum=False, length=20), nullable=False),
    sa.Column('verification', sa.Enum('email', 'code', 'register', name='budget_verification', native_enum=False, length=20), nullable=False),
    sa.Column('expenditure', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('created_at', participation.core.models.UTCDateTime(), nullable=False),
    sa.CheckConstraint('min_age >= 0 AND min_age <= 120', name=op.f('ck_budget_cycle_min_age_range')),
    sa.CheckConstraint('voting_closes_at > voting_opens_at', name=op.f('ck_budget_cycle_voting_closes_after_opening')),
    sa.ForeignKeyConstraint(['idea_call_id'], ['ideas_call.id'], name=op.f('fk_budget_cycle_idea_call_id_ideas_call'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['municipality_id'], ['core_municipality.id'], name=op.f('fk_budget_cycle_municipality_id_core_municipality'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_budget_cycle'))
    )
    with op.batch_alter_table('budget_cycle', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_budget_cycle_municipality_id'), ['municipality_id'], unique=False)

    op.create_table('budget_audit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=60), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.Column('at', participation.core.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['core_user.id'], name=op.f('fk_budget_audit_actor_id_core_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['cycle_id'], ['budget_cycle.id'], name=op.f('fk_budget_audit_cycle_id_budget_cycle'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_budget_audit'))
    )
    with op.batch_alter_table('budget_audit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_budget_audit_cycle_id'), ['cycle_id'], unique=False)

    op.create_table('budget_category',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['cycle_id'], ['budget_cycle.id'], name=op.f('fk_budget_category_cycle_id_budget_cycle'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_budget_category')),
    sa.UniqueConstraint('cycle_id', 'name', name=op.f('uq_budget_category_cycle_id_name'))
    )
    op.create_table('budget_pool',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('district_id', sa.Integer(), nullable=True),
    sa.Column('amount', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('method', sa.Enum('approval', 'k_approval', 'points', 'd21', name='budget_method', native_enum=False, length=20), nullable=False),
    sa.Column('rule', sa.Enum('greedy', 'mes', 'mes-add1', name='budget_rule', native_enum=False, length=20), nullable=False),
    sa.Column('max_projects', sa.Integer(), nullable=True),
    sa.Column('min_share', sa.Integer(), nullable=True),
    sa.Column('k', sa.Integer(), nullable=True),
    sa.Column('points', sa.Integer(), nullable=True),
    sa.Column('points_cap', sa.Integer(), nullable=True),
    sa.Column('plus_votes', sa.Integer(), nullable=True),
    sa.Column('minus_votes', sa.Integer(), nullable=True),
    sa.Column('changeable', sa.Boolean(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.CheckConstraint('amount > 0', name=op.f('ck_budget_pool_amount_positive')),
    sa.CheckConstraint('k IS NULL OR k > 0', name=op.f('ck_budget_pool_k_positive')),
    sa.CheckConstraint('length(currency) = 3', name=op.f('ck_budget_pool_currency_code')),
    sa.CheckConstraint('max_projects IS NULL OR max_projects > 0', name=op.f('ck_budget_pool_max_projects_positive')),
    sa.CheckConstraint('min_share IS NULL OR (min_share > 0 AND min_share <= 100)', name=op.f('ck_budget_pool_min_share_range')),
    sa.CheckConstraint('minus_votes IS NULL OR (minus_votes >= 0 AND 2 * minus_votes <= plus_votes)', name=op.f('ck_budget_pool_minus_votes_at_most_half')),
    sa.CheckConstraint('plus_votes IS NULL OR plus_votes > 0', name=op.f('ck_budget_pool_plus_votes_positive')),
    sa.CheckConstraint('points IS NULL OR points > 0', name=op.f('ck_budget_pool_points_positive')),
    sa.CheckConstraint('points_cap IS NULL OR points_cap > 0', name=op.f('ck_budget_pool_points_cap_positive')),
    sa.ForeignKeyConstraint(['cycle_id'], ['budget_cycle.id'], name=op.f('fk_budget_pool_cycle_id_budget_cycle'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['district_id'], ['maps_district.id'], name=op.f('fk_budget_pool_district_id_maps_district'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_budget_pool'))
    )
    with op.batch_alter_table('budget_pool', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_budget_pool_cycle_id'), ['cycle_id'], unique=False)

    op.create_table('budget_ballot',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('pool_id', sa.Integer(), nullable=False),
    sa.Column('receipt_hash', sa.String(length=64), nullable=False),
    sa.Column('channel', sa.Enum('online', 'paper', name='budget_channel', native_enum=False, length=10), nullable=False),
    sa.ForeignKeyConstraint(['pool_id'], ['budget_pool.id'], name=op.f('fk_budget_ballot_pool_id_budget_pool'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_budget_ballot')),
    sa.UniqueConstraint('receipt_hash', name=op.f('uq_budget_ballot_receipt_hash'))
    )
    with op.batch_alter_table('budget_ballot', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_budget_ballot_pool_id'), ['pool_id'], unique=False)

    op.create_table('budget_project',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('pool_id', sa.Integer(), nullable=False),
    sa.Column('idea_id', sa.Integer(), nullable=True),
    sa.Column('category_id', sa.Integer(), nullable=True),
    sa.Column('external_id', sa.String(length=60), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('cost', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('cost_note', sa.Text(), nullable=False),
    sa.Column('implementation', sa.Enum('planned', 'in_preparation', 'in_progress', 'done', 'cancelled', name='budget_implementation', native_enum=False, length=20), nullable=False),
    sa.Column('progress', sa.Integer(), nullable=False),
    sa.Column('implementation_note', sa.Text(), nullable=False),
    sa.Column('created_at', participation.core.models.UTCDateTime(), nullable=False),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.Column('address', sa.String(length=300), nullable=True),
    sa.Column('district_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('cost > 0', name=op.f('ck_budget_project_cost_positive')),
    sa.CheckConstraint('progress >= 0 AND progress <= 100', name=op.f('ck_budget_project_progress_range')),
    sa.ForeignKeyConstraint(['category_id'], ['budget_category.id'], name=op.f('fk_budget_project_category_id_budget_category'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['cycle_id'], ['budget_cycle.id'], name=op.f('fk_budget_project_cycle_id_budget_cycle'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['district_id'], ['maps_district.id'], name=op.f('fk_budget_project_district_id_maps_district'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['idea_id'], ['ideas_idea.id'], name=op.f('fk_budget_project_idea_id_ideas_idea'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['municipality_id'], ['core_municipality.id'], name=op.f('fk_budget_project_municipality_id_core_municipality'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['pool_id'], ['budget_pool.id'], name=op.f('fk_budget_project_pool_id_budget_pool'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_budget_project')),
    sa.UniqueConstraint('cycle_id', 'idea_id', name=op.f('uq_budget_project_cycle_id_idea_id'))
    )
    with op.batch_alter_table('budget_project', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_budget_project_cycle_id'), ['cycle_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_budget_project_district_id'), ['district_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_budget_project_lat'), ['lat'], unique=False)
        batch_op.create_index(batch_op.f('ix_budget_project_lon'), ['lon'], unique=False)
        batch_op.create_index(batch_op.f('ix_budget_project_municipality_id'), ['municipality_id'], unique=False)
        batch_op.create_index('ix_budget_project_pool', ['pool_id', 'title'], unique=False)

    op.create_table('budget_voter',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pool_id', sa.Integer(), nullable=False),
    sa.Column('voter_key', sa.String(length=80), nullable=False),
    sa.Column('channel', sa.Enum('online', 'paper', name='budget_channel', native_enum=False, length=10), nullable=False),
    sa.Column('district_id', sa.Integer(), nullable=True),
    sa.Column('voted_at', participation.core.models.UTCDateTime(), nullable=False),
    sa.Column('entered_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['district_id'], ['maps_district.id'], name=op.f('fk_budget_voter_district_id_maps_district'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['entered_by_id'], ['core_user.id'], name=op.f('fk_budget_voter_entered_by_id_core_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['pool_id'], ['budget_pool.id'], name=op.f('fk_budget_voter_pool_id_budget_pool'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_budget_voter')),
    sa.UniqueConstraint('pool_id', 'voter_key', name=op.f('uq_budget_voter_pool_id_voter_key'))
    )
    with op.batch_alter_table('budget_voter', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_budget_voter_pool_id'), ['pool_id'], unique=False)

    op.create_table('budget_ballot_line',
    sa.Column('ballot_id', sa.String(length=32), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.CheckConstraint('value <> 0', name=op.f('ck_budget_ballot_line_value_not_zero')),
    sa.ForeignKeyConstraint(['ballot_id'], ['budget_ballot.id'], name=op.f('fk_budget_ballot_line_ballot_id_budget_ballot'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['project_id'], ['budget_project.id'], name=op.f('fk_budget_ballot_line_project_id_budget_project'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('ballot_id', 'project_id', name=op.f('pk_budget_ballot_line'))
    )
    with op.batch_alter_table('budget_ballot_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_budget_ballot_line_project_id'), ['project_id'], unique=False)

    op.create_table('budget_milestone',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('due', sa.Date(), nullable=True),
    sa.Column('done_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['project_id'], ['budget_project.id'], name=op.f('fk_budget_milestone_project_id_budget_project'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_budget_milestone'))
    )
    with op.batch_alter_table('budget_milestone', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_budget_milestone_project_id'), ['project_id'], unique=False)

    op.create_table('budget_pool_result',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pool_id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('selected', sa.Boolean(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=True),
    sa.Column('explanation', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['pool_id'], ['budget_pool.id'], name=op.f('fk_budget_pool_result_pool_id_budget_pool'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['project_id'], ['budget_project.id'], name=op.f('fk_budget_pool_result_project_id_budget_project'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_budget_pool_result')),
    sa.UniqueConstraint('pool_id', 'project_id', name=op.f('uq_budget_pool_result_pool_id_project_id'))
    )
    with op.batch_alter_table('budget_pool_result', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_budget_pool_result_pool_id'), ['pool_id'], unique=False)

    op.create_table('budget_project_image',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=100), nullable=False),
    sa.Column('thumbnail', sa.String(length=100), nullable=False),
    sa.Column('alt', sa.String(length=200), nullable=False),
    sa.Column('implementation', sa.Boolean(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['budget_project.id'], name=op.f('fk_budget_project_image_project_id_budget_project'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_budget_project_image'))
    )
    with op.batch_alter_table('budget_project_image', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_budget_project_image_project_id'), ['project_id'], unique=False)

    with op.batch_alter_table('core_municipality', schema=None) as batch_op:
        batch_op.add_column(sa.Column('register_key', sa.String(length=64), nullable=True))



def downgrade():
    with op.batch_alter_table('core_municipality', schema=None) as batch_op:
        batch_op.drop_column('register_key')

    with op.batch_alter_table('budget_project_image', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_budget_project_image_project_id'))

    op.drop_table('budget_project_image')
    with op.batch_alter_table('budget_pool_result', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_budget_pool_result_pool_id'))

    op.drop_table('budget_pool_result')
    with op.batch_alter_table('budget_milestone', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_budget_milestone_project_id'))

    op.drop_table('budget_milestone')
    with op.batch_alter_table('budget_ballot_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_budget_ballot_line_project_id'))

    op.drop_table('budget_ballot_line')
    with op.batch_alter_table('budget_voter', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_budget_voter_pool_id'))

    op.drop_table('budget_voter')
    with op.batch_alter_table('budget_project', schema=None) as batch_op:
        batch_op.drop_index('ix_budget_project_pool')
        batch_op.drop_index(batch_op.f('ix_budget_project_lon'))
        batch_op.drop_index(batch_op.f('ix_budget_project_lat'))
        batch_op.drop_index(batch_op.f('ix_budget_project_district_id'))
        batch_op.drop_index(batch_op.f('ix_budget_project_cycle_id'))

    op.drop_table('budget_project')
    with op.batch_alter_table('budget_ballot', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_budget_ballot_pool_id'))

    op.drop_table('budget_ballot')
    with op.batch_alter_table('budget_pool', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_budget_pool_cycle_id'))

    op.drop_table('budget_pool')
    op.drop_table('budget_category')
    with op.batch_alter_table('budget_audit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_budget_audit_cycle_id'))

    op.drop_table('budget_audit')
    with op.batch_alter_table('budget_cycle', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_budget_cycle_municipality_id'))

    op.drop_table('budget_cycle')
    with op.batch_alter_table('core_voting_code', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_core_voting_code_scope'))
        batch_op.drop_index(batch_op.f('ix_core_voting_code_municipality_id'))

    op.drop_table('core_voting_code')
    with op.batch_alter_table('core_register_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_core_register_entry_municipality_id'))

    op.drop_table('core_register_entry')
