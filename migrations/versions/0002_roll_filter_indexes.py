"""indexes for the roll filters

Revision ID: 0002_roll_filter_indexes
Revises: 0001_initial
"""
from alembic import op

revision = "0002_roll_filter_indexes"
down_revision = "0001_initial"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("young_person", schema=None) as batch_op:
        batch_op.drop_index("ix_young_person_date_of_birth")
        batch_op.create_index("ix_young_person_dob_left_on", ["date_of_birth", "left_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_young_person_left_on"), ["left_on"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("young_person", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_young_person_left_on"))
        batch_op.drop_index("ix_young_person_dob_left_on")
        batch_op.create_index("ix_young_person_date_of_birth", ["date_of_birth"], unique=False)
