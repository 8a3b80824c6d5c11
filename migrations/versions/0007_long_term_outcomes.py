"""Long-term outcomes one and two years after the age of transition

Revision ID: 0007_long_term_outcomes
Revises: 0006_activities
Create Date: 2026-11-23 22:10:00
"""
import sqlalchemy as sa
from alembic import op

import destinations.database

revision = '0007_long_term_outcomes'
down_revision = '0006_activities'
branch_labels = None
depends_on = None


def upgrade() -> None:
    progress = "('achieved', 'progressing', 'no_progress', 'not_known')"
    op.create_table('destination_outcome',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('young_person_id', sa.Integer(), nullable=False),
    sa.Column('cohort', sa.String(length=20), nullable=False),
    sa.Column('outcome', sa.String(length=30), nullable=False),
    sa.Column('evaluated_at', destinations.database.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['young_person_id'], ['young_person.id'], name=op.f('fk_destination_outcome_young_person_id_young_person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_destination_outcome')),
    sa.UniqueConstraint('cohort', 'young_person_id', name=op.f('uq_destination_outcome_cohort_young_person_id'))
    )
    with op.batch_alter_table('destination_outcome', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_destination_outcome_young_person_id'), ['young_person_id'], unique=False)

    op.create_table('long_term_outcome',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('young_person_id', sa.Integer(), nullable=False),
    sa.Column('checkpoint', sa.String(length=2), nullable=False),
    sa.Column('recorded_on', sa.Date(), nullable=False),
    sa.Column('living_arrangement', sa.String(length=20), nullable=False),
    sa.Column('paid_work_16_plus', sa.Boolean(), nullable=True),
    sa.Column('progress_employment', sa.String(length=20), nullable=False),
    sa.Column('progress_independent_living', sa.String(length=20), nullable=False),
    sa.Column('progress_community', sa.String(length=20), nullable=False),
    sa.Column('progress_health', sa.String(length=20), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', destinations.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', destinations.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("checkpoint IN ('1y', '2y')", name=op.f('ck_long_term_outcome_checkpoint')),
    sa.CheckConstraint("living_arrangement IN ('family_home', 'supported_living', 'tenancy', 'residential_care', 'other')", name=op.f('ck_long_term_outcome_living_arrangement')),
    sa.CheckConstraint(f"progress_community IN {progress}", name=op.f('ck_long_term_outcome_progress_community')),
    sa.CheckConstraint(f"progress_employment IN {progress}", name=op.f('ck_long_term_outcome_progress_employment')),
    sa.CheckConstraint(f"progress_health IN {progress}", name=op.f('ck_long_term_outcome_progress_health')),
    sa.CheckConstraint(f"progress_independent_living IN {progress}", name=op.f('ck_long_term_outcome_progress_independent_living')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_long_term_outcome_recorded_by_id_user_account')),
    sa.ForeignKeyConstraint(['young_person_id'], ['young_person.id'], name=op.f('fk_long_term_outcome_young_person_id_young_person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_long_term_outcome')),
    sa.UniqueConstraint('young_person_id', 'checkpoint', name=op.f('uq_long_term_outcome_young_person_id_checkpoint'))
    )


def downgrade() -> None:
    op.drop_table('long_term_outcome')
    with op.batch_alter_table('destination_outcome', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_destination_outcome_young_person_id'))

    op.drop_table('destination_outcome')
