"""The API docs page's Swagger UI: the files copied from swagger-ui-dist by
.ci/update-swagger-ui, served by the app itself (never a CDN)."""

import hashlib
import re
from pathlib import Path

from procure.docs import SWAGGER_UI_DIR

ROOT = Path(__file__).resolve().parents[2]
UPDATE_SCRIPT = ROOT / ".ci" / "update-swagger-ui"
ASSETS = "/api/v1/docs/assets/"


def _pinned_version() -> str:
    pins = re.findall(r'^SWAGGER_UI_VERSION="([^"]+)"$', UPDATE_SCRIPT.read_text(), re.MULTILINE)
    assert len(pins) == 1, f"one SWAGGER_UI_VERSION pin in {UPDATE_SCRIPT}"
    return pins[0]


def test_the_served_swagger_ui_is_the_version_the_update_script_pins(client):
    version = _pinned_version()
    assert client.get(ASSETS + "VERSION").text.strip() == version
    bundle = client.get(ASSETS + "swagger-ui-bundle.js")
    # swagger-ui-dist's bundle carries its own package version
    assert f'PACKAGE_VERSION:"{version}"' in bundle.text


def test_the_copied_files_are_as_npm_gave_them():
    sums = (SWAGGER_UI_DIR / "SHA256SUMS").read_text().splitlines()
    listed = dict(reversed(line.split(maxsplit=1)) for line in sums)
    assert set(listed) >= {"swagger-ui-bundle.js", "swagger-ui.css", "LICENSE"}
    for name, digest in listed.items():
        assert hashlib.sha256((SWAGGER_UI_DIR / name).read_bytes()).hexdigest() == digest, name
    # nothing else in the folder than the copied files and the two the script writes
    assert {path.name for path in SWAGGER_UI_DIR.iterdir()} == set(listed) | {
        "VERSION",
        "SHA256SUMS",
    }


def test_the_docs_page_loads_only_copied_files_and_its_own_scripts(client):
    page = client.get("/api/v1/docs")
    listed = {line.split()[1] for line in (SWAGGER_UI_DIR / "SHA256SUMS").read_text().splitlines()}
    assets = re.findall(rf'(?:src|href)="{ASSETS}([^"]+)"', page.text)
    assert sorted(assets) == ["swagger-ui-bundle.js", "swagger-ui.css"]
    assert set(assets) <= listed
    for asset in assets:
        assert client.get(ASSETS + asset).status_code == 200
    assert "<script>" not in page.text  # no inline script: the CSP allows only 'self'
