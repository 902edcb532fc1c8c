from pathlib import Path

import pytest

from procure import create_app
from procure.settings import SettingsError, database_uri, load_settings


def test_defaults_apply_without_any_override(tmp_path):
    settings = load_settings(tmp_path, environ={})
    assert settings["max_upload_mb"] == 10
    assert settings["login_max_failures"] == 5
    assert settings["hours_per_fte_year"] == 2080


def test_instance_file_then_environment_then_config_argument(tmp_path):
    (tmp_path / "procure.toml").write_text(
        "max_upload_mb = 12\nlog_level = 'DEBUG'\nlogin_max_failures = 7\n"
    )
    environ = {"PROCURE_MAX_UPLOAD_MB": "15", "PROCURE_LOG_LEVEL": "WARNING"}
    settings = load_settings(tmp_path, environ=environ, overrides={"log_level": "ERROR"})
    assert settings["login_max_failures"] == 7  # instance file beats defaults
    assert settings["max_upload_mb"] == 15  # environment beats the instance file, typed as int
    assert settings["log_level"] == "ERROR"  # the config argument beats everything


def test_environment_values_take_the_type_of_the_default(tmp_path):
    settings = load_settings(tmp_path, environ={"PROCURE_SESSION_COOKIE_SECURE": "yes"})
    assert settings["session_cookie_secure"] is True
    with pytest.raises(SettingsError, match="PROCURE_MAX_UPLOAD_MB: expected a whole number"):
        load_settings(tmp_path, environ={"PROCURE_MAX_UPLOAD_MB": "ten"})


def test_unknown_key_in_instance_file_is_named(tmp_path):
    (tmp_path / "procure.toml").write_text("max_uplod_mb = 3\n")
    with pytest.raises(SettingsError, match="unknown setting 'max_uplod_mb'"):
        load_settings(tmp_path, environ={})


def test_database_url_defaults_to_sqlite_in_instance_and_postgres_uses_psycopg(tmp_path):
    assert (
        database_uri({"database_url": ""}, tmp_path) == f"sqlite:///{tmp_path / 'procure.sqlite3'}"
    )
    assert (
        database_uri({"database_url": "postgresql://u@h:5432/d"}, tmp_path)
        == "postgresql+psycopg://u@h:5432/d"
    )
    assert (
        database_uri({"database_url": "postgres://u@h/d"}, tmp_path) == "postgresql+psycopg://u@h/d"
    )


def test_factory_reads_environment_at_creation_not_import(tmp_path, monkeypatch):
    monkeypatch.setenv("PROCURE_MAX_UPLOAD_MB", "3")
    app = create_app({"secret_key": "x"}, instance_path=str(tmp_path))
    assert app.config["MAX_UPLOAD_MB"] == 3
    monkeypatch.setenv("PROCURE_MAX_UPLOAD_MB", "4")
    assert create_app({"secret_key": "x"}, instance_path=str(tmp_path)).config["MAX_UPLOAD_MB"] == 4


def test_generated_secret_key_is_kept_in_the_instance_folder(tmp_path):
    first = create_app(instance_path=str(tmp_path)).config["SECRET_KEY"]
    second = create_app(instance_path=str(tmp_path)).config["SECRET_KEY"]
    assert first == second and len(first) == 64
    assert (Path(tmp_path) / "secret_key").stat().st_mode & 0o077 == 0


def test_cookies_are_httponly_and_samesite(tmp_path):
    config = create_app({"secret_key": "x"}, instance_path=str(tmp_path)).config
    assert config["SESSION_COOKIE_HTTPONLY"] is True
    assert config["SESSION_COOKIE_SAMESITE"] == "Lax"
