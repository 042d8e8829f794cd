"""The playbook beside each term on the review page and the deal page, within the pages'
query budgets whatever the number of terms; the playbooks, the report and the forms."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from deals.models import Stage
from deals.services import deal_advance
from playbooks.models import Playbook, Position, TermPosition, Tier
from playbooks.services import term_position_set
from tests.stakeholders.test_review_pages import legal_review, make_load

from .conftest import CAP_STANDARD, add_term

pytestmark = pytest.mark.django_db
CAP = {"base": "fees_12_months", "carve_outs": ["data protection"]}
# The pages' budgets (tests/stakeholders/test_review_pages.py) with the playbook in
# them: one query reads the deal's versions with their positions (the terms' places come
# with the terms), and one more the reader's memberships when a deviation waits for an
# approver, whatever the number of terms (was 21 and 26: versions, positions and places
# each a query).
REVIEW_PAGE, DEAL_PAGE = 18, 24


def place_every_term(deal, personas, playbooks):
    cap = playbooks["cap"]
    fallback = Position.objects.get(clause_type=cap, tier=Tier.FALLBACK, rank=1)
    for n, term in enumerate(deal.terms.all()):
        value = {**CAP, "multiple": "0.8"} if n % 2 else {**CAP, "multiple": "1"}
        term_position_set(
            term=term, user=personas.owner, clause_type=cap, position=fallback, value=value
        )


@pytest.mark.parametrize("count", [1, 25])
def test_the_review_page_shows_the_playbook_on_every_term_within_its_budget(
    client_for, personas, deal_in_review, playbooks, django_assert_max_num_queries, count
):
    make_load(deal_in_review, personas, count)
    place_every_term(deal_in_review, personas, playbooks)
    client = client_for(personas.legal)
    client.get("/reviews/")
    with django_assert_max_num_queries(REVIEW_PAGE):
        response = client.get(legal_review(deal_in_review).get_absolute_url())
    assert response.status_code == 200
    assert response.content.decode().count('class="playbook-term') == count
    assert "Within fallback 1" in response.content.decode() or count == 1


@pytest.mark.parametrize("who", ["owner", "legal"])
@pytest.mark.parametrize("count", [1, 25])
def test_the_deal_page_shows_the_playbook_on_every_term_within_its_budget(
    client_for, personas, deal_in_review, playbooks, django_assert_max_num_queries, count, who
):
    make_load(deal_in_review, personas, count)
    place_every_term(deal_in_review, personas, playbooks)
    client = client_for(getattr(personas, who))
    with django_assert_max_num_queries(DEAL_PAGE):
        response = client.get(deal_in_review.get_absolute_url())
    assert response.status_code == 200
    assert response.content.decode().count('class="playbook-term') == count


def test_a_reviewer_sees_the_standard_wording_as_a_diff_and_approves_the_fallback(
    client_for, personas, deal_in_review, playbooks
):
    term = add_term(deal_in_review, personas, wording=CAP_STANDARD.replace("100%", "80%"))
    term_position_set(
        term=term,
        user=personas.owner,
        clause_type=playbooks["cap"],
        position=None,
        value={**CAP, "multiple": "0.8"},
    )
    client = client_for(personas.legal)
    url = legal_review(deal_in_review).get_absolute_url()
    page = client.get(url).content.decode()
    assert "<del>100%</del><ins>80%</ins>" in page
    assert "Within fallback 1" in page
    assert "waiting for approval by a reviewer of the department (Legal)" in page
    response = client.post(reverse("term_position_approve", args=[term.pk]), {"next": url})
    assert response.status_code == 302 and response["Location"] == url
    assert TermPosition.objects.get(term=term).approved_by == personas.legal
    assert "approved by" in client.get(url).content.decode()


def test_the_owner_places_a_term_through_the_form(client_for, personas, deal_in_review, playbooks):
    term = add_term(deal_in_review, personas)
    client = client_for(personas.owner)
    url = reverse("term_position_edit", args=[term.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "clause_type": playbooks["cap"].pk,
            "position": "custom",
            "cap_base": "fees_12_months",
            "cap_multiple": "2",
            "carve_outs": "data protection",
        },
    )
    assert response.status_code == 302
    place = TermPosition.objects.get(term=term)
    assert place.is_custom and place.value["multiple"] == "2"
    assert "Standard" in client.get(deal_in_review.get_absolute_url()).content.decode()
    # A position of another clause is refused, not saved.
    law = Position.objects.get(clause_type=playbooks["law"], tier=Tier.STANDARD)
    response = client.post(url, {"clause_type": playbooks["cap"].pk, "position": str(law.pk)})
    assert response.status_code == 422


def test_the_sponsor_decides_a_walk_away_from_the_deal_page(
    client_for, personas, deal_in_review, playbooks
):
    term = add_term(deal_in_review, personas)
    term_position_set(
        term=term,
        user=personas.owner,
        clause_type=playbooks["cap"],
        position=None,
        value={**CAP, "multiple": "0.1"},
    )
    client = client_for(personas.executive)
    assert (
        "Decide on the walk-away" in client.get(deal_in_review.get_absolute_url()).content.decode()
    )
    url = reverse("term_walk_away", args=[term.pk])
    assert client.post(url, {"rationale": ""}).status_code == 422
    assert client.post(url, {"rationale": "Sole supplier."}).status_code == 302
    assert TermPosition.objects.get(term=term).decision.rationale == "Sole supplier."


def test_the_report_shows_the_heat_map_the_fallbacks_and_the_stale_playbooks(
    client_for, personas, deal_in_review, playbooks
):
    make_load(deal_in_review, personas, 3)
    place_every_term(deal_in_review, personas, playbooks)
    Playbook.objects.filter(pk=playbooks["procurement"].pk).update(
        reviewed_at=timezone.now() - dt.timedelta(days=400)
    )
    page = client_for(personas.it).get(reverse("playbook_reports")).content.decode()
    assert "Liability cap, fallback 1: <strong>1</strong> term" in page
    assert "Procurement playbook not reviewed since" in page and "flagged to Procurement" in page
    assert "heat-level-4" in page


def test_the_playbook_pages_and_a_new_version_from_the_edit_form(client_for, personas, playbooks):
    client = client_for(personas.legal)  # Legal's lead in these fixtures
    legal = playbooks["legal"]
    assert "Liability cap" in client.get(legal.get_absolute_url()).content.decode()
    assert client.get(reverse("playbook_list")).status_code == 200
    standard = Position.objects.get(clause_type=playbooks["cap"], tier=Tier.STANDARD)
    response = client.post(
        reverse("position_edit", args=[standard.pk]),
        {
            "wording": "Capped at 150% of the fees.",
            "rationale": "Insurers ask for it.",
            "approver_role": "",
            "data_handled": "any",
            "bounds_text": '{"base": "fees_12_months", "min_multiple": "1.5"}',
            "note": "Higher",
        },
    )
    assert response.status_code == 302
    assert legal.versions.count() == 2
    assert "Version 2" in client.get(legal.get_absolute_url()).content.decode()
    assert (
        client_for(personas.it).get(reverse("position_edit", args=[standard.pk])).status_code == 403
    )


def test_a_deal_on_an_older_version_offers_the_newer_one(
    client_for, personas, deal_in_review, playbooks
):
    add_term(deal_in_review, personas)
    term_position_set(
        term=deal_in_review.terms.get(),
        user=personas.owner,
        clause_type=playbooks["cap"],
        position=None,
        value={**CAP, "multiple": "1"},
    )
    standard = Position.objects.get(clause_type=playbooks["cap"], tier=Tier.STANDARD)
    client_for(personas.legal).post(
        reverse("position_edit", args=[standard.pk]),
        {
            "wording": "Capped at 150%.",
            "approver_role": "",
            "data_handled": "any",
            "bounds_text": '{"min_multiple": "1.5"}',
        },
    )
    client = client_for(personas.owner)
    page = client.get(deal_in_review.get_absolute_url()).content.decode()
    assert "version 2 is available" in page and "stays on version 1" in page
    client.post(
        reverse("deal_playbook_adopt", args=[deal_in_review.pk]),
        {"playbook": playbooks["legal"].pk},
    )
    assert (
        "version 2 is available"
        not in client.get(deal_in_review.get_absolute_url()).content.decode()
    )
    assert deal_advance  # the gate path is tested in test_gate.py
    assert deal_in_review.stage == Stage.REVIEW


@pytest.mark.parametrize(
    "model", ["clausetype", "playbook", "playbookversion", "dealplaybook", "termposition"]
)
def test_the_admin_lists_the_playbook_tables(client_for, personas, playbooks, model):
    assert client_for(personas.admin).get(f"/admin/playbooks/{model}/").status_code == 200


def test_the_deal_page_says_what_the_playbook_holds_the_gate_for(
    client_for, personas, deal_in_review, playbooks
):
    term = add_term(deal_in_review, personas)
    term_position_set(
        term=term,
        user=personas.owner,
        clause_type=playbooks["cap"],
        position=None,
        value={**CAP, "multiple": "0.1"},
    )
    page = client_for(personas.owner).get(deal_in_review.get_absolute_url()).content.decode()
    assert (
        "The playbook holds the gate to Approved, Signed and Live until the sponsor&#x27;s "
        "decision on the walk-away in “Liability cap”." in page
    )
