"""consultations

Revision ID: 1b7df4df9b8b
Revises: 20a6c8a172d3
Create Date: 2026-11-23 13:52:31.612121

"""
import sqlalchemy as sa
from alembic import op

import participation.core.models
import participation.maps.types



# revision identifiers, used by Alembic.
revision = '1b7df4df9b8b'
down_revision = '20a6c8a172d3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('consultations_consultation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('decision', sa.Text(), nullable=False),
    sa.Column('decision_maker', sa.String(length=200), nullable=False),
    sa.Column('area_kind', sa.Enum('whole', 'districts', 'drawn', name='consultations_area', native_enum=False, length=20), nullable=False),
    sa.Column('area', participation.maps.types.Geometry('MULTIPOLYGON', srid=4326), nullable=True),
    sa.Column('opens_at', participation.core.models.UTCDateTime(), nullable=False),
    sa.Column('closes_at', participation.core.models.UTCDateTime(), nullable=False),
    sa.Column('published_at', participation.core.models.UTCDateTime(), nullable=True),
    sa.Column('report_published_at', participation.core.models.UTCDateTime(), nullable=True),
    sa.Column('report_intro', sa.Text(), nullable=False),
    sa.Column('has_survey', sa.Boolean(), nullable=False),
    sa.Column('has_draft', sa.Boolean(), nullable=False),
    sa.Column('open_comments', sa.Boolean(), nullable=False),
    sa.Column('anonymous_responses', sa.Boolean(), nullable=False),
    sa.Column('show_comments', sa.Boolean(), nullable=False),
    sa.Column('ask_demographics', sa.Boolean(), nullable=False),
    sa.Column('draft_title', sa.String(length=200), nullable=False),
    sa.Column('contact_name', sa.String(length=200), nullable=False),
    sa.Column('contact_email', sa.String(length=254), nullable=True),
    sa.Column('contact_phone', sa.String(length=40), nullable=True),
    sa.Column('opening_notice_sent_at', participation.core.models.UTCDateTime(), nullable=True),
    sa.Column('closing_notice_sent_at', participation.core.models.UTCDateTime(), nullable=True),
    sa.Column('created_at', participation.core.models.UTCDateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('closes_at > opens_at', name=op.f('ck_consultations_consultation_closes_after_opening')),
    sa.ForeignKeyConstraint(['created_by_id'], ['core_user.id'], name=op.f('fk_consultations_consultation_created_by_id_core_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['municipality_id'], ['core_municipality.id'], name=op.f('fk_consultations_consultation_municipality_id_core_municipality'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consultations_consultation'))
    )
    with op.batch_alter_table('consultations_consultation', schema=None) as batch_op:
        batch_op.create_index('ix_consultations_consultation_municipality_dates', ['municipality_id', 'opens_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_consultations_consultation_municipality_id'), ['municipality_id'], unique=False)

    op.create_table('consultations_consultation_district',
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('district_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultations_consultation.id'], name=op.f('fk_consultations_consultation_district_consultation_id_consultations_consultation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['district_id'], ['maps_district.id'], name=op.f('fk_consultations_consultation_district_district_id_maps_district'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('consultation_id', 'district_id', name=op.f('pk_consultations_consultation_district'))
    )
    op.create_table('consultations_demographic',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('age_band', sa.Enum('0-17', '18-29', '30-44', '45-59', '60-74', '75+', name='consultations_age_band', native_enum=False, length=8), nullable=True),
    sa.Column('gender', sa.Enum('woman', 'man', 'other', name='consultations_gender', native_enum=False, length=8), nullable=True),
    sa.Column('district_id', sa.Integer(), nullable=True),
    sa.Column('language', sa.String(length=5), nullable=True),
    sa.Column('foreigner', sa.Enum('no', 'yes', name='consultations_foreigner', native_enum=False, length=4), nullable=True),
    sa.Column('channel', sa.Enum('online', 'paper', name='consultations_channel', native_enum=False, length=10), nullable=False),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultations_consultation.id'], name=op.f('fk_consultations_demographic_consultation_id_consultations_consultation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['district_id'], ['maps_district.id'], name=op.f('fk_consultations_demographic_district_id_maps_district'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consultations_demographic'))
    )
    with op.batch_alter_table('consultations_demographic', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consultations_demographic_consultation_id'), ['consultation_id'], unique=False)

    op.create_table('consultations_document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('filename', sa.String(length=100), nullable=False),
    sa.Column('original_name', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('uploaded_at', participation.core.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultations_consultation.id'], name=op.f('fk_consultations_document_consultation_id_consultations_consultation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consultations_document'))
    )
    with op.batch_alter_table('consultations_document', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consultations_document_consultation_id'), ['consultation_id'], unique=False)

    op.create_table('consultations_draft_section',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultations_consultation.id'], name=op.f('fk_consultations_draft_section_consultation_id_consultations_consultation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consultations_draft_section'))
    )
    with op.batch_alter_table('consultations_draft_section', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consultations_draft_section_consultation_id'), ['consultation_id'], unique=False)

    op.create_table('consultations_follow',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultations_consultation.id'], name=op.f('fk_consultations_follow_consultation_id_consultations_consultation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['municipality_id'], ['core_municipality.id'], name=op.f('fk_consultations_follow_municipality_id_core_municipality'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['core_user.id'], name=op.f('fk_consultations_follow_user_id_core_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consultations_follow')),
    sa.UniqueConstraint('user_id', 'municipality_id', 'consultation_id', name=op.f('uq_consultations_follow_user_id_municipality_id_consultation_id'))
    )
    with op.batch_alter_table('consultations_follow', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consultations_follow_consultation_id'), ['consultation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_consultations_follow_municipality_id'), ['municipality_id'], unique=False)
        batch_op.create_index('ux_consultations_follow_all', ['user_id', 'municipality_id'], unique=True, sqlite_where=sa.text('consultation_id IS NULL'), postgresql_where=sa.text('consultation_id IS NULL'))

    op.create_table('consultations_response',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('respondent_id', sa.Integer(), nullable=True),
    sa.Column('browser_key', sa.String(length=64), nullable=True),
    sa.Column('channel', sa.Enum('online', 'paper', name='consultations_channel', native_enum=False, length=10), nullable=False),
    sa.Column('entered_by_id', sa.Integer(), nullable=True),
    sa.Column('paper_reference', sa.String(length=100), nullable=True),
    sa.Column('demographics_given', sa.Boolean(), nullable=False),
    sa.Column('created_at', participation.core.models.UTCDateTime(), nullable=False),
    sa.Column('updated_at', participation.core.models.UTCDateTime(), nullable=False),
    sa.Column('submitted_at', participation.core.models.UTCDateTime(), nullable=True),
    sa.CheckConstraint("channel = 'online' OR (entered_by_id IS NOT NULL AND respondent_id IS NULL)", name=op.f('ck_consultations_response_paper_entered_by_staff')),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultations_consultation.id'], name=op.f('fk_consultations_response_consultation_id_consultations_consultation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['entered_by_id'], ['core_user.id'], name=op.f('fk_consultations_response_entered_by_id_core_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['respondent_id'], ['core_user.id'], name=op.f('fk_consultations_response_respondent_id_core_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consultations_response')),
    sa.UniqueConstraint('consultation_id', 'browser_key', name=op.f('uq_consultations_response_consultation_id_browser_key')),
    sa.UniqueConstraint('consultation_id', 'respondent_id', name=op.f('uq_consultations_response_consultation_id_respondent_id'))
    )
    with op.batch_alter_table('consultations_response', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consultations_response_respondent_id'), ['respondent_id'], unique=False)
        batch_op.create_index('ix_consultations_response_submitted', ['consultation_id', 'submitted_at'], unique=False)

    op.create_table('consultations_section',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultations_consultation.id'], name=op.f('fk_consultations_section_consultation_id_consultations_consultation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consultations_section'))
    )
    with op.batch_alter_table('consultations_section', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consultations_section_consultation_id'), ['consultation_id'], unique=False)

    op.create_table('consultations_tag',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultations_consultation.id'], name=op.f('fk_consultations_tag_consultation_id_consultations_consultation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consultations_tag')),
    sa.UniqueConstraint('consultation_id', 'name', name=op.f('uq_consultations_tag_consultation_id_name'))
    )
    with op.batch_alter_table('consultations_tag', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consultations_tag_consultation_id'), ['consultation_id'], unique=False)

    op.create_table('consultations_paragraph',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('section_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['section_id'], ['consultations_draft_section.id'], name=op.f('fk_consultations_paragraph_section_id_consultations_draft_section'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consultations_paragraph'))
    )
    with op.batch_alter_table('consultations_paragraph', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consultations_paragraph_section_id'), ['section_id'], unique=False)

    op.create_table('consultations_question',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('section_id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('single', 'multiple', 'short_text', 'long_text', 'scale', 'ranking', 'number', 'yes_no', 'date', 'point', name='consultations_question_kind', native_enum=False, length=20), nullable=False),
    sa.Column('text', sa.String(length=500), nullable=False),
    sa.Column('help_text', sa.Text(), nullable=False),
    sa.Column('required', sa.Boolean(), nullable=False),
    sa.Column('min_choices', sa.Integer(), nullable=True),
    sa.Column('max_choices', sa.Integer(), nullable=True),
    sa.Column('scale_min', sa.Integer(), nullable=False),
    sa.Column('scale_max', sa.Integer(), nullable=False),
    sa.Column('scale_min_label', sa.String(length=100), nullable=False),
    sa.Column('scale_max_label', sa.String(length=100), nullable=False),
    sa.Column('number_min', sa.Float(), nullable=True),
    sa.Column('number_max', sa.Float(), nullable=True),
    sa.Column('max_length', sa.Integer(), nullable=True),
    sa.Column('condition_question_id', sa.Integer(), nullable=True),
    sa.Column('condition_value', sa.String(length=20), nullable=True),
    sa.CheckConstraint('max_choices IS NULL OR max_choices >= 1', name=op.f('ck_consultations_question_max_choices_range')),
    sa.CheckConstraint('min_choices IS NULL OR min_choices >= 0', name=op.f('ck_consultations_question_min_choices_range')),
    sa.CheckConstraint('scale_max > scale_min', name=op.f('ck_consultations_question_scale_range')),
    sa.ForeignKeyConstraint(['condition_question_id'], ['consultations_question.id'], name=op.f('fk_consultations_question_condition_question_id_consultations_question'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultations_consultation.id'], name=op.f('fk_consultations_question_consultation_id_consultations_consultation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['section_id'], ['consultations_section.id'], name=op.f('fk_consultations_question_section_id_consultations_section'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consultations_question'))
    )
    with op.batch_alter_table('consultations_question', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consultations_question_consultation_id'), ['consultation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_consultations_question_section_id'), ['section_id'], unique=False)

    op.create_table('consultations_answer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.Column('response_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=True),
    sa.Column('number', sa.Float(), nullable=True),
    sa.Column('yes', sa.Boolean(), nullable=True),
    sa.Column('day', sa.Date(), nullable=True),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.Column('address', sa.String(length=300), nullable=True),
    sa.Column('district_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['district_id'], ['maps_district.id'], name=op.f('fk_consultations_answer_district_id_maps_district'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['municipality_id'], ['core_municipality.id'], name=op.f('fk_consultations_answer_municipality_id_core_municipality'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['question_id'], ['consultations_question.id'], name=op.f('fk_consultations_answer_question_id_consultations_question'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['response_id'], ['consultations_response.id'], name=op.f('fk_consultations_answer_response_id_consultations_response'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consultations_answer')),
    sa.UniqueConstraint('response_id', 'question_id', name=op.f('uq_consultations_answer_response_id_question_id'))
    )
    with op.batch_alter_table('consultations_answer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consultations_answer_district_id'), ['district_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_consultations_answer_lat'), ['lat'], unique=False)
        batch_op.create_index(batch_op.f('ix_consultations_answer_lon'), ['lon'], unique=False)
        batch_op.create_index(batch_op.f('ix_consultations_answer_municipality_id'), ['municipality_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_consultations_answer_question_id'), ['question_id'], unique=False)

    op.create_table('consultations_comment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('paragraph_id', sa.Integer(), nullable=True),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('author_name', sa.String(length=200), nullable=True),
    sa.Column('channel', sa.Enum('online', 'paper', name='consultations_channel', native_enum=False, length=10), nullable=False),
    sa.Column('entered_by_id', sa.Integer(), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', participation.core.models.UTCDateTime(), nullable=False),
    sa.CheckConstraint("channel = 'online' OR entered_by_id IS NOT NULL", name=op.f('ck_consultations_comment_paper_entered_by_staff')),
    sa.ForeignKeyConstraint(['author_id'], ['core_user.id'], name=op.f('fk_consultations_comment_author_id_core_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultations_consultation.id'], name=op.f('fk_consultations_comment_consultation_id_consultations_consultation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['entered_by_id'], ['core_user.id'], name=op.f('fk_consultations_comment_entered_by_id_core_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['paragraph_id'], ['consultations_paragraph.id'], name=op.f('fk_consultations_comment_paragraph_id_consultations_paragraph'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consultations_comment'))
    )
    with op.batch_alter_table('consultations_comment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consultations_comment_author_id'), ['author_id'], unique=False)
        batch_op.create_index('ix_consultations_comment_consultation_created', ['consultation_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_consultations_comment_paragraph_id'), ['paragraph_id'], unique=False)

    op.create_table('consultations_option',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=300), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['question_id'], ['consultations_question.id'], name=op.f('fk_consultations_option_question_id_consultations_question'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consultations_option'))
    )
    with op.batch_alter_table('consultations_option', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consultations_option_question_id'), ['question_id'], unique=False)

    op.create_table('consultations_answer_choice',
    sa.Column('answer_id', sa.Integer(), nullable=False),
    sa.Column('option_id', sa.Integer(), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['answer_id'], ['consultations_answer.id'], name=op.f('fk_consultations_answer_choice_answer_id_consultations_answer'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['option_id'], ['consultations_option.id'], name=op.f('fk_consultations_answer_choice_option_id_consultations_option'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('answer_id', 'option_id', name=op.f('pk_consultations_answer_choice'))
    )
    with op.batch_alter_table('consultations_answer_choice', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consultations_answer_choice_option_id'), ['option_id'], unique=False)

    op.create_table('consultations_answer_tag',
    sa.Column('answer_id', sa.Integer(), nullable=False),
    sa.Column('tag_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['answer_id'], ['consultations_answer.id'], name=op.f('fk_consultations_answer_tag_answer_id_consultations_answer'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tag_id'], ['consultations_tag.id'], name=op.f('fk_consultations_answer_tag_tag_id_consultations_tag'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('answer_id', 'tag_id', name=op.f('pk_consultations_answer_tag'))
    )
    op.create_table('consultations_reply',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('comment_id', sa.Integer(), nullable=True),
    sa.Column('answer_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('accepted', 'partly_accepted', 'rejected', 'out_of_scope', 'noted', name='consultations_reply_status', native_enum=False, length=20), nullable=False),
    sa.Column('justification', sa.Text(), nullable=False),
    sa.Column('replied_by_id', sa.Integer(), nullable=True),
    sa.Column('replied_at', participation.core.models.UTCDateTime(), nullable=False),
    sa.CheckConstraint('(comment_id IS NULL) <> (answer_id IS NULL)', name=op.f('ck_consultations_reply_one_input')),
    sa.ForeignKeyConstraint(['answer_id'], ['consultations_answer.id'], name=op.f('fk_consultations_reply_answer_id_consultations_answer'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['comment_id'], ['consultations_comment.id'], name=op.f('fk_consultations_reply_comment_id_consultations_comment'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultations_consultation.id'], name=op.f('fk_consultations_reply_consultation_id_consultations_consultation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['replied_by_id'], ['core_user.id'], name=op.f('fk_consultations_reply_replied_by_id_core_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consultations_reply')),
    sa.UniqueConstraint('answer_id', name=op.f('uq_consultations_reply_answer_id')),
    sa.UniqueConstraint('comment_id', name=op.f('uq_consultations_reply_comment_id'))
    )
    with op.batch_alter_table('consultations_reply', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consultations_reply_consultation_id'), ['consultation_id'], unique=False)

    with op.batch_alter_table('core_municipality', schema=None) as batch_op:
        batch_op.add_column(sa.Column('min_consultation_days', sa.Integer(), server_default='21', nullable=False))



def downgrade():
    with op.batch_alter_table('core_municipality', schema=None) as batch_op:
        batch_op.drop_column('min_consultation_days')

    with op.batch_alter_table('consultations_reply', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consultations_reply_consultation_id'))

    op.drop_table('consultations_reply')
    op.drop_table('consultations_answer_tag')
    with op.batch_alter_table('consultations_answer_choice', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consultations_answer_choice_option_id'))

    op.drop_table('consultations_answer_choice')
    with op.batch_alter_table('consultations_option', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consultations_option_question_id'))

    op.drop_table('consultations_option')
    with op.batch_alter_table('consultations_comment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consultations_comment_paragraph_id'))
        batch_op.drop_index('ix_consultations_comment_consultation_created')
        batch_op.drop_index(batch_op.f('ix_consultations_comment_author_id'))

    op.drop_table('consultations_comment')
    with op.batch_alter_table('consultations_answer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consultations_answer_question_id'))
        batch_op.drop_index(batch_op.f('ix_consultations_answer_lon'))
        batch_op.drop_index(batch_op.f('ix_consultations_answer_lat'))
        batch_op.drop_index(batch_op.f('ix_consultations_answer_district_id'))

    op.drop_table('consultations_answer')
    with op.batch_alter_table('consultations_question', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consultations_question_section_id'))
        batch_op.drop_index(batch_op.f('ix_consultations_question_consultation_id'))

    op.drop_table('consultations_question')
    with op.batch_alter_table('consultations_paragraph', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consultations_paragraph_section_id'))

    op.drop_table('consultations_paragraph')
    with op.batch_alter_table('consultations_tag', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consultations_tag_consultation_id'))

    op.drop_table('consultations_tag')
    with op.batch_alter_table('consultations_section', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consultations_section_consultation_id'))

    op.drop_table('consultations_section')
    with op.batch_alter_table('consultations_response', schema=None) as batch_op:
        batch_op.drop_index('ix_consultations_response_submitted')
        batch_op.drop_index(batch_op.f('ix_consultations_response_respondent_id'))

    op.drop_table('consultations_response')
    with op.batch_alter_table('consultations_follow', schema=None) as batch_op:
        batch_op.drop_index('ux_consultations_follow_all', sqlite_where=sa.text('consultation_id IS NULL'), postgresql_where=sa.text('consultation_id IS NULL'))
        batch_op.drop_index(batch_op.f('ix_consultations_follow_municipality_id'))
        batch_op.drop_index(batch_op.f('ix_consultations_follow_consultation_id'))

    op.drop_table('consultations_follow')
    with op.batch_alter_table('consultations_draft_section', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consultations_draft_section_consultation_id'))

    op.drop_table('consultations_draft_section')
    with op.batch_alter_table('consultations_document', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consultations_document_consultation_id'))

    op.drop_table('consultations_document')
    with op.batch_alter_table('consultations_demographic', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consultations_demographic_consultation_id'))

    op.drop_table('consultations_demographic')
    op.drop_table('consultations_consultation_district')
    with op.batch_alter_table('consultations_consultation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consultations_consultation_municipality_id'))
        batch_op.drop_index('ix_consultations_consultation_municipality_dates')

    op.drop_table('consultations_consultation')
