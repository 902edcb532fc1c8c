"""Evidence uploads: type checked by content as well as by name, given a generated name.

Checking only: the bytes are kept by the evidence store (procure.disclosures.evidence_store),
which the service calls once the file passed, so a refused file is never stored anywhere."""

from __future__ import annotations

import csv
import hashlib
import io
import re
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path

from werkzeug.utils import secure_filename

# extension -> (content type, what the content must look like)
ALLOWED_TYPES = {
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".csv": "text/csv",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

# the names `check_upload` generates: a random hex and the extension (nothing of the upload's
# name), so a key or file of another shape in a store or folder is not an evidence file
_GENERATED_NAME = re.compile(
    r"[0-9a-f]{32}(" + "|".join(re.escape(e) for e in ALLOWED_TYPES) + r")", re.ASCII
)


def is_generated_name(name: str) -> bool:
    """Whether `name` has the shape of a stored name that `check_upload` generates."""
    return _GENERATED_NAME.fullmatch(name) is not None


class EvidenceRejected(ValueError):
    """The file may not be stored; `status` is 413 for size and 422 for type."""

    def __init__(self, message: str, status: int = 422):
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class StoredFile:
    filename: str
    stored_name: str
    content_type: str
    size: int
    sha256: str


def _detected_kind(content: bytes) -> str | None:
    """What the bytes are, judged by their content alone."""
    if content.startswith(b"%PDF-"):
        return ".pdf"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return ".png"
    if content.startswith(b"\xff\xd8\xff"):
        return ".jpg"
    if content.startswith(b"PK\x03\x04"):
        try:
            names = set(zipfile.ZipFile(io.BytesIO(content)).namelist())
        except zipfile.BadZipFile:
            return None
        if "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names):
            return ".xlsx"
        return None
    if b"\x00" in content:
        return None
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    if text.lstrip().startswith(
        ("<", "#!")
    ):  # markup (HTML, SVG, XML) or a script: text, not a table
        return None
    rows = list(csv.reader(io.StringIO(text[:65536])))
    if rows and max(len(row) for row in rows) >= 2:
        return ".csv"
    return None


def check_upload(filename: str, content: bytes, max_bytes: int) -> StoredFile:
    """Check the file's size and type (name and content must agree) and name it for storing.

    The stored name is generated, so nothing in the uploaded name reaches any store's keys.
    """
    if len(content) > max_bytes:
        raise EvidenceRejected(
            f"The file is {len(content) / 1_048_576:.1f} MB; "
            f"the limit is {max_bytes / 1_048_576:.0f} MB.",
            status=413,
        )
    if not content:
        raise EvidenceRejected("The file is empty.")
    display_name = secure_filename(filename or "") or "evidence"
    extension = Path(display_name).suffix.lower()
    if extension not in ALLOWED_TYPES:
        raise EvidenceRejected(
            f"Files of type {extension or '(none)'!r} are not accepted: "
            "use PDF, PNG, JPEG, CSV or XLSX."
        )
    detected = _detected_kind(content)
    same_kind = detected == extension or {detected, extension} == {".jpg", ".jpeg"}
    if not same_kind:
        content_kind = (
            "not a type we accept"
            if detected is None
            else "a " + detected.lstrip(".").upper() + " file"
        )
        raise EvidenceRejected(f"The file is named {extension} but its content is {content_kind}.")
    digest = hashlib.sha256(content).hexdigest()
    stored_name = f"{uuid.uuid4().hex}{extension}"
    return StoredFile(display_name, stored_name, ALLOWED_TYPES[extension], len(content), digest)
