"""Property-based test of the API from its own OpenAPI schema (schemathesis): generated
requests, valid and not, must never cause a 500 or a response that breaks the schema."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, settings  # noqa: E402
from schemathesis.specs.openapi.checks import positive_data_acceptance  # noqa: E402

from matcher.web.app import create_app  # noqa: E402
from matcher.web.engine import Engine  # noqa: E402

pytestmark = pytest.mark.slow
# Small in CI (the run must stay short); raise it locally: MATCHER_SCHEMA_EXAMPLES=500.
EXAMPLES = int(os.environ.get("MATCHER_SCHEMA_EXAMPLES", "25"))

# The schema does not depend on the index, so the app is made at import (cheap, no model) and
# given the mini index's matcher by the fixture below, only when these tests run.
app = create_app(engine=Engine(loader=lambda: None),
                 feedback_path=Path(tempfile.mkdtemp(prefix="matcher-schema-")) / "fb.sqlite")
schema = schemathesis.openapi.from_asgi("/openapi.json", app)


@pytest.fixture(autouse=True, scope="module")
def loaded(mini_matcher):
    app.state.engine = Engine(matcher=mini_matcher)


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                 HealthCheck.function_scoped_fixture])
def test_api_conforms_to_its_schema(case):
    # A schema-valid request may still be refused with 422 where validity depends on the index
    # (a region or entity id it does not hold) or on a file's content (an upload that is not
    # a table): there, "valid by the schema" does not have to mean accepted.
    depends = case.operation.path in ("/match", "/batch")
    case.call_and_validate(excluded_checks=[positive_data_acceptance] if depends else None)
