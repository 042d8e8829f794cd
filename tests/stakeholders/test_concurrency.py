"""Real concurrent requests against PostgreSQL: no lost or doubled decisions, no overwritten terms.

Each thread is a separate HTTP client with its own database connection; a barrier
releases them together so that the requests overlap in the database.
"""

import datetime as dt
import threading

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEvent
from deals.models import Deal, Stage, TermRevision
from deals.services import term_create
from notifications.models import Notification, NotificationKind
from stakeholders.models import ReviewStatus, WorkingSession
from stakeholders.services import session_schedule
from tests.factories import DealFactory, UserFactory, department, make_member

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("row locking under concurrency is tested on PostgreSQL (CI runs it there)")


def race(requests):
    """Run each callable in its own thread, all released at once; return their results."""
    barrier = threading.Barrier(len(requests))
    results = [None] * len(requests)

    def run(index, request):
        try:
            barrier.wait()
            results[index] = request()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, r)) for i, r in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_two_reviewers_deciding_at_once_record_exactly_one_decision(personas, deal_in_review):
    review = deal_in_review.reviews.get(department__slug="legal")
    colleague = make_member(UserFactory(first_name="Jonas", last_name="Berg"), "legal")
    url = reverse("review_verdict", args=[review.pk])
    clients = [logged_in(personas.legal), logged_in(colleague)]

    for _ in range(5):  # several rounds: the race must hold every time
        review.refresh_from_db()
        type(review).objects.filter(pk=review.pk).update(
            status=ReviewStatus.PENDING, decided_by=None
        )
        AuditEvent.objects.filter(action="review decided").delete()
        responses = race(
            [
                lambda: clients[0].post(
                    url, {"verdict": "approve", "terms_seen": ""}, HTTP_HX_REQUEST="true"
                ),
                lambda: clients[1].post(
                    url,
                    {"verdict": "reject", "text": "No", "terms_seen": ""},
                    HTTP_HX_REQUEST="true",
                ),
            ]
        )
        codes = sorted(r.status_code for r in responses)
        assert codes == [200, 409], codes
        assert AuditEvent.objects.filter(action="review decided").count() == 1
        review.refresh_from_db()
        loser = next(r for r in responses if r.status_code == 409)
        assert (
            f"{review.decided_by.display_name} gave this review's verdict first"
            in loser.content.decode()
        )


def test_two_people_saving_the_same_term_version_keep_one_edit_and_tell_the_other(
    personas, partnership
):
    deal = DealFactory(partnership=partnership, owner=personas.owner)
    term = term_create(
        deal=deal,
        user=personas.owner,
        data={
            "category": "price",
            "title": "Fee",
            "wording": "EUR 100k",
            "department": department("procurement"),
        },
    )
    url = reverse("term_detail", args=[term.pk])
    first, second = logged_in(personas.owner), logged_in(personas.owner)
    responses = race(
        [
            lambda: first.post(url, {"wording": "EUR 90k", "status": "proposed", "version": 1}),
            lambda: second.post(url, {"wording": "EUR 95k", "status": "proposed", "version": 1}),
        ]
    )
    assert sorted(r.status_code for r in responses) == [302, 409]
    term.refresh_from_db()
    assert term.version == 2
    assert TermRevision.objects.filter(term=term).count() == 2
    loser = next(r for r in responses if r.status_code == 409).content.decode()
    assert "changed this term while you were editing it" in loser
    assert term.wording in loser


def test_double_clicking_move_moves_the_deal_once(personas, partnership):
    deal = DealFactory(partnership=partnership, owner=personas.owner)
    url = reverse("deal_advance", args=[deal.pk])
    clients = [logged_in(personas.owner), logged_in(personas.owner)]
    responses = race([lambda c=c: c.post(url, {"to_stage": "business_case"}) for c in clients])
    assert sorted(r.status_code for r in responses) == [302, 422]
    assert deal.stage_changes.filter(to_stage=Stage.BUSINESS_CASE).count() == 1


