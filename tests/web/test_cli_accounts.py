"""`kodevakt user …`, `kodevakt token …` and `kodevakt serve` as an administrator meets them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from kodevakt.cli import app
from kodevakt.storage import Store
from kodevakt.storage.accounts import Accounts, Role

runner = CliRunner()


def test_user_add_creates_the_database_and_hashes_the_password(tmp_path: Path) -> None:
    db = tmp_path / "ny.db"
    added = runner.invoke(
        app,
        ["user", "add", "kari", "--role", "lead", "--password-stdin", "--db", str(db)],
        input="et-langt-passord\n",
    )
    assert added.exit_code == 0, added.output
    assert "La til kari som leder." in added.output
    with Store(f"sqlite:///{db}") as store:
        accounts = Accounts(store.engine)
        assert accounts.authenticate("kari", "et-langt-passord", "x").role is Role.LEAD
    assert b"et-langt-passord" not in db.read_bytes()

    again = runner.invoke(
        app,
        ["user", "add", "kari", "--role", "coder", "--password-stdin", "--db", str(db)],
        input="et-annet-passord\n",
    )
    assert again.exit_code == 2 and "brukeren «kari» finnes allerede" in again.output
    short = runner.invoke(
        app,
        ["user", "add", "ola", "--role", "coder", "--password-stdin", "--db", str(db)],
        input="kort\n",
    )
    assert short.exit_code == 2 and "passordet må ha minst 10 tegn" in short.output
    listed = runner.invoke(app, ["user", "list", "--db", str(db)])
    assert "kari" in listed.stdout and "leder" in listed.stdout and "ola" not in listed.stdout


def test_an_unknown_role_is_refused(tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        ["user", "add", "kari", "--role", "sjef", "--password-stdin", "--db", str(tmp_path / "k")],
        input="et-langt-passord\n",
    )
    assert result.exit_code == 2
    assert not (tmp_path / "k").exists()


def test_token_is_printed_once_and_can_be_revoked(tmp_path: Path) -> None:
    db = str(tmp_path / "k.db")
    Store(db).close()
    created = runner.invoke(app, ["token", "create", "epj", "--role", "coder", "--db", db])
    assert created.exit_code == 0, created.output
    secret = created.stdout.strip()
    assert secret.startswith("kv_") and len(secret) > 40
    assert "vises ikke igjen" in created.stderr
    listed = runner.invoke(app, ["token", "list", "--db", db])
    assert "epj" in listed.stdout and "gyldig" in listed.stdout and secret not in listed.stdout
    with Store(db) as store:
        assert Accounts(store.engine).token_user(secret) is not None
    revoked = runner.invoke(app, ["token", "revoke", "epj", "--db", db])
    assert revoked.exit_code == 0
    with Store(db) as store:
        assert Accounts(store.engine).token_user(secret) is None
    assert runner.invoke(app, ["token", "revoke", "epj", "--db", db]).exit_code == 2


def test_token_commands_refuse_a_missing_database(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["token", "create", "epj", "--role", "coder", "--db", str(tmp_path / "feil.db")]
    )
    assert result.exit_code == 2 and "finnes ikke" in result.output


def test_serve_starts_uvicorn_with_safe_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import uvicorn

    db = str(tmp_path / "k.db")
    Store(db).close()
    seen: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda application, **kw: seen.update(kw, app=application))
    result = runner.invoke(app, ["serve", "--db", db, "--port", "8123"])
    assert result.exit_code == 0, result.output
    assert "kodevakt kjører på http://127.0.0.1:8123/" in result.output
    assert "Ingen brukere ennå" in result.output
    assert seen["host"] == "127.0.0.1" and seen["port"] == 8123
    assert seen["access_log"] is False
    settings = seen["app"].state.services.settings
    assert settings.secure_cookies is True and settings.drg_definitions is None
    seen["app"].state.services.store.close()


def test_serve_refuses_what_it_cannot_open(tmp_path: Path) -> None:
    missing_db = runner.invoke(app, ["serve", "--db", str(tmp_path / "feil.db")])
    assert missing_db.exit_code == 2 and "finnes ikke" in missing_db.output
    db = str(tmp_path / "k.db")
    Store(db).close()
    missing_units = runner.invoke(app, ["serve", "--db", db, "--units", str(tmp_path / "u.csv")])
    assert missing_units.exit_code == 2 and "enhetsfilen" in missing_units.output
    bad_tables = runner.invoke(
        app, ["serve", "--db", db, "--definitions", str(tmp_path / "ingen-tabeller")]
    )
    assert bad_tables.exit_code == 2
