"""Bytes handed to the user as a file to save: one way to answer with them."""

from __future__ import annotations

import io

from flask import Response, send_file


def attachment(content: bytes, mimetype: str, filename: str) -> Response:
    """`content` as a download named `filename` (the name is quoted and encoded by Werkzeug)."""
    return send_file(
        io.BytesIO(content), mimetype=mimetype, as_attachment=True, download_name=filename
    )
