"""Keep-in-touch links, answers and the notification outbox

Revision ID: 0008_keep_in_touch
Revises: 0007_long_term_outcomes
Create Date: 2026-11-23 22:10:00
"""
import sqlalchemy as sa
from alembic import op

import destinations.database

revision = '0008_keep_in_touch'
down_revision = '0007_long_term_outcomes'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('outbox_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('idempotency_key', sa.String(length=200), nullable=False),
    sa.Column('channel', sa.String(length=5), nullable=False),
    sa.Column('recipient', sa.String(length=254), nullable=False),
    sa.Column('template', sa.String(length=60), nullable=False),
    sa.Column('personalisation', sa.JSON(), nullable=False),
    sa.Column('young_person_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', destinations.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('sending_since', destinations.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', destinations.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', destinations.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('sent_at', destinations.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('content_cleared_at', destinations.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('adapter', sa.String(length=10), nullable=True),
    sa.Column('provider_reference', sa.String(length=100), nullable=True),
    sa.Column('last_error', sa.String(length=300), nullable=True),
    sa.Column('resent_count', sa.Integer(), nullable=False),
    sa.Column('resent_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("channel IN ('email', 'sms')", name=op.f('ck_outbox_message_channel')),
    sa.CheckConstraint("status IN ('queued', 'sending', 'sent', 'failed', 'dead')", name=op.f('ck_outbox_message_status')),
    sa.ForeignKeyConstraint(['resent_by_id'], ['user_account.id'], name=op.f('fk_outbox_message_resent_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_outbox_message_user_id_user_account'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['young_person_id'], ['young_person.id'], name=op.f('fk_outbox_message_young_person_id_young_person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_message')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_outbox_message_idempotency_key'))
    )
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_message_status_next', ['status', 'next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_message_user_id'), ['user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_message_young_person_id'), ['young_person_id'], unique=False)

    op.create_table('keep_in_touch_link',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('young_person_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('channel', sa.String(length=5), nullable=False),
    sa.Column('reason', sa.String(length=20), nullable=False),
    sa.Column('created_at', destinations.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('expires_at', destinations.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('date_of_birth_tries', sa.Integer(), nullable=False),
    sa.Column('opened_at', destinations.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('used_at', destinations.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('locked_at', destinations.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', destinations.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('revoked_by_id', sa.Integer(), nullable=True),
    sa.Column('expired_at', destinations.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('outbox_message_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("channel IN ('email', 'sms', 'print')", name=op.f('ck_keep_in_touch_link_channel')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_keep_in_touch_link_created_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['outbox_message_id'], ['outbox_message.id'], name=op.f('fk_keep_in_touch_link_outbox_message_id_outbox_message'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['revoked_by_id'], ['user_account.id'], name=op.f('fk_keep_in_touch_link_revoked_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['young_person_id'], ['young_person.id'], name=op.f('fk_keep_in_touch_link_young_person_id_young_person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_keep_in_touch_link')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_keep_in_touch_link_token_hash'))
    )
    with op.batch_alter_table('keep_in_touch_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_keep_in_touch_link_expired_at'), ['expired_at'], unique=False)
        batch_op.create_index('ix_keep_in_touch_link_person_created', ['young_person_id', 'created_at'], unique=False)

    op.create_table('logged_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('outbox_message_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=5), nullable=False),
    sa.Column('recipient', sa.String(length=254), nullable=False),
    sa.Column('subject', sa.String(length=255), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', destinations.database.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['outbox_message_id'], ['outbox_message.id'], name=op.f('fk_logged_message_outbox_message_id_outbox_message'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_logged_message')),
    sa.UniqueConstraint('outbox_message_id', name=op.f('uq_logged_message_outbox_message_id'))
    )
    op.create_table('keep_in_touch_reply',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('young_person_id', sa.Integer(), nullable=False),
    sa.Column('link_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('activity_record_id', sa.Integer(), nullable=True),
    sa.Column('created_at', destinations.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('handled_at', destinations.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('handled_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['activity_record_id'], ['activity_record.id'], name=op.f('fk_keep_in_touch_reply_activity_record_id_activity_record'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['handled_by_id'], ['user_account.id'], name=op.f('fk_keep_in_touch_reply_handled_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['link_id'], ['keep_in_touch_link.id'], name=op.f('fk_keep_in_touch_reply_link_id_keep_in_touch_link'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['young_person_id'], ['young_person.id'], name=op.f('fk_keep_in_touch_reply_young_person_id_young_person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_keep_in_touch_reply'))
    )
    with op.batch_alter_table('keep_in_touch_reply', schema=None) as batch_op:
        batch_op.create_index('ix_keep_in_touch_reply_handled', ['handled_at'], unique=False)
        batch_op.create_index('ix_keep_in_touch_reply_person_created', ['young_person_id', 'created_at'], unique=False)

    op.create_table('keep_in_touch_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('young_person_id', sa.Integer(), nullable=False),
    sa.Column('link_id', sa.Integer(), nullable=False),
    sa.Column('created_at', destinations.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', destinations.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ended_at', destinations.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('draft', sa.JSON(), nullable=False),
    sa.Column('last_reply_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['link_id'], ['keep_in_touch_link.id'], name=op.f('fk_keep_in_touch_session_link_id_keep_in_touch_link'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['young_person_id'], ['young_person.id'], name=op.f('fk_keep_in_touch_session_young_person_id_young_person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_keep_in_touch_session')),
    sa.UniqueConstraint('key_hash', name=op.f('uq_keep_in_touch_session_key_hash'))
    )
    with op.batch_alter_table('keep_in_touch_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_keep_in_touch_session_link_id'), ['link_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_keep_in_touch_session_young_person_id'), ['young_person_id'], unique=False)

    with op.batch_alter_table('young_person', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email', sa.String(length=254), nullable=True))
        batch_op.add_column(sa.Column('mobile', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('preferred_channel', sa.String(length=5), nullable=True))
        batch_op.add_column(sa.Column('keep_in_touch_consent', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('messages_stopped_at', destinations.database.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index('ix_young_person_email', ['email'], unique=False)
        batch_op.create_index('ix_young_person_mobile', ['mobile'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('young_person', schema=None) as batch_op:
        batch_op.drop_index('ix_young_person_mobile')
        batch_op.drop_index('ix_young_person_email')
        batch_op.drop_column('messages_stopped_at')
        batch_op.drop_column('keep_in_touch_consent')
        batch_op.drop_column('preferred_channel')
        batch_op.drop_column('mobile')
        batch_op.drop_column('email')

    with op.batch_alter_table('keep_in_touch_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_keep_in_touch_session_young_person_id'))
        batch_op.drop_index(batch_op.f('ix_keep_in_touch_session_link_id'))

    op.drop_table('keep_in_touch_session')
    with op.batch_alter_table('keep_in_touch_reply', schema=None) as batch_op:
        batch_op.drop_index('ix_keep_in_touch_reply_person_created')
        batch_op.drop_index('ix_keep_in_touch_reply_handled')

    op.drop_table('keep_in_touch_reply')
    op.drop_table('logged_message')
    with op.batch_alter_table('keep_in_touch_link', schema=None) as batch_op:
        batch_op.drop_index('ix_keep_in_touch_link_person_created')
        batch_op.drop_index(batch_op.f('ix_keep_in_touch_link_expired_at'))

    op.drop_table('keep_in_touch_link')
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_message_young_person_id'))
        batch_op.drop_index(batch_op.f('ix_outbox_message_user_id'))
        batch_op.drop_index('ix_outbox_message_status_next')

    op.drop_table('outbox_message')

