"""Every list of the API comes a page at a time.

A list route takes `page` (from 1) and `page_size` (1 to `MAX_PAGE_SIZE`, `PAGE_SIZE` when not
given) in its query, answers 422 naming the parameter for anything else, and keeps answering a
JSON array: the page's items, in a stable order (each list orders by a unique key last). How many
there are in all and where the other pages are travel in two headers, so a client that reads
only the array keeps working:

- `X-Pagination`: `{"total", "total_pages", "first_page", "last_page", "page",
  "previous_page", "next_page"}` (flask-smorest's own metadata);
- `Link`: RFC 8288 links `first`, `prev`, `next` and `last`, each the same request with another
  `page`.

A route pages a select in SQL (`page_of_select`: a count and one LIMIT/OFFSET query), or a list
it had to build in Python (`page_of_list`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

from flask import request
from flask_smorest import Blueprint as SmorestBlueprint
from sqlalchemy import Select, String, cast

from procure.paging import page_of_items, page_of_rows

PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000


class Blueprint(SmorestBlueprint):
    """flask-smorest's Blueprint with this API's page sizes and a `Link` header."""

    DEFAULT_PAGINATION_PARAMETERS = {
        "page": 1,
        "page_size": PAGE_SIZE,
        "max_page_size": MAX_PAGE_SIZE,
    }

    def _set_pagination_metadata(self, page_params, result, headers):
        result, headers = super()._set_pagination_metadata(page_params, result, headers)
        metadata = self._make_pagination_metadata(
            page_params.page, page_params.page_size, page_params.item_count
        )
        links = [
            f'<{_page_url(metadata[key])}>; rel="{rel}"'
            for key, rel in (
                ("first_page", "first"),
                ("previous_page", "prev"),
                ("next_page", "next"),
                ("last_page", "last"),
            )
            if key in metadata
        ]
        if links:
            headers["Link"] = ", ".join(links)
        return result, headers

    def _document_pagination_metadata(self, spec, resp_doc):
        super()._document_pagination_metadata(spec, resp_doc)
        resp_doc["headers"]["Link"] = {
            "description": "RFC 8288 links to the `first`, `prev`, `next` and `last` pages (the "
            "same request with another `page`; `prev` and `next` only where there is one)",
            "schema": {"type": "string"},
        }


def _page_url(page: int) -> str:
    """This request's path and query with another `page` (every other parameter kept)."""
    pairs = [(key, value) for key, value in request.args.items(multi=True) if key != "page"]
    return f"{request.path}?{urlencode([*pairs, ('page', str(page))])}"


def page_of_select(statement: Select[Any], pagination_parameters) -> list[Any]:
    """The requested page of the records `statement` selects (ordered by the caller), counting
    them all for the headers."""
    page = page_of_rows(statement, pagination_parameters.page, pagination_parameters.page_size)
    pagination_parameters.item_count = page.total
    return page.items


def page_of_list(items: Sequence[Any], pagination_parameters) -> list[Any]:
    """The requested page of a list built whole."""
    page = page_of_items(items, pagination_parameters.page, pagination_parameters.page_size)
    pagination_parameters.item_count = page.total
    return page.items


def json_list_holds(column, value: str):
    """A SQL condition: the JSON list in `column` holds the string `value` (or, in a larger
    document, some string of it is `value`), the same on SQLite and PostgreSQL (both keep the
    JSON text as SQLAlchemy wrote it, `json.dumps`, so the quoted value appears in it exactly as
    `json.dumps(value)` writes it)."""
    quoted = json.dumps(value).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return cast(column, String).like(f"%{quoted}%", escape="\\")
