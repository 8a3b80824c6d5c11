"""Scheduled job runs and the keys that make each job run once per period

Revision ID: 0010_scheduler
Revises: 0009_imports
Create Date: 2026-11-23 22:10:00
"""
import sqlalchemy as sa
from alembic import op

import destinations.database

revision = '0010_scheduler'
down_revision = '0009_imports'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('job_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job', sa.String(length=40), nullable=False),
    sa.Column('period', sa.String(length=20), nullable=False),
    sa.Column('run_on', sa.Date(), nullable=False),
    sa.Column('trigger', sa.String(length=10), nullable=False),
    sa.Column('runner', sa.String(length=120), nullable=False),
    sa.Column('started_at', destinations.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', destinations.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('outcome', sa.String(length=10), nullable=False),
    sa.Column('counts', sa.JSON(), nullable=False),
    sa.Column('error', sa.String(length=500), nullable=True),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("outcome IN ('running', 'ok', 'failed', 'skipped')", name=op.f('ck_job_run_outcome')),
    sa.CheckConstraint("trigger IN ('schedule', 'catch_up', 'manual', 'command')", name=op.f('ck_job_run_trigger')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['user_account.id'], name=op.f('fk_job_run_requested_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_run'))
    )
    with op.batch_alter_table('job_run', schema=None) as batch_op:
        batch_op.create_index('ix_job_run_job_period', ['job', 'period'], unique=False)
        batch_op.create_index('ix_job_run_job_started', ['job', 'started_at'], unique=False)

    op.create_table('job_claim',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job', sa.String(length=40), nullable=False),
    sa.Column('subject', sa.String(length=60), nullable=False),
    sa.Column('period', sa.String(length=20), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=True),
    sa.Column('claimed_at', destinations.database.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['run_id'], ['job_run.id'], name=op.f('fk_job_claim_run_id_job_run'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_claim')),
    sa.UniqueConstraint('job', 'subject', 'period', name=op.f('uq_job_claim_job_subject_period'))
    )
    with op.batch_alter_table('job_claim', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_job_claim_claimed_at'), ['claimed_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_job_claim_run_id'), ['run_id'], unique=False)

    op.create_table('scheduler_heartbeat',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('runner', sa.String(length=120), nullable=False),
    sa.Column('leader_since', destinations.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('beat_at', destinations.database.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scheduler_heartbeat'))
    )

    # Retention deletes people: these let the database find the rows pointing at a deleted row
    # without scanning the whole table for each one (see destinations/scheduler/models.py).
    with op.batch_alter_table('next_step', schema=None) as batch_op:
        batch_op.create_index('ix_next_step_current_person', ['current_person_id'], unique=False)
    with op.batch_alter_table('keep_in_touch_link', schema=None) as batch_op:
        batch_op.create_index('ix_keep_in_touch_link_outbox_message', ['outbox_message_id'], unique=False)

    # The final destination kept when someone leaves the roll (roll-end processing fills it in).
    with op.batch_alter_table('status_change', schema=None) as batch_op:
        batch_op.add_column(sa.Column('final_activity_code', sa.String(length=4), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('status_change', schema=None) as batch_op:
        batch_op.drop_column('final_activity_code')
    with op.batch_alter_table('keep_in_touch_link', schema=None) as batch_op:
        batch_op.drop_index('ix_keep_in_touch_link_outbox_message')
    with op.batch_alter_table('next_step', schema=None) as batch_op:
        batch_op.drop_index('ix_next_step_current_person')

    op.drop_table('scheduler_heartbeat')
    with op.batch_alter_table('job_claim', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_job_claim_run_id'))
        batch_op.drop_index(batch_op.f('ix_job_claim_claimed_at'))

    op.drop_table('job_claim')
    with op.batch_alter_table('job_run', schema=None) as batch_op:
        batch_op.drop_index('ix_job_run_job_started')
        batch_op.drop_index('ix_job_run_job_period')

    op.drop_table('job_run')
