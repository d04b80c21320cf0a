"""leads list at 100,000 leads: a search index, an index per sort

Revision ID: 5d1e0c9a7b42
Revises: 73bac64605ba
Create Date: 2026-11-27 12:45:00

The search box finds a piece of text anywhere in the company, names and e-mail
(`leads.search_text`, lower case). No B-tree serves LIKE '%...%': SQLite gets an
FTS5 table with the trigram tokenizer over that column, kept in step by
triggers; PostgreSQL a GIN trigram index (pg_trgm) on the column. Both answer a
piece of three characters or more from the index; shorter ones still work, by a
scan.

Each sort of the list gets an index ending with the id (its tie-break), so a
page is read in index order. PostgreSQL also gets the descending orders with
nulls last: read backwards, its ascending indexes put nulls first. The weakest
area's index takes the score too (a filter pair the list offers side by side).
"""
from alembic import op


revision = "5d1e0c9a7b42"
down_revision = "73bac64605ba"
branch_labels = None
depends_on = None

SORTED = ("completed_at", "overall_score", "next_touch_at", "company")
NULLABLE = ("completed_at", "overall_score", "next_touch_at")

# The FTS table keeps its own copy of the text (a narrow table): checking a LIKE against it
# is cheaper than reading the wide leads rows.
SQLITE_SEARCH = (
    "CREATE VIRTUAL TABLE leads_search USING fts5(search_text, tokenize='trigram')",
    "CREATE TRIGGER leads_search_insert AFTER INSERT ON leads BEGIN "
    "INSERT INTO leads_search(rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER leads_search_delete AFTER DELETE ON leads BEGIN "
    "DELETE FROM leads_search WHERE rowid = old.id; END",
    "CREATE TRIGGER leads_search_update AFTER UPDATE OF search_text ON leads BEGIN "
    "UPDATE leads_search SET search_text = new.search_text WHERE rowid = new.id; END",
    "INSERT INTO leads_search(rowid, search_text) SELECT id, search_text FROM leads",
)


def upgrade():
    dialect = op.get_bind().dialect.name
    for column in SORTED:
        op.drop_index(f"ix_leads_{column}", table_name="leads")
        op.create_index(f"ix_leads_{column}_id", "leads", [column, "id"])
    # "weakest area X, score between A and B" counted from the index alone
    op.drop_index("ix_leads_weakest_category", table_name="leads")
    op.create_index("ix_leads_weakest_score", "leads", ["weakest_category", "overall_score"])
    if dialect == "postgresql":
        for column in NULLABLE:
            op.execute(
                f"CREATE INDEX ix_leads_{column}_id_desc "
                f"ON leads ({column} DESC NULLS LAST, id DESC)"
            )
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute(
            "CREATE INDEX ix_leads_search_text_trgm ON leads USING gin (search_text gin_trgm_ops)"
        )
    elif dialect == "sqlite":
        for statement in SQLITE_SEARCH:
            op.execute(statement)


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP INDEX ix_leads_search_text_trgm")
        for column in NULLABLE:
            op.execute(f"DROP INDEX ix_leads_{column}_id_desc")
        # the extension stays: something else in the database may use it
    elif dialect == "sqlite":
        for trigger in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER leads_search_{trigger}")
        op.execute("DROP TABLE leads_search")
    op.drop_index("ix_leads_weakest_score", table_name="leads")
    op.create_index("ix_leads_weakest_category", "leads", ["weakest_category"])
    for column in SORTED:
        op.drop_index(f"ix_leads_{column}_id", table_name="leads")
        op.create_index(f"ix_leads_{column}", "leads", [column])
