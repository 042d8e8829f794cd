import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from deals.forms import DealFilterForm
from deals.models import Deal, Stage
from partnerships.models import PartnerKind
from stakeholders.models import ReviewStatus
from tests.factories import (
    ConcernFactory,
    DealFactory,
    PartnerFactory,
    PartnershipFactory,
    ReviewFactory,
    UserFactory,
    department,
)

pytestmark = pytest.mark.django_db


def titles(response) -> list[str]:
    return [deal.title for deal in response.context["page"].object_list]


@pytest.fixture
def portfolio(personas, partnership):
    consultancy = PartnershipFactory(
        partner=PartnerFactory(name="Meridian Advisory", kind=PartnerKind.CONSULTANCY),
        sponsor=personas.executive,
    )
    old = timezone.now() - dt.timedelta(days=40)
    return {
        "cloud": DealFactory(
            title="Cloud migration",
            partnership=partnership,
            stage=Stage.REVIEW,
            contract_value=Decimal("900000"),
        ),
        "advice": DealFactory(
            title="Operating model advice",
            partnership=consultancy,
            stage=Stage.NEGOTIATION,
            stage_changed_at=old,
            contract_value=Decimal("300000"),
        ),
        "live": DealFactory(
            title="Payments live", partnership=partnership, stage=Stage.LIVE, currency="USD"
        ),
        "dropped": DealFactory(
            title="Dropped idea", partnership=partnership, stage=Stage.ABANDONED
        ),
    }


def test_the_dashboard_tiles_count_open_stalled_and_pipeline_value(client_for, personas, portfolio):
    ReviewFactory(deal=portfolio["cloud"], department=department("legal"))
    ReviewFactory(
        deal=portfolio["cloud"],
        department=department("it"),
        due_on=timezone.localdate() - dt.timedelta(days=1),
    )
    ReviewFactory(
        deal=portfolio["cloud"], department=department("finance"), status=ReviewStatus.APPROVED
    )

    tiles = client_for(personas.executive).get(reverse("dashboard")).context["tiles"]

    assert tiles["open_deals"] == 2
    assert tiles["stalled_deals"] == 1
    assert tiles["pipeline"].amount == Decimal("1200000")
    assert [(p.currency, p.amount) for p in tiles["pipeline"].parts] == [
        ("EUR", Decimal("1200000"))
    ]
    by_stage = {row["stage"]: row["count"] for row in tiles["by_stage"]}
    assert by_stage[Stage.REVIEW] == by_stage[Stage.LIVE] == by_stage[Stage.ABANDONED] == 1
    assert tiles["pending_reviews"] == 2
    departments = {row["name"]: row for row in tiles["departments"]}
    assert (departments["IT"]["pending"], departments["IT"]["overdue"]) == (1, 1)
    assert departments["Finance"]["pending"] == 0


def test_the_stall_threshold_comes_from_settings(client_for, personas, portfolio, settings):
    settings.STALL_DAYS = 60
    assert client_for(personas.executive).get("/").context["tiles"]["stalled_deals"] == 0


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"stage": "review"}, ["Cloud migration"]),
        ({"kind": "consultancy"}, ["Operating model advice"]),
        ({"q": "MIGRATION"}, ["Cloud migration"]),
        ({"q": "meridian"}, ["Operating model advice"]),
        ({"stage": "live", "kind": "consultancy"}, []),
    ],
)
def test_the_deal_table_filters(client_for, personas, portfolio, query, expected):
    assert titles(client_for(personas.executive).get("/", query)) == expected


def test_the_deal_table_filters_by_sponsor(client_for, personas, portfolio):
    other = DealFactory(title="Someone else's deal")
    response = client_for(personas.executive).get("/", {"sponsor": other.sponsor.pk})
    assert titles(response) == ["Someone else's deal"]


