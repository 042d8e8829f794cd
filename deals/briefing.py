"""Briefing packs: a PDF about one deal for the executives who take it into a meeting.

`pack_context(deal)` loads everything the pack shows in a fixed number of
queries; `render_pack(deal)` turns templates/pdf/briefing_pack.html into PDF
bytes with WeasyPrint. Charts are server-side SVG (WeasyPrint runs no
JavaScript); each carries its own <style>, because WeasyPrint does not apply
the document's stylesheet inside inline SVG. Rendering happens in a Celery
task (deals.tasks), never in a request; `briefing_context` is the deal page's
card, one query.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.files.base import ContentFile
from django.db.models import Count
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from metrics import charts
from metrics.selectors import deal_value_context
from stakeholders.models import Concern, Review

from . import rules
from .models import (
    BriefingPack,
    Deal,
    Decision,
    PackStatus,
    StageChange,
    Term,
    briefing_path,
    stage_timeline,
)
from .models.terms import wording_changes

# The colours of static/css/dealdesk.css, spelled out: SVG in a PDF has no CSS variables.
CHART_STYLE = (
    "<style>"
    ".chart-frame{fill:#fbfcfe;stroke:#d9dee5;stroke-width:1}"
    ".chart-grid{stroke:#c7ced8;stroke-width:1;stroke-dasharray:2 3}"
    ".chart-grid.goal{stroke:#1d6b3a}"
    ".chart-target{stroke:#56606e;stroke-width:2;stroke-dasharray:6 4}"
    ".chart-actual{fill:none;stroke:#1f5fbf;stroke-width:2.5;stroke-linejoin:round}"
    ".chart-point{fill:#fff;stroke:#1f5fbf;stroke-width:2}"
    ".chart-today{stroke:#d9a441;stroke-width:1.5}"
    ".chart-label{fill:#56606e;font-size:12px;font-family:DejaVu Sans,sans-serif}"
    ".bar-benefit{fill:#1d6b3a}.bar-cost{fill:#a3261b}"
    ".line-cumulative{fill:none;stroke:#1f5fbf;stroke-width:2.5}"
    ".axis,.chart-axis{stroke:#56606e;stroke-width:1}"
    ".chart-axis-title{font-weight:bold}"
    ".chart-goal{stroke:#1d6b3a;stroke-width:1.5}.chart-goal-label{fill:#1d6b3a;font-weight:bold}"
    ".chart-baseline{stroke:#56606e;stroke-width:1}.chart-baseline-label{fill:#56606e}"
    ".point-cumulative{fill:#fff;stroke:#1f5fbf;stroke-width:2}"
    "</style>"
)


def for_pdf(svg: str) -> SafeString:
    """A chart from metrics.charts with its colours inside it."""
    head, _, rest = svg.partition(">")
    return mark_safe(f"{head}>{CHART_STYLE}{rest}")  # noqa: S308 - our own escaped SVG


def briefing_context(deal: Deal, user) -> dict:
    """The deal page's briefing card: the newest pack of this deal (one query)."""
    return {
        "briefing_pack": BriefingPack.objects.filter(deal=deal).first(),
        "may_request_briefing": rules.REQUEST_BRIEFING(user, deal),
    }


def pack_context(deal: Deal, *, now: dt.datetime | None = None) -> dict:
    """Everything the pack shows, in a fixed number of queries whatever the deal's size."""
    now = now or timezone.now()
    deal = Deal.objects.select_related("partnership__partner", "owner", "sponsor").get(pk=deal.pk)
    # The sponsor's view: the pack is for the executives, and the flags are unused.
    value = deal_value_context(deal, deal.sponsor)
    for metric in value["value_metrics"]:
        metric.pdf_chart = for_pdf(
            charts.metric_chart(
                metric, metric.check_in_rows, width=640, height=220, today=now.date()
            )
        )
    case = value["case_governing"]
    changes = list(StageChange.objects.filter(deal=deal).select_related("by"))
    reviews = list(
        Review.objects.filter(deal=deal).select_related("department", "reviewer", "decided_by")
    )
    concerns = list(
        Concern.objects.open()
        .filter(deal=deal)
        .select_related("department", "raised_by")
        .order_by("-blocking", "-raised_at", "pk")
    )
    terms = list(
        Term.objects.filter(deal=deal)
        .select_related("department")
        .annotate(n_revisions=Count("revisions"))
        .order_by("category", "pk")
    )
    decisions = list(Decision.objects.filter(deal=deal).select_related("decided_by"))
    return {
        "deal": deal,
        "generated_at": now,
        "summary": value["value_summary"],
        "metrics": value["value_metrics"],
        "case": case,
        "case_chart": (
            for_pdf(charts.cash_flow_chart(value["cash_flow"], deal.currency))
            if value["cash_flow"]
            else None
        ),
        "journey": value["journey"],
        "goal_links": value["goal_links"],
        "timeline": stage_timeline(changes, now),
        "changes": changes,
        "reviews": reviews,
        "concerns": concerns,
        "blocking": sum(1 for c in concerns if c.blocking),
        "terms": terms,
        "term_changes": wording_changes(terms),
        "decisions": decisions,
        "stall_days": settings.STALL_DAYS,
        "site_url": settings.SITE_URL,
    }


def render_pack(deal: Deal, *, now: dt.datetime | None = None) -> bytes:
    """The briefing pack of a deal as PDF bytes."""
    from weasyprint import HTML  # loads Pango; only the processes that render pay for it

    html = render_to_string("pdf/briefing_pack.html", pack_context(deal, now=now))
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


# The background job: tasks.render_briefing_pack calls these.


def briefing_render(*, pack_id: int) -> BriefingPack | None:
    """Render a queued pack and store it; None when there is nothing to do.

    Not one transaction: the render takes seconds and holds no lock. Safe to run
    again — a redelivered task (worker died mid-render) renders the same file
    again; a pack that is ready already is left alone.
    """
    started = BriefingPack.objects.filter(
        pk=pack_id, status__in=[PackStatus.QUEUED, PackStatus.RENDERING]
    ).update(status=PackStatus.RENDERING, started_at=timezone.now())
    if not started:
        return None
    pack = BriefingPack.objects.select_related("deal", "requested_by").get(pk=pack_id)
    # Its dates and times in the zone of whoever asked for it; each says its zone.
    requester = pack.requested_by
    with timezone.override(requester.zone if requester else timezone.get_default_timezone()):
        pdf = render_pack(pack.deal)
    name = briefing_path(pack, "")
    pack.file.storage.delete(name)  # a render of an earlier attempt, if any
    pack.file.save(name, ContentFile(pdf), save=False)
    BriefingPack.objects.filter(pk=pack_id, status=PackStatus.RENDERING).update(
        status=PackStatus.READY,
        file=pack.file.name,
        size=len(pdf),
        error="",
        finished_at=timezone.now(),
    )
    pack.refresh_from_db()
    return pack


def briefing_fail(*, pack_id: int, error: str) -> None:
    BriefingPack.objects.filter(pk=pack_id).exclude(status=PackStatus.READY).update(
        status=PackStatus.FAILED, error=error[:1000], finished_at=timezone.now()
    )
