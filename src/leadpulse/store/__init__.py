"""Storage: SQLAlchemy tables, engine set-up and Alembic migrations (SQLite + PostgreSQL)."""
