"""Alembic environment: runs on the connection `kodevakt.storage.database.migrate` hands over.

There is no alembic.ini: the configuration is built in code, so a database is migrated by
opening it (`Store(url)`), from any working directory. To write a new migration, add a file to
`versions/` by hand (next number, `down_revision` = the previous one) and keep
`schema.py` in step; tests/storage/test_schema.py fails when the two differ.
"""

from __future__ import annotations

from alembic import context

from kodevakt.storage.schema import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
