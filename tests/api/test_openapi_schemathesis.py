"""Schemathesis against the API's own OpenAPI document, in process (WSGI), with a write
key: every operation, positive and negative examples, no 500 and every response as
documented (status, media type, body). Examples are bounded so this takes seconds."""

from __future__ import annotations

import json

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from api.keys import api_key_create
from api.service import api
from deals.models import Stage
from tests.factories import (
    ConcernFactory,
    DealFactory,
    OutcomeMetricFactory,
    ReviewFactory,
    TermFactory,
    department,
)


@pytest.fixture
def api_key(db, personas, partnership, settings):
    settings.ALLOWED_HOSTS = ["*"]
    settings.API_RATE_LIMIT_PER_MINUTE = 100_000
    cache.clear()
    # Something behind the ids Schemathesis tries: deals 1.. of every kind, a review,
    # terms, a concern and a metric, all the owner's or Legal's.
    for stage in (Stage.INTAKE, Stage.REVIEW, Stage.NEGOTIATION):
        deal = DealFactory(partnership=partnership, owner=personas.legal, stage=stage)
        ReviewFactory(deal=deal, department=department("legal"))
        TermFactory(deal=deal, department=department("legal"))
        ConcernFactory(deal=deal)
        OutcomeMetricFactory(deal=deal)
    DealFactory(partnership=partnership, owner=personas.owner, confidential=True)
    _, raw = api_key_create(
        user=personas.legal, owner=personas.legal, name="Schemathesis", scope="write"
    )
    # Schemathesis calls the WSGI handler itself, which would close the test's database
    # connection at each request's end; Django's test client holds these off the same way.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield raw
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


# The document as served (test_the_served_document_is_the_one_tested checks it is the
# same): loaded at collection, so each operation is a test of its own. (schemathesis'
# lazy from_fixture does not run under pytest 9.)
DOCUMENT = json.loads(json.dumps(api.get_openapi_schema(path_prefix="/api/v1/")))
schema = schemathesis.openapi.from_dict(DOCUMENT)
schema.app = get_wsgi_application()


@pytest.mark.django_db
def test_the_served_document_is_the_one_tested(client):
    served = client.get("/api/v1/openapi.json").json()
    assert served == DOCUMENT


@schema.parametrize()
@settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_answers_as_its_openapi_document_says(case, api_key):
    # A write may be refused (422) by a rule no JSON Schema says: a metric's target date
    # after its start, one check-in a day, none in the future. Everything else is checked,
    # refusing schema-violating data included.
    excluded = [positive_data_acceptance] if case.method == "POST" else []
    case.call_and_validate(headers={"Authorization": f"Bearer {api_key}"}, excluded_checks=excluded)