def test_the_sponsor_filter_lists_executives_and_every_deal_s_sponsor(personas, partnership):
    # deals.forms.SPONSOR_IDS skips through the sponsor index: each sponsor once.
    former = UserFactory(email="former-sponsor@example.test")  # no longer an executive
    for _ in range(3):
        DealFactory(partnership=partnership, sponsor=former)
    DealFactory(partnership=partnership, sponsor=personas.executive)
    choices = list(DealFilterForm({}).fields["sponsor"].queryset.order_by("pk"))
    assert former in choices and personas.executive in choices
    assert personas.legal not in choices and personas.owner not in choices
    assert len(choices) == len(set(choices))


def test_the_deal_table_sorts_both_ways(client_for, personas, portfolio):
    client = client_for(personas.executive)
    assert titles(client.get("/", {"sort": "-value"}))[:2] == [
        "Cloud migration",
        "Operating model advice",
    ]
    assert titles(client.get("/", {"sort": "title"})) == sorted(
        titles(client.get("/", {"sort": "-title"}))
    )
    assert titles(client.get("/", {"sort": "stalled"}))[0] == "Operating model advice"


def test_a_bad_filter_value_shows_a_message_and_no_rows(client_for, personas, portfolio):
    response = client_for(personas.executive).get("/", {"stage": "nonsense"})
    assert response.status_code == 200
    assert titles(response) == []
    assert "Select a valid choice" in response.content.decode()


def test_a_bad_sort_does_not_leave_an_empty_count_for_the_good_one(client_for, personas, portfolio):
    client = client_for(personas.executive)
    for stale in ("nonsense", "x" * 200):  # a stale or mangled link: the default order
        assert len(titles_in(client.get("/", {"sort": stale}))) == 2  # the open deals
    good = client.get("/", {"sort": "title"})  # same filters (none), a valid sort
    shown = titles_in(good)
    assert shown == sorted(shown) and len(shown) == 2
    assert "2 open deals." in good.content.decode()


def test_the_table_paginates_and_keeps_the_filters_in_the_links(
    client_for, personas, partnership, settings
):
    settings.DEALS_PER_PAGE = 5
    DealFactory.create_batch(12, partnership=partnership, stage=Stage.REVIEW)
    client = client_for(personas.executive)

    first = client.get("/", {"stage": "review"})
    third = client.get("/", {"stage": "review", "page": 3})

    assert len(titles(first)) == 5
    assert len(titles(third)) == 2
    assert "?stage=review&amp;page=2" in first.content.decode()
    assert client.get("/", {"stage": "review", "page": "999"}).context["page"].number == 3


