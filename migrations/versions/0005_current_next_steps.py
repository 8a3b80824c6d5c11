"""Mark the next steps of each young person's latest complete review, so demand reports read them directly

Revision ID: 0005_current_next_steps
Revises: 0004_published_reports
Create Date: 2026-11-23 22:10:00
"""
import sqlalchemy as sa
from alembic import op

from destinations.reviews.current import mark_all_current_steps

revision = '0005_current_next_steps'
down_revision = '0004_published_reports'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('next_step', schema=None) as batch_op:
        batch_op.add_column(sa.Column('current_person_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('current_held_on', sa.Date(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_next_step_current_person_id_young_person'), 'young_person', ['current_person_id'], ['id'], ondelete='CASCADE'
        )
    mark_all_current_steps(op.get_bind())
    with op.batch_alter_table('next_step', schema=None) as batch_op:
        batch_op.create_index(
            'ix_next_step_current_year',
            ['start_year', 'current_person_id', 'position', 'id', 'review_id', 'current_held_on', 'route', 'level', 'sector_subject_area', 'attendance'],
            unique=False,
            postgresql_where=sa.text('current_person_id IS NOT NULL'), sqlite_where=sa.text('current_person_id IS NOT NULL'),
        )


def downgrade() -> None:
    with op.batch_alter_table('next_step', schema=None) as batch_op:
        batch_op.drop_index('ix_next_step_current_year', postgresql_where=sa.text('current_person_id IS NOT NULL'), sqlite_where=sa.text('current_person_id IS NOT NULL'))
        batch_op.drop_constraint(batch_op.f('fk_next_step_current_person_id_young_person'), type_='foreignkey')
        batch_op.drop_column('current_held_on')
        batch_op.drop_column('current_person_id')
