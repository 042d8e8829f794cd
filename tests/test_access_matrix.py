"""Who may see and do what on a confidential deal in review: every role × every action.

The roles are tests.personas.ROLES, on tests/conftest.py's `access_world`: Finance has
no review on this deal, so for this confidential deal Finance's reviewer is as much an
outsider as someone with no part in it at all, or an executive who does not sponsor it.
"""

import pytest
from django.urls import reverse

from stakeholders.signoff import current_terms_stamp, deal_stamp
from tests.factories import department
from tests.personas import INVOLVED, NOT_INVOLVED, ROLES

pytestmark = pytest.mark.django_db


def expect(default_seen, **overrides):
    """Anonymous → login; not involved → 404; involved → default_seen unless overridden."""
    codes = {"anonymous": 302, **dict.fromkeys(NOT_INVOLVED, 404)}
    codes.update(dict.fromkeys(INVOLVED, default_seen))
    codes.update(overrides)
    assert set(codes) == set(ROLES), f"unknown roles: {set(codes) - set(ROLES)}"
    return codes


ACTIONS = {
    "view deal": ("get", lambda w: reverse("deal_detail", args=[w["deal"].pk]), {}, expect(200)),
    "view history": (
        "get",
        lambda w: reverse("deal_history", args=[w["deal"].pk]),
        {},
        expect(200),
    ),
    "edit deal": (
        "get",
        lambda w: reverse("deal_edit", args=[w["deal"].pk]),
        {},
        expect(403, owner=200, sponsor=200, admin=200),
    ),
    "move deal": (
        "post",
        lambda w: reverse("deal_advance", args=[w["deal"].pk]),
        {"to_stage": "negotiation"},
        expect(403, owner=302, sponsor=302, admin=302),
    ),
    "view legal review": (
        "get",
        lambda w: reverse("review_detail", args=[w["legal_review"].pk]),
        {},
        expect(200),
    ),
    "decide legal review": (
        "post",
        lambda w: reverse("review_verdict", args=[w["legal_review"].pk]),
        lambda w: {"verdict": "approve", "terms_seen": current_terms_stamp(w["legal_review"])},
        expect(403, legal=302),
    ),
    "reassign legal review": (
        "post",
        lambda w: reverse("review_reassign", args=[w["legal_review"].pk]),
        {"reviewer": ""},
        expect(403, legal=302),
    ),
    "comment on review": (
        "post",
        lambda w: reverse("review_comment", args=[w["legal_review"].pk]),
        {"body": "A view"},
        expect(302),
    ),
    "add a term": (
        "post",
        lambda w: reverse("term_create", args=[w["deal"].pk]),
        lambda w: {
            "category": "ip",
            "title": "IP",
            "wording": "Ours",
            "department": department("legal").pk,
        },
        expect(403, owner=302, admin=302),
    ),
    "view a term": ("get", lambda w: reverse("term_detail", args=[w["term"].pk]), {}, expect(200)),
    "revise a term": (
        "post",
        lambda w: reverse("term_detail", args=[w["term"].pk]),
        {"wording": "New", "status": "proposed", "version": 1},
        expect(403, owner=302, admin=302),
    ),
    "raise a concern": (
        "post",
        lambda w: reverse("concern_create", args=[w["deal"].pk]),
        {"title": "Risk", "detail": "Detail", "severity": "low"},
        expect(302),
    ),
    "reply to a concern": (
        "post",
        lambda w: reverse("concern_reply", args=[w["concern"].pk]),
        {"body": "Agreed"},
        expect(302),
    ),
    "resolve a concern": (
        "post",
        lambda w: reverse("concern_resolve", args=[w["concern"].pk]),
        {"resolution": "Done"},
        expect(403, owner=302, sponsor=302, it=302, admin=302),
    ),
    "record a decision": (
        "post",
        lambda w: reverse("decision_create", args=[w["deal"].pk]),
        lambda w: {
            "kind": "trade_off",
            "title": "Call",
            "rationale": "A rationale long enough to count.",
            "seen": deal_stamp(w["deal"]),
        },
        expect(403, sponsor=302),
    ),
    "ask for a decision": (
        "post",
        lambda w: reverse("request_decision", args=[w["deal"].pk]),
        {"note": "Please decide"},
        expect(302),
    ),
    "schedule a session": (
        "get",
        lambda w: reverse("session_create", args=[w["deal"].pk]),
        {},
        expect(403, owner=200, sponsor=200, admin=200),
    ),
    "download the invitation": (
        "get",
        lambda w: reverse("session_ics", args=[w["session"].pk]),
        {},
        expect(200),
    ),
    "record session outcomes": (
        "post",
        lambda w: reverse("session_detail", args=[w["session"].pk]),
        {"outcomes": "Agreed the cap"},
        expect(403, owner=302, sponsor=302, admin=302),
    ),
}


@pytest.fixture
def world(access_world):
    deal = access_world.confidential
    return {
        "deal": deal["deal"],
        "legal_review": deal["review"],
        "term": deal["term"],
        "concern": deal["concern"],
        "session": deal["session"],
    }


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(ACTIONS))
def test_access_matrix(client, access_world, world, action, role):
    method, url_for, data, codes = ACTIONS[action]
    if role != "anonymous":
        client.force_login(access_world.user(role))
    response = getattr(client, method)(url_for(world), data(world) if callable(data) else data)
    assert response.status_code == codes[role], f"{role} {action}: {response.status_code}"
    if codes[role] == 302 and role == "anonymous":
        assert response["Location"].startswith("/accounts/login/")


def test_post_without_a_csrf_token_is_refused(access_world, world):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(access_world.personas.legal)
    response = client.post(
        reverse("review_verdict", args=[world["legal_review"].pk]), {"verdict": "approve"}
    )
    assert response.status_code == 403
    world["legal_review"].refresh_from_db()
    assert world["legal_review"].status == "pending"
