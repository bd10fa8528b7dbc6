"""budget district choice

Under one-district voting, the district of each voter's first ballot in a district pool,
unique per (cycle, voter key). Not backfilled: the service also asks the roll, which holds
every earlier ballot.

Revision ID: 346855fbb35c
Revises: 13a1c9877c6c
Create Date: 2026-11-23 17:57:49.122659

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '346855fbb35c'
down_revision = '13a1c9877c6c'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('budget_district_choice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('voter_key', sa.String(length=80), nullable=False),
    sa.Column('district_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['cycle_id'], ['budget_cycle.id'], name=op.f('fk_budget_district_choice_cycle_id_budget_cycle'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['district_id'], ['maps_district.id'], name=op.f('fk_budget_district_choice_district_id_maps_district'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_budget_district_choice')),
    sa.UniqueConstraint('cycle_id', 'voter_key', name=op.f('uq_budget_district_choice_cycle_id_voter_key'))
    )


def downgrade():
    op.drop_table('budget_district_choice')
