"""Briefing packs: rendered in the background, stored privately, downloaded by who may see the deal."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone
from pypdf import PdfReader

from core.models import AuditEvent
from deals.briefing import render_pack
from deals.models import PACK_FRESH_FOR, PACK_STUCK_AFTER, BriefingPack, PackStatus
from deals.services import briefing_request, term_create
from stakeholders.services import concern_raise, review_give_verdict
from tests.factories import (
    BusinessCaseFactory,
    CheckInFactory,
    DealFactory,
    JourneyStageFactory,
    OutcomeMetricFactory,
    department,
)

pytestmark = pytest.mark.django_db


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def rich_deal(personas, deal_in_review):
    """deal_in_review with all a pack shows: the business case, a metric with a check-in,
    the journey, a Legal term, a blocking concern, and the three departments' reviews
    approved (Legal), sent back (Procurement) and pending (IT) through review_give_verdict."""
    deal = deal_in_review
    BusinessCaseFactory(deal=deal)
    metric = OutcomeMetricFactory(deal=deal, name="First-call resolution", unit="%")
    CheckInFactory(metric=metric, actual=Decimal("55"))
    JourneyStageFactory(deal=deal, name="Customer calls in", metric=metric)
    term_create(
        deal=deal,
        user=personas.owner,
        data={
            "category": "liability_cap",
            "title": "Liability cap",
            "wording": "Capped at 12 months of fees.",
            "department": department("legal"),
        },
    )
    review_give_verdict(
        review=deal.reviews.get(department__slug="legal"), user=personas.legal, verdict="approve"
    )
    review_give_verdict(
        review=deal.reviews.get(department__slug="procurement"),
        user=personas.procurement,
        verdict="request_changes",
        text="The fee is above our benchmark.",
    )
    concern_raise(
        deal=deal,
        user=personas.legal,
        data={
            "title": "Data residency",
            "detail": "Calls are recorded in the US.",
            "blocking": True,
        },
    )
    return deal


def test_the_pack_holds_title_business_case_metrics_and_every_departments_sign_off(rich_deal):
    text = pdf_text(render_pack(rich_deal))

    assert "Cloud migration" in text
    assert "Executive summary" in text
    assert "Business case" in text
    assert "First-call resolution" in text
    assert "Customer calls in" in text
    assert "Legal Approved" in text
    assert "Procurement Changes requested" in text
    assert "IT Pending" in text
    assert "Data residency" in text
    assert "Liability cap" in text
    assert "Decision log" in text
    assert "Page 1 of" in text
    assert "Generated" in text


def test_preparing_a_pack_queues_it_after_commit_and_the_card_polls_until_it_is_ready(
    client_for, personas, rich_deal, media, eager_tasks, django_capture_on_commit_callbacks
):
    client = client_for(personas.executive)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        queued = client.post(f"/deals/{rich_deal.pk}/briefing/", HTTP_HX_REQUEST="true")
    html = queued.content.decode()
    assert queued.status_code == 200
    assert "Queued" in html
    assert 'hx-trigger="every 2s"' in html
    # The render waits for the commit (beside the cache's data-version bump).
    from core.freshness import bump

    renders = [callback for callback in callbacks if getattr(callback, "func", None) is not bump]
    assert len(renders) == 1
    assert not BriefingPack.objects.exclude(status="queued").exists()

    renders[0]()  # the commit: the task runs (in-process here)
    card = client.get(f"/deals/{rich_deal.pk}/briefing/", HTTP_HX_REQUEST="true").content.decode()

    pack = BriefingPack.objects.get()
    assert pack.status == PackStatus.READY
    assert "Ready" in card
    assert "hx-trigger" not in card  # polling stops
    assert f"/briefing/{pack.pk}/download/" in card
    assert pack.file.path.startswith(str(media))


def test_two_clicks_queue_one_pack(client_for, personas, rich_deal, media):
    client = client_for(personas.executive)
    client.post(f"/deals/{rich_deal.pk}/briefing/", HTTP_HX_REQUEST="true")
    client.post(f"/deals/{rich_deal.pk}/briefing/", HTTP_HX_REQUEST="true")
    assert BriefingPack.objects.count() == 1


# One render in flight per deal, and a short cool-down after one finished (issue 12,
# finding 7): each render costs a worker 0.5-1.4 s, so clicks do not queue more.


@pytest.mark.parametrize("status", [PackStatus.QUEUED, PackStatus.RENDERING])
def test_a_request_while_a_pack_is_on_its_way_gets_that_pack(personas, deal, status):
    first = briefing_request(deal=deal, user=personas.executive)
    BriefingPack.objects.filter(pk=first.pk).update(status=status)
    for someone in (personas.owner, personas.executive):
        assert briefing_request(deal=deal, user=someone) == first
    assert BriefingPack.objects.count() == 1
    assert AuditEvent.objects.filter(action="briefing pack requested").count() == 1


def test_a_request_right_after_a_pack_finished_gets_that_pack(client_for, personas, deal):
    first = briefing_request(deal=deal, user=personas.executive)
    finished = timezone.now() - PACK_FRESH_FOR + dt.timedelta(seconds=20)
    BriefingPack.objects.filter(pk=first.pk).update(
        status=PackStatus.READY, finished_at=finished, size=9
    )
    assert briefing_request(deal=deal, user=personas.owner) == first
    client = client_for(personas.owner)
    card = client.post(f"/deals/{deal.pk}/briefing/", HTTP_HX_REQUEST="true").content.decode()
    assert BriefingPack.objects.count() == 1
    assert "Ready" in card and f"/briefing/{first.pk}/download/" in card
    assert "made a moment ago" in card
    assert "Prepare a fresh pack" not in card


def test_after_the_cool_down_a_fresh_pack_is_queued(client_for, personas, deal):
    first = briefing_request(deal=deal, user=personas.executive)
    finished = timezone.now() - PACK_FRESH_FOR - dt.timedelta(seconds=1)
    BriefingPack.objects.filter(pk=first.pk).update(
        status=PackStatus.READY, finished_at=finished, size=9
    )
    client = client_for(personas.owner)
    assert "Prepare a fresh pack" in client.get(deal.get_absolute_url()).content.decode()
    card = client.post(f"/deals/{deal.pk}/briefing/", HTTP_HX_REQUEST="true").content.decode()
    second = BriefingPack.objects.latest("pk")
    assert second != first and second.status == PackStatus.QUEUED
    assert second.requested_by == personas.owner
    assert "Queued" in card


def test_a_failed_or_lost_pack_does_not_hold_the_next_one(personas, deal):
    failed = briefing_request(deal=deal, user=personas.executive)
    BriefingPack.objects.filter(pk=failed.pk).update(
        status=PackStatus.FAILED, finished_at=timezone.now()
    )
    lost = briefing_request(deal=deal, user=personas.executive)
    assert lost != failed
    BriefingPack.objects.filter(pk=lost.pk).update(
        requested_at=timezone.now() - PACK_STUCK_AFTER - dt.timedelta(seconds=1)
    )
    assert briefing_request(deal=deal, user=personas.executive) not in (failed, lost)
    assert BriefingPack.objects.count() == 3


def test_the_deal_page_shows_the_card_for_one_more_query(client_for, personas, rich_deal, media):
    page = client_for(personas.owner).get(rich_deal.get_absolute_url())
    assert "Prepare briefing pack" in page.content.decode()


def test_the_pack_downloads_only_for_people_who_may_see_the_deal(
    client_for, personas, partnership, media, eager_tasks, django_capture_on_commit_callbacks
):
    secret = DealFactory(
        title="Secret merger talks",
        partnership=partnership,
        owner=personas.owner,
        sponsor=personas.executive,
        confidential=True,
    )
    with django_capture_on_commit_callbacks(execute=True):
        client_for(personas.executive).post(f"/deals/{secret.pk}/briefing/")
    pack = BriefingPack.objects.get()
    url = f"/briefing/{pack.pk}/download/"

    response = client_for(personas.owner).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    assert "attachment" in response["Content-Disposition"]
    assert "Secret merger talks" in pdf_text(b"".join(response.streaming_content))

    for outsider in (personas.outsider, personas.legal):
        assert client_for(outsider).get(url).status_code == 404
        assert client_for(outsider).post(f"/deals/{secret.pk}/briefing/").status_code == 404
    with pytest.raises(ValueError):
        _ = pack.file.url  # stored privately: no public media URL exists


def test_a_failed_render_says_so_and_offers_to_try_again(
    client_for,
    personas,
    rich_deal,
    settings,
    tmp_path,
    eager_tasks,
    django_capture_on_commit_callbacks,
):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    settings.MEDIA_ROOT = blocker  # the pack cannot be stored: a real OSError
    eager_tasks.conf.task_eager_propagates = False  # let the retries run in-process
    client = client_for(personas.executive)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/deals/{rich_deal.pk}/briefing/", HTTP_HX_REQUEST="true")
    card = client.get(f"/deals/{rich_deal.pk}/briefing/", HTTP_HX_REQUEST="true").content.decode()

    pack = BriefingPack.objects.get()
    assert pack.status == PackStatus.FAILED
    assert "Failed" in card and "could not be rendered" in card
    assert "Try again" in card

    settings.MEDIA_ROOT = tmp_path / "media"
    with django_capture_on_commit_callbacks(execute=True):
        retried = client.post(f"/deals/{rich_deal.pk}/briefing/", HTTP_HX_REQUEST="true")
    assert retried.status_code == 200
    assert BriefingPack.objects.filter(status=PackStatus.READY).count() == 1


def test_without_htmx_preparing_a_pack_redirects_back_to_the_deal(
    client_for, personas, rich_deal, media
):
    response = client_for(personas.owner).post(f"/deals/{rich_deal.pk}/briefing/")
    assert response.status_code == 302
    assert response["Location"] == f"/deals/{rich_deal.pk}/#briefing"


def test_the_briefing_pack_command_renders_one_deal_to_a_file(rich_deal, tmp_path):
    output = tmp_path / "pack.pdf"
    call_command("briefing_pack", str(rich_deal.pk), "--output", str(output))
    assert "Cloud migration" in pdf_text(output.read_bytes())


def test_the_pack_draws_the_same_charts_and_says_the_same_about_terms_as_the_page(
    client_for, personas, rich_deal
):
    text = " ".join(pdf_text(render_pack(rich_deal)).split())

    assert "Stage timeline" in text and "days so far" in text
    assert "1 term · no wording changed since first written · 0 revision rounds" in text
    page = client_for(personas.owner).get(rich_deal.get_absolute_url()).content.decode()
    assert "1 term · no wording changed since first written · 0 revision rounds" in page
    # The cash flow and the metric chart render with their axes (text inside the SVG).
    assert "Year 1" in text and "Running net total" in text
    assert "Date of check-in" in text and "Target 80 by" in text
