"""The JSON API: the pages' access rules, key scopes and states, problem details,
the verdict's stamp, paging and its query budget."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from api.keys import api_key_revoke
from api.models import ApiKey
from deals.models import Stage
from stakeholders.models import ReviewStatus
from stakeholders.signoff import current_terms_stamp
from tests.factories import (
    DealFactory,
    OutcomeMetricFactory,
    ReviewFactory,
    TermFactory,
    department,
)

pytestmark = pytest.mark.django_db
PROBLEM = "application/problem+json"


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["status"] == status and body["title"] and body["detail"] and body["type"]
    return body


def test_the_openapi_document_is_served_and_lists_errors_as_problems(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    verdict = paths["/api/v1/reviews/{review_id}/verdict"]["post"]["responses"]
    assert PROBLEM in verdict["409"]["content"] and "application/json" in verdict["200"]["content"]


def test_no_key_unknown_key_revoked_and_expired_keys_get_401(client, personas, key_for, api):
    assert_problem(client.get("/api/v1/deals"), 401)
    assert_problem(api("dd_nothing_here").get("/deals"), 401)
    raw = key_for(personas.owner)
    key = ApiKey.objects.get(owner=personas.owner)
    api_key_revoke(key=key, user=personas.owner)
    assert "revoked" in assert_problem(api(raw).get("/deals"), 401)["detail"]
    expired = key_for(personas.owner, expires_at=timezone.now() - dt.timedelta(minutes=1))
    assert "expired" in assert_problem(api(expired).get("/deals"), 401)["detail"]


def test_the_key_is_stored_only_as_a_hash_and_its_use_is_noted(personas, key_for, api):
    raw = key_for(personas.owner, scope="read")
    key = ApiKey.objects.get()
    assert raw not in (key.key_hash, key.prefix) and key.prefix in raw
    assert api(raw).get("/deals").status_code == 200
    key.refresh_from_db()
    assert key.last_used_at is not None and key.last_used_ip == "127.0.0.1"


def test_an_outsider_gets_404_for_a_confidential_deal_and_does_not_see_it_listed(
    personas, partnership, key_for, api
):
    secret = DealFactory(partnership=partnership, owner=personas.owner, confidential=True)
    open_deal = DealFactory(partnership=partnership, owner=personas.owner)
    outsider = api(key_for(personas.outsider, scope="read"))
    assert_problem(outsider.get(f"/deals/{secret.pk}"), 404)
    assert_problem(outsider.get(f"/deals/{secret.pk}/terms"), 404)
    listed = outsider.get("/deals").json()
    assert [d["id"] for d in listed["items"]] == [open_deal.pk]
    owner = api(key_for(personas.owner, scope="read"))
    assert owner.get(f"/deals/{secret.pk}").json()["title"] == secret.title
    assert owner.get("/deals").json()["count"] == 2


def test_deals_filter_by_stage_partner_kind_and_words(personas, partnership, key_for, api):
    DealFactory(partnership=partnership, owner=personas.owner, title="Cloud contract")
    DealFactory(
        partnership=partnership, owner=personas.owner, title="Fleet", stage=Stage.NEGOTIATION
    )
    client = api(key_for(personas.owner, scope="read"))
    assert [d["title"] for d in client.get("/deals", q="cloud").json()["items"]] == [
        "Cloud contract"
    ]
    assert client.get("/deals", stage="negotiation").json()["count"] == 1
    kind = partnership.partner.kind
    assert client.get("/deals", partner_kind=kind).json()["count"] == 2
    assert_problem(client.get("/deals", stage="nowhere"), 422)
    body = assert_problem(client.get("/deals", limit=1000), 422)
    assert body["errors"][0]["field"] == "limit"


def test_a_read_key_cannot_write(personas, deal, key_for, api):
    reader = api(key_for(personas.owner, scope="read"))
    response = reader.post(f"/deals/{deal.pk}/concerns", {"title": "Risk", "detail": "Why."})
    assert "only read" in assert_problem(response, 403)["detail"]


def test_concerns_are_raised_through_the_service_and_its_rule(personas, deal, key_for, api):
    response = api(key_for(personas.legal)).post(
        f"/deals/{deal.pk}/concerns", {"title": "Data residency", "detail": "EU only."}
    )
    assert response.status_code == 201, response.content
    assert deal.concerns.get().raised_by == personas.legal
    listed = api(key_for(personas.owner, scope="read")).get(f"/deals/{deal.pk}/concerns").json()
    assert [c["title"] for c in listed] == ["Data residency"]
    refused = api(key_for(personas.outsider)).post(
        f"/deals/{deal.pk}/concerns", {"title": "Mine", "detail": "Nosy."}
    )
    assert_problem(refused, 403)
    invalid = api(key_for(personas.owner)).post(f"/deals/{deal.pk}/concerns", {"title": ""})
    fields = {error["field"] for error in assert_problem(invalid, 422)["errors"]}
    assert {"title", "detail"} <= fields


def test_a_reviewer_gives_a_verdict_only_for_their_department_and_with_a_fresh_stamp(
    personas, deal, key_for, api
):
    review = ReviewFactory(deal=deal, department=department("legal"))
    TermFactory(deal=deal, department=department("legal"))
    legal = api(key_for(personas.legal))
    [listed] = legal.get("/reviews").json()["items"]
    assert listed["terms_stamp"] == current_terms_stamp(review)
    refused = api(key_for(personas.it)).post(
        f"/reviews/{review.pk}/verdict",
        {"verdict": "approve", "terms_stamp": listed["terms_stamp"]},
    )
    assert assert_problem(refused, 403)
    stale = legal.post(f"/reviews/{review.pk}/verdict", {"verdict": "approve", "terms_stamp": ""})
    body = assert_problem(stale, 409)
    assert body["terms_stamp"] == listed["terms_stamp"]
    given = legal.post(
        f"/reviews/{review.pk}/verdict", {"verdict": "approve", "terms_stamp": body["terms_stamp"]}
    )
    assert given.status_code == 200 and given.json()["status"] == ReviewStatus.APPROVED
    review.refresh_from_db()
    assert review.verdict_channel == "api"  # kept on the review, as "web" and "email" are
    again = legal.post(
        f"/reviews/{review.pk}/verdict",
        {"verdict": "reject", "text": "Late.", "terms_stamp": body["terms_stamp"]},
    )
    assert_problem(again, 409)
    needs_text = api(key_for(personas.it)).post(
        f"/reviews/{ReviewFactory(deal=deal, department=department('it')).pk}/verdict",
        {"verdict": "reject", "terms_stamp": body["terms_stamp"]},
    )
    assert_problem(needs_text, 422)


def test_check_ins_are_recorded_through_the_metrics_service(personas, deal, key_for, api):
    metric = OutcomeMetricFactory(deal=deal)
    owner = api(key_for(personas.owner))
    today = timezone.localdate().isoformat()
    created = owner.post(f"/metrics/{metric.pk}/check-ins", {"date": today, "actual": "42.5"})
    assert created.status_code == 201, created.content
    [listed] = owner.get(f"/deals/{deal.pk}/metrics").json()
    assert Decimal(listed["latest_value"]) == Decimal("42.5") and len(listed["check_ins"]) == 1
    twice = owner.post(f"/metrics/{metric.pk}/check-ins", {"date": today, "actual": "1"})
    assert assert_problem(twice, 422)["errors"][0]["field"] == "date"
    refused = api(key_for(personas.legal)).post(
        f"/metrics/{metric.pk}/check-ins", {"date": today, "actual": "1"}
    )
    assert_problem(refused, 403)


def test_the_rate_limit_answers_429_with_retry_after(personas, key_for, api, settings):
    settings.API_RATE_LIMIT_PER_MINUTE = 2
    client = api(key_for(personas.owner, scope="read"))
    assert client.get("/deals").status_code == 200
    assert client.get("/deals").status_code == 200
    response = client.get("/deals")
    assert_problem(response, 429)
    assert 1 <= int(response["Retry-After"]) <= 60


def test_a_nul_byte_is_a_problem_not_a_500(personas, key_for, api):
    assert_problem(api(key_for(personas.owner)).get("/deals", q="a\x00b"), 400)


@pytest.mark.parametrize("size", [3, 30])
def test_a_deal_page_costs_the_same_queries_whatever_the_size(
    personas, partnership, key_for, api, django_assert_max_num_queries, size
):
    DealFactory.create_batch(size, partnership=partnership, owner=personas.owner)
    client = api(key_for(personas.owner, scope="read"))
    client.get("/deals")  # the key's first use writes last_used_at
    # key + count + page, in the request's savepoint (its last use is noted once a minute)
    with django_assert_max_num_queries(5):
        response = client.get("/deals", limit=100)
    assert response.json()["count"] == size


@pytest.mark.parametrize("size", [2, 20])
def test_a_review_page_costs_the_same_queries_whatever_the_size(
    personas, key_for, api, django_assert_max_num_queries, size
):
    for _ in range(size):
        review = ReviewFactory(department=department("legal"))
        TermFactory(deal=review.deal, department=department("legal"))
    client = api(key_for(personas.legal, scope="read"))
    client.get("/reviews")
    # key + count + page + the terms of the page's deals, in the request's savepoint
    with django_assert_max_num_queries(6):
        response = client.get("/reviews", limit=100)
    assert response.json()["count"] == size


def test_the_keys_page_shows_a_new_key_once_and_revokes_it(client_for, personas):
    client = client_for(personas.owner)
    response = client.post(
        "/settings/api-keys/", {"name": "CRM", "scope": "read", "expires_in_days": "30"}
    )
    assert response.status_code == 200
    key = ApiKey.objects.get(owner=personas.owner)
    assert response.context["created"].startswith(f"dd_{key.prefix}_")
    assert response.context["created"] not in client.get("/settings/api-keys/").content.decode()
    assert (
        client_for(personas.legal).post(f"/settings/api-keys/{key.pk}/revoke/").status_code == 404
    )
    client = client_for(personas.owner)
    assert client.post(f"/settings/api-keys/{key.pk}/revoke/").status_code == 302
    key.refresh_from_db()
    assert key.revoked_at is not None


def test_an_unknown_parameter_is_refused_not_ignored(personas, key_for, api):
    body = assert_problem(api(key_for(personas.owner)).get("/deals", stagee="review"), 422)
    assert body["errors"] == [{"field": "stagee", "detail": "Not a parameter here."}]
