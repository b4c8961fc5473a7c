"""Which database, how to connect, and bringing its schema up to date.

The database is chosen by, in order: the `url` given (`--db`), the environment variable
`KODEVAKT_DB`, else the SQLite file `kodevakt.db` in the working directory. Accepted forms:

- `sqlite:///path/to/file.db` or a plain file path (SQLite, embedded; the default);
- `postgresql://user:password@host:5432/name` (also `postgres://`), for shared use; it is
  run through psycopg 3 (`postgresql+psycopg://`).

Opening a database migrates it to the newest schema with Alembic (`migrations/`), inside one
transaction that also keeps two processes from migrating at once: `BEGIN IMMEDIATE` on SQLite
(the second waits for the first, then finds the schema current), an advisory lock on
PostgreSQL.

How a SQLite file is opened depends on the command (`Access`): `import` creates it; every
other command refuses a file that does not exist (a mistyped `--db` would otherwise leave an
empty database and show nothing); read commands open a file they cannot write read-only
(`mode=ro`), and with `immutable=1` when its folder cannot be written either, since WAL needs
to create `-shm` beside it.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from sqlalchemy import (
    Connection,
    DateTime,
    Engine,
    Executable,
    Row,
    Table,
    any_,
    bindparam,
    create_engine,
    event,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.sql.elements import ColumnElement

from kodevakt.errors import StorageError

ENV_DB = "KODEVAKT_DB"
DEFAULT_FILE = "kodevakt.db"
MIGRATIONS = Path(__file__).parent / "migrations"
_MIGRATION_LOCK = 0x6B6F6465  # "kode": PostgreSQL advisory lock id while migrating
SQLITE_TIMEOUT = 30.0  # seconds SQLite waits for another connection's lock


def resolve_url(url: str | None = None) -> URL:
    """The database URL from the argument, `KODEVAKT_DB`, or the default SQLite file."""
    raw = (url or os.environ.get(ENV_DB) or "").strip() or f"sqlite:///{DEFAULT_FILE}"
    if "://" not in raw:
        raw = f"sqlite:///{raw}"
    try:
        parsed = make_url(raw)
    except ArgumentError:
        raise StorageError(f"databaseadressen kan ikke leses: {_masked_text(raw)}") from None
    if parsed.drivername in ("postgresql", "postgres", "postgresql+psycopg2"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise StorageError(
            f"databasetypen «{parsed.get_backend_name()}» støttes ikke; bruk sqlite eller "
            "postgresql"
        )
    return parsed


def display_url(url: URL) -> str:
    """The URL without its password, for messages and logs (a read-only SQLite URI as the
    plain file URL)."""
    database = url.database or ""
    if url.get_backend_name() == "sqlite" and database.startswith("file:"):
        return f"sqlite:///{unquote(database.removeprefix('file:'))}"
    return url.render_as_string(hide_password=True)


def _masked_text(raw: str) -> str:
    head, sep, tail = raw.partition("://")
    if sep and "@" in tail:
        credentials, _, rest = tail.rpartition("@")
        user = credentials.split(":", 1)[0]
        return f"{head}://{user}:***@{rest}"
    return raw


class Access(StrEnum):
    """What a command needs of the database (see the module docstring)."""

    CREATE = "create"  # import: created when missing
    WRITE = "write"  # status changes: must exist
    READ = "read"  # listings and reports: must exist; read-only when it cannot be written


def sqlite_file(url: URL) -> Path | None:
    """The file of a SQLite URL; None for PostgreSQL and in-memory databases."""
    database = url.database or ""
    if url.get_backend_name() != "sqlite" or database in ("", ":memory:"):
        return None
    return Path(database)


def read_only_query(path: Path) -> dict[str, str] | None:
    """The SQLite URI parameters to read `path` without writing: None when it can be written;
    `mode=ro` when only the file cannot; also `immutable=1` when the folder cannot either
    (no `-shm` can be made there) and no unfinished write-ahead log lies beside the file."""
    folder_writable = os.access(path.parent, os.W_OK)
    if folder_writable and os.access(path, os.W_OK):
        return None
    if folder_writable:
        return {"mode": "ro"}
    wal = path.with_name(path.name + "-wal")
    if wal.exists() and wal.stat().st_size > 0:
        return {"mode": "ro"}
    return {"mode": "ro", "immutable": "1"}


def open_engine(url: URL, access: Access = Access.CREATE) -> tuple[Engine, bool]:
    """An engine for `url`, with SQLite set up for one writer and many readers (WAL), and
    whether it is read-only (see `Access`)."""
    kwargs: dict[str, Any] = {}
    read_only = False
    path = sqlite_file(url)
    if url.get_backend_name() == "sqlite":
        kwargs["connect_args"] = {"timeout": SQLITE_TIMEOUT}
    if path is not None:
        if not path.parent.is_dir():
            raise StorageError(f"mappen for databasefilen finnes ikke: {path.parent}")
        if access is not Access.CREATE and not path.is_file():
            raise StorageError(
                f"databasefilen «{path}» finnes ikke; sjekk --db (bare kodevakt import lager "
                "en ny database)"
            )
        query = read_only_query(path) if access is Access.READ else None
        if query is not None:
            read_only = True
            uri = f"file:{quote(str(path.resolve()))}"
            url = url.set(database=uri, query={**query, "uri": "true"})
    try:
        engine = create_engine(url, **kwargs)
    except (ArgumentError, ImportError) as exc:
        raise StorageError(f"databasen {display_url(url)} kan ikke åpnes: {exc}") from None
    if url.get_backend_name() == "sqlite" and not read_only:
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine, read_only


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    _wal(cursor)
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _wal(cursor: Any) -> None:
    """Switch the file to write-ahead logging (kept in the file, so done once per database).

    SQLite answers a journal-mode change that meets another connection's lock with "database
    is locked" at once, without its busy timeout: two first opens of a new database (two
    imports started together) would fail. So the change is retried for as long as that
    timeout.
    """
    if cursor.execute("PRAGMA journal_mode").fetchone()[0].lower() == "wal":
        return
    deadline = time.monotonic() + SQLITE_TIMEOUT
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() >= deadline:
                raise
            time.sleep(0.05)


def migrate(engine: Engine, *, read_only: bool = False) -> None:
    """Bring the schema to the newest migration (no-op when it is there already).

    The schema is read first without locking anything, so that opening a current database,
    even read-only, writes nothing; only an upgrade takes the write lock, and looks again.
    """
    # Alembic is imported here, not at module level: every `kodevakt` command imports this
    # module, and only commands that open a database need Alembic (a quarter second to load).
    from alembic import command
    from alembic.config import Config
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    script = ScriptDirectory(str(MIGRATIONS))
    heads = set(script.get_heads())
    known = {rev.revision for rev in script.walk_revisions()}

    def current(connection: Connection) -> set[str]:
        found = set(MigrationContext.configure(connection).get_current_heads())
        if not found <= known:
            raise StorageError(
                "databasen er laget av en nyere versjon av kodevakt "
                f"(skjemaversjon {', '.join(sorted(found))}); oppgrader kodevakt"
            )
        return found

    try:
        with engine.connect() as connection:
            if current(connection) == heads:
                return
        if read_only:
            raise StorageError(
                f"databasen {display_url(engine.url)} har et eldre skjema og må oppgraderes, "
                "men kan ikke skrives her; åpne den én gang der den kan skrives"
            )
        with engine.begin() as connection:
            if connection.dialect.name == "sqlite":
                connection.exec_driver_sql("BEGIN IMMEDIATE")
            else:
                connection.execute(
                    text("SELECT pg_advisory_xact_lock(:id)"), {"id": _MIGRATION_LOCK}
                )
            if current(connection) == heads:
                return
            config = Config()
            config.set_main_option("script_location", str(MIGRATIONS))
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    except SQLAlchemyError as exc:
        raise StorageError(
            f"databasen {display_url(engine.url)} kan ikke åpnes: {reason(exc)}"
        ) from None


# What SQLite says, and what it means to a user.
_REASONS = {
    "file is not a database": "filen er ikke en kodevakt-database, eller den er skadet",
    "database disk image is malformed": "databasefilen er skadet",
    "database is locked": "databasen er låst av en annen prosess",
    "unable to open database file": "databasefilen kan ikke åpnes (mangler tilgang?)",
    "attempt to write a readonly database": "databasen kan ikke skrives (skrivebeskyttet)",
}


def reason(exc: BaseException) -> str:
    """The first line of a database error, in Norwegian where SQLite's meaning is known."""
    line = _first_line(exc)
    for english, norwegian in _REASONS.items():
        if english in line:
            return f"{norwegian} ({line})"
    return line


