"""Imports of young people and destinations

Revision ID: 0009_imports
Revises: 0008_keep_in_touch
Create Date: 2026-11-23 22:10:00
"""
import sqlalchemy as sa
from alembic import op

import destinations.database

revision = '0009_imports'
down_revision = '0008_keep_in_touch'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('import_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('dry_run', sa.Boolean(), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('file_format', sa.String(length=4), nullable=True),
    sa.Column('file_size', sa.Integer(), nullable=False),
    sa.Column('file_digest', sa.String(length=64), nullable=True),
    sa.Column('rows', sa.Integer(), nullable=False),
    sa.Column('created', sa.Integer(), nullable=False),
    sa.Column('updated', sa.Integer(), nullable=False),
    sa.Column('unchanged', sa.Integer(), nullable=False),
    sa.Column('error_count', sa.Integer(), nullable=False),
    sa.Column('started_at', destinations.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', destinations.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("kind IN ('young_people', 'destinations')", name=op.f('ck_import_run_kind')),
    sa.CheckConstraint("outcome IN ('checked', 'imported', 'refused', 'unreadable')", name=op.f('ck_import_run_outcome')),
    sa.ForeignKeyConstraint(['by_id'], ['user_account.id'], name=op.f('fk_import_run_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_run'))
    )
    with op.batch_alter_table('import_run', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_import_run_started_at'), ['started_at'], unique=False)

    op.create_table('detail_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('young_person_id', sa.Integer(), nullable=False),
    sa.Column('field', sa.String(length=40), nullable=False),
    sa.Column('old_value', sa.Text(), nullable=True),
    sa.Column('new_value', sa.Text(), nullable=True),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('import_run_id', sa.Integer(), nullable=True),
    sa.Column('changed_at', destinations.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('changed_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['changed_by_id'], ['user_account.id'], name=op.f('fk_detail_change_changed_by_id_user_account')),
    sa.ForeignKeyConstraint(['import_run_id'], ['import_run.id'], name=op.f('fk_detail_change_import_run_id_import_run'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['young_person_id'], ['young_person.id'], name=op.f('fk_detail_change_young_person_id_young_person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_detail_change'))
    )
    with op.batch_alter_table('detail_change', schema=None) as batch_op:
        batch_op.create_index('ix_detail_change_person_changed', ['young_person_id', 'changed_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_detail_change_import_run_id'), ['import_run_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('detail_change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_detail_change_import_run_id'))
        batch_op.drop_index('ix_detail_change_person_changed')
    op.drop_table('detail_change')

    with op.batch_alter_table('import_run', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_import_run_started_at'))
    op.drop_table('import_run')
