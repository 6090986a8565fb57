"""customer search: folded names and an FTS5 index, so 100,000 customers are found as you type

Revision ID: 0002
Revises: 0001
"""
import unicodedata

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# Frozen copy of the folding rule at the time of this revision (migrations never import app code).
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ة": "ه", "ى": "ي", "ؤ": "و", "ئ": "ي", "ـ": None})


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", (text or "").translate(_DIGITS))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.translate(_FOLD).casefold().split())


def upgrade() -> None:
    with op.batch_alter_table("customer") as batch_op:
        batch_op.add_column(sa.Column("search_name", sa.String(length=200), nullable=False, server_default=""))
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT id, name FROM customer")).fetchall()
    conn.execute(
        sa.text("UPDATE customer SET search_name = :folded WHERE id = :id"),
        [{"id": r.id, "folded": _fold(r.name)} for r in rows],
    ) if rows else None
    op.create_index("ix_customer_search_name", "customer", ["search_name"])
    op.execute(
        "CREATE VIRTUAL TABLE customer_fts USING fts5("
        "search_name, content='customer', content_rowid='rowid', tokenize='unicode61', prefix='1 2 3')"
    )
    op.execute("INSERT INTO customer_fts(rowid, search_name) SELECT rowid, search_name FROM customer")
    op.execute(
        "CREATE TRIGGER customer_fts_ai AFTER INSERT ON customer BEGIN "
        "INSERT INTO customer_fts(rowid, search_name) VALUES (new.rowid, new.search_name); END"
    )
    op.execute(
        "CREATE TRIGGER customer_fts_ad AFTER DELETE ON customer BEGIN "
        "INSERT INTO customer_fts(customer_fts, rowid, search_name) VALUES ('delete', old.rowid, old.search_name); END"
    )
    op.execute(
        "CREATE TRIGGER customer_fts_au AFTER UPDATE OF search_name ON customer BEGIN "
        "INSERT INTO customer_fts(customer_fts, rowid, search_name) VALUES ('delete', old.rowid, old.search_name); "
        "INSERT INTO customer_fts(rowid, search_name) VALUES (new.rowid, new.search_name); END"
    )


def downgrade() -> None:
    for trigger in ("customer_fts_ai", "customer_fts_ad", "customer_fts_au"):
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE IF EXISTS customer_fts")
    op.drop_index("ix_customer_search_name", "customer")
    with op.batch_alter_table("customer") as batch_op:
        batch_op.drop_column("search_name")
