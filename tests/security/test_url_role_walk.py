"""Every URL pattern of the URLconf × every role, GET and POST, on a confidential deal.

Expected: anonymous people are sent to log in; people with no part in the deal
get 404 for everything under it (nothing reachable by guessing ids); people
involved never get 404 or 500 (403 where their role may not act, 405 where a
page only takes POST, 422 for an empty form). The number of cases checked is
printed for the closing notes of the security work.
"""

import datetime as dt
import re
from io import BytesIO

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from deals.models import BriefingPack, ContractDocument, Stage
from deals.services import deal_advance, term_create
from stakeholders.models import Concern, WorkingSession
from tests.factories import (
    AssumptionFactory,
    BusinessCaseFactory,
    CheckInFactory,
    DealFactory,
    JourneyStageFactory,
    OutcomeMetricFactory,
    PartnershipGoalFactory,
    department,
)
from tests.test_access_matrix import ROLES

pytestmark = pytest.mark.django_db

NOT_INVOLVED = {"finance", "outsider"}  # Finance has no review on this confidential deal
PUBLIC = {
    "login",
    "logout",
    "healthz",
    "password_reset",
    "password_reset_done",
    "password_reset_complete",
}
SKIP = {"password_reset_confirm"}  # needs a signed token; covered in test_accounts
# Routes whose objects do not belong to the deal: lists and the company's own records.
NOT_UNDER_DEAL = re.compile(
    r"^(|reviews/|partners/.*|partnerships/.*|goals/.*|portfolio/|accounts/.*|healthz|digest/.*|settings/.*|deals/new/)$"
)
# Last, because they remove what later requests would use.
DESTRUCTIVE = ("delete",)


def routes(resolver=None, prefix=""):
    found = []
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            if getattr(pattern, "app_name", None) == "admin":
                continue
            found += routes(pattern, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern) and pattern.name:
            found.append((prefix + str(pattern.pattern), pattern.name))
    return found


@pytest.fixture
def world(personas, partnership, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    deal = DealFactory(
        partnership=partnership,
        owner=personas.owner,
        sponsor=personas.executive,
        stage=Stage.BUSINESS_CASE,
        confidential=True,
        title="Project Nightjar",
    )
    deal = deal_advance(deal=deal, user=personas.owner, to_stage=Stage.REVIEW)
    link = PartnershipGoalFactory(partnership=partnership)
    metric = OutcomeMetricFactory(deal=deal)
    case = BusinessCaseFactory(deal=deal)
    document = ContractDocument(
        deal=deal,
        original_name="msa.pdf",
        kind="pdf",
        size=9,
        sha256="0" * 64,
        uploaded_by=personas.owner,
    )
    from django.core.files.base import File

    document.file.save("msa.pdf", File(BytesIO(b"%PDF-1.7\n"), name="msa.pdf"), save=False)
    document.save()
    pack = BriefingPack.objects.create(deal=deal, requested_by=personas.executive, status="ready")
    pack.file.save("pack.pdf", File(BytesIO(b"%PDF-1.7\n"), name="pack.pdf"))
    objects = {
        "deals": deal,
        "reviews": deal.reviews.get(department__slug="legal"),
        "terms": term_create(
            deal=deal,
            user=personas.owner,
            data={
                "category": "ip",
                "title": "IP",
                "wording": "Ours",
                "department": department("legal"),
            },
        ),
        "concerns": Concern.objects.create(deal=deal, title="C", detail="D", raised_by=personas.it),
        "sessions": WorkingSession.objects.create(
            deal=deal,
            title="S",
            starts_at=timezone.now() + dt.timedelta(days=1),
            agenda="A",
            organiser=personas.owner,
        ),
        "documents": document,
        "briefing": pack,
        "partners": partnership.partner,
        "partnerships": partnership,
        "metric_id": metric,
        "check_in_id": CheckInFactory(metric=metric),
        "case_id": case,
        "assumption_id": AssumptionFactory(business_case=case),
        "stage_id": JourneyStageFactory(deal=deal),
        "goal_id": link.goal,
    }
    return deal, objects


def fill(route: str, objects) -> str:
    def value(match):
        name = match.group(1)
        key = name if name != "pk" else route.split("/")[0]
        if key not in objects:
            raise AssertionError(f"test_url_role_walk does not know which object {route} takes")
        return str(objects[key].pk)

    return "/" + re.sub(r"<(?:int:)?(\w+)>", value, route)


@pytest.mark.parametrize("role", ROLES)
def test_every_url_for_every_role(client, personas, world, capsys, role):
    deal, objects = world
    cases = 0
    urls = sorted(routes(), key=lambda item: any(word in item[0] for word in DESTRUCTIVE))
    if role != "anonymous":
        client.force_login(getattr(personas, role))
    for route, name in urls:
        if name in SKIP:
            continue
        url = fill(route, objects)
        under_deal = not NOT_UNDER_DEAL.match(route)
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            cases += 1
            code = response.status_code
            where = f"{role} {method.upper()} {url} ({name}) -> {code}"
            assert code < 500, where
            if role == "anonymous":
                if name not in PUBLIC:
                    assert code == 302 and "/accounts/login/" in response["Location"], where
            elif role in NOT_INVOLVED and under_deal:
                # 405 answers any id alike (POST-only endpoint), so it reveals nothing.
                assert code == 404 or (code == 405 and method == "get"), where
            else:
                assert code != 404, where
            if role in NOT_INVOLVED and code == 200 and hasattr(response, "content"):
                assert deal.title not in response.content.decode(), where
            if name == "logout" and role != "anonymous":
                client.force_login(getattr(personas, role))
    with capsys.disabled():
        print(f"\n[url-role walk] {role}: {len(urls)} URL patterns x GET/POST = {cases} cases")


@pytest.mark.parametrize("role", ["owner", "legal", "outsider"])
def test_every_post_without_a_csrf_token_is_refused(personas, world, role):
    from django.test import Client

    deal, objects = world
    client = Client(enforce_csrf_checks=True)
    client.force_login(getattr(personas, role))
    for route, name in routes():
        if name in SKIP:
            continue
        response = client.post(fill(route, objects), {"anything": "x"})
        assert response.status_code == 403, (
            f"{role} POST {route} without CSRF -> {response.status_code}"
        )
