"""Cached summaries are keyed by the scopes a change touches (core.freshness): a change to
deal A refreshes what shows A and leaves alone what cannot show it; any change of who may
see what refreshes everything."""

from __future__ import annotations

import pytest
from django.urls import reverse

from core import freshness
from deals.services import deal_update
from notifications.services import digest_preference_set
from stakeholders.models import Membership
from stakeholders.services import review_give_verdict
from tests.factories import DealFactory, ReviewFactory, UserFactory, department

pytestmark = pytest.mark.django_db


class Counter:
    """A compute() that says how often it ran: a run is a cache miss."""

    def __init__(self) -> None:
        self.runs = 0

    def __call__(self) -> int:
        self.runs += 1
        return self.runs


def summary(name, user, counter, scopes=freshness.LISTS):
    return freshness.cached(name, user, counter, scopes=scopes)


def test_a_change_to_deal_a_refreshes_a_and_the_lists_not_deal_b(
    personas, django_capture_on_commit_callbacks
):
    deal_a, deal_b = DealFactory(), DealFactory()
    reader = personas.executive
    of_a, of_b, lists, inbox = Counter(), Counter(), Counter(), Counter()

    def read_all():
        summary("of-a", reader, of_a, (freshness.deal_scope(deal_a.pk),))
        summary("of-b", reader, of_b, (freshness.deal_scope(deal_b.pk),))
        summary("lists", reader, lists)
        summary("inbox", reader, inbox, (freshness.REVIEWS,))

    read_all()
    read_all()
    assert (of_a.runs, of_b.runs, lists.runs, inbox.runs) == (1, 1, 1, 1)  # cached

    with django_capture_on_commit_callbacks(execute=True):
        deal_update(deal=deal_a, user=deal_a.owner, data={"title": "Renamed deal A"})
    read_all()
    # A's own summary and every list (which show A) are new; B's and the inbox counts stay.
    assert (of_a.runs, of_b.runs, lists.runs, inbox.runs) == (2, 1, 2, 1)


def test_a_verdict_refreshes_the_inbox_counts(personas, django_capture_on_commit_callbacks):
    review = ReviewFactory(department=department("legal"))
    counts = Counter()
    summary("inbox", personas.legal, counts, (freshness.REVIEWS,))
    with django_capture_on_commit_callbacks(execute=True):
        review_give_verdict(review=review, user=personas.legal, verdict="approve")
    summary("inbox", personas.legal, counts, (freshness.REVIEWS,))
    assert counts.runs == 2


def test_ones_own_settings_leave_everyone_elses_summaries_cached(
    personas, django_capture_on_commit_callbacks
):
    mine, theirs = Counter(), Counter()
    summary("digest", personas.owner, mine)
    summary("digest", personas.executive, theirs)
    with django_capture_on_commit_callbacks(execute=True):
        digest_preference_set(user=personas.owner, subscribed=False, weekday=2)
    summary("digest", personas.owner, mine)
    summary("digest", personas.executive, theirs)
    assert (mine.runs, theirs.runs) == (2, 1)


@pytest.mark.parametrize("change", ["join department", "leave department", "new role", "admin"])
def test_a_change_of_access_refreshes_every_summary(
    change, personas, django_capture_on_commit_callbacks
):
    person = UserFactory()
    membership = Membership.objects.create(user=person, department=department("legal"))
    of_deal, inbox = Counter(), Counter()
    deal = DealFactory()
    summary("of-deal", person, of_deal, (freshness.deal_scope(deal.pk),))
    summary("inbox", person, inbox, (freshness.REVIEWS,))
    with django_capture_on_commit_callbacks(execute=True):
        if change == "join department":
            Membership.objects.create(user=person, department=department("it"))
        elif change == "leave department":
            membership.delete()
        elif change == "new role":
            from django.contrib.auth.models import Group

            person.groups.add(Group.objects.get(name="Executive"))
        else:
            person.is_superuser = True
            person.save()
    summary("of-deal", person, of_deal, (freshness.deal_scope(deal.pk),))
    summary("inbox", person, inbox, (freshness.REVIEWS,))
    assert (of_deal.runs, inbox.runs) == (2, 2)


def test_a_log_in_changes_no_access_and_keeps_the_summaries(
    personas, client, django_capture_on_commit_callbacks
):
    kept = Counter()
    summary("lists", personas.owner, kept)
    with django_capture_on_commit_callbacks(execute=True):
        client.force_login(personas.executive)  # stamps last_login only
    summary("lists", personas.owner, kept)
    assert kept.runs == 1


def test_a_deal_made_confidential_in_the_admin_leaves_the_outsiders_dashboard(
    personas, client_for, django_capture_on_commit_callbacks
):
    """Saved outside the services (no audit): the signal still refreshes every list."""
    deal = DealFactory(title="Quiet acquisition")
    outsider = client_for(personas.outsider)
    assert "Quiet acquisition" in outsider.get(reverse("dashboard")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        deal.confidential = True
        deal.save()
    assert "Quiet acquisition" not in outsider.get(reverse("dashboard")).content.decode()


def test_the_dashboard_shows_a_renamed_deal_at_once(
    personas, client_for, django_capture_on_commit_callbacks
):
    deal = DealFactory(title="Old name of the deal", sponsor=personas.executive)
    reader = client_for(personas.executive)
    assert "Old name of the deal" in reader.get(reverse("dashboard")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        deal_update(deal=deal, user=deal.owner, data={"title": "New name of the deal"})
    page = reader.get(reverse("dashboard")).content.decode()
    assert "New name of the deal" in page and "Old name of the deal" not in page


def test_a_review_reassigned_or_removed_in_the_admin_refreshes_the_deal_lists(
    personas, django_capture_on_commit_callbacks
):
    """A department's review is what lets its members see a confidential deal."""
    review = ReviewFactory()
    lists = Counter()
    summary("lists", personas.legal, lists)
    with django_capture_on_commit_callbacks(execute=True):
        review.department = department("it")
        review.save()
    summary("lists", personas.legal, lists)
    with django_capture_on_commit_callbacks(execute=True):
        review.delete()
    summary("lists", personas.legal, lists)
    assert lists.runs == 3
