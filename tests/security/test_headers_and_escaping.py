"""Security headers, no inline code for the CSP to allow, and user text escaped everywhere."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

from deals.services import deal_advance, term_create
from stakeholders.services import concern_raise, review_comment
from tests.factories import DealFactory, PartnerFactory, PartnershipFactory, department

pytestmark = pytest.mark.django_db

PAYLOAD = '<script>alert("x")</script><img src=x onerror=alert(1)>'
TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def test_pages_send_a_strict_content_security_policy_and_the_usual_headers(
    client_for, personas, deal
):
    response = client_for(personas.owner).get(deal.get_absolute_url())
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_app_templates_have_no_inline_scripts_styles_or_event_handlers():
    """The CSP forbids inline code, so none may creep into the app's pages (emails and PDFs aside)."""
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        if path.parts[-2] in ("emails", "pdf"):
            continue
        text = path.read_text()
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text):
            offenders.append(f"{path.name}: inline <script>")
        if re.search(r"<style[\s>]", text) or re.search(r"\sstyle=\"", text):
            offenders.append(f"{path.name}: inline style")
        if re.search(r"\son[a-z]+=\"", text):
            offenders.append(f"{path.name}: inline event handler")
    assert offenders == []


def test_hostile_text_comes_out_escaped_on_every_page_it_shows_on(client_for, personas):
    partner = PartnerFactory(name=PAYLOAD[:150], notes=PAYLOAD)
    partnership = PartnershipFactory(partner=partner, sponsor=personas.executive, title=PAYLOAD)
    deal = DealFactory(
        partnership=partnership,
        owner=personas.owner,
        sponsor=personas.executive,
        title=PAYLOAD,
        summary=PAYLOAD,
    )
    deal = deal_advance(deal=deal, user=personas.owner, to_stage="business_case", note=PAYLOAD)
    deal = deal_advance(deal=deal, user=personas.owner, to_stage="review")
    term = term_create(
        deal=deal,
        user=personas.owner,
        data={
            "category": "ip",
            "title": PAYLOAD[:200],
            "wording": PAYLOAD,
            "department": department("legal"),
        },
    )
    review = deal.reviews.get(department__slug="legal")
    review_comment(review=review, user=personas.legal, body=PAYLOAD)
    concern = concern_raise(
        deal=deal,
        user=personas.legal,
        data={"title": PAYLOAD[:200], "detail": PAYLOAD, "severity": "low"},
    )
    pages = [
        "/",
        "/?q=" + PAYLOAD,
        deal.get_absolute_url(),
        reverse("deal_history", args=[deal.pk]),
        review.get_absolute_url(),
        "/reviews/",
        term.get_absolute_url(),
        concern.get_absolute_url(),
        partner.get_absolute_url(),
        partnership.get_absolute_url(),
        "/partners/",
        "/partnerships/",
    ]
    for url in pages:
        html = (
            client_for(personas.owner if "reviews" not in url else personas.legal)
            .get(url)
            .content.decode()
        )
        assert "<script>alert" not in html, url
        assert "<img src=x" not in html, url
        assert "&lt;script&gt;" in html or "&lt;img" in html or url == "/reviews/", url


def test_hostile_text_is_escaped_in_the_digest_email_and_the_briefing_pack(
    client_for, personas, partnership
):
    from django.template.loader import render_to_string
    from django.utils import timezone

    from deals.briefing import pack_context
    from stakeholders.services import concern_raise

    deal = DealFactory(
        partnership=partnership,
        owner=personas.owner,
        sponsor=personas.executive,
        title=PAYLOAD[:200],
        summary=PAYLOAD,
    )
    concern_raise(
        deal=deal,
        user=personas.legal,
        data={"title": PAYLOAD[:200], "detail": PAYLOAD, "severity": "high"},
    )
    type(deal).objects.filter(pk=deal.pk).update(
        decision_requested_at=timezone.now(),
        decision_requested_by=personas.owner,
        decision_request_note=PAYLOAD,
    )

    email_html = client_for(personas.executive).get("/digest/preview/").content.decode()
    assert "&lt;script&gt;" in email_html
    assert "<script>alert" not in email_html and "<img src=x" not in email_html

    pdf_html = render_to_string("pdf/briefing_pack.html", pack_context(deal))
    assert "&lt;script&gt;" in pdf_html
    assert "<script>alert" not in pdf_html and "<img src=x" not in pdf_html
