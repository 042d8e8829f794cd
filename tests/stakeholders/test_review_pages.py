"""Inbox, review page and in-place decisions over HTTP, with query budgets."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from deals.services import term_create
from stakeholders.models import ReviewStatus
from stakeholders.signoff import current_terms_stamp, deal_stamp
from tests.factories import ConcernFactory, DealFactory, ReviewFactory, department, make_member

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


def seen(review) -> dict:
    """The hidden field of the decision form: the terms the page showed."""
    return {"terms_seen": current_terms_stamp(review)}


def legal_review(deal):
    return deal.reviews.get(department__slug="legal")


def test_the_inbox_lists_my_departments_open_reviews_soonest_first(
    client_for, personas, partnership
):
    today = timezone.localdate()
    late = ReviewFactory(
        deal=DealFactory(partnership=partnership, title="Late one"),
        due_on=today - dt.timedelta(days=2),
    )
    soon = ReviewFactory(
        deal=DealFactory(partnership=partnership, title="Soon one"),
        due_on=today + dt.timedelta(days=1),
    )
    ReviewFactory(
        deal=DealFactory(partnership=partnership, title="IT one"), department=department("it")
    )
    ReviewFactory(
        deal=DealFactory(partnership=partnership, title="Done one"), status=ReviewStatus.APPROVED
    )

    response = client_for(personas.legal).get(reverse("review_inbox"))
    assert [r.deal.title for r in response.context["page"].object_list] == ["Late one", "Soon one"]
    html = response.content.decode()
    assert "Overdue" in html and "Due soon" in html
    assert f'href="/reviews/{late.pk}/"' in html and f'href="/reviews/{soon.pk}/"' in html
    counts = {s.value: n for s, n in response.context["counts"]}
    assert counts == {
        "pending": 2,
        "approved": 1,
        "approved_with_conditions": 0,
        "changes_requested": 0,
        "rejected": 0,
    }
    approved = client_for(personas.legal).get(reverse("review_inbox"), {"status": "approved"})
    assert [r.deal.title for r in approved.context["page"].object_list] == ["Done one"]


def test_the_inbox_pages_through_the_open_reviews_of_all_my_departments_in_due_order(
    client_for, personas, partnership
):
    """A reviewer in two departments: both departments' open reviews, none of any other
    department's nor decided ones, soonest due first across both, page after page."""
    make_member(personas.legal, "it")
    today = timezone.localdate()
    expected = []
    for n in range(40):
        slug = ("legal", "it", "finance")[n % 3]
        status = ReviewStatus.CHANGES_REQUESTED if n % 4 == 0 else ReviewStatus.PENDING
        review = ReviewFactory(
            deal=DealFactory(partnership=partnership, title=f"Deal {n:02}"),
            department=department(slug),
            status=status,
            due_on=today + dt.timedelta(days=(n * 7) % 30 - 10),
        )
        if slug != "finance":
            expected.append(review)
    ReviewFactory(
        deal=DealFactory(partnership=partnership, title="Decided"),
        status=ReviewStatus.APPROVED,
        due_on=today - dt.timedelta(days=40),
    )
    expected.sort(key=lambda r: (r.due_on, r.pk))

    client = client_for(personas.legal)
    first = client.get(reverse("review_inbox"))
    second = client.get(reverse("review_inbox"), {"page": 2})
    shown = list(first.context["page"].object_list) + list(second.context["page"].object_list)
    assert len(first.context["page"].object_list) == 25
    assert [r.pk for r in shown] == [r.pk for r in expected]
    assert first.context["page"].paginator.count == len(expected) == 27


def test_an_empty_inbox_says_why(client_for, personas):
    assert (
        "Nothing waiting for you." in client_for(personas.legal).get("/reviews/").content.decode()
    )
    assert (
        "not in a reviewing department"
        in client_for(personas.owner).get("/reviews/").content.decode()
    )


def test_the_review_page_shows_the_value_before_the_terms(client_for, personas, deal_in_review):
    term_create(
        deal=deal_in_review,
        user=personas.owner,
        data={
            "category": "price",
            "title": "Annual fee",
            "wording": "EUR 120k",
            "department": department("procurement"),
        },
    )
    html = (
        client_for(personas.legal)
        .get(legal_review(deal_in_review).get_absolute_url())
        .content.decode()
    )
    assert html.index("Why this deal") < html.index("Annual fee")
    assert deal_in_review.summary in html
    for label in ("Approve", "Approve with conditions", "Request changes", "Reject"):
        assert f">{label}</button>" in html