def test_an_approval_racing_a_term_edit_never_covers_the_new_wording(personas, deal_in_review):
    """Either the approval lands first and the edit re-opens it, or the edit lands first
    and the approval is refused: never an approval standing over wording nobody saw."""
    from deals.models import Term
    from stakeholders.signoff import current_terms_stamp

    deal = deal_in_review
    review = deal.reviews.get(department__slug="legal")
    term = term_create(
        deal=deal,
        user=personas.owner,
        data={
            "category": "liability_cap",
            "title": "Cap",
            "wording": "12 months of fees",
            "department": department("legal"),
        },
    )
    reviewer, owner = logged_in(personas.legal), logged_in(personas.owner)
    decide_url = reverse("review_verdict", args=[review.pk])
    term_url = reverse("term_detail", args=[term.pk])
    for round_number in range(5):
        term.refresh_from_db()
        type(review).objects.filter(pk=review.pk).update(
            status=ReviewStatus.PENDING, decided_by=None, needs_rereview=False
        )
        stamp = current_terms_stamp(review)
        wording = f"{24 + round_number} months of fees"
        responses = race(
            [
                lambda stamp=stamp: reviewer.post(
                    decide_url, {"verdict": "approve", "terms_seen": stamp}, HTTP_HX_REQUEST="true"
                ),
                lambda wording=wording: owner.post(
                    term_url,
                    {"wording": wording, "status": "proposed", "version": term.version},
                ),
            ]
        )
        decided, edited = responses
        assert edited.status_code == 302, edited.status_code
        review.refresh_from_db()
        assert Term.objects.get(pk=term.pk).wording == wording
        if decided.status_code == 200:  # approval first: the edit re-opened it
            assert review.status == ReviewStatus.PENDING and review.needs_rereview
        else:  # edit first: the approval was refused and showed the new wording
            assert decided.status_code == 409, decided.status_code
            assert wording in decided.content.decode()
            assert review.status == ReviewStatus.PENDING and not review.needs_rereview


def test_a_locked_deal_still_takes_rows_that_point_at_it(personas, partnership):
    """lock_deal serialises the writers of one deal but must not block inserts of rows
    that reference it (audit events, reviews): a writer holding such a row while it
    waits for the deal would otherwise deadlock with the lock's holder."""
    from django.db import transaction

    from core.audit import audit_record

    deal = DealFactory(partnership=partnership, owner=personas.owner)
    locked, release = threading.Event(), threading.Event()

    def hold_the_lock():
        try:
            with transaction.atomic():
                Deal.objects.lock(deal.pk)
                locked.set()
                release.wait(10)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold_the_lock)
    holder.start()
    try:
        assert locked.wait(10)
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '2s'")
            audit_record(actor=personas.owner, action="commented", instance=deal, deal=deal)
    finally:
        release.set()
        holder.join(10)
    assert AuditEvent.objects.filter(deal=deal, action="commented").count() == 1


def test_two_reschedules_at_once_get_a_sequence_each_and_a_double_cancel_cancels_once(
    personas, deal
):
    session = session_schedule(
        deal=deal,
        user=personas.owner,
        data={
            "title": "Cap",
            "starts_at": timezone.now() + dt.timedelta(days=3),
            "duration_minutes": 60,
            "agenda": "The cap",
        },
        departments=[],
        invitees=[personas.legal, personas.it],
    )
    starts = timezone.localtime(session.starts_at).strftime("%Y-%m-%dT%H:%M")
    url = reverse("session_reschedule", args=[session.pk])
    clients = [logged_in(personas.owner), logged_in(personas.executive)]
    responses = race(
        [
            lambda c=c, room=room: c.post(
                url,
                {"starts_at": starts, "duration_minutes": "60", "location": room, "agenda": "x"},
            )
            for c, room in zip(clients, ("Room 1", "Room 2"), strict=True)
        ]
    )
    assert [r.status_code for r in responses] == [302, 302]
    session.refresh_from_db()
    assert session.sequence == 2
    assert AuditEvent.objects.filter(action="session rescheduled").count() == 2

    cancel = reverse("session_cancel", args=[session.pk])
    race([lambda c=c: c.post(cancel) for c in clients])

    assert WorkingSession.objects.get(pk=session.pk).sequence == 3
    assert AuditEvent.objects.filter(action="session cancelled").count() == 1
    keys = set(
        Notification.objects.filter(kind=NotificationKind.INVITATION).values_list("key", flat=True)
    )
    assert keys == {
        f"invitation:{session.pk}:{sequence}:{person.pk}"
        for sequence in range(4)
        for person in (personas.legal, personas.it)
    }
