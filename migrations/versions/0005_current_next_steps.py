"""Mark the next steps of each young person's latest complete review, so demand reports read them directly

Revision ID: 0005_current_next_steps
Revises: 0004_published_reports
Create Date: 2026-11-23 22:10:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0005_current_next_steps'
down_revision = '0004_published_reports'
branch_labels = None
depends_on = None

# Each young person's latest complete review (by date held, then the later-logged review) lends
# its steps the mark; the same rule as destinations.reviews.current, written out for this revision.
LATEST = """
    SELECT r.id FROM review r
    WHERE r.status = 'complete' AND NOT EXISTS (
        SELECT 1 FROM review later
        WHERE later.young_person_id = r.young_person_id AND later.status = 'complete'
          AND (later.held_on > r.held_on OR (later.held_on = r.held_on AND later.id > r.id))
    )
"""
MARK_LATEST_COMPLETE_REVIEWS = f"""
    UPDATE next_step
    SET current_person_id = (SELECT r.young_person_id FROM review r WHERE r.id = next_step.review_id),
        current_held_on = (SELECT r.held_on FROM review r WHERE r.id = next_step.review_id)
    WHERE review_id IN ({LATEST})
"""


def upgrade() -> None:
    with op.batch_alter_table('next_step', schema=None) as batch_op:
        batch_op.add_column(sa.Column('current_person_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('current_held_on', sa.Date(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_next_step_current_person_id_young_person'), 'young_person', ['current_person_id'], ['id'], ondelete='CASCADE'
        )
    # Plain SQL, not the service's rebuild, so this revision keeps working whatever the models become.
    op.execute(MARK_LATEST_COMPLETE_REVIEWS)
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
