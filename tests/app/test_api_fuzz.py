"""schemathesis against the API's own OpenAPI document, in process: every operation, with
generated parameters and bodies, sent as a buyer, a vendor, an executive and an admin, over
records of every kind. No answer may be a server error.

Its first run (against the demo) found ids past the database's integer range answering 500 and
an organization name equal but for non-ASCII case reaching the unique index (see test_errors.py).
"""

import contextvars

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from tests.app.test_scenarios import world  # noqa: F401  (the fixture)
from tests.conftest import valid_document

EXAMPLES_PER_OPERATION = 6
SENT: list[str] = []  # the path of every request the fuzzer sent


@pytest.fixture
def api_schema(app):
    def isolated(environ, start_response):  # each request in its own contexts, as under a server
        SENT.append(environ["PATH_INFO"])
        return contextvars.Context().run(app, environ, start_response)

    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", isolated)


@pytest.fixture
def role_headers(client, world, make_user, make_vendor, bearer):
    organization = world["buyer"].organization
    vendor, vendor_user = make_vendor("Fuzzed vendor")
    vendor_headers = bearer(vendor_user)
    disclosure = client.post("/api/v1/disclosures", headers=vendor_headers,
                             json={"vendor_id": vendor.id, **valid_document()}).json
    client.post(f"/api/v1/disclosures/{disclosure['id']}/submit", headers=vendor_headers)
    client.post("/api/v1/scenarios", headers=world["headers"], json={"name": "Plan", "need_ids": [world["need"]["id"]]})
    return {"buyer": world["headers"], "vendor": vendor_headers,
            "executive": bearer(make_user("executive", organization=organization)),
            "admin": bearer(make_user("admin", organization=organization))}


def test_no_operation_answers_a_server_error(api_schema, role_headers):
    # driven by hand: schemathesis' pytest decorator does not run under pytest 9
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 60
    SENT.clear()
    for operation in operations:
        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, derandomize=True,
                  suppress_health_check=list(HealthCheck), database=None)
        def no_server_error(case):
            for headers in role_headers.values():
                case.call_and_validate(headers=headers, checks=[not_a_server_error])

        no_server_error()
    assert len(SENT) >= 4 * len(operations)  # every operation, as every role