def test_htmx_gets_only_the_table(client_for, personas, portfolio):
    response = client_for(personas.executive).get(
        "/", {"stage": "review"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="deal-table"
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="deal-table"')
    assert "Cloud migration" in html
    assert "Deals by stage" not in html
    assert "<html" not in html


def test_a_history_restore_gets_the_whole_page(client_for, personas, portfolio):
    """The back button asks htmx for the page without a target: it must get the full page."""
    response = client_for(personas.executive).get(
        "/", {"stage": "review"}, HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true"
    )
    assert "<html" in response.content.decode()


def test_confidential_deals_stay_off_the_dashboard_of_outsiders(
    client_for, personas, confidential_deal, deal
):
    response = client_for(personas.outsider).get("/")
    assert titles(response) == [deal.title]
    assert response.context["tiles"]["open_deals"] == 1
    assert confidential_deal.title in titles(client_for(personas.owner).get("/"))


def test_an_empty_desk_says_what_to_do_next(client_for, personas):
    html = client_for(personas.owner).get("/").content.decode()
    assert "No deals yet." in html
    assert "Create the first deal" in html


def test_no_match_says_how_to_widen_the_search(client_for, personas, portfolio):
    html = client_for(personas.owner).get("/", {"q": "zzz-nothing"}).content.decode()
    assert "No deals match these filters." in html


def make_deals(partnership, count: int) -> None:
    """Deals in review with reviews, half of them stalled with a weekly cost of delay."""
    long_ago = timezone.now() - dt.timedelta(days=60)
    for n, deal in enumerate(
        DealFactory.create_batch(count, partnership=partnership, stage=Stage.REVIEW)
    ):
        ReviewFactory(deal=deal, department=department("legal"))
        if n % 2 == 0:
            deal.__class__.objects.filter(pk=deal.pk).update(
                stage_changed_at=long_ago, weekly_cost_of_delay=Decimal("1500")
            )


@pytest.mark.parametrize("count", [3, 40])
def test_the_dashboard_runs_a_fixed_number_of_queries(
    client_for, personas, partnership, django_assert_max_num_queries, count
):
    make_deals(partnership, count)
    client = client_for(personas.executive)
    assert client.get("/").context["tiles"]["stalled_deals"] == (count + 1) // 2
    from core import freshness

    freshness.bump()  # measure the cold path: body, tiles and counts computed afresh
    # 12, +1 the Reviews (N) count, +1 the unread badge, +6 the pictures: the exchange
    # rates, the week's stage moves, the review heat map, the live deals, their metrics,
    # the signed months (tests/deals/test_dashboard_pictures.py: exactly, at two sizes).
    with django_assert_max_num_queries(20):
        assert client.get("/", {"stage": "review", "sort": "-value"}).status_code == 200
    with django_assert_max_num_queries(12):
        client.get("/", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="deal-table")


@pytest.mark.parametrize("count", [3, 40])
def test_the_deal_page_runs_a_fixed_number_of_queries(
    client_for, personas, partnership, django_assert_max_num_queries, count
):
    from deals.services import deal_advance

    deal = DealFactory(partnership=partnership, owner=personas.owner, sponsor=personas.executive)
    for _ in range(count // 2):
        deal = deal_advance(deal=deal, user=personas.owner, to_stage=Stage.ON_HOLD)
        deal = deal_advance(deal=deal, user=personas.owner, to_stage=Stage.INTAKE)
    client = client_for(personas.executive)
    with django_assert_max_num_queries(21):  # +1: the Reviews (N) count in the navigation
        assert client.get(deal.get_absolute_url()).status_code == 200


def test_cached_tiles_change_as_soon_as_an_audited_change_commits(
    client_for, personas, partnership, django_capture_on_commit_callbacks
):
    from deals.services import deal_advance

    deal = DealFactory(partnership=partnership, owner=personas.owner, sponsor=personas.executive)
    client = client_for(personas.executive)
    assert client.get("/").context["tiles"]["open_deals"] == 1
    with django_capture_on_commit_callbacks(execute=True):
        deal_advance(deal=deal, user=personas.owner, to_stage=Stage.ABANDONED)
    assert client.get("/").context["tiles"]["open_deals"] == 0


def test_tiles_are_cached_per_person_until_the_data_changes(
    client_for, personas, partnership, django_assert_max_num_queries
):
    DealFactory(partnership=partnership)
    client = client_for(personas.executive)
    assert client.get("/").context["tiles"]["open_deals"] == 1
    # The whole body is cached: the session, the user and their roles, the unread badge,
    # nothing else (and the SAVEPOINT and RELEASE of ATOMIC_REQUESTS inside the test's
    # transaction).
    with django_assert_max_num_queries(6):
        again = client.get("/")
    assert "tiles" not in again.context  # not computed: the body came from the cache
    assert '<p class="label">Open deals</p><p class="value">1</p>' in again.content.decode()
    assert client_for(personas.outsider).get("/").context["tiles"]["open_deals"] == 1


def test_the_cached_table_count_follows_new_deals(
    client_for, personas, partnership, django_capture_on_commit_callbacks
):
    from deals.services import deal_create

    DealFactory(partnership=partnership, stage=Stage.REVIEW)
    client = client_for(personas.executive)
    assert client.get("/", {"stage": "intake"}).context["page"].paginator.count == 0
    with django_capture_on_commit_callbacks(execute=True):
        deal_create(
            user=personas.owner,
            data={
                "partnership": partnership,
                "title": "Fresh one",
                "summary": "New",
                "owner": personas.owner,
                "sponsor": personas.executive,
                "contract_value": Decimal("10"),
                "expected_annual_value": Decimal("1"),
                "term_months": 12,
            },
        )
    page = client.get("/", {"stage": "intake"}).context["page"]
    assert page.paginator.count == 1
    assert [deal.title for deal in page.object_list] == ["Fresh one"]


def test_deals_held_by_a_blocking_concern_show_on_the_dashboard(client_for, personas, portfolio):
    ConcernFactory(
        deal=portfolio["cloud"], title="No exit plan", raised_by=personas.it, blocking=True
    )
    ConcernFactory(deal=portfolio["advice"], title="Minor", raised_by=personas.it)
    ConcernFactory(
        deal=portfolio["advice"],
        title="Settled",
        raised_by=personas.it,
        blocking=True,
        resolved_at=timezone.now(),
    )
    client = client_for(personas.executive)
    response = client.get("/")
    assert response.context["tiles"]["blocked_deals"] == 1
    assert "Held by blocking concerns" in response.content.decode()
    # The unfiltered table marks the one deal held (asked row by row: held_on_the_row).
    badged = [deal.title for deal in response.context["page"].object_list if deal.is_blocked]
    assert badged == ["Cloud migration"]
    assert response.content.decode().count("Blocking concern</span>") == 1
    blocked = client.get("/", {"blocked": "on"})
    assert titles(blocked) == ["Cloud migration"]
    assert "Blocking concern</span>" in blocked.content.decode()


# The cached body


def main_of(response) -> str:
    html = response.content.decode()
    return html[html.index('<main id="main"') : html.index("</main>")]


def test_the_cached_body_is_left_behind_as_soon_as_an_audited_change_commits(
    client_for, personas, partnership, django_capture_on_commit_callbacks
):
    from deals.services import deal_advance

    deal = DealFactory(
        partnership=partnership,
        owner=personas.owner,
        sponsor=personas.executive,
        title="Harbour logistics",
    )
    client = client_for(personas.executive)
    assert "Harbour logistics" in client.get("/").content.decode()
    assert "Harbour logistics" in client.get("/").content.decode()  # from the cache
    with django_capture_on_commit_callbacks(execute=True):
        deal_advance(deal=deal, user=personas.owner, to_stage=Stage.ABANDONED)
        deal.__class__.objects.filter(pk=deal.pk).update(title="Harbour logistics (dropped)")
    response = client.get("/")
    assert "tiles" in response.context  # computed afresh
    assert response.context["tiles"]["open_deals"] == 0
    assert titles(response) == []  # the table lists open deals
    assert "Harbour logistics (dropped)" in client.get("/", {"show": "all"}).content.decode()


def test_each_person_gets_their_own_cached_body(personas, confidential_deal, deal):
    """Same query string, same data version: the owner's cached body, which lists a
    confidential deal, is never served to an outsider, before or after it is cached."""
    from django.test import Client

    owner, outsider = Client(), Client()
    owner.force_login(personas.owner)
    outsider.force_login(personas.outsider)
    for _ in range(2):
        assert confidential_deal.title in owner.get("/").content.decode()
        assert confidential_deal.title in owner.get("/", {"sort": "title"}).content.decode()
        outsiders = outsider.get("/").content.decode()
        assert confidential_deal.title not in outsiders and deal.title in outsiders
        assert confidential_deal.title not in outsider.get("/", {"sort": "title"}).content.decode()


def test_the_cached_body_follows_the_query_string_and_htmx_gets_only_the_table(
    client_for, personas, portfolio
):
    client = client_for(personas.executive)
    hx = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "deal-table"}
    for _ in range(2):  # the second round is served from the cache
        assert titles_in(client.get("/", {"stage": "review"})) == ["Cloud migration"]
        assert "Cloud migration" not in client.get("/", {"stage": "intake"}).content.decode()
        fragment = client.get("/", {"stage": "review"}, **hx).content.decode()
        assert fragment.lstrip().startswith('<div id="deal-table"')
        assert "Cloud migration" in fragment and "<html" not in fragment
        assert "<html" in client.get("/", {"stage": "review"}).content.decode()


def titles_in(response) -> list[str]:
    table = response.content.decode().split('<div id="deal-table"', 1)[1]
    return [
        part.split(">", 1)[1].split("</a>", 1)[0]
        for part in table.split('<td class="deal-title"><a class="clip" href="/deals/')[1:]
    ]


def test_the_csrf_token_is_not_cached_with_the_body(client, personas, partnership):
    """Two sessions of one person share the cached body; each page carries its own
    session's CSRF token, and a form posted with it is accepted."""
    from django.test import Client

    DealFactory(partnership=partnership, sponsor=personas.executive, title="Shared body")
    pages = []
    for _ in range(2):
        browser = Client(enforce_csrf_checks=True)
        browser.force_login(personas.executive)
        response = browser.get("/")
        assert "Shared body" in response.content.decode()
        html = response.content.decode()
        token = html.split('"X-CSRFToken": "', 1)[1].split('"', 1)[0]
        pages.append(main_of(response))
        assert "csrfmiddlewaretoken" not in main_of(response)
        logout = browser.post(reverse("logout"), HTTP_X_CSRFTOKEN=token)
        assert logout.status_code == 302, "the page's token belongs to this session"
    assert pages[0] == pages[1]  # the second came from the cache


def test_the_dashboard_works_without_its_cache(client_for, personas, partnership, settings):
    """A cache that refuses connections (Redis down) only costs speed."""
    DealFactory(partnership=partnership, sponsor=personas.executive, title="Still listed")
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
        }
    }
    client = client_for(personas.executive)
    for _ in range(2):
        response = client.get("/")
        assert response.status_code == 200
        assert "Still listed" in response.content.decode()
        assert response.context["tiles"]["open_deals"] == 1  # computed every time


