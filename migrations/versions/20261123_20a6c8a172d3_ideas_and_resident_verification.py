"""ideas and resident verification

Revision ID: 20a6c8a172d3
Revises: 0c790aec4a19
Create Date: 2026-11-23 11:53:40.756549

"""
import sqlalchemy as sa
from alembic import op

import participation.core.models

# revision identifiers, used by Alembic.
revision = '20a6c8a172d3'
down_revision = '0c790aec4a19'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('core_resident_verification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.Column('method', sa.String(length=30), nullable=False),
    sa.Column('verified_at', participation.core.models.UTCDateTime(), nullable=False),
    sa.Column('verified_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['municipality_id'], ['core_municipality.id'], name=op.f('fk_core_resident_verification_municipality_id_core_municipality'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['core_user.id'], name=op.f('fk_core_resident_verification_user_id_core_user'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['verified_by_id'], ['core_user.id'], name=op.f('fk_core_resident_verification_verified_by_id_core_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_core_resident_verification')),
    sa.UniqueConstraint('user_id', 'municipality_id', name=op.f('uq_core_resident_verification_user_id_municipality_id'))
    )
    with op.batch_alter_table('core_resident_verification', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_core_resident_verification_municipality_id'), ['municipality_id'], unique=False)

    op.create_table('ideas_call',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('opens_at', participation.core.models.UTCDateTime(), nullable=False),
    sa.Column('closes_at', participation.core.models.UTCDateTime(), nullable=False),
    sa.Column('submitters', sa.Enum('any_account', 'confirmed_email', 'verified_resident', name='ideas_submitters', native_enum=False, length=20), nullable=False),
    sa.Column('max_ideas_per_person', sa.Integer(), nullable=True),
    sa.Column('location_required', sa.Boolean(), nullable=False),
    sa.Column('support_threshold', sa.Integer(), nullable=True),
    sa.Column('support_deadline', participation.core.models.UTCDateTime(), nullable=True),
    sa.Column('max_images', sa.Integer(), nullable=False),
    sa.Column('appeal_days', sa.Integer(), nullable=False),
    sa.Column('duplicate_distance_m', sa.Integer(), nullable=False),
    sa.Column('created_at', participation.core.models.UTCDateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('appeal_days >= 0', name=op.f('ck_ideas_call_appeal_days_not_negative')),
    sa.CheckConstraint('closes_at > opens_at', name=op.f('ck_ideas_call_closes_after_opening')),
    sa.CheckConstraint('max_ideas_per_person IS NULL OR max_ideas_per_person > 0', name=op.f('ck_ideas_call_max_ideas_positive')),
    sa.CheckConstraint('max_images >= 0 AND max_images <= 10', name=op.f('ck_ideas_call_max_images_range')),
    sa.CheckConstraint('support_threshold IS NULL OR support_threshold > 0', name=op.f('ck_ideas_call_threshold_positive')),
    sa.ForeignKeyConstraint(['created_by_id'], ['core_user.id'], name=op.f('fk_ideas_call_created_by_id_core_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['municipality_id'], ['core_municipality.id'], name=op.f('fk_ideas_call_municipality_id_core_municipality'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ideas_call'))
    )
    with op.batch_alter_table('ideas_call', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ideas_call_municipality_id'), ['municipality_id'], unique=False)

    op.create_table('ideas_call_district',
    sa.Column('call_id', sa.Integer(), nullable=False),
    sa.Column('district_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['call_id'], ['ideas_call.id'], name=op.f('fk_ideas_call_district_call_id_ideas_call'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['district_id'], ['maps_district.id'], name=op.f('fk_ideas_call_district_district_id_maps_district'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('call_id', 'district_id', name=op.f('pk_ideas_call_district'))
    )
    op.create_table('ideas_category',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['call_id'], ['ideas_call.id'], name=op.f('fk_ideas_category_call_id_ideas_call'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ideas_category')),
    sa.UniqueConstraint('call_id', 'name', name=op.f('uq_ideas_category_call_id_name'))
    )
    with op.batch_alter_table('ideas_category', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ideas_category_call_id'), ['call_id'], unique=False)

    op.create_table('ideas_idea',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('category_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'collecting', 'under_review', 'accepted', 'rejected', 'merged', 'appealed', 'expired', name='ideas_status', native_enum=False, length=20), nullable=False),
    sa.Column('support_count', sa.Integer(), nullable=False),
    sa.Column('hidden_reason', sa.Text(), nullable=True),
    sa.Column('hidden_at', participation.core.models.UTCDateTime(), nullable=True),
    sa.Column('merged_into_id', sa.Integer(), nullable=True),
    sa.Column('created_at', participation.core.models.UTCDateTime(), nullable=False),
    sa.Column('submitted_at', participation.core.models.UTCDateTime(), nullable=True),
    sa.Column('decided_at', participation.core.models.UTCDateTime(), nullable=True),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.Column('address', sa.String(length=300), nullable=True),
    sa.Column('district_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('support_count >= 0', name=op.f('ck_ideas_idea_support_count_not_negative')),
    sa.ForeignKeyConstraint(['author_id'], ['core_user.id'], name=op.f('fk_ideas_idea_author_id_core_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['call_id'], ['ideas_call.id'], name=op.f('fk_ideas_idea_call_id_ideas_call'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['category_id'], ['ideas_category.id'], name=op.f('fk_ideas_idea_category_id_ideas_category'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['district_id'], ['maps_district.id'], name=op.f('fk_ideas_idea_district_id_maps_district'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['merged_into_id'], ['ideas_idea.id'], name=op.f('fk_ideas_idea_merged_into_id_ideas_idea'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['municipality_id'], ['core_municipality.id'], name=op.f('fk_ideas_idea_municipality_id_core_municipality'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ideas_idea'))
    )
    with op.batch_alter_table('ideas_idea', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ideas_idea_author_id'), ['author_id'], unique=False)
        batch_op.create_index('ix_ideas_idea_call_status', ['call_id', 'status'], unique=False)
        batch_op.create_index('ix_ideas_idea_call_submitted', ['call_id', 'submitted_at', 'id'], unique=False)
        batch_op.create_index('ix_ideas_idea_call_support', ['call_id', 'support_count', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ideas_idea_district_id'), ['district_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ideas_idea_lat'), ['lat'], unique=False)
        batch_op.create_index(batch_op.f('ix_ideas_idea_lon'), ['lon'], unique=False)
        batch_op.create_index(batch_op.f('ix_ideas_idea_municipality_id'), ['municipality_id'], unique=False)

    op.create_table('ideas_appeal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('idea_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', participation.core.models.UTCDateTime(), nullable=False),
    sa.Column('decided_at', participation.core.models.UTCDateTime(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('upheld', sa.Boolean(), nullable=True),
    sa.Column('decision', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['decided_by_id'], ['core_user.id'], name=op.f('fk_ideas_appeal_decided_by_id_core_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['idea_id'], ['ideas_idea.id'], name=op.f('fk_ideas_appeal_idea_id_ideas_idea'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ideas_appeal')),
    sa.UniqueConstraint('idea_id', name=op.f('uq_ideas_appeal_idea_id'))
    )
    op.create_table('ideas_comment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('idea_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', participation.core.models.UTCDateTime(), nullable=False),
    sa.Column('edited_at', participation.core.models.UTCDateTime(), nullable=True),
    sa.Column('hidden_reason', sa.Text(), nullable=True),
    sa.Column('hidden_at', participation.core.models.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['author_id'], ['core_user.id'], name=op.f('fk_ideas_comment_author_id_core_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['idea_id'], ['ideas_idea.id'], name=op.f('fk_ideas_comment_idea_id_ideas_idea'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['parent_id'], ['ideas_comment.id'], name=op.f('fk_ideas_comment_parent_id_ideas_comment'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ideas_comment'))
    )
    with op.batch_alter_table('ideas_comment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ideas_comment_author_id'), ['author_id'], unique=False)
        batch_op.create_index('ix_ideas_comment_idea_created', ['idea_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_ideas_comment_parent_id'), ['parent_id'], unique=False)

    op.create_table('ideas_follow',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('idea_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['idea_id'], ['ideas_idea.id'], name=op.f('fk_ideas_follow_idea_id_ideas_idea'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['core_user.id'], name=op.f('fk_ideas_follow_user_id_core_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ideas_follow')),
    sa.UniqueConstraint('idea_id', 'user_id', name=op.f('uq_ideas_follow_idea_id_user_id'))
    )
    with op.batch_alter_table('ideas_follow', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ideas_follow_user_id'), ['user_id'], unique=False)

    op.create_table('ideas_image',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('idea_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=100), nullable=False),
    sa.Column('thumbnail', sa.String(length=100), nullable=False),
    sa.Column('alt', sa.String(length=200), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['idea_id'], ['ideas_idea.id'], name=op.f('fk_ideas_image_idea_id_ideas_idea'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ideas_image'))
    )
    with op.batch_alter_table('ideas_image', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ideas_image_idea_id'), ['idea_id'], unique=False)

    op.create_table('ideas_review',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('idea_id', sa.Integer(), nullable=False),
    sa.Column('reviewer_id', sa.Integer(), nullable=True),
    sa.Column('legal', sa.Boolean(), nullable=False),
    sa.Column('feasible', sa.Boolean(), nullable=False),
    sa.Column('cost_estimate', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('justification', sa.Text(), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('created_at', participation.core.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['idea_id'], ['ideas_idea.id'], name=op.f('fk_ideas_review_idea_id_ideas_idea'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reviewer_id'], ['core_user.id'], name=op.f('fk_ideas_review_reviewer_id_core_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ideas_review'))
    )
    with op.batch_alter_table('ideas_review', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ideas_review_idea_id'), ['idea_id'], unique=False)

    op.create_table('ideas_status_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('idea_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=30), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('at', participation.core.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['core_user.id'], name=op.f('fk_ideas_status_event_actor_id_core_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['idea_id'], ['ideas_idea.id'], name=op.f('fk_ideas_status_event_idea_id_ideas_idea'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ideas_status_event'))
    )
    with op.batch_alter_table('ideas_status_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ideas_status_event_idea_id'), ['idea_id'], unique=False)

    op.create_table('ideas_support',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('idea_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', participation.core.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['idea_id'], ['ideas_idea.id'], name=op.f('fk_ideas_support_idea_id_ideas_idea'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['core_user.id'], name=op.f('fk_ideas_support_user_id_core_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ideas_support')),
    sa.UniqueConstraint('idea_id', 'user_id', name=op.f('uq_ideas_support_idea_id_user_id'))
    )
    with op.batch_alter_table('ideas_support', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ideas_support_user_id'), ['user_id'], unique=False)

    op.create_table('ideas_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.Column('idea_id', sa.Integer(), nullable=True),
    sa.Column('comment_id', sa.Integer(), nullable=True),
    sa.Column('reporter_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_at', participation.core.models.UTCDateTime(), nullable=False),
    sa.Column('resolved_at', participation.core.models.UTCDateTime(), nullable=True),
    sa.Column('resolution', sa.String(length=20), nullable=True),
    sa.CheckConstraint('(idea_id IS NULL) <> (comment_id IS NULL)', name=op.f('ck_ideas_report_one_target')),
    sa.ForeignKeyConstraint(['comment_id'], ['ideas_comment.id'], name=op.f('fk_ideas_report_comment_id_ideas_comment'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['idea_id'], ['ideas_idea.id'], name=op.f('fk_ideas_report_idea_id_ideas_idea'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['municipality_id'], ['core_municipality.id'], name=op.f('fk_ideas_report_municipality_id_core_municipality'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reporter_id'], ['core_user.id'], name=op.f('fk_ideas_report_reporter_id_core_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ideas_report'))
    )
    with op.batch_alter_table('ideas_report', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ideas_report_municipality_id'), ['municipality_id'], unique=False)

    if op.get_bind().dialect.name == "postgresql":
        # Full-text search of ideas; the expression must match ideas.models.SEARCH_DOCUMENT.
        op.execute(
            "CREATE INDEX ix_ideas_idea_search ON ideas_idea USING gin "
            "(to_tsvector('simple', coalesce(title, '') || ' ' || coalesce(description, '')))"
        )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_ideas_idea_search")
    with op.batch_alter_table('ideas_report', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ideas_report_municipality_id'))

    op.drop_table('ideas_report')
    with op.batch_alter_table('ideas_support', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ideas_support_user_id'))

    op.drop_table('ideas_support')
    with op.batch_alter_table('ideas_status_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ideas_status_event_idea_id'))

    op.drop_table('ideas_status_event')
    with op.batch_alter_table('ideas_review', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ideas_review_idea_id'))

    op.drop_table('ideas_review')
    with op.batch_alter_table('ideas_image', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ideas_image_idea_id'))

    op.drop_table('ideas_image')
    with op.batch_alter_table('ideas_follow', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ideas_follow_user_id'))

    op.drop_table('ideas_follow')
    with op.batch_alter_table('ideas_comment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ideas_comment_parent_id'))
        batch_op.drop_index('ix_ideas_comment_idea_created')
        batch_op.drop_index(batch_op.f('ix_ideas_comment_author_id'))

    op.drop_table('ideas_comment')
    op.drop_table('ideas_appeal')
    with op.batch_alter_table('ideas_idea', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ideas_idea_municipality_id'))
        batch_op.drop_index(batch_op.f('ix_ideas_idea_lon'))
        batch_op.drop_index(batch_op.f('ix_ideas_idea_lat'))
        batch_op.drop_index(batch_op.f('ix_ideas_idea_district_id'))
        batch_op.drop_index('ix_ideas_idea_call_support')
        batch_op.drop_index('ix_ideas_idea_call_submitted')
        batch_op.drop_index('ix_ideas_idea_call_status')
        batch_op.drop_index(batch_op.f('ix_ideas_idea_author_id'))

    op.drop_table('ideas_idea')
    with op.batch_alter_table('ideas_category', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ideas_category_call_id'))

    op.drop_table('ideas_category')
    op.drop_table('ideas_call_district')
    with op.batch_alter_table('ideas_call', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ideas_call_municipality_id'))

    op.drop_table('ideas_call')
    with op.batch_alter_table('core_resident_verification', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_core_resident_verification_municipality_id'))

    op.drop_table('core_resident_verification')
