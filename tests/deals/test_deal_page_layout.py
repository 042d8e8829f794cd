"""The deal page reads top-down: a section navigation, one stage timeline, the cash flow
on the page, and a new deal's next steps offered only to those who may take them."""

from __future__ import annotations

import datetime as dt
from html.parser import HTMLParser

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from deals.briefing import pack_context
from deals.models import Deal, Stage, StageChange, stage_timeline
from deals.services import term_create, term_revise
from stakeholders.models import Department
from tests.factories import BusinessCaseFactory, DealFactory, TermFactory

pytestmark = pytest.mark.django_db

SECTIONS = ["Overview", "Value", "Sign-offs and terms", "Activity"]


class Page(HTMLParser):
    """The ids on a page, the section navigation's links, and the regions."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.ids: dict[str, dict] = {}
        self.nav_links: list[tuple[str, str]] = []
        self.regions: list[dict] = []
        self._in_nav = 0
        self._href: str | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids[attrs["id"]] = {"tag": tag, **attrs}
        if tag == "nav" and attrs.get("class") == "section-nav":
            self._in_nav = 1
        elif self._in_nav and tag == "a":
            self._href = attrs["href"]
        if attrs.get("role") == "region":
            self.regions.append(attrs)

    def handle_endtag(self, tag):
        if tag == "nav":
            self._in_nav = 0

    def handle_data(self, data):
        if self._href and data.strip():
            self.nav_links.append((data.strip(), self._href))
            self._href = None


def page_of(client, deal) -> tuple[str, Page]:
    response = client.get(deal.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    return html, Page(html)


def test_the_section_navigation_links_to_four_groups_that_are_on_the_page_in_order(
    client_for, personas, deal
):
    html, page = page_of(client_for(personas.owner), deal)

    assert [label for label, _ in page.nav_links] == SECTIONS
    nav = html.index('class="section-nav"')
    positions = []
    for label, href in page.nav_links:
        assert href.startswith("#")
        target = page.ids[href[1:]]  # every anchor has its target
        assert target["tag"] == "section"
        heading = page.ids[target["aria-labelledby"]]
        assert heading["tag"] == "h2"
        positions.append(html.index(f'id="{href[1:]}"'))
        assert label in html[html.index(f'id="{target["aria-labelledby"]}"') :][:200]
    assert nav < positions[0] and positions == sorted(positions)  # read top-down


def test_the_groups_hold_their_sections_what_it_is_and_what_is_next_first(
    client_for, personas, deal
):
    html, _ = page_of(client_for(personas.owner), deal)

    def group(name: str) -> str:
        start = html.index(f'id="{name}"')
        ends = [html.index(f'id="{n}"') for n in ("value", "signoffs", "activity")]
        return html[start : min([e for e in ends if e > start], default=len(html))]

    overview, value = group("overview"), group("value")
    signoffs, activity = group("signoffs"), group("activity")
    for heading in ("Why this deal", "Where it stands", "Move the deal", "Briefing pack"):
        assert heading in overview, heading
    assert "Strategic fit" in value
    for heading in ("Sign-offs", "Terms", "Open concerns", "Decision log", "Contract documents"):
        assert heading in signoffs, heading
    for heading in ("Stage timeline", "Recent activity", "Working sessions"):
        assert heading in activity, heading


def test_one_stage_timeline_replaces_the_history_and_the_time_in_each_stage(
    client_for, personas, deal
):
    StageChange.objects.filter(deal=deal).update(at=timezone.now() - dt.timedelta(days=10))
    client = client_for(personas.owner)
    client.post(reverse("deal_advance", args=[deal.pk]), {"to_stage": "business_case"})
    StageChange.objects.filter(deal=deal, to_stage=Stage.BUSINESS_CASE).update(
        at=timezone.now() - dt.timedelta(days=3, hours=12)
    )

    html, page = page_of(client, deal)

    assert "Stage history" not in html and "Time in each stage" not in html
    assert html.count('class="timeline stage-timeline"') == 1
    timeline = html[html.index('id="timeline-title"') : html.index('id="activity-title"')]
    # Intake lasted from creation to the move; Business case runs on, newest first.
    assert timeline.index("Intake → Business case") < timeline.index("Created → Intake")
    assert "6.5 days in Intake" in timeline
    assert "3.5 days in Business case so far" in timeline
    assert "10.0 days since the deal was created" in timeline


def test_the_stage_timeline_times_each_stay_and_totals_a_stage_entered_twice():
    now = timezone.now()
    changes = [
        StageChange(from_stage="", to_stage=Stage.REVIEW, at=now - dt.timedelta(days=10)),
        StageChange(
            from_stage=Stage.REVIEW, to_stage=Stage.BUSINESS_CASE, at=now - dt.timedelta(days=7)
        ),
        StageChange(
            from_stage=Stage.BUSINESS_CASE, to_stage=Stage.REVIEW, at=now - dt.timedelta(days=5)
        ),
    ]
    timeline = stage_timeline(changes, now=now)
    stays = [(s["stage"], s["days"], s["current"]) for s in timeline["stays"]]
    assert stays == [
        (Stage.REVIEW, 5.0, True),
        (Stage.BUSINESS_CASE, 2.0, False),
        (Stage.REVIEW, 3.0, False),
    ]
    assert timeline["stays"][0]["left_at"] is None
    assert timeline["stays"][1]["left_at"] == changes[2].at
    assert [(r["stage"], r["days"], r["visits"]) for r in timeline["repeated"]] == [
        (Stage.REVIEW, 8.0, 2)
    ]
    assert timeline["days"] == 10.0
    assert stage_timeline([], now=now) == {"stays": [], "repeated": [], "days": 0}


def test_the_cash_flow_chart_is_on_the_page_with_its_title_description_and_numbers(
    client_for, personas, deal
):
    BusinessCaseFactory(deal=deal)
    html, page = page_of(client_for(personas.legal), deal)

    case = html[html.index('id="business-case"') :]
    svg = case[case.index("<svg") : case.index("</svg>")]
    assert 'role="img"' in svg
    assert 'aria-labelledby="cash-flow-title cash-flow-desc"' in svg
    assert page.ids["cash-flow-title"]["tag"] == "title"
    assert page.ids["cash-flow-desc"]["tag"] == "desc"
    assert "Year 1: benefits 100,000, costs 150,000, running net total -50,000." in svg
    assert "turns positive in year 2" in svg
    # The table alternative: the same numbers, with the running total.
    numbers = case[case.index("<details") : case.index("</details>")]
    assert "Running net total" in numbers
    for value in ("-50,000", "130,000", "310,000"):
        assert f'<td class="num">{value}</td>' in numbers, value
    assert "<style" not in svg  # the page's CSP allows no inline style; the PDF adds its own


def test_the_business_case_table_scrolls_in_a_focusable_labelled_region(client_for, personas, deal):
    BusinessCaseFactory(deal=deal)
    _, page = page_of(client_for(personas.owner), deal)

    labels = {region["aria-labelledby"] for region in page.regions}
    assert "case-table-caption" in labels
    for region in page.regions:
        assert region["tabindex"] == "0"
        assert region["class"] == "scroll-region"
        assert region["aria-labelledby"] in page.ids  # it names something that is there
    assert page.ids["case-table-caption"]["tag"] == "caption"


def test_a_new_deal_offers_its_owner_every_next_step(client_for, personas, deal):
    html, _ = page_of(client_for(personas.owner), deal)

    steps = html[html.index('id="next-steps-title"') : html.index('id="standing-title"')]
    for label, url in (
        ("Add the terms", reverse("term_create", args=[deal.pk])),
        ("Write the business case", reverse("business_case_edit", args=[deal.pk])),
        ("Add outcome metrics", reverse("metric_create", args=[deal.pk])),
        ("Move it towards review", "#stage-panel"),
    ):
        assert f'href="{url}">{label}</a>' in steps, label
    # The Value group says it once, instead of three empty cards.
    assert "No business value recorded yet" in html
    assert 'id="business-case"' not in html and 'id="metrics-title"' not in html


def test_a_new_deal_offers_the_sponsor_only_what_the_sponsor_may_do(client_for, personas, deal):
    html, _ = page_of(client_for(personas.executive), deal)

    steps = html[html.index('id="next-steps-title"') : html.index('id="standing-title"')]
    assert "Add the terms" not in steps  # only the owner edits the terms (EDIT_TERMS)
    assert "Write the business case" in steps and "Move it towards review" in steps


def test_a_new_deal_offers_a_reviewer_no_action_and_says_who_acts(client_for, personas, deal):
    html, _ = page_of(client_for(personas.legal), deal)

    steps = html[html.index('id="next-steps-title"') : html.index('id="standing-title"')]
    assert "Nothing for you to do yet" in steps and personas.owner.display_name in steps
    assert "<a " not in steps and "button" not in steps
    for url in (
        reverse("term_create", args=[deal.pk]),
        reverse("business_case_edit", args=[deal.pk]),
        reverse("metric_create", args=[deal.pk]),
    ):
        assert url not in html


def test_a_deal_with_a_term_or_a_case_shows_no_next_steps(client_for, personas, deal):
    BusinessCaseFactory(deal=deal)
    html, _ = page_of(client_for(personas.owner), deal)
    assert "Get this deal going" not in html
    assert "No business value recorded yet" not in html


def test_page_and_pack_say_the_same_about_terms_and_rounds(client_for, personas, deal_in_review):
    deal = deal_in_review
    for n in range(5):
        TermFactory(deal=deal, title=f"Clause {n}")
    html, _ = page_of(client_for(personas.owner), deal)
    expected = (
        "5 terms · no wording changed since first written · 0 revision rounds "
        "(a sign-off re-opened by changed wording)"
    )
    assert expected in html
    assert "5 revisions" not in html

    pdf_html = render_to_string("pdf/briefing_pack.html", pack_context(deal))
    assert pdf_html.count(expected) == 2  # the summary and the terms section
    assert "5 revisions" not in pdf_html


def test_a_changed_term_after_a_verdict_counts_as_a_change_and_a_round(
    client_for, personas, deal_in_review
):
    deal = deal_in_review
    procurement = Department.objects.get(slug="procurement")
    term = term_create(
        deal=deal,
        user=personas.owner,
        data={"category": "price", "title": "Fee", "wording": "10", "department": procurement},
    )
    review = deal.reviews.get(department__slug="procurement")
    review.status = "approved"
    review.save()
    term_revise(term=term, user=personas.owner, wording="12", expected_version=term.version)
    assert Deal.objects.get(pk=deal.pk).revision_rounds == 1

    html, _ = page_of(client_for(personas.owner), deal)
    expected = (
        "1 term · 1 wording change since first written · 1 revision round "
        "(a sign-off re-opened by changed wording)"
    )
    assert expected in html
    assert expected in render_to_string("pdf/briefing_pack.html", pack_context(deal))


def test_the_move_panel_still_swaps_in_place_after_a_refused_move(client_for, personas):
    deal = DealFactory(stage=Stage.INTAKE)
    client = client_for(deal.owner)
    response = client.post(
        reverse("deal_advance", args=[deal.pk]), {"to_stage": "live"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert body.lstrip().startswith('<section class="card" id="stage-panel"')
    assert 'hx-target="#stage-panel"' in body
