"""Alembic migrations of the kodevakt database; run by `kodevakt.storage.database.migrate`."""