def _first_line(exc: BaseException) -> str:
    return (str(getattr(exc, "orig", None) or exc).strip().splitlines() or [""])[0]


def stream_rows(engine: Engine, query: Executable, size: int = 2000) -> Iterator[Row[Any]]:
    """Rows of `query`, fetched `size` at a time (a server-side cursor on PostgreSQL).

    The cursor and connection are closed when the iterator is exhausted or closed early.
    """
    with database_errors(engine), engine.connect() as conn:
        result = conn.execution_options(yield_per=size).execute(query)
        try:
            yield from result
        finally:
            result.close()


@contextmanager
def database_errors(engine: Engine) -> Iterator[None]:
    """Turn a database failure into a `StorageError` naming the database (no password)."""
    try:
        yield
    except SQLAlchemyError as exc:
        raise StorageError(f"databasefeil i {display_url(engine.url)}: {reason(exc)}") from None


def insert_many(conn: Connection, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """`INSERT` the rows (all with the same keys): the same rows as `conn.execute(
    table.insert(), rows)`, faster, for imports that write a million rows.

    SQLite: the driver's `executemany`, each value through its column type's bind processor,
    without SQLAlchemy's per-row parameter handling (which costs more than the insert
    itself). PostgreSQL: `COPY … FROM STDIN` on the same connection and transaction.
    """
    if not rows:
        return
    names = list(rows[0])
    dialect = conn.dialect
    preparer = dialect.identifier_preparer
    columns = ", ".join(preparer.quote(name) for name in names)
    if dialect.name == "postgresql":  # COPY: several times faster than executemany
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        with cursor.copy(f"COPY {preparer.format_table(table)} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([row[name] for name in names])
        return
    processors: list[tuple[int, Callable[[Any], Any]]] = []
    for i, name in enumerate(names):
        column_type = table.c[name].type
        processor = column_type._cached_bind_processor(dialect)
        if processor is not None:
            fast = isinstance(column_type, DateTime)
            processors.append((i, _sqlite_datetime(processor) if fast else processor))
    marker = "?" if dialect.paramstyle == "qmark" else "%s"
    statement = (
        f"INSERT INTO {preparer.format_table(table)} ({columns}) "
        f"VALUES ({', '.join([marker] * len(names))})"
    )
    params: list[tuple[Any, ...]] = []
    for row in rows:
        values = [row[name] for name in names]
        for i, process in processors:
            values[i] = process(values[i])
        params.append(tuple(values))
    conn.exec_driver_sql(statement, params)


def _sqlite_datetime(processor: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """SQLAlchemy's bind processor of a SQLite `DateTime` column, the same text (`YYYY-MM-DD
    HH:MM:SS.ffffff`, the zone left out) written by `isoformat` for a `datetime`: three times
    faster, for the three times of each of a million episodes."""
    plain = datetime
    last: list[Any] = [None, None]  # the last time written and its text: `changed_at` and
    # `first_seen_at` are one time for every row of an import

    def process(value: Any) -> Any:
        if value is last[0] and value is not None:
            return last[1]
        if type(value) is plain:
            naive = value.replace(tzinfo=None) if value.tzinfo is not None else value
            text = naive.isoformat(" ", "microseconds")
            last[0], last[1] = value, text
            return text
        return processor(value)

    return process


def refresh_statistics(conn: Connection, *tables: Table) -> None:
    """On PostgreSQL, `ANALYZE` the tables (inside the transaction, which sees its own rows).

    After a bulk import the planner would otherwise take them for nearly empty until
    autovacuum gets round to them, and choose nested loops that scan every episode of an
    institution once per finding. SQLite's planner does without.
    """
    if conn.dialect.name == "postgresql" and tables:
        preparer = conn.dialect.identifier_preparer
        conn.exec_driver_sql("ANALYZE " + ", ".join(preparer.format_table(t) for t in tables))


def one_of(
    conn: Connection, column: ColumnElement[Any], values: Iterable[Any]
) -> ColumnElement[bool]:
    """`column IN (values)`; on PostgreSQL `column = ANY(:array)`, one parameter for a batch.

    Thousands of separate parameters cost more to send and parse than the query itself.
    """
    items = list(values)
    if conn.dialect.name == "postgresql":
        return column == any_(bindparam(None, items, type_=ARRAY(column.type)))
    return column.in_(items)
