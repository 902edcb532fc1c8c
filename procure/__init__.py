"""impact-procure: the Flask application."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any


def create_app(config: Mapping[str, Any] | None = None, instance_path: str | None = None):
    """Build the application.

    `config` overrides every other settings layer (lower-case keys as in config/defaults.toml,
    or Flask keys in upper case). The instance folder defaults to PROCURE_INSTANCE_PATH or
    Flask's own choice.
    """
    # here: procure.app imports every model and blueprint (pandas included); `import procure`
    # and the analysis commands (`procure optimize/score/frontier`) must not load the web app
    from procure.app import build_app

    return build_app(config, Path(instance_path) if instance_path else None)