def test_the_filtered_count_reads_as_a_sentence(client_for, personas, partnership):
    DealFactory(title="Unique harbour pilot", partnership=partnership, owner=personas.owner)
    html = client_for(personas.owner).get("/?q=Unique+harbour").content.decode()
    assert "1 deal matches the filters." in html


def test_a_table_row_says_everything_the_deal_is(client_for, personas, partnership):
    """The row (deals/templatetags/deal_table.py): link, escaped title and partner, every
    badge, money in the deal's currency, the signature date, days in stage."""
    deal = DealFactory(
        partnership=partnership,
        owner=personas.owner,
        sponsor=personas.executive,
        title="Fish & <chips>",
        stage=Stage.REVIEW,
        contract_value=Decimal("1250000"),
        currency="USD",
        target_signature_date=dt.date(2027, 3, 5),
        stage_changed_at=timezone.now() - dt.timedelta(days=40),
        confidential=True,
    )
    Deal.objects.filter(pk=deal.pk).update(weekly_cost_of_delay=Decimal("-3500"))
    ConcernFactory(deal=deal, title="Held", raised_by=personas.it, blocking=True)
    html = client_for(personas.executive).get("/").content.decode()
    row = html[html.index(f'<a class="clip" href="/deals/{deal.pk}/">') :]
    row = row[: row.index("</tr>")]
    partner = partnership.partner.name.replace("&", "&amp;")
    assert row == (
        f'<a class="clip" href="/deals/{deal.pk}/">Fish &amp; &lt;chips&gt;</a>'
        ' <span class="badge confidential">Confidential</span>'
        ' <span class="badge bad">Blocking concern</span></td>'
        f'<td><span class="clip clip-short">{partner}</span></td>'
        '<td><span class="badge stage-review">Review</span></td>'
        '<td class="num"><span class="money">1,250,000\u00a0USD</span></td>'
        '<td class="num"><span class="money money--negative">−3,500\u00a0USD</span></td>'
        "<td>5 Mar 2027</td>"
        '<td class="num">40 <span class="badge warn">Stalled</span></td>'
    )
