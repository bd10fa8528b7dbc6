"""budget voter: no index of its own on pool_id

The unique (pool_id, voter_key) leads with pool_id and serves every lookup by pool; the
second index only cost each cast one more index entry.

Revision ID: 8a1a70bd09cc
Revises: 346855fbb35c
Create Date: 2026-11-23 19:07:42.893971

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '8a1a70bd09cc'
down_revision = '346855fbb35c'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('budget_voter', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_budget_voter_pool_id'))


def downgrade():
    with op.batch_alter_table('budget_voter', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_budget_voter_pool_id'), ['pool_id'], unique=False)
