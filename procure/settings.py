"""Settings: config/defaults.toml, then the instance file, then PROCURE_* environment variables.

Nothing here runs at import time; `load_settings` is called by `create_app`.
"""

from __future__ import annotations

import os
import secrets
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

_PACKAGE_DIR = Path(__file__).resolve().parent
ENV_PREFIX = "PROCURE_"
INSTANCE_FILE = "procure.toml"


class SettingsError(ValueError):
    """A setting has a value of the wrong type or an unknown name."""


def resource_dir(name: str) -> Path:
    """Folder of the top-level `config/` or `templates/`.

    In a source checkout they sit beside the package; an installed wheel carries them
    inside the package under `_bundled/`.
    """
    checkout = _PACKAGE_DIR.parent / name
    if (_PACKAGE_DIR.parent / "pyproject.toml").is_file() and checkout.is_dir():
        return checkout
    return _PACKAGE_DIR / "_bundled" / name


def read_toml(path: Path) -> dict[str, Any]:
    with open(path, "rb") as handle:
        return tomllib.load(handle)


def _coerce(key: str, raw: str, default: Any) -> Any:
    """Read an environment string with the type of the setting's default."""
    if isinstance(default, bool):
        lowered = raw.strip().lower()
        if lowered in {"1", "true", "yes", "on"}:
            return True
        if lowered in {"0", "false", "no", "off"}:
            return False
        raise SettingsError(f"{ENV_PREFIX}{key.upper()}: expected true or false, got {raw!r}")
    if isinstance(default, int):
        try:
            return int(raw)
        except ValueError:
            raise SettingsError(
                f"{ENV_PREFIX}{key.upper()}: expected a whole number, got {raw!r}"
            ) from None
    if isinstance(default, float):
        try:
            return float(raw)
        except ValueError:
            raise SettingsError(
                f"{ENV_PREFIX}{key.upper()}: expected a number, got {raw!r}"
            ) from None
    return raw


def load_settings(
    instance_path: Path,
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Merge the settings layers and return lower-case keys with their final values.

    Precedence, lowest first: config/defaults.toml, `<instance>/procure.toml`,
    `PROCURE_<KEY>` environment variables, then `overrides` (the `config` given to create_app).
    """
    environ = os.environ if environ is None else environ
    settings = read_toml(resource_dir("config") / "defaults.toml")
    instance_file = instance_path / INSTANCE_FILE
    if instance_file.is_file():
        for key, value in read_toml(instance_file).items():
            if key not in settings:
                raise SettingsError(f"{instance_file}: unknown setting {key!r}")
            settings[key] = value
    for key, default in list(settings.items()):
        env_key = ENV_PREFIX + key.upper()
        if env_key in environ:
            settings[key] = _coerce(key, environ[env_key], default)
    for key, value in (overrides or {}).items():
        settings[key.lower()] = value
    return settings


def database_uri(settings: Mapping[str, Any], instance_path: Path) -> str:
    """The SQLAlchemy URL, with PostgreSQL URLs pointed at the psycopg 3 driver."""
    url = settings.get("database_url") or ""
    if not url:
        return f"sqlite:///{instance_path / 'procure.sqlite3'}"
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def secret_key(settings: Mapping[str, Any], instance_path: Path) -> str:
    """The configured secret key, or one generated once and kept in the instance folder."""
    if settings.get("secret_key"):
        return settings["secret_key"]
    key_file = instance_path / "secret_key"
    if key_file.is_file():
        return key_file.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


def flask_config(settings: Mapping[str, Any], instance_path: Path) -> dict[str, Any]:
    """Translate settings into the Flask and extension configuration keys."""
    uri = database_uri(settings, instance_path)
    # hide_parameters: a failed statement is logged without its values (a password hash, a token)
    engine_options: dict[str, Any] = {"pool_pre_ping": True, "hide_parameters": True}
    if uri.startswith("postgresql"):
        engine_options.update(
            pool_size=settings["db_pool_size"],
            max_overflow=settings["db_max_overflow"],
            pool_recycle=settings["db_pool_recycle_seconds"],
        )
    config = {key.upper(): value for key, value in settings.items()}
    config.update(
        SECRET_KEY=secret_key(settings, instance_path),
        SQLALCHEMY_DATABASE_URI=uri,
        SQLALCHEMY_ENGINE_OPTIONS=engine_options,
        MAX_CONTENT_LENGTH=int(settings["max_request_mb"] * 1024 * 1024),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=bool(settings["session_cookie_secure"]),
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=bool(settings["session_cookie_secure"]),
        WTF_CSRF_CHECK_DEFAULT=False,
        WTF_CSRF_TIME_LIMIT=8 * 3600,
        API_TITLE="impact-procure API",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api/v1",
        OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH="docs",
        OPENAPI_SWAGGER_UI_URL="/api/v1/docs/assets/",
    )
    return config