def test_deciding_with_htmx_returns_the_panel_with_the_status_in_words(
    client_for, personas, deal_in_review
):
    review = legal_review(deal_in_review)
    response = client_for(personas.legal).post(
        reverse("review_verdict", args=[review.pk]),
        {"verdict": "approve_with_conditions", "text": "Cap at 12 months of fees", **seen(review)},
        **HX,
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section class="card" id="verdict-panel"')
    assert "Approved with conditions" in html
    assert "by " + personas.legal.display_name in html
    assert "Cap at 12 months of fees" in html
    assert "<html" not in html


def test_a_decision_without_the_required_reason_gets_a_message_at_the_field(
    client_for, personas, deal_in_review
):
    review = legal_review(deal_in_review)
    response = client_for(personas.legal).post(
        reverse("review_verdict", args=[review.pk]),
        {"verdict": "reject", "text": "", **seen(review)},
        **HX,
    )
    assert response.status_code == 422
    assert "Give the reason for rejecting." in response.content.decode()
    assert legal_review(deal_in_review).status == ReviewStatus.PENDING


def test_a_late_decision_is_told_who_decided_first(client_for, personas, deal_in_review):
    from tests.factories import UserFactory, make_member

    colleague = make_member(UserFactory(first_name="Jonas", last_name="Berg"), "legal")
    review = legal_review(deal_in_review)
    client_for(colleague).post(
        reverse("review_verdict", args=[review.pk]), {"verdict": "approve", **seen(review)}, **HX
    )
    response = client_for(personas.legal).post(
        reverse("review_verdict", args=[review.pk]),
        {"verdict": "reject", "text": "No", **seen(review)},
        **HX,
    )
    assert response.status_code == 409
    assert "Jonas Berg gave this review's verdict first" in response.content.decode()
    assert legal_review(deal_in_review).status == ReviewStatus.APPROVED


def test_without_htmx_a_decision_redirects_back_to_the_review(client_for, personas, deal_in_review):
    review = legal_review(deal_in_review)
    response = client_for(personas.legal).post(
        reverse("review_verdict", args=[review.pk]), {"verdict": "approve", **seen(review)}
    )
    assert response.status_code == 302
    assert response["Location"] == review.get_absolute_url()


def test_comments_are_added_in_place(client_for, personas, deal_in_review):
    review = legal_review(deal_in_review)
    response = client_for(personas.it).post(
        reverse("review_comment", args=[review.pk]),
        {"body": "IT is fine with clause 7 <b>bold</b>"},
        **HX,
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<section class="card" id="comments"')
    assert "IT is fine with clause 7 &lt;b&gt;bold&lt;/b&gt;" in html


def test_a_term_revision_shows_as_a_diff_and_a_conflict_keeps_the_typed_text(
    client_for, personas, deal_in_review
):
    term = term_create(
        deal=deal_in_review,
        user=personas.owner,
        data={
            "category": "sla",
            "title": "Uptime",
            "wording": "99.5 % monthly",
            "department": department("it"),
        },
    )
    client = client_for(personas.owner)
    url = reverse("term_detail", args=[term.pk])
    ok = client.post(
        url, {"wording": "99.9 % monthly", "status": "proposed", "version": 1, "note": "IT asked"}
    )
    assert ok.status_code == 302
    html = client.get(url).content.decode()
    assert "<del>99.5</del><ins>99.9</ins>" in html

    stale = client.post(url, {"wording": "99.0 % monthly", "status": "proposed", "version": 1})
    page = stale.content.decode()
    assert stale.status_code == 409
    assert "changed this term while you were editing it" in page
    assert "99.0 % monthly" in page  # what they typed is shown, not lost
    term.refresh_from_db()
    assert term.wording == "99.9 % monthly"


def test_the_deal_page_shows_blocking_concerns_gate_and_missing_voices(
    client_for, personas, deal_in_review
):
    ConcernFactory(deal=deal_in_review, title="No exit plan", raised_by=personas.it, blocking=True)
    html = client_for(personas.owner).get(deal_in_review.get_absolute_url()).content.decode()
    assert "blocking concern" in html and "No exit plan" in html
    assert "Before approval: sign-off from IT, Legal, Procurement" in html
    assert "Nothing yet from IT, Legal, Procurement." in html


def test_a_deal_where_only_one_person_spoke_is_flagged(client_for, personas, deal_in_review):
    from stakeholders.services import review_comment

    review_comment(review=legal_review(deal_in_review), user=personas.legal, body="Looks fine")
    html = client_for(personas.owner).get(deal_in_review.get_absolute_url()).content.decode()
    assert "Only one person has spoken for the whole deal." in html
    assert "Nothing yet from IT, Procurement." in html


def test_anyone_involved_asks_the_sponsor_and_the_sponsor_sees_it(
    client_for, personas, deal_in_review, django_capture_on_commit_callbacks
):
    # The dashboard's body is cached until a change commits (deals/freshness.py): the
    # requests' commits are captured and run, as they would run outside a test.
    with django_capture_on_commit_callbacks(execute=True):
        client_for(personas.legal).post(
            reverse("request_decision", args=[deal_in_review.pk]),
            {"note": "Legal and Procurement disagree on the cap"},
        )
    dashboard = client_for(personas.executive).get("/").content.decode()
    assert "Waiting for your decision" in dashboard
    assert "Legal and Procurement disagree on the cap" in dashboard
    with django_capture_on_commit_callbacks(execute=True):
        client_for(personas.executive).post(
            reverse("decision_create", args=[deal_in_review.pk]),
            {
                "kind": "trade_off",
                "title": "Cap at 9 months",
                "rationale": "Splits the difference; Legal accepts.",
                "seen": deal_stamp(deal_in_review),
            },
        )
    assert (
        "Waiting for your decision" not in client_for(personas.executive).get("/").content.decode()
    )


def test_a_decision_needs_a_real_rationale(client_for, personas, deal_in_review):
    response = client_for(personas.executive).post(
        reverse("decision_create", args=[deal_in_review.pk]),
        {"kind": "override", "title": "Go", "rationale": "ok"},
    )
    assert response.status_code == 422
    assert "at least 20 characters" in response.content.decode()


def test_the_history_page_shows_before_and_after(client_for, personas, deal_in_review):
    html = (
        client_for(personas.owner)
        .get(reverse("deal_history", args=[deal_in_review.pk]))
        .content.decode()
    )
    assert "moved the deal from Business case to Review." in html
    assert "asked Legal to review the deal by" in html
    assert "business_case" not in html and "review requested" not in html


def make_load(deal, personas, count):
    """Terms, concerns and comments by count, and the business value the pages show first."""
    from stakeholders.services import review_comment
    from tests.factories import (
        BusinessCaseFactory,
        CheckInFactory,
        JourneyStageFactory,
        OutcomeMetricFactory,
    )

    BusinessCaseFactory(deal=deal)
    for _ in range(count):
        CheckInFactory(metric=OutcomeMetricFactory(deal=deal))
        JourneyStageFactory(deal=deal)

    for n in range(count):
        term_create(
            deal=deal,
            user=personas.owner,
            data={
                "category": "other",
                "title": f"Term {n}",
                "wording": f"Text {n}",
                "department": department("legal"),
            },
        )
        ConcernFactory(deal=deal, title=f"Concern {n}", raised_by=personas.it)
        review_comment(review=legal_review(deal), user=personas.legal, body=f"Comment {n}")


@pytest.mark.parametrize("count", [1, 25])
def test_the_review_page_and_inbox_run_a_fixed_number_of_queries(
    client_for, personas, partnership, deal_in_review, django_assert_max_num_queries, count
):
    make_load(deal_in_review, personas, count)
    for _ in range(count):
        ReviewFactory(deal=DealFactory(partnership=partnership))
    client = client_for(personas.legal)
    client.get("/reviews/")
    url = legal_review(deal_in_review).get_absolute_url()
    # 14 + the unread badge + the playbooks (their versions with their positions)
    with django_assert_max_num_queries(16):
        assert client.get(url).status_code == 200
    with django_assert_max_num_queries(15):
        assert client.get("/reviews/").status_code == 200


@pytest.mark.parametrize("who", ["owner", "legal"])
@pytest.mark.parametrize("count", [1, 25])
def test_the_deal_page_stays_within_its_query_budget_with_terms_and_concerns(
    client_for, personas, deal_in_review, django_assert_max_num_queries, count, who
):
    make_load(deal_in_review, personas, count)
    client = client_for(getattr(personas, who))
    # +1 Reviews (N), +1 unread badge, +1 playbooks (versions with positions)
    with django_assert_max_num_queries(23):
        assert client.get(deal_in_review.get_absolute_url()).status_code == 200


def legal_term(deal, personas, wording="Liability capped at 12 months of fees"):
    return term_create(
        deal=deal,
        user=personas.owner,
        data={
            "category": "liability_cap",
            "title": "Liability cap",
            "wording": wording,
            "department": department("legal"),
        },
    )


def test_the_review_page_carries_the_terms_it_shows(client_for, personas, deal_in_review):
    review = legal_review(deal_in_review)
    term = legal_term(deal_in_review, personas)
    html = client_for(personas.legal).get(review.get_absolute_url()).content.decode()
    assert f'name="terms_seen" value="{term.pk}:1"' in html


def test_an_approval_of_wording_changed_since_the_page_was_loaded_is_refused(
    client_for, personas, deal_in_review
):
    from deals.services import term_revise

    review = legal_review(deal_in_review)
    term = legal_term(deal_in_review, personas)
    stale = seen(review)
    term_revise(term=term, user=personas.owner, wording="Liability unlimited", expected_version=1)
    response = client_for(personas.legal).post(
        reverse("review_verdict", args=[review.pk]), {"verdict": "approve", **stale}, **HX
    )
    html = response.content.decode()
    assert response.status_code == 409
    assert "terms changed while you were reading" in html
    assert "Liability unlimited" in html  # the wording they are now asked to decide on
    assert f'name="terms_seen" value="{term.pk}:2"' in html
    assert legal_review(deal_in_review).status == ReviewStatus.PENDING
    # Deciding again from the refreshed panel covers the wording it showed.
    response = client_for(personas.legal).post(
        reverse("review_verdict", args=[review.pk]),
        {"verdict": "approve", "terms_seen": f"{term.pk}:2"},
        **HX,
    )
    assert response.status_code == 200
    assert legal_review(deal_in_review).status == ReviewStatus.APPROVED


def test_another_departments_term_does_not_void_the_decision(client_for, personas, deal_in_review):
    review = legal_review(deal_in_review)
    stale = seen(review)
    term_create(
        deal=deal_in_review,
        user=personas.owner,
        data={
            "category": "price",
            "title": "Fee",
            "wording": "EUR 90k",
            "department": department("procurement"),
        },
    )
    response = client_for(personas.legal).post(
        reverse("review_verdict", args=[review.pk]), {"verdict": "approve", **stale}, **HX
    )
    assert response.status_code == 200


def test_a_decision_without_the_terms_it_covers_is_refused(client_for, personas, deal_in_review):
    review = legal_review(deal_in_review)
    response = client_for(personas.legal).post(
        reverse("review_verdict", args=[review.pk]), {"verdict": "approve"}, **HX
    )
    assert response.status_code == 422
    assert "reload it to see the current terms" in response.content.decode()
    assert legal_review(deal_in_review).status == ReviewStatus.PENDING


@pytest.mark.parametrize("detour", ["reason missing", "reassigned"])
def test_a_panel_redrawn_after_a_detour_keeps_the_terms_the_reviewer_saw(
    client_for, personas, deal_in_review, detour
):
    """A 422 or a reassignment redraws the panel but not the terms beside it: the form in
    it must still name the wording the reviewer loaded, so a change is still caught."""
    import re

    from deals.services import term_revise

    review = legal_review(deal_in_review)
    term = legal_term(deal_in_review, personas)
    loaded = seen(review)
    term_revise(term=term, user=personas.owner, wording="Liability unlimited", expected_version=1)
    client = client_for(personas.legal)
    if detour == "reason missing":
        url, data = reverse("review_verdict", args=[review.pk]), {"verdict": "reject", "text": ""}
    else:
        url, data = reverse("review_reassign", args=[review.pk]), {"reviewer": ""}
    panel = client.post(url, {**data, **loaded}, **HX).content.decode()
    carried = re.search(r'name="terms_seen" value="([^"]*)"', panel).group(1)
    assert carried == loaded["terms_seen"] == f"{term.pk}:1"
    response = client.post(
        reverse("review_verdict", args=[review.pk]),
        {"verdict": "approve", "terms_seen": carried},
        **HX,
    )
    assert response.status_code == 409
    assert "Liability unlimited" in response.content.decode()
    assert legal_review(deal_in_review).status == ReviewStatus.PENDING
