"""Issue 8, finding 9: no clear link tokens at rest. Stored and replicated notification bodies carry the
booking link redacted (the SMS sent has the real one: tests/cloud/test_notify_outbox.py), and migration
c0009 redacts what older versions stored."""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, datetime

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import bindparam, text

from salon_desk.cloud.db import UtcDateTime, make_engine
from salon_desk.cloud.links.tokens import new_token, redact_links
from salon_desk.cloud.migrate import alembic_config, upgrade_engine


def test_redaction_keeps_the_message_and_drops_every_token() -> None:
    token, other = new_token(str(uuid.uuid4())), new_token(str(uuid.uuid4()))
    body = f"Rose Salon: confirm here\nhttps://book.example.sa/b/{token}\nor /b/{other}?lang=ar"
    redacted = redact_links(body)
    assert redacted == "Rose Salon: confirm here\nhttps://book.example.sa/b/••••\nor /b/••••?lang=ar"
    assert token not in redacted and other not in redacted
    assert redact_links("no link, /b/short, /p/" + token) == "no link, /b/short, /p/" + token


def test_the_migration_redacts_bodies_stored_before_it(cloud_database_url) -> None:
    config = alembic_config()
    before = ScriptDirectory.from_config(config).get_revision("c0009").down_revision
    engine = make_engine(cloud_database_url)
    token = secrets.token_urlsafe(32)  # a link of that time: no salon part (issue #14 added it)
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, str(before))
        now = datetime(2025, 3, 1, 7, 0, tzinfo=UTC)
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO notification (id, salon_id, created_at, updated_at, body, server_seq) "
                    "VALUES (:id, :salon, :now, :now, :body, 1)"
                ).bindparams(bindparam("now", type_=UtcDateTime)),
                {
                    "id": str(uuid.uuid4()),
                    "salon": str(uuid.uuid4()),
                    "now": now,
                    "body": f"Confirm: https://book.example.sa/b/{token}",
                },
            )
        upgrade_engine(engine)
        with engine.connect() as connection:
            bodies = connection.execute(text("SELECT body FROM notification")).scalars().all()
        assert bodies == ["Confirm: https://book.example.sa/b/••••"]
    finally:
        engine.dispose()
