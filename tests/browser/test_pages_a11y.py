"""Every main page at desktop and phone width: no sideways scroll at 390 px, and axe-core
(WCAG 2.1 A/AA) finds nothing serious or critical at either width.

PAGES is the list to extend: a name, the persona who visits, and the path, which may
name an object of the world below in braces ("{deal}"). Each persona has one browser
context and one test; each page is loaded once and checked at 1280 px, then at 390 px
(the viewport is resized, the page not reloaded). All problems of a persona's pages are
gathered and reported together, so that one run lists everything to fix.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from playwright.sync_api import Browser

from agreements.models import Agreement
from deals.models import Stage
from deals.services import deal_advance
from stakeholders.email_decision import tokens_issue
from stakeholders.models import User
from tests.browser.axe import describe, serious_violations
from tests.browser.sessions import context_for
from tests.conftest import _deal_with_everything
from tests.factories import DealFactory, PartnershipFactory, PartnershipGoalFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP, PHONE = 1280, 390

# (page, persona, path). Personas: executive (sponsors the deals), owner, legal (a
# reviewer asked to review the deal), anonymous. Objects of the world: deal (in review,
# with terms, reviews, metrics, a business case, a concern, a decision), new_deal (just
# created, nothing on it), review (Legal's), metric, partner, partnership, goal,
# agreement (of a deal signed through deal_advance).
PAGES = [
    ("dashboard", "executive", "/"),
    ("deal page", "executive", "/deals/{deal}/"),
    ("new empty deal", "owner", "/deals/{new_deal}/"),
    ("review", "legal", "/reviews/{review}/"),
    ("inbox", "legal", "/reviews/"),
    ("portfolio", "executive", "/portfolio/"),
    ("goals", "executive", "/goals/"),
    ("goal", "executive", "/goals/{goal}/"),
    ("metric", "owner", "/metrics/{metric}/"),
    ("business case", "owner", "/deals/{deal}/business-case/"),
    ("partners", "executive", "/partners/"),
    ("partner", "executive", "/partners/{partner}/"),
    ("partnerships", "executive", "/partnerships/"),
    ("partnership", "executive", "/partnerships/{partnership}/"),
    ("notifications", "legal", "/notifications/"),
    ("login", "anonymous", "/accounts/login/"),
    ("decide from email", "anonymous", "/reviews/by-email/{decide}/"),
    ("search results", "executive", "/search/?q=Kestrel"),
    ("renewals", "executive", "/renewals/"),
    ("agreement", "owner", "/agreements/{agreement}/"),
]


@dataclass
class World:
    users: dict[str, User]
    ids: dict[str, int]

    def path(self, template: str) -> str:
        return template.format(**self.ids)


@pytest.fixture
def world(personas, settings, tmp_path, deal_in_negotiation_all_approved) -> World:
    settings.MEDIA_ROOT = str(tmp_path)
    partnership = PartnershipFactory(sponsor=personas.executive)
    link = PartnershipGoalFactory(partnership=partnership)
    full = _deal_with_everything(personas, partnership, title="Project Kestrel")
    new_deal = DealFactory(
        partnership=partnership,
        owner=personas.owner,
        sponsor=personas.executive,
        stage=Stage.INTAKE,
        title="Project Wren",
    )
    approved = deal_advance(
        deal=deal_in_negotiation_all_approved, user=personas.owner, to_stage=Stage.APPROVED
    )
    deal_advance(deal=approved, user=personas.owner, to_stage=Stage.SIGNED)
    agreement = Agreement.objects.get(deal=approved)
    return World(
        users={"executive": personas.executive, "owner": personas.owner, "legal": personas.legal},
        ids={
            "deal": full["deal"].pk,
            "new_deal": new_deal.pk,
            "review": full["review"].pk,
            "metric": full["metric"].pk,
            "partner": partnership.partner.pk,
            "partnership": partnership.pk,
            "goal": link.goal.pk,
            "agreement": agreement.pk,
            # Legal's link from its review email (the page works logged out).
            "decide": next(
                iter(tokens_issue(pairs=[(personas.legal.pk, full["review"].pk)]).values())
            ).split("/")[-2],
        },
    )


def problems_at(page, name: str, width: int) -> list[str]:
    page.set_viewport_size({"width": width, "height": 900})
    found = []
    if width == PHONE:
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        if scroll_width > width:
            found.append(f"{name} at {width} px: the page is {scroll_width} px wide")
    violations = serious_violations(page)
    if violations:
        found.append(f"{name} at {width} px, axe-core:\n{describe(violations)}")
    return found


@pytest.mark.parametrize("persona", sorted({persona for _, persona, _ in PAGES}))
def test_each_main_page_fits_a_phone_and_has_no_serious_axe_violation(
    browser: Browser, live_server, world: World, persona: str
):
    context = context_for(browser, live_server.url, world.users.get(persona), width=DESKTOP)
    page = context.new_page()
    problems = []
    for name, who, template in PAGES:
        if who != persona:
            continue
        response = page.goto(world.path(template))
        assert response is not None and response.ok, f"{name}: HTTP {response and response.status}"
        assert "/accounts/login/" not in page.url or persona == "anonymous", (
            f"{name}: not logged in"
        )
        for width in (DESKTOP, PHONE):
            problems += problems_at(page, name, width)
    context.close()
    assert not problems, "\n".join(problems)
