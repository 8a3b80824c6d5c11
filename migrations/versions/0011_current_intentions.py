"""One row per young person and start year summing up their current next steps, so demand reports count people without looking up each step

Revision ID: 0011_current_intentions
Revises: 0010_scheduler
Create Date: 2026-11-24 05:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0011_current_intentions'
down_revision = '0010_scheduler'
branch_labels = None
depends_on = None

# The rows destinations.reviews.current.write_intentions keeps, written out for this revision:
# each marked step's young person and start year, the first step's route, level and sector
# subject area (lowest position, then id), and the distinct support needs, providers and
# attendance (an empty code for a step without one) across the year's steps, comma-separated.
CODE_SET = {
    'postgresql': "string_agg(code, ',' ORDER BY code)",
    'sqlite': "group_concat(code, ',')",  # in the order of its sorted input
}
CURRENT = "s.current_person_id IS NOT NULL AND s.start_year IS NOT NULL"


def _code_set(dialect: str, code: str, join: str = '') -> str:
    return f"""
        SELECT person_id, start_year, {CODE_SET[dialect]} AS codes FROM (
            SELECT DISTINCT s.current_person_id AS person_id, s.start_year, {code} AS code
            FROM next_step s {join} WHERE {CURRENT} ORDER BY 1, 2, 3
        ) pairs GROUP BY person_id, start_year
    """


def write_intentions(dialect: str) -> str:
    """The INSERT that fills current_intention from the marked steps, for ``dialect``."""
    return f"""
        INSERT INTO current_intention
            (start_year, young_person_id, held_on, route, level, sector_subject_area, support_needs, provider_ids, attendance)
        SELECT f.start_year, f.person_id, f.held_on, f.route, f.level, f.sector_subject_area, n.codes, p.codes, a.codes
        FROM (
            SELECT s.start_year, s.current_person_id AS person_id, s.current_held_on AS held_on, s.route, s.level, s.sector_subject_area,
                   row_number() OVER (PARTITION BY s.current_person_id, s.start_year ORDER BY s.position, s.id) AS step_rank
            FROM next_step s WHERE {CURRENT}
        ) f
        JOIN ({_code_set(dialect, "coalesce(s.attendance, '')")}) a
            ON a.person_id = f.person_id AND a.start_year = f.start_year
        LEFT JOIN ({_code_set(dialect, 'sn.code', 'JOIN next_step_support_need sn ON sn.next_step_id = s.id')}) n
            ON n.person_id = f.person_id AND n.start_year = f.start_year
        LEFT JOIN ({_code_set(dialect, 'CAST(sp.provider_id AS VARCHAR(40))', 'JOIN next_step_provider sp ON sp.next_step_id = s.id')}) p
            ON p.person_id = f.person_id AND p.start_year = f.start_year
        WHERE f.step_rank = 1
    """


def upgrade() -> None:
    op.create_table('current_intention',
    sa.Column('start_year', sa.Integer(), nullable=False),
    sa.Column('young_person_id', sa.Integer(), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('route', sa.String(length=40), nullable=True),
    sa.Column('level', sa.String(length=40), nullable=True),
    sa.Column('sector_subject_area', sa.String(length=40), nullable=True),
    sa.Column('support_needs', sa.Text(), nullable=True),
    sa.Column('provider_ids', sa.Text(), nullable=True),
    sa.Column('attendance', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['young_person_id'], ['young_person.id'], name=op.f('fk_current_intention_young_person_id_young_person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('start_year', 'young_person_id', name=op.f('pk_current_intention'))
    )
    with op.batch_alter_table('current_intention', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_current_intention_young_person_id'), ['young_person_id'], unique=False)
    # Plain SQL, not the service's rebuild, so this revision keeps working whatever the models become.
    dialect = op.get_bind().dialect.name
    op.execute(write_intentions(dialect))
    if dialect == 'postgresql':
        op.execute('ANALYZE current_intention')  # so the first report is planned on the rows just written
    # The report no longer reads the marked steps themselves, so their covering index only slowed writes.
    with op.batch_alter_table('next_step', schema=None) as batch_op:
        batch_op.drop_index('ix_next_step_current_year', postgresql_where=sa.text('current_person_id IS NOT NULL'), sqlite_where=sa.text('current_person_id IS NOT NULL'))


def downgrade() -> None:
    with op.batch_alter_table('next_step', schema=None) as batch_op:
        batch_op.create_index(
            'ix_next_step_current_year',
            ['start_year', 'current_person_id', 'position', 'id', 'review_id', 'current_held_on', 'route', 'level', 'sector_subject_area', 'attendance'],
            unique=False,
            postgresql_where=sa.text('current_person_id IS NOT NULL'), sqlite_where=sa.text('current_person_id IS NOT NULL'),
        )
    with op.batch_alter_table('current_intention', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_current_intention_young_person_id'))
    op.drop_table('current_intention')
