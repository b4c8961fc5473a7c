"""The database tables (SQLAlchemy Core). Alembic migrations in `migrations/` create them.

Tables and what they hold::

    import_run        one file import (or one `add_findings` call): counts, status, times
    import_rejection  records of a file that could not be read: line, field, message
    episode           the current coded content of each episode, per period
    episode_version   earlier versions of an episode: previous content and what changed
    finding           findings with their stable key and the coder's status; a finding about
                      a unit (M04, M05, M07) has episode_id '' and its episodes as JSON; the
                      work on it: assignee, due date, the question to the doctor and answer
    finding_event     the audit log of a finding: every change of status (from, to), assignee,
                      due date or answer (`kind`, old → new), when, by whom, comment
    indicator_value   the quality indicators per unit of a period, as its last pattern run
                      computed them (reports read them instead of every episode)
    app_user          people who log in to the web application: name, role, Argon2 hash
    web_session       server-side login sessions: hash of the cookie's id, CSRF token, expiry
    api_token         tokens for the HTTP API: name, role, SHA-256 of the secret, revocation
    login_failure     failed logins (user name, client address, time) for throttling
    audit_sample      a record-review sample: period, strata, allocation, size, seed
    audit_stratum     a sample's strata: episodes in the period (N_h) and drawn (n_h)
    audit_episode     a drawn episode: stratum, inclusion probability, and the coded content
                      and kodevakt's rules that fired on it when it was drawn
    audit_review      one auditor's review of a drawn episode: verdict, codes, reasons

An episode is identified by (period, institution, episode id); `institution` is '' when the
extract does not name one, so that the unique constraint holds on every database. Content is
stored as canonical JSON text (see `content.py`): the same text on SQLite and PostgreSQL, and
cheap to compare by its hash. Times are UTC.

A change here needs a new migration in `migrations/versions/` (a test compares the two).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

import_run = Table(
    "import_run",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(16), nullable=False),  # file | findings
    Column("period", String(16), nullable=False),
    Column("file", Text, nullable=True),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True), nullable=True),
    Column("status", String(16), nullable=False),  # running | ok | failed
    Column("message", Text, nullable=True),
    Column("records_read", Integer, nullable=False, default=0),
    Column("rejected", Integer, nullable=False, default=0),
    Column("duplicates", Integer, nullable=False, default=0),
    Column("episodes_new", Integer, nullable=False, default=0),
    Column("episodes_changed", Integer, nullable=False, default=0),
    Column("episodes_unchanged", Integer, nullable=False, default=0),
    Column("findings_new", Integer, nullable=False, default=0),
    Column("findings_reopened", Integer, nullable=False, default=0),
    Column("findings_fixed", Integer, nullable=False, default=0),
)

import_rejection = Table(
    "import_rejection",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("import_id", Integer, ForeignKey("import_run.id"), nullable=False, index=True),
    Column("line", Integer, nullable=False),
    Column("field", String(128), nullable=True),
    Column("message", Text, nullable=False),
)

episode = Table(
    "episode",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("period", String(16), nullable=False),
    Column("institution", String(64), nullable=False),
    Column("episode_id", String(128), nullable=False),
    Column("patient_id", String(128), nullable=True),
    Column("department", String(64), nullable=True),
    Column("care_level", String(16), nullable=True),
    Column("admission", DateTime, nullable=True),
    Column("discharge", DateTime, nullable=True),
    Column("content", Text, nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("version", Integer, nullable=False),
    Column("source_file", Text, nullable=True),
    Column("source_line", Integer, nullable=True),
    Column("first_import_id", Integer, ForeignKey("import_run.id"), nullable=False),
    Column("last_import_id", Integer, ForeignKey("import_run.id"), nullable=False),
    Column("changed_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("period", "episode_id", "institution"),
    Index(None, "period", "institution", "department"),
    Index(None, "last_import_id"),
)

episode_version = Table(
    "episode_version",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("episode_ref", Integer, ForeignKey("episode.id"), nullable=False, index=True),
    Column("version", Integer, nullable=False),  # the version this change created
    Column("changed_at", DateTime(timezone=True), nullable=False),
    Column("import_id", Integer, ForeignKey("import_run.id"), nullable=False),
    Column("previous_content", Text, nullable=False),
    Column("changes", Text, nullable=False),  # JSON: {field: [old, new]}
)

finding = Table(
    "finding",
    metadata,
    Column("key", String(32), primary_key=True),
    Column("scope", String(8), nullable=False),  # episode | batch
    Column("period", String(16), nullable=False),
    Column("institution", String(64), nullable=False),
    Column("department", String(64), nullable=True),
    Column("episode_id", String(128), nullable=False),
    Column("rule", String(16), nullable=False),
    Column("name", String(128), nullable=False),
    Column("severity", String(16), nullable=False),
    Column("message", Text, nullable=False),
    Column("codes", Text, nullable=False),  # space-separated
    Column("location", String(128), nullable=False),
    Column("source", Text, nullable=False),
    Column("suggestion", Text, nullable=True),
    Column("rule_year", Integer, nullable=False),
    Column("fix", Text, nullable=True),  # JSON of Fix.to_dict()
    Column("episodes", Text, nullable=True),  # unit findings: JSON list of the episode ids
    Column("status", String(16), nullable=False),  # open | fixed | accepted | asked
    Column("comment", Text, nullable=True),
    Column("changed_by", String(128), nullable=True),
    Column("changed_at", DateTime(timezone=True), nullable=False),
    Column("first_seen_at", DateTime(timezone=True), nullable=False),
    Column("last_seen_import_id", Integer, ForeignKey("import_run.id"), nullable=False),
    # the worklog (`worklog.py`): who works on it, by when, and the question to the doctor
    Column("assignee", String(128), nullable=True),
    Column("due_date", Date, nullable=True),  # None: the period's correction deadline
    Column("question", Text, nullable=True),
    Column("asked_by", String(128), nullable=True),
    Column("asked_at", DateTime(timezone=True), nullable=True),
    Column("answer", Text, nullable=True),
    Column("answered_by", String(128), nullable=True),
    Column("answered_at", DateTime(timezone=True), nullable=True),
    Index(None, "period", "institution", "episode_id"),
    Index(None, "period", "status", "rule"),
    Index(None, "assignee", "status"),
)

finding_event = Table(
    "finding_event",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", String(32), ForeignKey("finding.key"), nullable=False, index=True),
    Column("from_status", String(16), nullable=False),
    Column("to_status", String(16), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("by", String(128), nullable=True),
    Column("comment", Text, nullable=True),
    Column("import_id", Integer, ForeignKey("import_run.id"), nullable=True),
    # status | assignee | due_date | answer; for the last three the status stays (from = to)
    # and old_value → new_value is the change
    Column("kind", String(16), nullable=False, server_default="status"),
    Column("old_value", Text, nullable=True),
    Column("new_value", Text, nullable=True),
)

indicator_value = Table(
    "indicator_value",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("period", String(16), nullable=False, index=True),
    Column("run_id", Integer, ForeignKey("import_run.id"), nullable=False),
    Column("unit_kind", String(16), nullable=False),  # total | institution | department
    Column("unit", String(200), nullable=False),
    Column("institution", String(64), nullable=True),
    Column("indicator", String(64), nullable=False),
    Column("numerator", Float, nullable=False),
    Column("denominator", Integer, nullable=False),
    Column("value", Float, nullable=False),
    Column("spread", Float, nullable=True),
)

app_user = Table(
    "app_user",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(128), nullable=False, unique=True),
    Column("role", String(16), nullable=False),  # coder | lead | admin
    Column("password_hash", Text, nullable=True),  # None: logs in through another provider
    Column("active", Boolean, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_login_at", DateTime(timezone=True), nullable=True),
)

web_session = Table(
    "web_session",
    metadata,
    Column("id_hash", String(64), primary_key=True),  # SHA-256 of the cookie's value
    Column("user_id", Integer, ForeignKey("app_user.id"), nullable=False, index=True),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_seen_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False, index=True),
)

api_token = Table(
    "api_token",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(128), nullable=False, unique=True),
    Column("role", String(16), nullable=False),
    Column("secret_hash", String(64), nullable=False, unique=True),  # SHA-256 hex
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_used_at", DateTime(timezone=True), nullable=True),
    Column("revoked_at", DateTime(timezone=True), nullable=True),
)

login_failure = Table(
    "login_failure",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("user_name", String(128), nullable=False, index=True),
    Column("client", String(64), nullable=False, index=True),
    Column("at", DateTime(timezone=True), nullable=False, index=True),
)

audit_sample = Table(
    "audit_sample",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("period", String(16), nullable=False),
    Column("institution", String(64), nullable=False),  # "" for every institution
    Column("strata", String(128), nullable=False),  # "" (simple) or variables, comma-separated
    Column("allocation", String(16), nullable=False),  # proportional | equal
    Column("size", Integer, nullable=False),  # the size asked for
    Column("seed", BigInteger, nullable=False),
    Column("population", Integer, nullable=False),  # episodes in the frame
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", String(128), nullable=True),
    UniqueConstraint("period", "institution", "strata", "allocation", "size", "seed"),
)

audit_stratum = Table(
    "audit_stratum",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("sample_id", Integer, ForeignKey("audit_sample.id"), nullable=False),
    Column("stratum", String(200), nullable=False),
    Column("population", Integer, nullable=False),
    Column("drawn", Integer, nullable=False),
    UniqueConstraint("sample_id", "stratum"),
)

audit_episode = Table(
    "audit_episode",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("sample_id", Integer, ForeignKey("audit_sample.id"), nullable=False),
    Column("position", Integer, nullable=False),  # 1, 2, … in the worksheet
    Column("stratum", String(200), nullable=False),
    Column("probability", Float, nullable=False),
    Column("institution", String(64), nullable=False),
    Column("episode_id", String(128), nullable=False),
    Column("department", String(64), nullable=True),
    Column("content", Text, nullable=False),  # the episode as coded when drawn (content.py)
    Column("rules", Text, nullable=False),  # space-separated rules of its findings then
    UniqueConstraint("sample_id", "position"),
    UniqueConstraint("sample_id", "institution", "episode_id"),
)

audit_review = Table(
    "audit_review",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("episode_ref", Integer, ForeignKey("audit_episode.id"), nullable=False, index=True),
    Column("auditor", String(128), nullable=False),
    Column("verdict", String(16), nullable=False),  # right | changed | not-assessable
    Column("conditions", Text, nullable=True),  # JSON code groups: the auditor's codes
    Column("procedures", Text, nullable=True),
    Column("reasons", String(200), nullable=False),  # space-separated reason codes
    Column("comment", Text, nullable=True),
    Column("source", Text, nullable=False),  # the file imported, or "web"
    Column("reviewed_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("episode_ref", "auditor"),
)
